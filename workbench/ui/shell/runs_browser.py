"""The runs browser: search, filters, multi-select, rename/tag (undoable), delete."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.store import STATUSES, RunStore
from workbench.ui.shell.runs_model import RUN_ID_ROLE, SORT_ROLE, RunsTableModel, status_icon, status_text

ANY = "__any__"

# The columns the list's default width asks for: ID, status icon, model, dataset, metric and epoch. Where the window
# is narrow (1366 or 1400 pixels) the dock gets its minimum width, which still shows the first five in full; name,
# task and created are a scroll away.
SHOWN_COLUMNS = 6
# The widest a column is made to fit its contents; a longer value is elided and its tooltip says it all.
MAX_FITTED_WIDTH = {"Model": 200, "Dataset": 200, "Name": 320}
MAX_OTHER_WIDTH = 160
CELL_AIR = 4  # pixels


class RunsFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.text = ""
        self.task = self.model = self.status = None
        self.setSortRole(SORT_ROLE)

    def set_filters(self, *, text=None, task=ANY, model=ANY, status=ANY) -> None:
        if text is not None:
            self.text = text.strip().lower()
        if task != ANY:
            self.task = task
        if model != ANY:
            self.model = model
        if status != ANY:
            self.status = status
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        run = self.sourceModel().run_at(source_row)
        if self.task and run.task != self.task:
            return False
        if self.model and run.model != self.model:
            return False
        if self.status and run.status != self.status:
            return False
        if self.text:
            haystack = " ".join([f"#{run.id}", run.name, run.task, run.model, run.dataset, run.status,
                                 *run.tags]).lower()
            return all(word in haystack for word in self.text.split())
        return True


class RunsView(QTableView):
    """The runs table, whose size hint is the width its first columns need, so the dock opens wide enough to show
    model, dataset and metric without eliding them."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        header = self.horizontalHeader()
        columns = sum(header.sectionSize(c) for c in range(min(SHOWN_COLUMNS, header.count())))
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return QSize(columns + 2 * self.frameWidth() + scrollbar, hint.height())

    def text_width(self, text: str, *, icon: bool = False) -> int:
        """The width of a cell showing ``text`` (and an icon), as the delegate would size it."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.text = text
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
        if icon:
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            side = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
            option.decorationSize = self.iconSize() if self.iconSize().isValid() else QSize(side, side)
        return self.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, option, QSize(), self).width() \
            + self._grid()

    def _grid(self) -> int:
        # A cell is drawn one pixel narrower than its section when the grid is shown (as sizeHintForColumn counts
        # it), plus a little air so the text does not touch the line.
        return (1 if self.showGrid() else 0) + CELL_AIR


class EditRunCommand(QUndoCommand):
    """Rename or retag a run; undo restores the previous value."""

    def __init__(self, browser: "RunsBrowser", run_id: int, field: str, new, old) -> None:
        label = {"name": QCoreApplication.translate("RunsBrowser", "Rename run #%1"),
                 "tags": QCoreApplication.translate("RunsBrowser", "Edit tags of run #%1")}[field]
        super().__init__(label.replace("%1", str(run_id)))
        self.browser, self.run_id, self.field, self.new, self.old = browser, run_id, field, new, old

    def _apply(self, value) -> None:
        from workbench.store import StoreError

        try:
            self.browser.store.update_run(self.run_id, **{self.field: value})
        except StoreError as exc:  # the store became unwritable (a full disk): the list keeps the stored value
            self.setObsolete(True)
            self.browser.store_error.emit(str(exc))
            return
        self.browser.model.update_run(self.run_id)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class RunsBrowser(QWidget):
    selection_changed = Signal(list)  # run ids
    activated = Signal(int)  # run id (double-click / Enter)
    pause_requested = Signal()
    store_error = Signal(str)  # a write to the store failed: the window shows the message

    def __init__(self, store: RunStore, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self.model = RunsTableModel(store, self)
        self.proxy = RunsFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("runSearch")
        self.search.setPlaceholderText(self.tr("Find runs: model, dataset, name, tag, #id (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))
        self.task_filter = self._combo("taskFilter", self.tr("All tasks"))
        self.model_filter = self._combo("modelFilter", self.tr("All models"))
        self.status_filter = self._combo("statusFilter", self.tr("All statuses"))
        for status in STATUSES:
            self.status_filter.addItem(status_icon(status), status_text(status), status)
        self.task_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_filters(task=self.task_filter.currentData()))
        self.model_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_filters(model=self.model_filter.currentData()))
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_filters(status=self.status_filter.currentData()))

        self.view = RunsView()
        self.view.setObjectName("runsView")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        # By pixel: a column at a time would jump the 320-pixel name column in or out of view at once.
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setStretchLastSection(True)
        # Columns fit their contents (font metrics) until the user drags one; that one keeps its width.
        self._fitting = False
        self._user_sized: set[int] = set()
        self.view.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.model.modelReset.connect(self.fit_columns)
        self.model.dataChanged.connect(lambda first, last, *_: self.fit_columns(rows=range(first.row(), last.row() + 1),
                                                                                grow_only=True))
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit(self.selected_ids()))
        self.view.doubleClicked.connect(lambda index: self.activated.emit(index.data(RUN_ID_ROLE)))
        # Space pauses/resumes only while the runs list has focus (elsewhere Space types or clicks).
        space = QShortcut(QKeySequence(Qt.Key.Key_Space), self.view)
        space.setContext(Qt.ShortcutContext.WidgetShortcut)
        space.activated.connect(self.pause_requested)

        filters = QHBoxLayout()
        for combo in (self.task_filter, self.model_filter, self.status_filter):
            filters.addWidget(combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        self.fit_columns()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light ↔ dark: the filter's icons follow the table's
            for i in range(1, self.status_filter.count()):
                self.status_filter.setItemIcon(i, status_icon(self.status_filter.itemData(i)))

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._user_sized.add(column)

    def _expected_runs(self) -> list[tuple[str, str]]:
        """(model, dataset) of the shipped models the window installs when its engines load: the list is sized at
        first paint, before they are listed."""
        from workbench import pretrained

        if not pretrained.auto_install_enabled():
            return []
        try:
            return [(entry.model, entry.dataset) for entry in pretrained.entries()]
        except (OSError, ValueError):  # no readable manifest: nothing will be installed either
            return []

    def fit_columns(self, rows=None, grow_only: bool = False) -> None:
        """Size each column the user has not resized to its widest cell (header, icon and text, measured with
        the view's font), up to a cap; a status or metric that changes later never needs more than it got."""
        view, model = self.view, self.model
        header = view.horizontalHeader()
        metrics = view.fontMetrics()
        rows = list(range(model.rowCount()) if rows is None else rows)[-1000:]  # the store lists oldest first
        runs = [model.run_at(row) for row in rows]
        expected = self._expected_runs() if not grow_only else []
        self._fitting = True
        try:
            for column, name in enumerate(model.COLUMNS):
                if column in self._user_sized:
                    continue
                texts = {text for text in (model.display(run, name) for run in runs) if text}
                icon = name == "Status" or (name == "ID" and any(run.damaged for run in runs))
                if not grow_only:  # what later values will need: a shipped model still to be installed, a metric
                    if name in ("Model", "Dataset"):
                        texts.update(pair[name == "Dataset"] for pair in expected)
                    elif name == "Metric":
                        texts.update(("0.0000", "00.00 dB"))
                # One measure of the widest text (its advance in the view's font) stands for the whole column.
                widest = max(texts, key=metrics.horizontalAdvance, default="")
                width = view.text_width(widest, icon=icon) if texts or icon else 0
                if not grow_only:
                    width = max(width, header.sectionSizeFromContents(column).width())
                width = min(width, MAX_FITTED_WIDTH.get(name, MAX_OTHER_WIDTH))
                if grow_only and width <= header.sectionSize(column):
                    continue
                header.resizeSection(column, width)
        finally:
            self._fitting = False
        view.updateGeometry()

    def _combo(self, name: str, any_label: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(any_label, None)
        return combo

    def refresh(self) -> None:
        selected = self.selected_ids()
        self.model.refresh()
        self._refill(self.task_filter, sorted({r.task for r in self.model.runs}))
        self._refill(self.model_filter, sorted({r.model for r in self.model.runs}))
        self.select(selected)

    def update_run(self, run_id: int) -> None:
        known = self.model.row_of(run_id) is not None
        self.model.update_run(run_id)
        if not known:
            self._refill(self.task_filter, sorted({r.task for r in self.model.runs}))
            self._refill(self.model_filter, sorted({r.model for r in self.model.runs}))

    @staticmethod
    def _refill(combo: QComboBox, values: list[str]) -> None:
        current = combo.currentData()
        existing = {combo.itemData(i) for i in range(1, combo.count())}
        if existing == set(values):
            return
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value in values:
            combo.addItem(value, value)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def selected_ids(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        return [self.proxy.index(r, 0).data(RUN_ID_ROLE) for r in sorted(rows)]

    def select(self, run_ids: list[int]) -> None:
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        selection = QItemSelection()
        for run_id in run_ids:
            row = self.model.row_of(run_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(self.model.columnCount() - 1))
        self.view.selectionModel().select(
            selection, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def rename(self, run_id: int, name: str) -> None:
        old = self.store.get_run(run_id).name
        if name != old:
            self.undo_stack.push(EditRunCommand(self, run_id, "name", name, old))

    def set_tags(self, run_id: int, tags: list[str]) -> None:
        old = self.store.get_run(run_id).tags
        tags = [t for t in dict.fromkeys(t.strip() for t in tags) if t]
        if tags != old:
            self.undo_stack.push(EditRunCommand(self, run_id, "tags", tags, old))
