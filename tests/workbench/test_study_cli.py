"""``workbench study``: a preset's runs trained headless, tagged as the window tags a study, then its verdict."""
from __future__ import annotations

import json

import pytest

from workbench.studies import PRESETS, factor_of, study_of


def test_list_names_every_preset_with_its_runs(cli):
    result = cli("study", "--list")
    assert result.rc == 0, result.err
    for name in PRESETS.names():
        preset = PRESETS.get(name)
        assert name in result.out and preset.title in result.out
    runs = preset.seeds * len(preset.values)
    assert f"{runs} runs" in result.out.split(name, 1)[1]


def test_an_unknown_preset_or_none_is_one_line_exit_2(cli):
    result = cli("study", "no-such-study")
    assert result.rc == 2 and "no-such-study" in result.err and "--list" in result.err
    assert "Traceback" not in result.err
    result = cli("study")
    assert result.rc == 2 and "--list" in result.err


@pytest.mark.slow
def test_a_study_trains_its_runs_tagged_and_judges_them(cli, tmp_path):
    from workbench.store import RunStore

    report = tmp_path / "study.html"
    result = cli("study", "output-activation", "--epochs", "1", "--seeds", "2", "--threads", "1", "--no-progress",
                 "--report", report, "--json")
    assert result.rc == 0, result.err
    data = json.loads(result.out.strip().splitlines()[-1])
    preset = PRESETS.get("output-activation")
    assert len(data["runs"]) == len(data["finished"]) == 2 * len(preset.values)
    with RunStore() as store:
        runs = [store.get_run(i) for i in data["runs"]]
    assert {study_of(r.tags) for r in runs} == {data["study"]}
    assert sorted(factor_of(r.tags) for r in runs) == sorted(
        f"{preset.factor}={v}" for v in preset.values for _ in range(2))
    assert all(r.status == "finished" and r.epoch == 1 and r.config["threads"] == 1 for r in runs)
    # The verdict is the compare CLI's on the same runs.
    compare = cli("compare", *data["runs"], "--json")
    assert compare.rc == 0, compare.err
    assert data["verdict"] == json.loads(compare.out.strip().splitlines()[-1])
    assert data["report"] == str(report) and report.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    # The text form: one line per run, then the verdict's sentences.
    again = cli("study", "batchnorm", "--epochs", "1", "--seeds", "2", "--threads", "1", "--no-progress")
    assert again.rc == 0, again.err
    assert again.out.count("finished in") == 4 + 1 and "[4/4]" in again.out
    assert "model_options.batchnorm" in again.out and "baseline" in again.out
