"""The Classification lab's small widgets, shared by its tabs: a confusion matrix, a bar chart with hover
labels, an image gallery; and the run list and run inputs both the Evaluation and the Attention tabs use."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
)

BAR_COLOUR = "#4e79a7"


def to_pixmap(image: np.ndarray, size: int = 64) -> QPixmap:
    """An H×W×3 uint8 array as a pixmap scaled for a gallery (nearest neighbour: keep the pixels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = image.shape[:2]
    qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation)


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


# -- runs -------------------------------------------------------------------------------------------
def fill_run_box(box: QComboBox, runs) -> None:
    """List ``runs`` newest first, keeping the selected run (else the newest), without emitting a change."""
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    for run in sorted(runs, key=lambda r: -r.id):
        box.addItem(f"#{run.id} {run.model} · {run.dataset}" + (f" — {run.name}" if run.name else ""), run.id)
    index = box.findData(current)
    box.setCurrentIndex(index if index >= 0 else (0 if runs else -1))
    box.blockSignals(False)


def load_classifier(checkpoint: str):
    """The trained model in ``checkpoint`` if it is an image classifier, else a ``CheckpointError`` naming the
    file and the model it holds (another lab's checkpoint would otherwise fail deep inside a forward pass)."""
    from engines.core.checkpoint import CheckpointError, load_checkpoint
    from engines.core.models import model_names
    from engines.models import load_trained_model

    name = (load_checkpoint(checkpoint).get("model_spec") or {}).get("name")
    if name not in model_names("classify"):
        raise CheckpointError(QCoreApplication.translate(
            "ClassificationLab", "%1 holds a %2 model, not an image classifier (a checkpoint of another lab?)")
            .replace("%1", str(checkpoint)).replace("%2", str(name or "unknown")))
    try:
        return load_trained_model(checkpoint)
    except RuntimeError as exc:  # load_state_dict: tensors that do not fit the model the file names
        raise CheckpointError(QCoreApplication.translate(
            "ClassificationLab", "%1: its weights do not fit the %2 model it names (%3)")
            .replace("%1", str(checkpoint)).replace("%2", str(name))
            .replace("%3", str(exc).splitlines()[0])) from None


def run_inputs(store, run_id: int):
    """(checkpoint path, dataset name, data options) of a run — plain values for a worker."""
    from workbench.runner import with_data_folder

    run = store.get_run(run_id)
    options = with_data_folder(run.dataset, dict(run.config.get("data_options", {})))
    options.setdefault("seed", run.config.get("seed", 0))
    return run.checkpoint, run.dataset, options
