"""``workbench compare RUN… --group-by KEY``: the verdict as JSON and as a table, and its errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from tests.workbench.test_verdicts import LOG_SOFTMAX, NONE, SOFTMAX, add_groups, add_run, config
from workbench.cli import main
from workbench.store import RunStore


@pytest.fixture
def study():
    """The output-activation study's nine runs in the default store (the test's private home)."""
    with RunStore() as store:
        return add_groups(store, {"none": NONE, "softmax": SOFTMAX, "log_softmax": LOG_SOFTMAX})


def run_main(capsys, *args):
    code = main(["compare", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_verdict_equals_scipy_on_the_stored_runs(study, capsys):
    code, out, err = run_main(capsys, *study, "--group-by", "model_options.output", "--json")
    assert code == 0, err
    verdict = json.loads(out)
    assert verdict["by"] == "model_options.output" and verdict["baseline"] == "none"
    assert verdict["run_ids"] == study
    (metric,) = verdict["metrics"]
    assert metric["metric"] == "test_accuracy" and metric["unit"] == "points" and metric["higher_is_better"]
    assert [(g["label"], g["n"]) for g in metric["groups"]] == [("none", 3), ("softmax", 3), ("log_softmax", 3)]
    assert metric["groups"][0]["mean"] == pytest.approx(np.mean(NONE))
    assert metric["groups"][0]["std"] == pytest.approx(np.std(NONE, ddof=1))
    softmax, log_softmax = metric["comparisons"]
    welch = stats.ttest_ind(SOFTMAX, NONE, equal_var=False)
    assert softmax["group"] == "output=softmax" and softmax["baseline"] == "output=none"
    assert softmax["welch_t"] == pytest.approx(welch.statistic) and softmax["welch_p"] == pytest.approx(welch.pvalue)
    assert softmax["difference"] == pytest.approx(np.mean(SOFTMAX) - np.mean(NONE))
    assert softmax["ci_low"] < softmax["difference"] < softmax["ci_high"]
    assert softmax["permutation_p"] == pytest.approx(0.1) and softmax["permutation_exact"]
    assert softmax["kind"] == "clear" and "lowers test accuracy by" in softmax["sentence"]
    assert log_softmax["kind"] == "null" and log_softmax["runs_needed"] >= 4
    assert f"about {log_softmax['runs_needed']} per group" in log_softmax["sentence"]


def test_table_lists_every_group_and_the_sentences(study, capsys):
    code, out, _ = run_main(capsys, *study, "--group-by", "model_options.output", "--baseline", "softmax")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "test accuracy (points) by model_options.output, baseline softmax (higher is better)"
    rows = {line.split()[0]: line for line in lines[2:5]}
    assert set(rows) == {"none", "softmax", "log_softmax"}
    assert f"{np.mean(SOFTMAX) * 100:.1f} ± {np.std(SOFTMAX, ddof=1) * 100:.1f}" in rows["softmax"]
    assert "baseline" in rows["softmax"]
    assert f"+{(np.mean(NONE) - np.mean(SOFTMAX)) * 100:.1f} [" in rows["none"]
    sentences = [line for line in lines if line.lstrip().startswith("•")]
    assert len(sentences) == 2 and all("output=softmax" in s for s in sentences)
    assert "output=none is better: it raises test accuracy" in sentences[0]


def test_a_study_groups_by_its_factor_without_group_by(capsys):
    with RunStore() as store:
        ids = [add_run(store, config(output, seed), {"test_accuracy": value},
                       tags=("study:output-activation-1", f"factor:model_options.output={output}"))
               for output, values in (("none", NONE), ("softmax", SOFTMAX)) for seed, value in enumerate(values)]
    code, out, _ = run_main(capsys, *ids, "--json")
    assert code == 0 and json.loads(out)["by"] == "model_options.output"


@pytest.mark.parametrize("args, needle", [
    (["--group-by", "model_options.output", "424242"], "424242"),  # an unknown run
    (["--group-by", "model_options.colour"], "model_options.colour"),  # an unknown key
    (["--group-by", "seed"], "seed"),
    (["--group-by", "model_options.output", "--metric", "f1"], "'f1'"),
    (["--group-by", "model_options.output", "--baseline", "sigmoid"], "sigmoid"),
    ([], "config key"),  # not a study: a key is needed
    (["--group-by", "model_options.output", "zero"], "zero"),
])
def test_bad_input_is_one_line_and_exit_2(study, capsys, args, needle):
    code, out, err = run_main(capsys, *study, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("workbench: error: ")
    assert needle in err


def test_one_group_only_is_exit_2(study, capsys):
    code, _, err = run_main(capsys, *study[:3], "--group-by", "model_options.output")
    assert code == 2 and "at least two groups" in err and "none" in err


def test_a_metric_missing_everywhere_is_exit_1(capsys):
    with RunStore() as store:
        ids = [add_run(store, config(output, seed), None, status="failed")
               for output in ("none", "softmax") for seed in range(2)]
    code, out, err = run_main(capsys, *ids, "--group-by", "model_options.output")
    assert code == 1 and out == ""
    assert err.strip() == "workbench: error: no run has a value of test_accuracy yet"


def test_the_command_as_a_user_runs_it(study, workbench_home):
    done = subprocess.run([sys.executable, "-m", "workbench", "compare", *map(str, study[:6]),
                           "--group-by", "model_options.output", "--json"],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert [c["group"] for c in verdict["metrics"][0]["comparisons"]] == ["output=softmax"]
