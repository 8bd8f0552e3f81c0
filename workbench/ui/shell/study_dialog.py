""""New study": runs differing in one factor, over N seeds, from a preset or a custom factor."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QVBoxLayout,
)

from workbench.studies import PRESETS, plan_preset, plan_study

CUSTOM = "__custom__"


def _parse_values(text: str) -> list:
    from engines.core.config import parse_literal

    return [parse_literal(part.strip()) for part in text.split(",") if part.strip()]


class StudyDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New study"))
        self.setMinimumWidth(560)
        self.preset_box = QComboBox()
        self.preset_box.setObjectName("presetBox")
        for name in PRESETS.names():
            self.preset_box.addItem(QCoreApplication.translate("Studies", PRESETS.get(name).title), name)
        self.preset_box.addItem(self.tr("Custom factor…"), CUSTOM)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.factor_edit = QLineEdit()
        self.factor_edit.setObjectName("factorEdit")
        self.factor_edit.setToolTip(self.tr("A config field (lr, batch_size, optimizer…) or a model option "
                                            "written model_options.NAME"))
        self.values_edit = QLineEdit()
        self.values_edit.setObjectName("valuesEdit")
        self.values_edit.setToolTip(self.tr("Comma-separated values, one group of runs each"))
        self.model_edit = QLineEdit("small_cnn")
        self.data_edit = QLineEdit("digits")
        self.seeds = QSpinBox()
        self.seeds.setObjectName("seedsBox")
        self.seeds.setRange(1, 20)
        self.epochs = QSpinBox()
        self.epochs.setObjectName("epochsBox")
        self.epochs.setRange(1, 10_000)
        self.preview = QListWidget()
        self.preview.setObjectName("studyPreview")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Preset"), self.preset_box)
        form.addRow("", self.question)
        form.addRow(self.tr("Factor"), self.factor_edit)
        form.addRow(self.tr("Values"), self.values_edit)
        form.addRow(self.tr("Model"), self.model_edit)
        form.addRow(self.tr("Dataset"), self.data_edit)
        form.addRow(self.tr("Seeds per value"), self.seeds)
        form.addRow(self.tr("Epochs"), self.epochs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Queue runs"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Runs to queue")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.preset_box.currentIndexChanged.connect(self._on_preset)
        for w in (self.factor_edit, self.values_edit, self.model_edit, self.data_edit):
            w.textChanged.connect(self._update_preview)
        self.seeds.valueChanged.connect(self._update_preview)
        self.epochs.valueChanged.connect(self._update_preview)
        self._on_preset()

    def _on_preset(self) -> None:
        name = self.preset_box.currentData()
        custom = name == CUSTOM
        for w in (self.factor_edit, self.values_edit, self.model_edit, self.data_edit):
            w.setReadOnly(not custom)
        if not custom:
            preset = PRESETS.get(name)
            self.question.setText(QCoreApplication.translate("Studies", preset.question))
            self.factor_edit.setText(preset.factor)
            self.values_edit.setText(", ".join(str(v) for v in preset.values))
            self.model_edit.setText(str(preset.base.get("model", "")))
            self.data_edit.setText(str(preset.base.get("data", "")))
            self.seeds.setValue(preset.seeds)
            self.epochs.setValue(int(preset.base.get("epochs", 2)))
        else:
            self.question.setText(self.tr("Runs that differ only in one setting, each over several seeds."))
        self._update_preview()

    def factor(self) -> str:
        return self.factor_edit.text().strip()

    def planned_runs(self):
        name = self.preset_box.currentData()
        if name != CUSTOM:
            preset = PRESETS.get(name)
            return plan_preset(preset, seeds=self.seeds.value(), overrides={"epochs": self.epochs.value()})
        base = {"model": self.model_edit.text().strip(), "data": self.data_edit.text().strip(),
                "epochs": self.epochs.value()}
        return plan_study("classify", base, self.factor(), _parse_values(self.values_edit.text()),
                          self.seeds.value())

    def _update_preview(self) -> None:
        self.preview.clear()
        try:
            planned = self.planned_runs()
        except (ValueError, KeyError, TypeError) as exc:
            self.error.setText(str(exc).strip("'\""))
            self.ok_button.setEnabled(False)
            return
        self.error.clear()
        self.ok_button.setEnabled(True)
        for p in planned:
            self.preview.addItem(p.name)
