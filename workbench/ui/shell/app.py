"""Application entry: the QApplication, the main window, and ``--self-test``."""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time

from workbench.bench import FIRST_PAINT_PROBE_ENV  # set by `workbench bench ui` to time the cold start

# The .desktop file's name (packaging/), the AppStream id and the macOS bundle identifier;
# on Wayland it is the window's app id, which the desktop matches to the launcher and icon.
DESKTOP_FILE_NAME = "io.github.cnnworkbench.CnnWorkbench"


def _make_app():
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from workbench import APP_NAME, __version__

    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (125 %, 150 %) as they are, not rounded: text and plots stay
        # sharp and sized as the desktop asks (must be set before the QApplication exists).
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)  # also the X11 WM_CLASS class, the .desktop's StartupWMClass
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("cnn-workbench")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    from workbench.ui.shell.i18n import install_translators

    install_translators(app)  # before any widget exists: Preferences ▸ Language, else the system locale
    from workbench.ui.shell.theme import app_icon, follow_system_palette

    app.setWindowIcon(app_icon())
    follow_system_palette(app)
    return app


def run_app(*, self_test: bool = False) -> int:
    multiprocessing.freeze_support()
    # OpenMP threads that spin while waiting take the cores from the GUI thread between
    # training steps; passive waiting keeps the window responsive (set before torch loads).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if self_test:
        return run_self_test()
    app = _make_app()
    from workbench.ui.shell.main_window import MainWindow

    window = MainWindow()
    if os.environ.get(FIRST_PAINT_PROBE_ENV):
        from workbench.ui.shell.bench_ui import install_first_paint_probe

        install_first_paint_probe(window)  # prints the seconds to the first paint, then quits
    window.show()
    return app.exec()


SELF_TEST_TIMEOUT_S = 180


def run_self_test() -> int:
    """Open the window offscreen, train 2 steps through the window's worker path, print one JSON line."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = None
    if not os.environ.get("WORKBENCH_HOME"):
        # Keep the user's own run store untouched.
        tmp = tempfile.TemporaryDirectory(prefix="workbench-self-test-")
        os.environ["WORKBENCH_HOME"] = tmp.name
    started = time.perf_counter()
    app = _make_app()
    from PySide6.QtCore import QTimer

    from workbench.ui.shell.main_window import MainWindow

    window = MainWindow()
    window.setProperty("ephemeral", True)
    window.show()
    result: dict = {"self_test": "failed"}

    def on_finished(run_id: int, status: str, outcome: dict) -> None:
        steps = window.store.get_run(run_id).step
        result.update(self_test="passed" if status == "finished" and steps == 2 else "failed",
                      run_id=run_id, status=status, steps=steps, metrics=outcome.get("metrics", {}))
        app.quit()

    def on_timeout() -> None:
        result["error"] = f"no result within {SELF_TEST_TIMEOUT_S} s"
        window.runner.stop()
        app.quit()

    def start() -> None:
        try:
            from engines.core.tasks import make_config

            config = make_config("classify", model="small_cnn", data="digits", epochs=1, max_steps=2,
                                 model_options={"width": 8})
            window.start_job(config, name="self-test")
        except Exception as exc:  # e.g. a module missing from a frozen bundle: report it now, not at the timeout
            result["error"] = f"{type(exc).__name__}: {exc}"
            app.quit()

    window.runner.run_finished.connect(on_finished)
    window.runner.error.connect(lambda _rid, msg: result.setdefault("error", msg))
    QTimer.singleShot(0, start)
    QTimer.singleShot(SELF_TEST_TIMEOUT_S * 1000, on_timeout)
    app.exec()
    window.close()
    result["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(result), flush=True)
    if tmp is not None:
        window.store.close()
        tmp.cleanup()
    return 0 if result["self_test"] == "passed" else 1
