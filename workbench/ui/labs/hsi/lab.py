"""Hyperspectral lab: the whole scene classified by each selected run, beside the ground truth.

Selecting hyperspectral runs in the browser loads their scene (the PCA, window and split each run was
trained with) and any cached maps in the lab's worker thread; *Compute maps* classifies every pixel of
the scene for the runs without one (minutes on a CPU for the full HybridSN; progress and Cancel; maps
are cached per run and checkpoint under the run's folder). Hover a pixel for its class and confidence;
click it for its spectrum and each run's class probabilities. With per-epoch weights kept
(``keep_epoch_weights``), the maps follow the epoch scrubber.
"""
from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.labs.hsi.map_view import ProbabilityPlot, SceneMapView, SceneView, SpectrumPlot
from workbench.ui.shell.guide import GuidePane
from workbench.ui.shell.lab import Lab
from workbench.ui.shell.worker import LabJob

MAX_RUNS = 4  # panels side by side beyond the ground truth
clock = time.monotonic  # the ETA's clock (a test replaces it)


def remaining_text(elapsed: float, fraction: float) -> str:
    """"about 40 s left" from the time spent and the share done ("" until the estimate means something)."""
    if fraction <= 0.02 or elapsed < 1.0 or fraction >= 1.0:
        return ""
    left = elapsed * (1.0 - fraction) / fraction
    if left < 10:
        return QCoreApplication.translate("HyperspectralLab", "a few seconds left")
    if left < 90:
        return QCoreApplication.translate("HyperspectralLab", "about %1 s left").replace(
            "%1", str(int(round(left / 5) * 5)))
    return QCoreApplication.translate("HyperspectralLab", "about %1 min left").replace(
        "%1", str(int(round(left / 60))))


def percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def _scene_key(config) -> str:
    return json.dumps({k: getattr(config, k) for k in ("data", "data_options", "components", "window",
                                                       "train_ratio", "pca_fit", "seed", "split")}, sort_keys=True)


class HyperspectralLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Hyperspectral")
    tasks = ("hsi",)

    maps_ready = Signal()  # the map panels show the current runs
    spectrum_shown = Signal(int, int)  # row, col
    message = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("hyperspectralLab")
        self.run_ids: list[int] = []
        self.checkpoints: dict[int, str | None] = {}  # run → checkpoint shown (None: SVM map)
        self.maps: dict[int, np.ndarray] = {}  # run → probabilities (rows, cols, classes)
        self.missing: list[int] = []  # runs whose map is not computed yet
        self._scenes: dict[str, Any] = {}  # scene key → workbench.labs.hsi.maps.RunScene
        self._run_scene: dict[int, str] = {}
        self._cursor_step: int | None = None  # the scrubber's step, once it has moved
        from engines.labs.hsi.patches import Cancelled

        self.job = LabJob(self, "hsi", cancelled=(Cancelled,), plain=(ValueError,))
        self.job.progress.connect(self._on_progress)
        self.job.result.connect(self._on_done)
        self.job.error.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.finished.connect(self._on_job_finished)
        self._build()

    # -- layout --------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.map_view = SceneMapView()
        self.spectrum = SpectrumPlot()
        self.probabilities = ProbabilityPlot()
        self.status = QLabel(self.tr("Select hyperspectral runs (task hsi) in the runs list."))
        self.status.setObjectName("hsiStatus")
        self.status.setWordWrap(True)
        self.hover = QLabel(" ")
        self.hover.setObjectName("hsiHover")
        # OA / AA / κ of each map on the run's test pixels, under the maps.
        self.scores = QLabel()
        self.scores.setObjectName("hsiScores")
        self.scores.setWordWrap(True)
        self.scores.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scores.setVisible(False)
        # The clicked pixel, above its spectrum: a label wraps where a plot title would be cut off.
        self.pixel_title = QLabel(self.tr("Click a pixel of a map for its spectrum and class probabilities."))
        self.pixel_title.setObjectName("hsiPixel")
        self.pixel_title.setWordWrap(True)
        self.message.connect(self.status.setText)
        self.map_view.pixel_hovered.connect(self.hover.setText)
        self.map_view.pixel_clicked.connect(self.show_pixel)

        self.compute_button = QPushButton(self.tr("Compute maps"))
        self.compute_button.setObjectName("hsiCompute")
        self.compute_button.setToolTip(self.tr("Classify every pixel of the scene for the selected runs "
                                               "(runs in the background; cached per run and checkpoint)"))
        self.compute_button.clicked.connect(self.compute_maps)
        self.compute_button.setEnabled(False)
        self.cancel_button, self.progress = self.job_controls("hsi")
        self.progress.setVisible(False)  # shown while work runs: an idle bar would read 0 % or 100 %
        self._started: float | None = None
        self._cancelling = False

        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setObjectName("hsiOpacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(80)
        self.opacity.setToolTip(self.tr("Opacity of the class colours over the false-colour image"))
        self.opacity.valueChanged.connect(lambda v: self.map_view.set_opacity(v / 100.0))
        self.errors = QCheckBox(self.tr("Highlight errors"))
        self.errors.setObjectName("hsiErrors")
        self.errors.setChecked(True)
        self.errors.setToolTip(self.tr("Misclassified labelled pixels in red"))
        self.errors.toggled.connect(self.map_view.set_show_errors)
        self.error_legend = QLabel(self.tr("<span style='color:#ff0000'>■</span> misclassified labelled pixel; "
                                           "every other pixel is dimmed"))
        self.error_legend.setObjectName("hsiErrorLegend")
        self.error_legend.setWordWrap(True)
        self.errors.toggled.connect(self.error_legend.setVisible)
        self.training = QCheckBox(self.tr("Show training pixels"))
        self.training.setObjectName("hsiTraining")
        self.training.toggled.connect(self.map_view.set_show_training)
        self.band_boxes = []
        bands_row = QHBoxLayout()
        for name in ("R", "G", "B"):
            box = QSpinBox()
            box.setObjectName(f"hsiBand{name}")
            box.setPrefix(f"{name} ")
            box.setRange(0, 0)
            box.setToolTip(self.tr("Band shown in the false-colour background"))
            box.valueChanged.connect(self._on_bands_changed)
            self.band_boxes.append(box)
            bands_row.addWidget(box)
        self.legend = QListWidget()
        self.legend.setObjectName("hsiLegend")

        controls = QWidget()
        form = QFormLayout(controls)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        form.addRow(self.progress)
        form.addRow(self.tr("Opacity"), self.opacity)
        form.addRow(self.errors)
        form.addRow(self.error_legend)
        form.addRow(self.training)
        form.addRow(self.tr("Bands"), bands_row)
        form.addRow(QLabel(self.tr("Classes")))
        form.addRow(self.legend)
        controls.setMaximumWidth(320)

        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.spectrum)
        plots.addWidget(self.probabilities)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.pixel_title)
        lower_layout.addWidget(plots, 1)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.map_view, 1)
        upper_layout.addWidget(self.scores)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(upper)
        left.addWidget(lower)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        top = QHBoxLayout()
        top.addWidget(left, 1)
        top.addWidget(controls)
        guide = GuidePane("hyperspectral", side=True)  # hidden until its button or Help ▸ Guide shows it
        top.addWidget(guide)
        form.addRow(guide.toggle_button())
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.hover)
        layout.addWidget(self.status)

    # -- Lab interface -------------------------------------------------------------------------------
    def show_runs(self, run_ids: list[int]) -> None:
        runs = []
        for run_id in run_ids:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if run.task == "hsi":
                runs.append(run)
        if not runs:
            return
        runs = runs[:MAX_RUNS]
        checkpoints = {r.id: self._checkpoint(r, None) for r in runs}
        same = [r.id for r in runs] == self.run_ids and checkpoints == self.checkpoints
        if same and self.job.busy and not self._cancelling and self.job.kind == "compute":
            return  # computing these maps (minutes): selecting the runs again must not restart it (a load may)
        self.run_ids = [r.id for r in runs]
        self.checkpoints = checkpoints
        self._load(compute=False)

    def showEvent(self, event) -> None:
        """Opened with no hyperspectral run chosen: load the newest finished one (on a first launch, the shipped
        HybridSN) with its scene and ground truth, so the lab is never empty; Compute maps is one click away."""
        super().showEvent(event)
        if self.run_ids or self.job.busy:
            return
        from workbench.store import StoreError

        try:
            finished = self.store.list_runs(task="hsi", status="finished")
        except StoreError:  # an unreadable store: the lab stays empty with its hint
            return
        newest = max(finished, key=lambda run: run.id, default=None)
        if newest is None:
            return
        self.run_ids = [newest.id]
        self.checkpoints = {newest.id: self._checkpoint(newest, None)}
        self._load(compute=False)

    def set_cursor(self, step: int) -> None:
        """Follow the scrubber: each run's weights of the last epoch that ended at or before ``step``.

        Maps of models with a dense form take seconds, so a missing one is computed at once (and the next
        epochs' maps prefetched into the cache); others wait for Compute maps.
        """
        if not self.run_ids:
            return
        changed = False
        for run_id in self.run_ids:
            run = self.store.get_run(run_id)
            checkpoint = self._checkpoint(run, self._epoch_at(run_id, step))
            if checkpoint != self.checkpoints.get(run_id):
                self.checkpoints[run_id] = checkpoint
                changed = True
        if changed:
            self._cursor_step = step
            self._load(compute=self._maps_are_quick())

    def _epoch_at(self, run_id: int, step: int) -> int | None:
        ends = {int(p.epoch): p.step for p in self.store.metrics(run_id, "overall_accuracy")}
        epochs = [e for e, end in ends.items() if end <= step]
        return max(epochs) if epochs else None

    def _maps_are_quick(self) -> bool:
        from engines.models.hybridsn import DENSE_MODELS

        return all(self.store.get_run(i).model in DENSE_MODELS for i in self.run_ids)

    def _prefetch(self, ahead: int = 3) -> None:
        """Compute, in the background, the cached maps of the next ``ahead`` epochs after the scrubber's."""
        from workbench.labs.hsi.maps import cached_map

        if self._cursor_step is None or not self._maps_are_quick():
            return
        wanted = []
        for run_id in self.run_ids:
            run = self.store.get_run(run_id)
            epoch = self._epoch_at(run_id, self._cursor_step)
            for later in range((epoch or 0) + 1, min(run.epoch, (epoch or 0) + ahead) + 1):
                checkpoint = self._checkpoint(run, later)
                if checkpoint and run.id in self._run_scene and cached_map(run.id, checkpoint) is None:
                    wanted.append((run, checkpoint, self._scenes[self._run_scene[run.id]]))
        if not wanted:
            return

        def job(should_stop, progress):
            from workbench.labs.hsi import maps as hsi_maps

            for run, checkpoint, run_scene in wanted:
                if should_stop():
                    break
                try:
                    hsi_maps.compute_map(run, checkpoint, run_scene=run_scene, should_stop=should_stop)
                except hsi_maps.MapError:
                    continue
            return {"prefetched": len(wanted)}

        self.job.start("prefetch", job)

    def shutdown(self) -> None:
        self.job.shutdown()

    # -- actions ------------------------------------------------------------------------------------------
    @Slot()
    def compute_maps(self) -> None:
        if self.run_ids:
            self._load(compute=True)

    @Slot()
    def cancel(self) -> None:
        if self.job.cancel():
            self._cancelling = True  # selecting the runs again loads them afresh
            self.message.emit(self.tr("Cancelling…"))

    @Slot(int, int)
    def show_pixel(self, row: int, col: int) -> None:
        view = self.map_view.scene_view
        if view is None:
            return
        truth = int(view.gt[row, col])
        name = view.class_names[truth - 1] if truth else self.tr("unlabelled")
        title = self.tr("Pixel (row %1, col %2) · truth: %3").replace("%1", str(row)).replace("%2", str(col)) \
            .replace("%3", name)
        self.pixel_title.setText(title)
        self.pixel_title.setToolTip(title)
        self.spectrum.set_spectrum(view.cube[row, col], view.wavelengths, self.tr("Spectrum"))
        rows = [(panel.title, panel.probs[row, col]) for panel in self.map_view.panels[1:]]
        self.probabilities.set_probabilities(rows, view.class_names)
        self.map_view.mark(row, col)
        self.spectrum_shown.emit(row, col)

    # -- loading and computing (worker) --------------------------------------------------------------
    def _checkpoint(self, run, epoch: int | None) -> str | None:
        from workbench.labs.hsi.maps import checkpoint_for_epoch

        if run.model == "svm":
            return None
        return checkpoint_for_epoch(run, epoch)

    def _load(self, *, compute: bool) -> None:
        runs = [self.store.get_run(i) for i in self.run_ids]
        checkpoints = dict(self.checkpoints)
        scenes = dict(self._scenes)

        def job(should_stop, progress):
            return _load_maps(runs, checkpoints, scenes, compute, should_stop, progress)

        # A running job is superseded: this one starts when it has stopped.
        self.job.start("compute" if compute else "load", job)
        self.cancel_button.setEnabled(True)
        self.compute_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat("%p %")
        self.progress.setVisible(True)
        self._started, self._cancelling = clock(), False
        self.message.emit(self.tr("Computing maps…") if compute else self.tr("Loading the scene…"))

    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot(str, bool)
    def _on_job_finished(self, kind: str, _stopped: bool) -> None:
        self.cancel_button.setEnabled(False)
        self.compute_button.setEnabled(bool(self.missing))
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
        if kind == "compute" and self._started is not None and self.progress.value() == self.progress.maximum():
            seconds = clock() - self._started
            self.progress.setFormat(self.tr("Done in %1 s").replace("%1", f"{seconds:.1f}" if seconds < 10
                                                                      else f"{seconds:.0f}"))
        elif kind == "compute":  # cancelled or failed part-way: how far it got, without a stale time left
            self.progress.setFormat(self.tr("Stopped at %p %"))
        elif kind != "prefetch":
            self.progress.setVisible(kind == "compute")  # a compute's bar stays to say how far it got

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if self.job.kind == "prefetch":  # quiet: the shown maps are done
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        now = clock()
        eta = remaining_text(now - (self._started if self._started is not None else now), done / max(total, 1))
        self.progress.setFormat("%p %" + (" · " + eta if eta else ""))

    @Slot(str, str)
    def _on_failed(self, _kind: str, message: str) -> None:
        self.message.emit(message)

    @Slot(str)
    def _on_cancelled(self, _kind: str) -> None:
        self.message.emit(self.tr("Cancelled; maps computed so far are kept."))

    @Slot(str, object)
    def _on_done(self, kind: str, result: dict) -> None:
        if kind == "prefetch":
            return
        if self.progress.maximum() == 0:  # the busy indicator of a load that had nothing to compute
            self.progress.setRange(0, 1)
        self.progress.setValue(self.progress.maximum())
        self._scenes.update(result["scenes"])
        self._run_scene.update(result["run_scene"])
        self.maps = result["maps"]
        self.missing = result["missing"]
        shown = [i for i in self.run_ids if i in self._run_scene]
        if not shown:
            self.message.emit(" · ".join(result.get("errors", [])))
            return
        scene = self._scenes[self._run_scene[shown[0]]].prepared.scene
        view = self.map_view.scene_view
        if view is None or view.name != scene.name or view.gt.shape != scene.gt.shape or \
                not np.array_equal(view.gt, scene.gt):
            self._show_scene(scene)
        entries = []
        for run_id in self.run_ids:
            if run_id not in self.maps:
                continue
            run_scene = self._scenes[self._run_scene[run_id]]
            if run_scene.prepared.scene.gt.shape != scene.gt.shape:
                continue  # a run on another scene cannot sit beside this one
            run = self.store.get_run(run_id)
            entries.append({"title": f"#{run_id} {run.model}", "probs": self.maps[run_id],
                            "training_mask": run_scene.prepared.training_mask(),
                            "confidence_known": run.model != "svm",
                            "aa_absent": run.config.get("aa_absent", "skip")})
        self.map_view.set_maps(entries)
        self._show_scores()
        text = self.tr("%1 map(s) shown").replace("%1", str(len(entries)))
        if self.missing:
            text += self.tr("; press Compute maps for run(s) %1").replace(
                "%1", ", ".join(f"#{i}" for i in self.missing))
        if result.get("errors"):
            text += " · " + " · ".join(result["errors"])
        self.message.emit(text)
        self.maps_ready.emit()
        if kind == "compute" and self._cursor_step is not None:
            QTimer.singleShot(0, self._prefetch)  # once this job has handed over

    def map_scores(self) -> list[dict]:
        """Each shown map's OA / AA / κ against the ground truth, on its run's test pixels (labelled and not
        used for training; every labelled pixel when the run's split is unknown)."""
        from workbench.labs.hsi.maps import map_scores

        view = self.map_view.scene_view
        out = []
        for panel in self.map_view.panels[1:]:
            test = None if panel.training_mask is None else ~panel.training_mask
            scores = map_scores(panel.predicted, view.gt, len(view.class_names), pixels=test,
                                aa_absent=panel.extra.get("aa_absent", "skip"))
            out.append({"title": panel.title, "test_pixels": test is not None, **scores})
        return out

    def _show_scores(self) -> None:
        lines = []
        for entry in self.map_scores():
            where = self.tr("on its %1 test pixels") if entry["test_pixels"] else self.tr("on %1 labelled pixels")
            lines.append(self.tr("%1 %2: OA %3 · AA %4 · κ %5 · %6 misclassified").replace("%1", entry["title"])
                         .replace("%2", where.replace("%1", str(entry["pixels_scored"])))
                         .replace("%3", percent(entry["overall_accuracy"]))
                         .replace("%4", percent(entry["average_accuracy"]))
                         .replace("%5", f"{entry['kappa']:.3f}").replace("%6", str(entry["errors"])))
        self.scores.setText("\n".join(lines))
        self.scores.setToolTip(self.tr("Overall accuracy, average per-class accuracy and Cohen's kappa of the map "
                                       "against the ground truth, on the labelled pixels the run did not train on"))
        self.scores.setVisible(bool(lines))

    def _show_scene(self, scene) -> None:
        view = SceneView(name=scene.name, gt=scene.gt, cube=scene.cube, class_names=list(scene.class_names),
                         colors=list(scene.colors), wavelengths=scene.wavelengths, rgb_bands=tuple(scene.rgb_bands))
        for box, band in zip(self.band_boxes, view.rgb_bands):
            box.blockSignals(True)
            box.setRange(0, scene.bands - 1)
            box.setValue(int(band))
            box.blockSignals(False)
        self.map_view.set_scene(view)
        self.legend.clear()
        counts = np.bincount(scene.gt.ravel(), minlength=scene.num_classes + 1)
        for i, (name, colour) in enumerate(zip(scene.class_names, scene.colors)):
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(*colour))
            self.legend.addItem(QListWidgetItem(QIcon(swatch), f"{i + 1}. {name} ({counts[i + 1]})"))

    @Slot()
    def _on_bands_changed(self) -> None:
        self.map_view.set_background_bands(tuple(box.value() for box in self.band_boxes))


def _load_maps(runs, checkpoints, scenes, compute: bool, should_stop, progress) -> dict:
    """Worker side: prepare each run's scene (once per distinct setting), read cached maps, compute missing."""
    from engines.labs.hsi.patches import Cancelled
    from engines.labs.hsi.task import HsiConfig
    from workbench.labs.hsi import maps as hsi_maps

    new_scenes: dict[str, Any] = {}
    run_scene: dict[int, str] = {}
    maps: dict[int, np.ndarray] = {}
    missing: list[int] = []
    errors: list[str] = []
    for run in runs:
        try:
            values = {k: v for k, v in run.config.items() if k in HsiConfig.__dataclass_fields__}
            key = _scene_key(HsiConfig.from_dict(values))
            if key not in scenes and key not in new_scenes:
                new_scenes[key] = hsi_maps.prepare_for_run(run)
            run_scene[run.id] = key
        except (hsi_maps.MapError, ValueError) as exc:
            errors.append(f"#{run.id}: {exc}")
            continue
        checkpoint = checkpoints.get(run.id)
        cached = hsi_maps.cached_map(run.id, checkpoint) if checkpoint or run.model == "svm" else None
        if cached is not None:
            maps[run.id] = cached
        elif checkpoint is None:
            errors.append(f"#{run.id}: " + QCoreApplication.translate("HyperspectralLab", "no checkpoint yet"))
        else:
            missing.append(run.id)
    if compute:
        todo = [r for r in runs if r.id in missing]
        for index, run in enumerate(todo):
            if should_stop():
                raise Cancelled("stopped")
            run_sc = scenes.get(run_scene[run.id]) or new_scenes[run_scene[run.id]]

            def overall(done, total, index=index):  # one bar over every map computed, in thousandths
                progress(round(1000 * (index + done / max(total, 1)) / len(todo)), 1000)

            try:
                maps[run.id] = hsi_maps.compute_map(run, checkpoints[run.id], run_scene=run_sc, progress=overall,
                                                    should_stop=should_stop)
                missing.remove(run.id)
            except hsi_maps.MapError as exc:
                errors.append(f"#{run.id}: {exc}")
    if not run_scene:
        raise ValueError("; ".join(errors) or QCoreApplication.translate("HyperspectralLab",
                                                                         "no hyperspectral run to show"))
    return {"scenes": new_scenes, "run_scene": run_scene, "maps": maps, "missing": missing, "errors": errors}
