"""Typed training configuration shared by every task.

Field metadata (``help``, ``choices``, ``min``, ``max``) drives CLI validation and the
config panel the window generates from the dataclass. :meth:`TrainConfig.validate` also checks the
model and dataset options against the keyword options of the model builder and the dataset loader
(their annotations and defaults give each option's type and range), so the CLI, the window's
New-run form and studies all refuse a bad value before a run is recorded.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, get_type_hints

from engines.core.device import DEVICE_CHOICES


def opt(default: Any, help: str, **meta: Any):
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help, **meta})
    return field(default=default, metadata={"help": help, **meta})


class ConfigError(ValueError):
    """A config value is invalid; the message names the key, the value and what is valid."""


# numpy's legacy seeding and scikit-learn's ``random_state`` take 0 … 2³² − 1 (torch takes more).
SEED_MAX = 2**32 - 1
# More threads than any machine has cores only slows training down; far more fail inside OpenMP.
THREADS_MAX = 1024
# Any other integer: far beyond a sensible value, and within SQLite's INTEGER range.
INT_MAX = 2**62
# Integer model and dataset options (widths, sizes, counts) stay below this.
OPTION_INT_MAX = 2**31 - 1


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
    seed: int = opt(0, "Seed for initialisation, data split and data order.", min=0, max=SEED_MAX)
    device: str = opt("auto", "Where to train.", choices=DEVICE_CHOICES)
    channels_last: str = opt("auto", "NHWC memory layout for convolutions.", choices=("auto", "on", "off"))
    precision: str = opt("fp32", "Arithmetic of the training steps: fp32, or bf16 autocast where the device has "
                                 "native bf16 (recent GPUs; CPUs with AVX-512 BF16 or AMX); weights, optimizer "
                                 "and evaluation stay fp32.",
                         choices=("fp32", "bf16"))
    threads: int = opt(0, "CPU threads for PyTorch (0 = PyTorch's default).", min=0, max=THREADS_MAX)
    max_steps: int = opt(0, "Stop after this many steps (0 = no limit).", min=0)
    checkpoint_every: int = opt(1, "Save a checkpoint every N epochs.", min=1)
    num_workers: int = opt(0, "DataLoader worker processes.", min=0, max=256)
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
            if kind is float and not math.isfinite(value):
                raise ConfigError(f"{f.name} must be a finite number, got {value!r}")
            low, high = f.metadata.get("min"), f.metadata.get("max")
            if low is not None and high is not None and not low <= value <= high:
                raise ConfigError(f"{f.name} must be between {low} and {high}, got {value!r}")
            if low is not None and value < low:
                raise ConfigError(f"{f.name} must be ≥ {low}, got {value!r}")
            if kind is int and high is None:
                high = INT_MAX
            if high is not None and value > high:
                raise ConfigError(f"{f.name} must be ≤ {high}, got {value!r}")
        self._check_registered()
        self._check_options()
        return self

    def dry_build_options(self) -> dict[str, Any]:
        """Model options a task derives from its config (e.g. the bands of a patch), for the dry build.

        The task's own values come first and ``model_options`` win, as when the task builds the model.
        """
        return {}

    def _check_options(self) -> None:
        """Model and dataset options: known keys, values of the builder's or loader's types and ranges.

        The checked values replace the given ones (``"true"`` → ``True``, ``r`` → ``reduction``), and the
        model is built once on the meta device (no memory for weights) so that what only the builder
        knows (a width that does not fit a kernel…) fails here, not in a recorded run.
        """
        from engines.core.data import DATASETS
        from engines.core.models import MODELS

        if not isinstance(self.model_options, dict) or not isinstance(self.data_options, dict):
            raise ConfigError("model_options and data_options must be dictionaries of option → value")
        builder = MODELS.get(self.model).builder
        checked = check_options(f"model {self.model!r}", builder, self.model_options, exclude=("num_classes",),
                                aliases=getattr(builder, "option_aliases", {}),
                                choices=getattr(builder, "option_choices", {}), positive=True)
        if checked != self.model_options or list(checked) != list(self.model_options):
            self.model_options = checked
        loader = DATASETS.get(self.data).loader
        checked = check_options(f"dataset {self.data!r}", loader, self.data_options)
        if checked != self.data_options or list(checked) != list(self.data_options):
            self.data_options = checked
        dry_build(self.model, {**self.dry_build_options(), **self.model_options})

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


def dry_build(model: str, options: dict[str, Any]) -> None:
    """Build ``model`` with ``options`` on the meta device: a bad option value fails here, with no weights."""
    import torch

    from engines.core.models import build_model

    try:
        with torch.device("meta"):
            build_model(model, **options)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise ConfigError(f"model {model!r}: {exc}") from None


# -- model and dataset options: typed by the builder's / loader's signature ------------------------------
_NO_TYPE = object()


def option_types(func: Callable) -> dict[str, tuple[Any, Any]]:
    """``name → (annotation or _NO_TYPE, default)`` for each keyword-only option of ``func``."""
    from engines.core.registry import keyword_options

    try:
        hints = get_type_hints(func)
    except Exception:  # an annotation that does not resolve: the options are then untyped
        hints = {}
    return {name: (hints.get(name, _NO_TYPE), p.default) for name, p in keyword_options(func).items()}


def _optional(kind: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; anything else → ``(kind, False)``."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0], True
        return _NO_TYPE, type(None) in typing.get_args(kind)
    return kind, False


def _int_range(name: str, default: Any, positive: bool) -> tuple[int, int]:
    """≥ 1 where the default is (a width, a size, a count), ≥ 0 for limits (``max_*``, ``*_max``: 0 = none)."""
    if name == "seed":
        return 0, SEED_MAX
    limit = name.startswith("max_") or name.endswith("_max")
    counts = isinstance(default, int) and not isinstance(default, bool) and default >= 1
    return (1 if positive and counts and not limit else 0), OPTION_INT_MAX


def coerce_option(where: str, name: str, value: Any, kind: Any, default: Any, *,
                  choices=None, positive: bool = True) -> Any:
    """``value`` as the option ``name`` of type ``kind`` takes it, or :class:`ConfigError` naming both.

    Text (as given on the command line) is parsed by the option's type: a bool option takes
    true/false/yes/no/on/off/1/0 and nothing else, and a text option keeps its text, so ``none`` is the
    choice "none", not Python's ``None``. Integers are ≥ 1 where the default is (widths, sizes,
    counts; ≥ 0 for limits such as ``max_patches``, where 0 means none), fractions and dropout lie in
    [0, 1) (a split's train/test share in (0, 1)), other numbers are finite and ≥ 0 (> 0 where the
    default is).
    """
    kind, optional = _optional(kind)
    if kind is _NO_TYPE and default is not None and default is not inspect.Parameter.empty:
        kind = type(default) if type(default) in (bool, int, float, str) else _NO_TYPE
    if optional or default is None:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null")
                             and kind is not str):
            return None
    if kind is _NO_TYPE:
        return parse_literal(value) if isinstance(value, str) else value

    given = value

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}: option {name} must be {expected}, got {given!r}")

    if kind is bool:
        if isinstance(value, bool):
            result = value
        elif isinstance(value, int) and value in (0, 1):
            result = bool(value)
        elif isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            result = value.strip().lower() in _TRUE
        else:
            raise bad("true or false (also yes/no, on/off, 1/0)")
    elif kind is int:
        low, high = _int_range(name, default, positive)
        expected = f"an integer between {low} and {high}"
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise bad(expected) from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise bad(expected)
        result = value
    elif kind is float:
        # Dropout and the share of a split: below 1 (a share of 1 leaves the other side empty), and above 0
        # for the split's own train/test share; other numbers ≥ 0, and > 0 where the default is (width_mult).
        unit = any(part in name for part in ("dropout", "fraction", "ratio"))
        strictly = (name.startswith(("train", "test")) if unit
                    else isinstance(default, (int, float)) and default > 0)
        expected = ("a number between 0 and 1, both excluded" if unit and strictly else "a number in [0, 1)"
                    if unit else "a number > 0" if strictly else "a number ≥ 0")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise bad(expected) from None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise bad(expected)
        value = float(value)
        if value < 0 or (strictly and value == 0) or (unit and value >= 1):
            raise bad(expected)
        result = value
    elif kind is str:
        if not isinstance(value, str):
            raise bad("text")
        result = value.strip()
    else:  # a container or class type: left to the builder, which the dry build calls
        result = parse_literal(value) if isinstance(value, str) else value
    if choices and result not in choices:
        raise ConfigError(f"{where}: invalid {name} {result!r}; valid choices: {', '.join(map(str, choices))}")
    return result


def check_options(where: str, func: Callable, options: dict[str, Any], *, exclude=(), aliases=None,
                  choices=None, positive: bool = True) -> dict[str, Any]:
    """``options`` checked against ``func``'s keyword options (see :func:`coerce_option`): a new dict."""
    known = {k: v for k, v in option_types(func).items() if k not in exclude}
    aliases, choices = aliases or {}, choices or {}
    out: dict[str, Any] = {}
    for key, value in options.items():
        name = aliases.get(key, key)
        if not isinstance(name, str) or name not in known:
            valid = ", ".join(sorted(known)) or "none"
            raise ConfigError(f"{where} has no option {key!r}; valid options: {valid}")
        kind, default = known[name]
        out[name] = coerce_option(where, name, value, kind, default, choices=choices.get(name), positive=positive)
    return out


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


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
    """Best-effort typing of a value given on the command line for an option without a type.

    ``none`` stays text: where an option takes ``None`` (its default is ``None``), :func:`coerce_option`
    reads ``none``/``null`` as ``None``; elsewhere ``none`` is a value like any other (a choice).
    """
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text
