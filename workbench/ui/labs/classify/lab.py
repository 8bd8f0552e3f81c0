"""Classification lab: model picker with its summary, training, per-class accuracy, an interactive
confusion matrix with an image gallery, the most-confident mistakes, and the SE channel-attention view.

One widget per tab, each in its own module: *Models* (:mod:`.models_tab`), *Evaluation*
(:mod:`.evaluation_tab`), *Attention* (:mod:`.attention_tab`), and the Guide; the small shared widgets are
in :mod:`.widgets`. This container offers the recorded runs to the tabs, follows the runs browser and the
scrubber, takes image files dropped on the lab to the attention view, and owns the lab's worker job
(the project's one worker pattern): the Evaluation and Attention tabs start their jobs on it, so a new job
supersedes the one running, and the lab hands each result to the tab that asked for it.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal, Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from workbench.ui.labs.classify.attention_tab import ClassificationAttentionTab
from workbench.ui.labs.classify.evaluation_tab import ClassificationEvaluationTab
from workbench.ui.labs.classify.models_tab import ClassificationModelsTab
from workbench.ui.shell.guide import GuidePane
from workbench.ui.shell.lab import Lab
from workbench.ui.shell.worker import LabJob


class ClassificationLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Classification")
    tasks = ("classify",)

    message = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("classificationLab")
        self.setAcceptDrops(True)
        from engines.labs.classify.analysis import Cancelled

        self.job = LabJob(self, "classification", cancelled=(Cancelled,))
        self.job.result.connect(self._on_worker_done)
        self.job.error.connect(self._on_worker_failed)

        self.models_tab = ClassificationModelsTab(window)
        self.evaluation_tab = ClassificationEvaluationTab(self.store, self.job)
        self.attention_tab = ClassificationAttentionTab(self.store, self.job)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.models_tab, self.tr("Models"))
        self.tabs.addTab(self.evaluation_tab, self.tr("Evaluation"))
        self.tabs.addTab(self.attention_tab, self.tr("Attention"))
        self.tabs.addTab(GuidePane("classification"), self.tr("Guide"))
        self.status = QLabel()
        self.status.setObjectName("labStatus")
        self.status.setWordWrap(True)
        self.message.connect(self.status.setText)
        for tab in (self.models_tab, self.evaluation_tab, self.attention_tab):
            tab.message.connect(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.runner.run_finished.connect(lambda *_: self.refresh_runs())
        self.tabs.currentChanged.connect(lambda _i: self._sync_attention_run())
        self.refresh_runs()

    # -- runs -------------------------------------------------------------------------------------------
    def classify_runs(self):
        # A run whose stored config is damaged would be evaluated on default data settings: left out.
        return [r for r in self.store.list_runs(task="classify")
                if r.checkpoint and os.path.exists(r.checkpoint) and r.status not in ("running", "paused")
                and "config" not in r.damaged]

    @Slot()
    def refresh_runs(self) -> None:
        runs = self.classify_runs()
        self.evaluation_tab.set_runs(runs)
        self.attention_tab.set_runs(runs)

    def _sync_attention_run(self) -> None:
        # The attention view loads its run when it is shown, not on every refresh of the list.
        if self.tabs.currentWidget() is self.attention_tab:
            self.attention_tab.sync_run()

    def show_runs(self, run_ids: list[int]) -> None:
        for run_id in run_ids:
            if self.evaluation_tab.offers(run_id):
                self.evaluation_tab.select_run(run_id)
                self.attention_tab.pick_run(run_id)
                self._sync_attention_run()
                return

    def set_cursor(self, step: int) -> None:
        """Follow the scrubber: the attention view shows the weights of the epoch at ``step``."""
        self.attention_tab.set_cursor(step)

    # -- dropped image files ------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        used = self.attention_tab.use_image_file(paths[0])
        if used and len(paths) > 1:
            self.message.emit(self.status.text() + self.tr(" (the first of %1 dropped files; the attention view "
                                                           "takes one image)").replace("%1", str(len(paths))))

    # -- worker results -----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot(str, object)
    def _on_worker_done(self, kind: str, result) -> None:
        if kind == "evaluate":
            self.evaluation_tab.show_evaluation(result)
        elif kind == "class_means":
            self.attention_tab.show_class_means(result)

    @Slot(str, str)
    def _on_worker_failed(self, kind: str, message: str) -> None:
        self.message.emit(self.tr("%1 failed: %2").replace("%1", kind).replace("%2", message))

    def shutdown(self) -> None:
        self.job.shutdown()
