"""Runs one training job through a task's ``fit`` generator and fans its events out.

The CLI, ``torchrun`` ranks and the Qt worker all go through
:class:`TrainingSession`; the extras (store writer, progress bar, UI bridge)
are callbacks that subscribe to events and know nothing of each other.
"""
from __future__ import annotations

import dataclasses
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
from workbench.store import RESUMABLE_STATUSES, RunStore, StoreError


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

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "metrics": self.metrics,
            "params": self.params,
            "flops": self.flops,
            "seconds": round(self.seconds, 3),
            **({"message": self.message} if self.message else {}),
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
    run = store.get_run(run_id)
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
        try:
            resume_from = self._resume_checkpoint()
            if self.store is not None and self.run_id is not None:
                if resume_from is not None:
                    from engines.core.checkpoint import load_checkpoint

                    step = int(load_checkpoint(resume_from)["step"])
                    self.store.truncate_metrics(self.run_id, after_step=step)
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
                    params, flops = event.params, event.flops
                self._dispatch(event)
                yield event
                if isinstance(event, (Finished, Failed)):
                    final = event
        except GeneratorExit:
            # The consumer abandoned the run (e.g. the window closed without a stop request).
            if self.store is not None and self.run_id is not None:
                if self._writer:
                    self._writer.flush()
                self.store.set_status(self.run_id, "interrupted", "the run was abandoned before it finished")
            raise
        except Exception as exc:  # a bug or an unexpected data error: record it, never lose the run
            reason = f"{type(exc).__name__}: {exc}"
            final = Failed("failed", reason)
            if self.run_id is not None and self.info.is_main:
                log = paths.run_dir(self.run_id) / "error.log"
                log.parent.mkdir(parents=True, exist_ok=True)
                log.write_text(traceback.format_exc(), encoding="utf-8")
            self._dispatch(final)
            yield final
        seconds = time.perf_counter() - start
        self.outcome = self._outcome(final, params, flops, seconds)
        if self.control.discard and self.store is not None and self.run_id is not None:
            self.discard()

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
            return Outcome(self.run_id, final.status, {}, params, flops, seconds, final.reason)
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


def can_resume(status: str) -> bool:
    return status in RESUMABLE_STATUSES


ProgressFactory = Callable[[], Callback]
