"""Device selection: ``auto|cpu|cuda|mps`` (``cuda:N`` accepted)."""
from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


class DeviceUnavailable(ValueError):
    pass


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def resolve_device(name: str = "auto", *, local_rank: int | None = None) -> torch.device:
    name = (name or "auto").strip().lower()
    base = name.split(":", 1)[0]
    if base not in DEVICE_CHOICES:
        raise DeviceUnavailable(
            f"unknown device {name!r}; valid choices: {', '.join(DEVICE_CHOICES)}"
        )
    if base == "auto":
        if torch.cuda.is_available():
            base, name = "cuda", "cuda"
        elif _mps_available():
            return torch.device("mps")
        else:
            return torch.device("cpu")
    if base == "cuda":
        if not torch.cuda.is_available():
            raise DeviceUnavailable("device 'cuda' requested but no CUDA GPU is available")
        if ":" in name:
            return torch.device(name)
        return torch.device("cuda", local_rank or 0)
    if base == "mps":
        if not _mps_available():
            raise DeviceUnavailable("device 'mps' requested but Apple MPS is not available")
        return torch.device("mps")
    return torch.device("cpu")


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bf16 in hardware: a CUDA GPU that has it (Ampere or newer), or a CPU with
    AVX-512 BF16 or AMX (oneDNN's check). Elsewhere bf16 is emulated, slower than fp32."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    if device.type == "cpu":
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    return False
