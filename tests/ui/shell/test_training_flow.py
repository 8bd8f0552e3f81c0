"""Training from the real window: live curves, pause/resume, stop-and-keep/continue, studies."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers import tiny_config


def test_live_curve_holds_exactly_the_recorded_points(window, qtbot):
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=1))
    window.curves.redraw(force=True)
    stored = window.store.metrics(run_id, "loss")
    assert len(stored) == window.store.get_run(run_id).step > 0
    assert window.curves.point_count(run_id, "loss") == len(stored)
    assert window.curves.drawn_points(run_id, "loss") == len(stored)
    assert window.curves.point_count(run_id, "test_accuracy") == 1
    assert window.progress.epoch_bar.value() == 1


def test_pause_holds_the_step_count_and_resume_continues(window, qtbot):
    steps = []
    window.runner.steps.connect(lambda _rid, points: steps.extend(p[0] for p in points))
    with qtbot.waitSignal(window.runner.steps, timeout=60_000):
        window.start_job(tiny_config(epochs=50, batch_size=16))
    with qtbot.waitSignal(window.runner.paused, timeout=30_000) as paused:
        window.runner.pause()
    assert paused.args[1] is True
    qtbot.wait(200)  # let signals already queued arrive
    held = list(steps)
    qtbot.wait(1000)
    assert steps == held, "steps were taken while paused"
    assert window.store.get_run(window.runner.current_run_id).status == "paused"
    with qtbot.waitSignal(window.runner.steps, timeout=30_000):
        window.runner.resume()
    assert steps[-1] > held[-1] and steps[len(held)] == held[-1] + 1
    with qtbot.waitSignal(window.runner.run_finished, timeout=60_000):
        window.stop_run()


def test_space_on_the_runs_list_toggles_pause(window, qtbot):
    with qtbot.waitSignal(window.runner.steps, timeout=60_000):
        window.start_job(tiny_config(epochs=50, batch_size=16))
    window.browser.view.setFocus()
    with qtbot.waitSignal(window.runner.paused, timeout=30_000) as blocker:
        qtbot.keyClick(window.browser.view, Qt.Key.Key_Space)
    assert blocker.args[1] is True
    with qtbot.waitSignal(window.runner.paused, timeout=30_000) as blocker:
        qtbot.keyClick(window.browser.view, Qt.Key.Key_Space)
    assert blocker.args[1] is False
    with qtbot.waitSignal(window.runner.run_finished, timeout=60_000):
        window.stop_run()


@pytest.mark.slow
def test_stop_and_keep_then_continue_matches_an_uninterrupted_run(window, qtbot):
    config = tiny_config(epochs=3)
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        straight = window.start_job(config)

    with qtbot.waitSignal(window.runner.epoch_done, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=3))
    with qtbot.waitSignal(window.runner.run_finished, timeout=60_000) as blocker:
        window.stop_run()
    assert blocker.args[1] == "stopped"
    stopped = window.store.get_run(run_id)
    assert stopped.status == "stopped" and stopped.epoch < 3
    window.browser.select([run_id])
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as blocker:
        window.continue_selected()
    assert blocker.args[1] == "finished"
    a, b = window.store.get_run(straight), window.store.get_run(run_id)
    assert b.epoch == a.epoch == 3 and b.step == a.step
    assert b.metrics["test_loss"] == pytest.approx(a.metrics["test_loss"], abs=1e-6)


def test_invalid_form_value_is_shown_and_nothing_starts(window, qtbot):
    editor = window.config_form.editors["epochs"]
    editor.widget.setValue(0)  # spin box minimum is 1: clamps
    assert editor.get() == 1
    window.config_form.editors["lr"].widget.setText("fast")
    before = len(window.store.list_runs())
    window.start_from_form()
    assert len(window.store.list_runs()) == before
    label = window.config_form.error_label
    assert label.isVisibleTo(window) and "lr" in label.text()


def test_form_start_uses_the_form_values(window, qtbot):
    form = window.config_form
    form.editors["epochs"].widget.setValue(1)
    form.editors["max_steps"].widget.setValue(3)
    form.model_editors["width"].widget.setValue(8)
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    run = window.store.list_runs()[-1]
    assert run.config["epochs"] == 1 and run.config["model_options"] == {"width": 8} and run.step == 3


def test_rename_and_tags_are_undoable(window, qtbot):
    run_id = window.store.create_run(task="classify", model="small_cnn", dataset="digits", config={})
    window.browser.refresh()
    window.browser.rename(run_id, "baseline")
    window.browser.set_tags(run_id, ["a", " b", "a"])
    assert window.store.get_run(run_id).name == "baseline"
    assert window.store.get_run(run_id).tags == ["a", "b"]
    window.browser.undo_stack.undo()
    assert window.store.get_run(run_id).tags == []
    window.browser.undo_stack.undo()
    assert window.store.get_run(run_id).name == ""
    window.browser.undo_stack.redo()
    assert window.store.get_run(run_id).name == "baseline"


def test_delete_asks_and_removes_only_when_confirmed(window, qtbot):
    ids = [window.store.create_run(task="classify", model="small_cnn", dataset="digits", config={})
           for _ in range(2)]
    window.browser.refresh()
    window.browser.select(ids)
    window.setProperty("auto_confirm", False)
    window.delete_selected()
    assert len(window.store.list_runs()) == 2
    window.setProperty("auto_confirm", True)
    window.delete_selected()
    assert window.store.list_runs() == []


def test_filters_by_status_and_search(window, qtbot):
    a = window.store.create_run(task="classify", model="small_cnn", dataset="digits", config={}, name="alpha")
    b = window.store.create_run(task="classify", model="small_cnn", dataset="digits", config={}, name="beta")
    window.store.set_status(b, "failed", "x")
    window.browser.refresh()
    status = window.browser.status_filter
    status.setCurrentIndex(status.findData("failed"))
    assert window.browser.proxy.rowCount() == 1
    status.setCurrentIndex(0)
    window.browser.search.setText("alpha")
    assert window.browser.proxy.rowCount() == 1
    assert window.browser.proxy.index(0, 0).data() == f"#{a}"


@pytest.mark.slow
def test_study_queues_runs_and_opens_compare_grouped_by_the_factor(window, qtbot):
    from workbench.studies import PRESETS, plan_preset

    planned = plan_preset(PRESETS.get("output-activation"), seeds=1,
                          overrides={"epochs": 1, "max_steps": 3, "model_options": {"width": 8}})
    with qtbot.waitSignal(window.runner.idle, timeout=180_000):
        ids = window.queue_study(planned, "model_options.output")
    assert len(ids) == 3
    runs = [window.store.get_run(i) for i in ids]
    assert all(r.status == "finished" for r in runs)
    assert {r.config["model_options"]["output"] for r in runs} == {"none", "softmax", "log_softmax"}
    assert window.tabs.currentWidget() is window.compare_tab
    if hasattr(window.compare, "diff_keys"):
        assert "model_options.output" in window.compare.diff_keys()


def test_scrubber_moves_the_cursor_and_fills_the_table(window, qtbot):
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=1))
    window.show_runs([run_id])
    window.scrubber.setValue(5)
    assert window.curves.loss_plot.cursor.isVisible()
    assert window.curves.loss_plot.cursor.value() == 5
    loss_at_5 = [p.value for p in window.store.metrics(run_id, "loss") if p.step == 5][0]
    assert window.scrub_table.rowCount() == 1
    assert window.scrub_table.item(0, 1).text() == f"{loss_at_5:.4f}"


def test_ctrl_d_compares_two_finished_runs_with_store_values(window, qtbot):
    ids = []
    for width in (8, 12):
        with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
            ids.append(window.start_job(tiny_config(epochs=1, model_options={"width": width})))
    window.browser.select(ids)
    window.browser.view.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.compare_tab
    rows = {tuple(r["run_ids"]): r for r in window.compare.table_values() if r["kind"] == "run"}
    for run_id in ids:
        run = window.store.get_run(run_id)
        row = rows[(run_id,)]
        assert row["final"] == run.metrics["test_accuracy"]
        assert row["params"] == run.params and row["flops"] == run.flops
    assert window.compare.diff_keys() == ["model_options.width"]
    window.scrubber.setValue(3)
    assert set(window.compare.cursor_values()) == set(ids)
