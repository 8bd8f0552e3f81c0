"""Squeeze-and-excitation layers as injectable factories.

A model takes ``attention: Callable[[int], nn.Module] | None`` and calls it with a
channel count wherever its design puts an attention block; :func:`attention_factory`
turns the user-facing options (``attention``, ``reduction``, ``squeeze``, ``combine``)
into that factory. Every channel gate is a ``torchvision.ops.SqueezeExcitation`` (or a
subclass), so inspection code finds the excitations the same way for all of them:
the output of the block's ``scale_activation`` (shape ``N×C×1×1``).
"""
from __future__ import annotations

import functools
import sys
from functools import partial
from typing import Any, Callable

import torch
from torch import nn

ATTENTIONS = ("none", "se", "sse", "scse")
SQUEEZES = ("avg", "max")
# How scSE merges its two recalibrated maps: "add" as Roy et al. (MICCAI 2018) write it; "max" (element-wise)
# as the authors' released code (ai-med/squeeze_and_excitation, ChannelSpatialSELayer) does.
COMBINES = ("add", "max")

AttentionFactory = Callable[[int], nn.Module]


def squeeze_channels(channels: int, reduction: int) -> int:
    # SENet uses C // r; at least one hidden unit so narrow layers (width_mult < 1) still build.
    return max(1, channels // reduction)


@functools.cache
def _gate_classes() -> tuple[type[nn.Module], type[nn.Module]]:
    """``(torchvision.ops.SqueezeExcitation, MaxSqueezeExcitation)``, imported on first use: torchvision's ops
    import ``torch._dynamo`` (about 3 s on 2 cores), which nothing else needs before a model with SE is built."""
    from torchvision.ops import SqueezeExcitation

    class MaxSqueezeExcitation(SqueezeExcitation):
        """Channel SE whose squeeze is global *max* pooling (the SENet paper's squeeze ablation).

        torchvision's block hard-codes adaptive average pooling inside ``_scale``, so the
        max variant overrides that one method; the excitation layers (``fc1``, ``fc2``,
        ``scale_activation``) and their state-dict names stay torchvision's.
        """

        def __init__(self, input_channels: int, squeeze_channels: int) -> None:
            super().__init__(input_channels, squeeze_channels)
            self.avgpool = nn.AdaptiveMaxPool2d(1)  # keeps the attribute name the parent's code reads

        def _scale(self, x: torch.Tensor) -> torch.Tensor:
            scale = self.avgpool(x)
            scale = self.fc1(scale)
            scale = self.activation(scale)
            scale = self.fc2(scale)
            return self.scale_activation(scale)

    MaxSqueezeExcitation.__module__ = __name__
    MaxSqueezeExcitation.__qualname__ = "MaxSqueezeExcitation"
    return SqueezeExcitation, MaxSqueezeExcitation


def __getattr__(name: str) -> Any:
    """``SqueezeExcitation`` and ``MaxSqueezeExcitation`` as module attributes, torchvision imported then."""
    if name == "SqueezeExcitation":
        return _gate_classes()[0]
    if name == "MaxSqueezeExcitation":
        return _gate_classes()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class SpatialSE(nn.Module):
    """sSE (Roy et al., MICCAI 2018): a 1×1 convolution to one map, sigmoid, rescale every position.

    torchvision has no spatial variant, so this one is written out.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, 1, kernel_size=1)
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale_activation(self.conv(x))


class ConcurrentSE(nn.Module):
    """scSE: channel SE and spatial SE side by side, their outputs merged by ``combine``.

    ``"add"`` (the default) is Roy et al.'s concurrent block, cSE(x) + sSE(x); ``"max"`` is the element-wise
    maximum that the authors' released code uses. Both have the same parameters (state dicts interchange).
    """

    def __init__(self, channel: nn.Module, spatial: nn.Module, combine: str = "add") -> None:
        super().__init__()
        if combine not in COMBINES:
            raise ValueError(f"unknown scSE combine {combine!r}; valid choices: {', '.join(COMBINES)}")
        self.cse = channel
        self.sse = spatial
        self.combine = combine

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.combine == "max":
            return torch.maximum(self.cse(x), self.sse(x))
        return self.cse(x) + self.sse(x)

    def extra_repr(self) -> str:
        return f"combine={self.combine}"


def channel_se(channels: int, *, reduction: int = 16, squeeze: str = "avg") -> nn.Module:
    """A ``torchvision.ops.SqueezeExcitation`` (``squeeze="avg"``) or its max-pooling subclass."""
    average, maximum = _gate_classes()
    return (average if squeeze == "avg" else maximum)(channels, squeeze_channels(channels, reduction))


def _scse(channels: int, *, reduction: int, squeeze: str, combine: str = "add") -> ConcurrentSE:
    return ConcurrentSE(channel_se(channels, reduction=reduction, squeeze=squeeze), SpatialSE(channels), combine)


def attention_factory(kind: str = "none", *, reduction: int = 16, squeeze: str = "avg",
                      combine: str = "add") -> AttentionFactory | None:
    """The factory for ``kind`` (``none`` → ``None``: the model inserts nothing).

    ``combine`` (``add`` | ``max``) applies to ``scse`` only: how its channel and spatial branches merge.
    """
    if kind not in ATTENTIONS:
        raise ValueError(f"unknown attention {kind!r}; valid choices: {', '.join(ATTENTIONS)}")
    if squeeze not in SQUEEZES:
        raise ValueError(f"unknown squeeze {squeeze!r}; valid choices: {', '.join(SQUEEZES)}")
    if combine not in COMBINES:
        raise ValueError(f"unknown scSE combine {combine!r}; valid choices: {', '.join(COMBINES)}")
    if not isinstance(reduction, int) or isinstance(reduction, bool) or reduction < 1:
        raise ValueError(f"reduction must be an integer ≥ 1, got {reduction!r}")
    if kind == "none":
        return None
    if kind == "se":
        return partial(channel_se, reduction=reduction, squeeze=squeeze)
    if kind == "sse":
        return SpatialSE
    return partial(_scse, reduction=reduction, squeeze=squeeze, combine=combine)


def channel_gates(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Every channel-SE block (a ``torchvision.ops.SqueezeExcitation``) of ``model`` in forward order, with its
    qualified name."""
    if "torchvision.ops" not in sys.modules:  # no such block can exist before torchvision is imported
        return []
    gate = _gate_classes()[0]
    return [(name, m) for name, m in model.named_modules() if isinstance(m, gate)]
