"""Progress of the active run: epoch and step bars, rate and ETA, run controls."""
from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.ui.shell.runs_model import status_text


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "–"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class EtaEstimator:
    """Steps per second over a sliding window, excluding paused time."""

    def __init__(self, window_s: float = 20.0) -> None:
        self.window_s = window_s
        self.samples: list[tuple[float, int]] = []

    def reset(self) -> None:
        self.samples.clear()

    def add(self, step: int, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.samples.append((now, step))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window_s:
            self.samples.pop(0)

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, s0), (t1, s1) = self.samples[0], self.samples[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 and s1 > s0 else None

    def eta(self, remaining_steps: int) -> float | None:
        rate = self.rate()
        return remaining_steps / rate if rate else None


class ProgressPanel(QWidget):
    pause_clicked = Signal()
    stop_clicked = Signal()
    discard_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("No run in progress"))
        self.title.setObjectName("progressTitle")
        self.epoch_bar = QProgressBar()
        self.epoch_bar.setObjectName("epochBar")
        self.step_bar = QProgressBar()
        self.step_bar.setObjectName("stepBar")
        self.eta_label = QLabel()
        self.eta_label.setObjectName("etaLabel")
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop after this batch and keep a checkpoint (Ctrl+.)"))
        self.discard_button = QPushButton(self.tr("Cancel && discard"))
        self.discard_button.setToolTip(self.tr("Stop and delete this run and its files"))
        self.pause_button.clicked.connect(self.pause_clicked)
        self.stop_button.clicked.connect(self.stop_clicked)
        self.discard_button.clicked.connect(self.discard_clicked)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.title, 0, 0, 1, 3)
        grid.addWidget(self.eta_label, 0, 3, 1, 3)
        grid.addWidget(QLabel(self.tr("Epoch")), 1, 0)
        grid.addWidget(self.epoch_bar, 1, 1, 1, 2)
        grid.addWidget(QLabel(self.tr("Step")), 2, 0)
        grid.addWidget(self.step_bar, 2, 1, 1, 2)
        grid.addWidget(self.pause_button, 1, 3)
        grid.addWidget(self.stop_button, 1, 4)
        grid.addWidget(self.discard_button, 1, 5)
        grid.setColumnStretch(1, 1)
        self.eta = EtaEstimator()
        self.total_steps = 0
        self.steps_per_epoch = 1
        self.set_active(False)

    def set_active(self, active: bool) -> None:
        for button in (self.pause_button, self.stop_button, self.discard_button):
            button.setEnabled(active)
        if not active:
            self.pause_button.setText(self.tr("Pause"))

    def start(self, run_id: int, info: dict, max_steps: int = 0) -> None:
        self.eta.reset()
        self.steps_per_epoch = max(1, info["steps_per_epoch"])
        self.total_steps = info["epochs"] * self.steps_per_epoch
        if max_steps:
            self.total_steps = min(self.total_steps, max_steps)
        self.title.setText(self.tr("Run #%1: %2 on %3 (%4)").replace("%1", str(run_id))
                           .replace("%2", info["model"]).replace("%3", info["dataset"])
                           .replace("%4", info["device"]))
        self.epoch_bar.setRange(0, info["epochs"])
        self.epoch_bar.setValue(info["start_epoch"])
        self._show_epoch(info["start_epoch"] + 1)
        self.step_bar.setRange(0, self.steps_per_epoch)
        self.step_bar.setFormat("%v / %m")
        self.update_step(info["start_step"], None)
        self.set_active(True)

    def _show_epoch(self, current: int) -> None:
        """The bar fills with finished epochs; its text names the epoch in progress ("epoch 2 of 3")."""
        total = self.epoch_bar.maximum()
        self.epoch_bar.setFormat(self.tr("epoch %1 of %2").replace("%1", str(max(1, min(current, total))))
                                 .replace("%2", str(total)))

    def update_step(self, step: int, loss: float | None) -> None:
        self.eta.add(step)
        self.step_bar.setValue(step - (step - 1) // self.steps_per_epoch * self.steps_per_epoch if step else 0)
        if step:
            self._show_epoch((step - 1) // self.steps_per_epoch + 1)
        remaining = max(0, self.total_steps - step)
        rate = self.eta.rate()
        parts = [self.tr("step %1 of %2").replace("%1", str(step)).replace("%2", str(self.total_steps))]
        if rate:
            parts.append(self.tr("%1 steps/s").replace("%1", f"{rate:.1f}"))
            parts.append(self.tr("ETA %1").replace("%1", format_duration(self.eta.eta(remaining))))
        if loss is not None:
            parts.append(self.tr("loss %1").replace("%1", f"{loss:.4f}"))
        self.eta_label.setText(" · ".join(parts))

    def update_epoch(self, epoch: int) -> None:
        self.epoch_bar.setValue(epoch)

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if paused:
            self.eta.reset()  # paused time is not training time
            self.eta_label.setText(self.tr("paused"))

    def finish(self, run_id: int, status: str) -> None:
        self.title.setText(self.tr("Run #%1 %2").replace("%1", str(run_id)).replace("%2", status_text(status)))
        self.set_active(False)
