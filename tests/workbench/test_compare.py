"""workbench.compare against a real run store: differences, seed groups, statistics, Pareto fronts."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from workbench.compare import (
    config_diff,
    flatten_config,
    group_runs,
    mean_std_curve,
    pareto_front,
    published_values,
    summary_rows,
    value_at_step,
)
from workbench.store import RunStore


def base_config(**changes):
    config = {"task": "classify", "model": "small_cnn", "data": "digits", "epochs": 2, "lr": 0.003, "seed": 0,
              "model_options": {"width": 8, "output": "logits"}, "data_options": {"size": 16}}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            config[outer] = {**config[outer], inner: value}
        else:
            config[key] = value
    return config


def add_run(store, config, *, metrics=None, points=(), params=None, flops=None, status="finished",
            model=None, dataset=None, task=None):
    run_id = store.create_run(task=task or config.get("task", "classify"), model=model or config.get("model"),
                              dataset=dataset or config.get("data"), config=config, seed=config.get("seed"))
    store.claim_run(run_id)
    store.add_metrics(run_id, list(points))
    fields = {"epoch": 2, "params": params, "flops": flops}
    if metrics is not None:
        fields["summary"] = {"metrics": metrics}
    store.update_run(run_id, **fields)
    store.set_status(run_id, status)
    return run_id


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as s:
        yield s


def test_flatten_config_makes_dotted_keys():
    flat = flatten_config({"lr": 0.1, "model_options": {"width": 8, "se": {"ratio": 4}}, "data_options": {}})
    assert flat == {"lr": 0.1, "model_options.width": 8, "model_options.se.ratio": 4}


def test_config_diff_lists_exactly_the_differing_keys(store):
    a = add_run(store, base_config())
    b = add_run(store, base_config(**{"model_options.width": 16}))
    c = add_run(store, base_config(**{"model_options.dropout": 0.2, "epochs": 2.0}))
    runs = [store.get_run(i) for i in (a, b, c)]
    diff = config_diff(runs)
    # epochs 2 and 2.0 are the same setting; a key only one run has is None for the others.
    assert list(diff) == ["model_options.dropout", "model_options.width"]
    assert diff["model_options.width"] == [8, 16, 8]
    assert diff["model_options.dropout"] == [None, None, 0.2]
    assert config_diff(runs[:1]) == {}
    assert config_diff([runs[0], store.get_run(add_run(store, base_config(**{"model_options.width": True})))]) \
        == {"model_options.width": [8, True]}


def test_runs_differing_only_by_seed_form_one_group_with_sample_statistics(store):
    accuracies = [0.81, 0.86, 0.90]
    throughputs = [1000.0, 1100.0, 1300.0]
    seeded = [add_run(store, base_config(seed=seed), params=6418, flops=406144,
                      metrics={"test_accuracy": acc, "best_test_accuracy": acc + 0.01, "throughput": tp,
                               "latency_ms": 0.3 + seed / 10})
              for seed, acc, tp in zip(range(3), accuracies, throughputs)]
    wider = add_run(store, base_config(**{"model_options.width": 16}), params=20000,
                    metrics={"test_accuracy": 0.95, "throughput": 500.0})
    runs = [store.get_run(i) for i in (*seeded, wider)]

    groups = group_runs(runs)
    assert [g.run_ids for g in groups] == [seeded, [wider]]
    assert groups[0].label == "small_cnn · digits · model_options.width=8"
    assert groups[1].label == "small_cnn · digits · model_options.width=16"

    rows = summary_rows(store, groups, "test_accuracy")
    group_row, single_row = rows
    assert group_row["n"] == 3 and group_row["run_ids"] == seeded
    assert group_row["final"] == pytest.approx(np.mean(accuracies))
    assert group_row["final_std"] == pytest.approx(np.std(accuracies, ddof=1))
    assert group_row["final_n"] == 3
    assert group_row["best"] == pytest.approx(np.mean(accuracies) + 0.01)
    assert group_row["throughput"] == pytest.approx(np.mean(throughputs))
    assert group_row["throughput_std"] == pytest.approx(np.std(throughputs, ddof=1))
    assert group_row["latency_ms"] == pytest.approx(np.mean([0.3, 0.4, 0.5]))
    assert group_row["params"] == 6418 and group_row["params_std"] == 0.0
    assert group_row["epochs"] == 2
    assert single_row["label"] == runs[3].title
    assert single_row["final"] == 0.95 and single_row["final_std"] is None and single_row["final_n"] == 1
    assert single_row["latency_ms"] is None and single_row["latency_ms_n"] == 0

    # Ignoring nothing keeps every seed apart.
    assert len(group_runs(runs, ignore=())) == 4


def test_group_statistics_skip_missing_and_nan_values(store):
    ids = [add_run(store, base_config(seed=0), metrics={"test_accuracy": 0.8}),
           add_run(store, base_config(seed=1), metrics={"test_accuracy": float("nan")}),
           add_run(store, base_config(seed=2), metrics={"test_accuracy": 0.9})]
    (row,) = summary_rows(store, group_runs([store.get_run(i) for i in ids]))
    assert row["n"] == 3 and row["final_n"] == 2
    assert row["final"] == pytest.approx(0.85)
    assert row["final_std"] == pytest.approx(np.std([0.8, 0.9], ddof=1))
    assert row["best"] is None and row["best_n"] == 0


def test_group_by_a_config_key(store):
    soft = [add_run(store, base_config(seed=s, **{"model_options.output": "softmax"})) for s in range(2)]
    logits = add_run(store, base_config(**{"model_options.output": "logits", "model_options.width": 16}))
    soft_wide = add_run(store, base_config(**{"model_options.output": "softmax", "model_options.width": 32}))
    runs = [store.get_run(i) for i in (*soft, logits, soft_wide)]
    groups = group_runs(runs, by="model_options.output")
    assert [(g.label, g.run_ids) for g in groups] == [("softmax", [*soft, soft_wide]), ("logits", [logits])]
    assert [row["label"] for row in summary_rows(store, groups)] == ["softmax", "logits"]
    missing = store.get_run(add_run(store, {"task": "classify", "model": "small_cnn", "data": "digits"}))
    assert group_runs([missing], by="model_options.output")[0].label == "–"


def test_summary_falls_back_to_the_recorded_curves(store):
    run_id = add_run(store, base_config(), points=[
        (10, 1.0, "test_accuracy", 0.6, 1.0), (20, 2.0, "test_accuracy", 0.9, 2.0),
        (30, 3.0, "test_accuracy", 0.7, 3.0), (30, 3.0, "throughput", 1234.0, 3.0),
        (10, 1.0, "test_loss", 1.5, 1.0), (20, 2.0, "test_loss", 0.5, 2.0), (30, 3.0, "test_loss", 0.8, 3.0),
    ])
    run = store.get_run(run_id)
    assert run.metrics == {}
    (row,) = summary_rows(store, [run], "test_accuracy")
    assert (row["final"], row["best"], row["throughput"]) == (0.7, 0.9, 1234.0)
    (row,) = summary_rows(store, [run], "test_loss")
    assert (row["final"], row["best"]) == (0.8, 0.5)  # a loss is best when lowest
    points = store.metrics(run_id, "test_accuracy")
    assert [value_at_step(points, s) for s in (0, 9, 10, 25, 30, 99)] == [None, None, 0.6, 0.9, 0.7, 0.7]


def test_pareto_front_hand_made():
    points = [
        (100, 0.80),  # 0: on the front
        (200, 0.90),  # 1: on the front
        (300, 0.85),  # 2: dominated by 1
        (50, 0.70),   # 3: cheapest
        (200, 0.90),  # 4: tie with 1, both stay
        (200, 0.88),  # 5: same cost as 1, worse
        (400, 0.95),  # 6: best quality
        (float("nan"), 0.99),  # 7: no cost, left out
    ]
    assert pareto_front(points) == [3, 0, 1, 4, 6]
    # Lower is better (e.g. a loss): the cheapest point with the lowest loss dominates.
    losses = [(100, 0.5), (200, 0.3), (300, 0.4), (50, 0.9), (50, 0.9), (400, 0.3)]
    assert pareto_front(losses, higher_is_better=False) == [3, 4, 0, 1]
    assert pareto_front([]) == []
    assert pareto_front([(1.0, None)]) == []


def test_mean_std_curve_interpolates_onto_the_overlap():
    a = ([0, 10, 20, 30], [0.0, 1.0, 2.0, 3.0])
    b = ([5, 15, 25], [1.0, 3.0, 5.0])
    x, mean, std = mean_std_curve([a, b])
    assert x.tolist() == [5, 10, 15, 20, 25]
    ya = np.interp(x, a[0], a[1])
    yb = np.interp(x, b[0], b[1])
    np.testing.assert_allclose(mean, (ya + yb) / 2)
    np.testing.assert_allclose(std, np.std([ya, yb], axis=0, ddof=1))

    x, mean, std = mean_std_curve([a, ([], [])])
    assert x.tolist() == a[0] and mean.tolist() == a[1] and not std.any()
    x, mean, std = mean_std_curve([([0, 1, 2], [1.0, math.nan, 3.0])])
    assert x.tolist() == [0, 2] and mean.tolist() == [1.0, 3.0]
    assert all(arr.size == 0 for arr in mean_std_curve([([0, 1], [0, 1]), ([5, 6], [0, 1])]))
    assert all(arr.size == 0 for arr in mean_std_curve([]))
    x, _, _ = mean_std_curve([(np.arange(10_000), np.ones(10_000))], max_points=100)
    assert x.size == 100 and x[0] == 0 and x[-1] == 9_999


def test_published_values_for_the_runs_model_dataset_and_primary_metric(store):
    run = store.get_run(add_run(store, base_config(model="mobilenet_v1", data="cifar10")))
    values = published_values(run)
    assert [(v["metric"], v["value"]) for v in values] == [("test_accuracy", 0.7814)]
    assert published_values(run, "psnr") == []
    assert published_values(store.get_run(add_run(store, base_config()))) == []
    hsi = store.get_run(add_run(store, {"task": "hsi"}, task="hsi", model="hybridsn", dataset="indian_pines"))
    # hsi's primary metric is overall_accuracy (workbench.tasks_meta), so it is the default here.
    assert sorted(v["value"] for v in published_values(hsi)) == [0.974, 0.9839, 0.9975]
    assert sorted(v["value"] for v in published_values(hsi, "overall_accuracy")) == [0.974, 0.9839, 0.9975]


@pytest.mark.slow
def test_compare_core_never_imports_qt_or_torch():
    code = ("import sys, workbench.compare;"
            "assert 'PySide6' not in sys.modules, 'PySide6 imported';"
            "assert 'pyqtgraph' not in sys.modules, 'pyqtgraph imported';"
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_runs_on_data_the_paper_did_not_use_get_the_papers_ablation_row_for_their_losses():
    from workbench.compare import published_values
    from workbench.reference import reference_results
    from workbench.store import Run

    def run(losses, dataset="indian_pines_views"):
        return Run(id=1, name="", task="retrieval", model="dscmr", dataset=dataset, config={"losses": losses},
                   status="finished", seed=0, device="cpu", world_size=1, created_at=0.0, started_at=0.0,
                   finished_at=0.0, app_version="", params=None, flops=None, epoch=1, step=1)

    without_j2 = published_values(run("j1+j3"), "map_average")
    assert without_j2 and all(e.get("losses") == "j1+j3" for e in without_j2)
    expected = {e["dataset"] for e in reference_results() if e.get("losses") == "j1+j3"}
    assert {e["dataset"] for e in without_j2} == expected
    full = published_values(run("j1+j2+j3"), "map_average")
    assert {e["dataset"] for e in full} == expected and all("losses" not in e for e in full)
    # On the paper's own data the exact row is used, not the ablation fallback.
    exact = published_values(run("j1+j3", dataset="wikipedia"), "map_average")
    assert [e["dataset"] for e in exact] == ["wikipedia"]
