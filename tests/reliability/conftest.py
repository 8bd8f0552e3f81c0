"""The fault-injection battery's tools: run the CLI as a user would, write bad and hostile files.

Every case asserts the same promises (:func:`assert_clean`): no Python traceback reaches the user,
the exit code is the documented one, the message names the file or value at fault. Hostile
pickles write a marker file when unpickled; :func:`assert_no_marker` checks that none ran.
"""
from __future__ import annotations

import gzip
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.helpers import CliResult

REPO_ROOT = Path(__file__).resolve().parents[2]


def assert_clean(result: CliResult, rc: int | tuple[int, ...], *mentions: str) -> None:
    """No traceback, the exit code ``rc`` (or one of them), and every ``mentions`` text in the output."""
    assert "Traceback (most recent call last)" not in result.text, result.text[-3000:]
    codes = (rc,) if isinstance(rc, int) else rc
    assert result.rc in codes, f"exit {result.rc}, expected {codes}\n{result.text[-3000:]}"
    for text in mentions:
        assert str(text) in result.text, f"{text!r} not in output:\n{result.text[-3000:]}"


def run_cli_process(*args: str, env: dict[str, str] | None = None, timeout: float = 240,
                    stdin: str | None = None) -> CliResult:
    """``python -m workbench ARGS`` in a child process (for exit paths only a process shows)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], cwd=REPO_ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout, input=stdin)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# -- hostile pickles -------------------------------------------------------------------------------
class _Plant:
    """Unpickling this creates ``marker`` (through ``builtins.open``): proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def hostile_pickle_bytes(marker: Path) -> bytes:
    import pickle

    return pickle.dumps({"state_dict": _Plant(marker)}, protocol=2)


def write_hostile_torch_file(path: Path, marker: Path) -> Path:
    """A real ``torch.save`` zip file whose pickle would create ``marker`` if loaded without weights_only."""
    import torch

    torch.save({"model": _Plant(marker), "weights": torch.zeros(2)}, path)
    return path


def write_hostile_gzip_torch_file(path: Path, marker: Path) -> Path:
    buffer = io.BytesIO()
    import torch

    torch.save({"model": _Plant(marker)}, buffer)
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return path


def assert_no_marker(marker: Path) -> None:
    assert not Path(marker).exists(), f"a hostile pickle ran code: {marker} was created"


# -- bad files -------------------------------------------------------------------------------------
BAD_FILE_KINDS = ("empty", "truncated", "garbage", "text", "png_as_other", "fifo", "symlink_loop",
                  "directory", "unicode_name_garbage")


def png_bytes(width: int = 16, height: int = 16) -> bytes:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_bad_file(kind: str, folder: Path, name: str, good: bytes | None = None) -> Path:
    """A file (or what stands in for one) of a bad ``kind`` named ``name`` in ``folder``.

    ``good``: the bytes of a valid file of the expected format, cut short for ``truncated``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = good if good is not None else png_bytes()
        path.write_bytes(data[: max(1, len(data) // 3)])
    elif kind == "garbage":
        path.write_bytes(os.urandom(4096))
    elif kind == "text":
        path.write_text("this is not what you think it is\n" * 20, encoding="utf-8")
    elif kind == "png_as_other":
        path.write_bytes(png_bytes())
    elif kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block forever: it must be refused first
    elif kind == "symlink_loop":
        other = folder / (name + ".loop")
        os.symlink(other, path)
        os.symlink(path, other)
    elif kind == "directory":
        path.mkdir()
    elif kind == "unicode_name_garbage":
        path = folder / ("bild-ü-图像-" + name)
        path.write_bytes(os.urandom(2048))
    else:
        raise ValueError(kind)
    return path


def write_gzip_bomb(path: Path, inflated_gib: float = 3.0) -> Path:
    """A valid gzip file (concatenated members) of ~3 MB that inflates to ``inflated_gib`` GiB of zeros."""
    chunk = 64 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(bytes(chunk)) + compressor.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    member = header + body + struct.pack("<II", zlib.crc32(bytes(chunk)) & 0xFFFFFFFF, chunk & 0xFFFFFFFF)
    with open(path, "wb") as fh:
        for _ in range(int(inflated_gib * (1 << 30) / chunk)):
            fh.write(member)
    return path


def write_png_bomb(path: Path, side: int = 100_000) -> Path:
    """A tiny PNG whose header claims ``side`` × ``side`` pixels (a decompression bomb's header)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "PWNED"
