"""Lab panels: one central tab per part of the course, plugged into the main window.

A lab module defines a :class:`Lab` subclass and is listed in :data:`workbench.ui.labs.LAB_MODULES`
as ``"module:ClassName"``. The window builds the labs after its first paint
(labs may import torch and pyqtgraph freely).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QProgressBar, QPushButton, QWidget

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


def load_labs(window: "MainWindow") -> list[Lab]:
    import importlib

    labs = []
    from workbench.ui.labs import LAB_MODULES

    for spec in LAB_MODULES:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        labs.append(cls(window))
    return labs
