"""The Retrieval lab's *Does J2 matter?* tab: the loss-term ablation study.

Queues the study preset (five loss combinations × seeds); the table sets the mean ± std mAP of each
variant beside the paper's ablation row; the window's Compare view opens on the study. Before Start, a
line says how many runs that is and about how long they take here, from the seconds per epoch of the
user's own finished retrieval runs on the study's data (a stated rough guess while there are none).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
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
DEFAULT_SEEDS = 1  # one seed first (five runs, minutes); more seeds give the ± std
GUESS_SECONDS_PER_EPOCH = 2.2  # a 20-epoch DSCMR run on indian_pines_views took ~44 s on a quiet 2-core machine


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return QCoreApplication.translate("RetrievalStudyTab", "about %1 s").replace("%1", f"{seconds:.0f}")
    if seconds < 90 * 60:
        return QCoreApplication.translate("RetrievalStudyTab", "about %1 min").replace("%1", f"{seconds / 60:.0f}")
    return QCoreApplication.translate("RetrievalStudyTab", "about %1 h").replace("%1", f"{seconds / 3600:.1f}")


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
        self.study_seeds.setValue(DEFAULT_SEEDS)
        self.study_seeds.setToolTip(self.tr("Runs per variant with different seeds; two or more give the spread "
                                            "(± std) of each variant's mAP (the paper's protocol: %1)")
                                    .replace("%1", str(preset.seeds)))
        self.study_epochs = QSpinBox()
        self.study_epochs.setRange(1, 10_000)
        self.study_epochs.setValue(int(preset.base.get("epochs", 20)))
        self.estimate = QLabel()
        self.estimate.setObjectName("retrievalStudyEstimate")
        self.estimate.setWordWrap(True)
        self.study_seeds.valueChanged.connect(self.update_estimate)
        self.study_epochs.valueChanged.connect(self.update_estimate)
        self.study_button = QPushButton(self.tr("Run the study"))
        self.study_button.setObjectName("retrievalStudy")
        self.study_button.clicked.connect(lambda: self.run_study())
        self.compare_button = QPushButton(self.tr("Open in Compare"))
        self.compare_button.clicked.connect(self.open_study_compare)
        self.study_table = QTableWidget(0, 5)
        self.study_table.setObjectName("retrievalStudyTable")
        # Two-line headings: one line each is wider than the table on a laptop screen.
        self.study_table.setHorizontalHeaderLabels([
            self.tr("Variant"), self.tr("Losses"), self.tr("mAP here\n(mean ± std, n)"),
            self.tr("Paper:\nPascal Sentence"), self.tr("Paper:\nNUS-WIDE-10k")])
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
        layout.addWidget(self.estimate)
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
        self.update_estimate()
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

    def seconds_per_epoch(self) -> tuple[float, int]:
        """The median seconds per epoch of the user's finished retrieval runs on the study's data (installed
        models left out: they were trained elsewhere), and how many runs that is; the rough guess when none."""
        from workbench.pretrained import PRETRAINED_TAG
        from workbench.studies import PRESETS

        data = PRESETS.get(STUDY_PRESET).base.get("data")
        rates = []
        for run in self.store.list_runs(task="retrieval"):
            if run.status != "finished" or PRETRAINED_TAG in run.tags or run.epoch <= 0 or not run.seconds:
                continue
            if run.config.get("data") != data or run.config.get("data_options"):  # a crop or a subset is quicker
                continue
            rates.append(run.seconds / run.epoch)
        return (float(np.median(rates)), len(rates)) if rates else (GUESS_SECONDS_PER_EPOCH, 0)

    def planned_runs(self) -> int:
        from workbench.studies import PRESETS

        return len(PRESETS.get(STUDY_PRESET).values) * self.study_seeds.value()

    @Slot()
    def update_estimate(self) -> None:
        """"5 runs · 100 epochs · about 4 min on this machine (from your 2 finished runs: 2.2 s per epoch)"."""
        runs, epochs = self.planned_runs(), self.study_epochs.value()
        rate, measured = self.seconds_per_epoch()
        text = self.tr("%1 runs · %2 epochs in all · %3").replace("%1", str(runs)) \
            .replace("%2", str(runs * epochs)).replace("%3", duration_text(runs * epochs * rate))
        if measured:
            text += self.tr(" on this machine (your %1 finished run(s) on this data took %2 s per epoch)") \
                .replace("%1", str(measured)).replace("%2", f"{rate:.1f}")
        else:
            text += self.tr(" (a rough guess: %1 s per epoch, as on 2 CPU cores; once a retrieval run on the "
                            "whole data has finished here, its own time is used)").replace("%1", f"{rate:.1f}")
        self.estimate.setText(text)

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
        if runs:
            data = ", ".join(sorted({r.dataset for r in runs}))
            mine = self.tr("Finished runs of your latest study: %1, on %2.").replace("%1", str(len(runs))) \
                .replace("%2", data)
        else:
            mine = self.tr("No finished run of this study yet: “Run the study” trains the five variants.")
        self.study_note.setText(mine + " " + self.tr("The paper's numbers are on other data (VGG-19 / sentence-CNN "
                                                     "features); compare the pattern — how much each term's "
                                                     "removal costs — not the values."))
        self.update_estimate()

    @Slot()
    def open_study_compare(self) -> None:
        from workbench.studies import PRESETS

        runs = self.study_runs()
        if runs:
            self.main_window.open_compare([r.id for r in runs], group_by=PRESETS.get(STUDY_PRESET).factor)
