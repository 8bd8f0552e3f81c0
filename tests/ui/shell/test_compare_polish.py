"""How the compare view and the run curves read: ticks and labels that do not overprint, legends off the data,
one colour per run, training time without pauses, default values in the diff, and runs known only by their
final values (imported weights) drawn instead of blank plots."""
from __future__ import annotations

import html
import inspect
import itertools
import math
import threading

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

from tests.helpers import tiny_config
from workbench.compare import SUMMARY_COLUMNS, run_summary, training_seconds
from workbench.store import RunStore


@pytest.fixture
def store():
    with RunStore() as s:
        yield s


def make_view(qtbot, store, size=(1100, 700)):
    from workbench.ui.shell.compare_view import CompareView

    widget = CompareView(store)
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def view(qtbot, store):
    return make_view(qtbot, store)


def settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(20)


def synthetic_run(store, *, width=8, seed=0, model="small_cnn", summary=None, curve=(), params=None, flops=None,
                  config_extra=None, epoch=2, step=0, started=1000.0, finished=None, tags=()) -> int:
    """A finished run; ``curve`` = [(step, epoch, value), …] recorded as test_accuracy and loss."""
    config = {"task": "classify", "model": model, "data": "digits", "epochs": 2, "seed": seed,
              "model_options": {"width": width}, **(config_extra or {})}
    run_id = store.create_run(task="classify", model=model, dataset="digits", config=config, seed=seed, tags=tags)
    store.claim_run(run_id)
    store.add_metrics(run_id, [(s, e, "test_accuracy", v, started + s) for s, e, v in curve])
    store.add_metrics(run_id, [(s, e, "loss", 2.0 / s, started + s) for s, e, _ in curve])
    store.update_run(run_id, summary={"metrics": summary or {}}, params=params, flops=flops, epoch=epoch,
                     step=step, started_at=started)
    store.set_status(run_id, "finished")
    if finished is not None:
        store.update_run(run_id, finished_at=finished)
    return run_id


def tick_texts(axis: pg.AxisItem) -> list[tuple[QRect, str]]:
    """The tick labels the axis draws at its current size: (rect, text)."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        painter.setFont(axis.style["tickFont"] or QApplication.font())
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in specs[2]]


def assert_disjoint(rects):
    for (a_key, a), (b_key, b) in itertools.combinations(rects, 2):
        assert not a.intersects(b), f"{a_key} {a} overlaps {b_key} {b}"


# -- the cost axis and the point labels ------------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    [50_000, 55_000, 60_000, 64_000, 70_000, 72_000],   # under a decade: pyqtgraph labels each minor tick 5·10⁴
    [900, 12_000, 150_000, 2_300_000],                  # several decades
])
def test_cost_axis_labels_fit_the_axis_and_do_not_overlap(qtbot, store, params):
    ids = [synthetic_run(store, width=i + 1, params=p, summary={"test_accuracy": 0.8 + 0.02 * i})
           for i, p in enumerate(params)]
    view = make_view(qtbot, store, size=(900, 600))  # the scatter gets about a third of a laptop screen
    view.set_runs(ids)
    settle(qtbot)
    axis = view.scatter.getPlotItem().getAxis("bottom")
    assert axis.logMode
    texts = tick_texts(axis)
    assert len(texts) >= 2, texts
    assert_disjoint([(text, rect) for rect, text in texts])
    assert not any("10" in text and "·" in text for _, text in texts)  # no "5·10⁴"
    # The labels name the values they stand at: parse "50k" / "1.2M" back and compare with the tick position.
    for rect, text in texts:
        scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(text[-1], 1.0)
        value = float(text.rstrip("kMG")) * scale
        x = view.scatter.getPlotItem().vb.mapViewToScene(QPointF(math.log10(value), 0)).x()
        axis_x = axis.mapToScene(rect.center()).x()
        assert abs(x - axis_x) < 2, (text, x, axis_x)


def test_point_labels_of_clustered_runs_do_not_overlap(qtbot, store):
    # Six runs within 1 % of each other in cost and quality: their points nearly coincide.
    ids = [synthetic_run(store, width=i + 1, params=10_000 + 15 * i, summary={"test_accuracy": 0.900 + 0.0004 * i})
           for i in range(6)]
    view = make_view(qtbot, store)
    view.set_runs(ids)
    for size in ((1100, 700), (800, 560)):
        view.resize(*size)
        settle(qtbot)
        rects = view.point_label_rects()
        assert sorted(rects) == sorted(ids)
        assert_disjoint(list(rects.items()))
        centres = view.point_scene_positions()
        for run_id, rect in rects.items():
            assert view.point_labels()[run_id].toPlainText() == f"#{run_id}"
            assert not any(rect.contains(c) for c in centres.values()), run_id  # no label hides a point
            # and each stays near its own point
            centre = centres[run_id]
            assert abs(rect.center().x() - centre.x()) < 4 * rect.width()
            assert abs(rect.center().y() - centre.y()) < 8 * rect.height()


# -- legends --------------------------------------------------------------------------------------------------
def test_compare_legend_is_outside_the_curves(view, store):
    # Curves that start high at the left: where an in-plot legend at the top left would sit.
    ids = [synthetic_run(store, width=w, curve=[(1, 0.1, 0.99), (50, 1.0, 0.5), (100, 2.0, 0.2)]) for w in (8, 12)]
    view.set_runs(ids)
    QApplication.processEvents()
    plot = view.curves.getPlotItem()
    assert plot.legend is None  # nothing drawn on the data
    vb = plot.vb
    legend_rect = QRect(view.legend.mapToGlobal(QPoint(0, 0)), view.legend.size())
    assert view.legend.isVisible() and legend_rect.height() > 0
    points = []
    for item in plot.listDataItems():
        xs, ys = item.getData()
        for x, y in zip(xs, ys):
            scene = vb.mapViewToScene(QPointF(x, y))
            points.append(view.curves.mapToGlobal(view.curves.mapFromScene(scene)))
    # The first point is at the top left corner of the data, under where pyqtgraph's legend was.
    (x_low, _), (_, y_high) = vb.viewRange()
    top_left = vb.mapViewToScene(QPointF(x_low, y_high))
    first = vb.mapViewToScene(QPointF(1, 0.99))
    assert abs(first.x() - top_left.x()) < 60 and abs(first.y() - top_left.y()) < 60
    assert points and not any(legend_rect.contains(p) for p in points)
    # It names every row in its colour.
    for run_id in ids:
        run = store.get_run(run_id)
        assert run.title in html.unescape(view.legend.text()).replace("\xa0", " ")
        assert view._colours[run_id].name() in view.legend.text()


def test_run_curves_legend_is_above_the_plots(qtbot, store):
    from workbench.ui.shell.curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(700, 500)
    curves.show()
    curves.add_points(4, "loss", [(s, s / 10, 1000.0 + s, 2.0 - s / 100) for s in range(1, 60)])
    curves.add_points(4, "test_accuracy", [(30, 1.0, 1030.0, 0.6), (59, 2.0, 1059.0, 0.9)])
    curves.redraw(force=True)
    QApplication.processEvents()
    assert curves.loss_plot.getPlotItem().legend is None and curves.metric_plot.getPlotItem().legend is None
    legend = QRect(curves.legend.mapToGlobal(QPoint(0, 0)), curves.legend.size())
    for plot in (curves.loss_plot, curves.metric_plot):
        vb = plot.getPlotItem().vb
        data = vb.sceneBoundingRect()
        top_left = plot.mapToGlobal(plot.mapFromScene(data.topLeft()))
        assert legend.bottom() < top_left.y()  # the whole legend is above the data area
    assert "#4" in curves.legend.text()
    # The metric plot fitting its points (from step 30 on) does not crop the loss plot to them.
    qtbot.wait(250)  # the plots' x ranges are synchronised after 100 ms
    assert curves.loss_plot.getPlotItem().vb.viewRange()[0][0] < 5


# -- colours --------------------------------------------------------------------------------------------------
def test_a_run_keeps_its_colour_whatever_else_is_shown(qtbot, store):
    from workbench.ui.shell.curves import LiveCurves, run_colours

    a, b, c = (synthetic_run(store, width=w, params=1000 * w, summary={"test_accuracy": 0.5 + w / 100},
                             curve=[(10, 1.0, 0.4), (20, 2.0, 0.5 + w / 100)]) for w in (8, 12, 16))
    view = make_view(qtbot, store)

    def colours_of(run_id):
        """Its curve, its scatter point, its table swatch and its diff header, as colour names."""
        title = store.get_run(run_id).title
        (line,) = [i for i in view.curves.getPlotItem().listDataItems() if i.name() == title]
        centre = view.point_scene_positions()[run_id]
        vb = view.scatter.getPlotItem().vb
        shown = sorted(view.scatter_points.scatter.points(),
                       key=lambda p: (vb.mapViewToScene(p.pos()) - centre).manhattanLength())
        row = [r for r in range(view.table.rowCount()) if view.table.item(r, 0).text() == title][0]
        column = [col for col in range(view.diff_table.columnCount())
                  if view.diff_table.horizontalHeaderItem(col).text() == f"#{run_id}"][0]
        return {line.opts["pen"].color().name(), shown[0].brush().color().name(),
                QColor(view.table.item(row, 0).data(0x1)).name(),
                QColor(view.diff_table.horizontalHeaderItem(column).data(0x1)).name()}

    view.set_runs([a, b])
    first = colours_of(b)
    view.set_runs([c, b, a])  # b moves to another row, with another neighbour before it
    view.table.selectRow(1)
    assert colours_of(b) == first and len(first) == 1
    assert colours_of(a) != first and colours_of(c) != first

    # The Training tab's curves use the same colour for it.
    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.add_run(c, "c")
    curves.add_run(b, "b")
    assert {pg.mkColor(curves.runs[b].colour).name()} == first

    # Two runs whose ids share a palette entry still differ.
    assert len(set(run_colours([3, 13]).values())) == 2
    assert run_colours([3, 13])[3] == run_colours([3])[3]


# -- training time --------------------------------------------------------------------------------------------
def test_training_seconds_leave_out_a_pause(view, store):
    # 20 s of steps (0.1 s each, two epochs), 0.5 s of evaluation after each, a 50 s pause inside the second
    # epoch, then 2 s of finishing work: a wall clock of 73 s.
    started = 1000.0
    run_id = store.create_run(task="classify", model="small_cnn", dataset="digits",
                              config={"task": "classify", "model": "small_cnn", "data": "digits"})
    times, t = [], started
    for step in range(1, 201):
        # 0.5 s of evaluation after step 100 (the first epoch's end), the pause before step 150.
        t += 0.1 + (50.0 if step == 150 else 0.0) + (0.5 if step == 101 else 0.0)
        times.append((step, t))
    store.add_metrics(run_id, [(s, s / 100, "loss", 1.0, w) for s, w in times])
    eval_at = {100: times[99][1] + 0.5, 200: times[199][1] + 0.5}
    store.add_metrics(run_id, [(s, s / 100, "test_accuracy", 0.9, w) for s, w in eval_at.items()])
    wall = eval_at[200] + 2.0 - started
    store.update_run(run_id, started_at=started, finished_at=started + wall, epoch=2, step=200)
    store.set_status(run_id, "finished")
    store.update_run(run_id, finished_at=started + wall)

    trained = training_seconds(store.metrics(run_id))
    assert wall == pytest.approx(73.0, abs=0.01)
    assert trained == pytest.approx(20.0 + 0.5 + 0.5, abs=0.15)  # steps, plus the evaluation at each epoch end
    # The same whichever metric the table compares (the summary reads only the steps and the epoch ends).
    for metric in ("test_accuracy", "loss"):
        assert run_summary(store, store.get_run(run_id), metric)["seconds"] == pytest.approx(trained)
    view.set_runs([run_id])
    column = 1 + SUMMARY_COLUMNS.index("seconds")
    header = view.table.horizontalHeaderItem(column)
    assert header.text() == "Training (s)" and "paused" in header.toolTip()
    cell = view.table.item(0, column)
    assert cell.text() == f"{trained:.1f}"
    assert f"{wall:.1f}" in cell.toolTip()


@pytest.mark.slow
def test_a_paused_and_resumed_run_counts_its_training_only(store):
    from engines.core.control import RunControl
    from engines.core.events import StepDone
    from workbench.runner import TrainingSession, create_run

    config = tiny_config(epochs=2)
    run_id = create_run(store, config)
    control = RunControl()
    walls = []

    class PauseOnce:
        """Pauses after step 10 for ten steps' time (at least 2 s): long against a step on a busy machine too."""

        pause_s = 0.0

        def on_event(self, event):
            if isinstance(event, StepDone):
                walls.append(event.wall_time)
                if event.step == 10:
                    self.pause_s = max(2.0, 10 * (walls[-1] - walls[1]) / (len(walls) - 2))
                    control.pause()
                    threading.Timer(self.pause_s, control.resume).start()

    pauser = PauseOnce()
    outcome = TrainingSession(config, store=store, run_id=run_id, control=control, callbacks=[pauser]).run()
    assert outcome.status == "finished"
    run = store.get_run(run_id)
    trained = training_seconds(store.metrics(run_id))
    assert trained < run.seconds - pauser.pause_s * 0.9
    assert trained > 0.5 * (run.seconds - pauser.pause_s)


# -- configuration defaults -----------------------------------------------------------------------------------
@pytest.mark.slow  # the defaults come from the engines' registries: the first import of torch and the labs
def test_config_diff_shows_the_default_where_a_run_does_not_set_a_key(view, store):
    from engines.core.data import dataset_spec

    default_size = inspect.signature(dataset_spec("digits").loader).parameters["size"].default
    explicit = synthetic_run(store, config_extra={"data_options": {"size": default_size + 8}})
    implicit = synthetic_run(store, config_extra={"data_options": {}})
    view.set_runs([explicit, implicit])
    assert "data_options.size" in view.diff_keys()
    row = view.diff_keys().index("data_options.size")
    set_cell = view.diff_table.item(row, 0)
    default_cell = view.diff_table.item(row, 1)
    assert set_cell.text() == str(default_size + 8) and not set_cell.font().italic()
    assert default_cell.text() == f"{default_size} (default)"
    assert default_cell.font().italic() and default_cell.foreground().color() != set_cell.foreground().color()
    assert "default" in default_cell.toolTip()


# -- runs known by their final values only -------------------------------------------------------------------
def test_runs_without_points_are_drawn_by_their_final_values(qtbot, store):
    finals = {"test_accuracy": 0.9972, "best_test_accuracy": 0.9972, "test_loss": 0.026}
    shipped = [synthetic_run(store, width=w, params=p, flops=57_000_000, summary=dict(finals, test_accuracy=acc),
                             epoch=8, tags=("pretrained",))
               for w, p, acc in ((8, 715_834, 0.9972), (16, 745_360, 0.9961))]
    view = make_view(qtbot, store, size=(1000, 640))
    view.set_runs(shipped)
    settle(qtbot)

    names = [view.metric_combo.itemText(i) for i in range(view.metric_combo.count())]
    assert set(finals) <= set(names) and view.selected_metric() == "test_accuracy"
    assert sorted(view.final_only_run_ids()) == sorted(shipped)
    # Steps unknown: plotted against epochs, one marker per run at its last epoch.
    assert view.x_axis() == "epoch"
    for run_id in shipped:
        run = store.get_run(run_id)
        (line,) = [i for i in view.curves.getPlotItem().listDataItems() if i.name() == run.title]
        xs, ys = line.getData()
        assert xs.tolist() == [run.epoch] and ys.tolist() == [run.metrics["test_accuracy"]]
        assert line.opts["symbol"] is not None
    low, high = view.curves.getPlotItem().vb.viewRange()[1]
    assert low < 0.9961 and 0.9972 < high and high - low < 0.2  # not a 0.5–1.5 axis around two values
    # The Metric box has values, and the note names both runs on one line that is not cut off.
    values = {row["run_ids"][0]: row["final"] for row in view.table_values()}
    assert values == {i: store.get_run(i).metrics["test_accuracy"] for i in shipped}
    assert view.notes.isVisible()
    for run_id in shipped:
        assert f"#{run_id}" in view.notes.text()
    assert view.notes.height() >= view.notes.heightForWidth(view.notes.width())
    # The scatter plots them, with tick labels.
    assert len(view.scatter_points.getData()[0]) == 2
    assert len(tick_texts(view.scatter.getPlotItem().getAxis("bottom"))) >= 2
    assert len(tick_texts(view.scatter.getPlotItem().getAxis("left"))) >= 2

    # Beside a run with a curve, on the step axis: the final value sits where the curves end.
    trained = synthetic_run(store, width=4, params=5000, summary={"test_accuracy": 0.9},
                            curve=[(10, 1.0, 0.7), (20, 2.0, 0.9)], step=20)
    view.set_runs([trained, shipped[0]])
    assert view.x_axis() == "step"  # chosen for the final values only, so given back
    (marker,) = [i for i in view.curves.getPlotItem().listDataItems() if i.name() == store.get_run(shipped[0]).title]
    assert marker.getData()[0].tolist() == [20.0]
    assert view.final_only_run_ids() == [shipped[0]]
    from workbench.ui.shell.curves import plot_message

    assert plot_message(view.curves) == "" and plot_message(view.scatter) == ""


def test_empty_plots_say_why_instead_of_showing_bare_axes(qtbot, store):
    from workbench.ui.shell.curves import LiveCurves, plot_message

    view = make_view(qtbot, store)
    view.set_runs([])
    assert plot_message(view.curves) and not view.curves.getPlotItem().getAxis("left").isVisible()
    assert plot_message(view.scatter)

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.resize(600, 400)
    curves.show()
    curves.redraw(force=True)
    assert plot_message(curves.loss_plot) and plot_message(curves.metric_plot)
    assert not curves.loss_plot.getPlotItem().getAxis("bottom").isVisible()

    # A run known only by its final values: a marker in the metric plot, a message in the loss plot.
    curves.set_final_values(2, "#2 mobilenet_v2 · digits", {"test_accuracy": 0.9972, "lr": float("nan")},
                            step=0, epoch=8)
    curves.redraw(force=True)
    assert curves.x_axis_box.currentData() == "epoch"  # its steps are unknown
    assert curves.metric_box.currentText() == "test_accuracy"
    assert plot_message(curves.metric_plot) == ""
    line = curves.runs[2].items["test_accuracy"][0]
    assert line.getData()[0].tolist() == [8.0] and line.getData()[1].tolist() == [0.9972]
    (x_low, x_high), (y_low, y_high) = curves.metric_plot.getPlotItem().vb.viewRange()
    assert x_low < 8 < x_high and y_low < 0.9972 < y_high and y_high - y_low < 0.2
    assert "#2 mobilenet_v2" in plot_message(curves.loss_plot)
    assert "◆" in curves.legend.text()

    # Points arrive: the message goes and the axes come back.
    curves.add_points(2, "loss", [(1, 0.1, 1.0, 2.0), (2, 0.2, 2.0, 1.5)])
    curves.redraw(force=True)
    assert plot_message(curves.loss_plot) == "" and curves.loss_plot.getPlotItem().getAxis("left").isVisible()
    # Showing other runs gives the step axis back.
    curves.clear()
    assert curves.x_axis_box.currentData() == "step"
