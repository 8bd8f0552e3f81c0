from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def private_qsettings(qapp, tmp_path):
    """Each UI test reads and writes its own QSettings (window layout, last folders)."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QSettings().clear()
    yield


@pytest.fixture(autouse=True)
def no_thread_left_behind(qapp):
    """Fail any UI test that leaves a worker thread running."""
    yield
    from workbench.ui.worker import running_threads

    alive = running_threads()
    for thread in alive:
        thread.quit()
        thread.wait(10_000)
    assert not alive, f"test left {len(alive)} worker thread(s) running"
