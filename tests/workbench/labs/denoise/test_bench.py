"""Smoke run of the denoising benchmark (figures are not asserted: speed belongs to benchmarks)."""
import json

import pytest

from workbench.labs.denoise.bench import format_report, run


@pytest.mark.slow
def test_quick_benchmark_reports_every_figure():
    messages = []
    report = run(quick=True, progress=messages.append)
    json.dumps(report)  # JSON-ready
    d = report["dncnn"]
    for key in ("reference_seconds", "optimized_seconds", "speedup", "fp32_seconds", "fp32_speedup",
                "gflop_per_image", "gflops_optimized"):
        assert d[key] > 0, key
    from engines.labs.denoise.methods import inference_precision

    assert d["precision"] == inference_precision("auto")  # timed as the application denoises on this CPU
    assert d["goal_psnr_change_db"] == 0.01 and isinstance(d["meets_goal"], bool)
    assert d["gflop_per_image"] == 18.2  # 128² in quick mode; 512² is 290.5
    assert {"nlm", "tv", "wavelet", "bm3d"} <= set(report["baselines"])
    assert report["baselines"]["nlm"]["psnr"] > report["noisy_psnr"]
    big = report["large_image"]
    assert big["size"] == 256 and big["peak_rss_gb"] > 0, big
    assert report["levers"] == {"skipped": "quick run"}  # compile only in the full benchmark
    assert messages and "DnCNN-S" in format_report(report)
