"""Versioned, atomically written checkpoints loaded without unpickling code."""
from __future__ import annotations

import gzip
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import torch

FORMAT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
MAX_INFLATED_BYTES = 2 << 30  # a gzip-compressed checkpoint may not unpack to more than 2 GiB


class CheckpointError(ValueError):
    pass


def save_checkpoint(state: dict[str, Any], path: str | os.PathLike, *, compress: bool = False) -> Path:
    """Write ``state`` to ``path`` via a temporary file and ``os.replace``.

    A crash while writing leaves the previous checkpoint untouched. ``compress`` gzips the file (level 9;
    :func:`load_checkpoint` reads both): for shipped weights, never for the checkpoints written while training.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format_version": FORMAT_VERSION, **state}
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if compress:
                buffer = io.BytesIO()
                torch.save(payload, buffer)
                # mtime=0: the same weights give the same bytes, so the same sha256
                with gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0) as packed:
                    packed.write(buffer.getbuffer())
            else:
                torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def load_checkpoint(path: str | os.PathLike, map_location: Any = "cpu") -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(_source(path), map_location=map_location, weights_only=True)
    except CheckpointError:
        raise
    except Exception as exc:  # corrupt file or a pickle that needs code to run
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from exc
    if not isinstance(state, dict) or "format_version" not in state:
        raise CheckpointError(f"{path} is not a workbench checkpoint (no format_version)")
    version = state["format_version"]
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format {version}; this version reads up to {FORMAT_VERSION}"
        )
    return migrate_checkpoint(state)


def _source(path: Path) -> Path | io.BytesIO:
    """The file itself, or for a gzip-compressed checkpoint (shipped weights squeezed under their size limit,
    see ``save_checkpoint(..., compress=True)``) its unpacked bytes, capped at :data:`MAX_INFLATED_BYTES`."""
    with open(path, "rb") as fh:
        if fh.read(2) != GZIP_MAGIC:
            return path
        fh.seek(0)
        with gzip.GzipFile(fileobj=fh) as unpacked:
            data = unpacked.read(MAX_INFLATED_BYTES + 1)
    if len(data) > MAX_INFLATED_BYTES:
        raise CheckpointError(f"{path} unpacks to more than {MAX_INFLATED_BYTES >> 30} GiB; refusing to read it")
    return io.BytesIO(data)


def migrate_checkpoint(state: dict[str, Any]) -> dict[str, Any]:
    # Version 1 is the first format; later versions add their upgrade steps here.
    return state
