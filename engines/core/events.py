"""Typed events yielded by every task's ``fit`` generator.

The same stream drives the CLI progress bar, the run store writer, ``torchrun``
jobs and the Qt worker, so events carry plain Python values only (no tensors,
no modules): they are cheap to copy across threads and to serialise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Started:
    task: str
    model: str
    dataset: str
    device: str
    params: int
    flops: int
    epochs: int
    steps_per_epoch: int
    start_epoch: int
    start_step: int
    world_size: int = 1


@dataclass(frozen=True)
class StepDone:
    step: int
    epoch: int
    loss: float
    lr: float
    samples: int
    wall_time: float
    epoch_progress: float = 0.0  # fractional epochs completed, for plotting against epochs


@dataclass(frozen=True)
class EpochDone:
    epoch: int
    step: int
    metrics: Mapping[str, float]
    wall_time: float


@dataclass(frozen=True)
class CheckpointSaved:
    path: str
    epoch: int
    step: int


@dataclass(frozen=True)
class Paused:
    step: int


@dataclass(frozen=True)
class Resumed:
    step: int


@dataclass(frozen=True)
class Finished:
    """The loop ended normally (``status="finished"``) or on request (``"stopped"``)."""

    status: str
    epoch: int
    step: int
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    """The loop could not go on: ``status`` is ``"diverged"`` or ``"failed"``."""

    status: str
    reason: str
    epoch: int = 0
    step: int = 0


Event = Started | StepDone | EpochDone | CheckpointSaved | Paused | Resumed | Finished | Failed
TERMINAL = (Finished, Failed)
