"""Smoke run of ``workbench bench hsi`` (quick sizes; speed is reported, never asserted)."""
from __future__ import annotations

import json

import pytest


@pytest.mark.slow  # trains, and classifies the map in a child process
def test_quick_benchmark_reports_every_figure():
    from workbench.labs.hsi.bench import format_report, run

    lines: list[str] = []
    report = run(quick=True, progress=lines.append)
    json.dumps(report)
    assert report["map"]["pixels"] == 144 and report["map"]["same_labels"] is True
    assert report["map"]["max_prob_diff_vs_patch"] < 1e-5 and report["map"]["speedup_vs_patch"] > 0
    for key in ("seconds", "patch_seconds", "reference_seconds", "peak_increase_gb", "reference_peak_increase_gb"):
        assert report["map"][key] >= 0
    assert report["training"]["patches_per_s"] > 0 and report["training"]["plain_patches_per_s"] > 0
    assert "patches/s" in format_report(report) and lines
