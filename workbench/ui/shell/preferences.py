"""Edit ▸ Preferences: data folder, device, CPU threads, plot refresh rate, denoising precision, language.

The dialog edits a copy of :class:`workbench.settings.Settings`; :func:`edit_preferences`
saves it when OK is pressed and :func:`apply_settings` carries the changes into a running
window (what cannot change at run time, the language, is announced for the next start).
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.settings import Settings, load_settings, save_settings

# Languages offered; names are written in their own language (an endonym is what a reader
# of that language looks for), so they are not translated.
LANGUAGES = (("", None), ("en", "English"), ("zh_CN", "简体中文"))
MAX_REFRESH_HZ = 60


def available_devices() -> list[str]:
    """Device choices of this machine; probes it only when torch is already loaded (it takes seconds).

    Before that only ``auto`` and ``cpu`` are offered: a stored device the machine lacks would
    stop the window from resolving its device at the next start.
    """
    devices = ["auto", "cpu"]
    torch = sys.modules.get("torch")
    if torch is None:
        return devices
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        devices += ["cuda"] + ([f"cuda:{i}" for i in range(count)] if count > 1 else [])
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preferences"))
        self.setObjectName("preferencesDialog")
        self._original = settings

        self.data_edit = QLineEdit(settings.data_dir)
        self.data_edit.setObjectName("dataDir")
        self.data_edit.setPlaceholderText(str(Settings().resolved_data_dir()))
        self.data_edit.setToolTip(self.tr("Where datasets are downloaded and looked for; empty: the default folder"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_data_dir)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_edit, 1)
        data_row.addWidget(browse)

        self.device_box = QComboBox()
        self.device_box.setObjectName("device")
        for device in available_devices():
            label = self.tr("Automatic (GPU when available)") if device == "auto" else device
            self.device_box.addItem(label, device)
        self._select(self.device_box, settings.device or "auto", add_missing=True)
        self.device_box.setToolTip(self.tr("Default device of new runs"))

        self.threads_spin = QSpinBox()
        self.threads_spin.setObjectName("threads")
        self.threads_spin.setRange(0, max(os.cpu_count() or 1, settings.threads))
        self.threads_spin.setSpecialValueText(self.tr("PyTorch default"))
        self.threads_spin.setValue(settings.threads)
        self.threads_spin.setToolTip(self.tr("CPU threads PyTorch uses for training and inference"))

        self.refresh_spin = QSpinBox()
        self.refresh_spin.setObjectName("plotRefresh")
        self.refresh_spin.setRange(1, MAX_REFRESH_HZ)
        self.refresh_spin.setSuffix(self.tr(" Hz"))
        self.refresh_spin.setValue(min(max(settings.plot_refresh_hz, 1), MAX_REFRESH_HZ))
        self.refresh_spin.setToolTip(self.tr("How often the live curves redraw; lower leaves more CPU to training"))

        self.precision_box = QComboBox()
        self.precision_box.setObjectName("inferencePrecision")
        self.precision_box.addItem(self.tr("Automatic (bf16 where the CPU has native bf16)"), "auto")
        self.precision_box.addItem(self.tr("fp32 everywhere"), "fp32")
        self._select(self.precision_box, settings.inference_precision, add_missing=False)
        self.precision_box.setToolTip(self.tr(
            "Arithmetic of the Denoising lab's DnCNN passes. On a CPU with AVX-512 BF16 or AMX, bf16 runs about "
            "twice as fast as fp32 and moves PSNR by less than 0.01 dB; elsewhere both choices run fp32. "
            "Evaluation from the command line (eval-denoise, reproduce) stays fp32."))

        self.language_box = QComboBox()
        self.language_box.setObjectName("language")
        for code, name in LANGUAGES:
            self.language_box.addItem(name or self.tr("System default"), code)
        self._select(self.language_box, settings.language, add_missing=True)
        self.language_box.setToolTip(self.tr("Takes effect the next time the application starts"))

        data_label = QLabel(self.tr("&Data folder:"))
        data_label.setBuddy(self.data_edit)  # a row holding a layout gets no buddy by itself
        form = QFormLayout()
        form.addRow(data_label, data_row)
        form.addRow(self.tr("De&vice:"), self.device_box)
        form.addRow(self.tr("CPU &threads:"), self.threads_spin)
        form.addRow(self.tr("&Plot refresh rate:"), self.refresh_spin)
        form.addRow(self.tr("Denoi&sing precision:"), self.precision_box)
        form.addRow(self.tr("&Language:"), self.language_box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    @staticmethod
    def _select(box: QComboBox, value: str, *, add_missing: bool) -> None:
        index = box.findData(value)
        if index < 0 and add_missing:
            box.addItem(value, value)  # keep a stored value this machine does not list
            index = box.count() - 1
        box.setCurrentIndex(max(index, 0))

    def settings(self) -> Settings:
        """The edited settings (fields the dialog does not show are kept)."""
        return dataclasses.replace(
            self._original,
            data_dir=self.data_edit.text().strip(),
            device=self.device_box.currentData(),
            threads=self.threads_spin.value(),
            plot_refresh_hz=self.refresh_spin.value(),
            inference_precision=self.precision_box.currentData(),
            language=self.language_box.currentData(),
        )

    @Slot()
    def restore_defaults(self) -> None:
        defaults = Settings()
        self.data_edit.setText(defaults.data_dir)
        self._select(self.device_box, defaults.device, add_missing=True)
        self.threads_spin.setValue(defaults.threads)
        self.refresh_spin.setValue(defaults.plot_refresh_hz)
        self._select(self.precision_box, defaults.inference_precision, add_missing=False)
        self._select(self.language_box, defaults.language, add_missing=False)

    @Slot()
    def _browse_data_dir(self) -> None:
        start = self.data_edit.text() or str(Settings().resolved_data_dir())
        folder = QFileDialog.getExistingDirectory(self, self.tr("Data folder"), start)
        if folder:
            self.data_edit.setText(folder)

    def validation_error(self) -> str:
        """Why the edited settings cannot be kept, or ``""``."""
        text = self.data_edit.text().strip()
        if not text:
            return ""
        path = Path(text).expanduser()
        if path.exists() and not path.is_dir():
            return self.tr("The data folder %1 is a file, not a folder.").replace("%1", str(path))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self.tr("Cannot create the data folder %1: %2").replace("%1", str(path)).replace(
                "%2", exc.strerror or str(exc))
        return ""

    def accept(self) -> None:
        message = self.validation_error()
        if message:
            self.error_message = message
            if not self.property("suppress_dialogs"):
                QMessageBox.warning(self, self.windowTitle(), message)
            self.data_edit.setFocus()
            return
        super().accept()


def edit_preferences(parent: QWidget | None = None) -> tuple[Settings, Settings] | None:
    """Show the dialog; on OK save and return ``(old, new)``, on Cancel ``None``."""
    old = load_settings()
    dialog = PreferencesDialog(old, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    new = dialog.settings()
    try:
        save_settings(new)
    except OSError as exc:
        QMessageBox.warning(parent, dialog.windowTitle(), QCoreApplication.translate(
            "PreferencesDialog", "Cannot save the preferences: %1").replace("%1", str(exc)))
        return None
    return old, new


_default_threads: int | None = None


def apply_threads(threads: int) -> None:
    """``torch.set_num_threads``; 0 restores the count PyTorch chose at start-up. No-op before torch loads."""
    global _default_threads
    torch = sys.modules.get("torch")
    if torch is None:
        return
    if _default_threads is None:
        _default_threads = torch.get_num_threads()
    torch.set_num_threads(threads if threads > 0 else _default_threads)


def apply_settings(window, new: Settings, old: Settings | None = None) -> list[str]:
    """Carry ``new`` into the running ``window``; returns the names of the settings applied.

    ``old`` is ``None`` at start-up (apply everything that differs from PyTorch's defaults).
    """
    changed = [f.name for f in dataclasses.fields(Settings)
               if old is None or getattr(old, f.name) != getattr(new, f.name)]
    applied = []
    if "threads" in changed and (old is not None or new.threads > 0):
        apply_threads(new.threads)
        torch = sys.modules.get("torch")
        if torch is not None and hasattr(window, "threads_label"):
            window.threads_label.setText(QCoreApplication.translate("MainWindow", "threads: %1").replace(
                "%1", str(torch.get_num_threads())))
        applied.append("threads")
    if "plot_refresh_hz" in changed and getattr(window, "curves", None) is not None:
        window.curves.set_refresh_rate(new.plot_refresh_hz)
        applied.append("plot_refresh_hz")
    if "device" in changed:
        _apply_default_device(window, new.device or "auto")
        applied.append("device")
    if "language" in changed and old is not None:
        text = QCoreApplication.translate("PreferencesDialog",
                                          "The language changes the next time CNN Workbench starts.")
        if window.property("suppress_dialogs"):
            window.status_label.setText(text)
        else:
            QMessageBox.information(window, QCoreApplication.translate("PreferencesDialog", "Language"), text)
        applied.append("language")
    return applied


def _apply_default_device(window, device: str) -> None:
    """New runs start on ``device``: set the New run form's device now and after each task switch."""
    window.setProperty("default_device", device)
    if "torch" in sys.modules and hasattr(window, "device_label"):
        from engines.core.device import DeviceUnavailable, resolve_device

        try:
            shown = str(resolve_device(device))
        except DeviceUnavailable:  # the status bar says why; show what runs will actually use
            shown = str(resolve_device("auto"))
        window.device_label.setText(QCoreApplication.translate("MainWindow", "device: %1").replace("%1", shown))
    form = getattr(window, "config_form", None)
    if form is None:
        return

    def set_device() -> None:
        editor = form.editors.get("device")
        if editor is not None:
            editor.set(window.property("default_device"))

    set_device()
    if not window.property("default_device_hooked") and hasattr(window, "task_box"):
        # Connected after the window's own set_task slot, so it runs once the form is rebuilt.
        window.task_box.currentIndexChanged.connect(lambda _i: set_device())
        window.setProperty("default_device_hooked", True)
