"""Test-wide set-up: headless Qt, a private workbench home, the shared-data helper."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def workbench_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own run store, settings and QSettings files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # The window installs the shipped pretrained models as runs; tests that count runs expect an empty
    # store, so only the tests of that feature turn it on (tests/ui/shell/test_pretrained_ui.py).
    monkeypatch.setenv("WORKBENCH_PRETRAINED", "off")
    return home


def shared_data_dir() -> Path | None:
    """The one way tests find ``../shared/data``: ``$WORKBENCH_SHARED_DATA`` or beside the repository."""
    configured = os.environ.get("WORKBENCH_SHARED_DATA")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared data folder not found (set WORKBENCH_SHARED_DATA or place it at ../shared/data)")
    return path
