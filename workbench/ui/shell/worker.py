"""The one worker pattern: a QObject moved to a QThread that its owner keeps.

:class:`JobRunner` owns the training worker, which drives :class:`workbench.runner.TrainingSession` (the
same code the CLI runs) and turns its events into signals carrying plain values. A lab owns a
:class:`LabJob` for its own background work (evaluations, maps, denoising batches). Step losses and progress
are coalesced so at most ~20 signals a second cross to the GUI thread.
Shutdown is always request stop → ``quit()`` → ``wait()``; never ``terminate()``.
"""
from __future__ import annotations

import inspect
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

EMIT_INTERVAL = 0.05  # seconds: ≤ 20 Hz across threads

_THREADS: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Worker threads still running (tests assert none is left behind)."""
    alive = []
    for thread in list(_THREADS):
        try:
            if thread.isRunning():
                alive.append(thread)
        except RuntimeError:  # the C++ object is already deleted
            pass
    return alive


@dataclass
class Job:
    config: Any  # engines.core.config.TrainConfig
    run_id: int | None = None
    resume: bool = False
    name: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def worker_thread(owner: QObject, worker: QObject, name: str) -> QThread:
    """A QThread owned by ``owner`` that runs ``worker.run`` and quits when ``worker.finished`` fires.

    Connect the worker's result signals, then call ``start()``. The thread is registered
    so the test suite's leak check sees it.
    """
    thread = QThread(owner)
    thread.setObjectName(name)
    _THREADS.add(thread)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    # Direct: QThread.quit is thread-safe, and a queued call would wait for a GUI thread
    # that may itself be blocked in its owner's shutdown wait().
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    return thread


class StoppableWorker(QObject):
    """A worker object for a background thread: a stop flag the job polls, and ``progress(done, total)``
    coalesced to one signal per ``progress_interval`` seconds (the last one always goes out)."""

    progress = Signal(int, int)  # done, total
    progress_interval = EMIT_INTERVAL

    def __init__(self) -> None:
        super().__init__()
        self._stop = False
        self._last_progress = 0.0

    def request_stop(self) -> None:
        self._stop = True

    def should_stop(self) -> bool:
        return self._stop

    def _emit_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= self.progress_interval or done >= total:
            self._last_progress = now
            self.progress.emit(int(done), int(total))


class FunctionWorker(StoppableWorker):
    """Runs ``fn(should_stop, progress)`` once off the GUI thread; the outcome travels back as signals.

    When ``fn`` returns a generator, each value it yields goes out as ``item`` while it runs (a batch reports
    file by file) and its return value is the result.
    ``cancelled``: exception types meaning the job stopped on request (reported as ``"cancelled"``);
    ``plain``: exception types whose message is shown as it is (others get their type name in front).
    Progress is coalesced to ≤ 20 signals a second (the last one always goes out).
    """

    item = Signal(str, object)  # kind, a value the job yielded
    done = Signal(str, object)  # kind, result
    failed = Signal(str, str)  # kind, message ("cancelled" when stopped)
    finished = Signal()

    def __init__(self, kind: str, fn, *, cancelled: tuple[type, ...] = (), plain: tuple[type, ...] = ()) -> None:
        super().__init__()
        self.kind, self.fn = kind, fn
        self.cancelled, self.plain = cancelled, plain

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.should_stop, self._emit_progress)
            if inspect.isgenerator(result):
                result = self._drain(result)
        except self.cancelled:
            self.failed.emit(self.kind, "cancelled")
        except Exception as exc:  # never let an exception escape a worker thread
            self.failed.emit(self.kind, str(exc) if isinstance(exc, self.plain) else f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(self.kind, result)
        finally:
            self.finished.emit()

    def _drain(self, generator) -> Any:
        """Relay every value ``generator`` yields; its return value is the job's result."""
        while True:
            try:
                value = next(generator)
            except StopIteration as stop:
                return stop.value
            self.item.emit(self.kind, value)


class LabJob(QObject):
    """A lab's background job: one :class:`FunctionWorker` at a time on a QThread this object keeps.

    ``start(kind, fn)`` runs ``fn(should_stop, progress)`` off the GUI thread (see :class:`FunctionWorker`);
    a job already running is superseded: it is asked to stop and the new one starts once its thread has
    ended (only the newest waiting job runs; a superseded job's signals are dropped). ``enqueue`` runs a
    job after the current and the queued ones instead. The job's outcome arrives as signals of plain
    values, delivered on the GUI thread: ``item`` per yielded value, then ``result`` or ``error`` or
    ``cancelled``, and ``finished(kind, stopped)`` once its thread has ended and been cleaned up.
    ``cancel()`` asks the running job to stop and drops waiting ones; ``shutdown()`` (the window closing)
    does the same and then waits: request stop → ``quit()`` → ``wait()``, never ``terminate()``.
    """

    progress = Signal(int, int)  # done, total
    item = Signal(str, object)  # kind, value
    result = Signal(str, object)  # kind, result
    error = Signal(str, str)  # kind, message
    cancelled = Signal(str)  # kind: the job stopped on request
    finished = Signal(str, bool)  # kind, whether a stop was requested

    def __init__(self, owner: QObject, name: str, *, cancelled: tuple[type, ...] = (),
                 plain: tuple[type, ...] = (), progress_interval: float = EMIT_INTERVAL) -> None:
        super().__init__(owner)
        self.name = name
        self.cancelled_types, self.plain = cancelled, plain
        self.progress_interval = progress_interval
        self._thread: QThread | None = None
        self._worker: FunctionWorker | None = None
        self._waiting: deque[tuple[str, Any]] = deque()  # (kind, fn) to run after the current job
        self._superseded = False  # the running job was asked to stop for a newer one

    # -- public API ---------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A job runs or waits to run."""
        return self._thread is not None or bool(self._waiting)

    @property
    def kind(self) -> str | None:
        """The running job's kind."""
        return self._worker.kind if self._worker is not None else None

    def start(self, kind: str, fn) -> None:
        """Run ``fn`` now, or as soon as the running job (asked to stop) has ended; waiting jobs are dropped."""
        self._waiting.clear()
        if self._thread is None:
            self._launch(kind, fn)
            return
        self._waiting.append((kind, fn))
        self._superseded = True
        self._worker.request_stop()

    def enqueue(self, kind: str, fn) -> None:
        """Run ``fn`` after the running job and the jobs already waiting."""
        if self._thread is None:
            self._launch(kind, fn)
        else:
            self._waiting.append((kind, fn))

    def cancel(self) -> bool:
        """Ask the running job to stop and drop waiting ones; whether a job was running."""
        self._waiting.clear()
        self._superseded = False
        if self._worker is None:
            return False
        self._worker.request_stop()
        return True

    def shutdown(self) -> None:
        """Stop the running job and wait for its thread (the window is closing)."""
        self.cancel()
        thread = self._thread
        if thread is not None:
            thread.quit()
            thread.wait()
            self._on_thread_finished()

    # -- internals ----------------------------------------------------------------------------------------
    def _launch(self, kind: str, fn) -> None:
        worker = FunctionWorker(kind, fn, cancelled=self.cancelled_types, plain=self.plain)
        worker.progress_interval = self.progress_interval
        thread = worker_thread(self, worker, f"{self.name}-{kind}")
        worker.progress.connect(self._on_progress)
        worker.item.connect(self._on_item)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker, self._superseded = thread, worker, False
        thread.start()

    def _current(self) -> bool:
        """Whether the signal being delivered comes from the running job and is still wanted."""
        return self.sender() is self._worker and not self._superseded

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self._current():
            self.progress.emit(done, total)

    @Slot(str, object)
    def _on_item(self, kind: str, value) -> None:
        if self._current():
            self.item.emit(kind, value)

    @Slot(str, object)
    def _on_done(self, kind: str, result) -> None:
        if self._current():
            self.result.emit(kind, result)

    @Slot(str, str)
    def _on_failed(self, kind: str, message: str) -> None:
        if not self._current():
            return
        if message == "cancelled":
            self.cancelled.emit(kind)
        else:
            self.error.emit(kind, message)

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._thread is None or self._thread.isRunning():
            return
        worker, thread, superseded = self._worker, self._thread, self._superseded
        stopped = worker.should_stop()
        worker.deleteLater()
        thread.deleteLater()
        self._thread = self._worker = None
        self._superseded = False
        if not superseded:
            self.finished.emit(worker.kind, stopped)
        if self._thread is None and self._waiting:  # a finished slot may have started a job already
            self._launch(*self._waiting.popleft())


class TrainingWorker(QObject):
    run_started = Signal(int, dict)  # run id, Started fields
    steps = Signal(int, list)  # run id, [(step, epoch_progress, loss, wall_time), ...]
    epoch_done = Signal(int, int, dict)  # run id, epoch, metrics
    paused = Signal(int, bool)
    checkpoint_saved = Signal(int, str)
    finished = Signal(int, str, dict)  # run id, status, outcome
    error = Signal(int, str)  # run id, message

    def __init__(self, job: Job, store_path: str) -> None:
        super().__init__()
        from engines.core.control import RunControl
        from workbench import training_process

        self.job = job
        self.store_path = store_path
        self.in_process = training_process.enabled()
        # In a child process the switches must be shared with it; on the thread, plain events do.
        self.control = RunControl(events=training_process.new_events() if self.in_process else None)
        self.interrupt_on_stop = False  # set when the window closes mid-run
        self._pending: deque = deque()
        self._last_emit = 0.0
        self.process = None  # the training child, while one runs

    def _relay(self, run_id: int, event) -> None:
        """One engine event → signals of plain values; step losses are coalesced to ≤ 20 Hz."""
        from engines.core.events import CheckpointSaved, EpochDone, Failed, Paused, Resumed, Started, StepDone

        if isinstance(event, StepDone):
            self._pending.append((event.step, event.epoch_progress, event.loss, event.wall_time))
            now = time.monotonic()
            if now - self._last_emit >= EMIT_INTERVAL:
                self._flush(run_id)
                self._last_emit = now
            return
        self._flush(run_id)
        if isinstance(event, Started):
            self.run_started.emit(run_id, dict(event.__dict__))
        elif isinstance(event, EpochDone):
            self.epoch_done.emit(run_id, event.epoch, dict(event.metrics))
        elif isinstance(event, (Paused, Resumed)):
            self.paused.emit(run_id, isinstance(event, Paused))
        elif isinstance(event, CheckpointSaved):
            self.checkpoint_saved.emit(run_id, event.path)
        elif isinstance(event, Failed):
            self.error.emit(run_id, event.reason)

    def _flush(self, run_id: int) -> None:
        if self._pending:
            self.steps.emit(run_id, list(self._pending))
            self._pending.clear()

    @Slot()
    def run(self) -> None:
        from workbench.store import RunStore

        run_id = self.job.run_id or 0
        store = None
        outcome: dict[str, Any] = {}
        status = "failed"
        try:
            store = RunStore(self.store_path, recover=False)
            if self.in_process:
                outcome = self._run_child(run_id, store)
            else:
                outcome = self._run_here(run_id, store)
            status = outcome.get("status", "failed")
            if status == "stopped" and self.interrupt_on_stop:
                store.set_status(run_id, "interrupted", "the window was closed during the run")
                status = "interrupted"
                outcome["status"] = status
        except Exception as exc:  # never let an exception escape a worker thread
            self.error.emit(run_id, f"{type(exc).__name__}: {exc}")
        finally:
            self._flush(run_id)
            if store is not None:
                store.close()
            self.finished.emit(run_id, status, outcome)

    def _run_here(self, run_id: int, store) -> dict[str, Any]:
        from workbench.runner import TrainingSession

        session = TrainingSession(self.job.config, store=store, run_id=run_id, resume=self.job.resume,
                                  control=self.control)
        for event in session.events():
            self._relay(run_id, event)
        assert session.outcome is not None
        return session.outcome.to_json()

    def _run_child(self, run_id: int, store) -> dict[str, Any]:
        """Train in a child process (see :mod:`workbench.training_process`) and relay its events."""
        from workbench import training_process

        process, conn = training_process.start(self.job.config, store_path=self.store_path, run_id=run_id,
                                               resume=self.job.resume, events=self.control.events)
        self.process = process
        outcome: dict[str, Any] | None = None
        error: str | None = None
        try:
            while True:
                try:
                    if not conn.poll(0.25):
                        if not process.is_alive() and not conn.poll(0):
                            break
                        continue
                    kind, value = conn.recv()
                except (EOFError, OSError):
                    break
                if kind == "event":
                    self._relay(run_id, value)
                elif kind == "events":
                    for event in value:
                        self._relay(run_id, event)
                elif kind == "outcome":
                    outcome = value
                elif kind == "error":
                    error = value
        finally:
            conn.close()
            process.join(30)
            if process.is_alive():  # it sent its outcome but hangs on exit: nothing is left to lose
                process.kill()
                process.join(5)
        if outcome:
            return outcome
        reason = error or f"the training process ended unexpectedly (exit code {process.exitcode})"
        try:
            if store.get_run(run_id).status in ("running", "queued"):
                store.set_status(run_id, "failed", reason)
        except KeyError:  # discarded meanwhile
            pass
        self.error.emit(run_id, reason)
        return {"run_id": run_id, "status": "failed", "message": reason}


class JobRunner(QObject):
    """Owns the worker thread and a queue of pending jobs, run one after another."""

    run_started = Signal(int, dict)
    steps = Signal(int, list)
    epoch_done = Signal(int, int, dict)
    paused = Signal(int, bool)
    checkpoint_saved = Signal(int, str)
    run_finished = Signal(int, str, dict)
    error = Signal(int, str)
    queue_changed = Signal()
    idle = Signal()

    def __init__(self, store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.queue: deque[Job] = deque()
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None

    # -- public API --------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

    @property
    def current_run_id(self) -> int | None:
        return self.worker.job.run_id if self.worker is not None else None

    def submit(self, job: Job) -> int:
        """Record the run as queued now (so it is never lost) and start it when the thread is free."""
        from workbench.runner import create_run

        if job.run_id is None:
            job.run_id = create_run(self.store, job.config, name=job.name, tags=job.tags)
        self.queue.append(job)
        self.queue_changed.emit()
        self._start_next()
        return job.run_id

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.control.pause()

    def resume(self) -> None:
        if self.worker is not None:
            self.worker.control.resume()

    def toggle_pause(self) -> None:
        if self.worker is not None:
            if self.worker.control.paused:
                self.resume()
            else:
                self.pause()

    def stop(self, *, discard: bool = False) -> None:
        if self.worker is not None:
            self.worker.control.request_stop(discard=discard)

    def cancel_queued(self) -> None:
        while self.queue:
            job = self.queue.popleft()
            self.store.set_status(job.run_id, "cancelled", "removed from the queue")
        self.queue_changed.emit()

    def shutdown(self, timeout_ms: int = 60_000) -> bool:
        """Stop the current run with a checkpoint (marked ``interrupted``) and join the thread."""
        self.cancel_queued()
        if self.worker is not None:
            self.worker.interrupt_on_stop = True
            self.worker.control.request_stop()
        thread = self.thread
        if thread is None:
            return True
        finished = thread.wait(timeout_ms)
        # Deliver the worker's queued signals (finished → cleanup) before the caller tears down.
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()
        if self.thread is thread:
            self._cleanup()
        return bool(finished)

    # -- internals -------------------------------------------------------------------
    def _start_next(self) -> None:
        if self.worker is not None or not self.queue:
            return
        job = self.queue.popleft()
        self.queue_changed.emit()
        worker = TrainingWorker(job, str(self.store.path))
        thread = worker_thread(self, worker, f"training-run-{job.run_id}")
        worker.run_started.connect(self.run_started)
        worker.steps.connect(self.steps)
        worker.epoch_done.connect(self.epoch_done)
        worker.paused.connect(self.paused)
        worker.checkpoint_saved.connect(self.checkpoint_saved)
        worker.error.connect(self.error)
        worker.finished.connect(self._on_worker_finished)
        self.thread, self.worker = thread, worker
        thread.start()

    @Slot(int, str, dict)
    def _on_worker_finished(self, run_id: int, status: str, outcome: dict) -> None:
        if self.thread is not None:
            self.thread.wait()
        self._cleanup()
        self.run_finished.emit(run_id, status, outcome)
        if self.queue:
            self._start_next()
        else:
            self.idle.emit()

    def _cleanup(self) -> None:
        if self.worker is not None:
            self.worker.deleteLater()
        if self.thread is not None:
            self.thread.deleteLater()
        self.worker = None
        self.thread = None
