"""The real main window, driven through pytest-qt."""
from __future__ import annotations

import pytest

from tests.helpers import tiny_config
from workbench.store import RunStore


@pytest.fixture
def window(make_window):
    """Shown, engines not forced: they load after the first paint, as for a user."""
    return make_window(show=True)


def test_window_lists_runs_already_in_the_store(qtbot):
    with RunStore() as store:
        store.create_run(task="classify", model="small_cnn", dataset="digits", config={"epochs": 3},
                         name="earlier run")
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    assert win.windowTitle() == "CNN Workbench"
    assert win.browser.model.rowCount() == 1
    assert "earlier run" in win.browser.proxy.index(0, 6).data()
    win.browser.search.setText("nothing-matches")
    assert win.browser.proxy.rowCount() == 0
    win.close()


def test_run_started_from_the_window_finishes_and_is_recorded(window, qtbot):
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as blocker:
        run_id = window.start_job(tiny_config(epochs=1))
    finished_id, status, outcome = blocker.args
    assert finished_id == run_id and status == "finished"
    run = window.store.get_run(run_id)
    assert run.status == "finished" and run.epoch == 1
    assert len(window.store.metrics(run_id, "loss")) == run.step
    model = window.browser.model
    assert model.runs[model.row_of(run_id)].status == "finished"


def test_closing_the_window_mid_run_leaves_it_interrupted(qtbot):
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    win.setProperty("suppress_dialogs", True)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.runner.epoch_done, timeout=120_000):
        run_id = win.start_job(tiny_config(epochs=200))
    assert win.runner.shutdown(timeout_ms=30_000)  # the thread is joined, not abandoned
    win.close()
    assert not win.runner.busy
    with RunStore() as store:
        run = store.get_run(run_id)
        assert run.status == "interrupted"
        assert run.checkpoint
        assert store.metrics(run_id, "test_accuracy")
