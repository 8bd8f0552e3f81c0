"""The Retrieval lab's *Browser* tab: rank one modality's test items for a query of the other.

Pick a query of one modality; the other modality's test items are listed most similar first, with their
class, a same-class mark and the cosine similarity; spectra are drawn as curves, patches and images as
thumbnails, captions as text. The precision–recall curves of the test split sit beside them.
"""
from __future__ import annotations

import os

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

MATCH, MISMATCH = "✓", "✗"


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


class RetrievalBrowserTab(QWidget):
    """Queries of the chosen direction, the ranked results of one, its spectra and the PR curves."""

    def __init__(self) -> None:
        super().__init__()
        self.analysis = None  # engines.labs.retrieval.task's analysis of the lab's run
        self._query: int | None = None

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
        # Short titles: the right-hand column is narrow on a laptop screen; the detail is in the tooltip.
        self.spectrum_plot.getPlotItem().setTitle(self.tr("Spectra"))
        self.spectrum_plot.setToolTip(self.tr("The query's spectrum (thick) and the top results' "
                                              "(green: same class, red: another class)"))
        self.spectrum_curves = [self.spectrum_plot.plot([], []) for _ in range(6)]
        self.pr_plot = pg.PlotWidget()
        self.pr_plot.setObjectName("retrievalPR")
        self.pr_plot.setBackground(None)
        self.pr_plot.getPlotItem().setTitle(self.tr("Precision–recall"))
        self.pr_plot.setToolTip(self.tr("Precision against recall over the test split, each direction"))
        self.pr_plot.setLabel("bottom", self.tr("recall"))
        self.pr_plot.setLabel("left", self.tr("precision"))
        for name in ("left", "bottom"):  # both are shares in [0, 1]: plain ticks, never "(x0.001)"
            self.pr_plot.getPlotItem().getAxis(name).enableAutoSIPrefix(False)
        self.pr_plot.setXRange(0, 1, padding=0.02)
        self.pr_plot.setYRange(0, 1, padding=0.02)
        self.pr_plot.getPlotItem().getViewBox().setLimits(xMin=-0.05, xMax=1.05, yMin=-0.05, yMax=1.05)
        # Bottom left: precision–recall curves run from the top left down to the right, leaving that corner free.
        self.pr_legend = self.pr_plot.addLegend(offset=(10, -10))
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_analysis(self, analysis) -> None:
        """A run's analysis arrived: name the directions, list its classes and queries, draw its PR curves."""
        self.analysis = analysis
        self._fill_browser()
        self._show_pr_curves()

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
        if self.query_list.count():  # the first query's results at once, not an empty table to puzzle over
            self.query_list.setCurrentRow(0)

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
        index = self._query
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
        a, b = self.analysis.pair.modalities
        for (_sample, label), text in zip(self.pr_legend.items, (f"{a} → {b}", f"{b} → {a}")):
            label.setText(text)  # the directions by name, as in the Direction box
        curves = self.analysis.scores.get("pr_curve", {})
        for item, key in zip(self.pr_curves.values(), ("a2b", "b2a"), strict=True):
            data = curves.get(key)
            item.setData(data["recall"], data["precision"]) if data else item.setData([], [])
