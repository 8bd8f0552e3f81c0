"""Parameter and FLOP counts (FLOPs via ``torch.utils.flop_counter``)."""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def count_flops(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """FLOPs of one forward pass on a single example of ``input_shape`` (no batch dim).

    Counts multiply and add separately (2 FLOPs per MAC), as FlopCounterMode does.
    """
    return int(counted_forward(model, input_shape).get_total_flops())


def counted_forward(model: nn.Module, input_shape: tuple[int, ...]) -> FlopCounterMode:
    """One eval-mode, no-grad forward pass on zeros of ``input_shape``, under a FLOP counter."""
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(torch.zeros((1, *input_shape), device=device))
    finally:
        model.train(was_training)
    return counter


def measure_latency_ms(model: nn.Module, input_shape: tuple[int, ...], *, device: torch.device | None = None,
                       channels_last: bool = False, repeats: int = 10, warmup: int = 2) -> float:
    """Median wall time of one single-example forward pass, in milliseconds."""
    import time

    device = device or next((p.device for p in model.parameters()), torch.device("cpu"))
    x = torch.randn((1, *input_shape), device=device)
    if channels_last and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    was_training = model.training
    model.eval()
    times = []
    try:
        with torch.no_grad():
            for i in range(warmup + repeats):
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                start = time.perf_counter()
                model(x)
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                if i >= warmup:
                    times.append(time.perf_counter() - start)
    finally:
        model.train(was_training)
    times.sort()
    return 1000.0 * times[len(times) // 2]
