"""A lab's Guide: the model, the question it answers, the study presets and the published numbers.

The text is HTML in ``assets/guides/<lab>.<language>.html`` (``en`` and ``zh_CN``); the pane
shows the one matching the installed translation and falls back to English.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QSplitter, QStackedWidget, QTabWidget, QTextBrowser, QWidget

from workbench.paths import assets_dir


def guide_path(lab: str, language: str | None = None) -> Path:
    """The guide of ``lab`` in ``language`` (default: the installed translation's), else the English one."""
    from workbench.ui.shell.i18n import current_language

    language = language or current_language()
    folder = assets_dir() / "guides"
    for name in (language, language.split("_")[0], "en"):
        path = folder / f"{lab}.{name}.html"
        if path.is_file():
            return path
    return folder / f"{lab}.en.html"


class GuidePane(QTextBrowser):
    """Read-only HTML guide; links open in the system browser.

    As a tab it is always there; as a side panel (``side=True``) it starts hidden and
    :meth:`toggle_button` or Help ▸ Guide shows it.
    """

    def __init__(self, lab: str, *, side: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.setObjectName(f"guide_{lab}")
        self.setOpenExternalLinks(True)
        self.setMinimumWidth(240)
        self._toggle: QPushButton | None = None
        self.load()
        if side:
            self.hide()

    def load(self, language: str | None = None) -> None:
        path = guide_path(self.lab, language)
        try:
            html = path.read_text(encoding="utf-8")
        except OSError as exc:
            message = self.tr("The guide %1 cannot be read: %2").replace("%1", str(path)).replace("%2", str(exc))
            html = f"<p>{message}</p>"
        self.setSearchPaths([str(path.parent)])
        self.setHtml(html)

    def toggle_button(self) -> QPushButton:
        """A checkable "Guide" button that shows and hides this pane (side-panel use)."""
        if self._toggle is None:
            self._toggle = QPushButton(self.tr("Guide"))
            self._toggle.setObjectName(f"guideToggle_{self.lab}")
            self._toggle.setCheckable(True)
            self._toggle.setChecked(not self.isHidden())
            self._toggle.setToolTip(self.tr("Show the guide to this lab (Shift+F1)"))
            self._toggle.toggled.connect(self.setVisible)
        return self._toggle

    def reveal(self) -> None:
        """Make the pane visible: select its tab, or open it as a side panel."""
        child: QWidget = self
        parent = child.parentWidget()
        while parent is not None:
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
                parent.parentWidget().setCurrentWidget(child)
            if isinstance(parent, QSplitter):
                index = parent.indexOf(child)
                sizes = parent.sizes()
                if index >= 0 and sizes[index] == 0:  # collapsed by the user: give it a third
                    sizes[index] = max(sum(sizes) // 3, self.minimumWidth())
                    parent.setSizes(sizes)
            child, parent = parent, parent.parentWidget()
        self.show()
        if self._toggle is not None:
            self._toggle.setChecked(True)
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)
