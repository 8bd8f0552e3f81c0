"""Denoising lab: drop images (or a folder) on the window, compare DnCNN runs with classical baselines.

Each dropped image is denoised by every checked method in the lab's worker thread and shown as a
triptych (noisy | residual | restored, plus the clean original and |error| or SSIM map when known).
A dropped folder runs as a batch whose results are written to the output folder (originals are never
overwritten). Selecting a denoising run in the runs list checks it here and shows its output on the
current image (or on a built-in test image); while that run trains, the preview follows each checkpoint.
"""
from __future__ import annotations

import os
import stat
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.shell.guide import GuidePane
from workbench.ui.shell.lab import Lab
from workbench.ui.shell.worker import LabJob

KEEP_IMAGES = 12  # results whose arrays stay in memory; older ones keep their scores and outputs only
PROGRESS_INTERVAL = 0.1
SHORT_TITLES = {"nlm": "NLM", "tv": "TV", "wavelet": QT_TRANSLATE_NOOP("DenoisingLab", "Wavelet"), "bm3d": "BM3D"}
SAMPLE = "<sample>"  # the built-in test image's key (a path no file can have)
WEIGHT_SUFFIXES = (".pt", ".pth", ".pt.gz", ".pth.gz", ".ckpt", ".mat", ".npy", ".npz")  # never images


# How far the σ set may be from the σ a non-blind DnCNN was trained for before the lab says so (8-bit scale).
SIGMA_TOLERANCE = 5.0


def _trained_sigma(config: dict) -> float | None:
    """The σ a denoising run's model was trained for; None for a blind model or when its config does not say."""
    from workbench.compare import finite

    sigma = None if config.get("blind") else finite(config.get("sigma"))
    return sigma if sigma is not None and sigma > 0 else None


def default_network(choices: list[MethodChoice], sigma: float) -> MethodChoice | None:
    """The DnCNN to check when nobody has chosen: the one trained for the σ set (the closest within
    ``SIGMA_TOLERANCE``), else a blind one, else any; the newest first among equals (``choices`` are newest
    first). σ = 0 ("auto": estimated per image) prefers a blind model."""
    nets = [c for c in choices if c.method == "dncnn" and c.available]
    if sigma > 0:
        near = [c for c in nets if c.trained_for(sigma)]
        if near:
            return min(near, key=lambda c: abs(c.trained_sigma - sigma))
    return next((c for c in nets if c.trained_sigma is None), nets[0] if nets else None)


@dataclass(frozen=True)
class MethodChoice:
    key: str  # "run:<id>" or a baseline name
    label: str
    method: str  # engines.labs.denoise.methods method name
    checkpoint: str | None = None
    mtime: float = 0.0
    available: bool = True
    reason: str = ""  # why it is unavailable
    short: str = ""  # the label in pane titles
    trained_sigma: float | None = None  # the one σ a DnCNN run was trained for (None: blind, or not a run)

    @property
    def title(self) -> str:
        return self.short or self.label

    def trained_for(self, sigma: float) -> bool:
        """Whether this DnCNN was trained for ``sigma`` (within ``SIGMA_TOLERANCE``); False for blind ones."""
        return self.trained_sigma is not None and abs(self.trained_sigma - sigma) <= SIGMA_TOLERANCE


@dataclass
class FileOutcome:
    """One input: its images and each method's result, or why it failed."""

    path: str
    error: str | None = None
    noisy: np.ndarray | None = None
    clean: np.ndarray | None = None
    bit_depth: int = 8
    alpha: np.ndarray | None = None
    noisy_psnr: float | None = None
    sigma_used: float = 0.0
    results: list = field(default_factory=list)  # [(MethodChoice, MethodResult)]
    outputs: list[str] = field(default_factory=list)  # files written (batch)
    source_suffix: str = ".png"
    notes: list[str] = field(default_factory=list)  # a page left out, a score undefined, an output renamed
    ssim_window: str = "gaussian"  # the SSIM window its scores used (engines.labs.denoise.methods.SSIM_WINDOWS)

    @property
    def name(self) -> str:
        return QCoreApplication.translate("DenoisingLab", "camera (built-in)") if self.path == SAMPLE \
            else Path(self.path).name


def denoise_job(paths: list[str], methods: list[MethodChoice], *, sigma: float, add_noise: bool, seed: int,
                out_dir: str | None, models: dict, images: dict | None = None, ssim: str = "gaussian",
                precision: str = "auto"):
    """The window's batch for :class:`LabJob`: :func:`workbench.labs.denoise.service.denoise_batch` over
    ``paths`` (files), yielding one :class:`FileOutcome` per file. ``models`` is the lab's cache of prepared
    networks ((checkpoint, mtime, bf16 or fp32) → model); ``images`` holds inputs already in memory (the built-in
    sample); ``precision`` is the networks' arithmetic (Preferences: auto or fp32)."""

    def job(should_stop, progress):
        from workbench.labs.denoise.service import BatchMethod, denoise_batch

        batch = [BatchMethod(c.method, tag=_file_tag(c), label=c.label,
                             load=(lambda c=c: _load_model(models, c, precision)) if c.method == "dncnn" else None)
                 for c in methods]
        choice_of = {id(b): c for b, c in zip(batch, methods)}
        items = denoise_batch(paths, batch, sigma=sigma, out_dir=out_dir, add_noise=add_noise, seed=seed,
                              estimate_unknown_sigma=True, ssim_maps=True, images=images, should_stop=should_stop,
                              ssim=ssim,
                              # per mille: tiles make fractional files
                              progress=lambda done, total: progress(int(done * 1000), int(total * 1000)))
        for path, item in zip(paths, items):  # files only: one item per path, in order
            yield _file_outcome(path, item, choice_of, ssim)

    return job


def _file_outcome(path: str, item, choice_of: dict, ssim: str = "gaussian") -> FileOutcome:
    """A :class:`workbench.labs.denoise.service.FileDenoised` as the window keeps it."""
    from workbench.ui.labs.denoise.triptych import MethodResult

    if item.error is not None:
        return FileOutcome(path, error=item.error)
    image = item.image
    outcome = FileOutcome(path, error="; ".join(item.failures) or None, noisy=item.noisy, clean=item.clean,
                          bit_depth=image.bit_depth, alpha=image.alpha, noisy_psnr=item.noisy_psnr,
                          sigma_used=item.sigma, outputs=item.outputs, source_suffix=Path(path).suffix or ".png",
                          notes=list(item.notes), ssim_window=ssim)
    for done in item.results:
        choice = choice_of[id(done.method)]
        restored = done.restoration
        method = MethodResult(choice.title, restored.restored, restored.residual, restored.seconds,
                              precision=restored.precision)
        method.psnr, method.ssim, method.ssim_map = done.psnr, done.ssim, done.ssim_map
        outcome.results.append((choice, method))
    return outcome


def _load_model(models: dict, choice: MethodChoice, precision: str = "auto"):
    """The prepared network of a run, cached by (checkpoint, mtime, resolved precision) across batches."""
    from engines.labs.denoise.methods import inference_precision, prepare_model
    from engines.models import load_trained_model
    from engines.models.dncnn import DnCNN

    key = (choice.checkpoint, choice.mtime, inference_precision(precision))
    if key not in models:
        model = load_trained_model(choice.checkpoint)
        if not isinstance(model, DnCNN):
            raise ValueError(QCoreApplication.translate("DenoiseWorker", "%1 is not a DnCNN").replace(
                "%1", choice.label))
        models[key] = prepare_model(model, precision=precision)
    return models[key]


def _file_tag(choice: MethodChoice) -> str:
    """The method part of an output file name: ``nlm``, ``dncnn-run12``."""
    return f"dncnn-run{choice.key.split(':', 1)[1]}" if choice.key.startswith("run:") else choice.method


def _local_paths(mime) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


class MethodList(QListWidget):
    """The checkable methods as a wrapping row of names, exactly as tall as its lines.

    A list of full names took four cramped lines and a scrollbar beside a small image area.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(2)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def fit_height(self) -> None:
        self.doItemsLayout()
        rects = [self.visualItemRect(self.item(i)) for i in range(self.count())]
        top = min((r.top() for r in rects), default=0)
        bottom = max((r.bottom() for r in rects), default=self.fontMetrics().height())
        height = bottom - top + 1 + 2 * self.spacing() + 2 * self.frameWidth()
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_height()  # a narrower list wraps into more lines


class DenoisingLab(Lab):
    title = QT_TRANSLATE_NOOP("Lab", "Denoising")
    tasks = ("denoise",)

    results_changed = Signal()  # a file finished (or failed)
    batch_finished = Signal()
    message = Signal(str)
    weights_installed = Signal(int)  # the run id of the authors' DnCNN, installed on demand

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("denoisingLab")
        self.setAcceptDrops(True)
        self.outcomes: OrderedDict[str, FileOutcome] = OrderedDict()
        self._file_items: dict[str, QListWidgetItem] = {}  # path → its row in the Files list
        self.errors: list[str] = []
        self.choices: dict[str, MethodChoice] = {}
        self.out_dir: str = ""
        self._models: dict = {}
        self.job = LabJob(self, "denoise", progress_interval=PROGRESS_INTERVAL)
        self.job.progress.connect(self._on_progress)
        self.job.item.connect(self._on_file_done)
        self.job.error.connect(self._on_job_error)
        self.job.finished.connect(self._on_batch_finished)
        # The authors' DnCNN, fetched on demand (workbench.labs.denoise.published), in a job of its own so a
        # denoising batch is not superseded by it.
        from workbench.labs.denoise.published import PublishedError

        self.weights_job = LabJob(self, "denoise-weights", plain=(PublishedError,))
        self.weights_job.progress.connect(self._on_weights_progress)
        self.weights_job.result.connect(self._on_weights_installed)
        self.weights_job.error.connect(self._on_weights_failed)
        # (output folder, files, message, σ warning) per batch to run
        self._batches: list[tuple[str | None, int, str, str]] = []
        self._batch_warning = ""
        self._dirty_preview = False
        self.previews = 0  # previews requested by training checkpoints
        self._sample: Any = None
        self._auto_checked: set[str] | None = None  # the checks the lab chose, while nobody has changed them
        self._build()
        self.refresh_methods()
        self.sigma.valueChanged.connect(self._follow_sigma)
        self.runner.checkpoint_saved.connect(self._on_checkpoint)
        self.runner.run_finished.connect(lambda *_: self.refresh_methods())

    # -- layout -------------------------------------------------------------------------------------------
    def _build(self) -> None:
        from workbench.ui.labs.denoise.triptych import TriptychView

        self.view = TriptychView()
        self.view.setAcceptDrops(False)
        self.view.viewport().setAcceptDrops(False)
        self.hint = QLabel(self.tr("Drop images (PNG, JPEG, TIFF, BMP) or a folder here, or use Open images…"))
        self.hint.setObjectName("denoiseHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)  # unwrapped, its one long line widened the lab past the window
        self.status = QLabel(" ")
        self.status.setObjectName("denoiseStatus")
        self.status.setWordWrap(True)
        self.message.connect(self.status.setText)

        self.methods = MethodList()
        self.methods.setObjectName("denoiseMethods")
        self.methods.setToolTip(self.tr("Checked methods denoise every dropped image, side by side"))
        import_button = QPushButton(self.tr("Import weights…"))
        import_button.setObjectName("denoiseImport")
        import_button.setToolTip(self.tr("Published DnCNN weights: KAIR .pth or MatConvNet .mat"))
        import_button.clicked.connect(self.import_weights_dialog)

        self.sigma = QDoubleSpinBox()
        self.sigma.setObjectName("denoiseSigma")
        self.sigma.setRange(0.0, 100.0)
        self.sigma.setDecimals(1)
        self.sigma.setValue(25.0)
        self.sigma.setSpecialValueText(self.tr("auto"))
        self.sigma.setToolTip(self.tr("Noise level σ (8-bit scale): the synthetic noise added to clean images, "
                                      "and the level the classical methods assume; 'auto' estimates it per image"))
        self.add_noise = QCheckBox(self.tr("Add synthetic noise σ (the images are clean)"))
        self.add_noise.setObjectName("denoiseAddNoise")
        self.add_noise.setChecked(True)
        self.add_noise.setToolTip(self.tr("Treat dropped images as clean: add seeded Gaussian noise first, so "
                                          "PSNR, SSIM and the error maps can be shown"))
        self.seed = QSpinBox()
        self.seed.setObjectName("denoiseSeed")
        self.seed.setRange(0, 2**31 - 1)

        open_button = QPushButton(self.tr("Open images…"))
        open_button.setObjectName("denoiseOpen")
        open_button.clicked.connect(self.open_dialog)
        folder_button = QPushButton(self.tr("Denoise folder…"))
        folder_button.setObjectName("denoiseFolder")
        folder_button.clicked.connect(self.folder_dialog)
        self.sample_button = QPushButton(self.tr("Try a sample image (cameraman)"))
        self.sample_button.setObjectName("denoiseSample")
        self.sample_button.setToolTip(self.tr("scikit-image's 512×512 cameraman, the classic test image: no file "
                                              "of your own needed"))
        self.sample_button.clicked.connect(lambda: self.open_sample())
        self.rerun_button = QPushButton(self.tr("Denoise again"))
        self.rerun_button.setObjectName("denoiseRerun")
        self.rerun_button.setToolTip(self.tr("Run the checked methods on the shown image with the current σ"))
        self.rerun_button.clicked.connect(self.rerun_current)
        self.out_label = QLabel(self.tr("next to each source"))
        self.out_label.setObjectName("denoiseOutDir")
        self.out_label.setWordWrap(True)
        out_button = QPushButton(self.tr("Change…"))
        out_button.clicked.connect(self.choose_out_dir)

        self.save_which = QComboBox()
        self.save_which.setObjectName("denoiseSaveWhich")
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("denoiseSave")
        self.save_button.setToolTip(self.tr("Save the restored image (Ctrl+S), in the source's bit depth"))
        self.save_button.clicked.connect(self.save)
        self.save_as_button = QPushButton(self.tr("Save As…"))
        self.save_as_button.setObjectName("denoiseSaveAs")
        self.save_as_button.clicked.connect(self.save_as_dialog)
        self.cancel_button, self.progress = self.job_controls("denoise")

        self.swipe = QSlider(Qt.Orientation.Horizontal)
        self.swipe.setObjectName("denoiseSwipe")
        self.swipe.setRange(0, 1000)
        self.swipe.setValue(500)
        self.swipe.setToolTip(self.tr("Before/after: noisy left of the line, restored right of it "
                                      "(or drag the yellow line)"))
        self.swipe.valueChanged.connect(lambda v: self.view.set_swipe(v / 1000.0))
        self.view.swipe_moved.connect(self._on_swipe_dragged)
        self.ssim_window = QComboBox()
        self.ssim_window.setObjectName("denoiseSsimWindow")
        self.ssim_window.addItem(self.tr("11×11 Gaussian (papers)"), "gaussian")
        self.ssim_window.addItem(self.tr("7×7 uniform (scikit-image)"), "uniform")
        # The list's width, not the longest name's, sizes the box: the form column stays narrow.
        self.ssim_window.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.ssim_window.setMinimumContentsLength(12)
        self.ssim_window.setToolTip(self.tr("The window SSIM is computed with: 11×11 Gaussian, σ 1.5, as Wang et "
                                            "al. 2004 and DnCNN/KAIR report it, or scikit-image's default 7×7 "
                                            "uniform window. “Denoise again” rescores the shown image"))
        self.ssim_toggle = QCheckBox(self.tr("SSIM map instead of |error|"))
        self.ssim_toggle.setObjectName("denoiseSsim")
        self.ssim_toggle.toggled.connect(self.view.set_show_ssim)

        self.files = QListWidget()
        self.files.setObjectName("denoiseFiles")
        self.files.currentRowChanged.connect(self._on_file_selected)

        controls = QWidget()
        form = QFormLayout(controls)
        form.addRow(QLabel(self.tr("Methods")))
        form.addRow(self.methods)
        form.addRow(import_button)
        self.get_dncnn_button = QPushButton(self.tr("Get the authors' DnCNN (2 MB)"))
        self.get_dncnn_button.setObjectName("denoiseGetDncnn")
        self.get_dncnn_button.setToolTip(self.tr(
            "Download DnCNN-S for σ = 25 (KAIR's dncnn_25.pth, MIT licence), check its sha256 and add it as a run"))
        self.get_dncnn_button.clicked.connect(lambda: self.get_authors_dncnn())  # not clicked's bool as the name
        form.addRow(self.get_dncnn_button)
        form.addRow(self.tr("σ"), self.sigma)
        form.addRow(self.add_noise)
        form.addRow(self.tr("Noise seed"), self.seed)
        form.addRow(self.tr("SSIM window"), self.ssim_window)
        row = QHBoxLayout()
        row.addWidget(open_button)
        row.addWidget(folder_button)
        form.addRow(row)
        form.addRow(self.sample_button)
        form.addRow(self.rerun_button)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_label, 1)
        out_row.addWidget(out_button)
        form.addRow(self.tr("Output folder"), out_row)
        form.addRow(self.tr("Save"), self.save_which)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.save_as_button)
        save_row.addWidget(self.cancel_button)
        form.addRow(save_row)
        form.addRow(self.progress)
        form.addRow(self.tr("Swipe"), self.swipe)
        form.addRow(self.ssim_toggle)
        form.addRow(QLabel(self.tr("Files")))
        form.addRow(self.files)
        controls.setMaximumWidth(360)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.hint)
        left_layout.addWidget(self.view, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(controls)
        guide = GuidePane("denoising", side=True)  # hidden until its button or Help ▸ Guide shows it
        splitter.addWidget(guide)
        form.addRow(guide.toggle_button())
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

    def menu_actions(self) -> list[tuple[str, str, Any, Any]]:
        """(menu, text, slot, shortcut) entries the window adds to its menus."""
        return [
            ("file", self.tr("&Open images to denoise…"), self.open_dialog, QKeySequence.StandardKey.Open),
            ("file", self.tr("&Import weights…"), self.import_weights_dialog, "Ctrl+I"),
            ("file", self.tr("&Save denoised image"), self.save, QKeySequence.StandardKey.Save),
            ("file", self.tr("Save denoised image &As…"), self.save_as_dialog, QKeySequence.StandardKey.SaveAs),
        ]

    # -- methods ------------------------------------------------------------------------------------------
    def refresh_methods(self) -> None:
        """Denoising runs with a checkpoint, then the classical baselines; checked states are kept."""
        checked = set(self.checked_keys())
        first = not self.choices
        choices: list[MethodChoice] = []
        try:
            runs = [r for r in self.store.list_runs(task="denoise") if r.checkpoint]
        except Exception:  # a store problem must not take the lab down; the browser reports it
            runs = []
        for run in sorted(runs, key=lambda r: r.id, reverse=True):
            path = Path(run.checkpoint)
            mtime = path.stat().st_mtime if path.is_file() else 0.0
            if mtime:
                choices.append(MethodChoice(f"run:{run.id}", f"#{run.id} {run.title}", "dncnn", str(path), mtime,
                                            short=f"#{run.id} {run.model}", trained_sigma=_trained_sigma(run.config)))
        choices.extend(self._baselines())
        self.choices = {c.key: c for c in choices}
        if hasattr(self, "get_dncnn_button"):  # offered until the authors' file is a run (shipped ones don't count)
            from workbench.labs.denoise.published import get as published_entry

            authors = published_entry("dncnn_s_25").sha256
            self.get_dncnn_button.setVisible(not any(r.summary.get("sha256") == authors for r in runs))
        if first:
            default = default_network(choices, self.sigma.value())
            checked = {default.key} if default else {"wavelet"}
            self._auto_checked = set(checked)
        self.methods.blockSignals(True)
        self.methods.clear()
        for choice in choices:
            # runs by their name, baselines by their short one ("NLM"); the full name is in the tooltip
            item = QListWidgetItem(choice.label if choice.method == "dncnn" else choice.title)
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable |
                          (Qt.ItemFlag.ItemIsEnabled if choice.available else Qt.ItemFlag.NoItemFlags))
            item.setCheckState(Qt.CheckState.Checked if choice.key in checked else Qt.CheckState.Unchecked)
            item.setToolTip("\n".join(t for t in (choice.label, choice.reason or choice.checkpoint) if t))
            self.methods.addItem(item)
        self.methods.blockSignals(False)
        self.methods.fit_height()

    def _follow_sigma(self, sigma: float) -> None:
        """While the checks are still the lab's own choice, a new σ checks the DnCNN trained for it."""
        if self._auto_checked is None or set(self.checked_keys()) != self._auto_checked:
            self._auto_checked = None  # the user chose: leave their checks alone from now on
            return
        default = default_network(list(self.choices.values()), sigma)
        if default is not None and {default.key} != self._auto_checked:
            self._auto_checked = {default.key}
            self.set_checked(self._auto_checked)

    def _baselines(self) -> list[MethodChoice]:
        from engines.labs.denoise.methods import METHOD_TITLES, available_methods

        return [MethodChoice(name, QCoreApplication.translate("Methods", METHOD_TITLES.get(name, name)), name,
                             available=available, reason=reason, short=self.tr(SHORT_TITLES.get(name, name)))
                for name, (available, reason) in available_methods().items() if name != "dncnn"]

    def checked_keys(self) -> list[str]:
        keys = []
        for row in range(self.methods.count()):
            item = self.methods.item(row)
            if item.checkState() == Qt.CheckState.Checked and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                keys.append(item.data(Qt.ItemDataRole.UserRole))
        return keys

    def set_checked(self, keys) -> None:
        keys = set(keys)
        for row in range(self.methods.count()):
            item = self.methods.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in keys
                               else Qt.CheckState.Unchecked)

    def selected_methods(self) -> list[MethodChoice]:
        return [self.choices[k] for k in self.checked_keys() if k in self.choices]

    # -- opening files ------------------------------------------------------------------------------------
    def accepts_files(self, paths: list[str]) -> bool:
        return bool(paths)

    def open_sample(self) -> str | None:
        """Denoise scikit-image's cameraman, written once as ``<home>/cache/samples/cameraman.png``; its path."""
        from PIL import Image
        from skimage.data import camera

        from workbench import paths

        target = paths.home() / "cache" / "samples" / "cameraman.png"
        try:
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".partial")
                Image.fromarray(camera()).save(partial, format="PNG")
                os.replace(partial, target)
        except OSError as exc:
            self.message.emit(self.tr("Cannot write the sample image to %1 (%2)").replace("%1", str(target))
                              .replace("%2", exc.strerror or str(exc)))
            return None
        self.open_paths([str(target)])
        return str(target)

    def open_paths(self, paths: list[str]) -> None:
        """Files are denoised and shown; each folder runs as a batch written to the output folder.

        What cannot be an image (a FIFO, a dangling link or link loop, a weights file, a folder without
        images) is refused here, each with its own line in the Files list, and the rest still runs.
        """
        from engines.labs.denoise.images import ImageError, list_images

        files, folders = [], []
        for path in paths:
            kind, reason = self._dropped_kind(path)
            if kind == "file":
                files.append(path)
            elif kind == "folder":
                folders.append(path)
            else:
                self._refuse(path, reason)
        if files:
            self._submit(files, out_dir=None)
        for folder in folders:
            try:
                images = [str(p) for p in list_images(folder)]
            except (ImageError, OSError) as exc:
                self._refuse(folder, self.tr("%1: cannot list this folder (%2)").replace("%1", folder).replace(
                    "%2", getattr(exc, "strerror", None) or str(exc)))
                continue
            if not images:
                self._refuse(folder, self.tr("%1: no PNG, JPEG, TIFF or BMP images in this folder").replace(
                    "%1", folder))
                continue
            out_dir = self.out_dir or str(Path(folder).parent / f"{Path(folder).name}-denoised")
            self._submit(images, out_dir=out_dir)

    def _dropped_kind(self, path: str) -> tuple[str, str]:
        """``("file", "")``, ``("folder", "")``, or ``("refused", why)`` for a dropped or opened ``path``.

        Only the file's metadata is read: opening a FIFO to look inside would wait for a writer forever.
        """
        try:
            mode = os.stat(path).st_mode  # follows links: a loop or a dangling link fails here
        except OSError as exc:
            return "refused", self.tr("%1: cannot be read (%2)").replace("%1", path).replace(
                "%2", exc.strerror or str(exc))
        if stat.S_ISDIR(mode):
            return "folder", ""
        if not stat.S_ISREG(mode):
            return "refused", self.tr("%1: not a regular file (a FIFO, socket or device), not an image").replace(
                "%1", path)
        if path.lower().endswith(WEIGHT_SUFFIXES):
            return "refused", self.tr("%1: not an image but a weights, checkpoint or data file; DnCNN weights "
                                      "are added with Import weights… (Ctrl+I)").replace("%1", path)
        return "file", ""

    def _refuse(self, path: str, reason: str) -> None:
        """List ``path`` as a file that could not be read, with ``reason`` (its message names it)."""
        outcome = FileOutcome(path, error=reason)
        self.outcomes.pop(path, None)
        self.outcomes[path] = outcome
        self.errors.append(reason)
        self._list_file(outcome, select=False)
        self.message.emit(reason)
        self.results_changed.emit()

    def _submit(self, paths: list[str], *, out_dir: str | None, images: dict | None = None) -> None:
        methods = self.selected_methods()
        if not methods:
            self.message.emit(self.tr("Check at least one method (a DnCNN run or a classical baseline)."))
            return
        job = denoise_job(paths, methods, sigma=self.sigma.value(), add_noise=self.add_noise.isChecked(),
                          seed=self.seed.value(), out_dir=out_dir, models=self._models, images=images,
                          ssim=self.ssim_window.currentData(),
                          precision=self.main_window.settings().inference_precision)
        where = self.tr(" → %1").replace("%1", out_dir) if out_dir else ""
        text = self.tr("Denoising %1 file(s) with %2…").replace("%1", str(len(paths))).replace(
            "%2", ", ".join(m.label for m in methods)) + where
        warning = self.sigma_mismatch(methods)
        if self.job.busy:
            self.message.emit(self.tr("Queued %1 file(s)").replace("%1", str(len(paths))))
        self._batches.append((out_dir, len(paths), text + warning, warning))
        self.job.enqueue("batch", job)
        if len(self._batches) == 1:
            self._batch_started()

    def sigma_mismatch(self, methods: list[MethodChoice]) -> str:
        """A warning (or "") when a checked DnCNN was trained for another σ than the one set: such a model leaves
        noise in, or smooths away detail, far more than at its own σ."""
        sigma = self.sigma.value()
        off = [m for m in methods if m.trained_sigma is not None and sigma > 0 and not m.trained_for(sigma)]
        if not off:
            return ""
        names = ", ".join(f"{m.title} (σ={m.trained_sigma:g})" for m in off)
        return self.tr(" — %1 trained for another σ than %2: a blind DnCNN-B, or a model for this σ, does better") \
            .replace("%1", names).replace("%2", f"{sigma:g}")

    def _batch_started(self) -> None:
        self._batch_dir, self._batch_total, text, self._batch_warning = self._batches[0]
        self._batch_done = 0
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.message.emit(text)

    @property
    def busy(self) -> bool:
        return self.job.busy

    @Slot()
    def cancel(self) -> None:
        del self._batches[1:]
        if self.job.cancel():
            self.message.emit(self.tr("Cancelling…"))

    def shutdown(self) -> None:
        del self._batches[1:]
        self.job.shutdown()
        self.weights_job.shutdown()

    # -- the authors' DnCNN on demand ------------------------------------------------------------------------
    def get_authors_dncnn(self, name: str = "dncnn_s_25") -> None:
        """Download, check and install the published weights ``name`` in the background; then DnCNN is the
        checked method and the current image is denoised again."""
        if self.main_window.refuse_write() or self.weights_job.busy:
            return
        from workbench.labs.denoise.published import install

        self.get_dncnn_button.setEnabled(False)
        self.message.emit(self.tr("Downloading the authors' DnCNN…"))
        self.weights_job.start("install", lambda should_stop, progress: install(name, progress=progress,
                                                                               should_stop=should_stop))

    @Slot(int, int)
    def _on_weights_progress(self, done: int, total: int) -> None:
        of = self.tr(" of %1").replace("%1", f"{total / 1e6:.1f}") if total else ""
        self.message.emit(self.tr("Downloading the authors' DnCNN: %1%2 MB").replace("%1", f"{done / 1e6:.1f}")
                          .replace("%2", of))

    @Slot(str, object)
    def _on_weights_installed(self, _kind: str, result) -> None:
        run_id, _created = result
        self.get_dncnn_button.setEnabled(True)
        self.main_window.browser.refresh()
        self.refresh_methods()
        self.set_checked([f"run:{run_id}"])  # DnCNN alone: the comparison starts from the network
        self.message.emit(self.tr("The authors' DnCNN is run #%1").replace("%1", str(run_id)))
        if self.current_outcome is not None:
            self.rerun_current()
        self.weights_installed.emit(run_id)

    @Slot(str, str)
    def _on_weights_failed(self, _kind: str, message: str) -> None:
        self.get_dncnn_button.setEnabled(True)
        self._warn(message)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    @Slot(str, str)
    def _on_job_error(self, _kind: str, message: str) -> None:
        self.errors.append(message)
        self.message.emit(message)

    @Slot(str, object)
    def _on_file_done(self, _kind: str, outcome: FileOutcome) -> None:
        self._batch_done += 1
        key = outcome.path
        self.outcomes.pop(key, None)
        self.outcomes[key] = outcome
        if outcome.error and not outcome.results:
            self.errors.append(outcome.error)
        self._forget_old_images()
        self._list_file(outcome, select=bool(outcome.results))
        text = outcome.error if outcome.error else self.tr("%1 done").replace("%1", outcome.name)
        if outcome.notes:  # a page left out of a multi-page file, a score undefined, an output renamed
            text += " · " + "; ".join(outcome.notes)
        if self._batch_total > 1:
            text = f"[{self._batch_done}/{self._batch_total}] {text}"
        self.message.emit(text)
        self.results_changed.emit()

    @Slot(str, bool)
    def _on_batch_finished(self, _kind: str, stopped: bool) -> None:
        self._batches.pop(0)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0 if stopped else 1)
        failed = [o for o in self.outcomes.values() if o.error and not o.results]
        summary = self.tr("Done: %1 of %2 file(s)").replace("%1", str(self._batch_done)).replace(
            "%2", str(self._batch_total))
        if stopped:
            summary = self.tr("Cancelled after %1 of %2 file(s); results so far are kept").replace(
                "%1", str(self._batch_done)).replace("%2", str(self._batch_total))
        if self._batch_dir:
            summary += self.tr("; written to %1").replace("%1", self._batch_dir)
        if failed:
            summary += self.tr("; %1 file(s) could not be read (see the list)").replace("%1", str(len(failed)))
        self.message.emit(summary + self._batch_warning)
        self.batch_finished.emit()
        if self._batches:  # the job starts the next queued batch when this slot returns
            self._batch_started()

    def _forget_old_images(self) -> None:
        with_images = [o for o in self.outcomes.values() if o.noisy is not None]
        for outcome in with_images[:-KEEP_IMAGES]:
            outcome.noisy = outcome.clean = outcome.alpha = None
            outcome.results = [(c, None) for c, _ in outcome.results]

    def _file_text(self, outcome: FileOutcome) -> str:
        if not outcome.results:
            return f"⚠ {outcome.name}"
        scores = [r.psnr for _, r in outcome.results if r is not None and r.psnr is not None]
        text = outcome.name + (self.tr(" · best %1 dB").replace("%1", f"{max(scores):.2f}") if scores else "")
        if outcome.outputs:
            text += self.tr(" · %1 written").replace("%1", str(len(outcome.outputs)))
        if outcome.notes:
            text += " ⓘ"
        return text

    def _list_file(self, outcome: FileOutcome, *, select: bool) -> None:
        """Add the file's row at the end of the list (moving it there if listed); ``select`` shows it.

        One row changes per finished file, so a batch of n files costs n row updates, not n² rebuilt rows.
        """
        self.files.blockSignals(True)
        old = self._file_items.pop(outcome.path, None)
        if old is not None:
            self.files.takeItem(self.files.row(old))
        item = QListWidgetItem(self._file_text(outcome))
        item.setData(Qt.ItemDataRole.UserRole, outcome.path)
        item.setToolTip("\n".join([outcome.error or "\n".join(outcome.outputs) or outcome.path, *outcome.notes]))
        self.files.addItem(item)
        self._file_items[outcome.path] = item
        self.files.blockSignals(False)
        if select:
            self.files.setCurrentItem(item)
            self._on_file_selected(self.files.row(item))

    @Slot(int)
    def _on_file_selected(self, row: int) -> None:
        item = self.files.item(row)
        outcome = self.outcomes.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        if outcome is None:
            return
        if outcome.noisy is None:
            if outcome.results:  # arrays were released: compute again
                self._submit([outcome.path], out_dir=None)
            else:
                self.message.emit(outcome.error or "")
            return
        self.show_outcome(outcome)

    def show_outcome(self, outcome: FileOutcome) -> None:
        from workbench.ui.labs.denoise.triptych import TriptychData

        self.current = outcome
        data = TriptychData(outcome.name, outcome.noisy, outcome.clean, outcome.noisy_psnr,
                            [r for _, r in outcome.results if r is not None], outcome.ssim_window)
        self.hint.setVisible(False)
        self.view.set_data(data)
        self.save_which.clear()
        for choice, _ in outcome.results:
            self.save_which.addItem(choice.label, choice.key)

    @property
    def current_outcome(self) -> FileOutcome | None:
        return getattr(self, "current", None)

    @Slot()
    def rerun_current(self) -> None:
        outcome = self.current_outcome
        if outcome is None:
            self.message.emit(self.tr("Drop or open an image first."))
            return
        images = {outcome.path: self._sample} if self._sample is not None and outcome.path == SAMPLE else None
        self._submit([outcome.path], out_dir=None, images=images)

    # -- dialogs -----------------------------------------------------------------------------------------
    def _dialogs(self) -> bool:
        return not self.main_window.property("suppress_dialogs")

    @Slot()
    def open_dialog(self) -> None:
        if not self._dialogs():
            return
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Open images to denoise"), self._last_folder(),
                                                self.tr("Images (*.png *.jpg *.jpeg *.tif *.tiff *.bmp)"))
        if files:
            self._remember_folder(str(Path(files[0]).parent))
            self._activate()
            self.open_paths(files)

    @Slot()
    def folder_dialog(self) -> None:
        if not self._dialogs():
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of images to denoise"), self._last_folder())
        if folder:
            self._remember_folder(folder)
            self._activate()
            self.open_paths([folder])

    @Slot()
    def choose_out_dir(self) -> None:
        if not self._dialogs():
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Output folder"), self.out_dir or self._last_folder())
        if folder:
            self.set_out_dir(folder)

    def set_out_dir(self, folder: str) -> None:
        self.out_dir = folder
        self.out_label.setText(folder or self.tr("next to each source"))

    @Slot()
    def import_weights_dialog(self) -> None:
        if not self._dialogs():
            return
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import DnCNN weights"), self._last_folder(),
                                              self.tr("Weights (*.pth *.pt *.pt.gz *.mat);;All files (*)"))
        if path:
            self._remember_folder(str(Path(path).parent))
            self.import_weights(path)

    def import_weights(self, path: str) -> int | None:
        """Record ``path`` as a finished denoising run and check it here; a bad file gives a message."""
        from engines.labs.denoise.weights import WeightsError
        from workbench.labs.denoise.service import import_weights
        from workbench.store import StoreError

        if self.main_window.refuse_write():
            return None
        try:
            imported = import_weights(path, store=self.store)
        except (WeightsError, ValueError, OSError, StoreError) as exc:
            self._warn(self.tr("Cannot import %1: %2").replace("%1", Path(path).name).replace("%2", str(exc)))
            return None
        self.main_window.browser.refresh()
        self.refresh_methods()
        self.set_checked([*self.checked_keys(), f"run:{imported.run_id}"])
        self.message.emit(self.tr("Imported %1 as run #%2 (%3 parameters)").replace("%1", Path(path).name)
                          .replace("%2", str(imported.run_id)).replace("%3", f"{imported.params:,}"))
        if self.current_outcome is not None:  # show what the new network does, without "Denoise again"
            self.rerun_current()
        return imported.run_id

    def _warn(self, text: str) -> None:
        self.message.emit(text)
        self.main_window.warn(text)

    def _last_folder(self) -> str:
        from PySide6.QtCore import QSettings

        return str(QSettings().value("denoise/lastFolder", str(Path.home())))

    def _remember_folder(self, folder: str) -> None:
        from PySide6.QtCore import QSettings

        QSettings().setValue("denoise/lastFolder", folder)

    def _activate(self) -> None:
        tabs = getattr(self.main_window, "tabs", None)
        if tabs is not None and tabs.indexOf(self) >= 0:
            tabs.setCurrentWidget(self)

    # -- saving ------------------------------------------------------------------------------------------
    def _save_target(self) -> tuple[FileOutcome, Any, Any] | None:
        outcome = self.current_outcome
        if outcome is None or not outcome.results:
            self.message.emit(self.tr("Nothing to save yet: drop or open an image first."))
            return None
        key = self.save_which.currentData()
        for choice, result in outcome.results:
            if choice.key == key and result is not None:
                return outcome, choice, result
        return None

    def default_save_path(self) -> Path | None:
        from workbench.labs.denoise.service import output_path

        target = self._save_target()
        if target is None:
            return None
        outcome, choice, result = target
        source = Path(outcome.path if outcome.path != SAMPLE else "camera.png")
        folder = Path(self.out_dir) if self.out_dir else (source.parent if outcome.path != SAMPLE
                                                           else Path.home())
        taken = {source.resolve()} if outcome.path != SAMPLE else set()
        return output_path(source, folder, _file_tag(choice), color=result.restored.ndim == 3,
                           bit_depth=outcome.bit_depth, alpha=outcome.alpha is not None, taken=taken)

    @Slot()
    def save(self) -> Path | None:
        """Save under the default name; a file of that name (even one created a moment ago) is never replaced."""
        path = self.default_save_path()
        return self.save_to(path, overwrite=False) if path is not None else None

    @Slot()
    def save_as_dialog(self) -> None:
        default = self.default_save_path()
        if default is None or not self._dialogs():
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save denoised image"), str(default),
                                              self.tr("Images (*.png *.tif *.tiff *.bmp *.jpg)"))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path, *, overwrite: bool = True) -> Path | None:
        """Write the chosen method's restored image to ``path`` in the source's bit depth (never the source).

        ``overwrite`` is for a name the user confirmed in the Save As dialog; otherwise an existing file is
        kept and the next free name (``-1``, ``-2``…) is used.
        """
        from engines.labs.denoise.images import ImageError, save_image

        target = self._save_target()
        if target is None:
            return None
        outcome, choice, result = target
        path = Path(path)
        if outcome.path != SAMPLE and path.resolve() == Path(outcome.path).resolve():
            self._warn(self.tr("Refusing to overwrite the original %1; choose another name").replace(
                "%1", str(path)))
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            for _attempt in range(100):
                try:
                    save_image(path, result.restored, bit_depth=outcome.bit_depth, alpha=outcome.alpha,
                               overwrite=overwrite)
                    break
                except FileExistsError:  # appeared since the name was picked: take the next free one
                    path = self.default_save_path() or path
            else:
                raise ImageError(self.tr("%1: no free file name left beside it").replace("%1", str(path)))
        except (ImageError, OSError) as exc:
            self._warn(str(exc))
            return None
        self.message.emit(self.tr("Saved %1 (%2-bit)").replace("%1", str(path)).replace("%2", str(outcome.bit_depth)))
        return path

    # -- drag and drop -------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = _local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    # -- following runs ------------------------------------------------------------------------------------
    def show_runs(self, run_ids: list[int]) -> None:
        runs = []
        for run_id in run_ids:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                continue
            if run.task == "denoise":
                runs.append(run)
        if not runs:
            return
        self.refresh_methods()
        keys = [f"run:{r.id}" for r in runs if f"run:{r.id}" in self.choices]
        if not keys:
            return
        baselines = [k for k in self.checked_keys() if not k.startswith("run:")]
        self.set_checked([*keys, *baselines])
        self._dirty_preview = True
        if self.isVisible():
            self._refresh_preview()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty_preview:
            self._refresh_preview()

    def _refresh_preview(self) -> None:
        """Denoise the shown image (or the built-in test image) with the checked methods."""
        self._dirty_preview = False
        if self.busy:
            return
        outcome = self.current_outcome
        if outcome is not None and outcome.path != SAMPLE:
            self.rerun_current()
            return
        self._sample = self._sample or _sample_image()
        self._submit([SAMPLE], out_dir=None, images={SAMPLE: self._sample})

    @Slot(int, str)
    def _on_checkpoint(self, run_id: int, _path: str) -> None:
        """A denoising run saved a checkpoint: show what it does now (the preview follows training)."""
        key = f"run:{run_id}"
        following = key in self.checked_keys()
        if not following:
            try:
                run = self.store.get_run(run_id)
            except KeyError:
                return
            if run.task != "denoise" or run_id != self.runner.current_run_id:
                return
        self.refresh_methods()  # the checkpoint's mtime changed, so the cached model is not reused
        if not following:  # the training run replaces other runs in the comparison; baselines stay
            self.set_checked([key, *[k for k in self.checked_keys() if not k.startswith("run:")]])
        self.previews += 1
        self._dirty_preview = True
        if self.isVisible():
            self._refresh_preview()

    def _on_swipe_dragged(self, fraction: float) -> None:
        self.swipe.blockSignals(True)
        self.swipe.setValue(int(round(fraction * 1000)))
        self.swipe.blockSignals(False)


def _sample_image():
    """scikit-image's bundled 'camera' (512² gray, 8-bit), cropped to 256², as the training preview image."""
    import skimage.data

    from engines.labs.denoise.images import LoadedImage

    camera = skimage.data.camera()[128:384, 128:384]
    return LoadedImage(Path("camera.png"), np.ascontiguousarray(camera), 8)
