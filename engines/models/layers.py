"""Layer factories shared by the model zoo."""
from __future__ import annotations

from torch import nn

OUTPUT_ACTIVATIONS = ("none", "softmax", "log_softmax")


def output_activation(name: str) -> nn.Module:
    if name == "none":
        return nn.Identity()
    if name == "softmax":
        return nn.Softmax(dim=1)
    if name == "log_softmax":
        return nn.LogSoftmax(dim=1)
    raise ValueError(f"unknown output activation {name!r}; valid choices: {', '.join(OUTPUT_ACTIVATIONS)}")
