"""The main window: runs browser, new-run panel, training and compare tabs, scrubber, status bar.

Only light modules are imported before the first paint; torch, the engines and
pyqtgraph load in :meth:`MainWindow.ensure_ready`, scheduled right after show.
"""
from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench import APP_NAME
from workbench.store import RESUMABLE_STATUSES, RunStore, StoreError
from workbench.ui.shell.runs_browser import RunsBrowser
from workbench.ui.shell.runs_model import status_text
from workbench.ui.shell.worker import Job, JobRunner

# The window's own shortcuts; each lab declares its own with its menu entries (Lab.menu_actions).
SHORTCUTS = [
    ("Ctrl+Return", QT_TRANSLATE_NOOP("MainWindow", "Start a run with the settings of the New run panel")),
    ("Space", QT_TRANSLATE_NOOP("MainWindow", "Pause / resume the active run (when the runs list has focus)")),
    ("Ctrl+.", QT_TRANSLATE_NOOP("MainWindow", "Stop the active run and keep a checkpoint")),
    ("Ctrl+D", QT_TRANSLATE_NOOP("MainWindow", "Compare the selected runs")),
    ("Ctrl+F", QT_TRANSLATE_NOOP("MainWindow", "Find runs")),
    ("F2", QT_TRANSLATE_NOOP("MainWindow", "Rename the selected run")),
    ("Ctrl+T", QT_TRANSLATE_NOOP("MainWindow", "Edit the tags of the selected run")),
    ("Delete", QT_TRANSLATE_NOOP("MainWindow", "Delete the selected runs (asks first)")),
    ("Ctrl+Z / Ctrl+Shift+Z", QT_TRANSLATE_NOOP("MainWindow", "Undo / redo a rename or tag edit")),
    ("Ctrl+Shift+N", QT_TRANSLATE_NOOP("MainWindow", "New study")),
    ("Ctrl+Shift+E", QT_TRANSLATE_NOOP("MainWindow", "Export a report of the selected runs (HTML or PDF)")),
    ("Ctrl+,", QT_TRANSLATE_NOOP("MainWindow", "Preferences")),
    ("Ctrl+Q", QT_TRANSLATE_NOOP("MainWindow", "Quit (a run in progress is checkpointed and marked interrupted)")),
    ("Shift+F1", QT_TRANSLATE_NOOP("MainWindow", "Guide to the current lab")),
    ("Ctrl+Shift+A", QT_TRANSLATE_NOOP("MainWindow", "Course questions: the answers from your runs and the papers")),
]


def _rss_mib() -> float | None:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, AttributeError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak / 2**20 if os.uname().sysname == "Darwin" else peak / 1024
        except Exception:
            return None


class UnavailableStore(RunStore):
    """An empty run store in memory, standing in for one that cannot be opened.

    The window starts on it so the user reads why and can still use what needs no store; it lists no
    runs, and every write raises :class:`StoreError` naming the real file and the reason (nothing is
    recorded anywhere, so nothing can land beside the real store's runs or be lost on exit).
    """

    def __init__(self, path: str, reason: str) -> None:
        self.unavailable_path, self.reason = path, reason
        super().__init__(":memory:", recover=False)
        self.read_only = True

    def read_only_error(self) -> StoreError:
        return StoreError(f"the run store {self.unavailable_path} could not be opened ({self.reason}); "
                          f"this session cannot record runs")


def open_store() -> tuple[RunStore, str]:
    """The user's run store and ``""``; or, when it cannot be opened, an :class:`UnavailableStore` and why."""
    from workbench import paths

    try:
        return RunStore(), ""
    except (StoreError, OSError) as exc:
        try:
            where = str(paths.store_path())
        except (StoreError, OSError):  # the home itself cannot be created
            where = os.environ.get(paths.ENV_HOME, "") or "the workbench home"
        reason = str(exc) if isinstance(exc, StoreError) else f"{exc.strerror or exc}"
        return UnavailableStore(where, reason), reason


class MainWindow(QMainWindow):
    def __init__(self, store: RunStore | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(900, 560)  # fits a 1366×768 screen at 125 % scaling
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)  # dropped files go to the lab that takes them
        self.notices: list[str] = []  # problems found at start, each shown once (see notify)
        self._pending_notices: list[str] = []
        problem = ""
        if store is None:
            store, problem = open_store()
        self.store = store
        self.runner = JobRunner(self.store, self)
        self._ready = False
        self._closing = False
        self._preloader = None
        self._placeholders: list = []  # a lab's tab until its lab is built
        self._dock_rule_active = False
        self._live_floor: dict[int, int] = {}  # run id → last step already loaded from the store
        self._active_info: dict = {}
        # Whether the cursor follows the live run's newest step: set when a run starts and whenever the
        # scrubber is moved to its end, cleared when it is moved back (a new run starts at step 1, below the
        # end of the runs already shown, so "at the end" cannot be read from the slider alone).
        self._follow_live = True
        # A live run's progress bars, cursor and values table follow its newest step at the curves' refresh
        # rate, not at every step batch: each of their repaints costs a training run on a busy CPU twice its time.
        self._live_step: tuple[int, int, float] | None = None  # (run id, step, loss) not shown yet
        self._live_shown_at = 0.0
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.timeout.connect(self._show_live_step)
        self._studies: dict[str, dict] = {}
        self._compare_ids: list[int] = []
        self.curves = None
        self.compare = None
        self.labs = []
        self.config_form = None

        self.browser = RunsBrowser(self.store, self)
        self.browser.selection_changed.connect(self._on_selection)
        self.browser.activated.connect(lambda run_id: self.show_runs([run_id]))
        self.browser.pause_requested.connect(self.runner.toggle_pause)
        self.browser.store_error.connect(self.warn)
        self.browser.setMinimumWidth(380)
        self.runs_dock = QDockWidget(self.tr("Runs"), self)
        self.runs_dock.setObjectName("runsDock")
        self.runs_dock.setWidget(self.browser)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.runs_dock)

        self._build_new_run_dock()
        self._build_central()
        self._build_status_bar()
        self._build_menus()
        self._connect_runner()
        self.browser.refresh()
        self._restore_state()
        self._report_start_problems(problem)
        # Engines load after the first paint (a zero-delay timer would fire before it in Qt 6), in a thread,
        # so the lab tabs are there and clickable at once; the fallback covers platforms that never paint
        # (offscreen without show()).
        self._paint_watch = True
        self.installEventFilter(self)
        QTimer.singleShot(1500, self._start_preload)

    def eventFilter(self, obj, event) -> bool:
        from PySide6.QtCore import QEvent

        if self._paint_watch and obj is self and event.type() == QEvent.Type.Paint:
            self._paint_watch = False
            self.removeEventFilter(self)
            QTimer.singleShot(0, self._start_preload)
        return super().eventFilter(obj, event)

    def _start_preload(self) -> None:
        """Import the engines off the GUI thread, then build the panels (:meth:`ensure_ready`)."""
        if self._preloader is not None or self._ready or self._closing:
            return
        from workbench.ui.shell.lab import EnginePreloader

        store_path = None if self.store.read_only else getattr(self.store, "path", None)
        self._preloader = EnginePreloader(self, store_path=store_path)
        self._preloader.done.connect(self._on_preloaded)
        self._preloader.start()

    @Slot()
    def _on_preloaded(self) -> None:
        """The preload thread finished: build the panels, or, where something (a drop, a new run) built them
        first, list the shipped models it installed meanwhile."""
        if not self._ready:
            self.ensure_ready()
        elif self._preloader is not None and self._preloader.installed and not self._closing:
            self.browser.refresh()
            self._select_opening_run()

    # -- construction ------------------------------------------------------------------
    def _build_new_run_dock(self) -> None:
        self.task_box = QComboBox()
        self.task_box.setObjectName("taskBox")
        self.start_button = QPushButton(self.tr("Start  (Ctrl+Return)"))
        self.start_button.setObjectName("startButton")
        self.start_button.clicked.connect(self.start_from_form)
        self.start_button.setEnabled(False)
        self.queue_list = QListWidget()
        self.queue_list.setObjectName("queueList")
        self.queue_list.setMaximumHeight(110)
        self.form_holder = QVBoxLayout()
        self.form_holder.addWidget(QLabel(self.tr("Loading engines…")))
        panel = QWidget()
        layout = QVBoxLayout(panel)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Task")))
        top.addWidget(self.task_box, 1)
        layout.addLayout(top)
        layout.addLayout(self.form_holder)
        layout.addWidget(self.start_button)
        layout.addWidget(QLabel(self.tr("Queue")))
        layout.addWidget(self.queue_list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(panel)
        scroll.setMinimumWidth(320)
        self.new_run_dock = QDockWidget(self.tr("New run"), self)
        self.new_run_dock.setObjectName("newRunDock")
        self.new_run_dock.setWidget(scroll)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.new_run_dock)
        self.new_run_dock.visibilityChanged.connect(self._remember_dock)

    # -- the New-run dock per tab: shown on Training, hidden on Compare and the labs unless the user opens it --
    def _tab_key(self) -> str:
        widget = self.tabs.currentWidget()
        if widget is self.training_tab:
            return "training"
        if widget is self.compare_tab:
            return "compare"
        return str(getattr(widget, "title", "lab"))

    def _apply_dock_rule(self) -> None:
        if self._closing or not hasattr(self, "tabs"):
            return
        key = self._tab_key()
        wanted = QSettings().value(f"mainWindow/newRunDock/{key}", key == "training", type=bool)
        if self.new_run_dock.isHidden() == wanted:
            self._dock_rule_active = True
            try:
                self.new_run_dock.setVisible(wanted)
            finally:
                self._dock_rule_active = False

    def _remember_dock(self, visible: bool) -> None:
        """The user opened or closed the New-run dock (its close button, View menu): remembered for this tab."""
        if self._dock_rule_active or self._closing or not self.isVisible() or self.isMinimized():
            return
        if self.property("ephemeral"):
            return
        QSettings().setValue(f"mainWindow/newRunDock/{self._tab_key()}", bool(visible))

    def _build_central(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.setObjectName("centralTabs")
        self.tabs.setDocumentMode(True)
        self.training_tab = QWidget()
        self.training_layout = QVBoxLayout(self.training_tab)
        self.training_layout.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.training_tab, self.tr("Training"))
        self.compare_tab = QWidget()
        self.compare_layout = QVBoxLayout(self.compare_tab)
        self.compare_layout.setContentsMargins(0, 0, 0, 0)
        self.compare_layout.addWidget(QLabel(self.tr("Select two or more runs and press Ctrl+D to compare them.")))
        self.tabs.addTab(self.compare_tab, self.tr("Compare"))
        from workbench.ui.labs import LAB_TITLES
        from workbench.ui.shell.lab import LabPlaceholder

        for title in LAB_TITLES:  # replaced by the labs once the engines have loaded
            placeholder = LabPlaceholder(title)
            self._placeholders.append(placeholder)
            self.tabs.addTab(placeholder, QCoreApplication.translate("Lab", title))

        # Linked scrubber: one slider drives a cursor on every plotted curve.
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setObjectName("scrubber")
        self.scrubber.setRange(0, 0)
        self.scrubber.setToolTip(self.tr("Move a cursor across every curve; the table lists each run's values"))
        self.scrubber.valueChanged.connect(self.set_cursor)
        self.scrub_label = QLabel(self.tr("step –"))
        self.scrub_label.setMinimumWidth(90)
        self.scrub_table = QTableWidget(0, 3)
        self.scrub_table.setObjectName("scrubTable")
        self.scrub_table.setHorizontalHeaderLabels([self.tr("Run"), self.tr("loss"), self.tr("metric")])
        self.scrub_table.verticalHeader().hide()
        self.scrub_table.horizontalHeader().setStretchLastSection(True)
        self.scrub_table.setMaximumHeight(120)
        scrub_row = QHBoxLayout()
        scrub_row.addWidget(QLabel(self.tr("Cursor")))
        scrub_row.addWidget(self.scrubber, 1)
        scrub_row.addWidget(self.scrub_label)

        from workbench.ui.shell.progress_panel import ProgressPanel

        self.progress = ProgressPanel()
        self.progress.pause_clicked.connect(self.runner.toggle_pause)
        self.progress.stop_clicked.connect(self.stop_run)
        self.progress.discard_clicked.connect(self.discard_run)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.progress)
        self.central_splitter = QSplitter(Qt.Orientation.Vertical)
        self.central_splitter.setObjectName("centralSplitter")
        self.central_splitter.addWidget(self.tabs)
        self.central_splitter.addWidget(self.scrub_table)
        self.central_splitter.setStretchFactor(0, 1)
        layout.addWidget(self.central_splitter, 1)
        layout.addLayout(scrub_row)
        self.setCentralWidget(central)
        # Only the Training tab uses the window's values-at-cursor table (Compare has its own).
        self.tabs.currentChanged.connect(
            lambda _i: self.scrub_table.setVisible(self.tabs.currentWidget() is self.training_tab))
        self.tabs.currentChanged.connect(lambda _i: self._apply_dock_rule())

    def _build_status_bar(self) -> None:
        self.status_label = QLabel(self.tr("Ready"))
        self.device_label = QLabel()
        self.threads_label = QLabel()
        self.memory_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        for label in (self.device_label, self.threads_label, self.memory_label):
            self.statusBar().addPermanentWidget(label)
        self._memory_timer = QTimer(self)
        self._memory_timer.timeout.connect(self._update_memory)
        self._memory_timer.start(2000)
        self._update_memory()

    def _action(self, menu, text: str, slot, shortcut=None, *, name: str = "", before=None) -> QAction:
        """A menu entry (at the end, or ``before`` another) whose shortcut works wherever the focus is."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
        self.addAction(action)  # shortcuts work while docks have focus
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.study_action = self._action(file_menu, self.tr("New &study…"), self.new_study, "Ctrl+Shift+N",
                                         name="newStudy")
        self._action(file_menu, self.tr("&Export run to CSV…"), self.export_selected, "Ctrl+E")
        self.report_action = self._action(file_menu, self.tr("Export &report…"), self.export_report, "Ctrl+Shift+E",
                                          name="exportReportAction")
        self.file_menu = file_menu
        self._lab_actions_anchor = file_menu.addSeparator()  # labs' File entries go above it
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu(self.tr("&Edit"))
        undo = self.browser.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.browser.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.addAction(undo)
        self.addAction(redo)
        edit_menu.addSeparator()
        self.rename_action = self._action(edit_menu, self.tr("&Rename run…"), self.rename_selected, "F2")
        self.tags_action = self._action(edit_menu, self.tr("Edit &tags…"), self.tag_selected, "Ctrl+T")
        self.delete_action = self._action(edit_menu, self.tr("&Delete runs…"), self.delete_selected,
                                          QKeySequence.StandardKey.Delete)
        self.find_action = self._action(edit_menu, self.tr("&Find run"), self.focus_search, "Ctrl+F")
        edit_menu.addSeparator()
        preferences_key = QKeySequence.StandardKey.Preferences
        self.preferences_action = self._action(  # Ctrl+, where the platform defines no Preferences key
            edit_menu, self.tr("&Preferences…"), self.show_preferences,
            preferences_key if QKeySequence.keyBindings(preferences_key) else "Ctrl+,", name="preferencesAction")
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)

        run_menu = bar.addMenu(self.tr("&Run"))
        self.start_action = self._action(run_menu, self.tr("&Start"), self.start_from_form, "Ctrl+Return",
                                         name="startAction")
        self.pause_action = self._action(run_menu, self.tr("&Pause / Resume"), self.runner.toggle_pause)
        self.pause_action.setShortcutVisibleInContextMenu(True)
        self.stop_action = self._action(run_menu, self.tr("S&top (keep checkpoint)"), self.stop_run, "Ctrl+.")
        self.discard_action = self._action(run_menu, self.tr("&Cancel and discard"), self.discard_run)
        run_menu.addSeparator()
        self.continue_action = self._action(run_menu, self.tr("C&ontinue selected run"), self.continue_selected,
                                            "Ctrl+Shift+Return")
        self.clear_queue_action = self._action(run_menu, self.tr("Clear &queue"), self.runner.cancel_queued)

        view_menu = bar.addMenu(self.tr("&View"))
        self.compare_action = self._action(view_menu, self.tr("&Compare selected runs"), self.compare_selected,
                                           "Ctrl+D", name="compareAction")
        view_menu.addAction(self.runs_dock.toggleViewAction())
        view_menu.addAction(self.new_run_dock.toggleViewAction())

        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Keyboard shortcuts"), self.show_shortcuts, "F1")
        self.guide_action = self._action(help_menu, self.tr("&Guide to this lab"), self.show_guide, "Shift+F1",
                                         name="guideAction")
        self.questions_action = self._action(help_menu, self.tr("Course &questions…"), self.show_questions,
                                             "Ctrl+Shift+A", name="questionsAction")
        self.about_action = self._action(help_menu, self.tr("&About"), self.show_about, name="aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

        for action in (self.rename_action, self.tags_action, self.delete_action, self.continue_action,
                       self.compare_action):
            self.browser.view.addAction(action)
        from workbench.ui.shell.theme import install_action_icons

        install_action_icons(self)
        self._update_actions()

    def _connect_runner(self) -> None:
        r = self.runner
        r.run_started.connect(self._on_run_started)
        r.steps.connect(self._on_steps)
        r.epoch_done.connect(self._on_epoch_done)
        r.paused.connect(self._on_paused)
        r.run_finished.connect(self._on_run_finished)
        r.error.connect(self._on_error)
        r.queue_changed.connect(self._on_queue_changed)

    def ensure_ready(self) -> None:
        """Import torch, the engines and pyqtgraph and build the panels that need them."""
        if self._ready or self._closing:
            return
        self._ready = True
        import pyqtgraph as pg
        import torch

        from engines.core.device import resolve_device
        from engines.core.tasks import TASKS
        from workbench.ui.shell.config_form import ConfigForm
        from workbench.ui.shell.curves import LiveCurves

        # No antialiasing: with long curves it costs ~25× per frame and starves the event loop.
        pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
        from workbench.ui.shell.theme import follow_system_palette

        follow_system_palette(recolour=False)  # plot colours from the palette, before the first plot exists
        settings = self.settings()
        self._report_settings_warnings()
        self.curves = LiveCurves(refresh_hz=settings.plot_refresh_hz)
        self.curves.setObjectName("liveCurves")
        self.training_layout.addWidget(self.curves)
        self.config_form = ConfigForm()
        self.config_form.setObjectName("configForm")
        while self.form_holder.count():
            item = self.form_holder.takeAt(0)
            if item.widget():
                item.widget().hide()  # at once: deleteLater waits for the event loop
                item.widget().deleteLater()
        self.form_holder.addWidget(self.config_form)
        for name in TASKS.names():
            self.task_box.addItem(QCoreApplication.translate("Tasks", TASKS.get(name).title), name)
        self.task_box.currentIndexChanged.connect(lambda _i: self.config_form.set_task(self.task_box.currentData()))
        self.config_form.set_task(self.task_box.currentData())
        self.start_button.setEnabled(True)
        try:
            from workbench.ui.shell.compare_view import CompareView

            self.compare = CompareView(self.store)
            self.compare.setObjectName("compareView")
            self.compare.cursorMoved.connect(self.scrubber.setValue)
            while self.compare_layout.count():
                item = self.compare_layout.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
            self.compare_layout.addWidget(self.compare)
        except ImportError:
            self.compare = None
        from workbench.pretrained import install_missing
        from workbench.ui.shell.lab import load_labs

        # Shipped models become runs before the labs list them (not in a store this session cannot write). While
        # the preload thread is still installing them, it lists them when it is done (_on_preloaded): installing
        # here too would wait for it on the GUI thread.
        preloader = self._preloader
        preloading = preloader is not None and preloader.thread is not None and preloader.thread.is_alive()
        preloaded = preloader.installed if preloader is not None else 0
        if (not self.store.read_only and not preloading and install_missing(self.store)) or preloaded:
            self.browser.refresh()
        self.labs = load_labs(self)
        current = self.tabs.currentWidget()
        placeholders = {p.title: p for p in self._placeholders}
        for lab in self.labs:
            placeholder = placeholders.pop(lab.title, None)
            index = self.tabs.indexOf(placeholder) if placeholder is not None else -1
            if index >= 0:  # the lab takes its placeholder's place (and stays current if it was)
                self.tabs.removeTab(index)
                self.tabs.insertTab(index, lab, lab.display_title())
                if current is placeholder:
                    self.tabs.setCurrentIndex(index)
                placeholder.deleteLater()
            else:
                self.tabs.addTab(lab, lab.display_title())
            self._add_lab_actions(lab)
        for placeholder in placeholders.values():  # a listed lab that did not build
            self.tabs.removeTab(self.tabs.indexOf(placeholder))
            placeholder.deleteLater()
        self._placeholders = []
        try:
            device = resolve_device(settings.device or "auto")
        except ValueError as exc:  # e.g. a GPU chosen in Preferences that this machine no longer has
            device = resolve_device("auto")
            self.status_label.setText(self.tr("%1; using %2").replace("%1", str(exc)).replace("%2", str(device)))
        self.device_label.setText(self.tr("device: %1").replace("%1", str(device)))
        self.threads_label.setText(self.tr("threads: %1").replace("%1", str(torch.get_num_threads())))
        from workbench.ui.shell.preferences import apply_settings

        apply_settings(self, settings)  # stored threads and default device
        self._select_opening_run()
        self._on_selection(self.browser.selected_ids())
        if self._preloader is not None:  # what the labs did not wait for, after their first frame
            QTimer.singleShot(0, self._preloader.start_late)

    def _select_opening_run(self) -> None:
        """Select :meth:`_opening_run_id` when nothing is selected yet."""
        if not self.browser.selected_ids() and self.browser.model.runs:
            self.browser.select([self._opening_run_id()])

    def _opening_run_id(self) -> int:
        """The run the window opens on: the newest of the user's own, else the shipped model the manifest lists
        last (the one the labs start from: an update that installs more shipped models leaves it so), else the
        newest."""
        from workbench.pretrained import PRETRAINED_TAG, entries

        runs = self.browser.model.runs
        own = [r for r in runs if PRETRAINED_TAG not in r.tags]
        if own:
            return own[-1].id
        shipped = {(r.summary.get("pretrained") or {}).get("name"): r.id for r in runs}
        try:
            names = [e.name for e in entries()]
        except (OSError, ValueError):  # an unreadable manifest must not keep the window from opening
            names = []
        return next((shipped[n] for n in reversed(names) if n in shipped), runs[-1].id)

    def _add_lab_actions(self, lab) -> None:
        menus = {"file": self.file_menu}
        for menu_name, text, slot, shortcut in lab.menu_actions():
            self._action(menus[menu_name], text, slot, shortcut, before=self._lab_actions_anchor)

    # -- dropped files -------------------------------------------------------------------
    def _lab_for_files(self, paths: list[str]):
        self.ensure_ready()
        return next((lab for lab in self.labs if paths and lab.accepts_files(paths)), None)

    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasUrls() and any(url.isLocalFile() for url in mime.urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        lab = self._lab_for_files(paths)
        if lab is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.tabs.setCurrentWidget(lab)
        lab.open_paths(paths)

    def settings(self):
        """The stored settings, read afresh (the defaults where the home cannot be created)."""
        from workbench.settings import Settings, load_settings

        try:
            return load_settings()
        except (StoreError, OSError):  # a home that cannot be created: the store's notice says so
            return Settings()

    # -- starting, stopping, continuing ---------------------------------------------
    def start_job(self, config, *, name: str = "", tags=()) -> int | None:
        """Queue a run of ``config``; its id, or ``None`` (with a message) when the store cannot record it."""
        if self.refuse_write():
            return None
        self.ensure_ready()
        try:
            run_id = self.runner.submit(Job(config=config, name=name, tags=tuple(tags)))
        except (StoreError, ValueError) as exc:  # a full disk under the store; a config that does not validate
            self.warn(self.tr("Cannot start the run: %1").replace("%1", str(exc)))
            return None
        self.browser.update_run(run_id)
        self._update_actions()
        return run_id

    @Slot()
    def start_from_form(self) -> None:
        self.ensure_ready()
        try:
            config = self.config_form.config()
        except ValueError as exc:
            self.status_label.setText(str(exc))
            return
        self.start_job(config)

    @Slot()
    def stop_run(self) -> None:
        if self.runner.busy:
            self.status_label.setText(self.tr("Stopping after this batch…"))
            self.runner.stop()

    @Slot()
    def discard_run(self) -> None:
        if not self.runner.busy:
            return
        run_id = self.runner.current_run_id
        if not self._confirm(self.tr("Cancel and discard run #%1? Its checkpoint and curves are deleted.")
                             .replace("%1", str(run_id))):
            return
        self.runner.stop(discard=True)

    def continue_run(self, run_id: int, epochs: int | None = None) -> None:
        from workbench.runner import config_for_run

        self.ensure_ready()
        if self.refuse_write():
            return
        run = self.store.get_run(run_id)
        if "config" in run.damaged:
            self.warn(self.tr("Run #%1 cannot be continued: %2").replace("%1", str(run_id)).replace(
                "%2", run.message))
            return
        overrides = {"epochs": epochs} if epochs else {}
        try:
            config = config_for_run(self.store, run_id, **overrides)
            self.runner.submit(Job(config=config, run_id=run_id, resume=True))
        except (StoreError, ValueError) as exc:  # a stored config this version cannot run, a store write
            self.warn(self.tr("Run #%1 cannot be continued: %2").replace("%1", str(run_id)).replace(
                "%2", str(exc)))
            return
        self.browser.update_run(run_id)
        self.status_label.setText(self.tr("Continuing run #%1 from epoch %2")
                                  .replace("%1", str(run_id)).replace("%2", str(run.epoch)))

    @Slot()
    def continue_selected(self) -> None:
        ids = self.browser.selected_ids()
        if len(ids) != 1:
            self.status_label.setText(self.tr("Select one run to continue"))
            return
        run = self.store.get_run(ids[0])
        if not run.checkpoint or not os.path.exists(run.checkpoint):
            self.warn(self.tr("Run #%1 has no checkpoint to continue from.").replace("%1", str(run.id)))
            return
        if run.status in RESUMABLE_STATUSES:
            self.continue_run(run.id)
        elif run.status == "finished":
            epochs, ok = QInputDialog.getInt(self, self.tr("Train further"),
                                             self.tr("Train run #%1 up to epoch:").replace("%1", str(run.id)),
                                             run.epoch + 1, run.epoch + 1, 100_000)
            if ok:
                self.continue_run(run.id, epochs)
        else:
            self.status_label.setText(self.tr("Run #%1 is %2 and cannot be continued")
                                      .replace("%1", str(run.id)).replace("%2", status_text(run.status)))

    # -- runs browser actions ----------------------------------------------------------
    def focus_search(self) -> None:
        self.runs_dock.show()
        self.browser.search.setFocus()
        self.browser.search.selectAll()

    def rename_selected(self) -> None:
        ids = self.browser.selected_ids()
        if len(ids) != 1 or self.refuse_write():
            return
        run = self.store.get_run(ids[0])
        name, ok = QInputDialog.getText(self, self.tr("Rename run"), self.tr("Name of run #%1:")
                                        .replace("%1", str(run.id)), text=run.name)
        if ok:
            self.browser.rename(run.id, name.strip())

    def tag_selected(self) -> None:
        ids = self.browser.selected_ids()
        if len(ids) != 1 or self.refuse_write():
            return
        run = self.store.get_run(ids[0])
        text, ok = QInputDialog.getText(self, self.tr("Edit tags"), self.tr("Tags of run #%1 (comma-separated):")
                                        .replace("%1", str(run.id)), text=", ".join(run.tags))
        if ok:
            self.browser.set_tags(run.id, text.split(","))

    def delete_selected(self) -> None:
        import shutil

        from workbench import paths

        ids = [i for i in self.browser.selected_ids() if i != self.runner.current_run_id]
        if not ids or self.refuse_write():
            return
        if not self._confirm(self.tr("Delete %n run(s) with their checkpoints and curves? This cannot be undone.",
                                     "", len(ids))):
            return
        for run_id in ids:
            try:
                self.store.delete_run(run_id)
            except StoreError as exc:  # the run's files stay with its record
                self.warn(self.tr("Run #%1 was not deleted: %2").replace("%1", str(run_id)).replace("%2", str(exc)))
                continue
            shutil.rmtree(paths.run_dir(run_id), ignore_errors=True)
        self.browser.refresh()
        self.status_label.setText(self.tr("Deleted %n run(s)", "", len(ids)))

    def export_selected(self) -> None:
        import csv

        ids = self.browser.selected_ids()
        if len(ids) != 1:
            self.status_label.setText(self.tr("Select one run to export"))
            return
        settings = QSettings()
        folder = settings.value("paths/lastExportFolder", os.path.expanduser("~"))
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export run"),
                                              os.path.join(str(folder), f"run-{ids[0]}.csv"),
                                              self.tr("CSV files (*.csv)"))
        if not path:
            return
        settings.setValue("paths/lastExportFolder", os.path.dirname(path))
        try:
            with open(path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["run_id", "step", "epoch", "name", "value", "wall_time"])
                for p in self.store.metrics(ids[0]):
                    writer.writerow([ids[0], p.step, p.epoch, p.name, repr(p.value), p.wall_time])
        except OSError as exc:
            self.warn(self.tr("Cannot write %1: %2").replace("%1", path).replace("%2", exc.strerror or str(exc)))
            return
        self.status_label.setText(self.tr("Exported run #%1 to %2").replace("%1", str(ids[0])).replace("%2", path))

    @Slot()
    def export_report(self) -> None:
        """File ▸ Export report…: the selected runs (without a selection, the comparison shown) as one
        self-contained HTML file or a PDF, built off the GUI thread (workbench/ui/shell/report_export.py)."""
        from workbench.ui.shell.report_export import ReportExporter

        if getattr(self, "report_exporter", None) is None:
            self.report_exporter = ReportExporter(self)
        self.report_exporter.export()

    @Slot()
    def compare_selected(self) -> None:
        ids = self.browser.selected_ids()
        if len(ids) < 2:
            self.status_label.setText(self.tr("Select two or more runs to compare"))
            return
        self.open_compare(ids)

    def open_compare(self, run_ids: list[int], group_by: str | None = None) -> None:
        self.ensure_ready()
        if self.compare is None:
            return
        self.compare.set_runs(run_ids, group_by=group_by)
        self._compare_ids = list(run_ids)
        self.tabs.setCurrentWidget(self.compare_tab)
        self._update_scrubber_range()

    # -- studies ---------------------------------------------------------------------------
    @Slot()
    def new_study(self) -> None:
        self.ensure_ready()
        from workbench.ui.shell.study_dialog import StudyDialog

        dialog = StudyDialog(self)
        if dialog.exec():
            self.queue_study(dialog.planned_runs(), dialog.factor())

    def queue_study(self, planned, factor: str) -> list[int]:
        from workbench.studies import study_of

        ids = [i for i in (self.start_job(p.config, name=p.name, tags=p.tags) for p in planned) if i is not None]
        study = study_of(planned[0].tags) if planned else None
        if study:
            self._studies[study] = {"pending": set(ids), "all": ids, "factor": factor}
        self.status_label.setText(self.tr("Queued %n run(s) of the study", "", len(ids)))
        return ids

    # -- showing runs --------------------------------------------------------------------
    def _on_selection(self, run_ids: list[int]) -> None:
        if self._ready and run_ids:
            self.show_runs(run_ids)
            readable = self._without_damaged_configs(run_ids)
            if readable:
                for lab in self.labs:
                    lab.show_runs(readable)
        self._update_actions()

    def _without_damaged_configs(self, run_ids: list[int]) -> list[int]:
        """``run_ids`` less the runs whose stored config cannot be read (a lab would rebuild them with defaults,
        a silently wrong result); the status bar says which were left out and why."""
        readable = []
        for run_id in run_ids:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if "config" in run.damaged:
                self.status_label.setText(self.tr("Run #%1: %2; its curves are shown, but no lab can use it")
                                          .replace("%1", str(run_id)).replace("%2", run.message))
            else:
                readable.append(run_id)
        return readable

    def show_runs(self, run_ids: list[int]) -> None:
        """Show the curves of these runs (and of the active run) in the Training tab."""
        self.ensure_ready()
        active = self.runner.current_run_id
        ids = list(dict.fromkeys([*run_ids, *([active] if active else [])]))
        self.curves.clear()
        self._live_floor.clear()
        for index, run_id in enumerate(ids):
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if index == 0:
                from workbench.tasks_meta import primary_metric_name

                self.curves.preferred_metric = primary_metric_name(run.task) or "loss"
            points = self.store.metrics(run_id)
            self.curves.load_history(run_id, run.title, points)
            if not points and run.metrics:  # imported or shipped without a history: its final values
                self.curves.set_final_values(run_id, run.title, run.metrics, step=run.step, epoch=run.epoch,
                                             seconds=run.seconds)
            self._live_floor[run_id] = max((p.step for p in points if p.name == "loss"), default=0)
        self._show_planned_end()
        self.curves.redraw(force=True)
        self._update_scrubber_range()

    def _update_scrubber_range(self) -> None:
        top = self.curves.max_step() if self.curves else 0
        for run_id in self._compare_ids:
            try:
                top = max(top, self.store.get_run(run_id).step)
            except KeyError:
                pass
        at_end = self.scrubber.value() >= self.scrubber.maximum()
        self.scrubber.setMaximum(top)
        if at_end:
            self.scrubber.setValue(top)

    @Slot(int)
    def set_cursor(self, step: int) -> None:
        self._follow_live = step >= self.scrubber.maximum()
        self._show_cursor(step)
        if self.curves is None:
            return
        if self.compare is not None:
            self.compare.set_cursor(step)
        for lab in self.labs:
            lab.set_cursor(step)

    def _show_cursor(self, step: int, *, live: bool = False) -> None:
        """The Training tab's cursor line, its step label and the values-at-cursor table. ``live``: following
        a training run, the line moves with the curves' next redraw (one repaint for both)."""
        self.scrub_label.setText(self.tr("step %1").replace("%1", str(step)))
        if self.curves is None:
            return
        self.curves.set_cursor(step, defer=live)
        values = self.curves.values_at(step)
        metric = self.curves._metric
        table = self.scrub_table
        labels = [self.tr("Run"), self.tr("loss"), metric]
        if [(item.text() if (item := table.horizontalHeaderItem(i)) else None) for i in range(3)] != labels:
            table.setHorizontalHeaderLabels(labels)
        table.setRowCount(len(values))
        # Cells are edited in place, and only where their text changes: following a live run this runs on every
        # step batch, and new items would repaint the whole table each time.
        for row, (run_id, vals) in enumerate(values.items()):
            cells = [self.curves.runs[run_id].label, vals.get("loss"), vals.get(metric)]
            for col, value in enumerate(cells):
                text = value if isinstance(value, str) else ("–" if value is None else f"{value:.4f}")
                item = table.item(row, col)
                if item is None:
                    table.setItem(row, col, QTableWidgetItem(text))
                elif item.text() != text:
                    item.setText(text)

    # -- runner slots --------------------------------------------------------------------
    @Slot(int, dict)
    def _on_run_started(self, run_id: int, info: dict) -> None:
        self._active_info = info
        self._follow_live = True
        config = self.store.get_run(run_id).config
        self.progress.start(run_id, info, max_steps=config.get("max_steps", 0))
        self.status_label.setText(self.tr("Run #%1 training").replace("%1", str(run_id)))
        self.device_label.setText(self.tr("device: %1").replace("%1", info["device"]))
        self.browser.update_run(run_id)
        if self.curves is not None:
            # The new run first (its task's metric is plotted), beside the shown runs of the same task only.
            task = self.store.get_run(run_id).task
            same_task = []
            for other in self.curves.runs:
                try:
                    if other != run_id and self.store.get_run(other).task == task:
                        same_task.append(other)
                except KeyError:
                    continue
            self.show_runs([run_id, *same_task])
        self._update_actions()

    def _show_planned_end(self) -> None:
        """The live run's planned end stays in the curves' x view (its axis is laid out once, not per redraw)."""
        info, run_id = self._active_info, self.runner.current_run_id
        if self.curves is None or not info or not run_id:
            return
        steps = self.progress.total_steps
        self.curves.set_planned_end(run_id, steps, steps / max(1, info.get("steps_per_epoch", 1)))

    @Slot(int, list)
    def _on_steps(self, run_id: int, points: list) -> None:
        floor = self._live_floor.get(run_id, 0)
        rows = [(s, e, w, loss) for (s, e, loss, w) in points if s > floor]
        if rows and self.curves is not None:
            self.curves.add_points(run_id, "loss", rows)
        step, _epoch, loss, _wall = points[-1]
        self._live_step = (run_id, step, loss)
        if self._live_timer.isActive():
            return
        interval = self.curves.refresh_interval_s if self.curves is not None else 0.2
        wait = interval - (time.monotonic() - self._live_shown_at)
        if wait <= 0:
            self._show_live_step()
        else:
            self._live_timer.start(int(wait * 1000) + 1)

    def _show_live_step(self) -> None:
        """The newest step batch's step and loss in the progress bars, the scrubber and the cursor."""
        self._live_timer.stop()
        if self._live_step is None:
            return
        run_id, step, loss = self._live_step
        self._live_step = None
        self._live_shown_at = time.monotonic()
        self.progress.update_step(step, loss)
        if self._follow_live:
            # Following the live end: the cursor, its label and table move with it; the labs and Compare
            # (which may recompute per step) only when the user moves the slider.
            self.scrubber.blockSignals(True)
            self.scrubber.setMaximum(max(self.scrubber.maximum(), step))
            self.scrubber.setValue(step)
            self.scrubber.blockSignals(False)
            if self.curves is not None and run_id in self.curves.runs:
                self._show_cursor(step, live=True)
        else:
            self.scrubber.setMaximum(max(self.scrubber.maximum(), step))

    @Slot(int, int, dict)
    def _on_epoch_done(self, run_id: int, epoch: int, metrics: dict) -> None:
        self._show_live_step()  # the epoch's last steps first
        self.progress.update_epoch(epoch)
        step = self.store.get_run(run_id).step
        if self.curves is not None and step > self._live_floor.get(run_id, 0):
            now = time.time()
            for name, value in metrics.items():
                self.curves.add_points(run_id, name, [(step, float(epoch), now, value)])
            if self._follow_live and run_id in self.curves.runs:
                self._show_cursor(self.scrubber.value())  # the table gains the epoch's metric
        self.browser.update_run(run_id)

    @Slot(int, bool)
    def _on_paused(self, run_id: int, paused: bool) -> None:
        self.progress.set_paused(paused)
        self.browser.update_run(run_id)
        self.status_label.setText(self.tr("Run #%1 paused").replace("%1", str(run_id)) if paused
                                  else self.tr("Run #%1 training").replace("%1", str(run_id)))

    @Slot(int, str, dict)
    def _on_run_finished(self, run_id: int, status: str, outcome: dict) -> None:
        self._show_live_step()
        self.progress.finish(run_id, status)
        if self.curves is not None:
            self.curves.set_planned_end(run_id, None, None)  # a run stopped early is framed by what it did
        reason = outcome.get("message", "") if status in ("failed", "diverged") else ""
        if reason:  # why stays in the status bar after the warning is closed
            self.status_label.setText(self.tr("Run #%1 %2: %3").replace("%1", str(run_id))
                                      .replace("%2", status_text(status)).replace("%3", reason))
        else:
            self.status_label.setText(self.tr("Run #%1 %2").replace("%1", str(run_id))
                                      .replace("%2", status_text(status)))
        if status == "cancelled":
            self.browser.refresh()
            if self.curves is not None and run_id in self.curves.runs:
                self.show_runs([i for i in self.curves.runs if i != run_id])
        else:
            self.browser.update_run(run_id)
        self._update_actions()
        for study_id, study in list(self._studies.items()):
            if run_id in study["pending"]:
                study["pending"].discard(run_id)
                if not study["pending"]:
                    del self._studies[study_id]
                    self.open_compare(study["all"], group_by=study["factor"])

    @Slot(int, str)
    def _on_error(self, run_id: int, message: str) -> None:
        """The one handler for worker errors: status bar plus a message box."""
        self.status_label.setText(self.tr("Run #%1: %2").replace("%1", str(run_id)).replace("%2", message))
        self.warn(self.tr("Run #%1 ended: %2").replace("%1", str(run_id)).replace("%2", message))

    @Slot()
    def _on_queue_changed(self) -> None:
        self.queue_list.clear()
        for job in self.runner.queue:
            self.queue_list.addItem(f"#{job.run_id} {job.config.model} · {job.config.data}"
                                    + (f" — {job.name}" if job.name else ""))
        self._update_actions()

    def _update_actions(self) -> None:
        busy = self.runner.busy
        for action in (self.pause_action, self.stop_action, self.discard_action):
            action.setEnabled(busy)
        self.progress.set_active(busy)
        selected = self.browser.selected_ids()
        self.rename_action.setEnabled(len(selected) == 1)
        self.tags_action.setEnabled(len(selected) == 1)
        self.continue_action.setEnabled(len(selected) == 1)
        self.delete_action.setEnabled(bool(selected))
        self.compare_action.setEnabled(len(selected) >= 2)
        self.clear_queue_action.setEnabled(bool(self.runner.queue))

    # -- problems found at start ------------------------------------------------------
    def _report_start_problems(self, store_problem: str) -> None:
        """Say once what the window found wrong at start: the store it could not open or write, damaged settings."""
        if isinstance(self.store, UnavailableStore):
            self.notify(self.tr("The run store %1 cannot be opened: %2\nThe window opened without it: the runs "
                                "list is empty and no run can be started, imported or recorded in this session. "
                                "Nothing was changed; repair the file or move it aside to start a new store.")
                        .replace("%1", self.store.unavailable_path).replace("%2", store_problem))
        elif self.store.read_only:
            self.notify(self.tr("The run store %1 is read-only: its runs are listed and can be shown, compared "
                                "and exported, but no run can be started, imported, renamed or deleted in this "
                                "session.").replace("%1", str(self.store.path)))
        self._report_settings_warnings()

    def _report_settings_warnings(self) -> None:
        """Warnings of :func:`workbench.settings.load_settings` (a damaged file moved aside, a newer version's)."""
        from workbench.settings import load_warnings

        self.settings()  # finds a damaged file now, not when the engines load
        for warning in load_warnings():
            self.notify(self.tr("Settings: %1").replace("%1", warning))

    def notify(self, message: str) -> None:
        """A problem the user must know of that does not stop the window: the status bar and one non-modal box
        (the same message is shown once). Tests (``suppress_dialogs``) find it in :attr:`notices`."""
        if message in self.notices or message in self._pending_notices:
            return
        self.status_label.setText(message.splitlines()[0])
        self.status_label.setToolTip(message)
        self._pending_notices.append(message)
        if len(self._pending_notices) == 1:
            # After the constructor: the window (and a test's suppress_dialogs) is set up by then.
            QTimer.singleShot(0, self._show_notices)

    def _show_notices(self) -> None:
        pending, self._pending_notices = self._pending_notices, []
        if not pending:
            return
        self.notices.extend(pending)
        if self.property("suppress_dialogs"):
            return
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, "\n\n".join(pending), QMessageBox.StandardButton.Ok,
                          self)
        box.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable behind it
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    def refuse_write(self) -> bool:
        """Whether the store cannot record anything (read-only, or not opened); if so, say why."""
        if not self.store.read_only:
            return False
        self.warn(str(self.store.read_only_error()))
        return True

    # -- dialogs ------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        """Show ``message`` in a warning box (tests: record it as the property ``last_warning`` instead)."""
        if self.property("suppress_dialogs"):
            self.setProperty("last_warning", message)
            return
        QTimer.singleShot(0, lambda: QMessageBox.warning(self, APP_NAME, message))

    def _confirm(self, question: str) -> bool:
        if self.property("suppress_dialogs"):
            return bool(self.property("auto_confirm"))
        answer = QMessageBox.question(self, APP_NAME, question)
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{keys}</b></td><td>{text}</td></tr>" for keys, text in self.shortcut_rows())
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Keyboard shortcuts"))
        box.setText(f"<table cellspacing='6'>{rows}</table>")
        box.open()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for the window's shortcuts and then each lab's, in the user's language."""
        rows = [(keys, self.tr(text)) for keys, text in SHORTCUTS]
        for lab in self.labs:
            for _menu, text, _slot, shortcut in lab.menu_actions():
                if shortcut is not None:
                    keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
                    rows.append((keys, f"{text.replace('&', '')} ({lab.display_title()})"))
        return rows

    @Slot()
    def show_questions(self) -> None:
        """Help ▸ Course questions: a card per question of the course, judged on this store's newest study of it."""
        from workbench.ui.shell.answers_view import AnswersDialog

        self.ensure_ready()
        AnswersDialog.show_for(self)

    @Slot()
    def show_guide(self) -> None:
        """Help ▸ Guide: the current lab's guide; from Training or Compare, the guide of the selected run's lab."""
        self.ensure_ready()
        lab = self.tabs.currentWidget() if self.tabs.currentWidget() in self.labs else None
        if lab is None and self.labs:
            tasks = {self.store.get_run(i).task for i in self.browser.selected_ids()}
            lab = next((lab for lab in self.labs if tasks & set(lab.tasks)), self.labs[0])
        if lab is not None:
            self.tabs.setCurrentWidget(lab)
            lab.show_guide()

    @Slot()
    def show_preferences(self) -> None:
        from workbench.settings import save_blocked_reason
        from workbench.ui.shell.preferences import apply_settings, edit_preferences

        try:
            reason = save_blocked_reason()
        except (StoreError, OSError) as exc:  # a home that cannot be created
            reason = str(exc)
        if reason:  # e.g. a newer version's file: saving here would overwrite what that version stored
            self.warn(self.tr("Preferences cannot be changed in this session: %1").replace("%1", reason))
            return
        change = edit_preferences(self)
        if change is not None:
            apply_settings(self, change[1], change[0])

    @Slot()
    def show_about(self) -> None:
        from workbench.ui.shell.about import show_about

        show_about(self)

    def _update_memory(self) -> None:
        rss = _rss_mib()
        if rss is not None:
            self.memory_label.setText(self.tr("memory: %1 MiB").replace("%1", f"{rss:.0f}"))

    # -- persistence and shutdown ----------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainWindow/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = settings.value("mainWindow/state")
        if state is not None:
            self.restoreState(state)
        else:  # a first launch: the runs list as wide as its model, dataset and metric columns need
            self.resizeDocks([self.runs_dock], [self.browser.sizeHint().width()], Qt.Orientation.Horizontal)
        sizes = settings.value("mainWindow/centralSplitter")
        if sizes is not None:
            self.central_splitter.restoreState(sizes)
        else:
            self.central_splitter.setSizes([700, 110])
        self._apply_dock_rule()

    def _save_state(self) -> None:
        if self.property("ephemeral"):
            return  # the self-test and benchmarks leave the user's layout alone
        settings = QSettings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/state", self.saveState())
        settings.setValue("mainWindow/centralSplitter", self.central_splitter.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True  # engines still loading are not built into a closing window
        if self._preloader is not None and self._preloader.thread is not None:
            # Let a half-done import finish (a few seconds at most): an interpreter that exits in the middle
            # of importing torch may abort.
            self._preloader.thread.join(timeout=60)
        if self.runner.busy:
            self.status_label.setText(self.tr("Stopping the run and saving a checkpoint…"))
        for lab in self.labs:
            lab.shutdown()
        self.runner.shutdown()
        self._memory_timer.stop()
        self._save_state()
        super().closeEvent(event)
