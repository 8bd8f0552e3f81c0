"""Retrieval lab (DSCMR): train, watch each loss term, browse rankings, see the common space, ablate J2.

- *Train* queues a run through the window's runner (recorded like every other run); the loss-term plot shows
  the selected run's J1, J2 and J3 (unweighted epoch means) and its mAP, and follows a run in flight.
- *Browser*: pick a query of one modality; the other modality's test items are listed most similar first,
  with their class, a same-class mark and the cosine similarity; spectra are drawn as curves, patches and
  images as thumbnails, captions as text.
- *Common space*: both modalities' test embeddings projected to 2-D (PCA; t-SNE on request), coloured by
  class, one marker per modality, before and after training.
- *Does J2 matter?*: queues the study preset (five loss combinations × seeds); the table sets the mean ±
  std mAP of each variant beside the paper's ablation row; the window's Compare view opens on the study.

The numbers come from :mod:`engines.labs.retrieval.task` (in a lab-owned worker thread); this module shows them.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
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
from workbench.ui.shell.runs_model import status_text
from workbench.ui.shell.worker import LabJob

TERM_COLOURS = {"j1_loss": "#4e79a7", "j2_loss": "#f28e2b", "j3_loss": "#59a14f", "map_average": "#e15759"}
MATCH, MISMATCH = "✓", "✗"
STUDY_PRESET = "dscmr-j2"
SYMBOLS = ("o", "t")  # modality A, modality B
DATA_CHOICES = ("indian_pines_views", "pascal_sentence", "wikipedia", "nus_wide_10k", "xmedianet", "dscmr_mat",
                "image_text")


def class_colour(index: int) -> QColor:
    return pg.intColor(int(index), hues=16, values=1, maxValue=230)


def array_pixmap(image: np.ndarray, size: int = 48) -> QPixmap:
    """A 2-D array as a grey thumbnail (min–max scaled; nearest neighbour keeps the pixels)."""
    image = np.asarray(image, dtype=np.float64)
    low, high = float(image.min()), float(image.max())
    grey = np.zeros(image.shape, np.uint8) if high <= low else ((image - low) / (high - low) * 255).astype(np.uint8)
    grey = np.ascontiguousarray(grey)
    h, w = grey.shape
    qimage = QImage(grey.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation)


def _analyse_run(config_values: dict, checkpoint: str | None, method: str, should_stop) -> dict:
    from engines.labs.retrieval.task import analyse, common_space_2d, config_from_values

    analysis = analyse(config_from_values(config_values), checkpoint, should_stop=should_stop)
    return {"analysis": analysis, "projection": common_space_2d(analysis, method=method)}


class RetrievalLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Retrieval")
    tasks = ("retrieval",)

    analysis_ready = Signal()  # the browser and the embedding show the current run
    message = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("retrievalLab")
        self.run_id: int | None = None
        self.analysis = None
        self.projection: dict | None = None
        self.job = LabJob(self, "retrieval", cancelled=(InterruptedError,))
        self.job.result.connect(self._on_worker_done)
        self.job.error.connect(self._on_worker_failed)
        self._curve_data: dict[str, list[tuple[float, float]]] = {}

        self.run_box = QComboBox()
        self.run_box.setObjectName("retrievalRun")
        self.run_box.currentIndexChanged.connect(lambda _i: self.load_run(self.run_box.currentData()))
        self.features_label = QLabel(self.tr("Features: –"))
        self.features_label.setObjectName("retrievalFeatures")
        self.features_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Run")))
        top.addWidget(self.run_box, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_train_tab(), self.tr("Train · loss terms"))
        self.tabs.addTab(self._build_browser_tab(), self.tr("Browser"))
        self.tabs.addTab(self._build_embedding_tab(), self.tr("Common space"))
        self.tabs.addTab(self._build_study_tab(), self.tr("Does J2 matter?"))
        self.tabs.addTab(GuidePane("retrieval"), self.tr("Guide"))
        self.status = QLabel()
        self.status.setObjectName("retrievalStatus")
        self.status.setWordWrap(True)
        self.message.connect(self.status.setText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.features_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.runner.run_finished.connect(self._on_run_finished)
        self.runner.epoch_done.connect(self._on_epoch_done)
        self.refresh_runs()
        self.refresh_study()

    # -- Train tab: form and the per-term curves ---------------------------------------------------------
    def _build_train_tab(self) -> QWidget:
        self.data_box = QComboBox()
        self.data_box.setObjectName("retrievalData")
        for name in DATA_CHOICES:
            self.data_box.addItem(name, name)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(self.tr("feature folder (.mat files) or image folder"))
        self.captions_edit = QLineEdit()
        self.captions_edit.setPlaceholderText(self.tr("captions file (image, caption[, label]); default "
                                                      "captions.tsv in the image folder"))
        self.weights_edit = QLineEdit()
        self.weights_edit.setPlaceholderText(self.tr("local backbone weights (.pth); nothing is downloaded"))
        self.backbone_box = QComboBox()
        from engines.labs.retrieval.data import BACKBONES

        for name in BACKBONES:
            self.backbone_box.addItem(name, name)
        self.term_boxes = {}
        terms = QHBoxLayout()
        for term, text in (("j1", self.tr("J1 label space")), ("j2", self.tr("J2 common space")),
                           ("j3", self.tr("J3 invariance"))):
            box = QCheckBox(text)
            box.setObjectName(f"retrieval_{term}")
            box.setChecked(True)
            self.term_boxes[term] = box
            terms.addWidget(box)
        self.epochs_box = QSpinBox()
        self.epochs_box.setObjectName("retrievalEpochs")
        self.epochs_box.setRange(1, 10_000)
        self.epochs_box.setValue(20)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 1_000_000)
        self.train_button = QPushButton(self.tr("Train"))
        self.train_button.setObjectName("retrievalTrain")
        self.train_button.clicked.connect(self.train)
        self.data_box.currentIndexChanged.connect(self._on_data_changed)

        form = QFormLayout()
        form.addRow(self.tr("Features"), self.data_box)
        form.addRow(self.tr("Folder"), self._with_browse(self.path_edit, folder=True))
        form.addRow(self.tr("Captions"), self._with_browse(self.captions_edit, folder=False))
        form.addRow(self.tr("Backbone"), self.backbone_box)
        form.addRow(self.tr("Weights"), self._with_browse(self.weights_edit, folder=False))
        form.addRow(self.tr("Loss terms"), terms)
        form.addRow(self.tr("Epochs"), self.epochs_box)
        form.addRow(self.tr("Seed"), self.seed_box)
        form.addRow(self.train_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(form)
        self.data_help = QLabel()
        self.data_help.setWordWrap(True)
        left_layout.addWidget(self.data_help)
        left_layout.addStretch(1)

        self.term_plot = pg.PlotWidget()
        self.term_plot.setObjectName("termPlot")
        self.term_plot.setBackground(None)
        self.term_plot.getPlotItem().setTitle(self.tr("Loss terms per epoch (unweighted training means)"))
        self.term_plot.addLegend(offset=(-10, 10))
        self.term_curves = {
            name: self.term_plot.plot([], [], name=label, pen=pg.mkPen(TERM_COLOURS[name], width=2), symbol="o",
                                      symbolSize=4, symbolBrush=TERM_COLOURS[name])
            for name, label in (("j1_loss", "J1"), ("j2_loss", "J2"), ("j3_loss", "J3"))}
        self.map_plot = pg.PlotWidget()
        self.map_plot.setObjectName("mapPlot")
        self.map_plot.setBackground(None)
        self.map_plot.getPlotItem().setTitle(self.tr("Test mAP (average of both directions)"))
        self.map_plot.setXLink(self.term_plot)
        self.term_curves["map_average"] = self.map_plot.plot(
            [], [], pen=pg.mkPen(TERM_COLOURS["map_average"], width=2), symbol="o", symbolSize=4,
            symbolBrush=TERM_COLOURS["map_average"])
        plots = QSplitter(Qt.Orientation.Vertical)
        plots.addWidget(self.term_plot)
        plots.addWidget(self.map_plot)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(plots)
        splitter.setStretchFactor(1, 1)
        self._on_data_changed()
        return splitter

    def _with_browse(self, edit: QLineEdit, *, folder: bool) -> QWidget:
        button = QPushButton("…")  # a browse button: the ellipsis is the whole label
        button.setMaximumWidth(32)

        def browse() -> None:
            if self.main_window.property("suppress_dialogs"):
                return
            path = (QFileDialog.getExistingDirectory(self, self.tr("Choose a folder")) if folder
                    else QFileDialog.getOpenFileName(self, self.tr("Choose a file"))[0])
            if path:
                edit.setText(path)

        button.clicked.connect(browse)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        row.addWidget(button)
        return holder

    @Slot()
    def _on_data_changed(self) -> None:
        name = self.data_box.currentData()
        needs_path = name != "indian_pines_views"
        images = name == "image_text"
        self.path_edit.setEnabled(needs_path)
        for widget in (self.captions_edit, self.weights_edit, self.backbone_box):
            widget.setEnabled(images)
        texts = {
            "indian_pines_views": self.tr("Offline two-view benchmark from the real Indian Pines scene: A = a "
                                          "pixel's spectrum, B = the PCA patch around it; 16 classes."),
            "image_text": self.tr("Your images (torchvision backbone, weights from a local file) and captions "
                                  "(TF-IDF bag of words)."),
            "dscmr_mat": self.tr("A folder of DSCMR feature files (train_img.mat, train_txt.mat, "
                                 "train_img_lab.mat, test_*)."),
        }
        self.data_help.setText(texts.get(name, self.tr("The authors' precomputed features (DSCMR .mat files) in "
                                                       "the folder, or in the workbench data folder.")))

    def losses(self) -> str:
        return "+".join(t for t, box in self.term_boxes.items() if box.isChecked())

    def train_config(self):
        from engines.core.tasks import make_config

        data = self.data_box.currentData()
        options: dict[str, Any] = {}
        if data != "indian_pines_views" and self.path_edit.text().strip():
            options["path"] = self.path_edit.text().strip()
        if data == "image_text":
            options["backbone"] = self.backbone_box.currentData()
            for key, edit in (("captions", self.captions_edit), ("weights", self.weights_edit)):
                if edit.text().strip():
                    options[key] = edit.text().strip()
        return make_config("retrieval", data=data, data_options=options, losses=self.losses(),
                           epochs=self.epochs_box.value(), seed=self.seed_box.value()).validate()

    @Slot()
    def train(self) -> int | None:
        try:
            config = self.train_config()
        except ValueError as exc:
            self.message.emit(str(exc))
            return None
        run_id = self.main_window.start_job(config)
        self.message.emit(self.tr("Run #%1 queued").replace("%1", str(run_id)))
        self._select_run(run_id, load=False)
        self._show_curves(run_id)
        return run_id

    def _show_curves(self, run_id: int | None) -> None:
        self._curve_data = {name: [] for name in self.term_curves}
        if run_id is not None:
            for name in self.term_curves:
                self._curve_data[name] = [(p.epoch, p.value) for p in self.store.metrics(run_id, name)]
        self._redraw_curves()

    def _redraw_curves(self) -> None:
        for name, item in self.term_curves.items():
            points = self._curve_data.get(name, [])
            item.setData([p[0] for p in points], [p[1] for p in points])

    def curve_values(self, name: str) -> list[float]:
        return [p[1] for p in self._curve_data.get(name, [])]

    @Slot(int, int, dict)
    def _on_epoch_done(self, run_id: int, epoch: int, metrics: dict) -> None:
        if run_id != self.run_id:
            return
        for name in self.term_curves:
            if name in metrics:
                self._curve_data.setdefault(name, []).append((float(epoch), float(metrics[name])))
        self._redraw_curves()

    # -- runs -------------------------------------------------------------------------------------------
    def retrieval_runs(self):
        return [r for r in self.store.list_runs(task="retrieval")]

    @Slot()
    def refresh_runs(self) -> None:
        current = self.run_box.currentData()
        self.run_box.blockSignals(True)
        self.run_box.clear()
        for run in sorted(self.retrieval_runs(), key=lambda r: -r.id):
            losses = run.config.get("losses", "")
            self.run_box.addItem(f"#{run.id} {run.model} · {run.dataset} · {losses} · {run.status}"
                                 + (f" — {run.name}" if run.name else ""), run.id)
        index = self.run_box.findData(current)
        self.run_box.setCurrentIndex(index if index >= 0 else -1)
        self.run_box.blockSignals(False)

    def _select_run(self, run_id: int, *, load: bool = True) -> bool:
        self.refresh_runs()
        index = self.run_box.findData(run_id)
        if index < 0:
            return False
        self.run_box.blockSignals(True)
        self.run_box.setCurrentIndex(index)
        self.run_box.blockSignals(False)
        self.run_id = run_id
        if load:
            self.load_run(run_id)
        return True

    def show_runs(self, run_ids: list[int]) -> None:
        for run_id in run_ids:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if run.task == "retrieval":
                self._select_run(run_id)
                return

    @Slot(int, str, dict)
    def _on_run_finished(self, run_id: int, status: str, outcome: dict) -> None:
        self.refresh_runs()
        self.refresh_study()
        if run_id == self.run_id and status == "finished":
            self.load_run(run_id)

    def load_run(self, run_id: int | None, *, method: str | None = None) -> None:
        """Show the run's curves and start its analysis (embeddings before/after, projection) in the worker."""
        if run_id is None:
            return
        self.run_id = run_id
        self._show_curves(run_id)
        run = self.store.get_run(run_id)
        if run.status in ("running", "paused", "queued"):
            self.message.emit(self.tr("Run #%1 is %2; its browser opens when it finishes")
                              .replace("%1", str(run_id)).replace("%2", status_text(run.status)))
            return
        checkpoint = run.checkpoint if run.checkpoint and os.path.exists(run.checkpoint) else None
        if checkpoint is None:
            self.message.emit(self.tr("Run #%1 has no checkpoint; showing the untrained network")
                              .replace("%1", str(run_id)))
        values, chosen = dict(run.config), method or self.method_box.currentData()
        self.message.emit(self.tr("Embedding the test split of run #%1…").replace("%1", str(run_id)))
        self.job.start("analysis", lambda should_stop, _progress: _analyse_run(values, checkpoint, chosen,
                                                                                should_stop))

    # -- worker results -------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot(str, object)
    def _on_worker_done(self, _kind: str, result: dict) -> None:
        self.analysis, self.projection = result["analysis"], result["projection"]
        pair = self.analysis.pair
        self.features_label.setText(self.tr("Features in use: %1").replace("%1", pair.description))
        scores = self.analysis.scores
        a, b = pair.modalities
        self.message.emit(self.tr("Run #%1: mAP %2→%3 %4, %3→%2 %5, average %6 (untrained: %7)")
                          .replace("%1", str(self.run_id)).replace("%2", a).replace("%3", b)
                          .replace("%4", f"{scores['map_a2b']:.3f}").replace("%5", f"{scores['map_b2a']:.3f}")
                          .replace("%6", f"{scores['map_average']:.3f}")
                          .replace("%7", f"{self.analysis.scores_before['map_average']:.3f}"))
        self._fill_browser()
        self._show_projection()
        self._show_pr_curves()
        self.analysis_ready.emit()

    @Slot(str, str)
    def _on_worker_failed(self, _kind: str, message: str) -> None:
        self.message.emit(self.tr("Analysis failed: %1").replace("%1", message))

    def shutdown(self) -> None:
        self.job.shutdown()

    # -- Browser tab --------------------------------------------------------------------------------------
    def _build_browser_tab(self) -> QWidget:
        self.direction_box = QComboBox()
        self.direction_box.setObjectName("retrievalDirection")
        self.direction_box.addItem("A → B", 0)
        self.direction_box.addItem("B → A", 1)
        self.direction_box.currentIndexChanged.connect(lambda _i: self._fill_queries())
        self.class_filter = QComboBox()
        self.class_filter.setObjectName("retrievalClassFilter")
        self.class_filter.currentIndexChanged.connect(lambda _i: self._fill_queries())
        self.query_list = QListWidget()
        self.query_list.setObjectName("retrievalQueries")
        self.query_list.setIconSize(QSize(32, 32))
        self.query_list.currentItemChanged.connect(lambda item, _prev: self.choose_query(
            item.data(Qt.ItemDataRole.UserRole) if item is not None else None))
        self.top_box = QSpinBox()
        self.top_box.setObjectName("retrievalTop")
        self.top_box.setRange(1, 500)
        self.top_box.setValue(20)
        self.top_box.valueChanged.connect(lambda _v: self._show_query())
        self.k_box = QSpinBox()
        self.k_box.setObjectName("retrievalK")
        self.k_box.setRange(1, 500)
        self.k_box.setValue(10)
        self.k_box.valueChanged.connect(lambda _v: self._show_query())
        self.precision_label = QLabel()
        self.precision_label.setObjectName("retrievalPrecision")
        self.precision_label.setWordWrap(True)

        self.results = QTableWidget(0, 5)
        self.results.setObjectName("retrievalResults")
        self.results.setHorizontalHeaderLabels([self.tr("Rank"), self.tr("Item"), self.tr("Class"),
                                                self.tr("Same class"), self.tr("Similarity")])
        self.results.verticalHeader().hide()
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setIconSize(QSize(40, 40))
        self.results.verticalHeader().setDefaultSectionSize(44)
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setStretchLastSection(True)
        self.query_view = QLabel()
        self.query_view.setObjectName("retrievalQueryView")
        self.query_view.setWordWrap(True)
        self.query_view.setMinimumHeight(60)
        self.spectrum_plot = pg.PlotWidget()
        self.spectrum_plot.setObjectName("retrievalSpectra")
        self.spectrum_plot.setBackground(None)
        self.spectrum_plot.getPlotItem().setTitle(self.tr("Spectra: query (thick) and top results"))
        self.spectrum_curves = [self.spectrum_plot.plot([], []) for _ in range(6)]
        self.pr_plot = pg.PlotWidget()
        self.pr_plot.setObjectName("retrievalPR")
        self.pr_plot.setBackground(None)
        self.pr_plot.getPlotItem().setTitle(self.tr("Precision–recall (test split)"))
        self.pr_plot.setLabel("bottom", self.tr("recall"))
        self.pr_plot.setLabel("left", self.tr("precision"))
        self.pr_plot.addLegend(offset=(-10, 10))
        self.pr_curves = {d: self.pr_plot.plot([], [], name=d, pen=pg.mkPen(c, width=2))
                          for d, c in (("A → B", "#4e79a7"), ("B → A", "#f28e2b"))}

        controls = QFormLayout()
        controls.addRow(self.tr("Direction"), self.direction_box)
        controls.addRow(self.tr("Queries of class"), self.class_filter)
        controls.addRow(self.tr("Show top"), self.top_box)
        controls.addRow(self.tr("Precision at k"), self.k_box)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(controls)
        left_layout.addWidget(self.query_list, 1)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.addWidget(self.query_view)
        middle_layout.addWidget(self.precision_label)
        middle_layout.addWidget(self.results, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.spectrum_plot)
        right.addWidget(self.pr_plot)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 1)
        return splitter

    def _fill_browser(self) -> None:
        pair = self.analysis.pair
        a, b = pair.modalities
        self.direction_box.blockSignals(True)
        self.direction_box.setItemText(0, f"{a} → {b}")
        self.direction_box.setItemText(1, f"{b} → {a}")
        self.direction_box.blockSignals(False)
        self.class_filter.blockSignals(True)
        self.class_filter.clear()
        self.class_filter.addItem(self.tr("all classes"), -1)
        for i, name in enumerate(pair.class_names):
            self.class_filter.addItem(name, i)
        self.class_filter.blockSignals(False)
        self._fill_queries()

    def query_modality(self) -> int:
        return int(self.direction_box.currentData())

    def _fill_queries(self) -> None:
        self.query_list.blockSignals(True)
        self.query_list.clear()
        if self.analysis is not None:
            pair = self.analysis.pair
            modality = self.query_modality()
            wanted = self.class_filter.currentData()
            shown = 0
            for index, label in enumerate(pair.test_labels):
                if wanted not in (None, -1) and label != wanted:
                    continue
                item = QListWidgetItem(f"#{index} · {pair.class_names[label]}")
                item.setData(Qt.ItemDataRole.UserRole, index)
                if shown < 300:  # icons for the first rows only: the list may hold thousands of items
                    icon = self._icon(modality, index)
                    if icon is not None:
                        item.setIcon(icon)
                self.query_list.addItem(item)
                shown += 1
        self.query_list.blockSignals(False)
        self._query = None
        self.results.setRowCount(0)

    def _icon(self, modality: int, index: int) -> QIcon | None:
        pair = self.analysis.pair
        kind = pair.kinds[modality]
        shown = pair.display_a if modality == 0 else pair.display_b
        if kind == "patch":
            return QIcon(array_pixmap(shown[index]))
        if kind == "image":
            pixmap = QPixmap(shown[index])
            return None if pixmap.isNull() else QIcon(pixmap.scaled(48, 48, Qt.AspectRatioMode.KeepAspectRatio))
        return None

    def _item_text(self, modality: int, index: int) -> str:
        pair = self.analysis.pair
        shown = pair.display_a if modality == 0 else pair.display_b
        if pair.kinds[modality] == "text":
            return str(shown[index])
        if pair.kinds[modality] == "image":
            return f"#{index} {os.path.basename(str(shown[index]))}"
        return f"#{index} {pair.modalities[modality]}"

    def choose_query(self, index: int | None) -> None:
        """Rank the other modality's test items for the query ``index`` of the chosen direction."""
        self._query = index
        self._show_query()

    def _show_query(self) -> None:
        index = getattr(self, "_query", None)
        if self.analysis is None or index is None:
            return
        pair = self.analysis.pair
        modality = self.query_modality()
        other = 1 - modality
        order, sims, same = self.analysis.ranking(modality, index, top=max(self.top_box.value(), self.k_box.value()))
        top = self.top_box.value()
        self.results.setRowCount(min(top, len(order)))
        for row, (item_index, sim, match) in enumerate(zip(order[:top], sims[:top], same[:top])):
            label = pair.test_labels[item_index]
            cells = [QTableWidgetItem(str(row + 1)), QTableWidgetItem(self._item_text(other, item_index)),
                     QTableWidgetItem(pair.class_names[label]), QTableWidgetItem(MATCH if match else MISMATCH),
                     QTableWidgetItem(f"{sim:.4f}")]
            cells[1].setData(Qt.ItemDataRole.UserRole, int(item_index))
            icon = self._icon(other, item_index)
            if icon is not None:
                cells[1].setIcon(icon)
            cells[3].setForeground(QColor("#2e7d32" if match else "#c62828"))
            cells[4].setData(Qt.ItemDataRole.UserRole, float(sim))
            for col, cell in enumerate(cells):
                if col in (0, 4):
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.results.setItem(row, col, cell)
        k = min(self.k_box.value(), len(order))
        hits = int(same[:k].sum())
        self.precision_label.setText(self.tr("Precision@%1 of this query: %2 (%3 of the top %1 share its class "
                                             "%4)").replace("%1", str(k)).replace("%2", f"{hits / k:.3f}")
                                     .replace("%3", str(hits)).replace("%4", pair.class_names[pair.test_labels[index]]))
        self._show_query_item(modality, index)
        self._show_spectra(modality, index, order)

    def _show_query_item(self, modality: int, index: int) -> None:
        pair = self.analysis.pair
        kind = pair.kinds[modality]
        text = self.tr("Query %1 · class %2").replace("%1", self._item_text(modality, index)) \
            .replace("%2", pair.class_names[pair.test_labels[index]])
        icon = self._icon(modality, index)
        if icon is not None and kind != "text":
            self.query_view.setPixmap(icon.pixmap(56, 56))
        else:
            self.query_view.setText(text)
        self.query_view.setToolTip(text)

    def _show_spectra(self, modality: int, index: int, order: np.ndarray) -> None:
        pair = self.analysis.pair
        x = pair.wavelengths
        curves: list[tuple[np.ndarray, QColor, int]] = []
        if pair.kinds[modality] == "spectrum":
            shown = pair.display_a if modality == 0 else pair.display_b
            curves.append((shown[index], QColor("#202020"), 3))
        other = 1 - modality
        if pair.kinds[other] == "spectrum":
            shown = pair.display_a if other == 0 else pair.display_b
            query_label = pair.test_labels[index]
            for item_index in order[: len(self.spectrum_curves) - len(curves)]:
                colour = QColor("#2e7d32" if pair.test_labels[item_index] == query_label else "#c62828")
                curves.append((shown[item_index], colour, 1))
        for i, item in enumerate(self.spectrum_curves):
            if i < len(curves):
                y, colour, width = curves[i]
                item.setData(x if x is not None and len(x) == len(y) else np.arange(len(y)), y,
                             pen=pg.mkPen(colour, width=width))
            else:
                item.setData([], [])

    def result_rows(self) -> list[tuple[int, float, bool]]:
        """The results table as (item index, similarity, same class), top first."""
        rows = []
        for row in range(self.results.rowCount()):
            rows.append((int(self.results.item(row, 1).data(Qt.ItemDataRole.UserRole)),
                         float(self.results.item(row, 4).data(Qt.ItemDataRole.UserRole)),
                         self.results.item(row, 3).text() == MATCH))
        return rows

    def _show_pr_curves(self) -> None:
        curves = self.analysis.scores.get("pr_curve", {})
        for item, key in zip(self.pr_curves.values(), ("a2b", "b2a"), strict=True):
            data = curves.get(key)
            item.setData(data["recall"], data["precision"]) if data else item.setData([], [])

    # -- Common space tab -------------------------------------------------------------------------------
    def _build_embedding_tab(self) -> QWidget:
        self.method_box = QComboBox()
        self.method_box.setObjectName("retrievalProjection")
        self.method_box.addItem("PCA", "pca")
        self.method_box.addItem(self.tr("t-SNE (slow)"), "tsne")
        self.method_box.currentIndexChanged.connect(lambda _i: self.load_run(self.run_id))
        self.embed_plots = {}
        self.embed_items = {}
        row = QHBoxLayout()
        for key, title in (("before", self.tr("Before training")), ("after", self.tr("After training"))):
            plot = pg.PlotWidget()
            plot.setObjectName(f"embedding_{key}")
            plot.setBackground(None)
            plot.getPlotItem().setTitle(title)
            plot.setAspectLocked(True)
            item = pg.ScatterPlotItem(size=6, pxMode=True)
            plot.addItem(item)
            self.embed_plots[key], self.embed_items[key] = plot, item
            row.addWidget(plot)
        self.embed_legend = QLabel()
        self.embed_legend.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Projection")))
        top.addWidget(self.method_box)
        top.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        layout.addWidget(self.embed_legend)
        return page

    def _show_projection(self) -> None:
        labels = self.projection["labels"]
        n = len(labels)
        brushes = [pg.mkBrush(class_colour(c)) for c in np.concatenate([labels, labels])]
        symbols = [SYMBOLS[0]] * n + [SYMBOLS[1]] * n
        for key, item in self.embed_items.items():
            points = self.projection[key]
            item.setData(x=points[:, 0], y=points[:, 1], brush=brushes, symbol=symbols, pen=None)
        a, b = self.analysis.pair.modalities
        self.embed_legend.setText(self.tr("%1 test pairs; colour = class, ○ = %2, △ = %3. Directions (unit "
                                          "vectors) are projected, since retrieval ranks by cosine.")
                                  .replace("%1", str(n)).replace("%2", a).replace("%3", b))

    def embedding_points(self, key: str) -> int:
        return len(self.embed_items[key].data)

    # -- Study tab -------------------------------------------------------------------------------------
    def _build_study_tab(self) -> QWidget:
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
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(question)
        layout.addLayout(controls)
        layout.addWidget(self.study_table, 1)
        layout.addWidget(self.study_note)
        return page

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
