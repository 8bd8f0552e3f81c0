"""LabJob: a lab's background job on its own QThread — results, errors, cancel, supersede, queue, shutdown."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject

from workbench.ui.shell.worker import LabJob, running_threads

TIMEOUT = 10_000


class Stop(Exception):
    """What a job raises when it sees its stop request (a lab's ``Cancelled``)."""


@pytest.fixture
def job(qapp):
    owner = QObject()
    lab_job = LabJob(owner, "test", cancelled=(Stop,), plain=(ValueError,))
    yield lab_job
    lab_job.shutdown()
    owner.deleteLater()


def until_stopped(release: threading.Event | None = None):
    """A job that runs until it is asked to stop (or ``release`` is set), then raises :class:`Stop`."""
    def fn(should_stop, _progress):
        while not should_stop():
            if release is not None and release.wait(0.01):
                return "released"
            threading.Event().wait(0.005)
        raise Stop()
    return fn


def test_a_job_delivers_its_result_then_finishes_idle(job, qtbot):
    results, finished = [], []
    job.result.connect(lambda kind, value: results.append((kind, value)))
    job.finished.connect(lambda kind, stopped: finished.append((kind, stopped, job.busy)))
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        job.start("sum", lambda _stop, _progress: sum(range(5)))
        assert job.busy and job.kind == "sum"
    assert results == [("sum", 10)]
    assert finished == [("sum", False, False)]
    assert not job.busy and not running_threads()


def test_errors_arrive_as_one_message(job, qtbot):
    errors = []
    job.error.connect(lambda kind, message: errors.append((kind, message)))

    def broken(_stop, _progress):
        raise KeyError("weights")

    def refused(_stop, _progress):
        raise ValueError("no scene here")

    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        job.start("load", broken)
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        job.start("scene", refused)
    assert errors == [("load", "KeyError: 'weights'"), ("scene", "no scene here")]  # plain types as they are


def test_a_generator_job_reports_each_item_then_its_return_value_and_progress(job, qtbot):
    items, results, progress = [], [], []
    job.item.connect(lambda kind, value: items.append(value))
    job.result.connect(lambda kind, value: results.append(value))
    job.progress.connect(lambda done, total: progress.append((done, total)))

    def batch(_stop, report):
        for i in range(3):
            report(i + 1, 3)
            yield {"file": i}
        return "all done"

    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        job.start("batch", batch)
    assert items == [{"file": 0}, {"file": 1}, {"file": 2}]
    assert results == ["all done"]
    assert progress[-1] == (3, 3)  # coalesced, but the last one always goes out


def test_cancel_stops_the_job_and_says_so(job, qtbot):
    cancelled, results = [], []
    job.cancelled.connect(cancelled.append)
    job.result.connect(lambda *a: results.append(a))
    job.start("long", until_stopped())
    assert job.busy
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT) as blocker:
        assert job.cancel()
    assert blocker.args == ["long", True]
    assert cancelled == ["long"] and not results
    assert not job.busy and not running_threads()
    assert not job.cancel()  # nothing left to cancel


def test_a_new_job_supersedes_the_running_one(job, qtbot):
    results, cancelled, finished = [], [], []
    job.result.connect(lambda kind, value: results.append((kind, value)))
    job.cancelled.connect(cancelled.append)
    job.finished.connect(lambda kind, stopped: finished.append((kind, stopped)))
    job.start("first", until_stopped())
    job.start("second", lambda _stop, _progress: "newest")  # drops the waiting one
    job.start("third", lambda _stop, _progress: "latest")
    assert job.busy
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        pass
    # The superseded job says nothing; only the newest waiting job runs once it has stopped.
    assert results == [("third", "latest")] and not cancelled
    assert finished == [("third", False)]
    assert not job.busy and not running_threads()


def test_enqueued_jobs_run_one_after_another(job, qtbot):
    release = threading.Event()
    order = []
    job.result.connect(lambda kind, value: order.append((kind, value)))
    job.enqueue("a", until_stopped(release))
    job.enqueue("b", lambda _stop, _progress: "b done")
    assert job.busy and job.kind == "a"
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT) as first:
        release.set()
    assert first.args == ["a", False] and job.busy  # b waits its turn
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT) as second:
        pass
    assert second.args == ["b", False]
    assert order == [("a", "released"), ("b", "b done")]
    assert not job.busy


def test_cancel_drops_the_queued_jobs(job, qtbot):
    ran = []
    job.result.connect(lambda kind, _value: ran.append(kind))
    job.enqueue("a", until_stopped())
    job.enqueue("b", lambda _stop, _progress: "b")
    with qtbot.waitSignal(job.finished, timeout=TIMEOUT):
        job.cancel()
    assert ran == [] and not job.busy


def test_shutdown_with_a_job_in_flight_leaves_no_thread_running(qapp, qtbot):
    owner = QObject()
    lab_job = LabJob(owner, "closing", cancelled=(Stop,))
    results = []
    lab_job.result.connect(lambda *a: results.append(a))
    lab_job.start("long", until_stopped())
    lab_job.enqueue("next", lambda _stop, _progress: "never")
    lab_job.shutdown()  # request stop → quit → wait, synchronously
    assert not running_threads() and not lab_job.busy
    qtbot.wait(50)  # late signals of the stopped job change nothing
    assert results == []
    owner.deleteLater()
