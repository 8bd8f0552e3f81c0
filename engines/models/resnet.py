"""Pre-activation ResNet-18 for 32×32 inputs, with an optional attention block in every residual block.

The layout is SENet18 of kuangliu/pytorch-cifar (stem conv + BN + ReLU, four stages of two
pre-activation blocks, SE on the residual branch before the addition, r = 16): with
squeeze-and-excitation it has 11,260,354 parameters for 10 classes. ``resnet18`` is the same
network without the gates, so the two differ in exactly one factor.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engines.core.models import register_model
from engines.models.attention import ATTENTIONS, COMBINES, SQUEEZES, AttentionFactory, attention_factory
from engines.models.layers import OUTPUT_ACTIVATIONS, output_activation
from engines.models.mobilenet import scaled

STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))


class PreActBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, *, attention: AttentionFactory | None = None) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.attention = attention(cout) if attention is not None else nn.Identity()
        self.shortcut = (nn.Conv2d(cin, cout, 1, stride, bias=False) if stride != 1 or cin != cout
                         else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if not isinstance(self.shortcut, nn.Identity) else x
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        return self.attention(out) + shortcut


class PreActResNet(nn.Module):
    def __init__(self, *, blocks_per_stage=(2, 2, 2, 2), num_classes: int = 10, in_channels: int = 3,
                 width_mult: float = 1.0, attention: AttentionFactory | None = None, output: str = "none") -> None:
        super().__init__()
        stem = scaled(64, width_mult)
        self.stem = nn.Sequential(nn.Conv2d(in_channels, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem),
                                  nn.ReLU(inplace=True))
        layers = []
        cin = stem
        for (channels, stride), repeats in zip(STAGES, blocks_per_stage):
            cout = scaled(channels, width_mult)
            for i in range(repeats):
                layers.append(PreActBlock(cin, cout, stride if i == 0 else 1, attention=attention))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(cin, num_classes)
        self.output = output_activation(output)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.layers(self.stem(x))).flatten(1)
        return self.output(self.classifier(x))


def _build(*, num_classes, in_channels, width_mult, attention, reduction, squeeze, combine, output) -> PreActResNet:
    if output not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output {output!r}; valid choices: {', '.join(OUTPUT_ACTIVATIONS)}")
    if not width_mult > 0:
        raise ValueError(f"width_mult must be > 0, got {width_mult!r}")
    return PreActResNet(num_classes=num_classes, in_channels=in_channels, width_mult=width_mult,
                        attention=attention_factory(attention, reduction=reduction, squeeze=squeeze, combine=combine),
                        output=output)


@register_model("resnet18", tasks=("classify",), input_shape=(3, 32, 32))
def build_resnet18(*, num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0,
                   attention: str = "none", reduction: int = 16, squeeze: str = "avg",
                   combine: str = "add", output: str = "none") -> PreActResNet:
    """Pre-activation ResNet-18 (no attention unless ``attention`` says so)."""
    return _build(num_classes=num_classes, in_channels=in_channels, width_mult=width_mult, attention=attention,
                  reduction=reduction, squeeze=squeeze, combine=combine, output=output)


@register_model("se_resnet18", tasks=("classify",), input_shape=(3, 32, 32))
def build_se_resnet18(*, num_classes: int = 10, in_channels: int = 3, width_mult: float = 1.0,
                      attention: str = "se", reduction: int = 16, squeeze: str = "avg",
                      combine: str = "add", output: str = "none") -> PreActResNet:
    """SENet18: pre-activation ResNet-18 with channel SE (r = 16) in every block, 11,260,354 parameters."""
    return _build(num_classes=num_classes, in_channels=in_channels, width_mult=width_mult, attention=attention,
                  reduction=reduction, squeeze=squeeze, combine=combine, output=output)


for _builder in (build_resnet18, build_se_resnet18):
    _builder.option_choices = {"output": OUTPUT_ACTIVATIONS, "attention": ATTENTIONS, "squeeze": SQUEEZES,
                              "combine": COMBINES}
    _builder.option_aliases = {"r": "reduction"}
