"""The supervised training loop every task shares, as a generator of events.

A task supplies a :class:`Problem` (model, datasets, how to compute the loss
and how to score a test batch); this module owns seeding, device placement,
DDP, data order, stop/pause, divergence detection, checkpoints and resume.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, DistributedSampler, Subset

from engines.core.checkpoint import load_checkpoint, save_checkpoint
from engines.core.config import ConfigError, TrainConfig
from engines.core.control import RunControl
from engines.core.device import resolve_device
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


@dataclass
class Problem:
    """What a task hands the loop.

    ``train_loss(model, batch, device)`` returns ``(loss, batch_size)``;
    ``eval_sums(model, batch, device)`` returns additive sums (for example
    ``{"loss": ..., "correct": ..., "count": ...}``) that ``finalize`` turns into
    metrics once every batch (and, under DDP, every process) has been added up.
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
        created_group = init_process_group(info, device)
        seed_everything(config.seed)
        problem = build_problem(config)
    except (ConfigError, ValueError, KeyError, OSError) as exc:
        yield Failed("failed", str(exc) if not isinstance(exc, KeyError) else str(exc))
        return
    try:
        yield from _train(config, problem, device, info, control, checkpoint_dir, resume_from)
    finally:
        if created_group:
            torch.distributed.destroy_process_group()


def _train(config, problem: Problem, device, info: DistInfo, control: RunControl,
           checkpoint_dir, resume_from) -> Iterator[Event]:
    model = problem.model
    params = count_parameters(model)
    flops = count_flops(model, problem.input_shape)
    channels_last = _use_channels_last(config, device, problem.input_shape)
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = _make_optimizer(config, model.parameters())
    scheduler = _make_scheduler(config, optimizer)

    epoch, step, batch_in_epoch = 0, 0, 0
    best: float | None = None
    if resume_from is not None:
        state = load_checkpoint(resume_from, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        restore_rng_state(state["rng"])
        epoch, step, batch_in_epoch = state["epoch"], state["step"], state["batch_in_epoch"]
        best = state.get("best")

    train_model: nn.Module = model
    if info.enabled:
        ids = [device.index] if device.type == "cuda" else None
        train_model = nn.parallel.DistributedDataParallel(model, device_ids=ids)

    sampler = DistributedSampler(
        problem.train_set, num_replicas=info.world_size, rank=info.rank, shuffle=True, seed=config.seed
    )
    steps_per_epoch = math.ceil(len(sampler) / config.batch_size)
    yield Started(
        task=config.task, model=config.model, dataset=problem.dataset_name, device=str(device),
        params=params, flops=flops, epochs=config.epochs, steps_per_epoch=steps_per_epoch,
        start_epoch=epoch, start_step=step, world_size=info.world_size,
    )

    ckpt_path = Path(checkpoint_dir) / CHECKPOINT_NAME if checkpoint_dir is not None else None

    def checkpoint(epoch_: int, batch_: int) -> Iterator[Event]:
        if ckpt_path is None or not info.is_main:
            return
        save_checkpoint(
            {
                "task": config.task,
                "config": config.to_dict(),
                "model_spec": problem.model_spec,
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": capture_rng_state(),
                "epoch": epoch_,
                "batch_in_epoch": batch_,
                "step": step,
                "best": best,
            },
            ckpt_path,
        )
        yield CheckpointSaved(str(ckpt_path), epoch_, step)
        if batch_ == 0 and getattr(config, "keep_epoch_weights", False):
            # Weights only (no optimizer state): enough for load_trained_model, a fraction of the size.
            save_checkpoint({"task": config.task, "config": config.to_dict(), "model_spec": problem.model_spec,
                             "model": model.state_dict(), "epoch": epoch_, "step": step},
                            ckpt_path.with_name(f"epoch_{epoch_}.pt"))

    last_metrics: dict[str, float] = {}
    stop_at_max = False
    while epoch < config.epochs and not stop_at_max:
        sampler.set_epoch(epoch)
        # Data order depends only on (seed, epoch), so a resumed epoch skips the batches already seen.
        batches = list(BatchSampler(sampler, config.batch_size, drop_last=False))[batch_in_epoch:]
        loader = DataLoader(problem.train_set, batch_sampler=batches, num_workers=config.num_workers,
                            generator=_loader_generator(config.seed, epoch))
        train_model.train()
        epoch_start = time.perf_counter()
        loss_sum = 0.0
        seen = 0
        batch_iter = iter(loader)
        while True:
            # Stop and pause are honoured before the next batch is drawn, so a resumed run
            # draws exactly the batches (and augmentation randomness) the straight run would.
            if control.paused:
                yield Paused(step)
                control.wait_while_paused()
                yield Resumed(step)
            if control.should_stop():
                yield from checkpoint(epoch, batch_in_epoch)
                yield Finished("stopped", epoch, step, _summary(problem, last_metrics, best, params, flops))
                return
            try:
                batch = next(batch_iter)
            except StopIteration:
                break
            batch = to_device(batch, device, channels_last)
            loss, n = problem.train_loss(train_model, batch, device)
            loss_value = loss.detach()
            if info.enabled:
                # Every process must agree on divergence, or the others would hang in the next all-reduce.
                loss_value = torch.tensor(all_reduce_sum([float(loss_value)], device)[0] / info.world_size)
            loss_value = float(loss_value)
            if not math.isfinite(loss_value):
                yield Failed(
                    "diverged",
                    f"training diverged: loss became {loss_value} at step {step + 1} (epoch {epoch + 1})",
                    epoch,
                    step + 1,
                )
                return
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            batch_in_epoch += 1
            loss_sum += loss_value * n
            seen += n
            yield StepDone(step, epoch, loss_value, optimizer.param_groups[0]["lr"], n * info.world_size,
                           time.time(), epoch + batch_in_epoch / steps_per_epoch)
            if config.max_steps and step >= config.max_steps:
                stop_at_max = True
                break
        elapsed = time.perf_counter() - epoch_start
        lr = optimizer.param_groups[0]["lr"]
        scheduler.step()
        metrics = evaluate(problem, model, device, batch_size=max(config.batch_size, 64), info=info,
                           channels_last=channels_last)
        totals = all_reduce_sum([loss_sum, float(seen)], device)
        metrics["train_loss"] = totals[0] / max(totals[1], 1.0)
        metrics["lr"] = lr
        metrics["throughput"] = totals[1] / elapsed if elapsed > 0 else 0.0
        metrics["epoch_seconds"] = elapsed
        primary = metrics.get(problem.primary_metric)
        if primary is not None and (best is None or (primary > best) == problem.higher_is_better):
            best = primary
        last_metrics = metrics
        epoch += 1
        batch_in_epoch = 0
        yield EpochDone(epoch, step, dict(metrics), time.time())
        if epoch % config.checkpoint_every == 0 or epoch >= config.epochs or stop_at_max:
            yield from checkpoint(epoch, 0)
    summary = _summary(problem, last_metrics, best, params, flops)
    # Noisy (timed on a busy machine), so reported beside runs, never asserted on.
    summary["metrics"]["latency_ms"] = measure_latency_ms(model, problem.input_shape, device=device,
                                                          channels_last=channels_last)
    yield Finished("finished", epoch, step, summary)


def _summary(problem: Problem, metrics: Mapping[str, float], best, params: int, flops: int) -> dict[str, Any]:
    summary: dict[str, Any] = {"metrics": dict(metrics), "params": params, "flops": flops}
    if best is not None:
        summary["metrics"][f"best_{problem.primary_metric}"] = best
    return summary
