"""A small VGG-style CNN for 32×32 images: the foundation's proof model."""
from __future__ import annotations

from typing import Callable

from torch import nn

from engines.core.models import register_model
from engines.models.layers import OUTPUT_ACTIVATIONS, output_activation


def _conv_block(cin: int, cout: int, norm: Callable[[int], nn.Module]) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        norm(cout),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


class SmallCNN(nn.Module):
    def __init__(
        self,
        *,
        in_channels: int = 3,
        num_classes: int = 10,
        width: int = 16,
        dropout: float = 0.0,
        norm: Callable[[int], nn.Module] = nn.BatchNorm2d,
        output: str = "none",
    ) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _conv_block(in_channels, width, norm),
            _conv_block(width, width * 2, norm),
            _conv_block(width * 2, width * 4, norm),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(width * 4, num_classes)
        self.output = output_activation(output)

    def forward(self, x):
        x = self.pool(self.features(x)).flatten(1)
        return self.output(self.classifier(self.dropout(x)))


@register_model("small_cnn", tasks=("classify",), input_shape=(3, 32, 32))
def build_small_cnn(
    *,
    num_classes: int = 10,
    in_channels: int = 3,
    width: int = 16,
    dropout: float = 0.0,
    batchnorm: bool = True,
    output: str = "none",
) -> SmallCNN:
    """Three conv–BN–ReLU–pool blocks, global average pool, linear head.

    ``output`` (one of ``none|softmax|log_softmax``) puts an activation on the
    output layer for the "is an output activation needed?" experiment.
    """
    if output not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output {output!r}; valid choices: {', '.join(OUTPUT_ACTIVATIONS)}")
    norm = nn.BatchNorm2d if batchnorm else (lambda _channels: nn.Identity())
    return SmallCNN(
        in_channels=in_channels, num_classes=num_classes, width=width, dropout=dropout, norm=norm, output=output
    )


build_small_cnn.option_choices = {"output": OUTPUT_ACTIVATIONS}
