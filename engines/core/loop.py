"""The supervised training loop every task shares, as a generator of events.

A task supplies a :class:`Problem` (model, datasets, how to compute the loss
and how to score a test batch, and the :class:`LoopHook` extras it wants);
this module owns seeding, device placement, DDP, data order, stop/pause,
divergence detection, checkpoints and resume.

A run is a short sequence of steps over one :class:`LoopState`: start
(:func:`_start`) or restore a checkpoint (:func:`_restore`), then per epoch
train (:func:`_train_epoch`), score (:func:`_score_epoch`) and checkpoint
(:func:`_save_checkpoint`), and finally summarise (:func:`_finished_summary`).
"""
from __future__ import annotations

import contextlib
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterator, Mapping

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, DistributedSampler, Subset

from engines.core.checkpoint import load_checkpoint, save_checkpoint
from engines.core.config import ConfigError, TrainConfig
from engines.core.control import RunControl
from engines.core.device import native_bf16, resolve_device
from engines.core.distributed import DistInfo, all_reduce_sum, init_process_group
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
from engines.core.seeding import capture_rng_state, restore_rng_state, seed_everything
from engines.core.summary import count_flops, count_parameters, measure_latency_ms

CHECKPOINT_NAME = "last.pt"


class LoopHook:
    """An extra a task plugs into the loop through ``Problem.hooks``; it overrides the points it needs.

    Hooks read the run's :class:`LoopState`, do not know each other, and draw nothing from the global
    RNG (a resumed run would no longer repeat the straight one exactly).
    """

    def on_epoch_end(self, state: LoopState, metrics: dict[str, float]) -> None:
        """An epoch was scored (every process; ``state.epoch`` counts it already). A hook may add its own
        figures to ``metrics``: they are recorded with the epoch's points."""

    def after_checkpoint(self, state: LoopState, path: Path) -> None:
        """``last.pt`` was just written to ``path`` (main process only) at the state's epoch and batch."""

    def on_finish(self, state: LoopState) -> Mapping[str, Any]:
        """Training finished (not stopped). Returns extra summary entries: a ``"metrics"`` mapping is
        merged into the summary's metrics, every other key is added beside them."""
        return {}


class EpochWeights(LoopHook):
    """Keeps the model weights of every epoch end beside ``last.pt`` as ``epoch_N.pt``.

    Tasks enable it from their ``keep_epoch_weights`` field. Weights only (no optimizer state): enough
    for load_trained_model, a fraction of the size.
    """

    def after_checkpoint(self, state: LoopState, path: Path) -> None:
        if state.batch_in_epoch != 0:
            return  # a mid-epoch stop: not an epoch's weights
        config = state.config
        save_checkpoint({"task": config.task, "config": config.to_dict(), "model_spec": state.problem.model_spec,
                         "model": state.model.state_dict(), "epoch": state.epoch, "step": state.step},
                        path.with_name(f"epoch_{state.epoch}.pt"))


@dataclass
class Problem:
    """What a task hands the loop.

    ``train_loss(model, batch, device)`` returns ``(loss, batch_size)``;
    ``eval_sums(model, batch, device)`` returns additive sums (for example
    ``{"loss": ..., "correct": ..., "count": ...}``) that ``finalize`` turns into
    metrics once every batch (and, under DDP, every process) has been added up.
    ``hooks`` are the task's extras (:class:`LoopHook`), called in this order.
    """

    model: nn.Module
    train_set: Dataset
    test_set: Dataset
    input_shape: tuple[int, ...]
    dataset_name: str
    train_loss: Callable[[nn.Module, Any, torch.device], tuple[torch.Tensor, int]]
    eval_sums: Callable[[nn.Module, Any, torch.device], Mapping[str, float]]
    finalize: Callable[[Mapping[str, float]], dict[str, float]]
    primary_metric: str
    higher_is_better: bool = True
    model_spec: dict[str, Any] | None = None  # {"name": ..., "options": {...}} to rebuild the model later
    hooks: list[LoopHook] = field(default_factory=list)


@dataclass
class LoopState:
    """Where a run stands: the loop's steps advance it, hooks read it."""

    config: TrainConfig
    problem: Problem
    device: torch.device
    info: DistInfo
    control: RunControl
    optimizer: torch.optim.Optimizer
    scheduler: Any
    channels_last: bool
    params: int
    flops: int
    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps taken
    batch_in_epoch: int = 0  # batches of the current epoch already trained
    best: float | None = None  # best value of the primary metric so far
    last_metrics: dict[str, float] = field(default_factory=dict)  # the latest epoch's
    checkpoint_path: Path | None = None  # where ``last.pt`` goes (None: a run without checkpoints)

    @property
    def model(self) -> nn.Module:
        """The task's model itself (never its DDP wrapper)."""
        return self.problem.model


def _loader_generator(seed: int, epoch: int) -> torch.Generator:
    """A private generator for DataLoader's worker seeds.

    Without it, creating a DataLoader iterator draws from the global torch RNG,
    which would shift dropout/augmentation randomness after a resume.
    """
    return torch.Generator().manual_seed(seed * 100_003 + epoch)


def _make_optimizer(config: TrainConfig, params) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)


def _make_scheduler(config: TrainConfig, optimizer):
    if config.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=config.epochs)
    if config.scheduler == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=config.step_size, gamma=0.1)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _epoch: 1.0)


def fresh_training_state(config: TrainConfig, model: nn.Module) -> dict[str, Any]:
    """A new optimizer and scheduler for ``model`` and the RNG state ``config.seed`` gives, in checkpoint form
    (epoch 0 of a run), for weights trained elsewhere (imported or shipped): ``resume`` then fine-tunes them
    like a run that had just started. The process's global RNG is left as it was."""
    optimizer = _make_optimizer(config, model.parameters())
    scheduler = _make_scheduler(config, optimizer)
    saved = capture_rng_state()
    try:
        seed_everything(config.seed)
        rng = capture_rng_state()
    finally:
        restore_rng_state(saved)
    return {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng,
            "batch_in_epoch": 0, "best": None}


def _use_channels_last(config: TrainConfig, device: torch.device, input_shape) -> bool:
    if len(input_shape) != 3 or config.channels_last == "off":
        return False
    if config.channels_last == "on":
        return True
    # NHWC speeds up convolutions on CPU (oneDNN) and on CUDA tensor cores; MPS gains nothing.
    return device.type in ("cpu", "cuda")


def to_device(batch, device: torch.device, channels_last: bool):
    moved = []
    for item in batch:
        if isinstance(item, torch.Tensor):
            item = item.to(device, non_blocking=True)
            if channels_last and item.dim() == 4:
                item = item.contiguous(memory_format=torch.channels_last)
        moved.append(item)
    return moved


def evaluate(problem: Problem, model: nn.Module, device: torch.device, *, batch_size: int,
             info: DistInfo | None = None, channels_last: bool = False) -> dict[str, float]:
    """Score the test split; under DDP each process takes every ``world_size``-th sample."""
    info = info or DistInfo()
    test_set = problem.test_set
    if info.enabled:
        test_set = Subset(test_set, range(info.rank, len(test_set), info.world_size))
    loader = DataLoader(test_set, batch_size=batch_size, shuffle=False, generator=_loader_generator(0, 0))
    totals: dict[str, float] = {}
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for batch in loader:
            sums = problem.eval_sums(model, to_device(batch, device, channels_last), device)
            for key, value in sums.items():
                totals[key] = totals.get(key, 0.0) + float(value)
    model.train(was_training)
    keys = sorted(totals)
    reduced = all_reduce_sum([totals[k] for k in keys], device)
    return problem.finalize(dict(zip(keys, reduced)))


def run_training(
    config: TrainConfig,
    build_problem: Callable[[TrainConfig], Problem],
    *,
    control: RunControl | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    resume_from: str | os.PathLike | None = None,
) -> Iterator[Event]:
    """Train ``config`` and yield events; never raises for expected failures.

    Bad configuration and data errors end the stream with ``Failed("failed", reason)``.
    """
    control = control or RunControl()
    info = DistInfo.from_env()
    created_group = False
    try:
        config.validate()
        if config.threads:
            torch.set_num_threads(config.threads)
        device = resolve_device(config.device, local_rank=info.local_rank)
        if config.precision == "bf16" and not native_bf16(device):
            raise ConfigError(f"precision=bf16 needs native bf16 (a recent GPU, or a CPU with AVX-512 BF16 or AMX), "
                              f"which {device} lacks: emulated bf16 trains slower than fp32; use precision=fp32")
        created_group = init_process_group(info, device)
        seed_everything(config.seed)
        problem = build_problem(config)
    except (ConfigError, ValueError, KeyError, OSError) as exc:
        yield Failed("failed", str(exc))
        return
    try:
        yield from _train(config, problem, device, info, control, checkpoint_dir, resume_from)
    finally:
        if created_group:
            torch.distributed.destroy_process_group()


def _train(config: TrainConfig, problem: Problem, device: torch.device, info: DistInfo, control: RunControl,
           checkpoint_dir, resume_from) -> Iterator[Event]:
    state = _start(config, problem, device, info, control)
    if resume_from is not None:
        _restore(state, resume_from)
    train_model = _model_to_train(problem.model, device, info)
    sampler = DistributedSampler(
        problem.train_set, num_replicas=info.world_size, rank=info.rank, shuffle=True, seed=config.seed
    )
    steps_per_epoch = math.ceil(len(sampler) / config.batch_size)
    yield Started(
        task=config.task, model=config.model, dataset=problem.dataset_name, device=str(device),
        params=state.params, flops=state.flops, epochs=config.epochs, steps_per_epoch=steps_per_epoch,
        start_epoch=state.epoch, start_step=state.step, world_size=info.world_size,
    )
    checkpoint_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None
    state.checkpoint_path = checkpoint_path

    while state.epoch < config.epochs:
        run = yield from _train_epoch(state, train_model, sampler, steps_per_epoch)
        if run.ended == "diverged":
            return  # _train_epoch yielded the Failed event
        if run.ended == "stopped":
            yield from _save_checkpoint(state, checkpoint_path)
            yield Finished("stopped", state.epoch, state.step, _summary(state))
            return
        metrics = _score_epoch(state, run)
        yield EpochDone(state.epoch, state.step, dict(metrics), time.time())
        at_max_steps = run.ended == "max_steps"
        if state.epoch % config.checkpoint_every == 0 or state.epoch >= config.epochs or at_max_steps:
            yield from _save_checkpoint(state, checkpoint_path)
        if at_max_steps:
            break
    yield Finished("finished", state.epoch, state.step, _finished_summary(state))


def _start(config: TrainConfig, problem: Problem, device: torch.device, info: DistInfo,
           control: RunControl) -> LoopState:
    """Measure the model, place it on ``device`` and give it a fresh optimizer and scheduler: epoch 0."""
    model = problem.model
    params = count_parameters(model)
    flops = count_flops(model, problem.input_shape)
    channels_last = _use_channels_last(config, device, problem.input_shape)
    if device.type == "cuda":
        # Batches keep one shape, so cuDNN's per-shape algorithm search pays for itself after a few steps.
        torch.backends.cudnn.benchmark = True
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = _make_optimizer(config, model.parameters())
    return LoopState(config=config, problem=problem, device=device, info=info, control=control,
                     optimizer=optimizer, scheduler=_make_scheduler(config, optimizer),
                     channels_last=channels_last, params=params, flops=flops)


def _restore(state: LoopState, path: str | os.PathLike) -> None:
    """Continue where a checkpoint left off: weights, optimizer, scheduler, RNG, position and best score."""
    saved = load_checkpoint(path, map_location=state.device)
    # A run whose result weights are not its last ones (a task's selection rule) keeps the last ones to go on
    # training from under "training_model".
    state.model.load_state_dict(saved.get("training_model", saved["model"]))
    state.optimizer.load_state_dict(saved["optimizer"])
    state.scheduler.load_state_dict(saved["scheduler"])
    restore_rng_state(saved["rng"])
    state.epoch, state.step, state.batch_in_epoch = saved["epoch"], saved["step"], saved["batch_in_epoch"]
    state.best = saved.get("best")


def _model_to_train(model: nn.Module, device: torch.device, info: DistInfo) -> nn.Module:
    """The model itself, or under DDP its wrapper (which all-reduces the gradients)."""
    if not info.enabled:
        return model
    ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=ids)


@dataclass
class _EpochRun:
    """How a pass over an epoch's batches ended ("done", "max_steps", "stopped" or "diverged"), and its
    training loss and sample count for the epoch's metrics."""

    ended: str = "done"
    loss_sum: float = 0.0
    seen: int = 0
    seconds: float = 0.0


def batch_iterator(dataset: Dataset, batches: list[list[int]], *, num_workers: int = 0,
                   generator: torch.Generator | None = None) -> Iterator:
    """The training batches of ``dataset`` for these index lists.

    A dataset with a ``batch(indices)`` method (one gather for the whole batch, the same values the
    DataLoader's default collate would build) is read through it when there are no worker processes;
    every other dataset, and any with workers, through a ``DataLoader``.
    """
    fetch = getattr(dataset, "batch", None)
    if callable(fetch) and num_workers == 0:
        return (fetch(indices) for indices in batches)
    return iter(DataLoader(dataset, batch_sampler=batches, num_workers=num_workers, generator=generator))


def _train_epoch(state: LoopState, train_model: nn.Module, sampler: DistributedSampler,
                 steps_per_epoch: int) -> Generator[Event, None, _EpochRun]:
    """Train the current epoch's remaining batches, honouring stop and pause between them."""
    config, control, device = state.config, state.control, state.device
    sampler.set_epoch(state.epoch)
    # Data order depends only on (seed, epoch), so a resumed epoch skips the batches already seen.
    batches = list(BatchSampler(sampler, config.batch_size, drop_last=False))[state.batch_in_epoch:]
    batch_iter = batch_iterator(state.problem.train_set, batches, num_workers=config.num_workers,
                                generator=_loader_generator(config.seed, state.epoch))
    train_model.train()
    run = _EpochRun()
    started = time.perf_counter()
    while True:
        # Stop and pause are honoured before the next batch is drawn, so a resumed run
        # draws exactly the batches (and augmentation randomness) the straight run would.
        if control.paused:
            yield Paused(state.step)
            control.wait_while_paused()
            yield Resumed(state.step)
        if control.should_stop():
            run.ended = "stopped"
            return run
        try:
            batch = next(batch_iter)
        except StopIteration:
            break
        with _autocast(config, device):
            loss, n = state.problem.train_loss(train_model, to_device(batch, device, state.channels_last), device)
        state.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        # Read after the backward pass is queued, not before: on a GPU the host then queues the backward kernels
        # while the forward ones run instead of waiting for the loss first. A non-finite loss still stops the run
        # before the optimizer step, so the weights never take it.
        loss_value = _loss_all_agree_on(loss, state.info, device)
        if not math.isfinite(loss_value):
            yield Failed(
                "diverged",
                f"training diverged: loss became {loss_value} at step {state.step + 1} (epoch {state.epoch + 1})",
                state.epoch,
                state.step + 1,
            )
            run.ended = "diverged"
            return run
        state.optimizer.step()
        state.step += 1
        state.batch_in_epoch += 1
        run.loss_sum += loss_value * n
        run.seen += n
        yield StepDone(state.step, state.epoch, loss_value, state.optimizer.param_groups[0]["lr"],
                       n * state.info.world_size, time.time(), state.epoch + state.batch_in_epoch / steps_per_epoch)
        if config.max_steps and state.step >= config.max_steps:
            run.ended = "max_steps"
            break
    run.seconds = time.perf_counter() - started
    return run


def _autocast(config: TrainConfig, device: torch.device):
    """bf16 autocast around a training step's forward pass when ``precision`` asks for it (checked against the
    device when the run starts), else nothing; the backward pass follows autocast's choices by itself."""
    if config.precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _loss_all_agree_on(loss: torch.Tensor, info: DistInfo, device: torch.device) -> float:
    """The batch loss as a number; under DDP the mean over processes."""
    loss_value = loss.detach()
    if info.enabled:
        # Every process must agree on divergence, or the others would hang in the next all-reduce.
        loss_value = torch.tensor(all_reduce_sum([float(loss_value)], device)[0] / info.world_size)
    return float(loss_value)


def _score_epoch(state: LoopState, run: _EpochRun) -> dict[str, float]:
    """Close the epoch: step the schedule, score the test split, add the training figures, keep the best."""
    config, problem, device = state.config, state.problem, state.device
    lr = state.optimizer.param_groups[0]["lr"]
    state.scheduler.step()
    metrics = evaluate(problem, state.model, device, batch_size=max(config.batch_size, 64), info=state.info,
                       channels_last=state.channels_last)
    totals = all_reduce_sum([run.loss_sum, float(run.seen)], device)
    metrics["train_loss"] = totals[0] / max(totals[1], 1.0)
    metrics["lr"] = lr
    metrics["throughput"] = totals[1] / run.seconds if run.seconds > 0 else 0.0
    metrics["epoch_seconds"] = run.seconds
    primary = metrics.get(problem.primary_metric)
    if primary is not None and (state.best is None or (primary > state.best) == problem.higher_is_better):
        state.best = primary
    state.epoch += 1
    state.batch_in_epoch = 0
    for hook in problem.hooks:
        hook.on_epoch_end(state, metrics)
    state.last_metrics = metrics
    return metrics


def _save_checkpoint(state: LoopState, path: Path | None) -> Iterator[Event]:
    """Write ``last.pt`` at the state's position (main process only), then let the hooks add their files."""
    if path is None or not state.info.is_main:
        return
    save_checkpoint(
        {
            "task": state.config.task,
            "config": state.config.to_dict(),
            "model_spec": state.problem.model_spec,
            "model": state.model.state_dict(),
            "optimizer": state.optimizer.state_dict(),
            "scheduler": state.scheduler.state_dict(),
            "rng": capture_rng_state(),
            "epoch": state.epoch,
            "batch_in_epoch": state.batch_in_epoch,
            "step": state.step,
            "best": state.best,
        },
        path,
    )
    yield CheckpointSaved(str(path), state.epoch, state.step)
    for hook in state.problem.hooks:
        hook.after_checkpoint(state, path)


def _summary(state: LoopState) -> dict[str, Any]:
    summary: dict[str, Any] = {"metrics": dict(state.last_metrics), "params": state.params, "flops": state.flops}
    if state.best is not None:
        summary["metrics"][f"best_{state.problem.primary_metric}"] = state.best
    return summary


def _finished_summary(state: LoopState) -> dict[str, Any]:
    """The summary of a run that finished: its latency and what the hooks add."""
    summary = _summary(state)
    # Noisy (timed on a busy machine), so reported beside runs, never asserted on.
    summary["metrics"]["latency_ms"] = measure_latency_ms(state.model, state.problem.input_shape,
                                                          device=state.device, channels_last=state.channels_last)
    for hook in state.problem.hooks:
        extra = dict(hook.on_finish(state))
        summary["metrics"].update(extra.pop("metrics", {}))
        summary.update(extra)
    return summary
