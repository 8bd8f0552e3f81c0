"""A small VGG-style CNN for 32×32 images: the foundation's proof model.

With ``attention`` it carries an SE block (channel, spatial or both) after each conv block, so the
"SE along which dimension?" study trains in minutes on digits instead of hours on a MobileNet.
"""
from __future__ import annotations

from typing import Callable

from torch import nn

from engines.core.models import register_model
from engines.models.attention import ATTENTIONS, COMBINES, SQUEEZES, AttentionFactory, attention_factory
from engines.models.layers import OUTPUT_ACTIVATIONS, output_activation


def _conv_block(cin: int, cout: int, norm: Callable[[int], nn.Module],
                attention: AttentionFactory | None = None) -> nn.Sequential:
    # The attention block recalibrates the block's activations before pooling, where SENet puts it (after the
    # non-linearity of the transformation, on the full-resolution map the spatial gate can still weigh).
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), norm(cout), nn.ReLU(inplace=True)]
    if attention is not None:
        layers.append(attention(cout))
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


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
        attention: AttentionFactory | None = None,
    ) -> None:
        super().__init__()
        self.features = nn.Sequential(
            _conv_block(in_channels, width, norm, attention),
            _conv_block(width, width * 2, norm, attention),
            _conv_block(width * 2, width * 4, norm, attention),
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
    attention: str = "none",
    reduction: int = 4,
    squeeze: str = "avg",
    combine: str = "add",
) -> SmallCNN:
    """Three conv–BN–ReLU–pool blocks, global average pool, linear head.

    ``output`` (one of ``none|softmax|log_softmax``) puts an activation on the
    output layer for the "is an output activation needed?" experiment.
    ``attention`` (``none|se|sse|scse``) adds that block after each conv block:
    channel SE (``squeeze`` ``avg|max``, hidden width C / ``reduction``), spatial SE,
    or both (``combine`` ``add|max``). The reduction defaults to 4 rather than
    SENet's 16: with 16–64 channels, r = 16 leaves one to four hidden units.
    """
    if output not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output {output!r}; valid choices: {', '.join(OUTPUT_ACTIVATIONS)}")
    norm = nn.BatchNorm2d if batchnorm else (lambda _channels: nn.Identity())
    return SmallCNN(
        in_channels=in_channels, num_classes=num_classes, width=width, dropout=dropout, norm=norm, output=output,
        attention=attention_factory(attention, reduction=reduction, squeeze=squeeze, combine=combine),
    )


build_small_cnn.option_choices = {"output": OUTPUT_ACTIVATIONS, "attention": ATTENTIONS, "squeeze": SQUEEZES,
                                  "combine": COMBINES}
build_small_cnn.option_aliases = {"r": "reduction"}
