"""Typed training configuration shared by every task.

Field metadata (``help``, ``choices``, ``min``) drives CLI validation and the
config panel the window generates from the dataclass.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any, get_type_hints

from engines.core.device import DEVICE_CHOICES


def opt(default: Any, help: str, **meta: Any):
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help, **meta})
    return field(default=default, metadata={"help": help, **meta})


class ConfigError(ValueError):
    """A config value is invalid; the message names the key, the value and what is valid."""


@dataclass
class TrainConfig:
    task: str = opt("classify", "Task to run.")
    model: str = opt("small_cnn", "Model architecture (registered name).")
    data: str = opt("digits", "Dataset name or path.")
    epochs: int = opt(2, "Number of passes over the training set.", min=1)
    batch_size: int = opt(32, "Samples per optimisation step (per process under DDP).", min=1)
    lr: float = opt(3e-3, "Initial learning rate.", min=0.0)
    optimizer: str = opt("adam", "Optimisation algorithm.", choices=("adam", "adamw", "sgd"))
    momentum: float = opt(0.9, "SGD momentum.", min=0.0)
    weight_decay: float = opt(0.0, "L2 weight decay.", min=0.0)
    scheduler: str = opt("none", "Learning-rate schedule over the epochs.", choices=("none", "cosine", "step"))
    step_size: int = opt(30, "Epochs between ×0.1 decays for the step schedule.", min=1)
    seed: int = opt(0, "Seed for initialisation, data split and data order.", min=0)
    device: str = opt("auto", "Where to train.", choices=DEVICE_CHOICES)
    channels_last: str = opt("auto", "NHWC memory layout for convolutions.", choices=("auto", "on", "off"))
    threads: int = opt(0, "CPU threads for PyTorch (0 = PyTorch's default).", min=0)
    max_steps: int = opt(0, "Stop after this many steps (0 = no limit).", min=0)
    checkpoint_every: int = opt(1, "Save a checkpoint every N epochs.", min=1)
    num_workers: int = opt(0, "DataLoader worker processes.", min=0)
    model_options: dict = opt({}, "Keyword options passed to the model builder.")
    data_options: dict = opt({}, "Keyword options passed to the dataset loader.")

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(f"unknown config key {unknown[0]!r}; valid keys: {', '.join(sorted(names))}")
        return cls(**values)

    def validate(self) -> "TrainConfig":
        hints = get_type_hints(type(self))
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            kind = hints[f.name]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
                setattr(self, f.name, value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{f.name} must be {kind.__name__}, got {value!r}")
            choices = f.metadata.get("choices")
            if choices and value not in choices:
                raise ConfigError(f"invalid {f.name} {value!r}; valid choices: {', '.join(choices)}")
            low = f.metadata.get("min")
            if low is not None and value < low:
                raise ConfigError(f"{f.name} must be ≥ {low}, got {value!r}")
            if kind is float and not math.isfinite(value):
                raise ConfigError(f"{f.name} must be a finite number, got {value!r}")
        self._check_registered()
        return self

    def _check_registered(self) -> None:
        """The model and the dataset must be registered for this config's task (their registrations say so)."""
        from engines.core.data import DATASETS, dataset_names
        from engines.core.models import MODELS, model_names

        for kind, name, registry, names_of in (("model", self.model, MODELS, model_names),
                                               ("dataset", self.data, DATASETS, dataset_names)):
            valid = names_of(task=self.task)
            if name in valid:
                continue
            if not valid:
                raise ConfigError(f"no {kind} is registered for task {self.task!r}")
            if name in registry:
                raise ConfigError(f"{kind} {name!r} is not a {self.task} {kind}; valid choices: {', '.join(valid)}")
            raise ConfigError(f"unknown {kind} {name!r}; valid choices: {', '.join(valid)}")


def parse_value(text: str, kind: type) -> Any:
    """Parse a ``--set`` value for a field of type ``kind``."""
    if kind is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected true/false, got {text!r}")
    if kind is int:
        return int(text)
    if kind is float:
        return float(text)
    if kind is dict:
        value = json.loads(text)
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object, got {text!r}")
        return value
    return text


def parse_literal(text: str) -> Any:
    """Best-effort typing of a model/data option given on the command line."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text
