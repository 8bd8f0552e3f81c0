"""Hyperspectral commands: train --train-ratio, the SVM baseline, whole-scene maps; the study preset."""
from __future__ import annotations

import json

import numpy as np

from workbench import paths
from workbench.cli import main
from workbench.store import RunStore

TINY = ["--set", "data.crop=0:40,0:40", "--set", "components=15", "--set", "window=9", "--set", "eval_max=50",
        "--set", "threads=2", "--batch-size", "64"]


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_train_ratio_option_trains_and_records_the_split(capsys, tmp_path):
    code = main(["train", "--task", "hsi", "--model", "cnn2d", "--data", "indian_pines", "--train-ratio", "0.2",
                 "--epochs", "1", *TINY, "--json"])
    out = last_json(capsys)
    assert code == 0 and out["status"] == "finished"
    with RunStore() as store:
        run = store.get_run(out["run_id"])
    assert run.config["train_ratio"] == 0.2 and run.summary["split"]["train_ratio"] == 0.2
    assert 0 <= out["metrics"]["overall_accuracy"] <= 1

    code = main(["hsi-map", str(out["run_id"]), "--json"])
    mapped = last_json(capsys)
    assert code == 0 and mapped["shape"] == [40, 40]
    cached = list((paths.run_dir(run.id) / "hsi_maps").glob("*.npy"))
    assert len(cached) == 1 and np.load(cached[0]).shape == (40, 40, 16)

    code = main(["hsi-map", str(out["run_id"]), "--scene", "hsi_file"])
    assert code == 1 and "hsi_file" in capsys.readouterr().err

    # --out: the class of every pixel, 1-based as in the ground truth, of the scene's shape; never replaced.
    target = tmp_path / "classes.npy"
    assert main(["hsi-map", str(out["run_id"]), "--out", str(target), "--json"]) == 0
    assert last_json(capsys)["out"] == str(target)
    classes = np.load(target, allow_pickle=False)
    probs = np.load(cached[0])
    assert classes.shape == (40, 40) and np.issubdtype(classes.dtype, np.integer)
    np.testing.assert_array_equal(classes, probs.argmax(-1) + 1)
    assert classes.min() >= 1 and classes.max() <= 16
    before = target.read_bytes()
    assert main(["hsi-map", str(out["run_id"]), "--out", str(target)]) == 2
    assert "never replaced" in capsys.readouterr().err and target.read_bytes() == before
    assert main(["hsi-map", str(out["run_id"]), "--out", str(tmp_path / "classes.txt")]) == 2
    assert ".npy" in capsys.readouterr().err


def test_train_ratio_is_refused_for_other_tasks_and_bad_values(capsys):
    assert main(["train", "--task", "classify", "--train-ratio", "0.1"]) == 2
    assert "--task hsi" in capsys.readouterr().err
    # Refused before a run is recorded (a bad value is bad input, exit 2, not a failed run).
    assert main(["train", "--task", "hsi", "--train-ratio", "0", "--epochs", "1", *TINY, "--json"]) == 2
    assert "train_ratio" in capsys.readouterr().err
    with RunStore() as store:
        assert store.list_runs() == []


def test_svm_baseline_records_a_run_with_a_map(capsys):
    code = main(["hsi-svm", "--set", "data.crop=0:60,0:60", "--train-ratio", "0.3", "--json"])
    out = last_json(capsys)
    assert code == 0 and 0.5 < out["metrics"]["overall_accuracy"] <= 1
    with RunStore() as store:
        run = store.get_run(out["run_id"])
    assert run.model == "svm" and run.status == "finished" and run.summary["per_class_accuracy"]
    from workbench.labs.hsi.maps import cached_map

    assert cached_map(run.id, None).shape == (60, 60, 16)


def test_download_offline_names_url_and_folder(capsys, tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert main(["hsi-download", "salinas", "--folder", str(tmp_path / "sal")]) == 1
    err = capsys.readouterr().err
    assert "Salinas_corrected.mat" in err and str(tmp_path / "sal") in err


def test_study_preset_compares_the_two_orders():
    from workbench.studies import PRESETS, plan_preset

    preset = PRESETS.get("hybridsn-order")
    planned = plan_preset(preset, seeds=1, study_id="s")
    assert [p.config.model for p in planned] == ["hybridsn", "hybridsn_2d3d"]
    assert all(p.config.task == "hsi" for p in planned)


def test_task_meta_mirrors_the_engine():
    from engines.core.tasks import get_task
    from workbench.tasks_meta import PRIMARY_METRICS

    assert PRIMARY_METRICS["hsi"] == (get_task("hsi").primary_metric, True)
