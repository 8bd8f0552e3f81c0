"""Model registry: one architecture per module, keyword-only builders.

``build_model("small_cnn", num_classes=10)`` works for every registered name so
one parametrised test covers the whole zoo.
"""
from __future__ import annotations

from typing import Any, Callable

from torch import nn

from engines.core.registry import Registry, keyword_options

MODELS: Registry[Callable[..., nn.Module]] = Registry("model")
register_model = MODELS.register


def build_model(name: str, **options: Any) -> nn.Module:
    builder = MODELS.get(name)
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

    state = load_checkpoint(checkpoint_path, map_location=map_location)
    spec = state.get("model_spec")
    if not spec:
        raise CheckpointError(f"{checkpoint_path} does not record which model it holds (no model_spec)")
    model = build_model(spec["name"], **spec.get("options", {}))
    model.load_state_dict(state["model"])
    return model.eval()


def model_names() -> list[str]:
    return MODELS.names()


# Importing the modules registers their builders.
from engines.models import (  # noqa: E402,F401
    dncnn,  # noqa: E402,F401
    dscmr,  # noqa: E402,F401
    hybridsn,  # noqa: E402,F401
    mobilenet,
    resnet,
    small_cnn,  # noqa: E402,F401
)
