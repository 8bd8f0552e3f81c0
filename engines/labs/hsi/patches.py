"""From a hyperspectral scene to model inputs: PCA, zero padding, windows around pixels, the split.

Patches are never materialised for the whole scene (21,025 windows of 30×25×25 floats would be ~1.6 GB
for Indian Pines): datasets slice them from the padded PCA cube when asked, and :func:`predict_scene`
gathers one batch of windows at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch.utils.data import Dataset

from engines.core.data import DataError
from engines.hyperspectral import (  # noqa: F401  (re-exported: the lab's callers use them from here)
    Scene,
    labelled_pixels,
    reduce_bands,
    split_pixels,
    stratified_subset,
)

PCA_FIT_CHOICES = ("scene", "train")


class Cancelled(Exception):
    """A long computation was asked to stop."""


@dataclass
class PreparedScene:
    """A scene ready for a patch model: padded PCA cube (components, rows + 2m, cols + 2m) and the split."""

    scene: Scene
    components: int
    window: int
    pca_fit: str
    train_ratio: float
    seed: int
    padded: torch.Tensor
    train_pixels: np.ndarray
    train_labels: np.ndarray
    test_pixels: np.ndarray
    test_labels: np.ndarray
    explained_variance: float = 0.0
    info: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.scene.shape

    @property
    def num_classes(self) -> int:
        return self.scene.num_classes

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (1, self.components, self.window, self.window)

    def patches_for_pixels(self, pixels: np.ndarray) -> torch.Tensor:
        """Windows centred on ``pixels`` (row, col), shape (n, 1, components, window, window).

        One gather from the padded cube: the window at (r, c) of the scene starts at (r, c) of the padded
        cube because the padding is window // 2 on each side. The gather indexes a (rows, cols, components,
        window, window) view of every window (``unfold``, no copy) by row and column: for a batch of 32, 7× (9×9
        windows) to 4× (25×25) faster than indexing the cube by every pixel of every window.
        """
        pixels = torch.as_tensor(np.asarray(pixels), dtype=torch.long).reshape(-1, 2)
        w = self.window
        windows = self.padded.unfold(1, w, 1).unfold(2, w, 1).permute(1, 2, 0, 3, 4)
        return windows[pixels[:, 0], pixels[:, 1]].unsqueeze(1).contiguous()

    def all_pixels(self) -> np.ndarray:
        rows, cols = self.shape
        r, c = np.divmod(np.arange(rows * cols, dtype=np.int64), cols)
        return np.stack([r, c], axis=1)

    def train_dataset(self) -> "PatchDataset":
        return PatchDataset(self, self.train_pixels, self.train_labels)

    def test_dataset(self, *, eval_max: int = 0, seed: int = 0) -> "PatchDataset":
        keep = stratified_subset(self.test_labels, eval_max, seed)
        return PatchDataset(self, self.test_pixels[keep], self.test_labels[keep])

    def training_mask(self) -> np.ndarray:
        mask = np.zeros(self.shape, dtype=bool)
        mask[self.train_pixels[:, 0], self.train_pixels[:, 1]] = True
        return mask


class PatchDataset(Dataset):
    """(patch, label) pairs cut from the padded cube on access; holds only pixel coordinates."""

    def __init__(self, prepared: PreparedScene, pixels: np.ndarray, labels: np.ndarray) -> None:
        self.prepared = prepared
        self.pixels = np.asarray(pixels, dtype=np.int64)
        self.labels = torch.as_tensor(np.asarray(labels, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.pixels)

    def __getitem__(self, index: int):
        r, c = self.pixels[index]
        w = self.prepared.window
        # A view of the padded cube; the DataLoader's collate copies it into the batch.
        return self.prepared.padded[:, r:r + w, c:c + w].unsqueeze(0), self.labels[index]

    def batch(self, indices) -> tuple[torch.Tensor, torch.Tensor]:
        """The batch the DataLoader would collate from these indices, in one gather. The training loop takes it
        (without worker processes) instead of the DataLoader's per-sample fetch and collate, whose ~0.5 ms a
        batch was 4–5 % of a training step at 9×9 windows."""
        index = torch.as_tensor(indices, dtype=torch.long)
        return self.prepared.patches_for_pixels(self.pixels[index.numpy()]), self.labels[index]


def prepare_scene(scene: Scene, *, components: int = 30, window: int = 25, train_ratio: float = 0.3,
                  seed: int = 0, pca_fit: str = "scene") -> PreparedScene:
    """PCA (whitened), zero padding of ``window // 2``, and the stratified split of labelled pixels."""
    if window < 1 or window % 2 == 0:
        raise DataError(f"window must be an odd number of pixels (e.g. 25), got {window}")
    if pca_fit not in PCA_FIT_CHOICES:
        raise DataError(f"invalid pca_fit {pca_fit!r}; valid choices: {', '.join(PCA_FIT_CHOICES)}")
    pixels, labels = labelled_pixels(scene.gt)
    if len(pixels) == 0:
        raise DataError(f"the scene {scene.name} ({scene.shape[0]}×{scene.shape[1]}) has no labelled pixel")
    train, test = split_pixels(labels, train_ratio, seed)
    reduced, kept = reduce_bands(scene.cube, components, fit_pixels=pixels[train] if pca_fit == "train" else None,
                                 seed=seed)
    margin = window // 2
    padded = np.pad(reduced, ((margin, margin), (margin, margin), (0, 0)))  # zeros, as the authors
    return PreparedScene(
        scene=scene, components=components, window=window, pca_fit=pca_fit, train_ratio=train_ratio, seed=seed,
        padded=torch.from_numpy(np.ascontiguousarray(padded.transpose(2, 0, 1))),
        train_pixels=pixels[train], train_labels=labels[train],
        test_pixels=pixels[test], test_labels=labels[test], explained_variance=kept,
    )


def check_model_fits(model_spec: dict | None, prepared: PreparedScene, *, trained_on: str = "") -> None:
    """A checkpoint's model must match the scene's class count, PCA components and window."""
    options = (model_spec or {}).get("options", {})
    where = f" (trained on {trained_on})" if trained_on else ""
    wanted = {"num_classes": prepared.num_classes, "bands": prepared.components, "window": prepared.window}
    labels = {"num_classes": "classes", "bands": "PCA components", "window": "window"}
    wrong = [k for k, v in wanted.items() if k in options and int(options[k]) != v]
    if wrong:
        have = ", ".join(f"{options[k]} {labels[k]}" for k in wanted if k in options)
        need = ", ".join(f"{wanted[k]} {labels[k]}" for k in wanted)
        raise DataError(f"this checkpoint{where} expects {have}, but the scene {prepared.scene.name} "
                        f"gives {need}; choose the scene and settings it was trained with")


DENSE_MIN_PIXELS = 256  # below this many pixels, pushing each window through the network is cheaper


def predict_pixels(model: torch.nn.Module, prepared: PreparedScene, pixels: np.ndarray, *,
                   batch_size: int = 256, device: torch.device | str = "cpu",
                   progress: Callable[[int, int], None] | None = None,
                   should_stop: Callable[[], bool] | None = None, dense: bool | None = None) -> np.ndarray:
    """Class probabilities (n, classes) for ``pixels``.

    Models with a dense form (HybridSN and its controls) run their convolutions once over the rows of the
    padded cube that hold the pixels and read the pixels off the result (``dense=None``: when there are at
    least :data:`DENSE_MIN_PIXELS` of them); others get one batch of windows at a time. Both give the same
    probabilities (to float rounding), at the borders too.
    """
    from engines.models.hybridsn import dense_probabilities, has_dense_form

    pixels = np.asarray(pixels, dtype=np.int64).reshape(-1, 2)
    if dense is None:
        dense = len(pixels) >= DENSE_MIN_PIXELS
    if dense and has_dense_form(model) and len(pixels):
        top, bottom = int(pixels[:, 0].min()), int(pixels[:, 0].max()) + 1
        window = prepared.window

        def stop_requested() -> bool:
            return should_stop is not None and should_stop()

        try:
            probs = dense_probabilities(model, prepared.padded[:, top:bottom + window - 1], device=device,
                                        progress=_scaled(progress, len(pixels)), should_stop=stop_requested)
        except InterruptedError as exc:
            raise Cancelled(str(exc)) from None
        return probs[pixels[:, 0] - top, pixels[:, 1]].numpy()
    return _predict_windows(model, prepared, pixels, batch_size=batch_size, device=device, progress=progress,
                            should_stop=should_stop)


def _scaled(progress: Callable[[int, int], None] | None, total: int) -> Callable[[int, int], None] | None:
    """Progress over a strip of the scene reported as a share of ``total`` pixels."""
    if progress is None:
        return None
    return lambda done, of: progress(min(total, round(total * done / max(1, of))), total)


def _predict_windows(model: torch.nn.Module, prepared: PreparedScene, pixels: np.ndarray, *, batch_size: int,
                     device: torch.device | str, progress: Callable[[int, int], None] | None,
                     should_stop: Callable[[], bool] | None) -> np.ndarray:
    """The patch path: one batch of windows at a time (any model; the reference for the dense path)."""
    device = torch.device(device)
    total = len(pixels)
    out = np.empty((total, prepared.num_classes), dtype=np.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, total, batch_size):
                if should_stop is not None and should_stop():
                    raise Cancelled(f"stopped after {start} of {total} pixels")
                batch = prepared.patches_for_pixels(pixels[start:start + batch_size]).to(device)
                out[start:start + len(batch)] = model(batch).float().softmax(1).cpu().numpy()
                if progress is not None:
                    progress(min(start + batch_size, total), total)
    finally:
        model.train(was_training)
    return out


def predict_scene(model: torch.nn.Module, prepared: PreparedScene, **kwargs) -> np.ndarray:
    """Class probabilities of every pixel of the scene, labelled or not: (rows, cols, classes)."""
    rows, cols = prepared.shape
    return predict_pixels(model, prepared, prepared.all_pixels(), **kwargs).reshape(rows, cols, -1)
