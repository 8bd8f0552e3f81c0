"""Runs one training job through a task's ``fit`` generator and fans its events out.

The CLI, ``torchrun`` ranks and the Qt worker all go through
:class:`TrainingSession`; the extras (store writer, progress bar, UI bridge)
are callbacks that subscribe to events and know nothing of each other.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol

from engines.core.config import TrainConfig
from engines.core.control import RunControl
from engines.core.distributed import DistInfo
from engines.core.events import (
    CheckpointSaved,
    EpochDone,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Started,
    StepDone,
)
from engines.core.tasks import get_task
from workbench import paths
from workbench.store import RESUMABLE_STATUSES, RunStore, StoreError, disk_full


class Callback(Protocol):
    def on_event(self, event: Event) -> None: ...


class StoreWriter:
    """Records a run's events in the store; step losses are batched to keep writes cheap."""

    FLUSH_SECONDS = 0.5

    def __init__(self, store: RunStore, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self._pending: list[tuple[int, float, str, float, float]] = []
        self._last_flush = time.monotonic()
        self._metrics: dict[str, float] = {}

    def flush(self) -> None:
        if self._pending:
            self.store.add_metrics(self.run_id, self._pending)
            self._pending = []
        self._last_flush = time.monotonic()

    def on_event(self, event: Event) -> None:
        store, run_id = self.store, self.run_id
        if isinstance(event, Started):
            fields: dict[str, Any] = dict(params=event.params, flops=event.flops, device=event.device,
                                          world_size=event.world_size)
            if store.get_run(run_id).started_at is None:
                fields["started_at"] = time.time()
            store.update_run(run_id, **fields)
        elif isinstance(event, StepDone):
            self._pending.append((event.step, event.epoch_progress, "loss", event.loss, event.wall_time))
            if time.monotonic() - self._last_flush >= self.FLUSH_SECONDS:
                self.flush()
        elif isinstance(event, EpochDone):
            self._pending.extend(
                (event.step, float(event.epoch), name, float(value), event.wall_time)
                for name, value in event.metrics.items()
            )
            self.flush()
            self._metrics.update(event.metrics)
            store.update_run(run_id, epoch=event.epoch, step=event.step, summary={"metrics": self._metrics})
        elif isinstance(event, CheckpointSaved):
            store.add_artifact(run_id, "checkpoint", event.path)
            store.update_run(run_id, checkpoint=event.path)
        elif isinstance(event, Paused):
            self.flush()
            store.update_run(run_id, status="paused")
        elif isinstance(event, Resumed):
            store.update_run(run_id, status="running")
        elif isinstance(event, Finished):
            self.flush()
            store.update_run(run_id, summary=dict(event.summary), epoch=event.epoch, step=event.step)
            store.set_status(run_id, event.status)
        elif isinstance(event, Failed):
            self.flush()
            if event.step:
                store.update_run(run_id, step=max(store.get_run(run_id).step, event.step - 1))
            store.set_status(run_id, event.status, event.reason)


@dataclass
class Outcome:
    run_id: int | None
    status: str
    metrics: dict[str, float]
    params: int | None
    flops: int | None
    seconds: float
    message: str = ""
    left_unchanged: bool = False  # a resume that failed before training: the run's record is as it was

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "metrics": self.metrics,
            "params": self.params,
            "flops": self.flops,
            "seconds": round(self.seconds, 3),
            **({"message": self.message} if self.message else {}),
            **({"left_unchanged": True} if self.left_unchanged else {}),
        }


def create_run(store: RunStore, config: TrainConfig, *, name: str = "", tags=()) -> int:
    """Record ``config`` as a queued run; a config that does not validate (a model or dataset of another
    task, a bad value) raises :class:`~engines.core.config.ConfigError` and nothing is recorded."""
    config.validate()
    return store.create_run(
        task=config.task, model=config.model, dataset=config.data, config=config.to_dict(),
        seed=config.seed, device=config.device, name=name, tags=tags,
    )


# Datasets whose option names the data folder of Settings (Edit ▸ Preferences). Engines never read the
# workbench settings, so the workbench fills the folder in where it loads such a dataset: here for
# training, and the labs for their evaluations. An option given explicitly (--set data.root=DIR) wins.
DATA_FOLDER_OPTIONS = {"cifar10": "root"}


def with_data_folder(dataset: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the Settings data folder filled in when ``dataset`` reads one and none is given."""
    key = DATA_FOLDER_OPTIONS.get(dataset)
    if key is None or options.get(key):
        return options
    from workbench.settings import load_settings

    return {**options, key: str(load_settings().resolved_data_dir())}


def config_for_run(store: RunStore, run_id: int, **overrides: Any) -> TrainConfig:
    """The config ``run_id`` was recorded with, ``overrides`` applied; a run whose stored config cannot be read
    raises :class:`StoreError` (shown as one line) rather than resuming with defaults."""
    run = store.get_run(run_id)
    if "config" in run.damaged:
        note = next((n for n in run.message.split("; ") if n.startswith("stored config")), "stored config is damaged")
        raise StoreError(f"run {run_id}: {note}")
    spec = get_task(run.task)
    values = dict(run.config)
    values.update(overrides)
    return spec.config_cls.from_dict(values)


class TrainingSession:
    """One job: claim the run in the store, drive ``fit``, dispatch events, record the outcome.

    ``store`` is ``None`` on non-zero ``torchrun`` ranks: only rank 0 writes.
    """

    def __init__(self, config: TrainConfig, *, store: RunStore | None, run_id: int | None,
                 resume: bool = False, control: RunControl | None = None,
                 callbacks: list[Callback] | tuple = (), info: DistInfo | None = None) -> None:
        self.config = config
        self.store = store
        self.run_id = run_id
        self.resume = resume
        self.control = control or RunControl()
        self.info = info or DistInfo.from_env()
        self.callbacks = list(callbacks)
        self.outcome: Outcome | None = None
        self._left_unchanged = False
        self._writer = StoreWriter(store, run_id) if store is not None and run_id is not None else None

    def _resume_checkpoint(self) -> str | None:
        if not self.resume:
            return None
        if self.store is None:
            # Other DDP ranks read the same file rank 0 wrote.
            path = paths.checkpoint_dir(self.run_id) / "last.pt"
            return str(path)
        run = self.store.get_run(self.run_id)
        if not run.checkpoint:
            raise StoreError(f"run {self.run_id} has no checkpoint to resume from")
        return run.checkpoint

    def events(self) -> Iterator[Event]:
        start = time.perf_counter()
        params = flops = None
        final: Event | None = None
        recorded = self.store is not None and self.run_id is not None
        # A resume that fails before training starts (a damaged checkpoint, a missing file) is reported, not
        # recorded: the run keeps the status, results and metric points it had. ``before`` is what to put back.
        before: dict[str, Any] | None = None
        started = False
        stream = None
        checkpoint_dir = None
        try:
            if recorded and self.store.read_only:
                raise self.store.read_only_error()
            if recorded and self.resume:
                before = self.store.record(self.run_id)
            resume_from = self._resume_checkpoint()
            resume_step = None
            if recorded:
                if resume_from is not None:
                    from engines.core.checkpoint import load_checkpoint

                    resume_step = int(load_checkpoint(resume_from)["step"])
                self.store.claim_run(self.run_id)
            checkpoint_dir = paths.checkpoint_dir(self.run_id) if self.run_id is not None else None
            spec = get_task(self.config.task)
            config = self.config
            data_options = with_data_folder(config.data, config.data_options)
            if data_options is not config.data_options:  # a copy: the run's recorded config stays as given
                config = dataclasses.replace(config, data_options=data_options)
            stream = spec.fit(config, control=self.control, checkpoint_dir=checkpoint_dir, resume_from=resume_from)
            for event in stream:
                if isinstance(event, Started):
                    started = True
                    params, flops = event.params, event.flops
                    if resume_step is not None:  # the points after the checkpoint are replayed from it
                        self.store.truncate_metrics(self.run_id, after_step=resume_step)
                elif isinstance(event, Failed) and before is not None and not started:
                    final = self._resume_failed(event.reason, before)
                    yield final
                    break
                self._dispatch(event)
                yield event
                if isinstance(event, (Finished, Failed)):
                    final = event
        except GeneratorExit:
            # The consumer abandoned the run (e.g. the window closed without a stop request).
            if recorded:
                try:
                    if before is not None and not started:
                        self.store.update_run(self.run_id, **before)
                    else:
                        if self._writer:
                            self._writer.flush()
                        self.store.set_status(self.run_id, "interrupted", "the run was abandoned before it finished")
                except StoreError:
                    pass  # nothing more can be recorded; the next open finds the run's process gone
            raise
        except Exception as exc:  # a bug or an unexpected data error: record it, never lose the run
            reason = failure_reason(exc, checkpoint_dir)
            if recorded and self.store.read_only:
                final = self._report(Failed("failed", reason))
            elif before is not None and not started:
                final = self._resume_failed(reason, before)
            else:
                from engines.core.checkpoint import NO_SPACE

                full_disk = reason.startswith(NO_SPACE)
                if not (full_disk or _expected(exc)) and self.run_id is not None and self.info.is_main:
                    self._write_error_log(traceback.format_exc())
                final = self._record_failure(Failed("failed", reason))
            yield final
        finally:
            if stream is not None:
                stream.close()
        seconds = time.perf_counter() - start
        self.outcome = self._outcome(final, params, flops, seconds)
        if self.control.discard and self.store is not None and self.run_id is not None:
            self.discard()

    def _write_error_log(self, text: str) -> None:
        """The traceback of an unexpected failure, for a bug report; a disk that cannot take it costs only the log."""
        try:
            log = paths.run_dir(self.run_id) / "error.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(text, encoding="utf-8")
        except (OSError, StoreError):
            pass

    def _record_failure(self, failed: Failed) -> Failed:
        """Record and dispatch ``failed``; where the store cannot take it (a full disk), the reason says so."""
        if self._writer is not None:
            try:
                self._writer.on_event(failed)
            except StoreError as exc:
                if str(exc) not in failed.reason:
                    failed = dataclasses.replace(
                        failed, reason=f"{failed.reason}; the run could not be marked {failed.status}: {exc}")
        for callback in self.callbacks:
            callback.on_event(failed)
        return failed

    def _resume_failed(self, reason: str, before: dict[str, Any]) -> Failed:
        """Report a resume that failed before training started and put the run's record back as it was."""
        status = before.get("status") or "unknown"
        message = f"could not resume; the run is left as it was ({status}): {reason}"
        self._left_unchanged = True
        try:
            self.store.update_run(self.run_id, **before)
        except StoreError as exc:
            message += f"; restoring its record failed: {exc}"
        return self._report(Failed("failed", message))

    def _report(self, failed: Failed) -> Failed:
        """Tell the callbacks (the progress bar, the window) of ``failed`` without recording it."""
        for callback in self.callbacks:
            callback.on_event(failed)
        return failed

    def _dispatch(self, event: Event) -> None:
        if self._writer is not None:
            self._writer.on_event(event)
        for callback in self.callbacks:
            callback.on_event(event)

    def _outcome(self, final, params, flops, seconds) -> Outcome:
        if isinstance(final, Finished):
            return Outcome(self.run_id, final.status, dict(final.summary.get("metrics", {})),
                           params, flops, seconds)
        if isinstance(final, Failed):
            return Outcome(self.run_id, final.status, {}, params, flops, seconds, final.reason,
                           left_unchanged=self._left_unchanged)
        return Outcome(self.run_id, "interrupted", {}, params, flops, seconds, "no final event")

    def discard(self) -> None:
        """Cancel-and-discard: the run and its files are removed."""
        shutil.rmtree(paths.run_dir(self.run_id), ignore_errors=True)
        self.store.delete_run(self.run_id)
        if self.outcome is not None:
            self.outcome.status = "cancelled"

    def run(self) -> Outcome:
        for _ in self.events():
            pass
        assert self.outcome is not None
        return self.outcome


def _expected(exc: BaseException) -> bool:
    """Failures with their own clear message (a store, a checkpoint, a full disk): no traceback is kept."""
    from engines.core.checkpoint import CheckpointError

    return isinstance(exc, (StoreError, CheckpointError)) or disk_full(exc)


def failure_reason(exc: BaseException, checkpoint_dir: str | os.PathLike | None = None) -> str:
    """One line for an exception that ended a run; a full disk names the file that could not be written
    (a failed checkpoint write arrives as a CheckpointError that names it already)."""
    from engines.core.checkpoint import NO_SPACE, CheckpointError

    if isinstance(exc, (StoreError, CheckpointError)):  # these name their file already
        return str(exc)
    if disk_full(exc):
        return f"{NO_SPACE} while writing {exc.filename or checkpoint_dir or 'a file'}"
    return f"{type(exc).__name__}: {exc}"


def can_resume(status: str) -> bool:
    return status in RESUMABLE_STATUSES


ProgressFactory = Callable[[], Callback]
