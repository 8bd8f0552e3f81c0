"""Live training curves (pyqtgraph): items created once, redrawn from buffers on a timer.

Workers append points at whatever rate they produce them; the plot redraws
dirty curves at most ``refresh_hz`` times a second with ``setData``.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from scipy.signal import lfilter  # imported here, not on the first redraw (a GUI-thread stall)

# Keys, translated where shown (in context LiveCurves).
X_AXES = (QT_TRANSLATE_NOOP("LiveCurves", "step"), QT_TRANSLATE_NOOP("LiveCurves", "epoch"),
          QT_TRANSLATE_NOOP("LiveCurves", "wall time"))


# Tableau 10: distinct on both light and dark backgrounds.
# Tableau 10 with its three palest entries darkened (teal, gold, pink, light grey were faint on a light plot).
RUN_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#3a9b94", "#59a14f",
               "#c49a1b", "#b07aa1", "#d6577f", "#9c755f", "#7f7f7f")


def run_colours(run_ids: Iterable[int]) -> dict[int, str]:
    """A colour per run, keyed by its id, so a run looks the same in the Training tab and in the compare view
    whichever other runs are shown: run #n gets palette entry (n - 1) mod 10. Two shown runs whose ids share
    an entry (#3 and #13) would look alike, so the later one (in the order given) takes the next free one."""
    colours: dict[int, str] = {}
    used: set[int] = set()
    for run_id in dict.fromkeys(run_ids):
        slot = (int(run_id) - 1) % len(RUN_PALETTE)
        if len(used) < len(RUN_PALETTE):
            while slot in used:
                slot = (slot + 1) % len(RUN_PALETTE)
        used.add(slot)
        colours[run_id] = RUN_PALETTE[slot]
    return colours


def legend_html(entries: Iterable[tuple[str, str]], *, dashed: Iterable[str] = ()) -> str:
    """Rich text for a legend row beside a plot: a coloured swatch and the (escaped) name of each entry."""
    faint = set(dashed)
    parts = []
    for colour, name in entries:
        swatch = "◆" if name in faint else "■"
        # Non-breaking spaces: a long row wraps between entries, not inside a name.
        text = html.escape(name).replace(" ", "&nbsp;")
        parts.append(f'<span style="color:{colour}">{swatch}</span>&nbsp;{text}')
    return "&nbsp;&nbsp;&nbsp; ".join(parts)


def set_plot_message(plot: pg.PlotWidget, text: str | None) -> None:
    """Show ``text`` centred in an empty plot instead of bare 0–1 axes (``None``: the axes come back)."""
    item = plot.getPlotItem()
    label = getattr(plot, "_empty_message", None)
    if text:
        if label is None:
            label = pg.TextItem(anchor=(0.5, 0.5), color=(128, 128, 128))
            item.addItem(label, ignoreBounds=True)
            plot._empty_message = label
        label.setText(text)
        label.setPos(0.5, 0.5)
        label.show()
        for axis in ("left", "bottom"):
            item.hideAxis(axis)
        item.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        item.vb.setMouseEnabled(False, False)
    elif label is not None and label.isVisible():
        label.hide()
        for axis in ("left", "bottom"):
            item.showAxis(axis)
        item.vb.setMouseEnabled(True, True)
        item.vb.enableAutoRange()


def _padded(values: list[float], fraction: float, minimum: float = 0.0) -> tuple[float, float]:
    low, high = min(values), max(values)
    span = high - low
    if span <= 1e-12 * max(1.0, abs(high)):
        span = max(abs(high) * 0.04, 1e-3, minimum)  # one value: a narrow window around it
        return low - span / 2, high + span / 2
    return low - span * fraction, high + span * fraction


def fit_range(plot: pg.PlotWidget, xs: list[float], ys: list[float], fraction: float = 0.15,
              min_x_span: float = 0.0) -> None:
    """Frame the points (in view coordinates) with a margin; one distinct value gets a narrow window around it
    instead of pyqtgraph's ±0.5 (an accuracy of 0.997 on a 0.5–1.5 axis)."""
    if not xs or not ys:
        return
    plot.getPlotItem().vb.setRange(xRange=_padded(xs, fraction, min_x_span), yRange=_padded(ys, fraction),
                                   padding=0)


def plot_message(plot: pg.PlotWidget) -> str:
    """The message an empty plot shows ("" while it draws data)."""
    label = getattr(plot, "_empty_message", None)
    return label.toPlainText() if label is not None and label.isVisible() else ""


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average (as TensorBoard's smoothing slider)."""
    if weight <= 0 or len(values) == 0:
        return values
    smoothed = lfilter([1.0 - weight], [1.0, -weight], values)
    debias = 1.0 - weight ** np.arange(1, len(values) + 1)
    return smoothed / debias


class SeriesBuffer:
    """Growable columns (step, epoch, wall time, value) for one run's metric."""

    def __init__(self) -> None:
        self._data = np.empty((256, 4), dtype=np.float64)
        self.n = 0

    def extend(self, rows) -> None:
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        need = self.n + len(rows)
        if need > len(self._data):
            grown = np.empty((max(need, 2 * len(self._data)), 4), dtype=np.float64)
            grown[: self.n] = self._data[: self.n]
            self._data = grown
        self._data[self.n:need] = rows
        self.n = need

    def clear(self) -> None:
        self.n = 0

    def column(self, name: str) -> np.ndarray:
        index = {"step": 0, "epoch": 1, "wall time": 2, "value": 3}[name]
        return self._data[: self.n, index]


def _same_range(a, b) -> bool:
    span = max(abs(b[1] - b[0]), 1e-12)
    return abs(a[0] - b[0]) <= 1e-9 * span and abs(a[1] - b[1]) <= 1e-9 * span


@dataclass
class RunCurves:
    run_id: int
    label: str
    colour: object
    start_wall: float | None = None
    # For a run without recorded points (imported weights): its final metrics and where training ended.
    final: dict[str, float] = field(default_factory=dict)
    final_step: int = 0
    final_epoch: float = 0.0
    final_seconds: float | None = None
    # For a live run: the step and epoch it is planned to end at (kept in view, see XExtent).
    planned_step: int | None = None
    planned_epoch: float | None = None
    buffers: dict[str, SeriesBuffer] = field(default_factory=dict)
    items: dict[str, tuple] = field(default_factory=dict)
    dirty: bool = True  # every curve of the run is redrawn on the next tick
    # Metrics with new points since the last redraw: a live run's loss grows every step batch and its evaluation
    # metric once an epoch, so the metric's curve (symbols and all) is set again only when it changed.
    fresh: set = field(default_factory=set)


class XExtent(pg.GraphicsObject):
    """An invisible item that widens its plot's x auto-range to ``span`` and leaves the y range alone.

    It holds a live run's planned end in view, so the x axis is laid out once when the run starts instead of
    on every redraw while its curve grows (re-laying the axes and syncing the other plot's x range was about
    half of the window's drawing during a first run, CPU that training on every core gives up).
    """

    def __init__(self) -> None:
        super().__init__()
        self.span: tuple[float, float] | None = None
        self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)

    def set_span(self, span: tuple[float, float] | None) -> None:
        if span != self.span:
            self.span = span
            self.informViewBoundsChanged()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802, N803 (pyqtgraph's names)
        return self.span if ax == 0 and self.span is not None else (None, None)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF()

    def paint(self, *_args) -> None:
        pass


class CurvePlot(pg.PlotWidget):
    """A PlotWidget configured for long curves: clip to view, peak downsampling."""

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent=parent)
        self.setBackground(None)
        item = self.getPlotItem()
        item.setTitle(title)
        # No grid: its lines are replayed on every paint and cost a third of a frame while panning.
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        # No legend inside the plot, where it would hide the curves: LiveCurves shows one row above both plots.
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((200, 80, 80), width=1,
                                                                              style=Qt.PenStyle.DashLine))
        self.cursor.hide()
        item.addItem(self.cursor, ignoreBounds=True)
        self.hover = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((128, 128, 128), width=1))
        self.hover.hide()
        item.addItem(self.hover, ignoreBounds=True)
        self.hover_label = pg.TextItem(anchor=(0, 1), color=(60, 60, 60), fill=pg.mkBrush(255, 255, 255, 200))
        self.hover_label.hide()
        item.addItem(self.hover_label, ignoreBounds=True)
        self.extent = XExtent()
        item.addItem(self.extent)


class LiveCurves(QWidget):
    """Loss (per step) and evaluation metrics (per epoch) of one or more runs.

    The loss of each run is drawn smoothed; its raw curve is drawn faintly behind while smoothing is on and at
    most :attr:`RAW_LOSS_MAX_RUNS` runs are shown. With more runs the faint curves only blur one another, and
    leaving them out halves the drawing (20 runs × 50,000 points pan at ~35 frames/s instead of ~23).
    """

    LOSS = "loss"
    RAW_LOSS_MAX_RUNS = 5

    def __init__(self, parent=None, *, refresh_hz: int = 20) -> None:
        super().__init__(parent)
        self.runs: dict[int, RunCurves] = {}
        self._x_axis = "step"
        self._smoothing = 0.6
        self._raw_shown: bool | None = None
        self.preferred_metric = "test_accuracy"
        self._metric = self.preferred_metric
        self._cursor_step: int | None = None
        self._cursor_pending = False

        self.loss_plot = CurvePlot(self.tr("Training loss"))
        self.loss_plot.setObjectName("lossPlot")
        self.metric_plot = CurvePlot(self.tr("Evaluation"))
        self.metric_plot.setObjectName("metricPlot")
        # The metric plot follows the loss plot's x range, coalesced to one update per 100 ms: a direct
        # pyqtgraph link repaints both plots twice on every pan step.
        self._x_sync_pending: tuple | None = None
        self._x_syncing = False
        self._x_sync_timer = QTimer(self)
        self._x_sync_timer.setSingleShot(True)
        self._x_sync_timer.setInterval(100)
        self._x_sync_timer.timeout.connect(self._apply_x_sync)
        for source in (self.loss_plot, self.metric_plot):
            source.getPlotItem().vb.sigXRangeChanged.connect(
                lambda _vb, rng, s=source: self._queue_x_sync(s, rng))

        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setObjectName("smoothingSlider")
        self.smoothing_slider.setRange(0, 99)
        self.smoothing_slider.setValue(int(self._smoothing * 100))
        self.smoothing_slider.setToolTip(
            self.tr("Exponential moving average of the loss; the raw curve stays faint behind while at most "
                    "%1 runs are shown").replace("%1", str(self.RAW_LOSS_MAX_RUNS)))
        self.smoothing_slider.valueChanged.connect(self._on_smoothing)
        self.smoothing_label = QLabel()
        self.log_y = QCheckBox(self.tr("Log y"))
        self.log_y.setObjectName("logY")
        self.log_y.toggled.connect(self._on_log_y)
        self.x_axis_box = QComboBox()
        self.x_axis_box.setObjectName("xAxis")
        for name in X_AXES:
            self.x_axis_box.addItem(self.tr(name), name)
        self.x_axis_box.currentIndexChanged.connect(self._on_x_axis)
        self.metric_box = QComboBox()
        self.metric_box.setObjectName("metricBox")
        self.metric_box.setToolTip(self.tr("Metric shown in the lower plot"))
        self.metric_box.currentTextChanged.connect(self._on_metric)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Smoothing")))
        controls.addWidget(self.smoothing_slider, 1)
        controls.addWidget(self.smoothing_label)
        controls.addSpacing(12)
        controls.addWidget(self.log_y)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("X axis")))
        controls.addWidget(self.x_axis_box)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("Metric")))
        controls.addWidget(self.metric_box)

        # The legend sits above the plots, never on the curves; both plots show the same runs.
        self.legend = QLabel(objectName="curvesLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.hide()

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("curvesSplitter")
        splitter.addWidget(self.loss_plot)
        splitter.addWidget(self.metric_plot)
        splitter.setSizes([300, 200])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.legend)
        layout.addWidget(splitter, 1)
        self._messages: dict[str, str | None] = {}
        self._epochs_for_final = False
        self._on_smoothing(self.smoothing_slider.value())

        self._timer = QTimer(self)
        self._timer.timeout.connect(self.redraw)
        self.set_refresh_rate(refresh_hz)
        for plot in (self.loss_plot, self.metric_plot):
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._on_mouse(p, pos))

    def _queue_x_sync(self, source, x_range) -> None:
        if self._x_syncing:
            return
        if source is self.metric_plot and source.getPlotItem().vb.state["autoRange"][0]:
            # The metric plot fitting its own points (evaluated from the first epoch's end on) must not crop
            # the loss plot to that range; only a pan or zoom by the user is passed on.
            return
        other = self.metric_plot if source is self.loss_plot else self.loss_plot
        if _same_range(other.getPlotItem().vb.viewRange()[0], x_range):
            return  # the echo of a sync just applied: re-applying it would repaint both plots again
        self._x_sync_pending = (source, tuple(x_range))
        if not self._x_sync_timer.isActive():
            self._x_sync_timer.start()

    def _apply_x_sync(self) -> None:
        if self._x_sync_pending is None:
            return
        source, x_range = self._x_sync_pending
        self._x_sync_pending = None
        target = self.metric_plot if source is self.loss_plot else self.loss_plot
        if plot_message(source) or plot_message(target):
            return  # an empty plot keeps its message in view
        if _same_range(target.getPlotItem().vb.viewRange()[0], x_range):
            return
        self._x_syncing = True
        try:
            target.getPlotItem().vb.setXRange(*x_range, padding=0)
        finally:
            self._x_syncing = False

    # -- data in -------------------------------------------------------------------------
    def set_refresh_rate(self, hz: int) -> None:
        self._timer.start(int(1000 / max(1, min(hz, 60))))

    @property
    def refresh_interval_s(self) -> float:
        """Seconds between redraws of dirty curves (the preference's refresh rate)."""
        return self._timer.interval() / 1000

    def clear(self) -> None:
        for curves in self.runs.values():
            for metric, items in curves.items.items():
                plot = self.loss_plot if metric == self.LOSS else self.metric_plot
                for item in items:
                    if item is not None:
                        plot.removeItem(item)  # also drops its legend entry
        self.runs.clear()
        self._update_extent()
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        self.metric_box.blockSignals(False)
        self._update_legend()
        self._update_messages()
        if self._epochs_for_final:  # chosen for runs known by final values only: give the steps back
            self._epochs_for_final = False
            self.x_axis_box.setCurrentIndex(self.x_axis_box.findData("step"))

    def add_run(self, run_id: int, label: str) -> RunCurves:
        if run_id not in self.runs:
            # Keyed by run id (the compare view uses the same colours), not by the order runs were shown.
            colour = pg.mkColor(run_colours([*self.runs, run_id])[run_id])
            self.runs[run_id] = RunCurves(run_id, label, colour)
            self._update_legend()
        return self.runs[run_id]

    def set_final_values(self, run_id: int, label: str, metrics: dict[str, float], *, step: int = 0,
                         epoch: float = 0.0, seconds: float | None = None) -> None:
        """For a run without recorded points (imported weights): draw its final ``metrics`` as one marker
        each, at the step / epoch / second where its training ended."""
        curves = self.add_run(run_id, label)
        curves.final = {k: float(v) for k, v in metrics.items()
                        if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)}
        curves.final_step, curves.final_epoch, curves.final_seconds = int(step), float(epoch), seconds
        for name in sorted(curves.final):
            self._offer_metric(name)
        curves.dirty = True
        self._update_legend()
        if self._x_axis == "step" and not any(c.buffers or c.final_step for c in self.runs.values()):
            # Its steps are unknown: on a step axis its markers would all sit at 0.
            self.x_axis_box.setCurrentIndex(self.x_axis_box.findData("epoch"))
            self._epochs_for_final = True

    def set_planned_end(self, run_id: int, step: int | None, epoch: float | None) -> None:
        """Where a live run is planned to end (None when it has ended): both plots keep it in x view."""
        curves = self.runs.get(run_id)
        if curves is not None:
            curves.planned_step, curves.planned_epoch = step, epoch
            self._update_extent()

    def _update_extent(self) -> None:
        ends = [end for c in self.runs.values()
                if (end := {"step": c.planned_step, "epoch": c.planned_epoch}.get(self._x_axis)) is not None]
        span = (0.0, float(max(ends))) if ends else None
        for plot in (self.loss_plot, self.metric_plot):
            plot.extent.set_span(span)

    def _offer_metric(self, metric: str) -> None:
        if metric == self.LOSS or self.metric_box.findText(metric) >= 0:
            return
        # Adding items must not steal the selection from the preferred metric.
        self.metric_box.blockSignals(True)
        self.metric_box.addItem(metric)
        self.metric_box.blockSignals(False)
        if metric == self.preferred_metric or self.metric_box.count() == 1:
            self.metric_box.setCurrentText(metric)
            self._on_metric(metric)

    def _update_legend(self) -> None:
        final_only = [c.label for c in self.runs.values() if c.final and not c.buffers]
        entries = [(pg.mkColor(c.colour).name(), c.label) for c in self.runs.values()]
        self.legend.setText(legend_html(entries, dashed=final_only))
        self.legend.setToolTip(self.tr("◆: only the final values of this run are known (no recorded points)")
                               if final_only else "")
        self.legend.setVisible(bool(entries))

    def add_points(self, run_id: int, metric: str, rows) -> None:
        """Append ``(step, epoch, wall_time, value)`` rows; drawn on the next timer tick."""
        curves = self.runs.get(run_id) or self.add_run(run_id, f"#{run_id}")
        buffer = curves.buffers.get(metric)
        if buffer is None:
            buffer = curves.buffers[metric] = SeriesBuffer()
            self._offer_metric(metric)
        if curves.start_wall is None and len(rows):
            curves.start_wall = float(rows[0][2])
        buffer.extend(rows)
        curves.fresh.add(metric)

    def load_history(self, run_id: int, label: str, points) -> None:
        """Fill a run's curves from stored ``MetricPoint``s."""
        self.add_run(run_id, label)
        by_name: dict[str, list] = {}
        for p in points:
            by_name.setdefault(p.name, []).append((p.step, p.epoch, p.wall_time, p.value))
        for name, rows in by_name.items():
            self.add_points(run_id, name, rows)

    def point_count(self, run_id: int, metric: str) -> int:
        curves = self.runs.get(run_id)
        buffer = curves.buffers.get(metric) if curves else None
        return buffer.n if buffer else 0

    def drawn_points(self, run_id: int, metric: str) -> int:
        """Points of the run's series currently plotted (after the last redraw): the raw curve, or the smoothed
        loss when the raw one is hidden."""
        curves = self.runs.get(run_id)
        if not curves or metric not in curves.items:
            return 0
        raw, smooth = curves.items[metric]
        shown = raw if smooth is None or raw.isVisible() else smooth
        x, _ = shown.getOriginalDataset()
        return 0 if x is None else len(x)

    # -- drawing ----------------------------------------------------------------------
    def _x(self, curves: RunCurves, buffer: SeriesBuffer) -> np.ndarray:
        if self._x_axis == "wall time":
            return buffer.column("wall time") - (curves.start_wall or 0.0)
        return buffer.column(self._x_axis)

    def _ensure_items(self, curves: RunCurves, metric: str):
        if metric in curves.items:
            return curves.items[metric]
        if metric == self.LOSS:
            faint = pg.mkColor(curves.colour)
            faint.setAlpha(60)
            raw = self.loss_plot.plot(pen=pg.mkPen(faint, width=1))
            smooth = self.loss_plot.plot(pen=pg.mkPen(curves.colour, width=1), name=curves.label)
            items = (raw, smooth)
        else:
            line = self.metric_plot.plot(pen=pg.mkPen(curves.colour, width=1), symbol="o", symbolSize=5,
                                         symbolBrush=curves.colour, name=curves.label)
            items = (line, None)
        for item in items:
            if item is not None:
                item.setClipToView(True)
                # Peak downsampling to one bin per pixel (pyqtgraph's default is 5 samples per pixel): each
                # bin still draws its min and max, so the envelope is kept at half the points of factor 2.
                item.opts["autoDownsampleFactor"] = 1.0
                item.setDownsampling(auto=True, method="peak")
        curves.items[metric] = items
        return items

    def _final_x(self, curves: RunCurves) -> float | None:
        if self._x_axis == "step":
            return float(curves.final_step)
        if self._x_axis == "epoch":
            return curves.final_epoch
        return curves.final_seconds

    def raw_loss_shown(self) -> bool:
        """Whether the faint raw loss curves are drawn (see the class notes)."""
        return self._smoothing > 0 and len(self.runs) <= self.RAW_LOSS_MAX_RUNS

    @Slot()
    def redraw(self, *, force: bool = False) -> None:
        changed = False
        show_raw = self.raw_loss_shown()
        if show_raw != self._raw_shown:
            self._raw_shown, force = show_raw, True
        for curves in self.runs.values():
            shown = (self.LOSS, self._metric)
            metrics = shown if curves.dirty or force else [m for m in shown if m in curves.fresh]
            curves.fresh.clear()
            if not metrics:
                continue
            changed = True
            for metric in metrics:
                buffer = curves.buffers.get(metric)
                if buffer is None or buffer.n == 0:
                    x = self._final_x(curves)
                    if metric != self.LOSS and metric in curves.final and x is not None:
                        first, _ = self._ensure_items(curves, metric)
                        first.setSymbol("d")
                        first.setSymbolSize(12)
                        first.setData([x], [curves.final[metric]])
                    continue
                first, second = self._ensure_items(curves, metric)
                x = self._x(curves, buffer)
                y = buffer.column("value")
                if second is None or show_raw:
                    first.setData(x, y)
                    first.show()
                elif first.isVisible():
                    first.hide()
                    first.setData([], [])  # hidden, it would still be clipped and downsampled on every pan
                if second is not None:
                    second.setData(x, ema(y, self._smoothing))
            curves.dirty = False
        if changed or force or not self.runs:
            self._update_messages()
            self._frame_final_markers()
        if self._cursor_pending:
            self._cursor_pending = False
            self._update_cursor()

    def _frame_final_markers(self) -> None:
        """While every shown run is known only by its final values, frame their markers (pyqtgraph would
        put a lone point on a ±0.5 axis)."""
        if not self.runs or any(c.buffers for c in self.runs.values()):
            return
        points = [(x, c.final[self._metric]) for c in self.runs.values()
                  if self._metric in c.final and (x := self._final_x(c)) is not None]
        if points:
            fit_range(self.metric_plot, [x for x, _ in points], [y for _, y in points], min_x_span=4.0)

    def _update_messages(self) -> None:
        """An empty plot says why instead of showing bare 0–1 axes."""
        if not self.runs:
            texts = {self.LOSS: self.tr("Select a run, or start one, to see its curves")}
            texts["metric"] = texts[self.LOSS]
        else:
            with_loss = any(c.buffers.get(self.LOSS) is not None and c.buffers[self.LOSS].n
                            for c in self.runs.values())
            names = ", ".join(c.label for c in self.runs.values())
            if all(c.final and not c.buffers for c in self.runs.values()):
                no_loss = self.tr("No training loss recorded for %1: only its final values are known")
            else:
                no_loss = self.tr("No training loss recorded for %1")
            texts = {self.LOSS: None if with_loss else no_loss.replace("%1", names)}
            with_metric = any((c.buffers.get(self._metric) is not None and c.buffers[self._metric].n)
                              or (self._metric in c.final and self._final_x(c) is not None)
                              for c in self.runs.values())
            texts["metric"] = None if with_metric else self.tr("No evaluation recorded for %1").replace("%1", names)
        for key, plot in ((self.LOSS, self.loss_plot), ("metric", self.metric_plot)):
            if self._messages.get(key, "") != texts[key]:
                self._messages[key] = texts[key]
                set_plot_message(plot, texts[key])
                self._update_cursor()

    def _on_smoothing(self, value: int) -> None:
        self._smoothing = value / 100.0
        self.smoothing_label.setText(f"{self._smoothing:.2f}")
        self.redraw(force=True)

    def _on_log_y(self, on: bool) -> None:
        self.loss_plot.getPlotItem().setLogMode(y=on)
        self.redraw(force=True)

    def _on_x_axis(self, index: int) -> None:
        self._epochs_for_final = False
        self._x_axis = self.x_axis_box.itemData(index)
        self._update_extent()
        label = {"step": self.tr("step"), "epoch": self.tr("epoch"), "wall time": self.tr("seconds")}[self._x_axis]
        for plot in (self.loss_plot, self.metric_plot):
            plot.getPlotItem().setLabel("bottom", label)
            if plot_message(plot):
                plot.getPlotItem().hideAxis("bottom")  # setLabel showed it again
        self._update_cursor()
        self.redraw(force=True)

    def _on_metric(self, metric: str) -> None:
        if not metric:
            return
        for curves in self.runs.values():
            for name, items in list(curves.items.items()):
                if name not in (self.LOSS, metric):
                    for item in items:
                        if item is not None:
                            self.metric_plot.removeItem(item)
                    del curves.items[name]
        self._metric = metric
        self.metric_plot.getPlotItem().setTitle(metric)
        self.redraw(force=True)

    # -- cursor and crosshair ------------------------------------------------------------
    def set_cursor(self, step: int | None, *, defer: bool = False) -> None:
        """Move the cursor line to ``step``. ``defer``: at the next redraw tick, with the curves' new points
        (following a live run, so both repaint in one frame instead of one frame each)."""
        self._cursor_step = step
        if defer:
            self._cursor_pending = True
        else:
            self._cursor_pending = False
            self._update_cursor()

    def _update_cursor(self) -> None:
        for plot in (self.loss_plot, self.metric_plot):
            if self._cursor_step is None or plot_message(plot):
                plot.cursor.hide()
                continue
            x = self._x_for_step(self._cursor_step)
            if x is None:
                plot.cursor.hide()
            else:
                plot.cursor.setPos(x)
                plot.cursor.show()

    def _x_for_step(self, step: int) -> float | None:
        if self._x_axis == "step":
            return float(step)
        for curves in self.runs.values():
            buffer = curves.buffers.get(self.LOSS)
            if buffer is not None and buffer.n:
                steps = buffer.column("step")
                i = int(np.clip(np.searchsorted(steps, step), 0, buffer.n - 1))
                return float(self._x(curves, buffer)[i])
        return None

    def max_step(self) -> int:
        steps = [int(c.buffers[self.LOSS].column("step")[-1]) for c in self.runs.values()
                 if self.LOSS in c.buffers and c.buffers[self.LOSS].n]
        return max(steps, default=0)

    def values_at(self, step: int) -> dict[int, dict[str, float]]:
        """Each run's loss and current metric at the last point with step ≤ ``step``."""
        out: dict[int, dict[str, float]] = {}
        for run_id, curves in self.runs.items():
            row = {}
            for metric in (self.LOSS, self._metric):
                buffer = curves.buffers.get(metric)
                if buffer is None or buffer.n == 0:
                    continue
                i = int(np.searchsorted(buffer.column("step"), step, side="right")) - 1
                if i >= 0:
                    row[metric] = float(buffer.column("value")[i])
            out[run_id] = row
        return out

    def _on_mouse(self, plot: CurvePlot, pos) -> None:
        view = plot.getPlotItem().vb
        if not plot.sceneBoundingRect().contains(pos):
            plot.hover.hide()
            plot.hover_label.hide()
            return
        point = view.mapSceneToView(pos)
        plot.hover.setPos(point.x())
        plot.hover.show()
        metric = self.LOSS if plot is self.loss_plot else self._metric
        lines = [f"x = {point.x():.4g}"]
        for curves in self.runs.values():
            buffer = curves.buffers.get(metric)
            if buffer is None or buffer.n == 0:
                continue
            x = self._x(curves, buffer)
            i = int(np.clip(np.searchsorted(x, point.x()), 0, buffer.n - 1))
            lines.append(f"{curves.label}: {buffer.column('value')[i]:.4g}")
        plot.hover_label.setText("\n".join(lines))
        plot.hover_label.setPos(point.x(), point.y())
        plot.hover_label.show()
