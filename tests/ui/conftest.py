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


@pytest.fixture
def make_window(qtbot):
    """Build main windows (dialogs answered by properties, not shown) that are closed after the test.

    ``show`` shows it, ``ready`` loads the engines and labs at once instead of after the first paint.
    """
    from workbench.ui.shell.main_window import MainWindow

    made = []

    def make(*, show: bool = False, ready: bool = False, size: tuple[int, int] | None = None):
        win = MainWindow()
        win.setProperty("suppress_dialogs", True)
        qtbot.addWidget(win)
        made.append(win)
        if size is not None:
            win.resize(*size)
        if show:
            win.show()
        if ready:
            win.ensure_ready()
        return win

    yield make
    for win in made:
        win.close()


@pytest.fixture
def window(make_window):
    """The main window, shown, with its engines and labs loaded."""
    return make_window(show=True, ready=True, size=(1400, 900))


@pytest.fixture(autouse=True)
def no_thread_left_behind(qapp):
    """Fail any UI test that leaves a worker thread running."""
    yield
    from workbench.ui.shell.worker import running_threads

    alive = running_threads()
    for thread in alive:
        thread.quit()
        thread.wait(10_000)
    assert not alive, f"test left {len(alive)} worker thread(s) running"
