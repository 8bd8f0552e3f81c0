"""DnCNN (Zhang et al., IEEE TIP 2017): a plain stack of 3×3 convolutions that learns the noise.

Layer 1 is Conv+ReLU, layers 2…D−1 are Conv+BN+ReLU, layer D is a Conv back to the image channels.
With ``residual=True`` the stack predicts the noise v = R(y) and the model returns y − R(y) (the paper's
choice); with ``residual=False`` the same stack predicts the clean image directly. ``batchnorm`` switches BN
on or off, so the four variants of the paper's ablation are one builder.

The convolutions live in one ``nn.Sequential`` (``body``) whose indices follow the published layouts: with
BN, ``body.0 … body.47`` for 17 layers (like the authors' PyTorch ``dncnn.N``); without BN, ``body.0 …
body.32`` with convs at even indices (like KAIR's ``model.N``).
"""
from __future__ import annotations

import copy
import math
from functools import partial
from typing import Callable

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_weights

from engines.core.models import register_model

CHANNEL_CHOICES = (1, 3)
# Batch norm constants: PyTorch's defaults, and those of the authors' PyTorch DnCNN (cszn/DnCNN,
# TrainingCodes/dncnn_pytorch: ``nn.BatchNorm2d(n_channels, eps=0.0001, momentum=0.95)``). The authors' 0.95 is
# passed to PyTorch as is, so it is PyTorch's momentum: running = 0.05 · running + 0.95 · batch statistic
# (in Keras' convention that would be momentum 0.05). eps enters the folded weights of their trained model.
PYTORCH_BN = {"bn_eps": 1e-5, "bn_momentum": 0.1}
AUTHORS_BN = {"bn_eps": 1e-4, "bn_momentum": 0.95}


def example_patch(*, channels: int = 1, **_options) -> tuple[int, int, int]:
    """A 40×40 training patch: DnCNN takes images of any size, this is the example the summaries use."""
    return (channels, 40, 40)


def _no_norm(_features: int) -> nn.Module:
    return nn.Identity()


class DnCNN(nn.Module):
    """``forward(y)`` returns the restored image; :meth:`residual` returns the predicted noise."""

    def __init__(
        self,
        *,
        depth: int = 17,
        features: int = 64,
        channels: int = 1,
        residual: bool = True,
        norm: Callable[[int], nn.Module] | None = nn.BatchNorm2d,
        activation: Callable[[], nn.Module] = lambda: nn.ReLU(inplace=True),
    ) -> None:
        super().__init__()
        if depth < 2:
            raise ValueError(f"depth must be ≥ 2, got {depth}")
        if features < 1:
            raise ValueError(f"features must be ≥ 1, got {features}")
        if channels not in CHANNEL_CHOICES:
            raise ValueError(f"invalid channels {channels!r}; valid choices: 1 (gray), 3 (RGB)")
        self.depth, self.features, self.channels = depth, features, channels
        self.predicts_residual = residual
        self.batchnorm = norm is not None
        first_norm = norm(features) if norm is not None else None
        self.bn_eps = float(getattr(first_norm, "eps", PYTORCH_BN["bn_eps"]))
        self.bn_momentum = float(getattr(first_norm, "momentum", PYTORCH_BN["bn_momentum"]) or 0.0)
        # A conv followed by BN needs no bias (BN's shift replaces it); without BN every conv has one.
        # The published DnCNN-S also has no bias on the last conv when BN is used (556,096 parameters).
        bias = not self.batchnorm
        layers: list[nn.Module] = [nn.Conv2d(channels, features, 3, padding=1, bias=True), activation()]
        for _ in range(depth - 2):
            layers.append(nn.Conv2d(features, features, 3, padding=1, bias=bias))
            if norm is not None:
                layers.append(norm(features))
            layers.append(activation())
        layers.append(nn.Conv2d(features, channels, 3, padding=1, bias=bias))
        self.body = nn.Sequential(*layers)
        self._init_weights()

    def _init_weights(self) -> None:
        # The paper's initialisation (He et al.) for the ReLU stack.
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    @property
    def receptive_field(self) -> int:
        """Side of the square input region one output pixel depends on (35 for 17 layers)."""
        return 2 * self.depth + 1

    def convs(self) -> list[nn.Conv2d]:
        return [m for m in self.body if isinstance(m, nn.Conv2d)]

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        out = self.body(y)
        return y - out if self.predicts_residual else out

    def residual(self, y: torch.Tensor) -> torch.Tensor:
        """The predicted noise v (for a direct-prediction model, the implied y − x̂)."""
        out = self.body(y)
        return out if self.predicts_residual else y - out

    def restore_with_residual(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(restored, residual)`` from one pass; ``restored + residual == y``."""
        out = self.body(y)
        if self.predicts_residual:
            return y - out, out
        return out, y - out

    def options(self) -> dict:
        """Builder options that rebuild this architecture with :func:`build_dncnn` (the BN constants only
        where they differ from PyTorch's defaults)."""
        options = {"depth": self.depth, "features": self.features, "channels": self.channels,
                   "residual": self.predicts_residual, "batchnorm": self.batchnorm}
        if self.batchnorm:
            options.update({k: v for k, v in (("bn_eps", self.bn_eps), ("bn_momentum", self.bn_momentum))
                            if v != PYTORCH_BN[k]})
        return options


def fold_batchnorm(model: DnCNN) -> DnCNN:
    """An equivalent inference model with every BN folded into the conv before it.

    The result has ``batchnorm=False`` (every conv carries a bias), the layout of the published
    weights; BN must be in eval mode semantics, so running statistics are used.
    """
    if not model.batchnorm:
        return copy.deepcopy(model).eval()
    folded = DnCNN(depth=model.depth, features=model.features, channels=model.channels,
                   residual=model.predicts_residual, norm=None)
    source = list(model.body)
    targets = folded.convs()
    convs = [(i, m) for i, m in enumerate(source) if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        for target, (index, conv) in zip(targets, convs):
            follower = source[index + 1] if index + 1 < len(source) else None
            bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels, device=conv.weight.device)
            if isinstance(follower, nn.BatchNorm2d):
                # Folded in float64 so the folded model matches the unfused one to float32 round-off.
                bn = [t.double() for t in (follower.running_mean, follower.running_var, follower.weight,
                                           follower.bias)]
                weight, bias = fuse_conv_bn_weights(conv.weight.double(), bias.double(), bn[0], bn[1],
                                                    follower.eps, bn[2], bn[3])
            else:
                weight = conv.weight
            target.weight.copy_(weight)
            target.bias.copy_(bias)
    return folded.to(next(model.parameters()).device).eval()


def _check_bn(bn_eps: float, bn_momentum: float) -> None:
    if not (isinstance(bn_eps, (int, float)) and math.isfinite(bn_eps) and bn_eps > 0):
        raise ValueError(f"bn_eps must be a number > 0, got {bn_eps!r}")
    if not (isinstance(bn_momentum, (int, float)) and 0.0 <= bn_momentum <= 1.0):
        raise ValueError(f"bn_momentum must be in [0, 1] (PyTorch's convention: the weight of the new batch "
                         f"statistic), got {bn_momentum!r}")


@register_model("dncnn", tasks=("denoise",), input_shape=example_patch)
def build_dncnn(*, depth: int = 17, features: int = 64, channels: int = 1, residual: bool = True,
                batchnorm: bool = True, bn_eps: float = 1e-5, bn_momentum: float = 0.1) -> DnCNN:
    """DnCNN with any depth and width; ``channels`` 1 (gray) or 3 (RGB).

    ``residual`` predicts the noise and returns y − R(y); ``batchnorm`` puts BN after the middle convs, with
    ``bn_eps`` and ``bn_momentum`` (PyTorch's convention; the authors' PyTorch code: 1e-4 and 0.95).
    """
    _check_bn(bn_eps, bn_momentum)
    norm = partial(nn.BatchNorm2d, eps=float(bn_eps), momentum=float(bn_momentum)) if batchnorm else None
    return DnCNN(depth=depth, features=features, channels=channels, residual=residual, norm=norm)


@register_model("dncnn_s", tasks=("denoise",), input_shape=example_patch)
def build_dncnn_s(*, features: int = 64, channels: int = 1, residual: bool = True,
                  batchnorm: bool = True, bn_eps: float = 1e-5, bn_momentum: float = 0.1) -> DnCNN:
    """DnCNN-S: 17 layers (receptive field 35×35), trained for one noise level."""
    return build_dncnn(depth=17, features=features, channels=channels, residual=residual, batchnorm=batchnorm,
                       bn_eps=bn_eps, bn_momentum=bn_momentum)


@register_model("dncnn_b", tasks=("denoise",), input_shape=example_patch)
def build_dncnn_b(*, features: int = 64, channels: int = 1, residual: bool = True,
                  batchnorm: bool = True, bn_eps: float = 1e-5, bn_momentum: float = 0.1) -> DnCNN:
    """DnCNN-B: 20 layers, trained blind over σ ∈ [0, 55]."""
    return build_dncnn(depth=20, features=features, channels=channels, residual=residual, batchnorm=batchnorm,
                       bn_eps=bn_eps, bn_momentum=bn_momentum)


for _builder in (build_dncnn, build_dncnn_s, build_dncnn_b):
    _builder.option_choices = {"channels": CHANNEL_CHOICES}


def depth_to_model_name(depth: int) -> str:
    """The registered name whose fixed depth matches, else the configurable ``dncnn``."""
    return {17: "dncnn_s", 20: "dncnn_b"}.get(depth, "dncnn")
