"""The ``workbench`` command line, run as a user would (subprocesses) and in-process for errors."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from workbench.cli import main


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


@pytest.mark.slow
def test_acceptance_train_twice_same_seed_same_metrics_and_runs_lists_them():
    cmd = ["train", "--task", "classify", "--model", "small_cnn", "--data", "digits", "--epochs", "2",
           "--seed", "0", "--json"]
    first = run_cli(*cmd)
    assert first.returncode == 0, first.stderr
    a = json.loads(first.stdout.strip().splitlines()[-1])
    assert set(a) >= {"run_id", "status", "metrics", "params", "flops", "seconds"}
    assert a["status"] == "finished" and a["metrics"]["test_accuracy"] >= 0.90
    second = run_cli(*cmd)
    b = json.loads(second.stdout.strip().splitlines()[-1])
    assert b["run_id"] != a["run_id"]
    for key in ("test_accuracy", "test_loss", "train_loss"):
        assert a["metrics"][key] == b["metrics"][key]

    listed = run_cli("runs", "--json")
    runs = {r["id"]: r for r in json.loads(listed.stdout)}
    assert runs[a["run_id"]]["status"] == "finished"
    assert runs[a["run_id"]]["params"] == a["params"] and runs[a["run_id"]]["flops"] == a["flops"]

    shown = run_cli("show", str(a["run_id"]), "--json")
    detail = json.loads(shown.stdout)
    assert detail["status"] == "finished" and "loss" in detail["metric_names"]
    assert detail["summary"]["metrics"]["test_accuracy"] == a["metrics"]["test_accuracy"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["train", "--model", "resnet9000"], "resnet9000"),
        (["train", "--task", "juggle"], "juggle"),
        (["train", "--data", "mnist-please"], "mnist-please"),
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--set", "optimizer=rmsprop"], "rmsprop"),
        (["train", "--set", "output=sigmoid"], "sigmoid"),
        (["train", "--set", "nonsense=1"], "nonsense"),
        (["train", "--set", "no-equals-sign"], "KEY=VALUE"),
        (["train", "--set", "epochs=two"], "epochs"),
        (["train", "--device", "tpu"], "tpu"),
        (["train", "--epochs", "many"], "many"),
        (["show", "424242"], "424242"),
        (["resume", "424242"], "424242"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_value(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert needle in err
    if "choices" in err:
        assert "valid choices" in err


def test_invalid_choice_lists_valid_choices(capsys):
    assert main(["train", "--model", "resnet9000"]) == 2
    assert "small_cnn" in capsys.readouterr().err


CLASSIFIERS = "mobilenet_v1, mobilenet_v1_13, mobilenet_v2, resnet18, se_resnet18, small_cnn"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "hybridsn", "--data", "digits"],
         f"workbench: error: model 'hybridsn' is not a classify model; valid choices: {CLASSIFIERS}"),
        (["--model", "dscmr", "--data", "digits"],
         f"workbench: error: model 'dscmr' is not a classify model; valid choices: {CLASSIFIERS}"),
        (["--model", "small_cnn", "--data", "indian_pines"],
         "workbench: error: dataset 'indian_pines' is not a classify dataset; valid choices: cifar10, digits"),
    ],
    ids=["hybridsn", "dscmr", "indian_pines"],
)
def test_a_model_or_dataset_of_another_task_exits_2_before_any_run_is_recorded(args, message, capsys):
    assert main(["train", "--task", "classify", *args]) == 2
    assert capsys.readouterr().err.strip() == message
    assert main(["runs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_each_task_refuses_the_other_tasks_models(capsys):
    assert main(["train", "--task", "hsi", "--model", "small_cnn"]) == 2
    assert capsys.readouterr().err.strip() == ("workbench: error: model 'small_cnn' is not a hsi model; valid "
                                               "choices: cnn2d, cnn3d, hybridsn, hybridsn_2d3d")
    assert main(["train", "--task", "denoise", "--data", "digits"]) == 2
    assert "dataset 'digits' is not a denoise dataset; valid choices: image_folder, skimage_samples" in (
        capsys.readouterr().err)


def test_create_run_refuses_a_config_of_another_task_before_recording_it():
    """The window's queue records runs through create_run too: a bad config never becomes a failed run."""
    from engines.core.config import ConfigError
    from engines.core.tasks import make_config
    from workbench.runner import create_run
    from workbench.store import RunStore

    with RunStore() as store:
        with pytest.raises(ConfigError, match="model 'hybridsn' is not a classify model"):
            create_run(store, make_config("classify", model="hybridsn"))
        with pytest.raises(ConfigError, match="dataset 'salinas' is not a classify dataset"):
            create_run(store, make_config("classify", data="salinas"))
        assert store.list_runs() == []


def test_export_csv_and_resume_refusals(tmp_path, capsys):
    assert main(["train", "--epochs", "1", "--set", "width=8", "--set", "max_steps=5", "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    out = tmp_path / "m.csv"
    assert main(["export", str(run_id), "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert {r["name"] for r in rows} >= {"loss", "test_accuracy"}
    assert [int(r["step"]) for r in rows if r["name"] == "loss"] == [1, 2, 3, 4, 5]
    capsys.readouterr()
    # a finished run needs more epochs to be resumed
    assert main(["resume", str(run_id)]) == 2
    assert "--epochs" in capsys.readouterr().err
    assert main(["export", str(run_id), "--csv", str(tmp_path / "no-such-dir" / "m.csv")]) == 2
    assert "no-such-dir" in capsys.readouterr().err
    assert main(["delete", str(run_id)]) == 0
    assert main(["show", str(run_id)]) == 2


def test_resume_takes_a_thread_count_of_its_own(capsys):
    """``resume --threads N`` trains on with N threads; the recorded run and its results are otherwise the same."""
    import torch

    assert main(["train", "--epochs", "1", "--set", "width=8", "--set", "max_steps=3", "--set", "threads=2",
                 "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["run_id"]
    assert main(["resume", str(run_id), "--epochs", "2", "--threads", "1", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert outcome["status"] == "finished" and torch.get_num_threads() == 1
    assert main(["resume", str(run_id), "--epochs", "3", "--threads", "100000"]) == 2
    assert "threads" in capsys.readouterr().err


@pytest.mark.slow
def test_two_process_gloo_ddp_run_is_recorded_once(workbench_home):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
           "-m", "workbench", "train", "--epochs", "2", "--device", "cpu", "--set", "width=8",
           "--set", "threads=1", "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1  # only rank 0 reports
    outcome = json.loads(lines[0])
    assert outcome["status"] == "finished"
    from workbench.store import RunStore

    with RunStore() as store:
        runs = store.list_runs()
        assert len(runs) == 1
        run = runs[0]
        assert run.world_size == 2 and run.status == "finished"
        acc = store.metrics(run.id, "test_accuracy")
        assert [p.epoch for p in acc] == [1.0, 2.0]  # once per epoch, not once per process
        # each process sees half of the 1,437 training images: ceil(719 / 16) steps per epoch
        assert run.step == 2 * 45
        assert acc[-1].value == pytest.approx(outcome["metrics"]["test_accuracy"])


def test_python_m_workbench_is_the_headless_cli_and_names_where_the_window_opens():
    result = run_cli()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "workbench: error: a command is required (the window opens from `workbench` or `python -m workbench.ui`)"]
