"""The Retrieval lab's *Train · loss terms* tab: the run form and the selected run's loss-term curves.

*Train* queues a run through the window's runner (recorded like every other run); the plots show the run's
J1, J2 and J3 (unweighted epoch means) and its mAP. The lab tells the tab which run to show and hands it the
epochs of that run while it trains.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow

TERM_COLOURS = {"j1_loss": "#4e79a7", "j2_loss": "#f28e2b", "j3_loss": "#59a14f", "map_average": "#e15759"}
DATA_CHOICES = ("indian_pines_views", "pascal_sentence", "wikipedia", "nus_wide_10k", "xmedianet", "dscmr_mat",
                "image_text")


class RetrievalTrainTab(QWidget):
    """The form that queues a DSCMR run, and the per-epoch loss-term and mAP curves of one run."""

    message = Signal(str)
    run_queued = Signal(int)  # run id: the lab selects it (the curves already show it)

    def __init__(self, main_window: "MainWindow") -> None:
        super().__init__()
        self.main_window = main_window
        self.store = main_window.store
        self._curve_data: dict[str, list[tuple[float, float]]] = {}

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
        # Short titles (the plots are narrow on a laptop screen); the detail is in the tooltips.
        self.term_plot.getPlotItem().setTitle(self.tr("Loss terms"))
        self.term_plot.setToolTip(self.tr("Loss terms per epoch (unweighted training means)"))
        self.term_plot.setLabel("bottom", self.tr("epoch"))
        self.term_plot.addLegend(offset=(-10, 10))
        self.term_curves = {
            name: self.term_plot.plot([], [], name=label, pen=pg.mkPen(TERM_COLOURS[name], width=2), symbol="o",
                                      symbolSize=4, symbolBrush=TERM_COLOURS[name])
            for name, label in (("j1_loss", "J1"), ("j2_loss", "J2"), ("j3_loss", "J3"))}
        self.map_plot = pg.PlotWidget()
        self.map_plot.setObjectName("mapPlot")
        self.map_plot.setBackground(None)
        self.map_plot.getPlotItem().setTitle(self.tr("Test mAP"))
        self.map_plot.setToolTip(self.tr("Test mAP (average of both directions)"))
        self.map_plot.setLabel("bottom", self.tr("epoch"))
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._on_data_changed()

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
        if run_id is None:  # the window said why (a store that cannot record runs)
            return None
        self.message.emit(self.tr("Run #%1 queued").replace("%1", str(run_id)))
        self.run_queued.emit(run_id)
        self.show_curves(run_id)
        return run_id

    def show_curves(self, run_id: int | None) -> None:
        """The run's recorded curves (none for ``None``)."""
        self._curve_data = {name: [] for name in self.term_curves}
        if run_id is not None:
            for name in self.term_curves:
                self._curve_data[name] = [(p.epoch, p.value) for p in self.store.metrics(run_id, name)]
        self._redraw_curves()

    def add_epoch(self, epoch: int, metrics: dict) -> None:
        """An epoch of the shown run ended: extend its curves."""
        for name in self.term_curves:
            if name in metrics:
                self._curve_data.setdefault(name, []).append((float(epoch), float(metrics[name])))
        self._redraw_curves()

    def _redraw_curves(self) -> None:
        for name, item in self.term_curves.items():
            points = self._curve_data.get(name, [])
            item.setData([p[0] for p in points], [p[1] for p in points])

    def curve_values(self, name: str) -> list[float]:
        return [p[1] for p in self._curve_data.get(name, [])]
