"""The Classification lab's *Attention* tab: the squeeze-and-excitation channel weights of an SE run.

The excitations of one test image (or of an image file dropped on the lab) per SE block, the run's weights
of the epoch the scrubber points at, and the mean excitation of two classes (SENet's class specificity).
The numbers come from :mod:`engines.labs.classify.analysis`; single-image excitations are quick and run
inline, the class means run in the lab's worker job, which the lab hands to this tab.
"""
from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.labs.classify.widgets import BarChart, fill_run_box, load_classifier, run_inputs, to_pixmap

if TYPE_CHECKING:
    from workbench.store import RunStore
    from workbench.ui.shell.worker import LabJob

CLASS_COLOURS = ("#f28e2b", "#4e79a7")
EPOCH_FILE = re.compile(r"epoch_(\d+)\.pt$")


def epoch_checkpoints(checkpoint: str | None) -> dict[int, str]:
    """The per-epoch weight snapshots kept beside a run's ``last.pt`` (``keep_epoch_weights``)."""
    if not checkpoint:
        return {}
    found = {}
    for path in glob.glob(os.path.join(os.path.dirname(checkpoint), "epoch_*.pt")):
        match = EPOCH_FILE.search(path)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))



class ClassificationAttentionTab(QWidget):
    """An SE run's channel excitations for one image, per block, following the scrubber's epoch."""

    class_means_ready = Signal()
    excitations_changed = Signal()
    message = Signal(str)

    def __init__(self, store: "RunStore", job: "LabJob") -> None:
        super().__init__()
        self.store = store
        self.job = job
        self.se_run_id: int | None = None
        self.se_model = None
        self.se_checkpoint: str | None = None
        self.se_dataset = None  # DatasetSplits of the SE run
        self.dropped_input = None  # (tensor, display array, path)
        self.current_excitations: dict[str, np.ndarray] = {}
        self.class_means: dict[str, dict[int, np.ndarray]] = {}

        self.se_run_box = QComboBox()
        self.se_run_box.setObjectName("seRun")
        self.se_run_box.currentIndexChanged.connect(lambda _i: self.load_se_run(self.se_run_box.currentData()))
        self.image_spin = QSpinBox()
        self.image_spin.setObjectName("imageIndex")
        self.image_spin.setPrefix(self.tr("test image #"))
        self.image_spin.valueChanged.connect(lambda _v: self._use_test_image())
        self.block_box = QComboBox()
        self.block_box.setObjectName("seBlock")
        self.block_box.currentIndexChanged.connect(lambda _i: self._update_bars())
        self.sort_box = QCheckBox(self.tr("Sort by weight"))
        self.sort_box.setObjectName("sortBars")
        self.sort_box.toggled.connect(lambda _on: self._update_bars())
        self.image_label = QLabel()
        self.image_label.setFixedSize(96, 96)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_caption = QLabel(self.tr("Drop an image file here to use it instead"))
        self.image_caption.setWordWrap(True)
        self.checkpoint_label = QLabel()
        self.checkpoint_label.setObjectName("seCheckpoint")
        self.bar_chart = BarChart(self.tr("Channel excitations"))
        self.bar_chart.setObjectName("excitationBars")
        self.bar_chart.setLabel("bottom", self.tr("channel"))
        self.bar_chart.setLabel("left", self.tr("excitation"))

        self.class_a = QComboBox()
        self.class_b = QComboBox()
        self.class_button = QPushButton(self.tr("Mean excitation per class"))
        self.class_button.setObjectName("classMeansButton")
        self.class_button.clicked.connect(self.compute_class_means)
        self.class_plots = []
        plots_row = QHBoxLayout()
        for stage in (self.tr("early"), self.tr("middle"), self.tr("late")):
            plot = pg.PlotWidget(title=stage)
            plot.setBackground(None)
            plot.setLabel("bottom", self.tr("channel"))
            plot.setLabel("left", self.tr("mean excitation"))
            plot.setYRange(0, 1, padding=0.02)  # a sigmoid gate: the whole range, so blocks compare by eye
            plot.addLegend(offset=(5, 5))
            curves = [plot.plot([], [], pen=pg.mkPen(c, width=1.5), name=self.tr("class %1").replace("%1", str(i)))
                      for i, c in enumerate(CLASS_COLOURS)]
            self.class_plots.append((plot, curves))
            plots_row.addWidget(plot)

        controls = QFormLayout()
        controls.addRow(self.tr("SE run"), self.se_run_box)
        controls.addRow(self.tr("Image"), self.image_spin)
        controls.addRow(self.tr("Block"), self.block_box)
        controls.addRow("", self.sort_box)
        left = QWidget()
        left.setMinimumWidth(300)
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(controls)
        left_layout.addWidget(self.image_label)
        left_layout.addWidget(self.image_caption)
        left_layout.addWidget(self.checkpoint_label)
        left_layout.addStretch(1)
        top = QSplitter()
        top.addWidget(left)
        top.addWidget(self.bar_chart)
        top.setStretchFactor(1, 1)
        class_box = QGroupBox(self.tr("Class specificity (SENet, Hu et al.): mean excitation of two classes"))
        class_layout = QVBoxLayout(class_box)
        pick = QHBoxLayout()
        pick.addWidget(self.class_a)
        pick.addWidget(self.class_b)
        pick.addWidget(self.class_button)
        pick.addStretch(1)
        class_layout.addLayout(pick)
        class_layout.addLayout(plots_row)
        page = QSplitter(Qt.Orientation.Vertical)
        page.addWidget(top)
        page.addWidget(class_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the splitter fills the tab, edge to edge
        layout.addWidget(page)

    # -- runs -------------------------------------------------------------------------------------------
    def set_runs(self, runs) -> None:
        """The runs with squeeze-and-excitation blocks (the selected one stays selected); a run is loaded when
        the tab is shown. Runs without channel attention have no excitations to show, so they are not offered."""
        fill_run_box(self.se_run_box, [r for r in runs if has_channel_attention(r)])

    def pick_run(self, run_id: int) -> None:
        """Select ``run_id`` in the list without loading it (:meth:`sync_run` loads it when shown)."""
        self.se_run_box.blockSignals(True)
        self.se_run_box.setCurrentIndex(self.se_run_box.findData(run_id))
        self.se_run_box.blockSignals(False)

    def select_se_run(self, run_id: int) -> bool:
        """Pick ``run_id`` and load it."""
        if self.se_run_box.findData(run_id) < 0:
            return False
        self.pick_run(run_id)
        return self.load_se_run(run_id)

    def sync_run(self) -> None:
        """Load the selected run if it is not the one shown."""
        if self.se_run_box.currentData() != self.se_run_id:
            self.load_se_run(self.se_run_box.currentData())

    # -- excitations ------------------------------------------------------------------------------------
    def load_se_run(self, run_id: int | None, checkpoint: str | None = None) -> bool:
        """Load a run's model (``checkpoint``: a specific epoch snapshot) and show its excitations."""
        from engines.core.checkpoint import CheckpointError
        from engines.core.data import dataset_spec, load_dataset
        from engines.core.registry import keyword_options
        from engines.labs.classify.analysis import se_block_channels

        if run_id is None:
            return False
        run_checkpoint, dataset, options = run_inputs(self.store, run_id)
        checkpoint = checkpoint or run_checkpoint
        if "download" in keyword_options(dataset_spec(dataset).loader):
            options["download"] = False  # this runs on the GUI thread: a missing folder is a message, not a fetch
        try:
            model = load_classifier(checkpoint)
            if self.se_run_id != run_id or self.se_dataset is None:
                self.se_dataset = load_dataset(dataset, **options)
        except (CheckpointError, ValueError, OSError) as exc:
            self.message.emit(str(exc))
            return False
        channels = se_block_channels(model)
        if not channels:
            self.se_model = None
            self.block_box.clear()
            self.bar_chart.set_bars([], [])
            self.message.emit(self.tr("Run #%1 has no squeeze-and-excitation blocks; train a model with "
                                      "attention se or scse").replace("%1", str(run_id)))
            return False
        new_run = self.se_run_id != run_id
        self.se_run_id, self.se_model, self.se_checkpoint = run_id, model, checkpoint
        self.checkpoint_label.setText(self.tr("weights: %1").replace("%1", os.path.basename(checkpoint)))
        if new_run or self.block_box.count() != len(channels):
            selected = self.block_box.currentIndex()
            self.block_box.blockSignals(True)
            self.block_box.clear()
            for name, count in channels.items():
                label = self.tr("%1 (%2 channels)").replace("%1", name).replace("%2", str(count))
                self.block_box.addItem(label, name)
            self.block_box.setCurrentIndex(selected if 0 <= selected < len(channels) else 0)
            self.block_box.blockSignals(False)
            self.image_spin.blockSignals(True)
            self.image_spin.setRange(0, max(0, len(self.se_dataset.test) - 1))
            self.image_spin.blockSignals(False)
            names = self.se_dataset.class_names
            for box, default in ((self.class_a, 0), (self.class_b, 1)):
                box.clear()
                for i, name in enumerate(names):
                    box.addItem(name, i)
                box.setCurrentIndex(min(default, len(names) - 1))
            self.dropped_input = None
            self.class_means = {}
            # Replaces whatever the lab said before (a run without SE blocks, a failed load).
            self.message.emit(self.tr("Run #%1: channel weights of %2 squeeze-and-excitation blocks")
                              .replace("%1", str(run_id)).replace("%2", str(len(channels))))
        self._recompute_excitations()
        return True

    def _current_input(self):
        if self.dropped_input is not None:
            return self.dropped_input[0], self.dropped_input[1]
        from engines.labs.classify.analysis import display_images

        index = self.image_spin.value()
        test = self.se_dataset.test
        return test[index][0], display_images(test, [index])[0]

    def _use_test_image(self) -> None:
        self.dropped_input = None
        self._recompute_excitations()

    def _recompute_excitations(self) -> None:
        from engines.labs.classify.analysis import excitations

        if self.se_model is None:
            return
        x, shown = self._current_input()
        self.current_input = x
        self.image_label.setPixmap(to_pixmap(shown, 96))
        self.current_excitations = {k: v[0] for k, v in excitations(self.se_model, x.unsqueeze(0)).items()}
        self._update_bars()

    def _update_bars(self) -> None:
        block = self.block_box.currentData()
        if block is None or block not in self.current_excitations:
            return
        values = self.current_excitations[block]
        order = np.argsort(-values, kind="stable") if self.sort_box.isChecked() else np.arange(len(values))
        self.bar_order = order
        names = [self.tr("channel %1").replace("%1", str(i)) for i in order]
        self.bar_chart.set_bars(values[order], names, y_range=(0.0, 1.0))
        self.bar_chart.setLabel("bottom", self.tr("rank (sorted by weight; hover for the channel)")
                                if self.sort_box.isChecked() else self.tr("channel"))
        self.excitations_changed.emit()

    def use_image_file(self, path: str) -> bool:
        """An image file (dropped on the lab) as the attention view's input; refusals are messages."""
        from engines.labs.classify.analysis import ImageInputError, load_input_image

        if self.se_model is None:
            self.message.emit(self.tr("%1 was not used: pick a trained SE run before dropping an image").replace(
                "%1", Path(path).name))
            return False
        run = self.store.get_run(self.se_run_id)
        try:
            x, shown, notes = load_input_image(path, dataset=run.dataset, size=self.se_dataset.input_shape[-1])
        except ImageInputError as exc:
            self.message.emit(str(exc))
            return False
        self.dropped_input = (x, shown, path)
        self.image_caption.setText(Path(path).name + (" — " + "; ".join(notes) if notes else ""))
        self.message.emit(self.tr("Using %1").replace("%1", Path(path).name)
                          + (" (" + "; ".join(notes) + ")" if notes else ""))
        self._recompute_excitations()
        return True

    @Slot()
    def compute_class_means(self) -> None:
        if self.se_run_id is None or self.se_model is None:
            self.message.emit(self.tr("Pick a trained SE run first"))
            return
        checkpoint = self.se_checkpoint
        dataset, options = run_inputs(self.store, self.se_run_id)[1:]
        classes = [self.class_a.currentData(), self.class_b.currentData()]

        def job(should_stop, _progress):
            from engines.core.data import load_dataset
            from engines.labs.classify.analysis import class_mean_excitations
            from engines.models import load_trained_model

            model = load_trained_model(checkpoint)  # the worker's own copy: no sharing across threads
            test = load_dataset(dataset, **options).test
            return classes, class_mean_excitations(model, test, classes, should_stop=should_stop)

        self.job.start("class_means", job)

    def show_class_means(self, result) -> None:
        """The worker's ``(classes, means per block)``."""
        classes, means = result
        self.class_means = means
        names = self.se_dataset.class_names if self.se_dataset else [str(c) for c in classes]
        stages = (self.tr("early"), self.tr("middle"), self.tr("late"))
        for index, ((plot, curves), block) in enumerate(zip(self.class_plots, means)):
            plot.setTitle(f"{stages[index]} · {block}" if index < len(stages) else block)
            for curve, cls in zip(curves, classes):
                values = means[block].get(cls)
                if values is None:
                    curve.setData([], [])
                    continue
                curve.setData(np.arange(len(values)), values)
                curve.opts["name"] = names[cls]
            legend = plot.getPlotItem().legend
            if legend is not None:
                legend.clear()
                for curve, cls in zip(curves, classes):
                    legend.addItem(curve, names[cls])
        self.class_means_ready.emit()

    def set_cursor(self, step: int) -> None:
        """Follow the scrubber: show the SE run's weights of the last epoch that ended at or before ``step``."""
        if self.se_run_id is None or self.se_model is None:
            return
        run = self.store.get_run(self.se_run_id)
        snapshots = epoch_checkpoints(run.checkpoint)
        if not snapshots:
            return  # the run kept only last.pt (keep_epoch_weights off)
        ends = {int(p.epoch): p.step for p in self.store.metrics(run.id, "test_accuracy")}
        candidates = [e for e in snapshots if ends.get(e, 10**12) <= step]
        path = snapshots[max(candidates)] if candidates else snapshots[min(snapshots)]
        if path != self.se_checkpoint:
            self.load_se_run(run.id, path)


SE_ATTENTION = ("se", "scse")  # the attention kinds with channel excitations (sse is spatial only)


def has_channel_attention(run) -> bool:
    """Whether ``run``'s model has squeeze-and-excitation blocks: its ``attention`` option (given, or the
    builder's default, e.g. ``se_resnet18``) is one with channel excitations."""
    from engines.core.models import model_spec
    from engines.core.registry import UnknownName, keyword_options

    try:
        parameters = keyword_options(model_spec(run.model).builder)
    except (UnknownName, KeyError):
        return False
    if "attention" not in parameters:
        return False
    value = (run.config.get("model_options") or {}).get("attention", parameters["attention"].default)
    return value in SE_ATTENTION
