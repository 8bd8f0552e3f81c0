"""Studies: sets of runs that differ in one factor, over several seeds.

The course's open questions become presets (labs register theirs with
:func:`register_study`); the window's "New study" dialog expands a preset or a
custom factor into queued runs tagged so Compare can group them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from engines.registry import Registry

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


def plan_study(task: str, base: dict[str, Any], factor: str, values, seeds: int, *,
               study_id: str | None = None, first_seed: int = 0) -> list[PlannedRun]:
    """One run per (value, seed); configs are validated here so nothing bad reaches the queue."""
    from engines.tasks import get_task

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
                name=f"{factor}={value} · seed {seed}",
                tags=(f"{STUDY_TAG}{study_id}", f"{FACTOR_TAG}{factor}={value}"),
            ))
    return planned


def plan_preset(preset: StudyPreset, *, seeds: int | None = None, overrides: dict[str, Any] | None = None,
                study_id: str | None = None) -> list[PlannedRun]:
    base = {**preset.base, **(overrides or {})}
    return plan_study(preset.task, base, preset.factor, preset.values, seeds or preset.seeds,
                      study_id=study_id or f"{preset.name}-{time.strftime('%Y%m%d-%H%M%S')}")


def study_of(tags) -> str | None:
    for tag in tags:
        if tag.startswith(STUDY_TAG):
            return tag[len(STUDY_TAG):]
    return None


register_study(StudyPreset(
    name="output-activation",
    title="Is an output-layer activation needed?",
    question="Cross-entropy already applies log-softmax. Does adding softmax (or log-softmax) to the network's "
             "output change what it learns? Same model and data, only the output activation differs.",
    task="classify",
    factor="model_options.output",
    values=("none", "softmax", "log_softmax"),
    base={"model": "small_cnn", "data": "digits", "epochs": 2},
    seeds=3,
))

register_study(StudyPreset(
    name="batchnorm",
    title="Does batch normalisation help a small CNN?",
    question="The same small CNN with and without BatchNorm after each convolution.",
    task="classify",
    factor="model_options.batchnorm",
    values=(True, False),
    base={"model": "small_cnn", "data": "digits", "epochs": 2},
    seeds=3,
))
