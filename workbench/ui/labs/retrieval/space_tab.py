"""The Retrieval lab's *Common space* tab: both modalities' test embeddings projected to 2-D.

PCA, or t-SNE on request; coloured by class, one marker per modality, before and after training. Changing
the projection asks the lab to analyse its run again (:attr:`RetrievalSpaceTab.method_changed`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

SYMBOLS = ("o", "t")  # modality A, modality B


def class_colour(index: int) -> QColor:
    return pg.intColor(int(index), hues=16, values=1, maxValue=230)


class RetrievalSpaceTab(QWidget):
    """The before/after scatter plots of the common space and the projection choice."""

    method_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.method_box = QComboBox()
        self.method_box.setObjectName("retrievalProjection")
        self.method_box.addItem("PCA", "pca")
        self.method_box.addItem(self.tr("t-SNE (slow)"), "tsne")
        self.method_box.currentIndexChanged.connect(lambda _i: self.method_changed.emit())
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
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        layout.addWidget(self.embed_legend)

    def method(self) -> str:
        """The chosen projection: ``"pca"`` or ``"tsne"``."""
        return self.method_box.currentData()

    def show_projection(self, projection: dict, modalities: tuple[str, str]) -> None:
        """Plot ``projection`` (2-D points "before"/"after" and their "labels") of the pair's two ``modalities``."""
        labels = projection["labels"]
        n = len(labels)
        brushes = [pg.mkBrush(class_colour(c)) for c in np.concatenate([labels, labels])]
        symbols = [SYMBOLS[0]] * n + [SYMBOLS[1]] * n
        for key, item in self.embed_items.items():
            points = projection[key]
            item.setData(x=points[:, 0], y=points[:, 1], brush=brushes, symbol=symbols, pen=None)
        a, b = modalities
        self.embed_legend.setText(self.tr("%1 test pairs; colour = class, ○ = %2, △ = %3. Directions (unit "
                                          "vectors) are projected, since retrieval ranks by cosine.")
                                  .replace("%1", str(n)).replace("%2", a).replace("%3", b))

    def embedding_points(self, key: str) -> int:
        return len(self.embed_items[key].data)
