"""The Classification lab's *Evaluation* tab: a run's per-class accuracy, its confusion matrix with a gallery
of the images of the clicked cell, and its most-confident mistakes.

The numbers come from :mod:`engines.labs.classify.analysis`; evaluating a run over its test split runs in
the lab's worker job, which the lab hands to this tab.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from workbench.ui.labs.classify.widgets import (
    BarChart,
    ConfusionMatrixView,
    Gallery,
    fill_run_box,
    load_classifier,
    run_inputs,
)

if TYPE_CHECKING:
    from workbench.store import RunStore
    from workbench.ui.shell.worker import LabJob


class ClassificationEvaluationTab(QWidget):
    """Evaluates the chosen run on its test split (in the lab's job) and shows where it goes wrong."""

    evaluation_ready = Signal()
    message = Signal(str)

    GALLERY_LIMIT = 64

    def __init__(self, store: "RunStore", job: "LabJob") -> None:
        super().__init__()
        self.store = store
        self.job = job
        self.evaluation = None
        self.test_set = None
        self.eval_run_id: int | None = None

        self.eval_run_box = QComboBox()
        self.eval_run_box.setObjectName("evalRun")
        self.evaluate_button = QPushButton(self.tr("Evaluate on the test split"))
        self.evaluate_button.setObjectName("evaluateButton")
        self.evaluate_button.clicked.connect(lambda: self.evaluate_run(self.eval_run_box.currentData()))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Run")))
        top.addWidget(self.eval_run_box, 1)
        top.addWidget(self.evaluate_button)
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("accuracyLabel")
        self.per_class_chart = BarChart(self.tr("Accuracy per class"))
        self.per_class_chart.setObjectName("perClassAccuracy")
        self.confusion = ConfusionMatrixView()
        self.confusion.cell_selected.connect(self.show_cell)
        self.gallery_label = QLabel(self.tr("Click a cell of the confusion matrix"))
        self.gallery = Gallery("cellGallery")
        self.mistakes = Gallery("mistakesGallery")

        self.confusion_title = QLabel(self.tr("<b>Confusion matrix</b> · rows: true class · columns (→): "
                                              "predicted class · click a cell for its images"))
        self.confusion_title.setObjectName("confusionTitle")
        self.confusion_title.setWordWrap(True)
        matrix_box = QWidget()
        matrix_layout = QVBoxLayout(matrix_box)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        matrix_layout.addWidget(self.confusion_title)
        matrix_layout.addWidget(self.confusion, 1)
        charts = QSplitter(Qt.Orientation.Vertical)
        charts.addWidget(self.per_class_chart)
        charts.addWidget(matrix_box)
        charts.setSizes([150, 300])
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.gallery_label)
        side_layout.addWidget(self.gallery, 1)
        side_layout.addWidget(QLabel(self.tr("Most-confident mistakes")))
        side_layout.addWidget(self.mistakes, 1)
        splitter = QSplitter()
        splitter.addWidget(charts)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.accuracy_label)
        layout.addWidget(splitter, 1)

    # -- runs -------------------------------------------------------------------------------------------
    def set_runs(self, runs) -> None:
        """The runs offered for evaluation (the selected one stays selected)."""
        fill_run_box(self.eval_run_box, runs)

    def offers(self, run_id: int) -> bool:
        return self.eval_run_box.findData(run_id) >= 0

    def select_run(self, run_id: int) -> None:
        self.eval_run_box.setCurrentIndex(self.eval_run_box.findData(run_id))

    # -- evaluation -------------------------------------------------------------------------------------
    def evaluate_run(self, run_id: int | None) -> None:
        if run_id is None:
            self.message.emit(self.tr("No classification run with a checkpoint to evaluate"))
            return
        checkpoint, dataset, options = run_inputs(self.store, run_id)

        def job(should_stop, _progress):
            from engines.core.data import load_dataset
            from engines.labs.classify.analysis import evaluate_classifier

            model = load_classifier(checkpoint)  # before the data: a wrong file is named at once
            splits = load_dataset(dataset, **options)
            evaluation = evaluate_classifier(model, splits.test, class_names=splits.class_names,
                                             should_stop=should_stop)
            return run_id, evaluation, splits.test

        self.message.emit(self.tr("Evaluating run #%1…").replace("%1", str(run_id)))
        self.job.start("evaluate", job)

    def show_evaluation(self, result) -> None:
        """The worker's ``(run id, evaluation, test split)``."""
        from engines.labs.classify.analysis import display_images

        self.eval_run_id, self.evaluation, self.test_set = result
        ev = self.evaluation
        self.accuracy_label.setText(self.tr("Run #%1: test accuracy %2 on %3 images")
                                    .replace("%1", str(self.eval_run_id)).replace("%2", f"{ev.accuracy:.4f}")
                                    .replace("%3", str(len(ev.labels))))
        per_class = np.nan_to_num(ev.per_class_accuracy())
        self.per_class_chart.set_bars(per_class, ev.class_names, y_range=(0.0, 1.0))
        self.confusion.set_matrix(ev.confusion, ev.class_names)
        self.gallery.show_images([], [], [])
        mistakes = ev.most_confident_mistakes(16)
        captions = [self._caption(i) for i in mistakes]
        self.mistakes.show_images(ev.indices[mistakes], display_images(self.test_set, ev.indices[mistakes]),
                                  captions)
        self.message.emit(self.tr("Run #%1 evaluated").replace("%1", str(self.eval_run_id)))
        self.evaluation_ready.emit()

    def _caption(self, row: int) -> str:
        ev = self.evaluation
        pred, true = int(ev.preds[row]), int(ev.labels[row])
        names = ev.class_names
        text = f"{names[pred]} {ev.probs[row, pred]:.2f}"
        if pred != true:
            text += "\n" + self.tr("(true %1 %2)").replace("%1", names[true]) \
                .replace("%2", f"{ev.probs[row, true]:.2f}")
        return text

    @Slot(int, int)
    def show_cell(self, true_class: int, predicted: int) -> None:
        from engines.labs.classify.analysis import display_images

        ev = self.evaluation
        if ev is None:
            return
        rows = ev.cell(true_class, predicted)
        shown = rows[: self.GALLERY_LIMIT]
        self.gallery.show_images(ev.indices[shown], display_images(self.test_set, ev.indices[shown]),
                                 [self._caption(r) for r in shown])
        names = ev.class_names
        more = self.tr(" (first %1)").replace("%1", str(len(shown))) if len(rows) > len(shown) else ""
        self.gallery_label.setText(self.tr("True %1, predicted %2: %3 image(s)%4")
                                   .replace("%1", names[true_class]).replace("%2", names[predicted])
                                   .replace("%3", str(len(rows))).replace("%4", more))
