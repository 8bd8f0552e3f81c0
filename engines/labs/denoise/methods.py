"""Denoising: synthetic noise, DnCNN inference (tiled for large images), classical baselines, PSNR/SSIM.

Every method returns a :class:`Restoration` (restored image, residual, seconds), so the window can show
noisy | residual | restored for a network and for a baseline alike.

Evaluation follows the protocol that reproduces the DnCNN paper with the published weights
(``../shared/REFERENCE.md``): image/255 as float, add N(0, σ/255) from a fixed seed *without* clipping the
noisy input, denoise, clip the output to [0, 1], round to the source's integers, then PSNR/SSIM
(``skimage.metrics``) against the original integers.

SSIM is computed with the 11×11 Gaussian window (σ 1.5, population statistics) of Wang et al. 2004, which
DnCNN/KAIR report (``ssim="gaussian"``, the default); ``ssim="uniform"`` is scikit-image's default 7×7 uniform
window with sample covariance, which gives slightly higher numbers. ``noise="kair"`` reproduces KAIR's test script
image by image (``np.random.seed(seed)`` then ``np.random.normal`` for each image); the default ``"seeded"`` draws
from numpy's ``default_rng(seed)``. Both are N(0, σ/255); the means over a set agree, single images differ.
See ``docs/protocols.md``.
"""
from __future__ import annotations

import copy
import functools
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from engines.labs.denoise.images import LoadedImage, load_image, to_integers

METHODS = ("dncnn", "nlm", "tv", "wavelet", "bm3d")
METHOD_TITLES = {"dncnn": "DnCNN", "nlm": "Non-local means (scikit-image)", "tv": "Total variation (Chambolle)",
                 "wavelet": "Wavelet BayesShrink (scikit-image)", "bm3d": "BM3D (bm3d package)"}
DEFAULT_TILE = 512


class MethodUnavailable(RuntimeError):
    """A baseline whose optional package is not installed; the message says which and why."""


class DenoiseCancelled(RuntimeError):
    """``should_stop`` returned True between tiles."""


@dataclass(frozen=True)
class Restoration:
    """One denoised image. Arrays are float32, shaped like the noisy input ((H, W) or (H, W, 3)).

    ``restored`` is clipped to [0, 1]; ``residual`` is what the method removed (noisy − unclipped output),
    which for a residual DnCNN is exactly the network's predicted noise.
    """

    method: str
    restored: np.ndarray
    residual: np.ndarray
    seconds: float
    precision: str = "fp32"  # the arithmetic of a network's pass (bf16 or fp32); fp32 for the baselines


SSIM_WINDOWS = ("gaussian", "uniform")
DEFAULT_SSIM = "gaussian"
# The window's side: an image smaller than it in height or width has no SSIM.
SSIM_MIN_SIDES = {"gaussian": 11, "uniform": 7}
SSIM_MIN_SIDE = SSIM_MIN_SIDES[DEFAULT_SSIM]
SSIM_LABELS = {"gaussian": "SSIM, 11×11 Gaussian window σ 1.5 (Wang et al. 2004, as DnCNN/KAIR)",
               "uniform": "SSIM, 7×7 uniform window (scikit-image default)"}
NOISE_MODES = ("seeded", "kair")
DEFAULT_NOISE = "seeded"
NOISE_LABELS = {"seeded": "N(0, σ/255) from numpy default_rng(seed)",
                "kair": "N(0, σ/255) from np.random.seed(seed) per image (KAIR's test script)"}


def check_ssim_window(ssim: str) -> str:
    if ssim not in SSIM_WINDOWS:
        raise ValueError(f"unknown SSIM window {ssim!r}; valid choices: {', '.join(SSIM_WINDOWS)}")
    return ssim


def check_noise_mode(noise: str) -> str:
    if noise not in NOISE_MODES:
        raise ValueError(f"unknown noise mode {noise!r}; valid choices: {', '.join(NOISE_MODES)}")
    return noise


def _ssim_options(ssim: str) -> dict[str, Any]:
    """``skimage.metrics.structural_similarity`` keywords for a window: Gaussian as Wang et al. and KAIR
    (11×11, σ 1.5, population covariance, C1 = (0.01 L)², C2 = (0.03 L)²), or skimage's own default."""
    if check_ssim_window(ssim) == "gaussian":
        return {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}
    return {}


@dataclass(frozen=True)
class Scores:
    """PSNR in dB (``inf`` when the images are identical) and SSIM (NaN when the image is smaller than the
    SSIM window, see :func:`ssim_note`)."""

    psnr: float
    ssim: float


def ssim_note(shape: tuple[int, ...], ssim: str = DEFAULT_SSIM) -> str | None:
    """Why SSIM is undefined for an image of ``shape`` (too small for the ``ssim`` window), or None."""
    height, width = shape[:2]
    side = SSIM_MIN_SIDES[check_ssim_window(ssim)]
    if min(height, width) < side:
        other = "uniform" if ssim == "gaussian" else "gaussian"
        return (f"SSIM is undefined: with the {ssim} window it needs at least {side}×{side} pixels "
                f"({SSIM_MIN_SIDES[other]}×{SSIM_MIN_SIDES[other]} with the {other} one), "
                f"this image is {width}×{height}")
    return None


def psnr_note(psnr: float, *, noisy: bool = False) -> str | None:
    """Why a PSNR is not a finite number (the images are identical), or None."""
    if math.isfinite(psnr):
        return None
    return "no noise added: PSNR is unbounded" if noisy else "identical to the original: PSNR is unbounded"


# -- noise and metrics ---------------------------------------------------------------------------------
def as_unit_float(image: np.ndarray | LoadedImage) -> np.ndarray:
    """Integers (uint8/uint16) or a :class:`LoadedImage` → float32 in [0, 1]; floats pass through."""
    if isinstance(image, LoadedImage):
        return image.pixels
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.astype(np.float32) / np.float32(255)
    if image.dtype == np.uint16:
        return image.astype(np.float32) / np.float32(65535)
    return image.astype(np.float32, copy=False)


def add_noise(clean: np.ndarray | LoadedImage, sigma: float, seed: int = 0, *,
              noise: str = DEFAULT_NOISE) -> np.ndarray:
    """``clean`` (in [0, 1] after :func:`as_unit_float`) plus N(0, σ/255), not clipped.

    σ is on the 8-bit scale for every bit depth (σ = 25 means 25/255 of the full range), as in the paper.
    The same ``seed`` gives the same noise field for the same shape. ``noise="kair"`` draws the field as KAIR's
    ``main_test_dncnn.py`` does (``np.random.seed(seed)``, then ``np.random.normal(0, σ/255, shape)`` added to
    the float32 image), from a private ``RandomState`` so numpy's global state is left alone.
    """
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number ≥ 0, got {sigma!r}")
    x = as_unit_float(clean)
    if check_noise_mode(noise) == "kair":
        field = np.random.RandomState(seed).normal(0.0, sigma / 255.0, x.shape)
    else:
        field = np.random.default_rng(seed).standard_normal(x.shape) * (sigma / 255.0)
    return (x + field).astype(np.float32)


def score(clean: np.ndarray | LoadedImage, restored: np.ndarray, *, bit_depth: int | None = None,
          ssim: str = DEFAULT_SSIM) -> Scores:
    """PSNR (dB) and SSIM of ``restored`` (floats) against the integer original, after clip and rounding.

    ``ssim`` names the window (:data:`SSIM_WINDOWS`); colour images get the mean of the per-channel SSIMs."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    if isinstance(clean, LoadedImage):
        bit_depth = clean.bit_depth
        clean = clean.original
    clean = np.asarray(clean)
    if bit_depth is None:
        bit_depth = 16 if clean.dtype == np.uint16 else 8
    if clean.shape != restored.shape:
        raise ValueError(f"restored shape {restored.shape} does not match the original {clean.shape}")
    top = (1 << bit_depth) - 1
    rounded = to_integers(restored, bit_depth)
    with np.errstate(divide="ignore"):  # identical images: PSNR is +inf, which is the right answer
        psnr = float(peak_signal_noise_ratio(clean, rounded, data_range=top))
    if ssim_note(clean.shape, ssim) is not None:
        return Scores(psnr, float("nan"))
    value = float(structural_similarity(clean, rounded, data_range=top, channel_axis=-1 if clean.ndim == 3 else None,
                                        **_ssim_options(ssim)))
    return Scores(psnr, value)


def ssim_map(clean: np.ndarray | LoadedImage, restored: np.ndarray, *, ssim: str = DEFAULT_SSIM) -> np.ndarray:
    """Per-pixel SSIM (float, shaped like the image; colour channels averaged) for the SSIM-map view.

    Its mean without the window's half-width border is :func:`score`'s SSIM."""
    from skimage.metrics import structural_similarity

    bit_depth = clean.bit_depth if isinstance(clean, LoadedImage) else (16 if clean.dtype == np.uint16 else 8)
    original = clean.original if isinstance(clean, LoadedImage) else np.asarray(clean)
    if ssim_note(original.shape, ssim) is not None:
        return np.full(original.shape[:2], np.nan, dtype=np.float32)
    top = (1 << bit_depth) - 1
    _, full = structural_similarity(original, to_integers(restored, bit_depth), data_range=top, full=True,
                                    channel_axis=-1 if original.ndim == 3 else None, **_ssim_options(ssim))
    return (full.mean(axis=-1) if full.ndim == 3 else full).astype(np.float32)


# -- DnCNN inference -------------------------------------------------------------------------------------
def model_channels(model: nn.Module) -> int:
    channels = getattr(model, "channels", None)
    if channels is None:
        first = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
        if first is None:
            raise ValueError("model has no convolution; expected an image-to-image network")
        channels = first.in_channels
    return int(channels)


def receptive_radius(model: nn.Module) -> int:
    """How far (in pixels) an output pixel sees; for a stack of 3×3 convs, the number of convs."""
    field_size = getattr(model, "receptive_field", None)
    if field_size is None:
        field_size = 1 + sum((m.kernel_size[0] - 1) * m.dilation[0] for m in model.modules()
                             if isinstance(m, nn.Conv2d))
    return int(field_size) // 2


# What DnCNN inference may run in. "auto" is bf16 where the CPU computes bf16 natively (AVX-512 BF16 or AMX):
# there oneDNN's bf16 convolutions take about half the time of fp32 ones, which already run near the fp32 peak
# (workbench bench denoise), else fp32.
INFERENCE_PRECISIONS = ("auto", "fp32", "bf16")


@functools.lru_cache(maxsize=1)
def _bf16_kernels() -> bool:
    """Whether this PyTorch has oneDNN's pointwise convolution (bf16 input and weights, fp32 bias), which the
    bf16 pass is built on (torch.compile's CPU backend uses it too)."""
    try:
        x = torch.zeros(1, 2, 4, 4, dtype=torch.bfloat16)
        torch.ops.mkldnn._convolution_pointwise(x, torch.zeros(2, 2, 3, 3, dtype=torch.bfloat16), torch.zeros(2),
                                                [1, 1], [1, 1], [1, 1], 1, "relu", [], "")
    except (AttributeError, RuntimeError, NotImplementedError):
        return False
    return True


def inference_precision(precision: str = "auto", device: torch.device | str = "cpu") -> str:
    """``precision`` resolved for ``device``: ``"bf16"`` or ``"fp32"``.

    ``auto`` picks bf16 only where the device computes it natively; an explicit ``bf16`` where it would be
    emulated (several times slower than fp32) raises ``ValueError`` naming the device.
    """
    from engines.core.device import native_bf16

    if precision not in INFERENCE_PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(INFERENCE_PRECISIONS)}, got {precision!r}")
    device = torch.device(device)
    native = device.type == "cpu" and native_bf16(device) and _bf16_kernels()
    if precision == "bf16" and not native:
        raise ValueError(f"precision bf16 needs native bf16 (a CPU with AVX-512 BF16 or AMX), which {device} "
                         f"lacks: emulated bf16 is several times slower than fp32; use fp32 or auto")
    if precision == "auto":
        return "bf16" if native else "fp32"
    return precision


class _Bf16Conv(nn.Module):
    """A middle convolution of DnCNN's bf16 pass, its ReLU fused: bf16 input and weights, fp32 accumulation and
    bias (oneDNN's pointwise convolution), a bf16 output.

    bf16 autocast would round the (BN-folded) biases to bf16 as well, a systematic error: Set12 at σ 25 with
    the published weights lost 0.016 dB of mean PSNR that way, 0.007 dB this way (the image's convolution and
    the residual's stay fp32 in both), at the same speed.
    """

    def __init__(self, conv: nn.Conv2d, relu: bool) -> None:
        super().__init__()
        weight = conv.weight.detach().to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
        bias = conv.bias.detach().float() if conv.bias is not None else torch.zeros(conv.out_channels)
        self.register_buffer("weight", weight)
        self.register_buffer("bias", bias)
        self.geometry = (list(conv.padding), list(conv.stride), list(conv.dilation), conv.groups)
        self.activation = "relu" if relu else "none"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        padding, stride, dilation, groups = self.geometry
        return torch.ops.mkldnn._convolution_pointwise(x.to(torch.bfloat16), self.weight, self.bias, padding,
                                                       stride, dilation, groups, self.activation, [], "")


class _Float32Conv(nn.Module):
    """A convolution that runs in fp32 whatever its input (the last one of a bf16 pass: the residual, or a
    direct model's image, keeps fp32's resolution for the cost of one 64→C convolution)."""

    def __init__(self, conv: nn.Module) -> None:
        super().__init__()
        self.conv = conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x.float())


def _to_bf16(model: nn.Module) -> None:
    """Rewrite a (folded, eval) DnCNN's body in place for the bf16 pass: the first convolution (on the image,
    1/64 of the work) and the last stay fp32, the others become :class:`_Bf16Conv` with their ReLU fused."""
    body = list(model.body)
    convs = [i for i, m in enumerate(body) if isinstance(m, nn.Conv2d)]
    layers, i = [], 0
    while i < len(body):
        module = body[i]
        if isinstance(module, nn.Conv2d) and i not in (convs[0], convs[-1]):
            relu = i + 1 < len(body) and isinstance(body[i + 1], nn.ReLU)
            layers.append(_Bf16Conv(module, relu))
            i += 2 if relu else 1
            continue
        layers.append(_Float32Conv(module) if i == convs[-1] else module)
        i += 1
    model.body = nn.Sequential(*layers)


def prepare_model(model: nn.Module, *, fold_bn: bool = True, channels_last: bool = True,
                  precision: str = "fp32") -> nn.Module:
    """The optimised inference copy: eval mode, BN folded into the convs, NHWC weights, no grad, and the
    arithmetic ``precision`` asks for (:func:`inference_precision`; bf16 only for a DnCNN on a CPU, fp32 for any
    other model)."""
    from engines.models.dncnn import DnCNN, fold_batchnorm

    dncnn = isinstance(model, DnCNN)
    resolved = inference_precision(precision, next(model.parameters()).device) if dncnn else "fp32"
    # Always a copy: the caller's model (maybe still training) keeps its mode, layout and grads.
    model = fold_batchnorm(model) if fold_bn and dncnn else copy.deepcopy(model).eval()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    if resolved == "bf16":
        if any(isinstance(m, nn.BatchNorm2d) for m in model.modules()):  # fold_bn=False on a DnCNN with BN
            resolved = "fp32"
        else:
            _to_bf16(model)
    model.requires_grad_(False)
    model._workbench_prepared = True  # lets run_model skip preparing twice
    model._workbench_precision = resolved
    return model


def model_precision(model: nn.Module) -> str:
    """The arithmetic a prepared model runs in (``fp32`` for one prepared elsewhere)."""
    return getattr(model, "_workbench_precision", "fp32")


def _forward_pair(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    pair = getattr(model, "restore_with_residual", None)
    if pair is not None:
        return pair(x)
    out = model(x)
    return out, x - out


def tiled_forward(model: nn.Module, x: np.ndarray, *, tile: int = DEFAULT_TILE, overlap: int | None = None,
                  channels_last: bool = True, progress: Callable[[int, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Run ``model`` over ``x`` (N, C, H, W float32) in tiles; returns (output, residual) arrays.

    Each tile's core (``tile``×``tile``) is computed from an input window extended by ``overlap`` pixels on
    every side (clipped at the image border, where whole-image inference zero-pads too). With ``overlap`` at
    least the receptive radius, every core pixel sees exactly what it would see in one whole-image pass, so
    the result equals whole-image inference up to float round-off, while memory holds only one tile's
    activations. The default overlap is the radius + 1 (two neighbouring windows then share more than one
    receptive field).
    """
    radius = receptive_radius(model)
    overlap = radius + 1 if overlap is None else int(overlap)
    if overlap < radius:
        raise ValueError(f"overlap {overlap} is smaller than the model's receptive radius {radius}; "
                         "tiles would differ from whole-image inference")
    if tile < 1:
        raise ValueError(f"tile must be ≥ 1, got {tile}")
    n, c, height, width = x.shape
    out = np.empty_like(x)
    residual = np.empty_like(x)
    ys = list(range(0, height, tile))
    xs = list(range(0, width, tile))
    total, done = len(ys) * len(xs), 0
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    with torch.inference_mode():
        for y0 in ys:
            for x0 in xs:
                if should_stop is not None and should_stop():
                    raise DenoiseCancelled("denoising cancelled")
                y1, x1 = min(y0 + tile, height), min(x0 + tile, width)
                wy0, wx0 = max(0, y0 - overlap), max(0, x0 - overlap)
                wy1, wx1 = min(height, y1 + overlap), min(width, x1 + overlap)
                window = torch.from_numpy(x[:, :, wy0:wy1, wx0:wx1]).contiguous(memory_format=memory_format)
                restored, res = _forward_pair(model, window)
                core = (slice(None), slice(None), slice(y0 - wy0, y1 - wy0), slice(x0 - wx0, x1 - wx0))
                out[:, :, y0:y1, x0:x1] = restored[core].float().numpy()
                residual[:, :, y0:y1, x0:x1] = res[core].float().numpy()
                done += 1
                if progress is not None:
                    progress(done, total)
    return out, residual


def run_model(model: nn.Module, noisy: np.ndarray, *, tile: int | None = DEFAULT_TILE,
              overlap: int | None = None, threads: int | None = None, prepared: bool | None = None,
              progress: Callable[[int, int], None] | None = None,
              should_stop: Callable[[], bool] | None = None, method: str = "dncnn") -> Restoration:
    """Denoise ``noisy`` ((H, W) or (H, W, 3) floats) with an image-to-image network.

    A gray model denoises colour images channel by channel; a colour model sees a gray image as three
    equal channels. ``tile=None`` runs the whole image at once. ``threads`` sets PyTorch's CPU threads
    (a process-wide setting). The model is prepared (:func:`prepare_model`) unless already.
    """
    if threads:
        torch.set_num_threads(int(threads))
    if prepared is None:
        prepared = bool(getattr(model, "_workbench_prepared", False))
    if not prepared:
        model = prepare_model(model)
    device = next(model.parameters()).device
    if device.type != "cpu":
        raise ValueError("run_model works on CPU models; move the model with .cpu() first")
    noisy = np.asarray(noisy, dtype=np.float32)
    if noisy.ndim not in (2, 3) or (noisy.ndim == 3 and noisy.shape[-1] not in (1, 3)):
        raise ValueError(f"expected an (H, W) or (H, W, 3) image, got shape {noisy.shape}")
    channels = model_channels(model)
    color = noisy.ndim == 3 and noisy.shape[-1] == 3
    if noisy.ndim == 2:
        planes = noisy[None, None]
    elif channels == 1:
        planes = np.ascontiguousarray(np.moveaxis(noisy, -1, 0)[:, None])  # channels as a batch of gray images
    else:
        planes = np.ascontiguousarray(np.moveaxis(noisy, -1, 0)[None])
    if channels == 3 and planes.shape[1] == 1:
        planes = np.repeat(planes, 3, axis=1)
    height, width = planes.shape[-2:]
    start = time.perf_counter()
    size = max(height, width) if tile is None else tile
    out, residual = tiled_forward(model, planes, tile=size, overlap=overlap, progress=progress,
                                  should_stop=should_stop)
    seconds = time.perf_counter() - start
    if channels == 3 and not color:
        out, residual = out.mean(axis=1, keepdims=True), residual.mean(axis=1, keepdims=True)
    if noisy.ndim == 2:
        out, residual = out[0, 0], residual[0, 0]
    elif channels == 1:
        out, residual = np.moveaxis(out[:, 0], 0, -1), np.moveaxis(residual[:, 0], 0, -1)
    else:
        out, residual = np.moveaxis(out[0], 0, -1), np.moveaxis(residual[0], 0, -1)
        if noisy.shape[-1] == 1:
            out, residual = out[..., :1], residual[..., :1]
    # The residual is taken before clipping so restored + residual == noisy wherever nothing was clipped.
    np.clip(out, 0.0, 1.0, out=out)
    return Restoration(method, out, residual, seconds, model_precision(model))


# -- classical baselines -----------------------------------------------------------------------------
def _channel_axis(noisy: np.ndarray) -> int | None:
    return -1 if noisy.ndim == 3 else None


def _nlm(noisy: np.ndarray, sigma: float) -> np.ndarray:
    from skimage.restoration import denoise_nl_means

    s = sigma / 255.0
    return denoise_nl_means(noisy, h=0.8 * s, sigma=s, patch_size=5, patch_distance=6, fast_mode=True,
                            channel_axis=_channel_axis(noisy))


def _tv(noisy: np.ndarray, sigma: float) -> np.ndarray:
    from skimage.restoration import denoise_tv_chambolle

    # Weight proportional to σ: 0.8·σ/255 gives the reference's 28.86 dB on "camera" at σ = 25.
    if sigma <= 0:  # scikit-image divides by the weight
        raise ValueError("total variation needs σ > 0 (its smoothing weight is proportional to σ)")
    return denoise_tv_chambolle(noisy, weight=0.8 * sigma / 255.0, channel_axis=_channel_axis(noisy))


def _wavelet(noisy: np.ndarray, sigma: float) -> np.ndarray:
    from skimage.restoration import denoise_wavelet

    return denoise_wavelet(noisy, sigma=sigma / 255.0, method="BayesShrink", mode="soft", rescale_sigma=True,
                           convert2ycbcr=noisy.ndim == 3, channel_axis=_channel_axis(noisy))


def _bm3d(noisy: np.ndarray, sigma: float) -> np.ndarray:
    import bm3d

    if noisy.ndim == 3:
        return bm3d.bm3d_rgb(noisy, sigma / 255.0)
    return bm3d.bm3d(noisy, sigma_psd=sigma / 255.0)


_BASELINES: dict[str, tuple[Callable[[np.ndarray, float], np.ndarray], str | None, str]] = {
    # name: (function, module it needs, how to install it)
    "nlm": (_nlm, None, ""),
    "tv": (_tv, None, ""),
    "wavelet": (_wavelet, "pywt", "install PyWavelets (pip install 'cnn-workbench[wavelet]')"),
    "bm3d": (_bm3d, "bm3d", "install the optional bm3d package (pip install 'cnn-workbench[bm3d]'; "
                            "its licence allows non-commercial use only)"),
}


def method_status(name: str) -> tuple[bool, str]:
    """``(available, reason)`` for a method name; the reason says what to install when unavailable."""
    import importlib.util

    if name == "dncnn":
        return True, ""
    if name not in _BASELINES:
        raise ValueError(f"unknown method {name!r}; valid choices: {', '.join(METHODS)}")
    _, module, how = _BASELINES[name]
    if module is not None and importlib.util.find_spec(module) is None:
        return False, f"{name} is unavailable: the {module!r} module is not installed; {how}"
    return True, ""


def available_methods() -> dict[str, tuple[bool, str]]:
    return {name: method_status(name) for name in METHODS}


def run_baseline(name: str, noisy: np.ndarray, *, sigma: float) -> Restoration:
    """Denoise with a classical method given the noise level σ (8-bit scale)."""
    available, reason = method_status(name)
    if name == "dncnn":
        raise ValueError("dncnn needs a model: use run_model(model, noisy)")
    if not available:
        raise MethodUnavailable(reason)
    function = _BASELINES[name][0]
    noisy = np.asarray(noisy, dtype=np.float32)
    start = time.perf_counter()
    out = np.asarray(function(noisy, float(sigma)), dtype=np.float32)
    seconds = time.perf_counter() - start
    residual = noisy - out
    return Restoration(name, np.clip(out, 0.0, 1.0), residual, seconds)


def restore(method: str, noisy: np.ndarray, *, sigma: float, model: nn.Module | None = None,
            **model_kwargs: Any) -> Restoration:
    """One entry point for every method: ``model`` is needed for ``dncnn``, ``sigma`` for the baselines."""
    if method == "dncnn":
        if model is None:
            raise ValueError("method 'dncnn' needs a model (published weights or a trained run)")
        return run_model(model, noisy, **model_kwargs)
    return run_baseline(method, noisy, sigma=sigma)


# -- evaluation over a set of images ----------------------------------------------------------------
@dataclass(frozen=True)
class ImageScore:
    name: str
    psnr: float
    ssim: float  # NaN where undefined (an image smaller than the SSIM window)
    noisy_psnr: float
    seconds: float
    shape: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()  # what a reader should know: a page left out, a score undefined

    def to_json(self) -> dict[str, Any]:
        """Plain values; a score that is not a finite number gets a ``<key>_note`` saying why (JSON writers
        turn the number into null)."""
        data: dict[str, Any] = {**asdict(self), "psnr": round(self.psnr, 4), "ssim": round(self.ssim, 5),
                                "noisy_psnr": round(self.noisy_psnr, 4), "seconds": round(self.seconds, 3),
                                "shape": list(self.shape), "notes": list(self.notes)}
        for key, note in (("psnr", psnr_note(self.psnr)), ("noisy_psnr", psnr_note(self.noisy_psnr, noisy=True)),
                          ("ssim", ssim_note(self.shape) if self.shape and math.isnan(self.ssim) else None)):
            if note:
                data[f"{key}_note"] = note
        return data


@dataclass
class EvalReport:
    method: str
    sigma: float
    seed: int
    images: list[ImageScore] = field(default_factory=list)
    model: str = ""
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)
    ssim: str = DEFAULT_SSIM  # the SSIM window (SSIM_WINDOWS)
    noise: str = DEFAULT_NOISE  # the noise generator (NOISE_MODES)

    @property
    def mean_psnr(self) -> float:
        """Mean over the images with a finite PSNR (an exact restoration's +inf would swamp the mean)."""
        values = [s.psnr for s in self.images if math.isfinite(s.psnr)]
        return float(np.mean(values)) if values else float("nan")

    @property
    def mean_ssim(self) -> float:
        """Mean over the images where SSIM is defined."""
        values = [s.ssim for s in self.images if math.isfinite(s.ssim)]
        return float(np.mean(values)) if values else float("nan")

    @property
    def seconds(self) -> float:
        return float(sum(s.seconds for s in self.images))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method, "model": self.model, "sigma": self.sigma, "seed": self.seed,
            "noise": self.noise, "noise_protocol": NOISE_LABELS[self.noise],
            "ssim_window": self.ssim, "ssim_protocol": SSIM_LABELS[self.ssim],
            "count": len(self.images), "mean_psnr": round(self.mean_psnr, 4), "mean_ssim": round(self.mean_ssim, 5),
            "seconds": round(self.seconds, 3),
            "images": [s.to_json() for s in self.images],
            "skipped": [{"name": name, "reason": reason} for name, reason in self.skipped],
        }
        if not math.isfinite(self.mean_psnr):
            data["mean_psnr_note"] = "no image has a finite PSNR"
        if not math.isfinite(self.mean_ssim):
            side = SSIM_MIN_SIDES[self.ssim]
            data["mean_ssim_note"] = "SSIM is undefined for every image (all smaller than " \
                                     f"{side}×{side} pixels)" if self.images else "no images"
        return data


def iter_evaluate(images: Iterable[str | os.PathLike | LoadedImage], *, sigma: float, seed: int = 0,
                  method: str = "dncnn", model: nn.Module | None = None, tile: int | None = DEFAULT_TILE,
                  ssim: str = DEFAULT_SSIM, noise: str = DEFAULT_NOISE) -> Iterator[ImageScore]:
    """Yield one :class:`ImageScore` per image (so a caller can show progress and stop between images).

    Every image gets noise from the same ``seed`` (drawn by the ``noise`` generator); SSIM uses the ``ssim``
    window. Bad files raise :class:`engines.labs.denoise.images.ImageError`.
    """
    check_ssim_window(ssim)
    check_noise_mode(noise)
    if method == "dncnn":
        if model is None:
            raise ValueError("method 'dncnn' needs a model")
        if not getattr(model, "_workbench_prepared", False):
            model = prepare_model(model)
    else:
        available, reason = method_status(method)
        if not available:
            raise MethodUnavailable(reason)
    for item in images:
        image = item if isinstance(item, LoadedImage) else load_image(item)
        noisy = add_noise(image, sigma, seed, noise=noise)
        result = restore(method, noisy, sigma=sigma, model=model, tile=tile) if method == "dncnn" \
            else restore(method, noisy, sigma=sigma)
        scores = score(image, result.restored, ssim=ssim)
        noisy_scores = score(image, noisy, ssim=ssim)
        notes = tuple(n for n in (image.info.get("note"), ssim_note(image.shape, ssim)) if n)
        yield ImageScore(image.path.name, scores.psnr, scores.ssim, noisy_scores.psnr, result.seconds,
                         tuple(image.shape), notes)


def evaluate_images(images: Iterable[str | os.PathLike | LoadedImage], *, sigma: float, seed: int = 0,
                    method: str = "dncnn", model: nn.Module | None = None, model_name: str = "",
                    tile: int | None = DEFAULT_TILE, ssim: str = DEFAULT_SSIM,
                    noise: str = DEFAULT_NOISE) -> EvalReport:
    report = EvalReport(method=method, sigma=float(sigma), seed=seed, model=model_name, ssim=ssim, noise=noise)
    report.images.extend(iter_evaluate(images, sigma=sigma, seed=seed, method=method, model=model, tile=tile,
                                       ssim=ssim, noise=noise))
    return report
