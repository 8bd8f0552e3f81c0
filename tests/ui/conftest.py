"""UI-test fixtures: private QSettings, main windows closed after the test, and two leak checks
that fail a test leaving a worker thread running or a window open."""
from __future__ import annotations

import gc

import pytest

_CALL_REPORT = pytest.StashKey()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each test's call report: the window check does not fail a test that already failed (its
    traceback holds the test's widgets, so they would be reported twice)."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


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


def _flush_deletions(app) -> None:
    """Run what closing and ``deleteLater`` queued: pytest-qt closes the widgets given to ``qtbot.addWidget``
    and deletes them later, and a deferred deletion is not run by ``processEvents`` alone."""
    from PySide6.QtCore import QEvent

    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()


def _describe(widget) -> str:
    title = widget.windowTitle() or widget.objectName()
    return f"{type(widget).__name__}({title!r})" if title else type(widget).__name__


def _new_windows(app, before) -> list:
    from shiboken6 import isValid

    return [w for w in app.topLevelWidgets() if w not in before and isValid(w) and w.isVisible()]


@pytest.fixture(autouse=True)
def no_window_left_behind(qapp, request):
    """Fail any UI test that leaves a window or dialog open (as napari's ``make_napari_viewer`` does).

    The check runs after pytest-qt has closed the widgets given to ``qtbot.addWidget`` and after the
    test's other fixtures (``make_window``) closed theirs: a top-level widget that was not there before
    the test and is still shown then was opened by the test and never closed. Hidden top-levels are
    not counted: pyqtgraph's context menus and Qt's popups are parentless hidden windows that live
    until the test's Python objects (which pytest holds until after this check) are freed.
    """
    before = set(qapp.topLevelWidgets())
    yield
    _flush_deletions(qapp)
    left = _new_windows(qapp, before)
    if left:  # a shown window only unreachable garbage still holds is not a leak: collect and look again
        gc.collect()
        _flush_deletions(qapp)
        left = _new_windows(qapp, before)
    names = ", ".join(sorted(_describe(w) for w in left))
    for widget in left:  # so the next tests start clean, whatever this one's outcome
        widget.close()
        widget.deleteLater()
    _flush_deletions(qapp)
    report = request.node.stash.get(_CALL_REPORT, None)
    if left and report is not None and report.passed:
        pytest.fail(f"test left {len(left)} window(s) open: {names}; close them (or pass them to "
                    "qtbot.addWidget) before it ends", pytrace=False)
