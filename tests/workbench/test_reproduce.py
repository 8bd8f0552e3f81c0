"""``workbench reproduce``: every row carries ours / published / difference, or says why it was not measured."""
from __future__ import annotations

import json

import pytest
import torch

from workbench import paths, pretrained, reproduce
from workbench.store import RunStore


@pytest.fixture
def tiny_weights(tmp_path, monkeypatch):
    """A weights folder with one tiny digits classifier and one tiny DnCNN-S (σ = 25), shipped from fake runs."""
    from engines.core.checkpoint import save_checkpoint
    from engines.models import build_model

    monkeypatch.setenv(paths.ENV_WEIGHTS, str(tmp_path / "weights"))
    torch.manual_seed(0)
    runs = []
    with RunStore() as store:
        for task, model_name, spec_options, config in (
            ("classify", "small_cnn", {"num_classes": 10, "width": 4},
             {"task": "classify", "model": "small_cnn", "data": "digits", "seed": 1,
              "model_options": {"width": 4}, "data_options": {"size": 16}}),
            ("denoise", "dncnn", {"depth": 3, "features": 4},
             {"task": "denoise", "model": "dncnn", "data": "image_folder", "seed": 0, "sigma": 25.0,
              "blind": False, "model_options": {"depth": 3, "features": 4}, "data_options": {}}),
        ):
            model = build_model(model_name, **spec_options)
            run_id = store.create_run(task=task, model=model_name, dataset="digits" if task == "classify"
                                      else "train400", config=config, seed=config["seed"])
            checkpoint = paths.checkpoint_dir(run_id) / "last.pt"
            save_checkpoint({"config": config, "model_spec": {"name": model_name, "options": spec_options},
                             "model": model.state_dict(), "epoch": 1}, checkpoint)
            store.update_run(run_id, checkpoint=str(checkpoint), epoch=1)
            store.set_status(run_id, "finished")
            runs.append(pretrained.ship_run(run_id, name=f"tiny_{task}", command=f"workbench train --task {task}",
                                            store=store))
    return runs


def _images(folder, count=2, size=24):
    import numpy as np
    import skimage.data
    from PIL import Image

    folder.mkdir()
    camera = skimage.data.camera()
    for i in range(count):
        Image.fromarray(np.ascontiguousarray(camera[100 + 40 * i:100 + 40 * i + size, 200:200 + size])).save(
            folder / f"{i:02d}.png")
    return folder


def test_report_rows_carry_ours_published_and_difference(tiny_weights, tmp_path):
    data = reproduce.DataPaths(set12=_images(tmp_path / "set12"), bsd68=None)
    report = reproduce.reproduce(data=data, threads=1)
    rows = {r.name: r for r in report.rows}

    digits = rows["tiny_classify test accuracy"]
    assert digits.status == "measured" and 0.0 <= digits.ours <= 1.0 and digits.published is None
    assert digits.target == "≥ 0.9" and digits.met is (digits.ours >= 0.9)

    set12 = rows["dncnn_s set12 σ=25 (shipped: tiny_denoise)"]
    assert set12.status == "measured" and set12.published == 30.44 and 5.0 < set12.ours < 60.0
    assert set12.difference == pytest.approx(set12.ours - 30.44)
    assert set12.target == "≥ 30" and set12.met is False  # an untrained 3-layer net is far from the target
    bsd68 = rows["dncnn_s bsd68 σ=25 (shipped: tiny_denoise)"]
    assert bsd68.status == "not measured" and "--bsd68 DIR" in bsd68.reason

    # Parameter counts need only the builders: measured everywhere, equal to the published ones.
    params = [r for r in report.rows if r.metric == "params"]
    assert {r.model for r in params} >= {"mobilenet_v1", "mobilenet_v2", "hybridsn", "se_resnet18"}
    assert all(r.met and r.difference == 0 for r in params)

    # Every reference row is in the table; unmeasurable ones say why.
    cifar = [r for r in report.rows if r.dataset == "cifar10" and r.metric == "test_accuracy"]
    assert cifar and all(r.status == "not measured" and "download" in r.reason for r in cifar)
    dncnn_b = [r for r in report.rows if r.model == "dncnn_b"]
    assert dncnn_b and all(r.status == "not measured" and "no shipped DnCNN" in r.reason for r in dncnn_b)
    assert not any(r.model == "dncnn_s" and r.dataset == "set12" and r.setting == "σ=25"
                   and r.status == "not measured" for r in report.rows)  # covered by the shipped row
    assert "| ours | published | difference |" in reproduce.format_table(report, markdown=True)


def test_published_weights_rows_use_the_authors_files(tiny_weights, tmp_path, monkeypatch):
    from engines.models import build_model
    from engines.models.dncnn import fold_batchnorm

    monkeypatch.setenv(paths.ENV_WEIGHTS, str(tmp_path / "empty"))
    folder = tmp_path / "published"
    folder.mkdir()
    model = build_model("dncnn", depth=3, features=4).eval()
    torch.save({k.replace("body.", "model.", 1): v for k, v in fold_batchnorm(model).state_dict().items()},
               folder / "dncnn_25.pth")
    data = reproduce.DataPaths(set12=_images(tmp_path / "set12", count=1), bsd68=None)
    report = reproduce.reproduce(data=data, published_weights=folder, threads=1)
    (row,) = [r for r in report.rows if r.weights == "published: dncnn_25.pth" and r.dataset == "set12"]
    assert row.status == "measured" and row.published == 30.44 and row.difference == pytest.approx(row.ours - 30.44)
    assert row.met is None  # targets judge our shipped weights, not the authors'
    missing = [r for r in report.rows if r.weights == "published: GD_Gray_Blind.mat"]
    assert missing and all("not found" in r.reason for r in missing)


def test_cli_json(tiny_weights, tmp_path, capsys, monkeypatch):
    from workbench.cli import main

    monkeypatch.delenv(reproduce.ENV_SHARED_DATA, raising=False)
    code = main(["reproduce", "--json", "--threads", "1"])
    out = json.loads(capsys.readouterr().out)
    rows = out["rows"]
    assert code == (1 if any(r["met"] is False for r in rows) else 0)  # a missed target fails the command
    assert all({"name", "ours", "published", "difference", "target", "met", "status", "reason"} <= set(r)
               for r in rows)
    assert out["measured"] + out["not_measured"] == len(rows)
    assert main(["reproduce", "--set12", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_hsi_row_scores_every_test_pixel_of_the_runs_own_split(tmp_path, monkeypatch):
    """A shipped hyperspectral model is scored on its seeded split (here a tiny 2-D CNN on a 40×40 crop)."""
    from engines.core.checkpoint import save_checkpoint
    from engines.labs.hsi.task import HsiConfig, build_problem

    monkeypatch.setenv(paths.ENV_WEIGHTS, str(tmp_path / "weights"))
    config = HsiConfig(model="cnn2d", components=4, window=9, train_ratio=0.3, seed=1,
                       data_options={"crop": "0:40,0:40"}).validate()
    problem = build_problem(config)
    with RunStore() as store:
        run_id = store.create_run(task="hsi", model="cnn2d", dataset="indian_pines", config=config.to_dict(), seed=1)
        checkpoint = paths.checkpoint_dir(run_id) / "last.pt"
        save_checkpoint({"config": config.to_dict(), "model_spec": problem.model_spec,
                         "model": problem.model.state_dict(), "epoch": 1}, checkpoint)
        store.update_run(run_id, checkpoint=str(checkpoint), epoch=1)
        store.set_status(run_id, "finished")
        pretrained.ship_run(run_id, name="tiny_hsi", command="workbench train --task hsi", store=store)
    report = reproduce.reproduce(data=reproduce.DataPaths(), threads=1)
    oa, aa, kappa = [r for r in report.rows if r.weights == "shipped: tiny_hsi"]
    assert (oa.metric, aa.metric, kappa.metric) == ("overall_accuracy", "average_accuracy", "kappa")
    assert oa.setting == "train 30 %" and 0.0 <= oa.ours <= 1.0 and oa.seconds > 0
    # The published number and the target belong to HybridSN, not to its 2-D control.
    assert oa.published is None and oa.difference is None and oa.target == "" and oa.met is None
    hybridsn_30 = [r for r in report.rows if r.model == "hybridsn" and r.setting == "train 30 %"]
    assert hybridsn_30 and all(r.status == "not measured" for r in hybridsn_30)


def test_bsd68_is_measured_at_sigma_25_unless_full(tmp_path):
    from engines.models import build_model

    model = build_model("dncnn", depth=3, features=4).eval()
    data = reproduce.DataPaths(set12=_images(tmp_path / "set12", count=1), bsd68=_images(tmp_path / "bsd68", count=1))
    quick = {(r.dataset, r.setting): r for r in reproduce._dncnn_rows("dncnn_b", "shipped: x", model, (15, 25), data)}
    assert quick["bsd68", "σ=15"].status == "not measured" and "--full" in quick["bsd68", "σ=15"].reason
    assert all(quick[k].status == "measured" for k in (("set12", "σ=15"), ("set12", "σ=25"), ("bsd68", "σ=25")))
    assert quick["set12", "σ=25"].target == "within 0.4 of published" and quick["set12", "σ=25"].met is False
    full = reproduce._dncnn_rows("dncnn_b", "shipped: x", model, (15,), data, full=True)
    assert all(r.status == "measured" for r in full)


def test_a_shipped_retrieval_run_is_scored_as_its_training_scored_it(tmp_path, monkeypatch):
    """The shipped DSCMR row is the mAP of the run's own test split, equal to what training reported."""
    from engines.core.tasks import get_task
    from tests.engines.labs.retrieval.test_data import write_dscmr_folder
    from tests.engines.labs.retrieval.test_task import tiny_config

    monkeypatch.setenv(paths.ENV_WEIGHTS, str(tmp_path / "weights"))
    config = tiny_config(write_dscmr_folder(tmp_path / "feats"), epochs=2)
    with RunStore() as store:
        run_id = store.create_run(task="retrieval", model="dscmr", dataset="dscmr_mat", config=config.to_dict(),
                                  seed=config.seed)
        final = list(get_task("retrieval").fit(config, checkpoint_dir=paths.checkpoint_dir(run_id)))[-1]
        assert final.status == "finished"
        store.update_run(run_id, checkpoint=str(paths.checkpoint_dir(run_id) / "last.pt"), epoch=2)
        store.set_status(run_id, "finished")
        pretrained.ship_run(run_id, name="tiny_retrieval", command="workbench train --task retrieval", store=store)
    report = reproduce.reproduce(data=reproduce.DataPaths(), threads=1)
    (row,) = [r for r in report.rows if r.weights == "shipped: tiny_retrieval"]
    assert row.metric == "map_average" and row.setting == "losses j1+j2+j3" and row.status != "not measured"
    assert row.ours == pytest.approx(final.summary["metrics"]["map_average"], abs=1e-4)  # fp16 when shipped
    assert row.published is None and "no published number" in row.source
