"""Studies: sets of runs that differ in one factor, over several seeds.

The course's open questions become presets (labs register theirs with
:func:`register_study`); the window's "New study" dialog expands a preset or a
custom factor into queued runs tagged so Compare can group them.

Before a study starts the dialog says how long it will take here (:func:`estimate_study`): from the seconds
per epoch of this machine's finished runs of the same configuration (:func:`recorded_seconds_per_epoch`), or
else from a few real training steps timed on the spot (:func:`calibrate_seconds_per_epoch`). Each preset
has a ``quick`` variant (fewer epochs, seeds or data) that fits about ten minutes on two CPU cores.
"""
from __future__ import annotations

import json
import math
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from engines.core.registry import Registry


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name lupdate looks for)
    """Marks a preset's title and question for translation without importing Qt; the window translates
    them in context ``"Studies"`` when it shows them (``packaging/update_translations.sh``)."""
    return text


STUDY_TAG = "study:"
FACTOR_TAG = "factor:"


@dataclass(frozen=True)
class StudyPreset:
    name: str
    title: str
    question: str
    task: str
    factor: str  # a config field ("lr") or a model option ("model_options.output")
    values: tuple
    base: dict[str, Any] = field(default_factory=dict)
    seeds: int = 3
    # The quick variant: config values over ``base`` (fewer epochs, a data subset) and optionally "seeds",
    # chosen so the whole study fits about ten minutes on two CPU cores.
    quick: dict[str, Any] = field(default_factory=dict)

    def quick_seeds(self) -> int:
        return int(self.quick.get("seeds", self.seeds))

    def quick_overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.quick.items() if k != "seeds"}


PRESETS: Registry[StudyPreset] = Registry("study preset")


def register_study(preset: StudyPreset) -> StudyPreset:
    PRESETS.add(preset.name, preset)
    return preset


@dataclass(frozen=True)
class PlannedRun:
    config: Any
    name: str
    tags: tuple[str, ...]


def set_factor(values: dict[str, Any], factor: str, value: Any) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in values.items()}
    if "." in factor:
        group, key = factor.split(".", 1)
        out.setdefault(group, {})
        out[group][key] = value
    else:
        out[factor] = value
    return out


def factor_short_name(factor: str) -> str:
    """What a run name calls the factor: the option itself (``output`` for ``model_options.output``), so the
    value that tells a study's runs apart stays in view where a list elides long names."""
    return factor.rsplit(".", 1)[-1]


def study_run_name(factor: str, value: Any, seed: int) -> str:
    """``output=softmax · seed 1``: the factor's short name and value, then the seed. The study itself is in the
    run's tags (:func:`study_of`)."""
    return f"{factor_short_name(factor)}={value} · seed {seed}"


def plan_study(task: str, base: dict[str, Any], factor: str, values, seeds: int, *,
               study_id: str | None = None, first_seed: int = 0) -> list[PlannedRun]:
    """One run per (value, seed); configs are validated here so nothing bad reaches the queue."""
    from engines.core.tasks import get_task

    if not values:
        raise ValueError("a study needs at least one value of its factor")
    if seeds < 1:
        raise ValueError(f"seeds must be ≥ 1, got {seeds}")
    study_id = study_id or f"{factor}-{time.strftime('%Y%m%d-%H%M%S')}"
    cls = get_task(task).config_cls
    planned = []
    for value in values:
        for seed in range(first_seed, first_seed + seeds):
            config_values = set_factor({**base, "task": task, "seed": seed}, factor, value)
            config = cls.from_dict(config_values).validate()
            planned.append(PlannedRun(
                config=config,
                name=study_run_name(factor, value, seed),
                tags=(f"{STUDY_TAG}{study_id}", f"{FACTOR_TAG}{factor}={value}"),
            ))
    return planned


def plan_preset(preset: StudyPreset, *, seeds: int | None = None, overrides: dict[str, Any] | None = None,
                study_id: str | None = None, quick: bool = False) -> list[PlannedRun]:
    """The preset's runs; ``quick`` applies its quick variant (``seeds`` and ``overrides`` still win)."""
    base = {**preset.base, **(preset.quick_overrides() if quick else {}), **(overrides or {})}
    seeds = seeds or (preset.quick_seeds() if quick else preset.seeds)
    return plan_study(preset.task, base, preset.factor, preset.values, seeds,
                      study_id=study_id or f"{preset.name}-{time.strftime('%Y%m%d-%H%M%S')}")


def study_of(tags) -> str | None:
    for tag in tags:
        if tag.startswith(STUDY_TAG):
            return tag[len(STUDY_TAG):]
    return None


def factor_of(tags) -> str | None:
    """``model_options.output=softmax``: the factor and value a study run was planned with, from its tags."""
    for tag in tags:
        if tag.startswith(FACTOR_TAG):
            return tag[len(FACTOR_TAG):]
    return None


# -- how long a study takes here ------------------------------------------------------------------------
PRETRAINED_TAG = "pretrained"  # runs installed from published weights: their seconds are not training time
# Config fields that do not change how long an epoch takes; every other field (model and data and their
# options, batch size, window, threads, …) may, so runs must agree on it to lend their speed.
SPEED_NEUTRAL = frozenset({"seed", "epochs", "lr", "momentum", "weight_decay", "scheduler", "step_size",
                           "checkpoint_every", "keep_epoch_weights", "label_smoothing", "sigma", "lam", "eta"})


def cost_key(config: Any) -> str:
    """The configuration as far as it decides the time an epoch takes (a run config dict or a config object):
    runs with the same key train at the same speed."""
    values = config if isinstance(config, dict) else config.to_dict()
    return json.dumps({k: v for k, v in values.items() if k not in SPEED_NEUTRAL}, sort_keys=True, default=str)


def recorded_seconds_per_epoch(runs: Iterable[Any]) -> dict[str, list[float]]:
    """Seconds per epoch of each finished run, by :func:`cost_key`: wall time over epochs, so the start,
    the scoring and the checkpoints are in. Left out: runs installed from published weights, runs cut
    short by ``max_steps``, runs without a recorded time or epoch."""
    rates: dict[str, list[float]] = {}
    for run in runs:
        if run.status != "finished" or PRETRAINED_TAG in run.tags or run.epoch <= 0 or not run.seconds:
            continue
        if (run.config or {}).get("max_steps"):
            continue
        rates.setdefault(cost_key(run.config), []).append(run.seconds / run.epoch)
    return rates


@dataclass(frozen=True)
class Calibration:
    """One configuration timed here: seconds per epoch, and seconds to start a run (data and model built)."""

    epoch: float
    start: float


def _fastest(fn, *, at_least: int, budget: float, most: int = 50, should_stop=None) -> float:
    """The fastest of repeated calls of ``fn``: at least ``at_least`` timed calls, more while ``budget`` seconds
    have not passed (up to ``most``). Other programs on the machine only ever slow a call down, and on two
    busy cores they do so in bursts of seconds, so a longer window finds a call that ran undisturbed."""
    timed: list[float] = []
    began = time.perf_counter()
    while len(timed) < most and (len(timed) < at_least or time.perf_counter() - began < budget):
        if should_stop is not None and should_stop() and timed:
            break
        start = time.perf_counter()
        fn()
        timed.append(time.perf_counter() - start)
    return min(timed)


def calibrate(config: Any, *, steps: int = 4, budget: float = 1.5, should_stop=None) -> Calibration:
    """Time ``config`` here: the task's own problem built (data loaded, model built: the run's start), two
    warm-up steps, then training steps (at least ``steps``, for about ``budget`` seconds) and scoring batches on
    a real batch, the fastest of each scaled by the batches an epoch has (:func:`_fastest`). Leaves out
    checkpoints and the final scoring, so it errs on the short side."""
    import importlib

    import torch
    from torch.utils.data import DataLoader

    from engines.core.tasks import get_task

    started = time.perf_counter()
    build_problem = importlib.import_module(get_task(config.task).fit.__module__).build_problem
    problem = build_problem(config)
    start = time.perf_counter() - started
    device = torch.device("cpu")
    model = problem.model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    train = DataLoader(problem.train_set, batch_size=config.batch_size, shuffle=False)
    test = DataLoader(problem.test_set, batch_size=config.batch_size, shuffle=False)
    batch, test_batch = next(iter(train)), next(iter(test))

    def train_step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss, _n = problem.train_loss(model, batch, device)
        loss.backward()
        optimizer.step()

    began = time.perf_counter()
    train_step()  # the first steps allocate and pick kernels
    slow = time.perf_counter() - began > 0.5
    if slow:  # a step of seconds (HybridSN's 3-D patches): one more is measured, a burst barely moves it
        step = _fastest(train_step, at_least=1, budget=0, should_stop=should_stop)
    else:
        train_step()
        step = _fastest(train_step, at_least=steps, budget=budget, should_stop=should_stop)
    model.eval()
    with torch.no_grad():
        score = _fastest(lambda: problem.eval_sums(model, test_batch, device), at_least=2, budget=budget / 3,
                         should_stop=should_stop)
    return Calibration(epoch=step * len(train) + score * len(test), start=start)


@dataclass(frozen=True)
class StudyEstimate:
    """How long the planned runs take here. ``seconds`` is None while some configuration has no rate."""

    runs: int
    epochs: int  # over all runs
    seconds: float | None
    measured_runs: int  # finished runs the rates come from
    calibrated: int  # configurations whose rate was measured by calibration
    missing: tuple[str, ...]  # cost keys with no rate yet (the dialog calibrates them)


def estimate_study(planned: Iterable[PlannedRun], recorded: dict[str, list[float]],
                   calibrated: dict[str, Calibration] | None = None) -> StudyEstimate:
    """Sum over the planned runs of epochs × seconds per epoch: the median of this machine's finished runs
    with the same :func:`cost_key` (their start included), else that key's :class:`Calibration` (epochs ×
    seconds per epoch + the start)."""
    calibrated = calibrated or {}
    planned = list(planned)
    total, measured, used_calibration, missing = 0.0, 0, set(), []
    seen_recorded = set()
    for run in planned:
        key = cost_key(run.config)
        epochs = run.config.epochs
        if key in recorded and recorded[key]:
            total += epochs * statistics.median(recorded[key])
            if key not in seen_recorded:
                seen_recorded.add(key)
                measured += len(recorded[key])
        elif key in calibrated:
            total += epochs * calibrated[key].epoch + calibrated[key].start
            used_calibration.add(key)
        elif key not in missing:
            missing.append(key)
    epochs = sum(run.config.epochs for run in planned)
    return StudyEstimate(runs=len(planned), epochs=epochs, seconds=None if missing else total,
                         measured_runs=measured, calibrated=len(used_calibration), missing=tuple(missing))


def duration_parts(seconds: float) -> tuple[str, str]:
    """``("6", "min")``: a duration rounded the way a person says it (s below 90 s, h from 90 min)."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds)):.0f}", "s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f}", "min"
    return f"{seconds / 3600:.1f}", "h"


register_study(StudyPreset(
    name="output-activation",
    title=QT_TRANSLATE_NOOP("Studies", "Is an output-layer activation needed?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "Cross-entropy already applies log-softmax. Does adding softmax (or log-softmax) to the network's "
        "output change what it learns? Same model and data, only the output activation differs."),
    task="classify",
    factor="model_options.output",
    values=("none", "softmax", "log_softmax"),
    base={"model": "small_cnn", "data": "digits", "epochs": 2},
    seeds=3,
    quick={"epochs": 1},  # three seeds still: with two, a t-test can hardly tell even a large difference
))

register_study(StudyPreset(
    name="batchnorm",
    title=QT_TRANSLATE_NOOP("Studies", "Does batch normalisation help a small CNN?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "The same small CNN with and without BatchNorm after each convolution."),
    task="classify",
    factor="model_options.batchnorm",
    values=(True, False),
    base={"model": "small_cnn", "data": "digits", "epochs": 2},
    seeds=3,
    quick={"epochs": 1},  # three seeds still: with two, a t-test can hardly tell even a large difference
))


class _ModelVariant(dict):
    """Model options that print as a short label (run names and factor tags use ``str(value)``)."""

    label = ""

    def __str__(self) -> str:
        return self.label or dict.__repr__(self)


def _variant(label: str, **options: Any) -> _ModelVariant:
    variant = _ModelVariant(**options)
    variant.label = label
    return variant


# DnCNN's ablation: residual learning × batch norm. A small DnCNN (10 layers, 32 features) on a fixed
# subset of patches keeps each run to minutes on a CPU; the four curves of validation PSNR per epoch answer
# the question the same way the paper's full-size runs do (residual + BN converges fastest and highest).
register_study(StudyPreset(
    name="dncnn-residual",
    title=QT_TRANSLATE_NOOP("Studies", "Why predict the residual?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "DnCNN predicts the noise v and returns y − v instead of predicting the clean image. Train the four "
        "variants (residual or direct prediction, with or without batch norm) side by side and compare "
        "validation PSNR per epoch."),
    task="denoise",
    factor="model_options",
    values=tuple(
        _variant(f"{'residual' if residual else 'direct'} · {'BN' if batchnorm else 'no BN'}",
                      depth=10, features=32, residual=residual, batchnorm=batchnorm)
        for residual in (True, False) for batchnorm in (True, False)
    ),
    base={"model": "dncnn", "data": "skimage_samples", "epochs": 5, "batch_size": 64, "sigma": 25.0,
          "data_options": {"max_patches": 3200}},
    seeds=1,
    quick={"epochs": 2, "data_options": {"max_patches": 1600}},
))

register_study(StudyPreset(
    name="output-activation-mobilenet",
    title=QT_TRANSLATE_NOOP("Studies", "Output-layer activation on MobileNet V2"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "The course's first question on the course's own network: MobileNet V2 trained with cross-entropy, "
        "with no output activation versus a softmax on the output layer (2 seeds each, digits)."),
    task="classify",
    factor="model_options.output",
    values=("none", "softmax"),
    base={"model": "mobilenet_v2", "data": "digits", "epochs": 3},
    seeds=2,
    quick={"epochs": 1},
))

register_study(StudyPreset(
    name="hybridsn-order",
    title=QT_TRANSLATE_NOOP("Studies", "HybridSN: 3-D then 2-D, or 2-D then 3-D?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "HybridSN learns spectral–spatial features with 3-D convolutions first and spatial ones with a 2-D "
        "convolution after. Does the order matter? The control applies the same layers the other way round "
        "(hybridsn_2d3d). Indian Pines, 10 % of the labelled pixels for training (the course's split); "
        "compare overall accuracy, AA and kappa over seeds."),
    task="hsi",
    factor="model",
    values=("hybridsn", "hybridsn_2d3d"),
    base={"data": "indian_pines", "train_ratio": 0.1, "epochs": 30},
    seeds=3,
    # 15×15 windows cost a third of 25×25 ones; batches of 64 give 16 steps an epoch instead of 4, so ten
    # epochs still train both models (about 6 min on 2 cores, against over an hour for the full study).
    quick={"epochs": 10, "seeds": 2, "window": 15, "batch_size": 64},
))

register_study(StudyPreset(
    name="dscmr-j2",
    title=QT_TRANSLATE_NOOP("Studies", "DSCMR: does J2 matter?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "DSCMR trains with three losses: J1 (label space), J2 (common-space discrimination over image–text, "
        "image–image and text–text pairs) and J3 (modality invariance). The course notes J2 shows little "
        "effect. Train the paper's ablation — full, without J1, without J2, without J3, J1 only — on the "
        "offline two-view Indian Pines benchmark and compare mAP (mean ± std over seeds); the Retrieval lab "
        "sets it beside the paper's ablation row (Pascal Sentence: 0.716 / 0.607 / 0.715 / 0.694 / 0.685)."),
    task="retrieval",
    factor="losses",
    values=("j1+j2+j3", "j2+j3", "j1+j3", "j1+j2", "j1"),
    base={"model": "dscmr", "data": "indian_pines_views", "epochs": 20},
    seeds=3,
    quick={"epochs": 10, "seeds": 2},
))

# SENet recalibrates channels (squeeze by global pooling, excite by a bottleneck MLP); Roy et al. recalibrate
# positions (sSE, a 1×1 convolution to one map) or both (scSE). The small CNN with one block after each conv
# block trains in about a second per epoch on digits (2 CPU cores), so six variants over seeds fit minutes.
register_study(StudyPreset(
    name="se-dimension",
    title=QT_TRANSLATE_NOOP("Studies", "Squeeze-and-excitation: along channels, space or both?"),
    question=QT_TRANSLATE_NOOP(
        "Studies",
        "The same small CNN with no attention, channel SE (squeeze by average or by max pooling), spatial SE "
        "(sSE) and both together (scSE, branches added or, as the authors' code does, merged by maximum), one "
        "block after each convolution block; digits, over several seeds. Compare test accuracy."),
    task="classify",
    factor="model_options",
    values=(
        _variant("none", attention="none"),
        _variant("se · avg", attention="se", squeeze="avg"),
        _variant("se · max", attention="se", squeeze="max"),
        _variant("sse", attention="sse"),
        _variant("scse", attention="scse"),
        _variant("scse · max-combine", attention="scse", combine="max"),
    ),
    base={"model": "small_cnn", "data": "digits", "epochs": 3},
    seeds=5,  # the variants differ by a point or less on digits: five seeds (about 3 min here) before a verdict
    quick={"epochs": 2, "seeds": 3},
))
