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

STATUS_SYMBOLS = {
    "queued": "⏳", "running": "▶", "paused": "⏸", "finished": "✔", "stopped": "■",
    "interrupted": "⚠", "diverged": "✖", "failed": "✖", "cancelled": "⊘",
}
STATUS_COLOURS = {
    "running": "#2e7d32", "paused": "#f9a825", "finished": "#1565c0", "interrupted": "#ef6c00",
    "diverged": "#c62828", "failed": "#c62828", "stopped": "#6d4c41", "cancelled": "#757575",
    "queued": "#757575",
}

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


RUN_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def primary_metric(run: Run) -> tuple[str, float | None]:
    from workbench.tasks_meta import primary_metric_name

    name = primary_metric_name(run.task)
    return name, run.metrics.get(name)


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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        run = self.runs[index.row()]
        column = self.COLUMNS[index.column()]
        if role == RUN_ID_ROLE:
            return run.id
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            sort = role == SORT_ROLE
            if column == "ID":
                return run.id if sort else f"#{run.id}"
            if column == "Status":
                return run.status if sort else f"{STATUS_SYMBOLS.get(run.status, '')} {status_text(run.status)}"
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
                return run.epoch if sort else f"{run.epoch}/{run.config.get('epochs', '?')}"
            if column == "Metric":
                name, value = primary_metric(run)
                if sort:
                    return value if value is not None else float("-inf")
                return "" if value is None else f"{value:.4f}"
            if column == "Created":
                return run.created_at if sort else datetime.fromtimestamp(run.created_at).strftime("%Y-%m-%d %H:%M")
        if role == Qt.ItemDataRole.DecorationRole and column == "ID" and run.damaged:
            from PySide6.QtWidgets import QApplication, QStyle

            # The Name column (often scrolled out of view) says what is damaged; the ID column shows that it is.
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ForegroundRole and column == "Status":
            from PySide6.QtGui import QColor

            return QColor(STATUS_COLOURS.get(run.status, "#000000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.tr("#%1 %2 on %3 — %4").replace("%1", str(run.id)).replace("%2", run.model) \
                .replace("%3", run.dataset).replace("%4", status_text(run.status))
            if run.message:
                tip += f"\n{run.message}"
            if run.tags:
                tip += "\n" + self.tr("tags: %1").replace("%1", ", ".join(run.tags))
            return tip
        return None
