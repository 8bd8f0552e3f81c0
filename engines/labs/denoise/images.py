"""Reading and writing the images a user denoises: PNG, JPEG, TIFF, BMP; 8- or 16-bit; gray or RGB; alpha.

Every failure is an :class:`ImageError` whose message names the file and what was expected, so a batch (or a
drop of many files on the window) reports the bad file and goes on with the others.

Pillow decodes everything except TIFF, which goes through ``tifffile`` because Pillow reduces 16-bit RGB TIFF
to 8 bits. Pillow also reads 16-bit RGB PNG at 8 bits only, and no installed library reads it at full
precision, so such files are refused with a message rather than silently losing half their bits.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engines.core.data import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
# Above this many pixels a file is treated as a decompression bomb (8000×8000 = 64 Mpx still loads).
DEFAULT_MAX_PIXELS = 100_000_000


class ImageError(DataError):
    """An image file cannot be used; the message names the file and the reason."""


@dataclass
class LoadedImage:
    """An image as stored (``original``, integers) and as the engines use it (``pixels``, floats in [0, 1]).

    ``original`` and ``pixels`` are (H, W) for gray and (H, W, 3) for colour; an alpha channel, if any, is
    kept apart in ``alpha`` (same integer type) and written back unchanged on save. ``info["note"]`` says what
    of the file was left out (``"page 1 of 3 used"`` for a multi-page TIFF); results carry it on.
    """

    path: Path
    original: np.ndarray
    bit_depth: int
    alpha: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def max_value(self) -> int:
        return (1 << self.bit_depth) - 1

    @property
    def pixels(self) -> np.ndarray:
        return self.original.astype(np.float32) / np.float32(self.max_value)

    @property
    def is_color(self) -> bool:
        return self.original.ndim == 3

    @property
    def shape(self) -> tuple[int, ...]:
        return self.original.shape


def list_images(folder: str | os.PathLike) -> list[Path]:
    """Entries named like images (by suffix) directly inside ``folder``, sorted by name.

    Entries that are not regular files (a FIFO, a link loop) are listed too, so that reading them reports
    them by name instead of their being left out silently; sub-folders are not.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageError(f"{folder}: not a folder")
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise ImageError(f"{folder}: cannot list this folder ({exc.strerror or exc})") from None
    return sorted(p for p in entries if p.suffix.lower() in IMAGE_SUFFIXES and not p.is_dir())


def _check_size(path: Path, width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"{path}: image has no pixels ({width}×{height})")
    if width * height > max_pixels:
        raise ImageError(
            f"{path}: {width}×{height} = {width * height:,} pixels exceeds the limit of {max_pixels:,} "
            "(possible decompression bomb); not decoded"
        )


def load_image(path: str | os.PathLike, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Read one image file; raises :class:`ImageError` naming the file on any problem."""
    from engines.core.checkpoint import file_problem

    path = Path(path)
    problem = file_problem(path)  # stat only: a FIFO would block the open below
    if problem is not None:
        raise ImageError(f"{path}: {problem}")
    if path.stat().st_size == 0:
        raise ImageError(f"{path}: empty file (0 bytes), not an image")
    if path.suffix.lower() in (".tif", ".tiff"):
        return _load_tiff(path, max_pixels)
    return _load_pillow(path, max_pixels)


def _load_pillow(path: Path, max_pixels: int) -> LoadedImage:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Our own pixel limit is checked before decoding; Pillow's warning would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                _check_size(path, im.width, im.height, max_pixels)
                if im.format == "PNG" and any(getattr(t, "args", None) in ("RGB;16B", "RGBA;16B")
                                              for t in im.tile):
                    raise ImageError(
                        f"{path}: 16-bit RGB PNG cannot be read at full precision here; "
                        "save it as a 16-bit TIFF (or 8-bit PNG) and try again"
                    )
                frames = int(getattr(im, "n_frames", 1) or 1)
                im.load()
                loaded = _from_pillow(path, im)
                if frames > 1:
                    loaded.info.update(frames=frames, note=f"frame 1 of {frames} used")
                return loaded
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{path}: too many pixels (possible decompression bomb): {exc}") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not a recognised image file (expected PNG, JPEG, TIFF or BMP)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{path}: truncated or corrupt image file ({exc})") from None


def _from_pillow(path: Path, im) -> LoadedImage:
    mode = im.mode
    info = {"format": im.format, "mode": mode}
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    elif mode == "PA":
        im = im.convert("RGBA")
        mode = "RGBA"
    elif mode == "1":
        im = im.convert("L")
        mode = "L"
    elif mode == "CMYK":
        im = im.convert("RGB")
        mode = "RGB"
    if mode in ("L", "RGB"):
        return LoadedImage(path, np.asarray(im, dtype=np.uint8).copy(), 8, info=info)
    if mode in ("LA", "RGBA"):
        data = np.asarray(im, dtype=np.uint8)
        return LoadedImage(path, data[..., :-1].squeeze(-1) if mode == "LA" else data[..., :3].copy(), 8,
                           alpha=data[..., -1].copy(), info=info)
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        data = np.asarray(im)
        if data.min(initial=0) < 0 or data.max(initial=0) > 65535:
            raise ImageError(f"{path}: unsupported 32-bit integer image (values outside 0…65535)")
        return LoadedImage(path, data.astype(np.uint16), 16, info=info)
    raise ImageError(f"{path}: unsupported image mode {mode!r}; expected 8- or 16-bit gray or RGB (with or "
                     "without alpha)")


def _load_tiff(path: Path, max_pixels: int) -> LoadedImage:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            if not tif.pages:
                raise ImageError(f"{path}: TIFF file without images")
            pages = len(tif.pages)
            page = tif.pages[0]
            height, width = int(page.imagelength), int(page.imagewidth)
            _check_size(path, width, height, max_pixels)
            data = page.asarray()
    except ImageError:
        raise
    except Exception as exc:  # tifffile raises many types (TiffFileError, ValueError, struct.error…)
        raise ImageError(f"{path}: truncated or corrupt TIFF file ({type(exc).__name__}: {exc})") from None
    info: dict[str, Any] = {"format": "TIFF", "mode": str(data.dtype)}
    if pages > 1:
        info["pages"] = pages
        info["note"] = f"page 1 of {pages} used"
    if data.dtype == np.uint8:
        bits = 8
    elif data.dtype == np.uint16:
        bits = 16
    else:
        raise ImageError(f"{path}: unsupported TIFF sample type {data.dtype}; expected 8- or 16-bit unsigned")
    if data.ndim == 3 and data.shape[0] in (1, 3, 4) and data.shape[-1] not in (1, 3, 4):
        data = np.moveaxis(data, 0, -1)  # planar (separate) configuration
    if data.ndim == 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim == 2:
        return LoadedImage(path, data.copy(), bits, info=info)
    if data.ndim == 3 and data.shape[-1] == 2:
        return LoadedImage(path, data[..., 0].copy(), bits, alpha=data[..., 1].copy(), info=info)
    if data.ndim == 3 and data.shape[-1] == 3:
        return LoadedImage(path, data.copy(), bits, info=info)
    if data.ndim == 3 and data.shape[-1] == 4:
        return LoadedImage(path, data[..., :3].copy(), bits, alpha=data[..., 3].copy(), info=info)
    raise ImageError(f"{path}: unsupported TIFF layout {data.shape}; expected gray or RGB, one page")


def to_integers(pixels: np.ndarray, bit_depth: int) -> np.ndarray:
    """Clip floats to [0, 1] and round to ``bit_depth`` integers (the protocol's last step)."""
    top = (1 << bit_depth) - 1
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    return np.rint(np.clip(pixels, 0.0, 1.0) * top).astype(dtype)


def output_suffix(source_suffix: str, *, color: bool, bit_depth: int, alpha: bool = False) -> str:
    """A lossless format that keeps the source's bit depth.

    JPEG sources are written as PNG (re-encoding a restored image as JPEG would add artefacts back);
    16-bit colour (or 16-bit with alpha) goes to TIFF, the one format here that writes it.
    """
    suffix = source_suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        suffix = ".png"
    if bit_depth == 16 and (color or alpha) and suffix != ".tiff":
        suffix = ".tif"
    if bit_depth == 16 and suffix == ".bmp":
        suffix = ".png"
    return suffix


def save_image(path: str | os.PathLike, pixels: np.ndarray, *, bit_depth: int = 8,
               alpha: np.ndarray | None = None, overwrite: bool = True) -> Path:
    """Write float ``pixels`` in [0, 1] ((H, W) or (H, W, 3)) as ``bit_depth`` integers, alpha appended.

    The format follows the suffix; the file is written to a temporary name and renamed, so a failed write
    never leaves half a file (or clobbers an existing one). With ``overwrite=False`` the file is published
    with a hard link, which fails if ``path`` exists (even one created a moment ago by someone else):
    :class:`FileExistsError` is raised and nothing is replaced.
    """
    from engines.core.files import publish_new

    path = Path(path)
    if bit_depth not in (8, 16):
        raise ImageError(f"{path}: bit depth must be 8 or 16, got {bit_depth}")
    data = to_integers(pixels, bit_depth)
    if alpha is not None:
        data = np.concatenate([data.reshape(*data.shape[:2], -1), alpha.astype(data.dtype)[..., None]], axis=-1)
    suffix = path.suffix.lower()
    tmp = path.with_name(f".{path.name}.tmp{suffix}")
    try:
        if suffix in (".tif", ".tiff"):
            import tifffile

            tifffile.imwrite(tmp, data, photometric="rgb" if data.ndim == 3 and data.shape[-1] >= 3
                             else "minisblack")
        else:
            _save_pillow(tmp, data, path)
        if overwrite:
            os.replace(tmp, path)
        else:
            publish_new(tmp, path)
    except (ImageError, FileExistsError):
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, ValueError, TypeError) as exc:
        tmp.unlink(missing_ok=True)
        raise ImageError(f"{path}: cannot write image ({exc})") from None
    return path


def _save_pillow(tmp: Path, data: np.ndarray, path: Path) -> None:
    from PIL import Image

    formats = {".png": "PNG", ".bmp": "BMP", ".jpg": "JPEG", ".jpeg": "JPEG"}
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise ImageError(f"{path}: unsupported output format {path.suffix!r}; use .png, .tif, .bmp or .jpg")
    if data.dtype == np.uint16:
        if data.ndim != 2 or fmt != "PNG":
            raise ImageError(f"{path}: 16-bit output needs gray PNG or TIFF")
        Image.fromarray(data).save(tmp, format=fmt)  # Pillow picks mode I;16
        return
    kwargs = {"quality": 95} if fmt == "JPEG" else {}
    Image.fromarray(data).save(tmp, format=fmt, **kwargs)
