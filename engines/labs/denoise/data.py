"""Clean images for the denoising task: image folders (e.g. Train400) and an offline default.

The training split is a lazy :class:`PatchDataset`: an index over (image, scale, position, transform) that
cuts a 40×40 patch on demand, so Train400's ~240k patches × 8 flips/rotations never sit in one tensor.
Only the rescaled images are kept (as uint8 when the source is 8-bit). Noise is *not* added here: the task
draws it in the main process from torch's global RNG, so a resumed run draws exactly what a straight one would.

The test split is an :class:`ImageList` of whole clean images; the task turns it into noisy/clean pairs for
validation PSNR.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from engines.core.data import DataError, DatasetSplits, register_dataset

DEFAULT_SCALES = (1.0, 0.9, 0.8, 0.7)
N_TRANSFORMS = 8

# skimage.data images that ship inside scikit-image (no download). "camera" and "coins" are held out.
SKIMAGE_TRAIN = ("astronaut", "brick", "chelsea", "clock", "coffee", "grass", "gravel", "hubble_deep_field",
                 "immunohistochemistry", "moon", "page", "rocket", "text")
SKIMAGE_VAL = ("camera", "coins")


def _parse_scales(scales) -> tuple[float, ...]:
    if isinstance(scales, str):
        scales = [s for s in scales.replace(";", ",").split(",") if s.strip()]
    try:
        values = tuple(float(s) for s in scales)
    except (TypeError, ValueError):
        raise DataError(f"scales must be numbers in (0, 1], got {scales!r}") from None
    if not values or any(not 0.0 < s <= 1.0 for s in values):
        raise DataError(f"scales must be numbers in (0, 1], got {scales!r}")
    return values


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bicubic resize (the DnCNN data code uses bicubic too); uint8 stays uint8, floats stay float32."""
    from PIL import Image

    if image.shape[:2] == (height, width):
        return image
    if image.dtype == np.uint8:
        return np.asarray(Image.fromarray(image).resize((width, height), Image.BICUBIC))
    planes = image[..., None] if image.ndim == 2 else image
    out = np.stack([np.asarray(Image.fromarray(planes[..., c].astype(np.float32), mode="F")
                               .resize((width, height), Image.BICUBIC)) for c in range(planes.shape[-1])], -1)
    return np.clip(out[..., 0] if image.ndim == 2 else out, 0.0, 1.0).astype(np.float32)


def to_channels(image: np.ndarray, channels: int) -> np.ndarray:
    """Gray (H, W) or RGB (H, W, 3) as the model wants it; 16-bit sources become float32 in [0, 1]."""
    if image.dtype == np.uint16:
        image = image.astype(np.float32) / np.float32(65535)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    if channels == 1 and image.ndim == 3:
        weights = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601, as Pillow's convert("L")
        gray = image.astype(np.float32) @ weights
        image = np.rint(gray).clip(0, 255).astype(np.uint8) if image.dtype == np.uint8 else gray
    elif channels == 3 and image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    return np.ascontiguousarray(image)


def _unit(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) / np.float32(255) if image.dtype == np.uint8 else image.astype(np.float32)


def _transform(patch: np.ndarray, mode: int) -> np.ndarray:
    """The 8 flips/rotations of the DnCNN data generator: rotate by 90°·(mode // 2), flip if mode is odd."""
    out = np.rot90(patch, k=mode // 2, axes=(0, 1))
    return np.flipud(out) if mode % 2 else out


class PatchDataset(Dataset):
    """All ``patch_size`` patches at ``stride`` of every image at every scale, under 8 transforms, lazily.

    Items are ``(clean,)`` with ``clean`` a float32 tensor (C, p, p) in [0, 1]. ``max_patches`` keeps an
    evenly spaced subset of the index (same subset every epoch) for short experiments.
    """

    def __init__(self, images: Sequence[np.ndarray], *, patch_size: int = 40, stride: int = 10,
                 scales: Sequence[float] = DEFAULT_SCALES, augment: bool = True, max_patches: int = 0) -> None:
        if patch_size < 1 or stride < 1:
            raise DataError(f"patch_size and stride must be ≥ 1, got {patch_size} and {stride}")
        self.patch_size, self.stride = patch_size, stride
        self.transforms = N_TRANSFORMS if augment else 1
        self.scaled: list[np.ndarray] = []
        self.grid: list[tuple[int, int]] = []  # (rows, cols) of patch positions per scaled image
        for image in images:
            height, width = image.shape[:2]
            for scale in scales:
                h, w = int(height * scale), int(width * scale)
                if h < patch_size or w < patch_size:
                    continue
                self.scaled.append(_resize(image, h, w))
                self.grid.append(((h - patch_size) // stride + 1, (w - patch_size) // stride + 1))
        counts = np.array([r * c for r, c in self.grid], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(counts)])
        self.positions = int(self.starts[-1])
        full = self.positions * self.transforms
        self.length = min(full, max_patches) if max_patches > 0 else full
        self.step = full / self.length if self.length else 1.0
        if self.length == 0:
            raise DataError(f"no {patch_size}×{patch_size} patch fits in any training image")

    def __len__(self) -> int:
        return self.length

    def locate(self, index: int) -> tuple[int, int, int, int]:
        """(scaled image, top, left, transform) of item ``index``."""
        if not 0 <= index < self.length:
            raise IndexError(index)
        flat = int(index * self.step) if self.step != 1.0 else index
        position, mode = divmod(flat, self.transforms)
        # Rotate the transform with the position: still one (position, transform) pair per index, and an
        # evenly spaced subset (max_patches) whose step is a multiple of 8 no longer sees transform 0 only.
        mode = (mode + position) % self.transforms
        block = int(np.searchsorted(self.starts, position, side="right")) - 1
        row, col = divmod(position - int(self.starts[block]), self.grid[block][1])
        return block, row * self.stride, col * self.stride, mode

    def __getitem__(self, index: int):
        block, top, left, mode = self.locate(index)
        p = self.patch_size
        patch = _transform(self.scaled[block][top:top + p, left:left + p], mode)
        patch = _unit(patch)
        patch = patch[None] if patch.ndim == 2 else np.moveaxis(patch, -1, 0)
        return (torch.from_numpy(np.ascontiguousarray(patch)),)


class ImageList(Dataset):
    """Whole clean images (uint8, or float32 in [0, 1] for 16-bit sources), for validation."""

    def __init__(self, images: Sequence[np.ndarray], names: Sequence[str]) -> None:
        self.images, self.names = list(images), list(names)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        image = _unit(self.images[index])
        image = image[None] if image.ndim == 2 else np.moveaxis(image, -1, 0)
        return (torch.from_numpy(np.ascontiguousarray(image)),)


def load_folder_images(folder: str | Path, *, channels: int, max_size: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """Every image in ``folder`` as the model's channels; bad files raise :class:`DataError` naming them."""
    from engines.labs.denoise.images import list_images, load_image

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"image folder not found: {folder}")
    paths = list_images(folder)
    if not paths:
        raise DataError(f"{folder}: no PNG, JPEG, TIFF or BMP images in this folder")
    images = [_limit_size(to_channels(load_image(p).original, channels), max_size) for p in paths]
    return images, [p.name for p in paths]


def _limit_size(image: np.ndarray, max_size: int) -> np.ndarray:
    height, width = image.shape[:2]
    if max_size <= 0 or max(height, width) <= max_size:
        return image
    factor = max_size / max(height, width)
    return _resize(image, max(1, round(height * factor)), max(1, round(width * factor)))


def _splits(name: str, train: list[np.ndarray], val: list[np.ndarray], val_names: list[str], *, channels: int,
            patch_size: int, stride: int, scales, augment: bool, max_patches: int, info: dict) -> DatasetSplits:
    if channels not in (1, 3):
        raise DataError(f"channels must be 1 (gray) or 3 (RGB), got {channels!r}")
    patches = PatchDataset(train, patch_size=patch_size, stride=stride, scales=_parse_scales(scales),
                           augment=bool(augment), max_patches=int(max_patches))
    return DatasetSplits(
        name=name, train=patches, test=ImageList(val, val_names), num_classes=0,
        input_shape=(channels, patch_size, patch_size),
        info={**info, "train_images": len(train), "val_images": len(val), "patches": len(patches)},
    )


@register_dataset("image_folder", tasks=("denoise",))
def load_image_folder(*, root: str = "", val_root: str = "", val_fraction: float = 0.1, channels: int = 1,
                      patch_size: int = 40, stride: int = 10, scales=DEFAULT_SCALES, augment: bool = True,
                      max_patches: int = 0, max_size: int = 0, seed: int = 0) -> DatasetSplits:
    """A folder of clean images (e.g. Train400). Validation: ``val_root``, else the last ``val_fraction``."""
    if not root:
        raise DataError("dataset image_folder needs a folder: set data.root=PATH")
    images, names = load_folder_images(root, channels=channels, max_size=max_size)
    if val_root:
        val, val_names = load_folder_images(val_root, channels=channels)
    elif val_fraction > 0 and len(images) >= 2:
        held = min(len(images) - 1, max(1, math.ceil(len(images) * val_fraction)))
        images, val, val_names = images[:-held], images[-held:], names[-held:]
    else:
        val, val_names = [], []
    return _splits(Path(root).name or "image_folder", images, val, val_names, channels=channels,
                   patch_size=patch_size, stride=stride, scales=scales, augment=augment, max_patches=max_patches,
                   info={"root": str(root)})


@register_dataset("skimage_samples", tasks=("denoise",))
def load_skimage_samples(*, channels: int = 1, patch_size: int = 40, stride: int = 10, scales=DEFAULT_SCALES,
                         augment: bool = True, max_patches: int = 0, max_size: int = 180,
                         seed: int = 0) -> DatasetSplits:
    """scikit-image's bundled sample photos: works offline. Training images are shrunk to ``max_size``
    (Train400's 180 px) so an epoch stays short; "camera" and "coins" are held out at full size."""
    import skimage.data

    def sample(name: str, limit: int) -> np.ndarray:
        return _limit_size(to_channels(np.asarray(getattr(skimage.data, name)()), channels), limit)

    train = [sample(n, max_size) for n in SKIMAGE_TRAIN]
    val = [sample(n, 0) for n in SKIMAGE_VAL]
    return _splits("skimage_samples", train, val, list(SKIMAGE_VAL), channels=channels, patch_size=patch_size,
                   stride=stride, scales=scales, augment=augment, max_patches=max_patches,
                   info={"source": "skimage.data"})
