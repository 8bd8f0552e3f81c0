"""The compare view, driven through pytest-qt against a real run store (and real tiny trainings)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from tests.helpers import tiny_config
from workbench.compare import training_seconds
from workbench.store import RunStore


@pytest.fixture
def store():
    with RunStore() as s:
        yield s


@pytest.fixture
def view(qtbot, store):
    from workbench.ui.shell.compare_view import CompareView

    widget = CompareView(store)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    return widget


def train(store, **overrides) -> int:
    from workbench.runner import TrainingSession, create_run

    config = tiny_config(**overrides)
    run_id = create_run(store, config)
    outcome = TrainingSession(config, store=store, run_id=run_id).run()
    assert outcome.status == "finished", outcome.message
    return run_id


def synthetic_run(store, *, seed=0, width=8, model="small_cnn", dataset="digits", task="classify",
                  summary=None, curve=(), params=None, flops=None) -> int:
    """A finished run with ``curve`` = [(step, epoch, value), …] recorded as test_accuracy."""
    config = {"task": task, "model": model, "data": dataset, "epochs": 2, "seed": seed,
              "model_options": {"width": width}}
    run_id = store.create_run(task=task, model=model, dataset=dataset, config=config, seed=seed)
    store.claim_run(run_id)
    store.add_metrics(run_id, [(step, epoch, "test_accuracy", value, 1000.0 + step) for step, epoch, value in curve])
    store.add_metrics(run_id, [(step, epoch, "loss", 2.0 / step, 1000.0 + step) for step, epoch, _ in curve])
    store.update_run(run_id, summary={"metrics": summary or {}}, params=params, flops=flops, epoch=2,
                     started_at=1000.0)
    store.set_status(run_id, "finished")
    return run_id


def curve_item(view, name):
    (item,) = [i for i in view.curves.getPlotItem().listDataItems() if i.name() == name]
    return item


def test_two_trained_runs_table_diff_curves_and_cursor(view, store):
    narrow = train(store, epochs=2, model_options={"width": 8})
    wide = train(store, epochs=2, model_options={"width": 12})
    view.set_runs([narrow, wide])

    assert view.metric_combo.currentData() == "test_accuracy"
    names = [view.metric_combo.itemData(i) for i in range(view.metric_combo.count())]
    assert names == sorted(set(store.metric_names(narrow)) | set(store.metric_names(wide)))
    assert view.diff_keys() == ["model_options.width"]
    assert view.diff_table.rowCount() == 1 and view.diff_table.columnCount() == 2
    assert [view.diff_table.item(0, c).text() for c in range(2)] == ["8", "12"]

    rows = view.table_values()
    assert [r["kind"] for r in rows] == ["run", "run"]  # no published numbers for small_cnn on digits
    for row, run_id in zip(rows, (narrow, wide)):
        run = store.get_run(run_id)
        metrics = run.summary["metrics"]
        assert row["run_ids"] == [run_id] and row["label"] == run.title
        assert row["final"] == metrics["test_accuracy"]
        assert row["best"] == metrics["best_test_accuracy"]
        assert row["params"] == run.params and row["flops"] == run.flops
        assert row["throughput"] == metrics["throughput"] == store.metrics(run_id, "throughput")[-1].value
        assert row["latency_ms"] == metrics["latency_ms"]
        # Training time from the recorded steps: within the wall clock, which also counts the finishing work.
        assert row["seconds"] == pytest.approx(training_seconds(store.metrics(run_id)))
        assert 0 < row["seconds"] <= run.seconds
        assert row["epochs"] == run.epoch == 2
    assert rows[1]["params"] > rows[0]["params"]
    assert view.table.item(0, 1).text() == f"{rows[0]['final']:.4f}"
    assert view.table.item(1, 3).text() == f"{store.get_run(wide).params:,}"

    # One curve per run, drawn from the recorded points, against steps then epochs.
    points = store.metrics(narrow, "test_accuracy")
    item = curve_item(view, store.get_run(narrow).title)
    xs, ys = item.getData()
    assert xs.tolist() == [p.step for p in points] and ys.tolist() == [p.value for p in points]
    view.set_x_axis("epoch")
    assert curve_item(view, store.get_run(narrow).title).getData()[0].tolist() == [1.0, 2.0]
    view.set_x_axis("step")

    # The cursor reads the last point at or before the step.
    first_epoch_step = points[0].step
    view.set_cursor(first_epoch_step + 1)
    assert view.cursor_line.isVisible() and view.cursor_line.value() == first_epoch_step + 1
    assert view.cursor_values() == {narrow: points[0].value,
                                    wide: store.metrics(wide, "test_accuracy")[0].value}
    assert view.cursor_table.rowCount() == 2
    assert view.cursor_table.item(0, 1).text() == f"{points[0].value:.4f}"
    view.set_metric("loss")
    losses = store.metrics(wide, "loss")
    assert view.cursor_values()[wide] == [p.value for p in losses if p.step <= first_epoch_step + 1][-1]
    assert view.table_values()[0]["final"] == store.metrics(narrow, "loss")[-1].value

    # The scatter: the wider model costs more; whichever is better, the cheaper one is on the front.
    assert view.pareto_run_ids()[0] == narrow


def test_runs_differing_only_by_seed_are_one_row_with_mean_and_std(view, store):
    finals = [0.80, 0.84, 0.91]
    ids = [synthetic_run(store, seed=seed, params=6418, flops=406144,
                         summary={"test_accuracy": acc, "best_test_accuracy": acc, "throughput": 1000.0 + seed},
                         curve=[(10, 1.0, acc - 0.2), (20, 2.0, acc)])
           for seed, acc in enumerate(finals)]
    other = synthetic_run(store, width=16, summary={"test_accuracy": 0.95}, curve=[(10, 1.0, 0.9)])
    view.set_runs([*ids, other])

    rows = view.table_values()
    assert len(rows) == 2
    group = rows[0]
    assert group["kind"] == "group" and group["run_ids"] == ids and group["n"] == 3
    assert group["final"] == pytest.approx(np.mean(finals))
    assert group["final_std"] == pytest.approx(np.std(finals, ddof=1))
    assert group["throughput"] == pytest.approx(1001.0) and group["throughput_std"] == pytest.approx(1.0)
    text = view.table.item(0, 1).text()
    assert text == f"{np.mean(finals):.4f} ± {np.std(finals, ddof=1):.4f} (n=3)"
    assert view.table.item(1, 1).text() == "0.9500"
    assert view.diff_keys() == ["model_options.width", "seed"]

    # The group draws its mean line and a ±std band.
    label = view.groups()[0].label
    mean_line = curve_item(view, f"{label} (n=3)")
    xs, ys = mean_line.getData()
    assert xs.tolist() == [10, 20]
    np.testing.assert_allclose(ys, [np.mean(finals) - 0.2, np.mean(finals)])
    fills = [i for i in view.curves.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]
    assert len(fills) == 1

    # Grouping by a key instead: one row per width value.
    view.set_runs([*ids, other], group_by="model_options.width")
    assert [g.label for g in view.groups()] == ["8", "16"]
    assert [(r["label"], r["n"]) for r in view.table_values()] == [("8", 3), ("16", 1)]
    # Refreshing recreates the plot items instead of piling them up.
    view.refresh()
    fills = [i for i in view.curves.getPlotItem().items if isinstance(i, pg.FillBetweenItem)]
    assert len(fills) == 1 and len(view.curves.getPlotItem().listDataItems()) == 3 + 1


def test_scatter_pareto_front_follows_the_cost_axis(view, store):
    # (params, flops, latency, accuracy)
    specs = {"a": (1000, 100, 0.4, 0.80), "b": (2000, 50, 0.3, 0.90), "c": (3000, 300, 0.2, 0.85),
             "d": (500, 400, 0.5, 0.70)}
    ids = {key: synthetic_run(store, width=i + 1, params=p, flops=f,
                              summary={"test_accuracy": acc, "latency_ms": lat})
           for i, (key, (p, f, lat, acc)) in enumerate(specs.items())}
    view.set_runs(list(ids.values()))

    assert view.scatter_x_combo.currentData() == "params"
    assert view.scatter.getPlotItem().ctrl.logXCheck.isChecked()
    assert view.pareto_run_ids() == [ids["d"], ids["a"], ids["b"]]
    xs, ys = view.pareto_line.getData()
    assert len(xs) == 2 * 3 - 1  # a staircase through three points
    view.set_scatter_x("flops")
    assert view.pareto_run_ids() == [ids["b"]]
    view.set_scatter_x("latency_ms")
    assert not view.scatter.getPlotItem().ctrl.logXCheck.isChecked()
    assert view.pareto_run_ids() == [ids["c"], ids["b"]]


def test_cursor_values_and_line(view, store):
    first = synthetic_run(store, seed=0, width=8, curve=[(10, 1.0, 0.5), (20, 2.0, 0.7)])
    second = synthetic_run(store, seed=0, width=16, curve=[(12, 1.0, 0.6), (24, 2.0, 0.8)])
    view.set_runs([first, second])
    assert view.cursor_values() == {} and view.cursor_table.rowCount() == 0
    assert not view.cursor_line.isVisible()

    view.set_cursor(15)
    assert view.cursor_values() == {first: 0.5, second: 0.6}
    assert [view.cursor_table.item(r, 1).text() for r in range(2)] == ["0.5000", "0.6000"]
    view.set_cursor(5)
    assert view.cursor_values() == {first: None, second: None}
    assert view.cursor_table.item(0, 1).text() == "–"
    view.set_cursor(100)
    assert view.cursor_values() == {first: 0.7, second: 0.8}
    view.set_x_axis("epoch")
    assert not view.cursor_line.isVisible()  # the cursor is a step; hidden against epochs
    view.set_x_axis("step")
    assert view.cursor_line.isVisible()

    # Dragging the line reports the new step to linked views.
    moved = []
    view.cursorMoved.connect(moved.append)
    view.cursor_line.setValue(21.4)
    view.cursor_line.sigPositionChangeFinished.emit(view.cursor_line)
    assert moved == [21] and view.cursor_values() == {first: 0.7, second: 0.6}


def test_published_reference_line_and_row(view, store):
    run_id = synthetic_run(store, model="mobilenet_v1", dataset="cifar10", summary={"test_accuracy": 0.75},
                           curve=[(100, 1.0, 0.6), (200, 2.0, 0.75)])
    view.set_runs([run_id])
    published = [r for r in view.table_values() if r["kind"] == "published"]
    assert len(published) == 1
    assert published[0]["final"] == 0.7814 and published[0]["params"] == 2142026
    assert view.table.item(1, 0).text().startswith("published")

    def visible_published_lines():
        return [i for i in view.curves.getPlotItem().items
                if isinstance(i, pg.InfiniteLine) and i.angle == 0 and i.isVisible()]

    (line,) = visible_published_lines()
    assert line.value() == 0.7814 and "published" in line.label.toPlainText()
    view.set_metric("loss")
    assert visible_published_lines() == []
    assert [r["kind"] for r in view.table_values()] == ["run"]


def test_bad_data_shows_dashes_instead_of_raising(view, store):
    empty = store.create_run(task="classify", model="small_cnn", dataset="digits", config={"epochs": 2})
    nan = synthetic_run(store, summary={"test_accuracy": float("nan"), "latency_ms": float("inf")},
                        curve=[(10, 1.0, 0.5)])
    other_task = store.create_run(task="denoise", model="dncnn_s", dataset="set12", config={"sigma": 25})
    store.add_metrics(other_task, [(5, 1.0, "psnr", 28.0, 1.0)])

    view.set_runs([empty])  # a run with no metric points at all
    assert view.metric_combo.count() == 0
    (row,) = view.table_values()
    assert row["final"] is None and row["seconds"] is None
    assert view.table.item(0, 1).text() == "–"
    view.set_cursor(3)
    assert view.cursor_values() == {empty: None}
    assert view.pareto_run_ids() == []

    view.set_runs([empty, nan, other_task, 99_999])  # 99999 does not exist
    assert [r.id for r in view.runs()] == [empty, nan, other_task]
    rows = view.table_values()
    # A reported NaN stays missing; an absent best falls back to the recorded curve.
    assert rows[1]["final"] is None and rows[1]["final_n"] == 0 and rows[1]["latency_ms"] is None
    assert rows[1]["best"] == 0.5
    assert view.table.item(1, 6).text() == "–"
    view.set_metric("psnr")
    assert view.table_values()[2]["final"] == 28.0
    view.set_cursor(5)
    assert view.cursor_values() == {empty: None, nan: None, other_task: 28.0}
    assert "different tasks" in view.notes.text()
    view.set_runs([])
    assert view.table.rowCount() == 0 and view.diff_keys() == [] and view.cursor_values() == {}



def test_widgets_carry_their_object_names(view):
    from PySide6.QtWidgets import QComboBox, QTableWidget

    assert view.findChild(QComboBox, "compareMetric") is view.metric_combo
    assert view.findChild(pg.PlotWidget, "compareCurves") is view.curves
    assert view.findChild(pg.PlotWidget, "compareScatter") is view.scatter
    for name in ("compareTable", "configDiffTable", "cursorTable"):
        assert view.findChild(QTableWidget, name) is not None
    assert view.curves.getPlotItem().listDataItems() == []  # nothing drawn before runs are chosen


def test_verdict_tab_says_whether_the_groups_differ_with_the_statistics(view, store):
    from workbench.verdicts import verdict_for_groups

    clear = {8: [0.94, 0.95, 0.93], 16: [0.68, 0.69, 0.67]}  # width 16 clearly worse here
    ids = [synthetic_run(store, seed=seed, width=width, summary={"test_accuracy": value},
                         curve=[(10, 1.0, value)])
           for width, values in clear.items() for seed, value in enumerate(values)]
    view.set_runs(ids, group_by="model_options.width")
    assert view.verdict is not None
    (metric,) = view.verdict.metrics
    (comparison,) = metric.comparisons
    expected = verdict_for_groups(store, view.groups(), metrics=["test_accuracy"])
    assert comparison.sentence == expected.metrics[0].comparisons[0].sentence
    assert comparison.stats.kind == "clear" and comparison.stats.difference == pytest.approx(-0.26)
    text = view.verdict_view.toPlainText()
    assert comparison.sentence in text and "−26.0" in text and "Welch p" in text
    # One group: the tab says what a verdict needs instead.
    view.set_runs(ids[:3], group_by="model_options.width")
    assert view.verdict is None and "two or more configurations" in view.verdict_view.toPlainText()
