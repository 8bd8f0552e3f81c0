"""``workbench bench classify``: training speed of the project's loop against a plain loop, and inference cost.

1. Training images/s for ``mobilenet_v1`` and ``mobilenet_v2`` (batch 128, 32×32, SGD 0.1 / momentum
   0.9 / wd 5e-4) through the project's training path (``engines.core.loop.run_training``: NHWC
   on CPU, the loop's device and optimiser handling) against a reference loop in the same
   process that trains the same architecture the plain way (eager, NCHW, fp32, the course
   code's loop). Same seed, same initial weights, same batches in the same order. The only
   optimisation that changes numerics is the channels-last layout (oneDNN picks other
   convolution kernels, so sums run in another order: ~1e-6 differences, which SGD at lr 0.1
   amplifies within a few steps); the first 20 losses are therefore compared with the workbench
   loop's NHWC switched off, where the math is the same, and the NHWC losses are reported beside.
   Runs alternate and the median is reported, because the machine may be shared.
2. Inference latency per image at batch 1 and batch 256 for every registered classifier (eval
   mode, no grad, channels-last as the loop uses on CPU), with parameters and FLOPs.

Speed is reported, never asserted by tests (house style 13).
"""
from __future__ import annotations

import os
import platform
import statistics
import time
from typing import Callable

GOALS = {"mobilenet_v2": 2.0, "mobilenet_v1": 1.3}


class BenchError(RuntimeError):
    """The benchmark could not measure what it meant to (a training loop failed)."""


BATCH = 128
LOSS_STEPS = 20
LOSS_TOLERANCE = 1e-3
SEED = 0


def _synthetic(n: int, seed: int):
    import torch
    from torch.utils.data import TensorDataset

    g = torch.Generator().manual_seed(seed)
    return TensorDataset(torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g))


def _config(model: str, steps: int, channels_last: str = "auto"):
    from engines.core.tasks import make_config

    # data: a registered classify dataset so the config validates; build_problem below feeds synthetic tensors.
    return make_config("classify", model=model, data="digits", epochs=1, batch_size=BATCH, optimizer="sgd",
                       lr=0.1, momentum=0.9, weight_decay=5e-4, scheduler="none", seed=SEED, max_steps=steps,
                       device="cpu", channels_last=channels_last)


def _batches(train_set, steps: int) -> list[list[int]]:
    """The loop's batch order for epoch 0 (DistributedSampler with one replica, seeded)."""
    from torch.utils.data import BatchSampler, DistributedSampler

    sampler = DistributedSampler(train_set, num_replicas=1, rank=0, shuffle=True, seed=SEED)
    sampler.set_epoch(0)
    return list(BatchSampler(sampler, BATCH, drop_last=False))[:steps]


def _rate(times: list[float], warmup: int) -> float:
    """Images/s over the steps after ``warmup`` (``times[i]`` = when step i finished; times[0] = start)."""
    span = times[-1] - times[warmup]
    return BATCH * (len(times) - 1 - warmup) / span if span > 0 else 0.0


def reference_loop(model_name: str, train_set, steps: int, warmup: int) -> tuple[list[float], float]:
    """The course code's loop: eager, NCHW, fp32, SGD; returns (losses, images/s)."""
    import torch
    import torch.nn.functional as F
    from torch.utils.data import DataLoader

    from engines.core.seeding import seed_everything
    from engines.models import build_model

    seed_everything(SEED)
    model = build_model(model_name, num_classes=10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    model.train()
    losses, times = [], [time.perf_counter()]
    for x, y in DataLoader(train_set, batch_sampler=_batches(train_set, steps)):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        times.append(time.perf_counter())
    return losses, _rate(times, warmup)


def project_loop(model_name: str, train_set, steps: int, warmup: int,
                 channels_last: str = "auto") -> tuple[list[float], float]:
    """The workbench's training path (the generator every run goes through); returns (losses, images/s)."""
    from engines.core.events import Failed, StepDone
    from engines.core.loop import Problem, run_training
    from engines.labs.classify.task import _eval_sums, _finalize, _train_loss
    from engines.models import build_model

    test_set = _synthetic(BATCH, SEED + 1)

    def build_problem(config):
        model = build_model(config.model, num_classes=10)  # after the loop's seed_everything, as in the task
        return Problem(model=model, train_set=train_set, test_set=test_set, input_shape=(3, 32, 32),
                       dataset_name="synthetic", train_loss=_train_loss(0.0), eval_sums=_eval_sums,
                       finalize=_finalize, primary_metric="test_accuracy")

    losses, times = [], [time.perf_counter()]
    for event in run_training(_config(model_name, steps, channels_last), build_problem):
        if isinstance(event, StepDone):
            losses.append(event.loss)
            times.append(time.perf_counter())
        elif isinstance(event, Failed):
            raise BenchError(f"{model_name}: the workbench loop failed: {event.reason}")
    return losses, _rate(times, warmup)


def training_figures(model_name: str, *, steps: int, warmup: int, rounds: int,
                     progress: Callable[[str], None]) -> dict:
    train_set = _synthetic(steps * BATCH, SEED)
    ref_rates, proj_rates = [], []
    ref_losses = proj_losses = None
    for r in range(rounds):
        losses, rate = reference_loop(model_name, train_set, steps, warmup)
        ref_rates.append(rate)
        ref_losses = ref_losses or losses
        progress(f"{model_name}: reference loop round {r + 1}/{rounds}: {rate:.1f} img/s")
        losses, rate = project_loop(model_name, train_set, steps, warmup)
        proj_rates.append(rate)
        proj_losses = proj_losses or losses
        progress(f"{model_name}: workbench loop round {r + 1}/{rounds}: {rate:.1f} img/s")
    # Same math: the workbench loop with its one numerics-changing optimisation (NHWC) switched off
    # must reproduce the reference losses. With NHWC on, the other kernels' rounding differences
    # (~1e-6) are amplified by SGD at lr 0.1 within a few steps, so those losses are reported only.
    identical, _rate_off = project_loop(model_name, train_set, steps, warmup, channels_last="off")
    progress(f"{model_name}: workbench loop with channels-last off (numerics check) done")
    n = min(LOSS_STEPS, len(ref_losses), len(identical))
    diff = max(abs(a - b) for a, b in zip(ref_losses[:n], identical[:n]))
    diff_nhwc = max(abs(a - b) for a, b in zip(ref_losses[:n], proj_losses[:n]))
    ref, proj = statistics.median(ref_rates), statistics.median(proj_rates)
    return {
        "reference_images_per_s": round(ref, 2),
        "workbench_images_per_s": round(proj, 2),
        "ratio": round(proj / ref, 3) if ref else None,
        "goal_ratio": GOALS[model_name],
        "rounds": {"reference": [round(v, 2) for v in ref_rates], "workbench": [round(v, 2) for v in proj_rates]},
        "losses_compared": n,
        "max_loss_difference": diff,
        "losses_agree": diff <= LOSS_TOLERANCE,
        "max_loss_difference_channels_last": diff_nhwc,
        "first_losses": {"reference": [round(v, 6) for v in ref_losses[:5]],
                         "workbench_nchw": [round(v, 6) for v in identical[:5]],
                         "workbench_channels_last": [round(v, 6) for v in proj_losses[:5]]},
    }


def latency_figures(*, repeats: int, big_batch: int, progress: Callable[[str], None]) -> dict:
    import torch

    from engines.core.models import build_model, model_names
    from engines.core.summary import count_flops, count_parameters

    figures = {}
    for name in model_names(task="classify"):  # 32×32×3 classifiers; other labs' models take other inputs
        model = build_model(name, num_classes=10).eval().to(memory_format=torch.channels_last)
        row = {"params": count_parameters(model), "flops": count_flops(model, (3, 32, 32))}
        for batch in (1, big_batch):
            x = torch.randn(batch, 3, 32, 32).contiguous(memory_format=torch.channels_last)
            times = []
            with torch.no_grad():
                model(x)  # warm-up: oneDNN primitive creation
                for _ in range(repeats if batch == 1 else max(2, repeats // 5)):
                    start = time.perf_counter()
                    model(x)
                    times.append(time.perf_counter() - start)
            row[f"latency_ms_per_image_batch{batch}"] = round(1000 * statistics.median(times) / batch, 4)
        figures[name] = row
        progress(f"{name}: {row}")
    return figures


def run(quick: bool = False, progress: Callable[[str], None] = print) -> dict:
    """Measure everything; ``quick`` is a smoke run (few steps, one round, batch 64 for latency)."""
    import torch

    steps, warmup, rounds = (6, 2, 1) if quick else (LOSS_STEPS, 4, 3)
    report = {
        "suite": "classify",
        "quick": quick,
        "machine": {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "torch": torch.__version__, "python": platform.python_version(),
                    "mkldnn": torch.backends.mkldnn.is_available(),
                    "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None},
        "training": {},
        "numerics": "channels-last (NHWC) changes the convolution kernels and so the summation order; "
                    "everything else in the workbench loop is the same arithmetic as the reference",
    }
    for model_name in ("mobilenet_v1", "mobilenet_v2"):
        report["training"][model_name] = training_figures(model_name, steps=steps, warmup=warmup, rounds=rounds,
                                                          progress=progress)
    report["inference"] = latency_figures(repeats=5 if quick else 20, big_batch=64 if quick else 256,
                                          progress=progress)
    report["goals_met"] = {m: bool(f["ratio"] and f["ratio"] >= GOALS[m] and f["losses_agree"])
                           for m, f in report["training"].items()}
    return report


def format_report(report: dict) -> str:
    """The report as a short table for a terminal."""
    lines = [f"bench classify{' (quick)' if report.get('quick') else ''} — torch {report['machine']['torch']}, "
             f"{report['machine']['torch_threads']} threads, load {report['machine']['load_average']}"]
    lines.append(f"{'training (batch 128)':<22} {'reference':>10} {'workbench':>10} {'ratio':>7} {'goal':>6} "
                 f"{'max |Δloss|':>12}")
    for name, f in report["training"].items():
        lines.append(f"{name:<22} {f['reference_images_per_s']:>10.1f} {f['workbench_images_per_s']:>10.1f} "
                     f"{f['ratio']:>6.2f}× {f['goal_ratio']:>5.1f}× {f['max_loss_difference']:>12.2e}")
    lines.append(f"{'inference':<22} {'params':>12} {'MFLOPs':>9} {'ms/img b=1':>11} {'ms/img b=N':>11}")
    for name, row in report["inference"].items():
        big = next(v for k, v in row.items() if k.startswith("latency_ms_per_image_batch") and k != "latency_ms_per_image_batch1")
        lines.append(f"{name:<22} {row['params']:>12,} {row['flops'] / 1e6:>9.1f} "
                     f"{row['latency_ms_per_image_batch1']:>11.3f} {big:>11.3f}")
    lines.append("numerics: " + report["numerics"])
    return "\n".join(lines)
