"""Typed, versioned user settings stored as JSON under the workbench home."""
from __future__ import annotations

import dataclasses
import json
import os
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
    plot_refresh_hz: int = 20

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).expanduser() if self.data_dir else paths.default_data_dir()


# Fields that older files may still hold; nothing reads them. Dropping one needs no new schema version:
# load_settings ignores keys it does not know, so files with or without them load at either version.
RETIRED_FIELDS = ("recent_folders",)  # never used by any view


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Upgrade a stored settings dict to the current schema (version 1 is the first)."""
    version = int(raw.get("schema_version", 1))
    if version > SCHEMA_VERSION:
        raise ValueError(f"settings schema {version} is newer than this version reads ({SCHEMA_VERSION})")
    for name in RETIRED_FIELDS:
        raw.pop(name, None)
    raw["schema_version"] = SCHEMA_VERSION
    return raw


def load_settings(path: Path | None = None) -> Settings:
    path = path or paths.settings_path()
    if not path.exists():
        return Settings()
    try:
        raw = migrate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError):
        # A damaged settings file must not keep the app from starting; defaults are safe.
        return Settings()
    defaults = Settings()
    values = {}
    for f in dataclasses.fields(Settings):
        if f.name not in raw:
            continue
        value, expected = raw[f.name], type(getattr(defaults, f.name))
        # A hand-edited value of the wrong type (threads: "4") falls back to its default
        # instead of reaching the Preferences dialog's widgets; bool is an int, not a number here.
        if isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool):
            values[f.name] = value
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or paths.settings_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
