"""The compare view: which run is better, and at what cost?

Overlaid metric curves (seed groups as mean ± std bands), a summary table, the configuration differences, a
cost-versus-quality scatter with its Pareto front, published reference numbers and a step cursor that other
views can drive. The numbers come from :mod:`workbench.compare`; this module only shows them.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.compare import (
    SUMMARY_COLUMNS,
    RunGroup,
    config_diff,
    curve_xy,
    finite,
    group_runs,
    mean_std_curve,
    pareto_front,
    published_values,
    run_summary,
    summary_rows,
    value_at_step,
)
from workbench.store import MetricPoint, Run, RunStore, UnknownRun
from workbench.tasks_meta import higher_is_better, primary_metric_name

# Tableau 10: distinct on both light and dark backgrounds, and stable (row i always gets colour i).
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
PUBLISHED_COLOUR = "#9e9e9e"
CURSOR_COLOUR = "#ffb300"  # amber: visible on dark and light backgrounds
DASH = "–"

# Scatter x choices: (key in run_summary, shown on a log axis).
SCATTER_X = {"params": True, "flops": True, "latency_ms": False}


def colour_for(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


def format_number(value: float | None, key: str) -> str:
    if value is None:
        return DASH
    if key in ("params", "epochs"):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if key == "flops":
        for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= scale:
                return f"{value / scale:.2f} {suffix}"
        return f"{value:.0f}"
    if key == "throughput":
        return f"{value:,.0f}"
    if key == "seconds":
        return f"{value:.1f}"
    if key == "latency_ms":
        return f"{value:.3f}"
    return f"{value:.4g}" if abs(value) >= 1000 else f"{value:.4f}"


def format_cell(row: dict[str, Any], key: str, group_template: str = "%1 ± %2 (n=%3)") -> str:
    """A summary cell: the value, or for a group ``mean ± std (n=k)`` filled into ``group_template``."""
    value = row.get(key)
    if row.get("n", 1) < 2:
        return format_number(value, key)
    if value is None:
        return DASH
    std = row.get(f"{key}_std")
    std_text = format_number(std, key) if std is not None else DASH
    return (group_template.replace("%1", format_number(value, key)).replace("%2", std_text)
            .replace("%3", str(row.get(f"{key}_n", 0))))


def format_config_value(value: Any) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    return json.dumps(value)


@dataclass
class _RowItems:
    """The plot items of one table row: a line, plus a ±std band for a group."""

    runs: list[Run]
    line: pg.PlotDataItem
    upper: pg.PlotDataItem | None = None
    lower: pg.PlotDataItem | None = None
    fill: pg.FillBetweenItem | None = None

    def items(self) -> list:
        return [i for i in (self.fill, self.upper, self.lower, self.line) if i is not None]


class CompareView(QWidget):
    """Compares the runs given to :meth:`set_runs`; everything runs on the GUI thread."""

    cursorMoved = Signal(int)  # the user dragged the step cursor on the curve plot

    def __init__(self, store: RunStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._run_ids: list[int] = []
        self._group_by: str | None = None
        self._runs: list[Run] = []
        self._groups: list[RunGroup] = []
        self._colours: dict[int, QColor] = {}
        self._points: dict[tuple[int, str], list[MetricPoint]] = {}
        self._row_items: list[_RowItems] = []
        self._published_lines: list[pg.InfiniteLine] = []
        self._point_labels: dict[int, pg.TextItem] = {}
        self._table_rows: list[dict[str, Any]] = []
        self._diff: dict[str, list[Any]] = {}
        self._pareto_ids: list[int] = []
        self._cursor: int | None = None
        self._cursor_values: dict[int, float | None] = {}
        self._moving_cursor = False
        self._build_ui()

    # -- construction ---------------------------------------------------------
    def _build_ui(self) -> None:
        self.metric_combo = QComboBox(objectName="compareMetric")
        self.metric_combo.setToolTip(self.tr("Metric drawn on the curve plot and summarised in the table"))
        self.metric_combo.setMinimumContentsLength(14)
        self.x_combo = QComboBox(objectName="compareXAxis")
        for text, key in ((self.tr("Step"), "step"), (self.tr("Epoch"), "epoch"),
                          (self.tr("Wall time (s)"), "wall")):
            self.x_combo.addItem(text, key)
        self.scatter_x_combo = QComboBox(objectName="compareScatterX")
        for text, key in ((self.tr("Parameters"), "params"), (self.tr("FLOPs"), "flops"),
                          (self.tr("Inference latency (ms)"), "latency_ms")):
            self.scatter_x_combo.addItem(text, key)
        self.notes = QLabel(objectName="compareNotes")
        self.notes.setWordWrap(True)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Metric:")))
        controls.addWidget(self.metric_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("X axis:")))
        controls.addWidget(self.x_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("Cost:")))
        controls.addWidget(self.scatter_x_combo)
        controls.addWidget(self.notes, 1)

        # Not PlotWidget(objectName=...): PlotWidget passes unknown keywords on to plot(), adding a stray curve.
        self.curves = pg.PlotWidget()
        self.curves.setObjectName("compareCurves")
        self.curves.setClipToView(True)
        self.curves.setDownsampling(auto=True, mode="peak")
        self.curves.showGrid(x=True, y=True, alpha=0.2)
        self.curves.addLegend(offset=(10, 10))
        self.curves.setMinimumSize(300, 200)
        self.curves.setBackground(None)
        # Accuracies read better as 0.85 than as "850 (x0.001)".
        self.curves.getAxis("left").enableAutoSIPrefix(False)
        self.cursor_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(CURSOR_COLOUR, width=1.5),
                                       hoverPen=pg.mkPen(CURSOR_COLOUR, width=3))
        self.cursor_line.setToolTip(self.tr("Step cursor: drag to read every run's value at a step"))
        self.cursor_line.hide()
        self.cursor_line.sigPositionChanged.connect(self._on_cursor_dragged)
        self.cursor_line.sigPositionChangeFinished.connect(self._on_cursor_drag_finished)
        self.curves.addItem(self.cursor_line, ignoreBounds=True)

        self.scatter = pg.PlotWidget()
        self.scatter.setObjectName("compareScatter")
        self.scatter.showGrid(x=True, y=True, alpha=0.2)
        self.scatter.setMinimumSize(200, 200)
        self.scatter.setBackground(None)
        self.scatter.getAxis("left").enableAutoSIPrefix(False)
        self.pareto_line = pg.PlotDataItem(pen=pg.mkPen("#bdbdbd", width=1.5, style=Qt.PenStyle.DashLine))
        self.scatter_points = pg.PlotDataItem(pen=None, symbol="o", symbolSize=10)
        self.scatter.addItem(self.pareto_line)
        self.scatter.addItem(self.scatter_points)

        self.cursor_table = QTableWidget(0, 2, objectName="cursorTable")
        self.cursor_table.setHorizontalHeaderLabels([self.tr("Run"), self.tr("Value at cursor")])
        self._setup_table(self.cursor_table)

        self.table = QTableWidget(0, 1 + len(SUMMARY_COLUMNS), objectName="compareTable")
        self._setup_table(self.table)
        self.diff_table = QTableWidget(0, 0, objectName="configDiffTable")
        self._setup_table(self.diff_table)
        self.diff_table.verticalHeader().setVisible(True)
        self.diff_table.horizontalHeader().setStretchLastSection(False)

        # Curves and the cost-quality scatter side by side; they shrink with the window (the
        # central area is narrow when both docks are open), tables go to tabs below.
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.curves)
        top.addWidget(self.scatter)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setSizes([600, 400])

        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, self.tr("Summary"))
        self.tabs.addTab(self.diff_table, self.tr("Configuration differences"))
        self.tabs.addTab(self.cursor_table, self.tr("Values at cursor"))

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 240])

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        self.metric_combo.currentIndexChanged.connect(self._on_metric_changed)
        self.x_combo.currentIndexChanged.connect(self._on_x_axis_changed)
        self.scatter_x_combo.currentIndexChanged.connect(self._on_scatter_x_changed)
        self._set_summary_headers()

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setAlternatingRowColors(True)

    # -- public API -----------------------------------------------------------
    def set_runs(self, run_ids: list[int], *, group_by: str | None = None) -> None:
        """Compare these runs; ``group_by`` (a flattened config key) groups them by its value instead of by
        equal configuration up to the seed."""
        self._run_ids = list(dict.fromkeys(run_ids))
        self._group_by = group_by
        self.refresh()

    def refresh(self) -> None:
        """Re-read the runs and their metrics from the store and redraw everything."""
        runs = []
        for run_id in self._run_ids:
            try:
                runs.append(self.store.get_run(run_id))
            except UnknownRun:  # deleted since it was selected
                continue
        self._runs = runs
        self._points.clear()
        self._groups = group_runs(runs, by=self._group_by) if runs else []
        self._colours = {run.id: colour_for(index)
                         for index, group in enumerate(self._groups) for run in group.runs}
        self._fill_metric_combo()
        self._rebuild_curve_items()
        self._update_curves()
        self._update_table()
        self._update_diff_table()
        self._rebuild_point_labels()
        self._update_scatter()
        self._update_cursor()
        self._update_notes()

    def selected_metric(self) -> str:
        return self.metric_combo.currentData() or ""

    def set_metric(self, name: str) -> None:
        index = self.metric_combo.findData(name)
        if index >= 0:
            self.metric_combo.setCurrentIndex(index)

    def x_axis(self) -> str:
        return self.x_combo.currentData()

    def set_x_axis(self, key: str) -> None:
        index = self.x_combo.findData(key)
        if index >= 0:
            self.x_combo.setCurrentIndex(index)

    def set_scatter_x(self, key: str) -> None:
        index = self.scatter_x_combo.findData(key)
        if index >= 0:
            self.scatter_x_combo.setCurrentIndex(index)

    def runs(self) -> list[Run]:
        return list(self._runs)

    def groups(self) -> list[RunGroup]:
        return list(self._groups)

    def table_values(self) -> list[dict[str, Any]]:
        """The numbers behind the summary table, one dict per row (``kind``: run, group or published);
        see :func:`workbench.compare.summary_rows` for the keys."""
        return [dict(row) for row in self._table_rows]

    def diff_keys(self) -> list[str]:
        return list(self._diff)

    def pareto_run_ids(self) -> list[int]:
        """Runs on the cost-versus-quality Pareto front, cheapest first."""
        return list(self._pareto_ids)

    def set_cursor(self, step: int | None) -> None:
        """Show every run's value of the selected metric at ``step`` (``None`` hides the cursor)."""
        self._cursor = None if step is None else int(step)
        self._update_cursor()

    def cursor_values(self) -> dict[int, float | None]:
        return dict(self._cursor_values)

    # -- data -----------------------------------------------------------------
    def _task(self) -> str:
        return self._runs[0].task if self._runs else ""

    def _metric_points(self, run: Run, name: str) -> list[MetricPoint]:
        key = (run.id, name)
        if key not in self._points:
            self._points[key] = self.store.metrics(run.id, name) if name else []
        return self._points[key]

    def _curve(self, run: Run, name: str) -> tuple[np.ndarray, np.ndarray]:
        return curve_xy(self._metric_points(run, name), self.x_axis(), origin=run.started_at)

    # -- metric selector ------------------------------------------------------
    def _fill_metric_combo(self) -> None:
        previous = self.selected_metric()
        names = sorted({name for run in self._runs for name in self.store.metric_names(run.id)})
        primary = primary_metric_name(self._task())
        self.metric_combo.blockSignals(True)
        try:
            self.metric_combo.clear()
            for name in names:
                self.metric_combo.addItem(name, name)
            for wanted in (previous, primary):
                index = self.metric_combo.findData(wanted) if wanted else -1
                if index >= 0:
                    self.metric_combo.setCurrentIndex(index)
                    break
        finally:
            self.metric_combo.blockSignals(False)

    @Slot(int)
    def _on_metric_changed(self, _index: int) -> None:
        self._update_curves()
        self._update_table()
        self._update_cursor()
        self._update_notes()

    @Slot(int)
    def _on_x_axis_changed(self, _index: int) -> None:
        self._update_curves()
        self._update_cursor()

    # -- curves ---------------------------------------------------------------
    def _rebuild_curve_items(self) -> None:
        plot = self.curves.getPlotItem()
        for row in self._row_items:
            for item in row.items():
                plot.removeItem(item)
        self._row_items = []
        for index, group in enumerate(self._groups):
            colour = colour_for(index)
            if len(group.runs) == 1:
                line = pg.PlotDataItem(name=group.row_label, pen=pg.mkPen(colour, width=2))
                row = _RowItems(group.runs, line)
            else:
                name = self.tr("%1 (n=%2)").replace("%1", group.label).replace("%2", str(len(group.runs)))
                line = pg.PlotDataItem(name=name, pen=pg.mkPen(colour, width=2))
                edge = QColor(colour)
                edge.setAlpha(90)
                upper = pg.PlotDataItem(pen=pg.mkPen(edge, width=1))
                lower = pg.PlotDataItem(pen=pg.mkPen(edge, width=1))
                band = QColor(colour)
                band.setAlpha(60)
                row = _RowItems(group.runs, line, upper, lower, pg.FillBetweenItem(upper, lower, brush=band))
            for item in row.items():
                plot.addItem(item)
            self._row_items.append(row)

    def _update_curves(self) -> None:
        name = self.selected_metric()
        for row in self._row_items:
            if row.fill is None:
                row.line.setData(*self._curve(row.runs[0], name))
                continue
            grid, mean, std = mean_std_curve([self._curve(run, name) for run in row.runs])
            row.line.setData(grid, mean)
            row.upper.setData(grid, mean + std)
            row.lower.setData(grid, mean - std)
        x_titles = {"step": self.tr("Step"), "epoch": self.tr("Epoch"), "wall": self.tr("Wall time (s)")}
        self.curves.setLabel("bottom", x_titles[self.x_axis()])
        self.curves.setLabel("left", name)
        self._update_published_lines(name)

    # -- published reference -------------------------------------------------
    def _published_entries(self, metric: str) -> list[dict[str, Any]]:
        entries, seen = [], set()
        for run in self._runs:
            for entry in published_values(run, metric) if metric else []:
                key = json.dumps(entry, sort_keys=True)
                if key not in seen and finite(entry.get("value")) is not None:
                    seen.add(key)
                    entries.append(entry)
        return entries

    def _update_published_lines(self, metric: str) -> None:
        entries = self._published_entries(metric)
        plot = self.curves.getPlotItem()
        while len(self._published_lines) < len(entries):
            line = pg.InfiniteLine(
                angle=0, movable=False,
                pen=pg.mkPen(PUBLISHED_COLOUR, width=1.5, style=Qt.PenStyle.DashLine),
                label=self.tr("published"),
                labelOpts={"position": 0.05, "color": PUBLISHED_COLOUR, "anchors": [(0, 1), (0, 1)]},
            )
            plot.addItem(line)
            self._published_lines.append(line)
        for index, line in enumerate(self._published_lines):
            if index < len(entries):
                entry = entries[index]
                line.setValue(float(entry["value"]))
                line.label.setFormat(self.tr("published {value:.4g}"))
                line.setToolTip(f"{entry['model']} · {entry['dataset']}: {entry.get('source', '')}")
                line.show()
            else:
                line.hide()

    # -- summary table --------------------------------------------------------
    def _set_summary_headers(self) -> None:
        metric = self.selected_metric() or self.tr("metric")
        headers = [
            (self.tr("Run"), self.tr("Run, or runs differing only by seed (mean ± sample std, n runs)")),
            (self.tr("Final %1").replace("%1", metric), self.tr("Value at the end of training")),
            (self.tr("Best %1").replace("%1", metric), self.tr("Best value over the epochs")),
            (self.tr("Params"), self.tr("Trainable parameters")),
            (self.tr("FLOPs"), self.tr("Floating-point operations of one forward pass")),
            (self.tr("Samples/s"), self.tr("Training throughput of the last epoch (samples/s)")),
            (self.tr("Latency (ms)"), self.tr("Inference latency of one example (ms)")),
            (self.tr("Wall (s)"), self.tr("Wall time of the run (s)")),
            (self.tr("Epochs"), self.tr("Completed epochs")),
        ]
        for column, (text, tip) in enumerate(headers):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, item)

    def _update_table(self) -> None:
        metric = self.selected_metric()
        rows = summary_rows(self.store, self._groups, metric or None)
        for row in rows:
            row["kind"] = "group" if row["n"] > 1 else "run"
        for entry in self._published_entries(metric):
            row = {"kind": "published", "label": self.tr("published · %1 · %2 (%3)")
                   .replace("%1", entry["model"]).replace("%2", entry["dataset"])
                   .replace("%3", entry.get("source", "")),
                   "run_ids": [], "n": 1}
            for key in SUMMARY_COLUMNS:
                row[key], row[f"{key}_std"], row[f"{key}_n"] = None, None, 0
            row["final"] = finite(entry["value"])
            row["params"] = finite(entry.get("params"))
            row["epochs"] = finite(entry.get("epochs"))
            for key in ("final", "params", "epochs"):
                row[f"{key}_n"] = int(row[key] is not None)
            rows.append(row)
        self._table_rows = rows

        self._set_summary_headers()
        group_template = self.tr("%1 ± %2 (n=%3)")
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            label = QTableWidgetItem(row["label"])
            if row["run_ids"]:
                label.setData(Qt.ItemDataRole.DecorationRole, self._colours.get(row["run_ids"][0]))
                label.setToolTip(", ".join(f"#{i}" for i in row["run_ids"]))
            else:
                label.setForeground(QColor(PUBLISHED_COLOUR))
            self.table.setItem(r, 0, label)
            for c, key in enumerate(SUMMARY_COLUMNS, start=1):
                item = QTableWidgetItem(format_cell(row, key, group_template))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    # -- configuration differences -------------------------------------------
    def _update_diff_table(self) -> None:
        self._diff = config_diff(self._runs) if len(self._runs) > 1 else {}
        keys = list(self._diff)
        self.diff_table.clear()
        self.diff_table.setRowCount(len(keys))
        self.diff_table.setColumnCount(len(self._runs))
        self.diff_table.setVerticalHeaderLabels(keys)
        self.diff_table.setHorizontalHeaderLabels([f"#{run.id}" for run in self._runs])
        for c, run in enumerate(self._runs):
            header = self.diff_table.horizontalHeaderItem(c)
            header.setToolTip(run.title)
            header.setData(Qt.ItemDataRole.DecorationRole, self._colours.get(run.id))
        for r, key in enumerate(keys):
            for c, value in enumerate(self._diff[key]):
                self.diff_table.setItem(r, c, QTableWidgetItem(format_config_value(value)))

    # -- cost versus quality --------------------------------------------------
    def _rebuild_point_labels(self) -> None:
        plot = self.scatter.getPlotItem()
        for label in self._point_labels.values():
            plot.removeItem(label)
        self._point_labels = {}
        for run in self._runs:
            label = pg.TextItem(f"#{run.id}", color=self._colours.get(run.id), anchor=(0, 1))
            plot.addItem(label, ignoreBounds=True)
            self._point_labels[run.id] = label

    @Slot(int)
    def _on_scatter_x_changed(self, _index: int) -> None:
        self._update_scatter()

    def _update_scatter(self) -> None:
        key = self.scatter_x_combo.currentData()
        log_x = SCATTER_X[key]
        task = self._task()
        quality = primary_metric_name(task)
        ids, xs, ys = [], [], []
        for run in self._runs:
            values = run_summary(self.store, run, quality) if quality and run.task == task else None
            x = values[key] if values else None
            y = values["final"] if values else None
            if x is None or y is None or (log_x and x <= 0):
                continue
            ids.append(run.id)
            xs.append(x)
            ys.append(y)
        front = pareto_front(list(zip(xs, ys)), higher_is_better=higher_is_better(task))
        self._pareto_ids = [ids[i] for i in front]

        plot = self.scatter.getPlotItem()
        plot.setLogMode(x=log_x, y=False)
        self.scatter_points.setData(
            xs, ys,
            symbolBrush=[pg.mkBrush(self._colours[i]) for i in ids],
            symbolPen=[pg.mkPen("#ffffff", width=2 if i in self._pareto_ids else 0.5) for i in ids],
        )
        self.pareto_line.setData(*self._staircase([xs[i] for i in front], [ys[i] for i in front]))
        placed = dict(zip(ids, zip(xs, ys)))
        for run_id, label in self._point_labels.items():
            if run_id in placed:
                x, y = placed[run_id]
                label.setPos(math.log10(x) if log_x else x, y)
                label.show()
            else:
                label.hide()
        titles = {"params": self.tr("Parameters"), "flops": self.tr("FLOPs"),
                  "latency_ms": self.tr("Inference latency (ms)")}
        self.scatter.setLabel("bottom", titles[key])
        self.scatter.setLabel("left", quality)

    @staticmethod
    def _staircase(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
        """The Pareto front as steps: quality holds until the next, costlier point improves it."""
        sx, sy = [], []
        for i, (x, y) in enumerate(zip(xs, ys)):
            if i:
                sx.append(x)
                sy.append(ys[i - 1])
            sx.append(x)
            sy.append(y)
        return sx, sy

    # -- cursor ---------------------------------------------------------------
    def _update_cursor(self) -> None:
        step = self._cursor
        self._moving_cursor = True
        try:
            if step is not None:
                self.cursor_line.setValue(step)
            self.cursor_line.setVisible(step is not None and self.x_axis() == "step")
        finally:
            self._moving_cursor = False
        name = self.selected_metric()
        values: dict[int, float | None] = {}
        if step is not None:
            for run in self._runs:
                values[run.id] = value_at_step(self._metric_points(run, name), step)
        self._cursor_values = values
        self.cursor_table.setHorizontalHeaderLabels([
            self.tr("Run"),
            self.tr("%1 at step %2").replace("%1", name).replace("%2", str(step)) if step is not None
            else self.tr("Value at cursor"),
        ])
        self.cursor_table.setRowCount(len(values))
        for r, run in enumerate(run for run in self._runs if run.id in values):
            label = QTableWidgetItem(run.title)
            label.setData(Qt.ItemDataRole.DecorationRole, self._colours.get(run.id))
            self.cursor_table.setItem(r, 0, label)
            value = values[run.id]
            item = QTableWidgetItem(DASH if value is None else f"{value:.4f}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.cursor_table.setItem(r, 1, item)

    @Slot(object)
    def _on_cursor_dragged(self, line) -> None:
        if self._moving_cursor:
            return
        self._cursor = max(0, int(round(line.value())))
        self._update_cursor()

    @Slot(object)
    def _on_cursor_drag_finished(self, _line) -> None:
        if self._cursor is not None and not self._moving_cursor:
            self.cursorMoved.emit(self._cursor)

    # -- notes ----------------------------------------------------------------
    def _update_notes(self) -> None:
        notes = []
        tasks = sorted({run.task for run in self._runs})
        if len(tasks) > 1:
            notes.append(self.tr("Runs of different tasks (%1): cost and quality use %2's primary metric.")
                         .replace("%1", ", ".join(tasks)).replace("%2", self._task()))
        name = self.selected_metric()
        missing = [run for run in self._runs if not self._metric_points(run, name)]
        if missing:
            notes.append(self.tr("No %1 points: %2").replace("%1", name or self.tr("metric"))
                         .replace("%2", ", ".join(f"#{run.id}" for run in missing)))
        self.notes.setText("  ".join(notes))
