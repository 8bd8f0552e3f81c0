"""Per-layer summary of a model: output shape, parameters, FLOPs; depthwise-separable cost ratios.

FLOPs come from ``torch.utils.flop_counter.FlopCounterMode`` (2 per multiply-add; it counts
convolutions and matrix products, not normalisation or activations). Output shapes are
recorded with forward hooks on the leaf modules during the same single forward pass.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from engines.core.summary import counted_forward


@dataclass(frozen=True)
class LayerRow:
    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    flops: int


@dataclass(frozen=True)
class SeparableCost:
    """A depthwise conv followed by a 1×1 pointwise conv, against one standard conv doing the same mapping.

    ``ratio`` is measured (FLOPs of the pair / FLOPs of the standard conv); ``formula`` is
    MobileNet's 1/N + 1/D_K², which it equals exactly.
    """

    depthwise: str
    pointwise: str
    in_channels: int  # M
    out_channels: int  # N
    kernel: int  # D_K
    flops: int
    standard_flops: int
    ratio: float
    formula: float


@dataclass
class ModelSummary:
    input_shape: tuple[int, ...]
    rows: list[LayerRow]
    params: int
    trainable_params: int
    flops: int
    separable: list[SeparableCost] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        lines = [f"{'layer':<40} {'type':<20} {'output':<18} {'params':>11} {'FLOPs':>14}"]
        for r in self.rows:
            shape = "×".join(str(s) for s in r.output_shape)
            lines.append(f"{r.name:<40} {r.kind:<20} {shape:<18} {r.params:>11,} {r.flops:>14,}")
        lines.append(f"{'total':<80} {self.params:>11,} {self.flops:>14,}")
        if self.separable:
            mean = sum(s.ratio for s in self.separable) / len(self.separable)
            lines.append(f"depthwise-separable layers: {len(self.separable)}, mean cost vs standard conv "
                         f"{mean:.3f} (1/N + 1/D_K²)")
        return "\n".join(lines)


def _leaves(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in model.named_modules()
            if name and not any(True for _ in m.children()) and not isinstance(m, nn.Identity)]


def _separable_pairs(leaves, shapes, flops) -> list[SeparableCost]:
    convs = [(name, m) for name, m in leaves if isinstance(m, nn.Conv2d)]
    pairs = []
    for (dw_name, dw), (pw_name, pw) in zip(convs, convs[1:]):
        is_depthwise = dw.groups > 1 and dw.groups == dw.in_channels == dw.out_channels
        is_pointwise = pw.kernel_size == (1, 1) and pw.groups == 1 and pw.in_channels == dw.out_channels
        if not (is_depthwise and is_pointwise and dw_name in shapes):
            continue
        k = dw.kernel_size[0]
        m_in, n_out = dw.in_channels, pw.out_channels
        h, w = shapes[dw_name][-2:]
        standard = 2 * k * k * m_in * n_out * h * w
        measured = flops.get(dw_name, 0) + flops.get(pw_name, 0)
        pairs.append(SeparableCost(dw_name, pw_name, m_in, n_out, k, measured, standard,
                                   measured / standard, 1.0 / n_out + 1.0 / (k * k)))
    return pairs


def summarize(model: nn.Module, input_shape: tuple[int, ...]) -> ModelSummary:
    """Summary of one forward pass on a single example of ``input_shape`` (no batch dimension)."""
    leaves = _leaves(model)
    shapes: dict[str, tuple[int, ...]] = {}

    def hook_for(name):
        def hook(_module, _inputs, output):
            if isinstance(output, torch.Tensor):
                shapes[name] = tuple(output.shape[1:])
        return hook

    handles = [m.register_forward_hook(hook_for(name)) for name, m in leaves]
    try:
        counter = counted_forward(model, input_shape)
    finally:
        for handle in handles:
            handle.remove()
    root = type(model).__name__
    flops = {key[len(root) + 1:]: int(sum(ops.values()))
             for key, ops in counter.get_flop_counts().items() if key.startswith(root + ".")}
    rows = [LayerRow(name, type(m).__name__, shapes.get(name, ()), sum(p.numel() for p in m.parameters(False)),
                     flops.get(name, 0)) for name, m in leaves]
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return ModelSummary(tuple(input_shape), rows, params, trainable, int(counter.get_total_flops()),
                        _separable_pairs(leaves, shapes, flops))


def summarize_registered(name: str, input_shape: tuple[int, ...] | None = None, **options: Any) -> ModelSummary:
    """Build the registered model ``name`` with ``options`` and summarise it.

    ``input_shape`` (no batch dimension) defaults to the example input the model registered with.
    """
    from engines.core.models import build_model, model_spec

    if input_shape is None:
        input_shape = model_spec(name).example_input_shape(**options)
        if input_shape is None:
            raise ValueError(f"model {name!r} registers no example input; pass input_shape")
    return summarize(build_model(name, **options), input_shape)
