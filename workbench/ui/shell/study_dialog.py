""""New study": runs differing in one factor, over N seeds, from a preset or a custom factor.

Before the runs are queued, a line says how long they will take on this machine: from the seconds per epoch
of its finished runs of the same configurations, else from a few training steps timed in the background
(:mod:`workbench.studies`). "Quick variant" switches a preset to its short form (about ten minutes on two
CPU cores) and the runs and the estimate follow.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import (
    QCheckBox,
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

from workbench.studies import (
    PRESETS,
    Calibration,
    StudyEstimate,
    calibrate,
    cost_key,
    duration_parts,
    estimate_study,
    plan_preset,
    plan_study,
    recorded_seconds_per_epoch,
)
from workbench.ui.shell.worker import LabJob

CUSTOM = "__custom__"
# Configurations timed in this session (cost key → Calibration): a machine's speed does not change between
# two openings of the dialog, so each configuration is timed once.
CALIBRATIONS: dict[str, Calibration] = {}


def _parse_values(text: str) -> list:
    from engines.core.config import parse_literal

    return [parse_literal(part.strip()) for part in text.split(",") if part.strip()]


def duration_text(seconds: float) -> str:
    number, unit = duration_parts(seconds)
    if unit == "s":
        return QCoreApplication.translate("StudyDialog", "about %1 s").replace("%1", number)
    if unit == "min":
        return QCoreApplication.translate("StudyDialog", "about %1 min").replace("%1", number)
    return QCoreApplication.translate("StudyDialog", "about %1 h").replace("%1", number)


def quick_summary(quick: dict) -> str:
    """"epochs 10 · seeds 2 · window 15 · batch size 64": what the quick variant changes, in the form's words."""
    def flat(values: dict):
        for key, value in values.items():
            if isinstance(value, dict):
                yield from flat(value)
            else:
                yield key, value

    return " · ".join(f"{QCoreApplication.translate('ConfigForm', key.replace('_', ' '))} {value}"
                      for key, value in flat(quick))


class StudyDialog(QDialog):
    """``store`` (default: the parent window's) gives the finished runs the estimate is measured from;
    ``preset`` chooses a preset by name when the dialog opens."""

    calibrate = staticmethod(calibrate)  # how a configuration is timed (tests put a stand-in here)

    def __init__(self, parent=None, *, store=None, preset: str | None = None) -> None:
        super().__init__(parent)
        self.store = store if store is not None else getattr(parent, "store", None)
        self._recorded: dict[str, dict[str, list[float]]] = {}  # task → cost key → seconds per epoch
        self._timing: set[str] = set()  # cost keys being timed now
        self._timed_beside: int | None = None  # the window's run that trained while configurations were timed
        self._busy_calibrations: dict[str, Calibration] = {}
        self.estimate_result: StudyEstimate | None = None
        self.calibration_job = LabJob(self, "study-estimate")
        self.calibration_job.result.connect(self._on_calibrated)
        self.calibration_job.error.connect(self._on_calibration_failed)
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
        self.quick = QCheckBox(self.tr("Quick variant"))
        self.quick.setObjectName("quickBox")
        self.quick.setToolTip(self.tr("Fewer epochs, seeds or data, so the whole study takes about ten minutes "
                                      "on two CPU cores; the question stays the same, the answer is rougher"))
        self.estimate = QLabel()
        self.estimate.setObjectName("studyEstimate")
        self.estimate.setWordWrap(True)
        # Room for three wrapped lines: the runs list gives way, the estimate is never cut off.
        self.estimate.setMinimumHeight(3 * self.estimate.fontMetrics().lineSpacing() + 4)
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
        form.addRow("", self.quick)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Queue runs"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Runs to queue")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.estimate)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.preset_box.currentIndexChanged.connect(self._on_preset)
        for w in (self.factor_edit, self.values_edit, self.model_edit, self.data_edit):
            w.textChanged.connect(self._update_preview)
        self.seeds.valueChanged.connect(self._update_preview)
        self.epochs.valueChanged.connect(self._update_preview)
        self.quick.toggled.connect(self._on_quick)
        self.finished.connect(self.calibration_job.shutdown)
        if preset is not None:
            self.set_preset(preset)
        self._on_preset()

    def set_preset(self, name: str) -> None:
        """Choose the preset ``name`` (a :data:`workbench.studies.PRESETS` name)."""
        index = self.preset_box.findData(name)
        if index < 0:
            raise KeyError(f"no study preset {name!r}")
        self.preset_box.setCurrentIndex(index)

    def _preset(self):
        name = self.preset_box.currentData()
        return None if name == CUSTOM else PRESETS.get(name)

    def _on_preset(self) -> None:
        preset = self._preset()
        custom = preset is None
        for w in (self.factor_edit, self.values_edit, self.model_edit, self.data_edit):
            w.setReadOnly(not custom)
        self.quick.setEnabled(not custom and bool(preset.quick))
        self.quick.setText(self.tr("Quick variant") + (f" ({quick_summary(preset.quick)})" if not custom else ""))
        if custom:
            self.quick.setChecked(False)
        if not custom:
            self.question.setText(QCoreApplication.translate("Studies", preset.question))
            self.factor_edit.setText(preset.factor)
            self.values_edit.setText(", ".join(str(v) for v in preset.values))
            self.model_edit.setText(str(preset.base.get("model", "")))
            self.data_edit.setText(str(preset.base.get("data", "")))
            self._show_preset_counts(preset)
        else:
            self.question.setText(self.tr("Runs that differ only in one setting, each over several seeds."))
        self._update_preview()

    def _show_preset_counts(self, preset) -> None:
        """Seeds and epochs of the preset, or of its quick variant when that is ticked."""
        quick = self.quick.isChecked()
        blockers = [self.seeds.blockSignals(True), self.epochs.blockSignals(True)]
        self.seeds.setValue(preset.quick_seeds() if quick else preset.seeds)
        epochs = preset.quick.get("epochs") if quick else None
        self.epochs.setValue(int(epochs or preset.base.get("epochs", 2)))
        self.seeds.blockSignals(blockers[0])
        self.epochs.blockSignals(blockers[1])

    @Slot(bool)
    def _on_quick(self, _checked: bool) -> None:
        preset = self._preset()
        if preset is not None:
            self._show_preset_counts(preset)
        self._update_preview()

    def factor(self) -> str:
        return self.factor_edit.text().strip()

    def planned_runs(self):
        preset = self._preset()
        if preset is not None:
            return plan_preset(preset, seeds=self.seeds.value(), overrides={"epochs": self.epochs.value()},
                               quick=self.quick.isChecked())
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
        self._update_estimate(planned)

    # -- the estimate ---------------------------------------------------------------------------------
    def _recorded_rates(self, task: str) -> dict[str, list[float]]:
        if task not in self._recorded:
            runs = self.store.list_runs(task=task) if self.store is not None else []
            self._recorded[task] = recorded_seconds_per_epoch(runs)
        return self._recorded[task]

    def _update_estimate(self, planned) -> None:
        """"15 runs · 30 epochs · about 6 min on this machine (…)": from recorded runs, else calibration."""
        self._planned = planned
        if not planned:
            self.estimate.clear()
            return
        estimate = estimate_study(planned, self._recorded_rates(planned[0].config.task),
                                  {**CALIBRATIONS, **self._busy_calibrations})
        self.estimate_result = estimate
        head = self.tr("%1 runs · %2 epochs").replace("%1", str(estimate.runs)).replace("%2", str(estimate.epochs))
        if estimate.seconds is None:
            self.estimate.setText(head + " · " + self.tr("timing a few training steps on this machine…"))
            self._start_calibration(planned, estimate.missing)
            return
        text = head + " · " + duration_text(estimate.seconds) + self.tr(" on this machine")
        if estimate.measured_runs and estimate.calibrated:
            source = self.tr("from %1 finished run(s) of the same configurations and a few training steps timed "
                             "just now").replace("%1", str(estimate.measured_runs))
        elif estimate.measured_runs:
            source = self.tr("from the seconds per epoch of %1 finished run(s) of the same configurations") \
                .replace("%1", str(estimate.measured_runs))
        else:
            source = self.tr("from a few training steps of each configuration timed just now; checkpoints and "
                             "the final scoring add a little")
        if estimate.calibrated and self._timed_beside is not None:
            source += self.tr("; timed while run #%1 was training, so probably too high") \
                .replace("%1", str(self._timed_beside))
        self.estimate.setText(f"{text} ({source})")

    def _start_calibration(self, planned, missing) -> None:
        todo = {}
        for p in planned:
            key = cost_key(p.config)
            if key in missing and key not in self._timing and key not in todo:
                todo[key] = p.config
        if not todo:
            return
        self._timing.update(todo)
        timer = self.calibrate
        # Two trainings on two cores slow each other down several-fold: say so rather than hide it.
        runner = getattr(self.parent(), "runner", None)
        self._timed_beside = runner.current_run_id if runner is not None and runner.busy else None

        def job(should_stop, progress):
            out = {}
            for done, (key, config) in enumerate(todo.items()):
                if should_stop():
                    break
                progress(done, len(todo))
                out[key] = timer(config, should_stop=should_stop)
            return out

        self.calibration_job.enqueue("calibrate", job)

    @Slot(str, object)
    def _on_calibrated(self, _kind: str, result) -> None:
        # Timings taken beside a training run stay with this dialog: a later one times afresh.
        (self._busy_calibrations if self._timed_beside is not None else CALIBRATIONS).update(result)
        self._timing.difference_update(result)
        self._update_preview()

    @Slot(str, str)
    def _on_calibration_failed(self, _kind: str, message: str) -> None:
        self._timing.clear()
        self.estimate.setText(self.tr("No time estimate: timing a training step failed (%1)").replace("%1", message))
