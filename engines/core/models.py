"""Model registry: name → :class:`ModelSpec` (keyword-only builder, the tasks it serves, its example input).

Each architecture file in :mod:`engines.models` registers its builders with :func:`register_model`,
declaring there, once, which tasks the model belongs to. The registry imports ``engines.models`` by name
on its first lookup (the core never imports it), so ``build_model("small_cnn", num_classes=10)`` and
``model_names(task="hsi")`` work from anywhere without an import of their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from engines.core.registry import Registry, keyword_options

if TYPE_CHECKING:
    from torch import nn

Shape = tuple[int, ...]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    ``input_shape`` is one example input without the batch dimension, e.g. ``(3, 32, 32)``; for models
    whose input follows their options (HybridSN's bands and window, DSCMR's feature sizes) it is a function
    of the builder's keyword options; ``None`` where only the data decides it.
    """

    name: str
    builder: Callable[..., nn.Module]
    tasks: tuple[str, ...]
    input_shape: Shape | Callable[..., Shape] | None = None
    description: str = ""

    def example_input_shape(self, **options: Any) -> Shape | None:
        """The example input's shape for a model built with ``options`` (no batch dimension)."""
        shape = self.input_shape
        return tuple(shape(**options)) if callable(shape) else shape


MODELS: Registry[ModelSpec] = Registry("model", provider="engines.models")


def register_model(name: str, *, tasks: tuple[str, ...], input_shape: Shape | Callable[..., Shape] | None = None,
                   description: str = "") -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Decorator: register ``builder`` as ``name`` for ``tasks``; the builder itself is returned unchanged."""
    if isinstance(tasks, str) or not tasks:
        raise ValueError(f"model {name!r}: tasks must be a non-empty tuple of task names, got {tasks!r}")

    def decorator(builder: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        summary = description or (builder.__doc__ or "").strip().split("\n", 1)[0]
        MODELS.add(name, ModelSpec(name, builder, tuple(tasks), input_shape, summary))
        return builder

    return decorator


def model_spec(name: str) -> ModelSpec:
    return MODELS.get(name)


def model_names(task: str | None = None) -> list[str]:
    """Registered model names, sorted; only those of ``task`` when given."""
    return [name for name, spec in MODELS.items() if task is None or task in spec.tasks]


def build_model(name: str, **options: Any) -> nn.Module:
    builder = MODELS.get(name).builder
    accepted = keyword_options(builder)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"model {name!r} has no option {unknown[0]!r}; valid options: {', '.join(sorted(accepted))}"
        )
    return builder(**options)


def load_trained_model(checkpoint_path, *, map_location="cpu") -> nn.Module:
    """Rebuild a model from a workbench checkpoint (its ``model_spec``) and load its weights.

    Loading goes through ``torch.load(..., weights_only=True)``: no code from the file runs.
    """
    from engines.core.checkpoint import CheckpointError, load_checkpoint
    from engines.core.registry import UnknownName

    state = load_checkpoint(checkpoint_path, map_location=map_location)
    spec = state.get("model_spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise CheckpointError(f"{checkpoint_path} does not record which model it holds (no model_spec)")
    options = spec.get("options") or {}
    try:
        model = build_model(spec["name"], **(options if isinstance(options, dict) else {}))
    except UnknownName:
        raise CheckpointError(f"{checkpoint_path} holds a model {spec['name']!r} this version does not know") from None
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{checkpoint_path}: its model {spec['name']!r} cannot be built from the options "
                              f"it records ({exc})") from None
    weights = state.get("model")
    if not isinstance(weights, dict):
        raise CheckpointError(f"{checkpoint_path} holds no weights for its model {spec['name']!r}")
    try:
        model.load_state_dict(weights)
    except RuntimeError as exc:
        # torch's message: a header line, then one line per mismatch; the first mismatch says the most.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        detail = (lines[1] if len(lines) > 1 else lines[0] if lines else type(exc).__name__)[:200]
        raise CheckpointError(f"{checkpoint_path}: its weights do not fit the model {spec['name']!r} it names "
                              f"({detail})") from None
    return model.eval()
