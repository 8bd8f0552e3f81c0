"""Typed, versioned user settings stored as JSON under the workbench home.

A damaged settings file never stops the application: :func:`load_settings` moves it aside to
``settings.json.damaged-<time>`` (so nothing of it is lost and the next start is clean), uses the
defaults, and records a warning. A file written by a newer version is read for what this version
understands and is never overwritten: :func:`save_settings` raises :class:`SettingsError` for it.

The warnings are for the caller to show once: :func:`load_warnings` returns the ones recorded since
it was last called (the CLI prints them on stderr, the window in its status bar or a message box), and
:func:`save_blocked_reason` tells a Preferences dialog ahead of time that saving is impossible.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import paths

SCHEMA_VERSION = 1


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    data_dir: str = ""  # empty: <workbench home>/data
    device: str = "auto"
    threads: int = 0  # 0: PyTorch's default
    language: str = ""  # empty: follow the system locale
    # The live curves, progress bars and cursor follow a run this many times a second. Each refresh costs the GUI
    # thread a few ms that a run training on every core gives up twice over (its other threads wait for the
    # preempted one): on 2 cores the window's process took 8.5 % of a core at 5 Hz and 4.5 % at 2 Hz (at 20 a
    # 10 ms timer was also 17–20 ms late at p99; workbench bench ui).
    plot_refresh_hz: int = 2
    # The arithmetic of the Denoising lab's DnCNN passes: "auto" is bf16 where the CPU has native bf16 (about twice
    # as fast, PSNR within 0.01 dB; engines.labs.denoise.methods.inference_precision), "fp32" everywhere.
    inference_precision: str = "auto"

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).expanduser() if self.data_dir else paths.default_data_dir()


# Ranges of the numeric settings (a hand-edited 0 Hz refresh would divide by zero in the curves).
BOUNDS = {"threads": (0, 1024), "plot_refresh_hz": (1, 240)}
# A settings file is a few hundred bytes; anything far larger is not one.
MAX_BYTES = 1 << 20
# engines.core.device.DEVICE_CHOICES, without importing torch at start-up ("cuda:N" is accepted too).
DEVICES = ("auto", "cpu", "cuda", "mps")
INFERENCE_PRECISIONS = ("auto", "fp32")  # what the Preferences dialog offers (bf16 where native is "auto")

# Fields that older files may still hold; nothing reads them. Dropping one needs no new schema version:
# load_settings ignores keys it does not know, so files with or without them load at either version.
RETIRED_FIELDS = ("recent_folders",)  # never used by any view


class SettingsError(OSError):
    """The settings cannot be saved (a newer version's file would be overwritten).

    An :class:`OSError`, so that callers which already report a failed write (disk full, no permission)
    report this the same way.
    """


_warnings: list[tuple[Path, str]] = []  # (settings file, message)
_shown: set[tuple[Path, str]] = set()


def load_warnings(path: Path | None = None) -> list[str]:
    """The warnings :func:`load_settings` recorded for the settings file ``path`` (default: the home's)
    that no earlier call returned, oldest first.

    Each message is returned once per process, however often the settings are loaded again.
    """
    if not _warnings:
        return []
    try:
        path = path or paths.settings_path()
    except Exception:  # noqa: BLE001 - the home cannot be created (StoreError): no settings were read from it
        return []
    out = [(p, m) for p, m in dict.fromkeys(_warnings) if p == path and (p, m) not in _shown]
    _shown.update(out)
    _warnings[:] = [w for w in _warnings if w[0] != path]
    return [m for _p, m in out]


def _warn(path: Path, message: str) -> None:
    if (path, message) not in _warnings and (path, message) not in _shown:
        _warnings.append((path, message))


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a stored settings dict to the current schema (version 1 is the first).

    A ``ValueError`` for anything that is not a settings object or whose ``schema_version`` is not a
    positive integer, or is newer than this version reads.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"expected a JSON object of settings, found a JSON {_json_kind(raw)}")
    version = raw.get("schema_version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version must be a positive integer, found {version!r}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"settings schema {version} is newer than this version reads ({SCHEMA_VERSION})")
    for name in RETIRED_FIELDS:
        raw.pop(name, None)
    raw["schema_version"] = SCHEMA_VERSION
    return raw


def _json_kind(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", int: "number", float: "number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _newer_version(raw: Any) -> int | None:
    """The schema version of a file written by a newer version, else ``None``."""
    if isinstance(raw, dict):
        version = raw.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            return version
    return None


def _back_up(path: Path, reason: str) -> None:
    """Move a damaged settings file aside (never deleting it) and record the warning."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while backup.exists() or backup.is_symlink():
        n += 1
        backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.rename(path, backup)
    except FileNotFoundError:  # another process moved it first: it has said so
        return
    except OSError as exc:
        _warn(path, f"the settings file {path} is damaged ({reason}) and could not be moved aside "
              f"({exc.strerror or exc}); using the default settings")
        return
    _warn(path, f"the settings file {path} was damaged ({reason}); it was moved to {backup.name} and the "
          f"default settings are used")


def _read(path: Path) -> Any:
    """The parsed JSON of ``path``; ``None`` (with a warning, the file moved aside) when it is damaged."""
    if path.is_dir():
        _warn(path, f"the settings file {path} is a folder; using the default settings (move it away to keep "
              f"preferences)")
        return None
    try:
        if not path.is_file():  # a FIFO would block the start-up forever; a symlink loop cannot be read
            _warn(path, f"the settings file {path} is not a regular file; using the default settings")
            return None
        if path.stat().st_size > MAX_BYTES:
            _back_up(path, f"larger than {MAX_BYTES // 1024} KiB")
            return None
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        _back_up(path, f"not UTF-8 text: byte {exc.start}")
        return None
    except OSError as exc:
        _warn(path, f"cannot read the settings file {path} ({exc.strerror or exc}); using the default settings")
        return None
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and the recursion of absurdly nested input
        _back_up(path, f"not JSON: {exc}")
        return None
    except RecursionError:
        _back_up(path, "not JSON: nested too deeply")
        return None


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings; the defaults where there are none, or they are damaged (see the module doc)."""
    path = path or paths.settings_path()
    if not path.exists() and not path.is_symlink():
        return Settings()
    raw = _read(path)
    if raw is None:
        return Settings()
    newer = _newer_version(raw)
    if newer is not None:
        _warn(path, f"the settings file {path} was written by a newer version of CNN Workbench (settings schema "
              f"{newer}; this version reads {SCHEMA_VERSION}); the settings this version knows are used, and "
              f"changes cannot be saved")
        raw = {**raw, "schema_version": SCHEMA_VERSION}
    try:
        raw = migrate(raw)
    except ValueError as exc:
        _back_up(path, str(exc))
        return Settings()
    defaults = Settings()
    values = {}
    ignored = []
    for f in dataclasses.fields(Settings):
        if f.name not in raw or f.name == "schema_version":
            continue
        value, expected = raw[f.name], type(getattr(defaults, f.name))
        # A hand-edited value of the wrong type (threads: "4") falls back to its default
        # instead of reaching the Preferences dialog's widgets; bool is an int, not a number here.
        if isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool) and \
                _in_range(f.name, value):
            values[f.name] = value
        else:
            ignored.append(f"{f.name}={value!r}")
    if ignored:
        _warn(path, f"the settings file {path} holds values this version cannot use ({', '.join(ignored)}); "
              f"their defaults are used")
    return Settings(**values)


def _in_range(name: str, value: Any) -> bool:
    if isinstance(value, str) and ("\x00" in value or len(value) > 4096):  # no path or name holds these
        return False
    if name in BOUNDS:
        low, high = BOUNDS[name]
        return low <= value <= high
    if name == "inference_precision":
        return value in INFERENCE_PRECISIONS
    if name == "device":
        base, _, index = value.partition(":")
        return base in DEVICES and (not index or (base == "cuda" and index.isdigit()))
    return True


def save_blocked_reason(path: Path | None = None) -> str | None:
    """Why :func:`save_settings` would refuse to write (a newer version's file), or ``None``."""
    path = path or paths.settings_path()
    try:
        raw = json.loads(path.read_bytes().decode("utf-8")) if path.is_file() else None
    except (OSError, ValueError, RecursionError):
        return None  # damaged or unreadable: load_settings moves it aside; writing over it loses nothing new
    newer = _newer_version(raw)
    if newer is None:
        return None
    return (f"{path} was written by a newer version of CNN Workbench (settings schema {newer}; this version "
            f"writes {SCHEMA_VERSION}); saving would lose its settings, so it is left as it is")


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write ``settings`` atomically; :class:`SettingsError` rather than overwrite a newer version's file."""
    path = path or paths.settings_path()
    reason = save_blocked_reason(path)
    if reason:
        raise SettingsError(reason)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise
