"""Lab panels: one central tab per part of the course, plugged into the main window.

A lab module defines a :class:`Lab` subclass and is listed in :data:`workbench.ui.labs.LAB_MODULES`
as ``"module:ClassName"``. The window builds the labs after its first paint
(labs may import torch and pyqtgraph freely).
"""
from __future__ import annotations

import importlib
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow


class Lab(QWidget):
    """Base of a lab panel. The window owns it; it reaches the store, the runner and the window."""

    title = "Lab"  # English, an identifier; lab modules mark it with QT_TRANSLATE_NOOP("Lab", ...)
    tasks: tuple[str, ...] = ()  # tasks whose runs this lab knows how to show

    def __init__(self, main_window: "MainWindow") -> None:
        super().__init__()
        # Not ``window``: that would shadow QWidget.window().
        self.main_window = main_window
        self.store = main_window.store
        self.runner = main_window.runner

    def job_controls(self, prefix: str) -> tuple[QPushButton, QProgressBar]:
        """The Cancel button (wired to :meth:`cancel`, disabled until a job runs) and the idle progress bar of
        the lab's background job; ``prefix`` names them for tests and style sheets (``<prefix>Cancel``)."""
        cancel = QPushButton(QCoreApplication.translate("Lab", "Cancel"))  # the "Lab" context whatever the subclass
        cancel.setObjectName(f"{prefix}Cancel")
        cancel.clicked.connect(self.cancel)
        cancel.setEnabled(False)
        progress = QProgressBar()
        progress.setObjectName(f"{prefix}Progress")
        progress.setRange(0, 1)
        progress.setValue(0)
        return cancel, progress

    def cancel(self) -> None:
        """Stop the lab's background job (labs with one override this)."""

    def display_title(self) -> str:
        """The tab's text in the user's language."""
        return QCoreApplication.translate("Lab", self.title)

    def show_guide(self) -> None:
        """Help ▸ Guide: bring this lab's guide pane into view."""
        from workbench.ui.shell.guide import GuidePane

        pane = self.findChild(GuidePane)
        if pane is not None:
            pane.reveal()

    def set_cursor(self, step: int) -> None:
        """The linked scrubber moved: labs with per-epoch views follow it."""

    def show_runs(self, run_ids: list[int]) -> None:
        """Runs were selected in the browser."""

    def menu_actions(self) -> list[tuple]:
        """``(menu, text, slot, shortcut)`` entries the window adds to its menus (menu: ``"file"``)."""
        return []

    def accepts_files(self, paths: list[str]) -> bool:
        """Whether files dropped on the window should go to this lab's :meth:`open_paths`."""
        return False

    def open_paths(self, paths: list[str]) -> None:
        """Files or folders dropped on the window (or opened) for this lab."""

    def shutdown(self) -> None:
        """The window is closing: stop any lab-owned worker (request stop → quit → wait)."""


class LabPlaceholder(QWidget):
    """A lab's tab while the engines load: its title is there at first paint, with a busy bar."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = title
        self.setObjectName("labPlaceholder")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        text = QCoreApplication.translate("Lab", "Loading the %1 lab…").replace(
            "%1", QCoreApplication.translate("Lab", title))
        self.label = QLabel(text)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy
        self.bar.setMaximumWidth(320)
        self.bar.setTextVisible(False)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


# Imported off the GUI thread after the first paint, so the window stays responsive while they load (about
# 4 s on 2 cores: torch, scipy.signal for the curves). torchvision is not among them: its ops import
# torch._dynamo (another 3 s), and only a model with SE blocks or CIFAR-10 needs it. Nothing here creates a Qt
# object; pyqtgraph and the lab modules are imported on the GUI thread by ensure_ready.
PRELOAD_MODULES = ("torch", "scipy.signal", "engines.core.tasks", "engines.labs", "engines.core.device",
                   "workbench.pretrained")
# Imported off the GUI thread once the labs are built, so the first SE model (the attention view) finds them
# loaded.
LATE_PRELOAD_MODULES = ("torchvision",)


class EnginePreloader(QObject):
    """Imports :data:`PRELOAD_MODULES` in a daemon thread and emits ``done`` (on the GUI thread) when finished,
    whether or not they imported: the window's ``ensure_ready`` imports them again and reports any error."""

    done = Signal()

    def __init__(self, parent: QObject | None = None, *, store_path=None) -> None:
        super().__init__(parent)
        self.seconds: float | None = None
        self.thread: threading.Thread | None = None
        self.store_path = store_path  # where to install the shipped models (None: not here)
        self.installed = 0

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="engine-preload", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        began = time.perf_counter()
        try:
            for name in PRELOAD_MODULES:
                importlib.import_module(name)
            from engines.core.tasks import TASKS

            TASKS.names()  # registers every lab's engine
            if self.store_path is not None:
                # Checking and copying the shipped models (a few seconds on a first launch) is off the GUI
                # thread too, through this thread's own connection to the same store.
                from workbench.pretrained import install_missing
                from workbench.store import RunStore

                with RunStore(self.store_path, recover=False) as store:
                    self.installed = len(install_missing(store))
        except Exception:  # noqa: BLE001 - ensure_ready imports them on the GUI thread and says what failed
            pass
        finally:
            self.seconds = time.perf_counter() - began
            try:
                self.done.emit()
            except RuntimeError:  # the window went away meanwhile
                pass

    def start_late(self) -> None:
        """Import :data:`LATE_PRELOAD_MODULES` in a new daemon thread, once the labs are built: imported while
        the GUI thread builds them, they took its interpreter time (the labs were ready 2–3 s later)."""
        if self.thread is not None and self.thread.is_alive():
            return
        self.thread = threading.Thread(target=self._run_late, name="engine-preload-late", daemon=True)
        self.thread.start()

    @staticmethod
    def _run_late() -> None:
        for name in LATE_PRELOAD_MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - whoever needs it imports it again and reports the error
                pass


def load_labs(window: "MainWindow") -> list[Lab]:
    labs = []
    from workbench.ui.labs import LAB_MODULES

    for spec in LAB_MODULES:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        labs.append(cls(window))
    return labs
