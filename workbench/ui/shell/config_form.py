"""A form generated from a task's config dataclass: typed editors, defaults, tooltips, validation."""
from __future__ import annotations

import dataclasses
import inspect
import json
from typing import Any, get_type_hints

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

# Fields shown first and in this order; the rest follow in declaration order under "Advanced".
MAIN_FIELDS = ("model", "data", "epochs", "batch_size", "lr", "optimizer", "scheduler", "seed", "device")
HIDDEN_FIELDS = ("task", "model_options", "data_options")
INVALID_STYLE = "border: 1px solid #c62828;"


class FieldEditor:
    """Wraps one editor widget with typed get/set."""

    def __init__(self, name: str, kind: type, default: Any, help_text: str, choices=None, minimum=None) -> None:
        self.name, self.kind, self.default = name, kind, default
        if choices:
            widget = QComboBox()
            for choice in choices:
                widget.addItem(str(choice), choice)
        elif kind is bool:
            widget = QCheckBox()
        elif kind is int:
            widget = QSpinBox()
            widget.setRange(int(minimum) if minimum is not None else -10**9, 10**9)
            widget.setAccelerated(True)
        elif kind is float:
            widget = QLineEdit()
            validator = QDoubleValidator()
            validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
            if minimum is not None:
                validator.setBottom(float(minimum))
            widget.setValidator(validator)
        else:
            widget = QLineEdit()
        widget.setObjectName(f"field_{name}")
        tip = QCoreApplication.translate("ConfigForm", help_text) if help_text else ""
        if default not in (None, ""):
            tip += "\n" + QCoreApplication.translate("ConfigForm", "Default: %1").replace("%1", repr(default))
        widget.setToolTip(tip)
        self.widget = widget
        self.set(default)

    def set(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QComboBox):
            index = w.findData(value)
            if index < 0 and w.isEditable():
                w.setEditText(str(value))
            else:
                w.setCurrentIndex(max(index, 0))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value))
        elif self.kind is float:
            w.setText(f"{value:g}")
        elif self.kind is dict:
            w.setText(json.dumps(value))
        else:
            w.setText("" if value is None else str(value))

    def get(self) -> Any:
        w = self.widget
        if isinstance(w, QComboBox):
            data = w.currentData()
            return data if data is not None else w.currentText()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox):
            return w.value()
        text = w.text().strip()
        if self.kind is float:
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"{self.name}: {text!r} is not a number") from None
        if self.kind is dict:
            try:
                value = json.loads(text or "{}")
            except ValueError:
                raise ValueError(f"{self.name}: {text!r} is not a JSON object") from None
            if not isinstance(value, dict):
                raise ValueError(f"{self.name}: {text!r} is not a JSON object")
            return value
        return text

    def mark(self, invalid: bool) -> None:
        self.widget.setStyleSheet(INVALID_STYLE if invalid else "")


def _editor_for_parameter(name: str, param: inspect.Parameter, choices=None) -> FieldEditor | None:
    default = param.default
    if default is inspect.Parameter.empty or default is None:
        return None
    kind = type(default)
    if kind not in (int, float, bool, str):
        return None  # factories and other objects are not user-editable
    return FieldEditor(name, kind, default, QCoreApplication.translate("ConfigForm", "Model option %1")
                       .replace("%1", name), choices)


class ConfigForm(QWidget):
    """Builds a ``TrainConfig`` subclass instance from the user's input; ``config()`` validates."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.config_cls = None
        self.editors: dict[str, FieldEditor] = {}
        self.model_editors: dict[str, FieldEditor] = {}
        self.main_box = QGroupBox(self.tr("Run"))
        self.main_form = QFormLayout(self.main_box)
        self.model_box = QGroupBox(self.tr("Model options"))
        self.model_form = QFormLayout(self.model_box)
        self.advanced_box = QGroupBox(self.tr("Advanced"))
        self.advanced_box.setCheckable(True)
        self.advanced_box.setChecked(False)
        self.advanced_form = QFormLayout(self.advanced_box)
        self.advanced_box.toggled.connect(self._toggle_advanced)
        self.error_label = QLabel()
        self.error_label.setObjectName("configError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.main_box, self.model_box, self.advanced_box, self.error_label):
            layout.addWidget(w)
        layout.addStretch(1)

    def _toggle_advanced(self, on: bool) -> None:
        # By row, not by layout item: an item's widget() read while rows are being replaced could hand back
        # a wrapper of another kind (seen as "QWidgetItem has no attribute setVisible").
        for row in range(self.advanced_form.rowCount()):
            self.advanced_form.setRowVisible(row, on)

    @staticmethod
    def _clear(form: QFormLayout) -> None:
        while form.rowCount():
            form.removeRow(0)

    def set_task(self, task: str) -> None:
        from engines.core.tasks import get_task

        spec = get_task(task)
        self.task = task
        self.config_cls = spec.config_cls
        self._clear(self.main_form)
        self._clear(self.advanced_form)
        self.editors.clear()
        hints = get_type_hints(self.config_cls)
        fields = {f.name: f for f in dataclasses.fields(self.config_cls)}
        defaults = self.config_cls()
        ordered = [n for n in MAIN_FIELDS if n in fields] + [n for n in fields if n not in MAIN_FIELDS]
        for name in ordered:
            if name in HIDDEN_FIELDS:
                continue
            f = fields[name]
            choices = f.metadata.get("choices")
            if name == "model":
                choices = spec.model_names()  # only the task's own, as its registrations declare
            elif name == "data":
                choices = spec.dataset_names()
            editor = FieldEditor(name, hints[name], getattr(defaults, name), f.metadata.get("help", ""),
                                 choices, f.metadata.get("min"))
            self.editors[name] = editor
            label = name.replace("_", " ")
            form = self.main_form if name in MAIN_FIELDS else self.advanced_form
            form.addRow(self.tr(label), editor.widget)
            self._connect(editor)
        self._toggle_advanced(self.advanced_box.isChecked())
        model_editor = self.editors.get("model")
        if model_editor is not None:
            model_editor.widget.currentIndexChanged.connect(lambda _i: self._rebuild_model_options())
        self._rebuild_model_options()

    def _connect(self, editor: FieldEditor) -> None:
        w = editor.widget
        for signal in ("currentIndexChanged", "valueChanged", "textChanged", "toggled"):
            if hasattr(w, signal):
                getattr(w, signal).connect(lambda *_: self._on_changed())
                break

    def _on_changed(self) -> None:
        self.error_label.hide()
        for editor in (*self.editors.values(), *self.model_editors.values()):
            editor.mark(False)
        self.changed.emit()

    def _rebuild_model_options(self) -> None:
        from engines.core.models import MODELS
        from engines.core.registry import keyword_options

        self._clear(self.model_form)
        self.model_editors.clear()
        model = self.editors["model"].get() if "model" in self.editors else None
        if not model or model not in MODELS:
            self.model_box.hide()
            return
        builder = MODELS.get(model).builder
        option_choices = getattr(builder, "option_choices", {})
        for name, param in keyword_options(builder).items():
            if name in ("num_classes", "in_channels"):
                continue  # set by the dataset
            editor = _editor_for_parameter(name, param, option_choices.get(name))
            if editor is None:
                continue
            self.model_editors[name] = editor
            self.model_form.addRow(self.tr(name.replace("_", " ")), editor.widget)
            self._connect(editor)
        self.model_box.setVisible(bool(self.model_editors))

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if name in self.editors:
                self.editors[name].set(value)
        if "model" in values:
            self._rebuild_model_options()
        for name, value in values.get("model_options", {}).items():
            if name in self.model_editors:
                self.model_editors[name].set(value)

    def config(self):
        """The validated config, or raises ``ValueError`` after marking the bad field."""
        from engines.core.config import ConfigError

        values: dict[str, Any] = {"task": self.task}
        try:
            for name, editor in self.editors.items():
                values[name] = editor.get()
            model_options = {}
            for name, editor in self.model_editors.items():
                value = editor.get()
                if value != editor.default:
                    model_options[name] = value
            values["model_options"] = model_options
            config = self.config_cls(**values).validate()
        except (ConfigError, ValueError) as exc:
            self.show_error(str(exc))
            raise ValueError(str(exc)) from None
        return config

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        for name, editor in (*self.editors.items(), *self.model_editors.items()):
            if message.startswith(name) or f" {name} " in f" {message} " or message.startswith(f"invalid {name}"):
                editor.mark(True)
