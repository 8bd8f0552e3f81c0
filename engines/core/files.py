"""Files the engines write: results that never replace a file (a temporary file, then a name that must be new),
and downloads that land only when whole and as expected (sha256)."""
from __future__ import annotations

import hashlib
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


class DownloadError(RuntimeError):
    """A download failed or gave other bytes than expected; the message names the URL and what to do."""


def sha256_of(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(url: str, target: str | os.PathLike, *, sha256: str | None = None,
                  progress: Callable[[int, int], None] | None = None, timeout: float = 30.0,
                  max_bytes: int = 0, hint: str = "",
                  should_stop: Callable[[], bool] | None = None) -> Path:
    """Download ``url`` to ``target`` through ``target.part`` and check its sha256 when one is known.

    Nothing is left at ``target`` unless the whole file arrived with the expected sha256. ``max_bytes`` (0: no
    limit) stops a download that grows past it; ``should_stop`` is asked between chunks (InterruptedError).
    A failure is a :class:`DownloadError` naming the URL, followed by ``hint`` (what the user can do instead).
    """
    import urllib.error
    import urllib.request

    target = Path(target)
    tail = f"; {hint}" if hint else ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {target.parent} for {target.name}: "
                            f"{exc.strerror or exc}") from None
    tmp = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(1 << 16):
                if should_stop is not None and should_stop():
                    raise InterruptedError(f"download of {url} stopped")
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if max_bytes and done > max_bytes:
                    raise DownloadError(f"{url} is larger than {max_bytes >> 20} MiB; refusing it{tail}")
                if progress is not None:
                    progress(done, total)
    except (DownloadError, InterruptedError):
        tmp.unlink(missing_ok=True)
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:  # ValueError: a malformed URL
        tmp.unlink(missing_ok=True)
        raise DownloadError(f"cannot download {url} ({getattr(exc, 'reason', None) or exc}){tail}") from None
    actual = digest.hexdigest()
    if sha256 is not None and actual != sha256:
        tmp.unlink(missing_ok=True)
        raise DownloadError(f"{url} downloaded with sha256 {actual}, expected {sha256}: the file is damaged, "
                            f"truncated or changed upstream; nothing was kept{tail}")
    try:
        os.replace(tmp, target)
        if sha256 is None:
            target.with_name(target.name + ".sha256").write_text(actual + "\n", encoding="utf-8")
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target
