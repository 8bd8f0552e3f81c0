"""The main window: runs browser, central tab area, progress and status bar."""
from __future__ import annotations

from PySide6.QtCore import QSettings, QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import APP_NAME, __version__
from workbench.store import RunStore
from workbench.ui.runs_model import RUN_ID_ROLE, SORT_ROLE, RunsTableModel
from workbench.ui.worker import Job, JobRunner


class MainWindow(QMainWindow):
    def __init__(self, store: RunStore | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(900, 600)
        self.store = store or RunStore()
        self.runner = JobRunner(self.store, self)
        self._build_runs_browser()
        self._build_central()
        self._build_status_bar()
        self._build_menus()
        self._connect_runner()
        self.runs_model.refresh()
        self._restore_geometry()

    # -- layout -------------------------------------------------------------------------
    def _build_runs_browser(self) -> None:
        self.runs_model = RunsTableModel(self.store, self)
        self.runs_proxy = QSortFilterProxyModel(self)
        self.runs_proxy.setSourceModel(self.runs_model)
        self.runs_proxy.setSortRole(SORT_ROLE)
        self.runs_proxy.setFilterKeyColumn(-1)
        self.runs_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.runs_view = QTableView()
        self.runs_view.setObjectName("runsView")
        self.runs_view.setModel(self.runs_proxy)
        self.runs_view.setSortingEnabled(True)
        self.runs_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.runs_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runs_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.runs_view.verticalHeader().hide()
        self.runs_view.horizontalHeader().setStretchLastSection(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find runs (model, dataset, name, tag, #id)…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.runs_proxy.setFilterFixedString)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.runs_view)
        self.runs_dock = QDockWidget(self.tr("Runs"), self)
        self.runs_dock.setObjectName("runsDock")
        self.runs_dock.setWidget(box)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.runs_dock)

    def _build_central(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("centralTabs")
        self.tabs.setDocumentMode(True)
        welcome = QLabel(self.tr(
            "<h2>CNN Workbench</h2>"
            "<p>Train, inspect and compare the networks of the course: MobileNet, SENet, HybridSN, "
            "DnCNN and DSCMR.</p><p>Start a run with <b>Run ▸ Start</b> (Ctrl+Return); "
            "recorded runs appear on the left.</p>"))
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        welcome.setWordWrap(True)
        self.tabs.addTab(welcome, self.tr("Welcome"))
        self.setCentralWidget(self.tabs)

    def _build_status_bar(self) -> None:
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status_label = QLabel(self.tr("Ready"))
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self._total_steps = 0

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        run_menu = self.menuBar().addMenu(self.tr("&Run"))
        self.start_action = QAction(self.tr("&Start quick run"), self)
        self.start_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.start_action.triggered.connect(self.start_default_run)
        self.pause_action = QAction(self.tr("&Pause / Resume"), self)
        self.pause_action.triggered.connect(self.runner.toggle_pause)
        self.stop_action = QAction(self.tr("S&top (keep checkpoint)"), self)
        self.stop_action.setShortcut(QKeySequence("Ctrl+."))
        self.stop_action.triggered.connect(lambda: self.runner.stop())
        for action in (self.start_action, self.pause_action, self.stop_action):
            run_menu.addAction(action)
        self._update_actions()

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _connect_runner(self) -> None:
        r = self.runner
        r.run_started.connect(self._on_run_started)
        r.steps.connect(self._on_steps)
        r.epoch_done.connect(self._on_epoch_done)
        r.paused.connect(self._on_paused)
        r.run_finished.connect(self._on_run_finished)
        r.error.connect(self._on_error)
        r.queue_changed.connect(self._update_actions)

    # -- actions -------------------------------------------------------------------------
    def start_job(self, config, *, name: str = "") -> int:
        run_id = self.runner.submit(Job(config=config, name=name))
        self.runs_model.update_run(run_id)
        self._update_actions()
        return run_id

    @Slot()
    def start_default_run(self) -> None:
        from engines.tasks import make_config

        self.start_job(make_config("classify", model="small_cnn", data="digits", epochs=2))

    @Slot()
    def show_about(self) -> None:
        import platform

        from PySide6 import __version__ as qt_version

        QMessageBox.about(self, self.tr("About %1").replace("%1", APP_NAME),
                          f"<b>{APP_NAME}</b> {__version__}<br>Qt (PySide6) {qt_version}<br>"
                          f"Python {platform.python_version()}")

    def _update_actions(self) -> None:
        busy = self.runner.busy
        self.pause_action.setEnabled(busy)
        self.stop_action.setEnabled(busy)

    # -- runner slots ------------------------------------------------------------------
    @Slot(int, dict)
    def _on_run_started(self, run_id: int, info: dict) -> None:
        self._total_steps = info["epochs"] * info["steps_per_epoch"]
        self.progress.setRange(0, max(self._total_steps, 1))
        self.progress.setValue(info["start_step"])
        self.progress.show()
        self.status_label.setText(self.tr("Run #%1 training %2 on %3 (%4)")
                                  .replace("%1", str(run_id)).replace("%2", info["model"])
                                  .replace("%3", info["dataset"]).replace("%4", info["device"]))
        self.runs_model.update_run(run_id)
        self._update_actions()

    @Slot(int, list)
    def _on_steps(self, run_id: int, points: list) -> None:
        step, _epoch, loss, _wall = points[-1]
        self.progress.setValue(step)
        self.progress.setFormat(f"step %v/%m  loss {loss:.4f}")

    @Slot(int, int, dict)
    def _on_epoch_done(self, run_id: int, epoch: int, metrics: dict) -> None:
        self.runs_model.update_run(run_id)

    @Slot(int, bool)
    def _on_paused(self, run_id: int, paused: bool) -> None:
        self.runs_model.update_run(run_id)
        self.status_label.setText(self.tr("Run #%1 paused").replace("%1", str(run_id)) if paused
                                  else self.tr("Run #%1 training").replace("%1", str(run_id)))

    @Slot(int, str, dict)
    def _on_run_finished(self, run_id: int, status: str, outcome: dict) -> None:
        self.progress.hide()
        self.status_label.setText(self.tr("Run #%1 %2").replace("%1", str(run_id)).replace("%2", status))
        self.runs_model.update_run(run_id)
        self._update_actions()

    @Slot(int, str)
    def _on_error(self, run_id: int, message: str) -> None:
        self.status_label.setText(self.tr("Run #%1 failed").replace("%1", str(run_id)))
        if self.property("suppress_dialogs"):
            return
        QTimer.singleShot(0, lambda: QMessageBox.warning(
            self, self.tr("Run #%1").replace("%1", str(run_id)), message))

    # -- persistence and shutdown ----------------------------------------------------
    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainWindow/geometry")
        state = settings.value("mainWindow/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.busy:
            self.status_label.setText(self.tr("Stopping the run and saving a checkpoint…"))
        self.runner.shutdown()
        settings = QSettings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/state", self.saveState())
        super().closeEvent(event)

    def selected_run_ids(self) -> list[int]:
        rows = {i.row() for i in self.runs_view.selectionModel().selectedRows()}
        return [self.runs_proxy.index(r, 0).data(RUN_ID_ROLE) for r in sorted(rows)]
