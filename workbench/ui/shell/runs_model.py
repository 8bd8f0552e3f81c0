"""Table model over the run store, for the runs browser."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from workbench.store import Run, RunStore

# Each status's colour on a light and on a dark window (text and icon): mid tones lose contrast on one of the
# two, so the dark theme gets lighter shades of the same hues.
STATUS_COLOURS = {
    "queued": ("#616161", "#bdbdbd"), "running": ("#2e7d32", "#81c784"), "paused": ("#b26a00", "#ffca28"),
    "finished": ("#1565c0", "#64b5f6"), "stopped": ("#6d4c41", "#bcaaa4"), "interrupted": ("#e65100", "#ffa726"),
    "diverged": ("#ad1457", "#f48fb1"), "failed": ("#c62828", "#ef5350"), "cancelled": ("#616161", "#bdbdbd"),
}
_UNKNOWN_COLOURS = ("#616161", "#bdbdbd")
STATUS_ICON_SIZE = 16  # logical pixels: the item views' small-icon size

# The store's status words as the window shows them (translated in context "RunStatus").
STATUS_NAMES = (
    QT_TRANSLATE_NOOP("RunStatus", "queued"), QT_TRANSLATE_NOOP("RunStatus", "running"),
    QT_TRANSLATE_NOOP("RunStatus", "paused"), QT_TRANSLATE_NOOP("RunStatus", "finished"),
    QT_TRANSLATE_NOOP("RunStatus", "stopped"), QT_TRANSLATE_NOOP("RunStatus", "interrupted"),
    QT_TRANSLATE_NOOP("RunStatus", "diverged"), QT_TRANSLATE_NOOP("RunStatus", "failed"),
    QT_TRANSLATE_NOOP("RunStatus", "cancelled"),
)


def status_text(status: str) -> str:
    return QCoreApplication.translate("RunStatus", status)


def _dark_window() -> bool:
    from PySide6.QtGui import QGuiApplication

    from workbench.ui.shell.theme import is_dark

    return is_dark(QGuiApplication.palette())


def status_colour(status: str, dark: bool | None = None):
    """The colour of ``status`` (its icon and its text) on the current palette, or a light/dark one."""
    from PySide6.QtGui import QColor

    light, on_dark = STATUS_COLOURS.get(status, _UNKNOWN_COLOURS)
    return QColor(on_dark if (_dark_window() if dark is None else dark) else light)


_ICONS: dict[tuple[str, float, bool], Any] = {}


def status_icon(status: str, *, device_pixel_ratio: float | None = None, dark: bool | None = None):
    """A drawn icon for ``status`` (cached per status, device pixel ratio and light/dark palette).

    Drawn with QPainter rather than taken from a font: the symbols that would say "queued" or "paused"
    (⏳, ⏸) are missing from many desktop fonts and show as empty boxes. Each status has its own shape, so the
    icons differ without relying on colour alone.
    """
    from PySide6.QtGui import QGuiApplication, QIcon

    # The application's ratio is the highest of its screens; Qt scales that pixmap down on the others.
    app = QGuiApplication.instance()
    ratio = float(device_pixel_ratio or (app.devicePixelRatio() if app is not None else 1.0) or 1.0)
    dark = _dark_window() if dark is None else dark
    key = (status, ratio, dark)
    icon = _ICONS.get(key)
    if icon is None:
        icon = QIcon()
        for scale in sorted({1.0, ratio}):
            icon.addPixmap(_paint_status(status, scale, dark))
        _ICONS[key] = icon
    return icon


def _paint_status(status: str, ratio: float, dark: bool):
    from PySide6.QtCore import QPointF, QRectF
    from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

    size = STATUS_ICON_SIZE
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    colour = status_colour(status, dark)
    mark = QColor("#1e1e1e" if dark else "#ffffff")  # strokes drawn on a filled shape
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    body = QRectF(1.5, 1.5, size - 3, size - 3)
    centre = body.center()

    def pen(colour, width: float) -> QPen:
        p = QPen(colour, width)
        p.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return p

    def points(*xy: float) -> QPolygonF:
        return QPolygonF([QPointF(xy[i], xy[i + 1]) for i in range(0, len(xy), 2)])

    if status == "queued":  # a clock face: waiting for its turn
        painter.setPen(pen(colour, 1.6))
        painter.drawEllipse(body)
        painter.drawPolyline(points(centre.x(), 4.5, centre.x(), centre.y(), 11.0, centre.y()))
    elif status == "running":  # play
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(points(3.5, 2.0, 14.0, 8.0, 3.5, 14.0))
    elif status == "paused":  # two bars
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(3.0, 2.5, 3.8, 11.0), 1.0, 1.0)
        painter.drawRoundedRect(QRectF(9.2, 2.5, 3.8, 11.0), 1.0, 1.0)
    elif status == "finished":  # a tick in a disc
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(body)
        painter.setPen(pen(mark, 1.8))
        painter.drawPolyline(points(4.6, 8.2, 7.0, 10.6, 11.4, 5.4))
    elif status == "stopped":  # a square: stopped by the user, resumable
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(3.0, 3.0, 10.0, 10.0), 1.5, 1.5)
    elif status == "interrupted":  # a warning triangle
        painter.setPen(pen(colour, 1.0))
        painter.setBrush(colour)
        painter.drawPolygon(points(8.0, 1.5, 15.0, 14.0, 1.0, 14.0))
        painter.setPen(pen(mark, 1.7))
        painter.drawLine(QPointF(8.0, 5.8), QPointF(8.0, 9.3))
        painter.drawPoint(QPointF(8.0, 11.8))
    elif status == "diverged":  # a curve that runs away upwards
        painter.setPen(pen(colour, 1.8))
        path = QPainterPath(QPointF(2.0, 13.0))
        path.cubicTo(QPointF(8.0, 13.0), QPointF(10.5, 10.0), QPointF(12.5, 3.0))
        painter.drawPath(path)
        painter.drawPolyline(points(9.8, 4.6, 12.6, 2.6, 14.2, 5.8))
    elif status == "failed":  # a cross in a disc
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(body)
        painter.setPen(pen(mark, 1.8))
        painter.drawLine(QPointF(5.5, 5.5), QPointF(10.5, 10.5))
        painter.drawLine(QPointF(10.5, 5.5), QPointF(5.5, 10.5))
    elif status == "cancelled":  # a slashed circle
        painter.setPen(pen(colour, 1.6))
        painter.drawEllipse(body)
        painter.drawLine(QPointF(4.0, 12.0), QPointF(12.0, 4.0))
    else:  # a status this window does not know yet: a plain dot
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(4.5, 4.5, 7.0, 7.0))
    painter.end()
    return pixmap


RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def primary_metric(run: Run) -> tuple[str, float | None]:
    """The task's primary metric and its value: the run's final (or latest epoch's) summary, which pretrained and
    imported runs carry without any metric points."""
    from workbench.tasks_meta import primary_metric_name

    name = primary_metric_name(run.task)
    value = run.metrics.get(name)
    return name, float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# How the Metric column and its tooltip name each task's primary metric (translated in context "RunsTableModel").
METRIC_LABELS = {
    "test_accuracy": QT_TRANSLATE_NOOP("RunsTableModel", "test accuracy"),
    "overall_accuracy": QT_TRANSLATE_NOOP("RunsTableModel", "overall accuracy (OA)"),
    "val_psnr": QT_TRANSLATE_NOOP("RunsTableModel", "validation PSNR"),
    "map_average": QT_TRANSLATE_NOOP("RunsTableModel", "mAP (mean of both directions)"),
}
NO_VALUE = "–"


def format_metric(name: str, value: float) -> str:
    if name == "val_psnr":
        return f"{value:.2f} dB"
    return f"{value:.4f}"


def run_origin(run: Run) -> str | None:
    """``"imported"`` for weights imported as a run (not trained here, no epochs), ``"pretrained"`` for a shipped
    model, else None. Read from the summary the importers write: a user's tag cannot change it."""
    if "imported_from" in run.summary and run.epoch == 0:
        return "imported"
    if isinstance(run.summary.get("pretrained"), dict):
        return "pretrained"
    return None


_ROOT = QModelIndex()  # the invalid index Qt passes for "the whole table"


class RunsTableModel(QAbstractTableModel):
    # Identifiers in code, translated in headerData (lupdate reads them here).
    COLUMNS = (
        QT_TRANSLATE_NOOP("RunsTableModel", "ID"), QT_TRANSLATE_NOOP("RunsTableModel", "Status"),
        QT_TRANSLATE_NOOP("RunsTableModel", "Model"), QT_TRANSLATE_NOOP("RunsTableModel", "Dataset"),
        QT_TRANSLATE_NOOP("RunsTableModel", "Metric"), QT_TRANSLATE_NOOP("RunsTableModel", "Epoch"),
        QT_TRANSLATE_NOOP("RunsTableModel", "Name"), QT_TRANSLATE_NOOP("RunsTableModel", "Task"),
        QT_TRANSLATE_NOOP("RunsTableModel", "Created"),
    )

    def __init__(self, store: RunStore, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.runs: list[Run] = []

    def refresh(self) -> None:
        self.beginResetModel()
        self.runs = self.store.list_runs()
        self.endResetModel()

    def update_run(self, run_id: int) -> None:
        """Re-read one run (cheap; keeps selection), or reload all if it is new."""
        for row, run in enumerate(self.runs):
            if run.id == run_id:
                self.runs[row] = self.store.get_run(run_id)
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                return
        self.refresh()

    def run_at(self, row: int) -> Run:
        return self.runs[row]

    def row_of(self, run_id: int) -> int | None:
        for row, run in enumerate(self.runs):
            if run.id == run_id:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:  # the status column holds icons: its name would only widen it
            return "" if column == "Status" else self.tr(column)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole) and column == "Status":
            return self.tr(column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "Metric":
            return self.tr("Each task's primary metric at the end of the run (or of its latest epoch): "
                           "classification test accuracy, hyperspectral overall accuracy, denoising validation "
                           "PSNR, retrieval mAP")
        return None

    def _metric_text(self, run: Run) -> str:
        name, value = primary_metric(run)
        return NO_VALUE if value is None else format_metric(name, value)

    def _epoch_text(self, run: Run) -> str:
        if run_origin(run) == "imported":
            return self.tr("imported")
        return f"{run.epoch}/{run.config.get('epochs', '?')}"

    def _tooltip(self, run: Run) -> str:
        from workbench.studies import factor_of, study_of

        tip = self.tr("#%1 %2 on %3 — %4").replace("%1", str(run.id)).replace("%2", run.model) \
            .replace("%3", run.dataset).replace("%4", status_text(run.status))
        if run.name:
            tip += f"\n{run.name}"
        name, value = primary_metric(run)
        if value is not None:
            label = self.tr(METRIC_LABELS[name]) if name in METRIC_LABELS else name
            tip += f"\n{label}: {format_metric(name, value)}"
        origin = run_origin(run)
        if origin == "imported":
            tip += "\n" + self.tr("Imported weights: not trained here, no metric was measured at import")
        elif origin == "pretrained":
            tip += "\n" + self.tr("Shipped pretrained model")
        study = study_of(run.tags)
        if study:
            tip += "\n" + self.tr("Study: %1").replace("%1", study)
            factor = factor_of(run.tags)
            if factor:
                tip += "\n" + self.tr("Factor: %1").replace("%1", factor)
        if run.message:
            tip += f"\n{run.message}"
        if run.tags:
            tip += "\n" + self.tr("tags: %1").replace("%1", ", ".join(run.tags))
        return tip

    def display(self, run: Run, column: str) -> str | None:
        """What the cell of ``run`` in ``column`` shows (the runs browser also measures its columns with it)."""
        if column == "ID":
            return f"#{run.id}"
        if column == "Status":  # drawn as an icon; the word is its tooltip and what a screen reader says
            return None
        if column == "Name":
            if run.damaged:  # one damaged row costs that row only: it is listed, marked, and says why
                return self.tr("⚠ damaged %1").replace("%1", ", ".join(run.damaged)) + (
                    f" · {run.name}" if run.name else "")
            return run.name
        if column == "Task":
            return run.task
        if column == "Model":
            return run.model
        if column == "Dataset":
            return run.dataset
        if column == "Epoch":
            return self._epoch_text(run)
        if column == "Metric":
            return self._metric_text(run)
        if column == "Created":
            return datetime.fromtimestamp(run.created_at).strftime("%Y-%m-%d %H:%M")
        return None

    @staticmethod
    def _sort_key(run: Run, column: str) -> Any:
        if column == "Metric":
            value = primary_metric(run)[1]
            return value if value is not None else float("-inf")
        return {"ID": run.id, "Status": run.status, "Name": run.name, "Task": run.task, "Model": run.model,
                "Dataset": run.dataset, "Epoch": run.epoch, "Created": run.created_at}.get(column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run = self.runs[index.row()]
        column = self.COLUMNS[index.column()]
        if role == RUN_ID_ROLE:
            return run.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(run, column)
        if role == SORT_ROLE:
            return self._sort_key(run, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == "Status":
                return status_icon(run.status)
            if column == "ID" and run.damaged:
                from PySide6.QtWidgets import QApplication, QStyle

                # The Name column (often scrolled out of view) says what is damaged; the ID column shows that it is.
                return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == "Status":
            return status_text(run.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "Metric":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Status":
                return status_text(run.status) + ("\n" + run.message if run.message else "")
            return self._tooltip(run)
        return None
