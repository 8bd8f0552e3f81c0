"""MobileNet V1 (depthwise-separable convolutions) and V2 (inverted residuals), CIFAR variants.

The layouts follow the course notes (see ``REFERENCE.md``): V1 with 9 blocks (2,142,026
parameters for 10 classes) and the 13-block version of kuangliu/pytorch-cifar (3,217,226);
V2 in its CIFAR form (first convolution stride 1, ReLU, a 1×1 conv + BN shortcut where a
stride-1 block changes the channel count; 2,296,922). The final pooling is adaptive, which
equals the notes' ``avg_pool2d(2)`` / ``avg_pool2d(4)`` on 32×32 inputs and also accepts
smaller ones.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from engines.core.models import register_model
from engines.models.attention import ATTENTIONS, COMBINES, SQUEEZES, AttentionFactory, attention_factory
from engines.models.layers import OUTPUT_ACTIVATIONS, output_activation

# (out_channels, stride) per depthwise-separable block.
V1_BLOCKS_9: tuple[tuple[int, int], ...] = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (1024, 2), (1024, 1),
)
V1_BLOCKS_13: tuple[tuple[int, int], ...] = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
)
# (expansion t, out_channels c, repeats n, first stride s).
V2_CONFIG: tuple[tuple[int, int, int, int], ...] = (
    (1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
)

Activation = Callable[[], nn.Module]


def scaled(channels: int, width_mult: float, divisor: int = 8) -> int:
    """Channels times the width multiplier, rounded to a multiple of ``divisor`` (as torchvision does)."""
    if width_mult == 1.0:
        return channels
    value = max(divisor, int(channels * width_mult + divisor / 2) // divisor * divisor)
    if value < 0.9 * channels * width_mult:  # never round down by more than 10 %
        value += divisor
    return value


def _relu() -> nn.Module:
    return nn.ReLU(inplace=True)


def _relu6() -> nn.Module:
    return nn.ReLU6(inplace=True)


class DepthwiseSeparable(nn.Module):
    """3×3 depthwise conv + BN + act, then 1×1 pointwise conv + BN + act; optional attention after."""

    def __init__(self, cin: int, cout: int, stride: int, *, activation: Activation = _relu,
                 attention: AttentionFactory | None = None) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False)
        self.bn1 = nn.BatchNorm2d(cin)
        self.act1 = activation()
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.act2 = activation()
        # SE-MobileNet (Hu et al.) gates the pointwise output of each block.
        self.attention = attention(cout) if attention is not None else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act1(self.bn1(self.depthwise(x)))
        x = self.act2(self.bn2(self.pointwise(x)))
        return self.attention(x)


class MobileNetV1(nn.Module):
    def __init__(self, *, blocks: Sequence[tuple[int, int]] = V1_BLOCKS_9, num_classes: int = 10,
                 in_channels: int = 3, width_mult: float = 1.0, activation: Activation = _relu,
                 attention: AttentionFactory | None = None, output: str = "none") -> None:
        super().__init__()
        stem = scaled(32, width_mult)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), activation()
        )
        layers = []
        cin = stem
        for cout, stride in blocks:
            cout = scaled(cout, width_mult)
            layers.append(DepthwiseSeparable(cin, cout, stride, activation=activation, attention=attention))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(cin, num_classes)
        self.output = output_activation(output)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.layers(self.stem(x))).flatten(1)
        return self.output(self.classifier(x))


class InvertedResidual(nn.Module):
    """1×1 expand → 3×3 depthwise → 1×1 linear projection, with a shortcut at stride 1.

    The notes' CIFAR variant adds a 1×1 conv + BN shortcut when the channel count changes;
    ``paper_residual`` keeps the paper's rule instead (identity shortcut only when the block
    keeps both stride 1 and its channel count, otherwise no shortcut at all).
    """

    def __init__(self, cin: int, cout: int, expansion: int, stride: int, *, activation: Activation = _relu,
                 attention: AttentionFactory | None = None, paper_residual: bool = False) -> None:
        super().__init__()
        hidden = expansion * cin
        self.expand = nn.Conv2d(cin, hidden, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(hidden)
        self.act1 = activation()
        self.depthwise = nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.act2 = activation()
        self.project = nn.Conv2d(hidden, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        # As in SE-ResNet, the gate rescales the residual branch before the addition.
        self.attention = attention(cout) if attention is not None else nn.Identity()
        self.use_shortcut = stride == 1 and (cin == cout or not paper_residual)
        if self.use_shortcut and cin != cout:
            self.shortcut: nn.Module = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act1(self.bn1(self.expand(x)))
        out = self.act2(self.bn2(self.depthwise(out)))
        out = self.attention(self.bn3(self.project(out)))
        return out + self.shortcut(x) if self.use_shortcut else out


class MobileNetV2(nn.Module):
    def __init__(self, *, config: Sequence[tuple[int, int, int, int]] = V2_CONFIG, num_classes: int = 10,
                 in_channels: int = 3, width_mult: float = 1.0, activation: Activation = _relu,
                 attention: AttentionFactory | None = None, paper_residual: bool = False,
                 output: str = "none") -> None:
        super().__init__()
        stem = scaled(32, width_mult)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), activation()
        )
        layers = []
        cin = stem
        for expansion, channels, repeats, first_stride in config:
            cout = scaled(channels, width_mult)
            for i in range(repeats):
                layers.append(InvertedResidual(cin, cout, expansion, first_stride if i == 0 else 1,
                                               activation=activation, attention=attention,
                                               paper_residual=paper_residual))
                cin = cout
        self.layers = nn.Sequential(*layers)
        last = scaled(1280, max(1.0, width_mult))  # as in the paper: the last layer never narrows
        self.head = nn.Sequential(nn.Conv2d(cin, last, 1, bias=False), nn.BatchNorm2d(last), activation())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(last, num_classes)
        self.output = output_activation(output)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.head(self.layers(self.stem(x)))).flatten(1)
        return self.output(self.classifier(x))


def _check(output: str, width_mult: float) -> None:
    if output not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output {output!r}; valid choices: {', '.join(OUTPUT_ACTIVATIONS)}")
    if not width_mult > 0:
        raise ValueError(f"width_mult must be > 0, got {width_mult!r}")


COMMON_CHOICES = {"output": OUTPUT_ACTIVATIONS, "attention": ATTENTIONS, "squeeze": SQUEEZES, "combine": COMBINES}
# ``--set attention=se,r=16``: the SENet paper calls the reduction ratio r.
COMMON_ALIASES = {"r": "reduction"}


def _v1(blocks, *, num_classes, in_channels, width_mult, relu6, attention, reduction, squeeze, combine, output):
    _check(output, width_mult)
    return MobileNetV1(blocks=blocks, num_classes=num_classes, in_channels=in_channels, width_mult=width_mult,
                       activation=_relu6 if relu6 else _relu,
                       attention=attention_factory(attention, reduction=reduction, squeeze=squeeze,
                                                   combine=combine), output=output)


@register_model("mobilenet_v1", tasks=("classify",), input_shape=(3, 32, 32))
def build_mobilenet_v1(*, num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0,
                       relu6: bool = False, attention: str = "none", reduction: int = 16, squeeze: str = "avg",
                       combine: str = "add", output: str = "none") -> MobileNetV1:
    """MobileNet V1 as in the course notes: 9 depthwise-separable blocks, 2,142,026 parameters."""
    return _v1(V1_BLOCKS_9, num_classes=num_classes, in_channels=in_channels, width_mult=width_mult,
               relu6=relu6, attention=attention, reduction=reduction, squeeze=squeeze, combine=combine, output=output)


@register_model("mobilenet_v1_13", tasks=("classify",), input_shape=(3, 32, 32))
def build_mobilenet_v1_13(*, num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0,
                          relu6: bool = False, attention: str = "none", reduction: int = 16, squeeze: str = "avg",
                          combine: str = "add", output: str = "none") -> MobileNetV1:
    """The 13-block MobileNet V1 of kuangliu/pytorch-cifar: 3,217,226 parameters."""
    return _v1(V1_BLOCKS_13, num_classes=num_classes, in_channels=in_channels, width_mult=width_mult,
               relu6=relu6, attention=attention, reduction=reduction, squeeze=squeeze, combine=combine, output=output)


@register_model("mobilenet_v2", tasks=("classify",), input_shape=(3, 32, 32))
def build_mobilenet_v2(*, num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0,
                       relu6: bool = False, paper_residual: bool = False, attention: str = "none",
                       reduction: int = 16, squeeze: str = "avg", combine: str = "add",
                       output: str = "none") -> MobileNetV2:
    """MobileNet V2, CIFAR variant of the notes: 2,296,922 parameters.

    ``relu6`` and ``paper_residual`` switch to the paper's activation and shortcut rule as controls.
    """
    _check(output, width_mult)
    return MobileNetV2(num_classes=num_classes, in_channels=in_channels, width_mult=width_mult,
                       activation=_relu6 if relu6 else _relu,
                       attention=attention_factory(attention, reduction=reduction, squeeze=squeeze,
                                                   combine=combine),
                       paper_residual=paper_residual, output=output)


for _builder in (build_mobilenet_v1, build_mobilenet_v1_13, build_mobilenet_v2):
    _builder.option_choices = COMMON_CHOICES
    _builder.option_aliases = COMMON_ALIASES
