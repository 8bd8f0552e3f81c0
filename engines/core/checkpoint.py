"""Versioned, atomically written checkpoints loaded without unpickling code.

:func:`read_torch_file` is the one reader of PyTorch files from outside: training checkpoints, imported and
``--weights`` files, shipped weights. It refuses what is not a regular file before opening it (a FIFO would
block forever), unpacks gzip in a stream with a cap (a decompression bomb costs no memory), loads with
``torch.load(..., weights_only=True)`` (no code from the file runs) and turns every failure into one
:class:`CheckpointError` line naming the file.
"""
from __future__ import annotations

import errno
import gzip
import io
import os
import pickle
import re
import shutil
import stat
import tempfile
import warnings
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

FORMAT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
MAX_INFLATED_BYTES = 2 << 30  # a gzip-compressed checkpoint may not unpack to more than 2 GiB …
# … nor to more than this many times its packed size (past a floor for small files). Weights barely compress
# (a shipped fp16 checkpoint packs to ~0.9 of its size), while a gzip bomb reaches ~1000×: a 3 MB bomb is
# refused after 300 MB have streamed through a 1 MiB buffer instead of after 2 GiB.
MAX_INFLATE_RATIO = 100
MIN_INFLATE_ALLOWANCE = 256 << 20
_CHUNK = 1 << 20

_KNOWN_FORMATS = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                  (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"),
                  (b"\x89HDF", "an HDF5 file"), (b"MATLAB", "a MATLAB .mat file"), (b"%PDF", "a PDF document"),
                  (b"\x93NUMPY", "a NumPy .npy array"))


class CheckpointError(ValueError):
    pass


class CheckpointWriteError(CheckpointError):
    """A checkpoint could not be written (a full disk, a read-only folder): the message names the file."""


class UnsafePickleError(CheckpointError):
    """The file's pickle needs a class or function imported to be rebuilt: loading it would run code."""

    def __init__(self, message: str, reference: str = "") -> None:
        super().__init__(message)
        self.reference = reference


NO_SPACE = "no space left on device"
SHORT_OF_SPACE_BYTES = 32 << 20  # a write failing with less free space than this: a full disk


def save_checkpoint(state: dict[str, Any], path: str | os.PathLike, *, compress: bool = False) -> Path:
    """Write ``state`` to ``path`` via a temporary file and ``os.replace``.

    A crash while writing leaves the previous checkpoint untouched. ``compress`` gzips the file (level 9;
    :func:`load_checkpoint` reads both): for shipped weights, never for the checkpoints written while training.
    A failed write (a full disk, a read-only folder) is a :class:`CheckpointWriteError` naming ``path``.
    """
    path = Path(path)
    payload = {"format_version": FORMAT_VERSION, **state}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
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
    except BaseException as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        reason = write_failure(exc, path)
        if reason is not None:
            raise CheckpointWriteError(reason) from exc
        raise
    return path


# torch.save's own report of a failed write: "[enforce fail at inline_container.cc:672] . unexpected pos …",
# "… file write failed": neither the cause nor the file.
_TORCH_WRITE_FAILED = re.compile(r"inline_container|unexpected pos|write failed", re.IGNORECASE)


def write_failure(exc: BaseException, path: Path) -> str | None:
    """One line for a failed write of ``path`` (a full disk says so), or None when ``exc`` is no write failure
    (a value that cannot be pickled is a bug to report as it is)."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return f"{NO_SPACE} while writing {path}"
        return f"cannot write {path}: {exc.strerror or exc}"
    if isinstance(exc, RuntimeError) and (_TORCH_WRITE_FAILED.search(str(exc)) or "No space left" in str(exc)):
        try:
            short = shutil.disk_usage(path.parent).free < SHORT_OF_SPACE_BYTES
        except OSError:
            short = False
        if short or "No space left" in str(exc):
            return f"{NO_SPACE} while writing {path}"
        return f"cannot write {path}: {_first_line(exc)}"
    return None


def file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be read as a file (``"no such file"``, ``"a folder, not a file"``, …), or None.

    Only ``stat`` is used, so a FIFO or a device is refused without being opened (opening a FIFO for reading
    blocks until a writer appears).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "broken symbolic link" if os.path.islink(path) else "no such file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if exc.errno == errno.ENAMETOOLONG:
            return "file name too long"
        return f"cannot read it ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if not stat.S_ISREG(mode):
        kind = "FIFO (named pipe)" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        return f"a {kind}, not a regular file; refusing to open it"
    return None


def inflate_limit(packed_bytes: int) -> int:
    """The most bytes a gzip file of ``packed_bytes`` may unpack to (see :data:`MAX_INFLATE_RATIO`)."""
    return min(MAX_INFLATED_BYTES, max(MIN_INFLATE_ALLOWANCE, MAX_INFLATE_RATIO * packed_bytes))


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.3g} {unit}"
    return f"{n} bytes"


def _inflate(path: Path, fh) -> io.BytesIO:
    """The unpacked bytes of the gzip file open as ``fh``, refused past :func:`inflate_limit`.

    Two passes: the first counts the unpacked size through a fixed 1 MiB buffer and stops at the cap, so
    refusing a bomb costs no memory; the second reads exactly that many bytes.
    """
    limit = inflate_limit(os.fstat(fh.fileno()).st_size)
    buffer = bytearray(_CHUNK)
    total = 0
    try:
        with gzip.GzipFile(fileobj=fh) as unpacked:
            while count := unpacked.readinto(buffer):
                total += count
                if total > limit:
                    raise CheckpointError(
                        f"{path} unpacks to more than {_size(limit)} (possible decompression bomb); "
                        "refusing to read it")
        del buffer
        fh.seek(0)
        with gzip.GzipFile(fileobj=fh) as unpacked:
            data = unpacked.read(total + 1)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise CheckpointError(f"{path}: truncated or corrupt gzip file ({exc})") from None
    if len(data) != total:
        raise CheckpointError(f"{path} changed while it was read")
    return io.BytesIO(data)


def _not_torch(head: bytes) -> str | None:
    """What the first bytes say the file is, when they cannot start a PyTorch file (zip archive or pickle)."""
    if head.startswith(ZIP_MAGIC) or head.startswith(b"\x80"):
        return None
    for magic, name in _KNOWN_FORMATS:
        if head.startswith(magic):
            return f"it is {name}"
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "it is a text file"
    return "unrecognised content"


_UNSAFE = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")


def read_torch_file(path: str | os.PathLike, *, map_location: Any = "cpu", what: str = "file") -> Any:
    """The object in a PyTorch file (``torch.save`` zip, legacy or gzip-compressed), never running its code.

    Raises :class:`CheckpointError` with one line naming the file (:class:`UnsafePickleError` for a pickle
    that would run code); ``what`` names the file's role in the messages ("checkpoint", "weights file").
    """
    path = Path(path)
    problem = file_problem(path)
    if problem is not None:
        raise CheckpointError(f"{what} {path}: {problem}")
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
            if not head:
                raise CheckpointError(f"{what} {path}: empty file (0 bytes)")
            fh.seek(0)
            source: Path | io.BytesIO = path
            if head.startswith(GZIP_MAGIC):
                source = _inflate(path, fh)
                head = source.getbuffer()[:16].tobytes()
    except OSError as exc:
        raise CheckpointError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    reason = _not_torch(head)
    if reason is not None:
        raise CheckpointError(f"cannot read {what} {path}: not a PyTorch file ({reason})")
    try:
        with warnings.catch_warnings():
            # torch warns about pickle protocols it did not write; the load below still refuses any code
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            return torch.load(source, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        unsafe = _UNSAFE.search(str(exc))
        reference = unsafe.group(1) if unsafe else _code_reference(source, head)
        if reference:
            raise UnsafePickleError(
                f"{what} {path}: refused: it holds pickled objects ({reference}) that would run code "
                "from the file if loaded", reference) from None
        raise CheckpointError(f"cannot read {what} {path}: corrupt or not a PyTorch file ({_first_line(exc)})") \
            from None
    except MemoryError:
        raise CheckpointError(f"cannot read {what} {path}: not enough memory") from None
    except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, KeyError, EOFError… for damaged files
        raise CheckpointError(f"cannot read {what} {path}: {type(exc).__name__}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    """torch's reason in one line (its weights-only messages span paragraphs of advice)."""
    text = str(exc)
    reason = re.search(r"WeightsUnpickler error:\s*(.+?)\s*(?:Check the documentation|$)", text, re.DOTALL)
    if reason:
        text = reason.group(1)
    return " ".join(text.split())[:300] or type(exc).__name__


# What torch's own files reference; anything else in a pickle is code the file would have imported and run.
_HARMLESS = re.compile(r"^(collections\.OrderedDict|torch\._utils\._rebuild_.*|torch\..*Storage|torch\.storage\..*|"
                       r"torch\.serialization\..*|torch\.(float|half|bfloat|int|uint|long|bool|complex|double)\w*|"
                       r"torch\.device|torch\.Size|_codecs\.encode|builtins\.(set|frozenset|bytearray|slice|complex)|"
                       r"numpy\..*(_reconstruct|dtype|ndarray|scalar)|numpy\.dtypes\.\w+)$")


def _code_reference(source: Path | io.BytesIO, head: bytes) -> str | None:
    """The first class or function a raw pickle imports beyond torch's own, read from its opcodes with
    ``pickletools`` (which never executes them); None for a zip archive or where none is found.

    torch's weights-only unpickler stops at opcodes it does not know (protocol 4 framing) before it reaches
    a global, so its message alone does not tell a hostile pickle from a damaged file.
    """
    import pickletools

    if head.startswith(ZIP_MAGIC):
        return None
    strings: list[str] = []
    try:
        stream = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source.getbuffer())
        with stream:
            for opcode, arg, _pos in pickletools.genops(stream):
                name = None
                if opcode.name in ("GLOBAL", "INST"):
                    name = str(arg).replace(" ", ".")
                elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                    name = f"{strings[-2]}.{strings[-1]}"
                elif isinstance(arg, str):
                    strings.append(arg)
                if name and not _HARMLESS.match(name):
                    return name
    except Exception:  # noqa: BLE001 - the end of the pickle, or bytes that are no pickle: nothing found
        return None
    return None


def nonfinite_tensor(tensors: Mapping[str, Any]) -> str | None:
    """The name of the first floating tensor of ``tensors`` holding NaN or ±inf, or None."""
    for name, value in tensors.items():
        if isinstance(value, torch.Tensor) and value.is_floating_point() and not bool(torch.isfinite(value).all()):
            return str(name)
    return None


def check_finite(tensors: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Refuse weights with NaN or infinite values (they give meaningless results), naming the tensor."""
    bad = nonfinite_tensor(tensors)
    if bad is not None:
        raise CheckpointError(f"{path}: tensor {bad!r} holds NaN or infinite values; refusing these weights")


def load_checkpoint(path: str | os.PathLike, map_location: Any = "cpu") -> dict[str, Any]:
    path = Path(path)
    if not os.path.lexists(path):
        raise CheckpointError(f"checkpoint not found: {path}")
    return validate_checkpoint(read_torch_file(path, map_location=map_location, what="checkpoint"), path)


def validate_checkpoint(state: Any, path: str | os.PathLike) -> dict[str, Any]:
    """``state`` read from ``path`` if it is a workbench checkpoint this version reads, with finite weights."""
    if not isinstance(state, dict) or "format_version" not in state:
        raise CheckpointError(f"{path} is not a workbench checkpoint (no format_version)")
    version = state["format_version"]
    if not isinstance(version, int):
        raise CheckpointError(f"{path} has an invalid checkpoint format {version!r}")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has checkpoint format {version}; this version reads up to {FORMAT_VERSION}"
        )
    if isinstance(state.get("model"), Mapping):
        check_finite(state["model"], path)
    return migrate_checkpoint(state)


def migrate_checkpoint(state: dict[str, Any]) -> dict[str, Any]:
    # Version 1 is the first format; later versions add their upgrade steps here.
    return state
