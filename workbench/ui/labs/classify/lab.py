"""Classification lab: model picker with its summary, training, per-class accuracy, an interactive
confusion matrix with an image gallery, the most-confident mistakes, and the SE channel-attention view.

The numbers come from :mod:`engines.labs.classify.analysis` and :mod:`engines.core.model_summary`;
this module only shows them. Evaluating a run over its test split runs in a lab-owned worker
thread (the project's one worker pattern); single-image excitations are quick and run inline.
"""
from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.shell.guide import GuidePane
from workbench.ui.shell.lab import Lab
from workbench.ui.shell.worker import LabJob

BAR_COLOUR = "#4e79a7"
CLASS_COLOURS = ("#f28e2b", "#4e79a7")
NO_RECIPE = QT_TRANSLATE_NOOP("ClassificationLab", "(form values)")
EPOCH_FILE = re.compile(r"epoch_(\d+)\.pt$")


def to_pixmap(image: np.ndarray, size: int = 64) -> QPixmap:
    """An H×W×3 uint8 array as a pixmap scaled for a gallery (nearest neighbour: keep the pixels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = image.shape[:2]
    qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation)


def epoch_checkpoints(checkpoint: str | None) -> dict[int, str]:
    """The per-epoch weight snapshots kept beside a run's ``last.pt`` (``keep_epoch_weights``)."""
    if not checkpoint:
        return {}
    found = {}
    for path in glob.glob(os.path.join(os.path.dirname(checkpoint), "epoch_*.pt")):
        match = EPOCH_FILE.search(path)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


# -- widgets ----------------------------------------------------------------------------------------
class ConfusionMatrixView(QTableWidget):
    """Counts with a heat colour; clicking a cell emits (true class, predicted class)."""

    cell_selected = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrix")
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip(self.tr("Rows: true class, columns: predicted class. Click a cell to see its images."))
        self.cellClicked.connect(lambda r, c: self.cell_selected.emit(r, c))
        self.matrix = np.zeros((0, 0), dtype=np.int64)

    def set_matrix(self, matrix: np.ndarray, class_names: list[str]) -> None:
        self.matrix = np.asarray(matrix)
        k = len(class_names)
        self.setRowCount(k)
        self.setColumnCount(k)
        self.setHorizontalHeaderLabels([f"→{n}" for n in class_names])
        self.setVerticalHeaderLabels(class_names)
        row_totals = np.maximum(self.matrix.sum(1, keepdims=True), 1)
        share = self.matrix / row_totals
        for r in range(k):
            for c in range(k):
                item = QTableWidgetItem(str(int(self.matrix[r, c])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                strength = float(share[r, c])
                base = QColor(89, 161, 79) if r == c else QColor(225, 87, 89)
                base.setAlphaF(min(1.0, 0.1 + 0.9 * strength) if self.matrix[r, c] else 0.0)
                item.setBackground(QBrush(base))
                self.setItem(r, c, item)


class BarChart(pg.PlotWidget):
    """Bars created once per data shape, then ``setOpts``; hovering shows the bar's label and value."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent=parent)
        self.setBackground(None)
        self.getPlotItem().setTitle(title)
        self.getPlotItem().setMenuEnabled(False)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8, brush=BAR_COLOUR)
        self.addItem(self.bars)
        self.hover = pg.TextItem(anchor=(0, 1), color="#202020", fill=pg.mkBrush(255, 255, 220, 230))
        self.hover.setZValue(10)
        self.hover.hide()
        self.addItem(self.hover, ignoreBounds=True)
        self.values = np.zeros(0)
        self.labels: list[str] = []
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    def set_bars(self, values, labels: list[str], *, y_range: tuple[float, float] | None = None) -> None:
        self.values = np.asarray(values, dtype=float)
        self.labels = list(labels)
        x = np.arange(len(self.values))
        self.bars.setOpts(x=x, height=self.values, width=0.8)
        if y_range is not None:
            self.setYRange(*y_range, padding=0.02)
        self.setXRange(-0.5, max(len(x), 1) - 0.5, padding=0.01)
        self.hover.hide()

    def bar_count(self) -> int:
        return len(self.values)

    def hover_text(self, index: int) -> str:
        return f"{self.labels[index]}: {self.values[index]:.4f}"

    def _on_mouse_moved(self, pos) -> None:
        if not len(self.values) or not self.sceneBoundingRect().contains(pos):
            self.hover.hide()
            return
        point = self.getPlotItem().vb.mapSceneToView(pos)
        index = int(round(point.x()))
        if 0 <= index < len(self.values):
            self.hover.setText(self.hover_text(index))
            self.hover.setPos(point.x(), point.y())
            self.hover.show()
        else:
            self.hover.hide()


class Gallery(QListWidget):
    """Thumbnails with captions; ``indices`` are the dataset positions shown, in order."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(64, 64))
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setMovement(QListWidget.Movement.Static)
        self.setWordWrap(True)
        self.setGridSize(QSize(132, 112))
        self.indices: list[int] = []

    def show_images(self, indices, images, captions) -> None:
        self.clear()
        self.indices = [int(i) for i in indices]
        for index, image, caption in zip(self.indices, images, captions):
            item = QListWidgetItem(QIcon(to_pixmap(image)), caption)
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setToolTip(caption)
            self.addItem(item)


# -- the lab ----------------------------------------------------------------------------------------
class ClassificationLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Classification")
    tasks = ("classify",)

    evaluation_ready = Signal()
    class_means_ready = Signal()
    excitations_changed = Signal()
    message = Signal(str)

    GALLERY_LIMIT = 64

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("classificationLab")
        self.setAcceptDrops(True)
        from engines.labs.classify.analysis import Cancelled

        self.job = LabJob(self, "classification", cancelled=(Cancelled,))
        self.job.result.connect(self._on_worker_done)
        self.job.error.connect(self._on_worker_failed)
        self._summaries: dict[tuple, Any] = {}
        self.evaluation = None
        self.test_set = None
        self.eval_run_id: int | None = None
        # Attention state
        self.se_run_id: int | None = None
        self.se_model = None
        self.se_checkpoint: str | None = None
        self.se_dataset = None  # DatasetSplits of the SE run
        self.dropped_input = None  # (tensor, display array, path)
        self.current_excitations: dict[str, np.ndarray] = {}
        self.class_means: dict[str, dict[int, np.ndarray]] = {}

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_models_tab(), self.tr("Models"))
        self.tabs.addTab(self._build_evaluation_tab(), self.tr("Evaluation"))
        self.attention_page = self._build_attention_tab()
        self.tabs.addTab(self.attention_page, self.tr("Attention"))
        self.tabs.addTab(GuidePane("classification"), self.tr("Guide"))
        self.status = QLabel()
        self.status.setObjectName("labStatus")
        self.status.setWordWrap(True)
        self.message.connect(self.status.setText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.runner.run_finished.connect(lambda *_: self.refresh_runs())
        self.tabs.currentChanged.connect(lambda _i: self._sync_se_run())
        self.refresh_runs()
        self.update_summary()

    # -- Models tab -------------------------------------------------------------------------
    def _build_models_tab(self) -> QWidget:
        from engines.core.data import dataset_names
        from engines.core.models import model_names
        from engines.labs.classify.recipes import recipe_names
        from engines.models.attention import ATTENTIONS

        self.model_box = QComboBox()
        self.model_box.setObjectName("labModel")
        for name in model_names(task="classify"):
            self.model_box.addItem(name, name)
        self.attention_box = QComboBox()
        self.attention_box.setObjectName("labAttention")
        for kind in ATTENTIONS:
            self.attention_box.addItem(kind, kind)
        self.width_box = QComboBox()
        for width in (1.0, 0.75, 0.5, 0.25):
            self.width_box.addItem(f"{width:g}", width)
        self.data_box = QComboBox()
        self.data_box.setObjectName("labData")
        for name in dataset_names(task="classify"):
            self.data_box.addItem(name, name)
        self.data_box.setCurrentIndex(max(0, self.data_box.findData("digits")))
        self.recipe_box = QComboBox()
        self.recipe_box.setObjectName("labRecipe")
        self.recipe_box.addItem(self.tr(NO_RECIPE), "")
        for name in recipe_names():
            self.recipe_box.addItem(name, name)
        self.epochs_box = QSpinBox()
        self.epochs_box.setRange(0, 10_000)
        self.epochs_box.setSpecialValueText(self.tr("recipe / default"))
        self.train_button = QPushButton(self.tr("Train"))
        self.train_button.setObjectName("labTrain")
        self.train_button.clicked.connect(self.train)
        for box in (self.model_box, self.attention_box, self.width_box):
            box.currentIndexChanged.connect(lambda _i: self.update_summary())
        self.recipe_box.currentIndexChanged.connect(self._show_recipe)

        form = QFormLayout()
        form.addRow(self.tr("Model"), self.model_box)
        form.addRow(self.tr("Attention"), self.attention_box)
        form.addRow(self.tr("Width multiplier"), self.width_box)
        form.addRow(self.tr("Dataset"), self.data_box)
        form.addRow(self.tr("Recipe"), self.recipe_box)
        form.addRow(self.tr("Epochs"), self.epochs_box)
        self.recipe_label = QLabel()
        self.recipe_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        left_layout.addWidget(self.recipe_label)
        left_layout.addWidget(self.train_button)
        left_layout.addStretch(1)

        self.summary_table = QTableWidget(0, 5)
        self.summary_table.setObjectName("summaryTable")
        self.summary_table.setHorizontalHeaderLabels(
            [self.tr("Layer"), self.tr("Type"), self.tr("Output"), self.tr("Params"), self.tr("FLOPs")])
        self.summary_table.verticalHeader().hide()
        self.summary_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary_table.horizontalHeader().setStretchLastSection(True)
        self.summary_table.verticalHeader().setDefaultSectionSize(22)
        self.summary_totals = QLabel()
        self.summary_totals.setObjectName("summaryTotals")
        self.summary_totals.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.summary_totals)
        right_layout.addWidget(self.summary_table, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        return splitter

    def _model_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        from engines.core.models import model_spec
        from engines.core.registry import keyword_options

        accepted = keyword_options(model_spec(self.model_box.currentData()).builder)
        attention = self.attention_box.currentData()
        if "attention" in accepted and attention != accepted["attention"].default:
            options["attention"] = attention
        width = self.width_box.currentData()
        if "width_mult" in accepted and width != 1.0:
            options["width_mult"] = width
        return options

    @Slot()
    def update_summary(self) -> None:
        from engines.core.model_summary import summarize_registered

        name = self.model_box.currentData()
        if not name:
            return
        options = self._model_options()
        key = (name, tuple(sorted(options.items())))
        try:
            summary = self._summaries.get(key) or summarize_registered(name, **options)
        except (ValueError, TypeError) as exc:
            self.summary_totals.setText(str(exc))
            return
        self._summaries[key] = summary
        self.summary = summary
        table = self.summary_table
        table.setRowCount(len(summary.rows))
        for row, layer in enumerate(summary.rows):
            cells = (layer.name, layer.kind, "×".join(map(str, layer.output_shape)), f"{layer.params:,}",
                     f"{layer.flops:,}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, col, item)
        text = self.tr("%1 parameters, %2 MFLOPs per 32×32 image").replace("%1", f"{summary.params:,}") \
            .replace("%2", f"{summary.flops / 1e6:.1f}")
        if summary.separable:
            ratios = [s.ratio for s in summary.separable]
            text += self.tr("; %1 depthwise-separable layers cost %2–%3 of a standard convolution "
                            "(1/N + 1/D_K²)").replace("%1", str(len(ratios))) \
                .replace("%2", f"{min(ratios):.3f}").replace("%3", f"{max(ratios):.3f}")
        self.summary_totals.setText(text)

    def _show_recipe(self) -> None:
        from engines.labs.classify.recipes import RECIPES

        name = self.recipe_box.currentData()
        self.recipe_label.setText(QCoreApplication.translate("Recipes", RECIPES[name].title) if name else "")

    def train_config(self):
        from engines.core.tasks import make_config
        from engines.labs.classify.recipes import recipe_values

        values: dict[str, Any] = {"model": self.model_box.currentData(), "data": self.data_box.currentData(),
                                  "keep_epoch_weights": True}
        recipe = self.recipe_box.currentData()
        if recipe:
            values.update(recipe_values(recipe))
        if self.epochs_box.value():
            values["epochs"] = self.epochs_box.value()
        values["model_options"] = self._model_options()
        return make_config("classify", **values).validate()

    @Slot()
    def train(self) -> int | None:
        try:
            config = self.train_config()
        except ValueError as exc:
            self.message.emit(str(exc))
            return None
        run_id = self.main_window.start_job(config)
        self.message.emit(self.tr("Run #%1 queued").replace("%1", str(run_id)))
        return run_id

    # -- runs -----------------------------------------------------------------------------------
    def classify_runs(self):
        return [r for r in self.store.list_runs(task="classify")
                if r.checkpoint and os.path.exists(r.checkpoint) and r.status not in ("running", "paused")]

    @Slot()
    def refresh_runs(self) -> None:
        runs = self.classify_runs()
        for box in (self.eval_run_box, self.se_run_box):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            for run in sorted(runs, key=lambda r: -r.id):
                box.addItem(f"#{run.id} {run.model} · {run.dataset}" + (f" — {run.name}" if run.name else ""),
                            run.id)
            index = box.findData(current)
            box.setCurrentIndex(index if index >= 0 else (0 if runs else -1))
            box.blockSignals(False)

    def select_se_run(self, run_id: int) -> bool:
        """Pick ``run_id`` in the attention view and load it."""
        index = self.se_run_box.findData(run_id)
        if index < 0:
            return False
        self.se_run_box.blockSignals(True)
        self.se_run_box.setCurrentIndex(index)
        self.se_run_box.blockSignals(False)
        return self.load_se_run(run_id)

    def _sync_se_run(self) -> None:
        # The attention view loads its run when it is shown, not on every refresh of the list.
        if self.tabs.currentWidget() is self.attention_page and self.se_run_box.currentData() != self.se_run_id:
            self.load_se_run(self.se_run_box.currentData())

    def show_runs(self, run_ids: list[int]) -> None:
        runs = set(self.eval_run_box.itemData(i) for i in range(self.eval_run_box.count()))
        for run_id in run_ids:
            if run_id in runs:
                self.eval_run_box.setCurrentIndex(self.eval_run_box.findData(run_id))
                self.se_run_box.blockSignals(True)
                self.se_run_box.setCurrentIndex(self.se_run_box.findData(run_id))
                self.se_run_box.blockSignals(False)
                self._sync_se_run()
                return

    # -- Evaluation tab ---------------------------------------------------------------------------
    def _build_evaluation_tab(self) -> QWidget:
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

        charts = QSplitter(Qt.Orientation.Vertical)
        charts.addWidget(self.per_class_chart)
        charts.addWidget(self.confusion)
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
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.accuracy_label)
        layout.addWidget(splitter, 1)
        return page

    def _run_inputs(self, run_id: int):
        """(checkpoint path, dataset name, data options) of a run — plain values for a worker."""
        from workbench.runner import with_data_folder

        run = self.store.get_run(run_id)
        options = with_data_folder(run.dataset, dict(run.config.get("data_options", {})))
        options.setdefault("seed", run.config.get("seed", 0))
        return run.checkpoint, run.dataset, options

    def evaluate_run(self, run_id: int | None) -> None:
        if run_id is None:
            self.message.emit(self.tr("No classification run with a checkpoint to evaluate"))
            return
        checkpoint, dataset, options = self._run_inputs(run_id)

        def job(should_stop, _progress):
            from engines.core.data import load_dataset
            from engines.labs.classify.analysis import evaluate_classifier
            from engines.models import load_trained_model

            splits = load_dataset(dataset, **options)
            model = load_trained_model(checkpoint)
            evaluation = evaluate_classifier(model, splits.test, class_names=splits.class_names,
                                             should_stop=should_stop)
            return run_id, evaluation, splits.test

        self.message.emit(self.tr("Evaluating run #%1…").replace("%1", str(run_id)))
        self.job.start("evaluate", job)

    def _show_evaluation(self, result) -> None:
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

    # -- Attention tab -----------------------------------------------------------------------------
    def _build_attention_tab(self) -> QWidget:
        self.se_run_box = QComboBox()
        self.se_run_box.setObjectName("seRun")
        self.se_run_box.currentIndexChanged.connect(lambda _i: self.load_se_run(self.se_run_box.currentData()))
        self.image_spin = QSpinBox()
        self.image_spin.setObjectName("imageIndex")
        self.image_spin.setPrefix(self.tr("test image #"))
        self.image_spin.valueChanged.connect(lambda _v: self._use_test_image())
        self.block_box = QComboBox()
        self.block_box.setObjectName("seBlock")
        self.block_box.currentIndexChanged.connect(lambda _i: self._update_bars())
        self.sort_box = QCheckBox(self.tr("Sort by weight"))
        self.sort_box.setObjectName("sortBars")
        self.sort_box.toggled.connect(lambda _on: self._update_bars())
        self.image_label = QLabel()
        self.image_label.setFixedSize(96, 96)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_caption = QLabel(self.tr("Drop an image file here to use it instead"))
        self.image_caption.setWordWrap(True)
        self.checkpoint_label = QLabel()
        self.checkpoint_label.setObjectName("seCheckpoint")
        self.bar_chart = BarChart(self.tr("Channel excitations"))
        self.bar_chart.setObjectName("excitationBars")
        self.bar_chart.setLabel("bottom", self.tr("channel"))
        self.bar_chart.setLabel("left", self.tr("excitation"))

        self.class_a = QComboBox()
        self.class_b = QComboBox()
        self.class_button = QPushButton(self.tr("Mean excitation per class"))
        self.class_button.setObjectName("classMeansButton")
        self.class_button.clicked.connect(self.compute_class_means)
        self.class_plots = []
        plots_row = QHBoxLayout()
        for stage in (self.tr("early"), self.tr("middle"), self.tr("late")):
            plot = pg.PlotWidget(title=stage)
            plot.setBackground(None)
            plot.addLegend(offset=(5, 5))
            curves = [plot.plot([], [], pen=pg.mkPen(c, width=1.5), name=self.tr("class %1").replace("%1", str(i)))
                      for i, c in enumerate(CLASS_COLOURS)]
            self.class_plots.append((plot, curves))
            plots_row.addWidget(plot)

        controls = QFormLayout()
        controls.addRow(self.tr("SE run"), self.se_run_box)
        controls.addRow(self.tr("Image"), self.image_spin)
        controls.addRow(self.tr("Block"), self.block_box)
        controls.addRow("", self.sort_box)
        left = QWidget()
        left.setMinimumWidth(300)
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(controls)
        left_layout.addWidget(self.image_label)
        left_layout.addWidget(self.image_caption)
        left_layout.addWidget(self.checkpoint_label)
        left_layout.addStretch(1)
        top = QSplitter()
        top.addWidget(left)
        top.addWidget(self.bar_chart)
        top.setStretchFactor(1, 1)
        class_box = QGroupBox(self.tr("Class specificity (SENet, Hu et al.): mean excitation of two classes"))
        class_layout = QVBoxLayout(class_box)
        pick = QHBoxLayout()
        pick.addWidget(self.class_a)
        pick.addWidget(self.class_b)
        pick.addWidget(self.class_button)
        pick.addStretch(1)
        class_layout.addLayout(pick)
        class_layout.addLayout(plots_row)
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(top)
        page.addWidget(class_box)
        return page

    def load_se_run(self, run_id: int | None, checkpoint: str | None = None) -> bool:
        """Load a run's model (``checkpoint``: a specific epoch snapshot) and show its excitations."""
        from engines.core.checkpoint import CheckpointError
        from engines.core.data import dataset_spec, load_dataset
        from engines.core.registry import keyword_options
        from engines.labs.classify.analysis import se_block_channels
        from engines.models import load_trained_model

        if run_id is None:
            return False
        run_checkpoint, dataset, options = self._run_inputs(run_id)
        checkpoint = checkpoint or run_checkpoint
        if "download" in keyword_options(dataset_spec(dataset).loader):
            options["download"] = False  # this runs on the GUI thread: a missing folder is a message, not a fetch
        try:
            model = load_trained_model(checkpoint)
            if self.se_run_id != run_id or self.se_dataset is None:
                self.se_dataset = load_dataset(dataset, **options)
        except (CheckpointError, ValueError, OSError) as exc:
            self.message.emit(str(exc))
            return False
        channels = se_block_channels(model)
        if not channels:
            self.se_model = None
            self.block_box.clear()
            self.bar_chart.set_bars([], [])
            self.message.emit(self.tr("Run #%1 has no squeeze-and-excitation blocks; train a model with "
                                      "attention se or scse").replace("%1", str(run_id)))
            return False
        new_run = self.se_run_id != run_id
        self.se_run_id, self.se_model, self.se_checkpoint = run_id, model, checkpoint
        self.checkpoint_label.setText(self.tr("weights: %1").replace("%1", os.path.basename(checkpoint)))
        if new_run or self.block_box.count() != len(channels):
            selected = self.block_box.currentIndex()
            self.block_box.blockSignals(True)
            self.block_box.clear()
            for name, count in channels.items():
                label = self.tr("%1 (%2 channels)").replace("%1", name).replace("%2", str(count))
                self.block_box.addItem(label, name)
            self.block_box.setCurrentIndex(selected if 0 <= selected < len(channels) else 0)
            self.block_box.blockSignals(False)
            self.image_spin.blockSignals(True)
            self.image_spin.setRange(0, max(0, len(self.se_dataset.test) - 1))
            self.image_spin.blockSignals(False)
            names = self.se_dataset.class_names
            for box, default in ((self.class_a, 0), (self.class_b, 1)):
                box.clear()
                for i, name in enumerate(names):
                    box.addItem(name, i)
                box.setCurrentIndex(min(default, len(names) - 1))
            self.dropped_input = None
            self.class_means = {}
        self._recompute_excitations()
        return True

    def _current_input(self):
        if self.dropped_input is not None:
            return self.dropped_input[0], self.dropped_input[1]
        from engines.labs.classify.analysis import display_images

        index = self.image_spin.value()
        test = self.se_dataset.test
        return test[index][0], display_images(test, [index])[0]

    def _use_test_image(self) -> None:
        self.dropped_input = None
        self._recompute_excitations()

    def _recompute_excitations(self) -> None:
        from engines.labs.classify.analysis import excitations

        if self.se_model is None:
            return
        x, shown = self._current_input()
        self.current_input = x
        self.image_label.setPixmap(to_pixmap(shown, 96))
        self.current_excitations = {k: v[0] for k, v in excitations(self.se_model, x.unsqueeze(0)).items()}
        self._update_bars()

    def _update_bars(self) -> None:
        block = self.block_box.currentData()
        if block is None or block not in self.current_excitations:
            return
        values = self.current_excitations[block]
        order = np.argsort(-values, kind="stable") if self.sort_box.isChecked() else np.arange(len(values))
        self.bar_order = order
        names = [self.tr("channel %1").replace("%1", str(i)) for i in order]
        self.bar_chart.set_bars(values[order], names, y_range=(0.0, 1.0))
        self.bar_chart.setLabel("bottom", self.tr("rank (sorted by weight; hover for the channel)")
                                if self.sort_box.isChecked() else self.tr("channel"))
        self.excitations_changed.emit()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.use_image_file(urls[0].toLocalFile())
            event.acceptProposedAction()

    def use_image_file(self, path: str) -> bool:
        """An image file (dropped on the panel) as the attention view's input; refusals are messages."""
        from engines.labs.classify.analysis import ImageInputError, load_input_image

        if self.se_model is None:
            self.message.emit(self.tr("Pick a trained SE run before dropping an image"))
            return False
        run = self.store.get_run(self.se_run_id)
        try:
            x, shown, notes = load_input_image(path, dataset=run.dataset, size=self.se_dataset.input_shape[-1])
        except ImageInputError as exc:
            self.message.emit(str(exc))
            return False
        self.dropped_input = (x, shown, path)
        self.image_caption.setText(Path(path).name + (" — " + "; ".join(notes) if notes else ""))
        self.message.emit(self.tr("Using %1").replace("%1", Path(path).name)
                          + (" (" + "; ".join(notes) + ")" if notes else ""))
        self._recompute_excitations()
        return True

    @Slot()
    def compute_class_means(self) -> None:
        if self.se_run_id is None or self.se_model is None:
            self.message.emit(self.tr("Pick a trained SE run first"))
            return
        checkpoint = self.se_checkpoint
        dataset, options = self._run_inputs(self.se_run_id)[1:]
        classes = [self.class_a.currentData(), self.class_b.currentData()]

        def job(should_stop, _progress):
            from engines.core.data import load_dataset
            from engines.labs.classify.analysis import class_mean_excitations
            from engines.models import load_trained_model

            model = load_trained_model(checkpoint)  # the worker's own copy: no sharing across threads
            test = load_dataset(dataset, **options).test
            return classes, class_mean_excitations(model, test, classes, should_stop=should_stop)

        self.job.start("class_means", job)

    def _show_class_means(self, result) -> None:
        classes, means = result
        self.class_means = means
        names = self.se_dataset.class_names if self.se_dataset else [str(c) for c in classes]
        for (plot, curves), block in zip(self.class_plots, means):
            plot.setTitle(block)
            for curve, cls in zip(curves, classes):
                values = means[block].get(cls)
                if values is None:
                    curve.setData([], [])
                    continue
                curve.setData(np.arange(len(values)), values)
                curve.opts["name"] = names[cls]
            legend = plot.getPlotItem().legend
            if legend is not None:
                legend.clear()
                for curve, cls in zip(curves, classes):
                    legend.addItem(curve, names[cls])
        self.class_means_ready.emit()

    def set_cursor(self, step: int) -> None:
        """Follow the scrubber: show the SE run's weights of the last epoch that ended at or before ``step``."""
        if self.se_run_id is None or self.se_model is None:
            return
        run = self.store.get_run(self.se_run_id)
        snapshots = epoch_checkpoints(run.checkpoint)
        if not snapshots:
            return  # the run kept only last.pt (keep_epoch_weights off)
        ends = {int(p.epoch): p.step for p in self.store.metrics(run.id, "test_accuracy")}
        candidates = [e for e in snapshots if ends.get(e, 10**12) <= step]
        path = snapshots[max(candidates)] if candidates else snapshots[min(snapshots)]
        if path != self.se_checkpoint:
            self.load_se_run(run.id, path)

    # -- worker results -----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot(str, object)
    def _on_worker_done(self, kind: str, result) -> None:
        if kind == "evaluate":
            self._show_evaluation(result)
        elif kind == "class_means":
            self._show_class_means(result)

    @Slot(str, str)
    def _on_worker_failed(self, kind: str, message: str) -> None:
        self.message.emit(self.tr("%1 failed: %2").replace("%1", kind).replace("%2", message))

    def shutdown(self) -> None:
        self.job.shutdown()
