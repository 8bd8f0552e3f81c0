"""Writing result files without ever replacing one: a temporary file, then a name that must be new."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def publish_new(tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Give ``tmp`` the name ``path`` unless that name exists (atomically where the file system has links).

    Raises :class:`FileExistsError` and leaves ``tmp`` in place when ``path`` exists, even one created a
    moment ago by another process.
    """
    tmp, path = Path(tmp), Path(path)
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares): check, then rename
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


def write_new_file(path: str | os.PathLike, write: Callable[[object], None]) -> Path:
    """Create ``path`` with ``write(binary_file)``; never replaces an existing file, never leaves half a file.

    Raises :class:`FileExistsError` if ``path`` exists and :class:`OSError` if the folder cannot be written.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        publish_new(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return path
