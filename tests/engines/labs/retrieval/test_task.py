"""The retrieval task end to end on tiny paired features: events, per-term curves, mAP, analysis, the study."""
from __future__ import annotations

import numpy as np
import pytest

from engines.core.events import EpochDone, Finished
from tests.engines.labs.retrieval.test_data import write_dscmr_folder

TINY_MODEL = {"hidden": 32, "common": 16}


def tiny_config(folder, **overrides):
    from engines.core.tasks import make_config

    values = dict(model="dscmr", data="dscmr_mat", data_options={"path": str(folder)}, model_options=TINY_MODEL,
                  epochs=4, batch_size=20, lr=3e-3, threads=1)
    values.update(overrides)
    return make_config("retrieval", **values)


@pytest.fixture
def folder(tmp_path):
    return write_dscmr_folder(tmp_path / "feats")


def test_training_logs_each_loss_term_and_map_both_ways(folder, tmp_path):
    from engines.core.tasks import get_task
    from engines.labs.retrieval.metrics import mean_average_precision
    from engines.labs.retrieval.task import analyse

    config = tiny_config(folder)
    events = list(get_task("retrieval").fit(config, checkpoint_dir=tmp_path / "ckpt"))
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert len(epochs) == 4
    for event in epochs:
        assert {"j1_loss", "j2_loss", "j3_loss", "map_a2b", "map_b2a", "map_average"} <= set(event.metrics)
    assert epochs[-1].metrics["j1_loss"] < epochs[0].metrics["j1_loss"]
    final = events[-1]
    assert isinstance(final, Finished) and final.status == "finished"
    metrics = final.summary["metrics"]
    assert metrics["map_chance"] == pytest.approx(0.25)  # 4 balanced classes
    assert metrics["map_a2b"] > 0.6 and metrics["map_b2a"] > 0.6
    assert set(final.summary["retrieval"]["precision_at_k"]["a2b"]) == {"1", "5", "10"}  # 50 > the 32 items

    # The lab's analysis rebuilds the same test split and reproduces the run's numbers from its checkpoint.
    analysis = analyse(config, str(tmp_path / "ckpt" / "last.pt"))
    u, v = analysis.after
    labels = analysis.pair.test_labels
    assert analysis.scores["map_a2b"] == pytest.approx(metrics["map_a2b"])
    assert mean_average_precision(v, u, labels, labels) == pytest.approx(metrics["map_b2a"])
    assert analysis.scores_before["map_average"] < analysis.scores["map_average"]
    order, sims, same = analysis.ranking(0, 3)
    assert np.all(np.diff(sims) <= 0) and len(order) == len(labels)
    assert same.tolist() == (labels[order] == labels[3]).tolist()


def test_before_training_embedding_is_the_runs_initial_weights(folder, tmp_path):
    from engines.core.control import RunControl
    from engines.core.tasks import get_task
    from engines.labs.retrieval.task import analyse, common_space_2d

    config = tiny_config(folder, seed=3)
    control = RunControl()
    control.request_stop()  # stops before the first batch, with a checkpoint of the initial weights
    final = list(get_task("retrieval").fit(config, control=control, checkpoint_dir=tmp_path / "c"))[-1]
    assert final.status == "stopped" and final.step == 0
    analysis = analyse(config, str(tmp_path / "c" / "last.pt"))
    for before, after in zip(analysis.before, analysis.after):
        np.testing.assert_array_equal(before, after)
    projection = common_space_2d(analysis, max_points=10)
    assert projection["before"].shape == (20, 2) and projection["after"].shape == (20, 2)
    assert len(projection["labels"]) == 10


def test_bad_dataset_fails_the_run_with_a_clear_message(folder):
    from engines.core.events import Failed
    from engines.core.tasks import get_task

    (folder / "test_img_lab.mat").unlink()
    final = list(get_task("retrieval").fit(tiny_config(folder)))[-1]
    assert isinstance(final, Failed) and "test_img_lab.mat is missing" in final.reason
    final = list(get_task("retrieval").fit(tiny_config(folder, data="digits")))[-1]
    assert isinstance(final, Failed) and "dataset 'digits' is not a retrieval dataset" in final.reason
    assert "indian_pines_views" in final.reason  # the valid choices


def test_j2_study_preset_runs_every_variant_and_compare_groups_them(folder):
    from workbench.compare import group_runs, summary_rows
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore
    from workbench.studies import PRESETS, plan_preset

    preset = PRESETS.get("dscmr-j2")
    assert preset.task == "retrieval" and preset.base["data"] == "indian_pines_views" and preset.seeds == 3
    # The preset's own five variants; the data and the cost are shrunk for the test.
    planned = plan_preset(preset, seeds=1, study_id="s", overrides={
        "data": "dscmr_mat", "data_options": {"path": str(folder)}, "model_options": TINY_MODEL, "epochs": 2,
        "batch_size": 20, "lr": 3e-3, "threads": 1})
    assert [p.config.losses for p in planned] == ["j1+j2+j3", "j2+j3", "j1+j3", "j1+j2", "j1"]
    with RunStore() as store:
        ids = []
        for p in planned:
            run_id = create_run(store, p.config, name=p.name, tags=p.tags)
            assert TrainingSession(p.config, store=store, run_id=run_id).run().status == "finished"
            ids.append(run_id)
        groups = group_runs([store.get_run(i) for i in ids], by=preset.factor)
        assert [g.label for g in groups] == list(preset.values)
        rows = summary_rows(store, groups)
        assert all(0.0 < row["final"] <= 1.0 for row in rows)
        assert all("j2_loss" in store.metric_names(i) for i in ids)
