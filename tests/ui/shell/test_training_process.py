"""The window trains in a child process: it survives the child dying, and the thread path still works."""
from __future__ import annotations

import os
import signal

import pytest

from tests.helpers import tiny_config


@pytest.mark.slow
def test_runs_train_in_a_child_process_that_records_the_run(window, qtbot):
    with qtbot.waitSignal(window.runner.run_started, timeout=60_000):
        run_id = window.start_job(tiny_config(epochs=1))
    worker = window.runner.worker
    assert worker.in_process and worker.process is not None and worker.process.pid != os.getpid()
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as finished:
        pass
    assert finished.args[1] == "finished"
    run = window.store.get_run(run_id)
    assert run.status == "finished" and run.pid != os.getpid()  # the child claimed and wrote the run


@pytest.mark.slow
def test_a_killed_training_process_fails_the_run_with_a_message_and_the_window_goes_on(window, qtbot):
    with qtbot.waitSignal(window.runner.steps, timeout=60_000):
        run_id = window.start_job(tiny_config(epochs=1000))
    with qtbot.waitSignal(window.runner.run_finished, timeout=60_000) as finished:
        os.kill(window.runner.worker.process.pid, signal.SIGKILL)
    assert finished.args[1] == "failed"
    run = window.store.get_run(run_id)
    assert run.status == "failed" and "ended unexpectedly" in run.message
    assert "ended unexpectedly" in window.property("last_warning")
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as again:  # the next run still works
        window.start_job(tiny_config(epochs=1))
    assert again.args[1] == "finished"


def test_the_thread_path_trains_when_child_processes_are_off(window, qtbot, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRAIN_PROCESS", "0")
    with qtbot.waitSignal(window.runner.run_started, timeout=60_000):
        run_id = window.start_job(tiny_config(epochs=1))
    assert not window.runner.worker.in_process
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as finished:
        pass
    assert finished.args[1] == "finished" and window.store.get_run(run_id).pid == os.getpid()


def test_a_run_that_fails_says_why_in_the_status_bar_and_a_warning(window, qtbot):
    config = tiny_config(epochs=3, optimizer="sgd", lr=1e6, scheduler="none",
                         model_options={"width": 8, "batchnorm": False})
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as finished:
        run_id = window.start_job(config)
    assert finished.args[1] == "diverged"
    reason = window.store.get_run(run_id).message
    assert "diverged" in reason and "step" in reason
    assert window.status_label.text() == f"Run #{run_id} diverged: {reason}"
    assert reason in window.property("last_warning")
