"""Retrieval lab (DSCMR): train, watch each loss term, browse rankings, see the common space, ablate J2.

One widget per tab, each in its own module: *Train · loss terms* (:mod:`.train_tab`), *Browser*
(:mod:`.browser_tab`), *Common space* (:mod:`.space_tab`), *Does J2 matter?* (:mod:`.study_tab`), and the
Guide. This container holds the run selection shared by the tabs and the lab-owned worker thread that
analyses the selected run; it hands the result to the browser and the common space and the selected run's
epochs to the loss-term plot.

The numbers come from :mod:`engines.labs.retrieval.task` (in a lab-owned worker thread); the tabs show them.
"""
from __future__ import annotations

import json
import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTabWidget, QVBoxLayout

from workbench.ui.labs.retrieval.browser_tab import RetrievalBrowserTab
from workbench.ui.labs.retrieval.space_tab import RetrievalSpaceTab
from workbench.ui.labs.retrieval.study_tab import RetrievalStudyTab
from workbench.ui.labs.retrieval.train_tab import RetrievalTrainTab
from workbench.ui.shell.guide import GuidePane
from workbench.ui.shell.lab import Lab
from workbench.ui.shell.runs_model import status_text
from workbench.ui.shell.worker import LabJob

clock = time.monotonic  # the stage line's clock (a test replaces it)

# What the analysis does next, after each of its stages (engines.labs.retrieval.task.analyse, then the projection).
STAGES = (
    QT_TRANSLATE_NOOP("RetrievalLab", "loading the data and rebuilding the network"),
    QT_TRANSLATE_NOOP("RetrievalLab", "embedding the test split with the initial weights"),
    QT_TRANSLATE_NOOP("RetrievalLab", "embedding the test split with the trained weights"),
    QT_TRANSLATE_NOOP("RetrievalLab", "scoring the rankings"),
    QT_TRANSLATE_NOOP("RetrievalLab", "scoring the untrained rankings"),
    QT_TRANSLATE_NOOP("RetrievalLab", "projecting the common space"),
)


def _analyse_run(config_values: dict, checkpoint: str | None, method: str, should_stop, progress) -> dict:
    from engines.labs.retrieval.task import ANALYSIS_STAGES, analyse, common_space_2d, config_from_values

    total = ANALYSIS_STAGES + 1  # the projection is the last step
    analysis = analyse(config_from_values(config_values), checkpoint, should_stop=should_stop,
                       progress=lambda done, _of: progress(done, total))
    projection = common_space_2d(analysis, method=method)
    progress(total, total)
    return {"analysis": analysis, "projection": projection}


class RetrievalLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Retrieval")
    tasks = ("retrieval",)

    analysis_ready = Signal()  # the browser and the embedding show the current run
    message = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("retrievalLab")
        self.run_id: int | None = None
        self.analysis = None
        self.projection: dict | None = None
        self.job = LabJob(self, "retrieval", cancelled=(InterruptedError,))
        self.job.result.connect(self._on_worker_done)
        self.job.error.connect(self._on_worker_failed)
        self.job.progress.connect(self._on_progress)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.finished.connect(self._on_job_finished)
        self.cancel_button, self.progress = self.job_controls("retrieval")
        self.progress.setTextVisible(False)  # an idle bar says nothing (not "0 %")
        self._started: float | None = None
        self._stage = 0
        # Seconds the last analysis of each data setting took: the next one's time left (the test split's size,
        # not the weights, sets the cost; the first analysis of a setting shows the time spent only).
        self._analysis_seconds: dict[str, float] = {}
        self._analysis_key = ""
        self._analysing: tuple | None = None  # (run, checkpoint, projection method) of the running analysis
        self._ticker = QTimer(self)  # the status line's elapsed seconds while the analysis runs
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._show_stage)

        self.run_box = QComboBox()
        self.run_box.setObjectName("retrievalRun")
        self.run_box.currentIndexChanged.connect(lambda _i: self.load_run(self.run_box.currentData()))
        self.features_label = QLabel(self.tr("Features: –"))
        self.features_label.setObjectName("retrievalFeatures")
        self.features_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Run")))
        top.addWidget(self.run_box, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)

        self.train_tab = RetrievalTrainTab(window)
        self.train_tab.message.connect(self.message)
        self.train_tab.run_queued.connect(self._on_run_queued)
        self.browser_tab = RetrievalBrowserTab()
        self.space_tab = RetrievalSpaceTab()
        self.space_tab.method_changed.connect(lambda: self.load_run(self.run_id))
        self.study_tab = RetrievalStudyTab(window)
        self.study_tab.message.connect(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.train_tab, self.tr("Train · loss terms"))
        self.tabs.addTab(self.browser_tab, self.tr("Browser"))
        self.tabs.addTab(self.space_tab, self.tr("Common space"))
        self.tabs.addTab(self.study_tab, self.tr("Does J2 matter?"))
        self.tabs.addTab(GuidePane("retrieval"), self.tr("Guide"))
        self.status = QLabel()
        self.status.setObjectName("retrievalStatus")
        self.status.setWordWrap(True)
        self.message.connect(self.status.setText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.features_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        self.runner.run_finished.connect(self._on_run_finished)
        # The picker says each run's status: refreshed when a run starts, pauses or resumes, and ends.
        self.runner.run_started.connect(lambda _run_id, _fields: self.refresh_runs())
        self.runner.paused.connect(lambda _run_id, _paused: self.refresh_runs())
        self.runner.epoch_done.connect(self._on_epoch_done)
        self.refresh_runs()

    @Slot(int)
    def _on_run_queued(self, run_id: int) -> None:
        self._select_run(run_id, load=False)

    @Slot(int, int, dict)
    def _on_epoch_done(self, run_id: int, epoch: int, metrics: dict) -> None:
        if run_id == self.run_id:
            self.train_tab.add_epoch(epoch, metrics)

    # -- runs -------------------------------------------------------------------------------------------
    def retrieval_runs(self):
        # A run whose stored config is damaged would be analysed with default settings: left out.
        return [r for r in self.store.list_runs(task="retrieval") if "config" not in r.damaged]

    @Slot()
    def refresh_runs(self) -> None:
        current = self.run_box.currentData()
        self.run_box.blockSignals(True)
        self.run_box.clear()
        for run in sorted(self.retrieval_runs(), key=lambda r: -r.id):
            losses = run.config.get("losses", "")
            self.run_box.addItem(f"#{run.id} {run.model} · {run.dataset} · {losses} · {status_text(run.status)}"
                                 + (f" — {run.name}" if run.name else ""), run.id)
        index = self.run_box.findData(current)
        self.run_box.setCurrentIndex(index if index >= 0 else -1)
        self.run_box.blockSignals(False)

    def _select_run(self, run_id: int, *, load: bool = True) -> bool:
        self.refresh_runs()
        index = self.run_box.findData(run_id)
        if index < 0:
            return False
        self.run_box.blockSignals(True)
        self.run_box.setCurrentIndex(index)
        self.run_box.blockSignals(False)
        self.run_id = run_id
        if load:
            self.load_run(run_id)
        return True

    def show_runs(self, run_ids: list[int]) -> None:
        for run_id in run_ids:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if run.task == "retrieval":
                self._select_run(run_id)
                return

    @Slot(int, str, dict)
    def _on_run_finished(self, run_id: int, status: str, outcome: dict) -> None:
        self.refresh_runs()
        self.study_tab.refresh_study()
        if run_id == self.run_id and status == "finished":
            self.load_run(run_id)

    def load_run(self, run_id: int | None, *, method: str | None = None) -> None:
        """Show the run's curves and start its analysis (embeddings before/after, projection) in the worker."""
        if run_id is None:
            return
        self.run_id = run_id
        self.train_tab.show_curves(run_id)
        run = self.store.get_run(run_id)
        if run.status in ("running", "paused", "queued"):
            self.message.emit(self.tr("Run #%1 is %2; its browser opens when it finishes")
                              .replace("%1", str(run_id)).replace("%2", status_text(run.status)))
            return
        checkpoint = run.checkpoint if run.checkpoint and os.path.exists(run.checkpoint) else None
        if checkpoint is None:
            self.message.emit(self.tr("Run #%1 has no checkpoint; showing the untrained network")
                              .replace("%1", str(run_id)))
        values, chosen = dict(run.config), method or self.space_tab.method()
        request = (run_id, checkpoint, chosen)
        if self.busy and request == self._analysing:
            return  # this very analysis is under way: selecting the run again must not restart it
        self._analysing = request
        self.job.start("analysis", lambda should_stop, progress: _analyse_run(values, checkpoint, chosen,
                                                                               should_stop, progress))
        self.cancel_button.setEnabled(True)
        # Determinate at once: the stages are counted from the start, the first (the data) being the longest.
        self.progress.setRange(0, len(STAGES))
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m")
        self.progress.setTextVisible(True)
        self._analysis_key = json.dumps([values.get("data"), values.get("data_options"), chosen], sort_keys=True,
                                        default=str)
        self._started, self._stage = clock(), 0
        self._show_stage()
        self._ticker.start()

    @Slot()
    def _show_stage(self) -> None:
        """"Run #2: embedding the test split with the trained weights (step 3 of 6) · 4 s", and "· about 9 s
        left" when an analysis of the same data has finished before."""
        if self._started is None or self._stage >= len(STAGES):
            return
        elapsed = clock() - self._started
        text = self.tr("Run #%1: %2 (step %3 of %4) · %5 s").replace("%1", str(self.run_id)) \
            .replace("%2", QCoreApplication.translate("RetrievalLab", STAGES[self._stage])) \
            .replace("%3", str(self._stage + 1)).replace("%4", str(len(STAGES))).replace("%5", f"{elapsed:.0f}")
        before = self._analysis_seconds.get(self._analysis_key)
        if before is not None and before - elapsed >= 1:
            text += self.tr(" · about %1 s left").replace("%1", f"{before - elapsed:.0f}")
        self.message.emit(text)

    # -- worker results -------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot(str, object)
    def _on_worker_done(self, _kind: str, result: dict) -> None:
        if self._started is not None:
            self._analysis_seconds[self._analysis_key] = clock() - self._started
        self._started = None  # the stage line gives way to the outcome
        self.analysis, self.projection = result["analysis"], result["projection"]
        pair = self.analysis.pair
        self.features_label.setText(self.tr("Features in use: %1").replace("%1", pair.description))
        scores = self.analysis.scores
        a, b = pair.modalities
        self.message.emit(self.tr("Run #%1: mAP %2→%3 %4, %3→%2 %5, average %6 (untrained: %7)")
                          .replace("%1", str(self.run_id)).replace("%2", a).replace("%3", b)
                          .replace("%4", f"{scores['map_a2b']:.3f}").replace("%5", f"{scores['map_b2a']:.3f}")
                          .replace("%6", f"{scores['map_average']:.3f}")
                          .replace("%7", f"{self.analysis.scores_before['map_average']:.3f}"))
        self.browser_tab.show_analysis(self.analysis)
        self.space_tab.show_projection(self.projection, pair.modalities)
        self.analysis_ready.emit()

    @Slot(str, str)
    def _on_worker_failed(self, _kind: str, message: str) -> None:
        self._started = None  # the stage line gives way to the outcome
        self.message.emit(self.tr("Analysis failed: %1").replace("%1", message))

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self._stage = done
        self._show_stage()

    @Slot(str)
    def _on_cancelled(self, _kind: str) -> None:
        self._started = None  # the stage line gives way to the outcome
        self.message.emit(self.tr("Analysis cancelled"))

    @Slot(str, bool)
    def _on_job_finished(self, _kind: str, _stopped: bool) -> None:
        self.cancel_button.setEnabled(False)
        self._ticker.stop()
        self._started = None
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)

    @Slot()
    def cancel(self) -> None:
        self._analysing = None  # selecting the run again starts it afresh
        self.job.cancel()

    def shutdown(self) -> None:
        self.job.shutdown()

