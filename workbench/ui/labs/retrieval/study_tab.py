"""The Retrieval lab's *Does J2 matter?* tab: the loss-term ablation study.

Queues the study preset (five loss combinations × seeds); the table sets the mean ± std mAP of each
variant beside the paper's ablation row; the window's Compare view opens on the study.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow

STUDY_PRESET = "dscmr-j2"


class RetrievalStudyTab(QWidget):
    """The study's controls and its table of mAP per variant beside the paper's numbers."""

    message = Signal(str)

    def __init__(self, main_window: "MainWindow") -> None:
        super().__init__()
        self.main_window = main_window
        self.store = main_window.store
        from workbench.studies import PRESETS

        preset = PRESETS.get(STUDY_PRESET)
        question = QLabel(QCoreApplication.translate("Studies", preset.question))
        question.setWordWrap(True)
        self.study_seeds = QSpinBox()
        self.study_seeds.setRange(1, 10)
        self.study_seeds.setValue(preset.seeds)
        self.study_epochs = QSpinBox()
        self.study_epochs.setRange(1, 10_000)
        self.study_epochs.setValue(int(preset.base.get("epochs", 20)))
        self.study_button = QPushButton(self.tr("Run the study"))
        self.study_button.setObjectName("retrievalStudy")
        self.study_button.clicked.connect(lambda: self.run_study())
        self.compare_button = QPushButton(self.tr("Open in Compare"))
        self.compare_button.clicked.connect(self.open_study_compare)
        self.study_table = QTableWidget(0, 5)
        self.study_table.setObjectName("retrievalStudyTable")
        self.study_table.setHorizontalHeaderLabels([
            self.tr("Variant"), self.tr("Losses"), self.tr("mAP here (mean ± std, n)"),
            self.tr("Paper: Pascal Sentence"), self.tr("Paper: NUS-WIDE-10k")])
        self.study_table.verticalHeader().hide()
        self.study_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.study_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.study_note = QLabel()
        self.study_note.setWordWrap(True)
        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Seeds")))
        controls.addWidget(self.study_seeds)
        controls.addWidget(QLabel(self.tr("Epochs")))
        controls.addWidget(self.study_epochs)
        controls.addWidget(self.study_button)
        controls.addWidget(self.compare_button)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(controls)
        layout.addWidget(self.study_table, 1)
        layout.addWidget(self.study_note)
        self.refresh_study()

    def run_study(self, overrides: dict | None = None) -> list[int]:
        """Queue the preset through the window (Compare opens on it when the last run ends)."""
        from workbench.studies import PRESETS, plan_preset

        preset = PRESETS.get(STUDY_PRESET)
        values = {"epochs": self.study_epochs.value(), **(overrides or {})}
        try:
            planned = plan_preset(preset, seeds=self.study_seeds.value(), overrides=values)
        except ValueError as exc:
            self.message.emit(str(exc))
            return []
        ids = self.main_window.queue_study(planned, preset.factor)
        self.message.emit(self.tr("Queued %1 runs of the study").replace("%1", str(len(ids))))
        return ids

    def study_runs(self) -> list:
        """Runs of the latest "Does J2 matter?" study (any status)."""
        from workbench.studies import study_of

        by_study: dict[str, list] = {}
        for run in self.store.list_runs(task="retrieval"):
            study = study_of(run.tags)
            if study and study.startswith(STUDY_PRESET):
                by_study.setdefault(study, []).append(run)
        if not by_study:
            return []
        latest = max(by_study, key=lambda s: max(r.id for r in by_study[s]))
        return sorted(by_study[latest], key=lambda r: r.id)

    @Slot()
    def refresh_study(self) -> None:
        from engines.labs.retrieval.task import ABLATION
        from workbench.compare import mean_std
        from workbench.reference import reference_results

        runs = [r for r in self.study_runs() if r.status == "finished"]
        paper: dict[tuple[str, str], float] = {}
        for entry in reference_results():
            if entry.get("model") == "dscmr" and entry.get("metric") == "map_average":
                paper[(entry["dataset"], entry.get("losses", "j1+j2+j3"))] = float(entry["value"])
        self.study_rows = []
        self.study_table.setRowCount(len(ABLATION))
        for row, (label, losses) in enumerate(ABLATION):
            stat = mean_std(r.metrics.get("map_average") for r in runs if r.config.get("losses") == losses)
            if stat.mean is None:
                here = "–"
            elif stat.std is None:
                here = f"{stat.mean:.3f} (n={stat.n})"
            else:
                here = f"{stat.mean:.3f} ± {stat.std:.3f} (n={stat.n})"
            cells = [label, losses, here] + [f"{paper[(d, losses)]:.3f}" if (d, losses) in paper else "–"
                                             for d in ("pascal_sentence", "nus_wide_10k")]
            for col, text in enumerate(cells):
                self.study_table.setItem(row, col, QTableWidgetItem(text))
            self.study_rows.append({"variant": label, "losses": losses, "mean": stat.mean, "std": stat.std,
                                    "n": stat.n, "paper": paper.get(("pascal_sentence", losses))})
        data = {r.dataset for r in runs}
        self.study_note.setText(self.tr("Your runs: %1 finished run(s) on %2. The paper's numbers are on other data "
                                        "(VGG-19 / sentence-CNN features); compare the pattern — how much each "
                                        "term's removal costs — not the values.")
                                .replace("%1", str(len(runs))).replace("%2", ", ".join(sorted(data)) or "–"))

    @Slot()
    def open_study_compare(self) -> None:
        from workbench.studies import PRESETS

        runs = self.study_runs()
        if runs:
            self.main_window.open_compare([r.id for r in runs], group_by=PRESETS.get(STUDY_PRESET).factor)
