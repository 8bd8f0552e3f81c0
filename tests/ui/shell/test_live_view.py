"""What the Training tab shows while a run trains: the epoch in progress, a cursor that follows the live end,
and the new run's own metric."""
from __future__ import annotations

import pytest

from tests.helpers import tiny_config


def test_the_epoch_bar_names_the_epoch_in_progress(qtbot):
    from workbench.ui.shell.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.start(5, {"steps_per_epoch": 45, "epochs": 3, "start_epoch": 0, "start_step": 0, "model": "m",
                    "dataset": "d", "device": "cpu"})
    assert panel.epoch_bar.text() == "epoch 1 of 3" and panel.epoch_bar.value() == 0
    panel.update_step(45, 1.0)
    assert panel.epoch_bar.text() == "epoch 1 of 3"
    panel.update_epoch(1)
    panel.update_step(64, 0.9)  # step 19 of the second epoch
    assert panel.epoch_bar.text() == "epoch 2 of 3" and panel.epoch_bar.value() == 1
    assert panel.step_bar.value() == 19


def test_a_new_run_is_shown_with_its_own_metric_and_the_cursor_follows_its_end(window, qtbot):
    store = window.store
    other = store.create_run(task="retrieval", model="dscmr", dataset="indian_pines_views",
                             config={"task": "retrieval", "model": "dscmr", "data": "indian_pines_views"})
    store.add_metrics(other, [(10, 1.0, "loss", 1.0, 1.0), (10, 1.0, "map_average", 0.5, 1.0)])
    store.set_status(other, "finished")
    window.show_runs([other])
    assert window.curves._metric == "map_average"
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=1))
    # The retrieval run's curves gave way to the classification run's, and its metric is plotted.
    assert set(window.curves.runs) == {run_id}
    assert window.curves._metric == "test_accuracy"
    last = store.get_run(run_id).step
    assert window.scrubber.value() == last and window.scrub_label.text() == f"step {last}"
    header = [window.scrub_table.horizontalHeaderItem(i).text() for i in range(3)]
    assert header == ["Run", "loss", "test_accuracy"]


def test_the_cursor_follows_a_new_run_that_is_shorter_than_the_runs_already_shown(window, qtbot):
    """The scrubber's end belongs to the longest run shown; the new run starts at step 1, well below it, and the
    cursor must still follow its newest step (it used to stay at step 1)."""
    store = window.store
    config = tiny_config(epochs=1)
    longer = store.create_run(task="classify", model="small_cnn", dataset="digits", config=config.to_dict())
    store.add_metrics(longer, [(s, s / 100, "loss", 1.0 / s, 1000.0 + s) for s in range(1, 501)])
    store.set_status(longer, "finished")
    window.show_runs([longer])
    assert window.scrubber.maximum() == 500 and window.scrubber.value() == 500
    followed: list[tuple[int, int]] = []
    window.runner.steps.connect(lambda _run, points: followed.append((points[-1][0], window.scrubber.value())))
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(config)
    last = store.get_run(run_id).step
    assert last < 500 and window.scrubber.maximum() == 500
    assert window.scrubber.value() == last and window.scrub_label.text() == f"step {last}"
    # Throughout the run, not only at its end (the slot above runs after the window's own): the first step batch
    # at once, the later ones at the curves' refresh rate, so the cursor may trail the newest step between two
    # refreshes but never runs ahead of it or back.
    assert followed and followed[0][1] == followed[0][0] > 0
    values = [value for _, value in followed]
    assert values == sorted(values) and all(value <= step for step, value in followed)

    window.scrubber.setValue(5)  # moved back by the user: the cursor stays where it was put
    assert not window._follow_live
    window.scrubber.setValue(window.scrubber.maximum())
    assert window._follow_live


def test_a_live_runs_planned_end_holds_the_x_range_while_it_trains(window, qtbot):
    """While a run trains, both plots span its planned steps (the axes are laid out once, not on every redraw
    as the curve grows); when it ends, the range is the data's again."""
    config = tiny_config(epochs=3)
    spans: list = []

    def on_steps(run_id, _points):
        curves = window.curves.runs.get(run_id)
        spans.append((curves.planned_step if curves else None,
                      window.curves.loss_plot.extent.span, window.curves.metric_plot.extent.span))

    window.runner.steps.connect(on_steps)
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(config)
    total = window.progress.total_steps
    assert total == window.store.get_run(run_id).step
    assert spans and all(s == (total, (0.0, float(total)), (0.0, float(total))) for s in spans)
    assert window.curves.runs[run_id].planned_step is None and window.curves.loss_plot.extent.span is None


def test_the_planned_end_widens_the_x_auto_range_only(qtbot):
    from workbench.ui.shell.curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.show()
    curves.add_points(1, "loss", [(s, s / 10, 1000.0 + s, 2.0 / s) for s in range(1, 51)])
    curves.redraw(force=True)
    vb = curves.loss_plot.getPlotItem().vb
    qtbot.waitUntil(lambda: 50 <= vb.viewRange()[0][1] < 60, timeout=2_000)
    y_before = vb.viewRange()[1]
    curves.set_planned_end(1, 400, 40.0)
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] >= 400, timeout=2_000)
    assert vb.viewRange()[1] == pytest.approx(y_before, abs=0.01)  # the y range is the data's alone
    curves.x_axis_box.setCurrentIndex(curves.x_axis_box.findData("epoch"))
    qtbot.waitUntil(lambda: 40 <= vb.viewRange()[0][1] < 60, timeout=2_000)
    curves.set_planned_end(1, None, None)
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] < 6, timeout=2_000)


def test_step_batches_reach_the_progress_bars_and_cursor_at_the_refresh_rate(window, qtbot):
    """Step batches arrive every 0.2 s; the window shows the first at once and then the newest one per refresh
    interval (each repaint of the bars, the cursor and its table costs a busy CPU's training twice its time),
    and nothing is lost: the epoch's end shows its last step first."""
    window.curves.set_refresh_rate(2)
    assert window.curves.refresh_interval_s == pytest.approx(0.5)
    config = tiny_config(epochs=2)
    run = window.store.create_run(task="classify", model="small_cnn", dataset="digits", config=config.to_dict())
    window.progress.start(run, {"steps_per_epoch": 100, "epochs": 2, "start_epoch": 0, "start_step": 0,
                              "model": "m", "dataset": "d", "device": "cpu"})
    shown: list[int] = []
    original = window.progress.update_step
    window.progress.update_step = lambda step, loss: (shown.append(step), original(step, loss))
    window._live_shown_at = 0.0
    for step in (10, 20, 30, 40):  # one burst, well inside one interval
        window._on_steps(run, [(step, step / 100, 1.0 / step, 1000.0 + step)])
    assert shown == [10]  # the first at once, the rest wait for the refresh
    qtbot.waitUntil(lambda: shown == [10, 40], timeout=2000)  # only the newest of the waiting ones
    assert window.scrubber.value() == 40 and window.scrub_label.text() == "step 40"
    window._on_steps(run, [(50, 0.5, 0.02, 1050.0)])
    window._on_epoch_done(run, 1, {})  # before the refresh: the epoch's last step is shown first
    assert shown == [10, 40, 50] and not window._live_timer.isActive()
