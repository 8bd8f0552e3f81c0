"""HybridSN (Roy et al., IEEE GRSL 2020) and its controls, for hyperspectral patch classification.

A sample is one pixel's neighbourhood: a ``window × window`` patch of the PCA-reduced cube with
``bands`` components, given as ``(N, 1, bands, window, window)`` (the 3-D convolutions' layout) or
``(N, bands, window, window)`` (bands as image channels); every model here accepts both.

- ``hybridsn``: three 3-D convolutions (spectral–spatial: 8@7×3×3, 16@5×3×3, 32@3×3×3), each followed by
  ReLU, the spectral axis folded into channels, one 2-D convolution (64@3×3) + ReLU, then FC 256 → ReLU →
  dropout 0.4 → FC 128 → ReLU → dropout 0.4 → FC classes (softmax in the loss): 5,122,176 parameters at
  30 components and a 25×25 window with 16 classes, the layer shapes of the paper, of the authors' Keras
  notebook and of the course notes. It is the authors' Keras model (Glorot-uniform initialisation, see
  :func:`glorot_init`) with one documented switch: the course notes' PyTorch code has *no* ReLU after
  FC 256 and FC 128 (only dropout); ``fc_activation="none"`` builds that variant, ``"relu"`` (the default)
  the authors'. The input layout differs only in axis order (Keras: bands last; here: bands as depth).
- ``hybridsn_2d3d``: the control the course suggests — the same layers in the other order: the 2-D
  convolution first (over the bands as channels), its 64 feature maps then stacked as the depth of the
  3-D convolutions; a 1×1 convolution brings the folded depth back to 64 maps so the head is the same.
- ``cnn2d``: 2-D only — the 3-D convolutions made 2-D with the same widths (bands as channels).
- ``cnn3d``: 3-D only — the 2-D convolution replaced by a 3-D one (64@3×3×3) whose output is averaged
  over the spectral axis before the same head.

All four end in the same head (flatten → 256 → 128 → classes, with or without ReLU after the first two
by ``fc_activation``) over 64 maps of ``(window − 8)²`` pixels, so they differ only in how spectral and
spatial features are mixed.
"""
from __future__ import annotations

import os
import time
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from engines.core.models import register_model

SPECTRAL_KERNELS = (7, 5, 3)  # depth of the three 3-D kernels; each also takes 3×3 pixels
WIDTHS_3D = (8, 16, 32)
WIDTH_2D = 64
# After FC 256 and FC 128: "relu" as the authors' Keras code (and the paper's figure); "none" as the course
# notes' PyTorch code, which has only dropout there.
FC_ACTIVATIONS = ("relu", "none")


def _relu() -> nn.Module:
    return nn.ReLU(inplace=True)


def _head(in_features: int, num_classes: int, dropout: float, fc_activation: str = "relu") -> nn.Sequential:
    def act() -> list[nn.Module]:
        return [_relu()] if fc_activation == "relu" else []

    return nn.Sequential(
        nn.Flatten(1),
        nn.Linear(in_features, 256), *act(), nn.Dropout(dropout),
        nn.Linear(256, 128), *act(), nn.Dropout(dropout),
        nn.Linear(128, num_classes),
    )


def _dense_head(head: nn.Sequential, features: torch.Tensor, window: int) -> torch.Tensor:
    """The head applied at every position of a feature map at once, as in eval mode.

    The first linear layer becomes a ``(window − 8)²`` convolution (its weight viewed in ``flatten``'s
    channel-major order), later ones 1×1 convolutions; dropout is skipped and element-wise activations
    apply as they are. (1, 64, h, w) → (1, classes, h − window + 9, w − window + 9).
    """
    x = features
    first = True
    for module in head:
        if isinstance(module, (nn.Flatten, nn.Dropout)):
            continue
        if isinstance(module, nn.Linear):
            k = window - 8 if first else 1
            x = F.conv2d(x, module.weight.reshape(module.out_features, -1, k, k), module.bias)
            first = False
        else:
            x = module(x)
    return x


# The CPU paths of a stack of SpectralConv3d chosen while training: (the layers' shapes, the input's shape with the
# batch apart, dtype, threads) → {batch size: one path per layer}. Process-wide: a run, its resume and a bench in
# one process train on the same paths.
_TRAINING_PATHS: dict[tuple, dict[int, tuple[str, ...]]] = {}
CALIBRATION_REPEATS = 4  # timed passes per candidate, after one untimed (allocator, oneDNN primitive creation)
CALIBRATION_MARGIN = 0.95  # another candidate replaces the plain kernels only when at least 5 % faster


def calibration_enabled() -> bool:
    """``WORKBENCH_CONV_CALIBRATION=0`` keeps the default paths (no timing)."""
    return os.environ.get("WORKBENCH_CONV_CALIBRATION", "1").strip().lower() not in ("0", "false", "no", "off")


def calibrated_paths() -> list[dict]:
    """The paths chosen so far, for reports: one entry per stack, input shape and batch size."""
    return [{"layers": [list(layer) for layer in key[0]], "input": [n, *key[1]], "threads": key[3],
             "paths": list(paths)}
            for key, by_batch in _TRAINING_PATHS.items() for n, paths in sorted(by_batch.items())]


class SpectralConv3d(nn.Conv3d):
    """``nn.Conv3d`` (same parameters, same results) with faster CPU kernels for these shapes.

    On CPU, oneDNN's 3-D convolution backward dominates training. Three paths compute the same convolution:
    ``conv2d``, a 2-D convolution over the unfolded spectral axis (kernel depth folded into input channels,
    NHWC; single-input-channel layers only), ``ndhwc``, the 3-D kernel on ``channels_last_3d`` activations, and
    ``ncdhw``, the plain kernel. :attr:`path` picks one; ``None`` takes the default, ``conv2d`` for one input
    channel, else ``ndhwc``. Which is fastest depends on the batch size and on the neighbouring layers' layouts
    (see :class:`SpectralStack`, which sets it while training). Other devices use the plain kernel.
    """

    path: str | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu" or self.padding != (0, 0, 0) or self.stride != (1, 1, 1) or self.groups != 1:
            return super().forward(x)
        return self.run_path(self.path or self.default_path(), x)

    def default_path(self) -> str:
        return "conv2d" if self.in_channels == 1 else "ndhwc"

    def run_path(self, path: str, x: torch.Tensor) -> torch.Tensor:
        if path == "conv2d":
            return self._as_conv2d(x)
        if path == "ndhwc":
            return super().forward(x.contiguous(memory_format=torch.channels_last_3d))
        return super().forward(x.contiguous())

    def _as_conv2d(self, x: torch.Tensor) -> torch.Tensor:
        n, _, depth, h, w = x.shape
        kd, kh, kw = self.kernel_size
        out_depth = depth - kd + 1
        # (N, 1, D, H, W) → (N·D', kd, H, W): each output depth sees kd consecutive bands as channels.
        planes = x[:, 0].unfold(1, kd, 1).permute(0, 1, 4, 2, 3).reshape(n * out_depth, kd, h, w)
        planes = planes.contiguous(memory_format=torch.channels_last)
        y = F.conv2d(planes, self.weight.reshape(self.out_channels, kd, kh, kw), self.bias)
        return y.reshape(n, out_depth, self.out_channels, h - kh + 1, w - kw + 1).transpose(1, 2)


class SpectralStack(nn.Sequential):
    """The 3-D convolutions (with their activations) of every model here; the same parameters as
    ``nn.Sequential``.

    While training on CPU, the first batch of each new input shape times forward and backward of the whole
    stack, its output made contiguous as the next layer needs it, on three choices of paths: every layer plain,
    the defaults, the wider layers plain (``torch.autograd.grad``, so no ``.grad`` is touched), and keeps the
    plain kernels unless another choice is at least 5 % faster; a shorter last batch takes its epoch's choice.
    Timing the layers one by one misleads: on 2 cores each wider layer was faster channels-last at batch 32,
    yet the model was 13 % slower than with plain kernels there, for the layout changes between layers (and
    10 % faster at batch 64). Inference keeps the defaults, as does everything with
    ``WORKBENCH_CONV_CALIBRATION=0``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layers = [m for m in self if isinstance(m, SpectralConv3d)]
        if layers and x.device.type == "cpu":
            training = torch.is_grad_enabled() and any(p.requires_grad for p in self.parameters())
            paths = self._paths(x, layers) if training and calibration_enabled() else (None,) * len(layers)
            for layer, path in zip(layers, paths):
                layer.path = path
        return super().forward(x)

    def _paths(self, x: torch.Tensor, layers: list[SpectralConv3d]) -> tuple[str, ...]:
        shapes = tuple((m.in_channels, m.out_channels, *m.kernel_size) for m in layers)
        key = (shapes, tuple(x.shape[1:]), x.dtype, torch.get_num_threads())
        by_batch = _TRAINING_PATHS.setdefault(key, {})
        n = x.shape[0]
        if n not in by_batch:
            larger = [b for b in by_batch if b > n]
            by_batch[n] = by_batch[min(larger)] if larger else self._calibrate(x, layers)
        return by_batch[n]

    def _calibrate(self, x: torch.Tensor, layers: list[SpectralConv3d]) -> tuple[str, ...]:
        # Every layer plain (the reference), the defaults, and the first layer's default with the wider layers
        # plain (mixed layouts add copies). At small windows the 2-D form's unfolding costs about what it saves.
        plain = tuple("ncdhw" for _ in layers)
        defaults = tuple(m.default_path() for m in layers)
        candidates = [plain]
        for paths in (defaults, (defaults[0], *plain[1:])):
            if paths not in candidates:
                candidates.append(paths)
        probe = x.detach()
        params = [p for p in self.parameters() if p.requires_grad]
        seconds: dict[tuple[str, ...], float] = {}
        for repeat in range(1 + CALIBRATION_REPEATS):  # round robin, so a drifting machine favours none
            for paths in candidates:
                for layer, path in zip(layers, paths):
                    layer.path = path
                started = time.perf_counter()
                y = super().forward(probe).contiguous()  # the layout the next layer reads (a fold, a mean)
                torch.autograd.grad(y, params, torch.ones_like(y))
                if repeat:
                    seconds[paths] = min(seconds.get(paths, float("inf")), time.perf_counter() - started)
        fastest = min(seconds, key=seconds.__getitem__)
        # A close call keeps the plain kernels: never slower than them, and timing noise does not flip the paths
        # (and their rounding) from run to run.
        return fastest if seconds[fastest] < CALIBRATION_MARGIN * seconds[plain] else plain


def _conv3d_stack(in_channels: int, activation: Callable[[], nn.Module]) -> SpectralStack:
    layers: list[nn.Module] = []
    for width, depth in zip(WIDTHS_3D, SPECTRAL_KERNELS):
        layers += [SpectralConv3d(in_channels, width, (depth, 3, 3)), activation()]
        in_channels = width
    return SpectralStack(*layers)


class _PatchClassifier(nn.Module):
    """Shared input checks: the builders fix ``bands`` and ``window``, so a wrong patch fails clearly.

    Every model here also has a dense form, :meth:`dense_logits`: the same valid convolutions run once
    over a whole (zero-padded) cube instead of once per window, which is what a classification map needs.
    """

    arch = "patch classifier"

    def dense_features(self, cube: torch.Tensor) -> torch.Tensor:
        """(1, 1, bands, H, W) → the 64 feature maps the head reads, (1, 64, H − 8, W − 8)."""
        raise NotImplementedError

    def dense_logits(self, cube: torch.Tensor) -> torch.Tensor:
        """Logits of every full window of ``cube`` (1, 1, bands, H, W), as :meth:`forward` gives for each
        window in eval mode: (1, classes, H − window + 1, W − window + 1)."""
        if cube.dim() != 5 or cube.shape[:3] != (1, 1, self.bands) or min(cube.shape[3:]) < self.window:
            raise ValueError(f"{self.arch} dense inference takes a cube of shape (1, 1, {self.bands}, H, W) with "
                             f"H, W ≥ {self.window}; got {tuple(cube.shape)}")
        return _dense_head(self.head, self.dense_features(cube), self.window)

    def __init__(self, bands: int, window: int, num_classes: int) -> None:
        super().__init__()
        self.bands, self.window, self.num_classes = bands, window, num_classes

    def _as_5d(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:
            x = x.unsqueeze(1)
        if x.dim() != 5 or x.shape[1] != 1 or tuple(x.shape[2:]) != (self.bands, self.window, self.window):
            raise ValueError(
                f"{self.arch} was built for patches of {self.bands} bands × {self.window}×{self.window} pixels "
                f"(input (N, 1, {self.bands}, {self.window}, {self.window})); got input of shape {tuple(x.shape)}"
            )
        return x


class HybridSN(_PatchClassifier):
    arch = "hybridsn"

    def __init__(self, *, bands: int, window: int, num_classes: int, dropout: float,
                 activation: Callable[[], nn.Module] = _relu, fc_activation: str = "relu") -> None:
        super().__init__(bands, window, num_classes)
        self.conv3d = _conv3d_stack(1, activation)
        depth = bands - sum(k - 1 for k in SPECTRAL_KERNELS)
        self.conv2d = nn.Sequential(nn.Conv2d(WIDTHS_3D[-1] * depth, WIDTH_2D, 3), activation())
        self.head = _head(WIDTH_2D * (window - 8) ** 2, num_classes, dropout, fc_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3d(self._as_5d(x))
        x = x.flatten(1, 2)  # fold the spectral axis into channels: (N, 32·depth, h, w)
        return self.head(self.conv2d(x))

    def dense_features(self, cube: torch.Tensor) -> torch.Tensor:
        return self.conv2d(self.conv3d(cube).flatten(1, 2))


class HybridSN2D3D(_PatchClassifier):
    arch = "hybridsn_2d3d"

    def __init__(self, *, bands: int, window: int, num_classes: int, dropout: float,
                 activation: Callable[[], nn.Module] = _relu, fc_activation: str = "relu") -> None:
        super().__init__(bands, window, num_classes)
        self.conv2d = nn.Sequential(nn.Conv2d(bands, WIDTH_2D, 3), activation())
        self.conv3d = _conv3d_stack(1, activation)
        depth = WIDTH_2D - sum(k - 1 for k in SPECTRAL_KERNELS)
        self.project = nn.Sequential(nn.Conv2d(WIDTHS_3D[-1] * depth, WIDTH_2D, 1), activation())
        self.head = _head(WIDTH_2D * (window - 8) ** 2, num_classes, dropout, fc_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv2d(self._as_5d(x).squeeze(1))  # (N, 64, w−2, w−2)
        x = self.conv3d(x.unsqueeze(1))  # the 64 maps become the depth of the 3-D convolutions
        return self.head(self.project(x.flatten(1, 2)))

    def dense_features(self, cube: torch.Tensor) -> torch.Tensor:
        x = self.conv3d(self.conv2d(cube.squeeze(1)).unsqueeze(1))
        return self.project(x.flatten(1, 2))


class CNN2D(_PatchClassifier):
    arch = "cnn2d"

    def __init__(self, *, bands: int, window: int, num_classes: int, dropout: float,
                 activation: Callable[[], nn.Module] = _relu, fc_activation: str = "relu") -> None:
        super().__init__(bands, window, num_classes)
        layers: list[nn.Module] = []
        channels = bands
        for width in (*WIDTHS_3D, WIDTH_2D):
            layers += [nn.Conv2d(channels, width, 3), activation()]
            channels = width
        self.features = nn.Sequential(*layers)
        self.head = _head(WIDTH_2D * (window - 8) ** 2, num_classes, dropout, fc_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self._as_5d(x).squeeze(1)))

    def dense_features(self, cube: torch.Tensor) -> torch.Tensor:
        return self.features(cube.squeeze(1))


class CNN3D(_PatchClassifier):
    arch = "cnn3d"

    def __init__(self, *, bands: int, window: int, num_classes: int, dropout: float,
                 activation: Callable[[], nn.Module] = _relu, fc_activation: str = "relu") -> None:
        super().__init__(bands, window, num_classes)
        self.conv3d = _conv3d_stack(1, activation)
        self.conv3d_last = nn.Sequential(SpectralConv3d(WIDTHS_3D[-1], WIDTH_2D, 3), activation())
        self.head = _head(WIDTH_2D * (window - 8) ** 2, num_classes, dropout, fc_activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3d_last(self.conv3d(self._as_5d(x)))
        return self.head(x.mean(2))  # average over the remaining spectral depth

    def dense_features(self, cube: torch.Tensor) -> torch.Tensor:
        return self.conv3d_last(self.conv3d(cube)).mean(2)


# The models with a dense form (:func:`dense_probabilities`): a whole-scene map costs seconds, not minutes.
DENSE_MODELS = ("hybridsn", "hybridsn_2d3d", "cnn2d", "cnn3d")

# Smallest inputs each architecture's valid (unpadded) convolutions can take.
MIN_BANDS = {"hybridsn": 1 + sum(k - 1 for k in SPECTRAL_KERNELS), "hybridsn_2d3d": 1, "cnn2d": 1,
             "cnn3d": 3 + sum(k - 1 for k in SPECTRAL_KERNELS)}
MIN_WINDOW = 9


def _check(name: str, bands: int, window: int, num_classes: int, dropout: float, fc_activation: str = "relu") -> None:
    if fc_activation not in FC_ACTIVATIONS:
        raise ValueError(f"unknown fc_activation {fc_activation!r}; valid choices: {', '.join(FC_ACTIVATIONS)} "
                         "(relu: the authors' Keras code; none: the course notes' PyTorch code)")
    if bands < MIN_BANDS[name]:
        raise ValueError(f"{name} needs at least {MIN_BANDS[name]} spectral components (bands), got {bands}")
    if window < MIN_WINDOW or window % 2 == 0:
        raise ValueError(f"{name} needs an odd window of at least {MIN_WINDOW} pixels, got {window}")
    if num_classes < 2:
        raise ValueError(f"num_classes must be ≥ 2, got {num_classes}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")


def glorot_init(model: nn.Module) -> nn.Module:
    """The authors' (Keras) initialisation: Glorot-uniform weights, zero biases, for every conv and dense layer.

    PyTorch's default draws these wide layers' weights ~2.4× smaller (bound 1/√fan_in), so without batch
    norm the signal shrinks layer by layer and HybridSN barely learns in its 100 epochs of 12 steps.
    """
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Conv3d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return model


def _make_builder(name: str, cls: type, doc: str):
    def builder(*, num_classes: int = 16, bands: int = 30, window: int = 25, dropout: float = 0.4,
                fc_activation: str = "relu") -> nn.Module:
        _check(name, bands, window, num_classes, dropout, fc_activation)
        return glorot_init(cls(bands=bands, window=window, num_classes=num_classes, dropout=dropout,
                               fc_activation=fc_activation))

    builder.__name__ = f"build_{name}"
    builder.__doc__ = doc
    # Not 3×32×32 images: one PCA-reduced patch around a pixel, shaped by the options.
    register_model(name, tasks=("hsi",),
                   input_shape=lambda bands=30, window=25, **_: (1, bands, window, window))(builder)
    return builder


build_hybridsn = _make_builder(
    "hybridsn", HybridSN,
    "HybridSN: 3-D convolutions (8@7×3×3, 16@5×3×3, 32@3×3×3) then a 2-D one (64@3×3), FC 256/128 with "
    "dropout; fc_activation = relu (the authors' Keras code) or none (the course notes' PyTorch code).")
build_hybridsn_2d3d = _make_builder(
    "hybridsn_2d3d", HybridSN2D3D, "Control: HybridSN's layers in the other order (2-D first, then 3-D).")
build_cnn2d = _make_builder("cnn2d", CNN2D, "Control: 2-D convolutions only (bands as channels).")
build_cnn3d = _make_builder("cnn3d", CNN3D, "Control: 3-D convolutions only, spectral average before the head.")


def has_dense_form(model: nn.Module) -> bool:
    """Whether ``model`` can classify a whole scene at once (:func:`dense_probabilities`)."""
    return isinstance(model, _PatchClassifier) and type(model).dense_features is not _PatchClassifier.dense_features


def dense_probabilities(model: nn.Module, padded: torch.Tensor, *, strip_rows: int = 0,
                        device: torch.device | str = "cpu",
                        progress: Callable[[int, int], None] | None = None,
                        should_stop: Callable[[], bool] | None = None) -> torch.Tensor:
    """Class probabilities of every pixel of a zero-padded cube: (rows, cols, classes), float32 on the CPU.

    ``padded`` is (bands, rows + window − 1, cols + window − 1), the scene padded by ``window // 2`` on each
    side — exactly what the patch path slices its windows from, so both give the same numbers at the borders
    too. The cube goes through in strips of ``strip_rows`` output rows (each with its ``window − 1`` rows of
    halo), so peak memory stays bounded on large scenes; 0 picks strips of about 4 million input values.
    ``should_stop`` is asked between strips; it raises :class:`InterruptedError` to cancel.
    """
    if not has_dense_form(model):
        raise TypeError(f"{type(model).__name__} has no dense form")
    window = model.window
    bands, height, width = padded.shape
    rows, cols = height - window + 1, width - window + 1
    if rows < 1 or cols < 1:
        raise ValueError(f"the padded cube {tuple(padded.shape)} is smaller than one {window}×{window} window")
    if strip_rows <= 0:
        strip_rows = max(1, (4_000_000 // max(1, bands * width)) - window + 1)
    device = torch.device(device)
    out = torch.empty((rows, cols, model.num_classes), dtype=torch.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, rows, strip_rows):
                if should_stop is not None and should_stop():
                    raise InterruptedError(f"stopped after {start * cols} of {rows * cols} pixels")
                stop = min(rows, start + strip_rows)
                strip = padded[:, start:stop + window - 1].to(device, torch.float32)
                logits = model.dense_logits(strip[None, None])  # (1, classes, stop − start, cols)
                out[start:stop] = logits[0].float().softmax(0).permute(1, 2, 0).cpu()
                if progress is not None:
                    progress(stop * cols, rows * cols)
    finally:
        model.train(was_training)
    return out
