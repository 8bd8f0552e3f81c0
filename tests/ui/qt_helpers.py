"""Helpers for the window tests: open a lab's tab, drop files as a file manager would."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def open_lab(window, title: str):
    """The lab whose ``title`` (its English identifier) is ``title``, made the current tab."""
    labs = [lab for lab in window.labs if lab.title == title]
    assert len(labs) == 1 and window.tabs.indexOf(labs[0]) >= 0, f"no single {title!r} lab tab"
    window.tabs.setCurrentWidget(labs[0])
    return labs[0]


def drop_files(target, paths) -> QDropEvent:
    """Drag ``paths`` over ``target`` (the enter must be accepted) and drop them there."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(target.rect().center(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(target.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    return drop
