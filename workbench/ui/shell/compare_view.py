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
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.compare import (
    DASH,
    SUMMARY_COLUMNS,
    RunGroup,
    config_defaults,
    config_diff,
    curve_xy,
    finite,
    format_cell,
    format_number,
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
from workbench.ui.shell.curves import RUN_PALETTE, fit_range, legend_html, run_colours, set_plot_message

# Runs are coloured by id (see run_colours), as in the Training tab's curves.
PALETTE = RUN_PALETTE
PUBLISHED_COLOUR = "#9e9e9e"
CURSOR_COLOUR = "#ffb300"  # amber: visible on dark and light backgrounds

# Scatter x choices: (key in run_summary, shown on a log axis).
SCATTER_X = {"params": True, "flops": True, "latency_ms": False}


def colour_for(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def si_label(value: float, step: float) -> str:
    """``value`` with an SI prefix (50k, 1.2M), with as many decimals as ``step`` between ticks needs."""
    scale, suffix = next(((s, p) for s, p in _SI if abs(value) >= s), (1.0, ""))
    decimals = 0 if step <= 0 else max(0, min(3, math.ceil(-math.log10(step / scale) - 1e-9)))
    text = f"{value / scale:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + suffix


def nice_ticks(low: float, high: float, max_ticks: int, *, log: bool) -> list[float]:
    """At most ``max_ticks`` round values in [low, high]: decades (with 2 and 5 between when there is room)
    over a wide log range, else evenly spaced multiples of 1, 2, 2.5 or 5 × 10^k; at least two when possible."""
    low, high = sorted((float(low), float(high)))
    max_ticks = max(2, int(max_ticks))
    if log and low > 0 and high / low >= 10:
        first, last = math.floor(math.log10(low)), math.floor(math.log10(high))
        decades = [10.0 ** k for k in range(first, last + 1)]
        for multiples in ((1, 2, 5), (1, 3), (1,)):
            values = [m * d for d in decades for m in multiples if low <= m * d <= high]
            if len(values) <= max_ticks:
                return values
        inside = [d for d in decades if low <= d <= high]
        return inside[::math.ceil(len(inside) / max_ticks)]
    span = high - low
    if span <= 0:
        return [low]
    for count in range(max_ticks, 0, -1):
        raw = span / count
        exponent = math.floor(math.log10(raw))
        step = next(m * 10.0 ** exponent for m in (1, 2, 2.5, 5, 10) if m * 10.0 ** exponent >= raw * (1 - 1e-9))
        start = math.ceil(low / step - 1e-9) * step
        values = [start + i * step for i in range(int((high - start) / step + 1e-9) + 1)]
        if 2 <= len(values) <= max_ticks:
            return values
    return [low, high]


class CostAxis(pg.AxisItem):
    """The scatter's cost axis: on a log scale, round values spaced to fit the axis, labelled 50k, 1.2M.

    pyqtgraph's log axis labels every minor tick "5·10⁴" when the range is under a decade, so the labels
    of neighbouring ticks overprint."""

    LABEL_PX = 64  # room per tick label, as wide as "999.5k" and a gap

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's names)
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        low, high = 10.0 ** min(minVal, maxVal), 10.0 ** max(minVal, maxVal)
        values = nice_ticks(low, high, int(size // self.LABEL_PX), log=True)
        return [(None, [math.log10(v) for v in values if v > 0])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        real = [10.0 ** v for v in values]
        gaps = [b - a for a, b in zip(real, real[1:]) if b > a]
        step = min(gaps) if gaps else (real[0] if real else 1.0)
        return [si_label(v, step) for v in real]


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
        self._group_colours: list[QColor] = []
        self._defaults: dict[int, dict[str, Any]] = {}
        self._epochs_chosen_for_final = False
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
        self.notes.hide()

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Metric:")))
        controls.addWidget(self.metric_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("X axis:")))
        controls.addWidget(self.x_combo)
        controls.addSpacing(12)
        controls.addWidget(QLabel(self.tr("Cost:")))
        controls.addWidget(self.scatter_x_combo)
        controls.addStretch(1)

        # Not PlotWidget(objectName=...): PlotWidget passes unknown keywords on to plot(), adding a stray curve.
        self.curves = pg.PlotWidget()
        self.curves.setObjectName("compareCurves")
        self.curves.setClipToView(True)
        self.curves.setDownsampling(auto=True, mode="peak")
        self.curves.showGrid(x=True, y=True, alpha=0.2)
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

        # The legend is a row above the plot, never on the curves.
        self.legend = QLabel(objectName="compareLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        curve_box = QWidget()
        curve_layout = QVBoxLayout(curve_box)
        curve_layout.setContentsMargins(0, 0, 0, 0)
        curve_layout.addWidget(self.legend)
        curve_layout.addWidget(self.curves, 1)

        self.scatter = pg.PlotWidget(axisItems={"bottom": CostAxis("bottom")})
        self.scatter.setObjectName("compareScatter")
        self.scatter.showGrid(x=True, y=True, alpha=0.2)
        self.scatter.setMinimumSize(200, 200)
        self.scatter.setBackground(None)
        self.scatter.getAxis("left").enableAutoSIPrefix(False)
        self.pareto_line = pg.PlotDataItem(pen=pg.mkPen("#bdbdbd", width=1.5, style=Qt.PenStyle.DashLine))
        self.scatter_points = pg.PlotDataItem(pen=None, symbol="o", symbolSize=10)
        self.scatter.addItem(self.pareto_line)
        self.scatter.addItem(self.scatter_points)
        # Point labels are placed in pixels, so they move when the view is resized or panned.
        self.scatter.getPlotItem().vb.sigTransformChanged.connect(self._layout_point_labels)
        self.scatter.getPlotItem().vb.sigResized.connect(self._layout_point_labels)
        self._placed: dict[int, tuple[float, float]] = {}

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
        top.addWidget(curve_box)
        top.addWidget(self.scatter)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        top.setSizes([600, 400])

        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, self.tr("Summary"))
        self.tabs.addTab(self.diff_table, self.tr("Configuration differences"))
        self.tabs.addTab(self.cursor_table, self.tr("Values at cursor"))
        self.verdict_view = QTextBrowser(objectName="compareVerdict")
        self.verdict_view.setOpenLinks(False)
        self.tabs.addTab(self.verdict_view, self.tr("Verdict"))
        self.verdict = None  # the last workbench.verdicts.Verdict shown (None: fewer than two groups)
        # The course question a study answers (Help ▸ Course questions' card), shown while its runs are compared.
        self.question_page = QScrollArea(objectName="compareQuestion")
        self.question_page.setWidgetResizable(True)
        self.question_page.setFrameShape(QFrame.Shape.NoFrame)
        self.question_card = None  # an answers_view.AnswerCard, built for the first study of a question
        self._question_study: str | None = None
        self._question_stale = False
        self.tabs.addTab(self.question_page, self.tr("Question"))
        self.tabs.setTabVisible(self.tabs.indexOf(self.question_page), False)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 240])

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.notes)
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
        self._groups = self._group(runs) if runs else []
        # A group takes the colour of its first run; the colour follows the run id, not the row.
        leads = [min(run.id for run in group.runs) for group in self._groups]
        by_id = run_colours(sorted(leads))
        self._group_colours = [QColor(by_id[lead]) for lead in leads]
        self._colours = {run.id: self._group_colours[index]
                         for index, group in enumerate(self._groups) for run in group.runs}
        self._fill_metric_combo()
        self._prefer_epochs_for_final_values()
        self._rebuild_curve_items()
        self._update_curves()
        self._update_table()
        self._update_diff_table()
        self._rebuild_point_labels()
        self._update_scatter()
        self._update_cursor()
        self._update_notes()
        self._update_verdict()
        self._update_question()

    def _group(self, runs: list[Run]) -> list[RunGroup]:
        """The runs grouped by ``group_by``. A key whose value is a whole dict (the DnCNN and SE studies vary
        ``model_options`` as one) is grouped by that dict and labelled by the study's factor tags
        (:func:`workbench.verdicts.group_by_factor`); a key no run has falls back to one group."""
        if self._group_by:
            from workbench.verdicts import VerdictError, group_by_factor

            try:
                return group_by_factor(runs, self._group_by)
            except VerdictError:
                pass
        return group_runs(runs, by=self._group_by)

    def _update_question(self) -> None:
        """Show the Question tab when the compared runs are one study of a course question's preset; its card
        is filled when the tab is shown (a verdict with its bootstrap is not free)."""
        from workbench.answers import question_of_study
        from workbench.studies import study_of

        studies = {study_of(run.tags) for run in self._runs}
        study = studies.pop() if len(studies) == 1 else None
        q = question_of_study(study) if study else None
        self._question_study = study if q is not None else None
        self.tabs.setTabVisible(self.tabs.indexOf(self.question_page), q is not None)
        self._question_stale = q is not None
        if q is not None and self.tabs.currentWidget() is self.question_page:
            self._fill_question()

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        if self._question_stale and self.tabs.currentWidget() is self.question_page:
            self._fill_question()

    def _fill_question(self) -> None:
        from workbench.answers import answer, question_of_study
        from workbench.ui.shell.answers_view import AnswerCard, translate

        q = question_of_study(self._question_study)
        if self.question_card is None or self.question_card.question is not q:
            self.question_card = AnswerCard(q)
            self.question_page.setWidget(self.question_card)
        self.question_card.set_answer(answer(self.store, q, translate=translate, study=self._question_study),
                                      actions=False)
        self._question_stale = False

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

    def _final_value(self, run: Run, name: str) -> float | None:
        """The run's reported final value of ``name`` when it recorded no points of it (imported weights)."""
        if not name or self._metric_points(run, name):
            return None
        return finite(run.metrics.get(name))

    def _final_x(self, run: Run, drawn_end: float) -> float:
        """Where a run known only by its final values ended, on the current x axis."""
        axis = self.x_axis()
        if axis == "epoch":
            return float(run.epoch)
        if axis == "wall":
            return float(run.seconds) if run.seconds is not None else drawn_end
        return float(run.step) if run.step else drawn_end

    def _run_curve(self, run: Run, name: str, drawn_end: float) -> tuple[np.ndarray, np.ndarray]:
        """The recorded curve, or a single point at the end of training for a run with only final values."""
        final = self._final_value(run, name)
        if final is not None:
            return np.array([self._final_x(run, drawn_end)]), np.array([final])
        return self._curve(run, name)

    def final_only_run_ids(self) -> list[int]:
        """Runs drawn by their final value of the selected metric only (they recorded no points of it)."""
        name = self.selected_metric()
        return [run.id for run in self._runs if self._final_value(run, name) is not None]

    # -- metric selector ------------------------------------------------------
    def _fill_metric_combo(self) -> None:
        previous = self.selected_metric()
        names: set[str] = set()
        for run in self._runs:
            recorded = self.store.metric_names(run.id)
            # A run without points (imported weights) offers the final metrics it reports.
            names.update(recorded or (key for key, value in run.metrics.items() if finite(value) is not None))
        names = sorted(names)
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

    def _prefer_epochs_for_final_values(self) -> None:
        """When every run is known by its final values only and their steps are unknown (imported weights),
        plot against epochs: on a step axis all their markers would sit at step 0."""
        final_only = set(self.final_only_run_ids())
        steps_unknown = (bool(self._runs) and all(run.id in final_only for run in self._runs)
                         and not any(run.step for run in self._runs))
        wanted = None
        if steps_unknown and self.x_axis() == "step":
            wanted, self._epochs_chosen_for_final = "epoch", True
        elif not steps_unknown and self._epochs_chosen_for_final:
            wanted, self._epochs_chosen_for_final = "step", False  # back to what the user had
        if wanted:
            self.x_combo.blockSignals(True)
            self.x_combo.setCurrentIndex(self.x_combo.findData(wanted))
            self.x_combo.blockSignals(False)

    @Slot(int)
    def _on_metric_changed(self, _index: int) -> None:
        self._update_curves()
        self._update_table()
        self._update_cursor()
        self._update_notes()
        self._update_verdict()

    def _update_verdict(self) -> None:
        """Is the difference between the groups real? The selected metric's verdict (workbench.verdicts):
        each group against the first, with a 95 % bootstrap CI, Welch's t-test, Hedges' g and a sentence."""
        from html import escape

        from workbench.verdicts import VerdictError, verdict_for_groups

        self.verdict = None
        groups = [g for g in self._groups if g.runs]
        if len(groups) < 2:
            self.verdict_view.setHtml("<p>" + escape(self.tr(
                "A verdict compares groups of runs: select runs of two or more configurations, each over a few "
                "seeds (a study does this for you).")) + "</p>")
            return
        metric = self.selected_metric()
        try:
            verdict = verdict_for_groups(self.store, groups, metrics=[metric] if metric else None,
                                         translate=lambda text: QCoreApplication.translate("Verdicts", text))
        except VerdictError as exc:
            self.verdict_view.setHtml("<p>" + escape(str(exc)) + "</p>")
            return
        self.verdict = verdict
        parts = []
        for m in verdict.metrics:
            unit = f" ({escape(m.unit.unit)})" if m.unit.unit else ""
            parts.append(f"<h4>{escape(m.label)}{unit}</h4><table cellspacing='0' cellpadding='3'>")
            parts.append("<tr>" + "".join(f"<th align='left'>{escape(h)}</th>" for h in (
                self.tr("group"), "n", self.tr("mean ± std"), self.tr("difference [95 % CI]"), "Welch p",
                "Hedges' g")) + "</tr>")
            stats_of = {c.group: c.stats for c in m.comparisons}
            for g in m.groups:
                mean = m.unit.number(g.mean)
                spread = f"{mean} ± {m.unit.number(g.std)}" if g.std is not None else mean
                st = stats_of.get(g.name)
                if st is None:
                    cells = (self.tr("baseline"), "", "")
                else:
                    ci = f"[{m.unit.number(st.ci_low, signed=True)}, {m.unit.number(st.ci_high, signed=True)}]" \
                        if st.ci_low is not None else ""
                    p, g_eff = st.welch_p, st.hedges_g
                    p_value = "–" if p is None or not math.isfinite(p) else "< 0.001" if p < 0.001 else f"{p:.3f}"
                    g_text = "–" if g_eff is None or not math.isfinite(g_eff) else f"{g_eff:+.2f}".replace("-", "−")
                    cells = (f"{m.unit.number(st.difference, signed=True)} {ci}".strip(), p_value, g_text)
                parts.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in
                                              (g.label, g.n, spread, *cells)) + "</tr>")
            parts.append("</table><ul>")
            for c in m.comparisons:
                notes = "".join(f"<br/><small>{escape(n)}</small>" for n in c.notes)
                parts.append(f"<li>{escape(c.sentence)}{notes}</li>")
            parts.append("</ul>")
            parts.extend(f"<p><small>{escape(n)}</small></p>" for n in m.notes)
        parts.extend(f"<p><small>{escape(n)}</small></p>" for n in verdict.notes)
        self.verdict_view.setHtml("".join(parts))

    @Slot(int)
    def _on_x_axis_changed(self, _index: int) -> None:
        self._epochs_chosen_for_final = False  # the user's choice from now on
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
            colour = self._group_colours[index]
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
        # Runs with only a final value are drawn at the end of the others' curves when their own end is unknown.
        ends = [float(x[-1]) for run in self._runs for x in [self._curve(run, name)[0]] if x.size]
        drawn_end = max(ends, default=0.0)
        final_only = set(self.final_only_run_ids())
        for row in self._row_items:
            marker = all(run.id in final_only for run in row.runs)
            colour = row.line.opts["pen"].color()
            if row.fill is None:
                x, y = self._run_curve(row.runs[0], name, drawn_end)
            else:
                x, y, std = mean_std_curve([self._run_curve(run, name, drawn_end) for run in row.runs])
                row.upper.setData(x, y + std)
                row.lower.setData(x, y - std)
            # A line needs two points: a curve of one or a few points (one-epoch runs) is drawn with its points.
            few = len(x) <= 12
            row.line.setSymbol("d" if marker else "o" if few else None)
            row.line.setSymbolSize(12 if marker else 7)
            row.line.setSymbolBrush(colour)
            row.line.setSymbolPen(pg.mkPen("#ffffff", width=1))
            row.line.setData(x, y)
        x_titles = {"step": self.tr("Step"), "epoch": self.tr("Epoch"), "wall": self.tr("Wall time (s)")}
        self.curves.setLabel("bottom", x_titles[self.x_axis()])
        self.curves.setLabel("left", name)
        self._update_published_lines(name)
        self._update_legend(final_only)
        # The full data: getData() is clipped to the current view.
        drawn = [data for data in (item.line.getOriginalDataset() for item in self._row_items)
                 if data[0] is not None and len(data[0])]
        if drawn:
            set_plot_message(self.curves, None)
            if all(len(x) == 1 for x, _ in drawn):  # single markers only: a range around them, not ±0.5
                # Steps and epochs are whole numbers: at least two of them either side.
                fit_range(self.curves, [float(x[0]) for x, _ in drawn], [float(y[0]) for _, y in drawn],
                          min_x_span=4.0)
            else:
                # Frame the full curves first: with clip-to-view, auto-range alone would fit y to the points
                # inside the previous x range only.
                xs = [float(v) for x, _ in drawn for v in x]
                ys = [float(v) for _, y in drawn for v in y]
                fit_range(self.curves, xs, ys, fraction=0.02)
                self.curves.getPlotItem().vb.enableAutoRange()
        elif not self._runs:
            set_plot_message(self.curves, self.tr("Select two or more runs in the Runs list and choose Compare"))
        else:
            set_plot_message(self.curves, self.tr("None of these runs recorded %1")
                             .replace("%1", name or self.tr("a metric")))

    def _update_legend(self, final_only: set[int]) -> None:
        entries, markers = [], []
        for index, (group, row) in enumerate(zip(self._groups, self._row_items)):
            name = row.line.name() or group.row_label
            if all(run.id in final_only for run in group.runs):
                name = self.tr("%1 (final value)").replace("%1", name)
                markers.append(name)
            entries.append((self._group_colours[index].name(), name))
        self.legend.setText(legend_html(entries, dashed=markers))
        self.legend.setVisible(bool(entries))

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
            (self.tr("Training (s)"), self.tr("Seconds spent training and evaluating; paused time, the wait in "
                                              "the queue and the gap before a resume are left out")),
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
                if key == "seconds" and len(row["run_ids"]) == 1:
                    item.setToolTip(self._wall_tip(row["run_ids"][0]))
                self.table.setItem(r, c, item)

    def _wall_tip(self, run_id: int) -> str:
        run = next((run for run in self._runs if run.id == run_id), None)
        if run is None or run.seconds is None:
            return ""
        return self.tr("Wall clock from start to finish: %1 s").replace("%1", format_number(run.seconds, "seconds"))

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
        grey = QColor(PUBLISHED_COLOUR)
        for r, key in enumerate(keys):
            for c, value in enumerate(self._diff[key]):
                # Looked up only for a missing value: finding the defaults imports the engines.
                default = self._config_defaults(self._runs[c]).get(key) if value is None else None
                if default is not None:
                    # Not set in the run's configuration: the default applied, so show it, marked as such.
                    item = QTableWidgetItem(self.tr("%1 (default)").replace("%1", format_config_value(default)))
                    item.setForeground(grey)
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                    item.setToolTip(self.tr("Not set in this run's configuration: the default value applies"))
                else:
                    item = QTableWidgetItem(format_config_value(value))
                    if value is None:
                        item.setToolTip(self.tr("Not an option of this run's model or dataset"))
                self.diff_table.setItem(r, c, item)

    def _config_defaults(self, run: Run) -> dict[str, Any]:
        if run.id not in self._defaults:
            self._defaults[run.id] = config_defaults(run)
        return self._defaults[run.id]

    # -- cost versus quality --------------------------------------------------
    def _rebuild_point_labels(self) -> None:
        plot = self.scatter.getPlotItem()
        for label in self._point_labels.values():
            plot.removeItem(label)
        self._point_labels = {}
        for run in self._runs:
            label = pg.TextItem(f"#{run.id}", color=self._colours.get(run.id), anchor=(0, 0))
            label.setToolTip(run.title)
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
        self._placed = {run_id: (math.log10(x) if log_x else x, y) for run_id, x, y in zip(ids, xs, ys)}
        titles = {"params": self.tr("Parameters"), "flops": self.tr("FLOPs"),
                  "latency_ms": self.tr("Inference latency (ms)")}
        self.scatter.setLabel("bottom", titles[key])
        self.scatter.setLabel("left", quality)
        if ids:
            set_plot_message(self.scatter, None)
            fit_range(self.scatter, [math.log10(x) if log_x else x for x in xs], ys)
        else:
            set_plot_message(self.scatter, self.tr("No run has both a cost and a final %1")
                             .replace("%1", quality or self.tr("metric")))
        self._layout_point_labels()

    @Slot()
    def _layout_point_labels(self, *_args) -> None:
        """Put each run's "#id" label beside its point where it overlaps no other label or point: the first
        free place of above-right, above-left, below-right, below-left, then the same one line further out."""
        vb = self.scatter.getPlotItem().vb
        radius = 7.0  # the marker's radius in pixels, and a gap
        centres = {run_id: vb.mapViewToScene(QPointF(x, y)) for run_id, (x, y) in self._placed.items()}
        taken = [QRectF(c.x() - radius, c.y() - radius, 2 * radius, 2 * radius) for c in centres.values()]
        area = vb.sceneBoundingRect()
        for run_id, label in self._point_labels.items():
            if run_id not in centres:
                label.hide()
        order = sorted(centres, key=lambda i: (centres[i].x(), centres[i].y()))
        for run_id in order:
            label, centre = self._point_labels[run_id], centres[run_id]
            size = label.textItem.boundingRect()
            w, h = size.width(), size.height()
            candidates = []
            for ring in range(6):
                for right in (True, False):
                    for up in (True, False):
                        left_x = centre.x() + radius if right else centre.x() - radius - w
                        top_y = centre.y() - h * (1 + ring) + radius if up else centre.y() + h * ring - radius
                        candidates.append(QRectF(left_x, top_y, w, h))
            free = [r for r in candidates if not any(r.intersects(t) for t in taken)]
            inside = [r for r in free if area.contains(r)]
            chosen = (inside or free or candidates)[0]
            taken.append(chosen)
            label.setPos(vb.mapSceneToView(chosen.topLeft()))
            label.show()

    def point_label_rects(self) -> dict[int, QRectF]:
        """Where each shown "#id" label of the scatter is drawn, in scene coordinates."""
        return {run_id: label.sceneBoundingRect() for run_id, label in self._point_labels.items()
                if label.isVisible()}

    def point_labels(self) -> dict[int, pg.TextItem]:
        return dict(self._point_labels)

    def point_scene_positions(self) -> dict[int, QPointF]:
        vb = self.scatter.getPlotItem().vb
        return {run_id: vb.mapViewToScene(QPointF(x, y)) for run_id, (x, y) in self._placed.items()}

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
        final_only = set(self.final_only_run_ids())
        if final_only:
            notes.append(self.tr("Only the final %1 is known for %2 (no recorded points): drawn as one ◆ marker "
                                 "at the end of training.").replace("%1", name)
                         .replace("%2", ", ".join(f"#{i}" for i in sorted(final_only))))
        missing = [run for run in self._runs if run.id not in final_only and not self._metric_points(run, name)]
        if missing:
            notes.append(self.tr("No %1 recorded for %2.").replace("%1", name or self.tr("metric"))
                         .replace("%2", ", ".join(f"#{run.id}" for run in missing)))
        self.notes.setText("  ".join(notes))
        self.notes.setVisible(bool(notes))
