"""Help ▸ About: versions of the application, PyTorch, Qt and Python, and the device in use.

The same facts are offered as plain text to copy into a bug report.
"""
from __future__ import annotations

import html
import platform
import sys

from PySide6.QtCore import QCoreApplication, Qt, Slot, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench import APP_NAME, __version__


def _tr(text: str) -> str:
    return QCoreApplication.translate("AboutDialog", text)


def torch_version() -> str:
    """PyTorch's version without importing it when it is not loaded yet (the import takes seconds)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return torch.__version__
    from importlib import metadata

    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:  # a frozen bundle may ship no package metadata
        import torch

        return torch.__version__


def device_description(device: str | None = None) -> str:
    """The device new runs use, with the GPU's name; ``device`` defaults to the saved preference."""
    if device is None:
        from workbench.settings import load_settings

        device = load_settings().device or "auto"
    if "torch" not in sys.modules:
        return _tr("%1 (resolved when PyTorch has loaded)").replace("%1", device)
    import torch

    from engines.core.device import DeviceUnavailable, resolve_device

    try:
        resolved = resolve_device(device)
    except DeviceUnavailable as exc:
        return str(exc)
    if resolved.type == "cuda":
        name = torch.cuda.get_device_name(resolved)
        return f"{resolved} ({name}, CUDA {torch.version.cuda})"
    if resolved.type == "cpu":
        return f"cpu ({torch.get_num_threads()} {_tr('threads')})"
    return str(resolved)


def about_rows(device: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs shown by the dialog, in order."""
    from PySide6 import __version__ as pyside_version

    rows = [
        (APP_NAME, __version__),
        ("PyTorch", torch_version()),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        (_tr("System"), f"{platform.system()} {platform.release()} {platform.machine()}"),
        (_tr("Device"), device_description(device)),
    ]
    pyqtgraph = sys.modules.get("pyqtgraph")
    if pyqtgraph is not None:
        rows.insert(3, ("pyqtgraph", pyqtgraph.__version__))
    return rows


def about_text(device: str | None = None) -> str:
    """Plain text, one ``label: value`` a line (what Copy puts on the clipboard)."""
    return _plain(about_rows(device))


def _plain(rows) -> str:
    return "\n".join(f"{label}: {value}" for label, value in rows)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, device: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About %1").replace("%1", APP_NAME))
        self.rows = about_rows(device)

        icon = QLabel()
        app_icon = QGuiApplication.windowIcon()
        if not app_icon.isNull():
            icon.setPixmap(app_icon.pixmap(96, 96))  # picks the device-pixel-ratio variant on HiDPI
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        table = "".join(f"<tr><td><b>{html.escape(label)}</b></td><td>{html.escape(value)}</td></tr>"
                        for label, value in self.rows[1:])
        tagline = self.tr("Train, inspect and compare convolutional networks.")
        self.text_label = QLabel(
            f"<h3>{html.escape(APP_NAME)} {html.escape(__version__)}</h3>"
            f"<p>{html.escape(tagline)}</p>"
            f"<table cellspacing='4'>{table}</table>")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text_label.setObjectName("aboutText")

        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.text_label, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("&Copy versions"))
        self.copy_button.setToolTip(self.tr("Copy these versions to the clipboard, for a bug report"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)

    def plain_text(self) -> str:
        return _plain(self.rows)

    @Slot()
    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.plain_text())


def show_about(parent: QWidget | None = None, *, device: str | None = None) -> AboutDialog:
    """Open the About dialog (non-blocking) and return it."""
    dialog = AboutDialog(parent, device=device)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
