"""Noisy | residual | restored, for one image and one or more denoising methods.

Layout: the noisy input sits top left and the clean original (when known) under it; each method gets a row
of three panes to their right — the residual it removed (diverging colours centred at 0), the restored
image with a before/after swipe line, and the |error| against the original (or, toggled, the SSIM map).
Every pane shares one zoom and pan (linked view boxes), so any region can be compared across methods.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSizeF, Qt, QTimer, Signal

RESIDUAL_MAP = "CET-D1"  # blue–white–red, white at 0
ERROR_MAP = "inferno"
SSIM_MAP = "viridis"


@dataclass
class MethodResult:
    """One method's output on the shown image (floats in [0, 1] for images; residual unclipped)."""

    label: str
    restored: np.ndarray
    residual: np.ndarray
    seconds: float
    psnr: float | None = None
    ssim: float | None = None
    ssim_map: np.ndarray | None = None


@dataclass
class TriptychData:
    name: str
    noisy: np.ndarray
    clean: np.ndarray | None = None
    noisy_psnr: float | None = None
    methods: list[MethodResult] = field(default_factory=list)


def _plane(image: np.ndarray) -> np.ndarray:
    """One channel for maps: colour residuals and errors are averaged over the channels."""
    return image.mean(axis=-1) if image.ndim == 3 else image


def swipe_composite(before: np.ndarray, after: np.ndarray, fraction: float) -> np.ndarray:
    """``before`` left of the swipe line (at ``fraction`` of the width), ``after`` right of it."""
    cut = int(round(min(max(fraction, 0.0), 1.0) * before.shape[1]))
    out = after.copy()
    out[:, :cut] = before[:, :cut]
    return out


class PaneTitle(pg.LabelItem):
    """A pane title that wraps to its column's width instead of widening the column."""

    def resizeEvent(self, ev) -> None:
        self.item.setTextWidth(max(self.width(), 1.0))
        super().resizeEvent(ev)

    def updateMin(self) -> None:
        super().updateMin()
        self.setMinimumWidth(0)

    def sizeHint(self, hint, constraint):
        size = super().sizeHint(hint, constraint)
        return QSizeF(0.0, size.height()) if hint != Qt.SizeHint.MaximumSize else size


class Pane:
    def __init__(self, key: str, view: pg.ViewBox, label: pg.LabelItem) -> None:
        self.key, self.view, self.label = key, view, label
        self.image = pg.ImageItem(axisOrder="row-major", autoDownsample=True)
        view.addItem(self.image)


class TriptychView(pg.GraphicsLayoutWidget):
    """The panes of :class:`TriptychData`; one shared zoom; swipe and SSIM toggles."""

    swipe_moved = Signal(float)  # the swipe line was dragged (fraction of the width)

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("triptychView")
        self.setBackground("w")
        self.data: TriptychData | None = None
        self.panes: dict[str, Pane] = {}
        self.swipe = 0.5
        self.show_ssim = False
        self._swipe_lines: list[pg.InfiniteLine] = []
        self._fit_range = None
        self._residual_lut = pg.colormap.get(RESIDUAL_MAP).getLookupTable(nPts=256)
        self._error_lut = pg.colormap.get(ERROR_MAP).getLookupTable(nPts=256)
        self._ssim_lut = pg.colormap.get(SSIM_MAP).getLookupTable(nPts=256)

    # -- content ---------------------------------------------------------------------------------------
    def set_data(self, data: TriptychData | None) -> None:
        """Show ``data`` (None clears). The zoom is kept when the new image has the same size."""
        previous = self.data
        keep_range = (previous is not None and data is not None and previous.noisy.shape[:2] == data.noisy.shape[:2])
        old_range = self.panes["noisy"].view.viewRange() if keep_range and "noisy" in self.panes else None
        self.clear()
        self.panes = {}
        self._swipe_lines = []
        self.data = data
        if data is None:
            return
        self._add_pane("noisy", 0, 0, self._noisy_title(data))
        if data.clean is not None:
            self._add_pane("clean", 2, 0, self.tr("Clean original"))
        for row in range(len(data.methods)):
            self._add_pane(f"residual:{row}", 2 * row, 1, "")
            self._add_pane(f"restored:{row}", 2 * row, 2, "")
            if data.clean is not None:
                self._add_pane(f"error:{row}", 2 * row, 3, "")
            line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen((255, 200, 0), width=2))
            line.setZValue(10)
            line.sigPositionChanged.connect(self._on_line_moved)
            self.panes[f"restored:{row}"].view.addItem(line)
            self._swipe_lines.append(line)
        self._refresh()
        self._fit_range = old_range
        self._fit()
        QTimer.singleShot(0, self._fit)  # again once the new panes have their sizes

    def _fit(self) -> None:
        if self.data is None or "noisy" not in self.panes:
            return
        height, width = self.data.noisy.shape[:2]
        noisy_view = self.panes["noisy"].view
        if self._fit_range is not None:
            noisy_view.setRange(xRange=self._fit_range[0], yRange=self._fit_range[1], padding=0)
        else:
            noisy_view.setRange(xRange=(0, width), yRange=(0, height), padding=0.02)

    def _add_pane(self, key: str, row: int, col: int, title: str) -> Pane:
        label = PaneTitle("", size="9pt")
        self.addItem(label, row=row, col=col)
        self._title(label, title)
        self.ci.layout.setColumnStretchFactor(col, 1)
        view = self.addViewBox(row=row + 1, col=col, lockAspect=True, invertY=True, enableMenu=False)
        pane = Pane(key, view, label)
        if self.panes:
            first = next(iter(self.panes.values())).view
            view.setXLink(first)
            view.setYLink(first)
        self.panes[key] = pane
        return pane

    def _noisy_title(self, data: TriptychData) -> str:
        title = self.tr("Noisy · %1").replace("%1", data.name)
        if data.noisy_psnr is not None:
            title += f" · {data.noisy_psnr:.2f} dB"
        return title

    def _refresh(self) -> None:
        data = self.data
        if data is None:
            return
        self.panes["noisy"].image.setImage(np.clip(data.noisy, 0, 1), levels=(0, 1))
        if data.clean is not None:
            self.panes["clean"].image.setImage(data.clean, levels=(0, 1))
        for row, method in enumerate(data.methods):
            residual = _plane(method.residual)
            bound = float(np.percentile(np.abs(residual), 99.5)) or 1e-3
            pane = self.panes[f"residual:{row}"]
            pane.image.setImage(residual, levels=(-bound, bound), lut=self._residual_lut)
            self._title(pane.label, self.tr("<b>%1</b> · residual (removed) ±%2").replace("%1", method.label)
                        .replace("%2", f"{bound * 255:.0f}/255"))
            self._refresh_restored(row)
            if data.clean is not None:
                self._refresh_error(row)

    def _refresh_restored(self, row: int) -> None:
        method = self.data.methods[row]
        pane = self.panes[f"restored:{row}"]
        pane.image.setImage(self.composite(row), levels=(0, 1))
        title = self.tr("Restored")
        if method.psnr is not None:
            psnr = f"{method.psnr:.2f} dB" if np.isfinite(method.psnr) else self.tr("∞ dB (identical)")
            ssim = f"{method.ssim:.3f}" if method.ssim is not None and np.isfinite(method.ssim) else self.tr("n/a")
            title += f" · {psnr} / SSIM {ssim}"
        title += f", {method.seconds:.2f} s"
        self._title(pane.label, title)
        line = self._swipe_lines[row]
        x = self.swipe * self.data.noisy.shape[1]
        if abs(line.value() - x) > 1e-6:
            line.blockSignals(True)
            line.setValue(x)
            line.blockSignals(False)

    def _refresh_error(self, row: int) -> None:
        method = self.data.methods[row]
        pane = self.panes[f"error:{row}"]
        if self.show_ssim and method.ssim_map is not None:
            pane.image.setImage(method.ssim_map, levels=(0, 1), lut=self._ssim_lut)
            self._title(pane.label, self.tr("SSIM map · dark: low"))
        else:
            error = _plane(np.abs(method.restored - self.data.clean))
            top = float(np.percentile(error, 99.5)) or 1e-3
            pane.image.setImage(error, levels=(0, top), lut=self._error_lut)
            self._title(pane.label, self.tr("|error| · 0…%1").replace("%1", f"{top * 255:.0f}/255"))

    @staticmethod
    def _title(label: pg.LabelItem, text: str) -> None:
        """Titles break after the pane's name and wrap to the column (every pane gets the same width)."""
        label.setText(text.replace(" · ", "<br>", 1), size="9pt")

    def composite(self, row: int = 0) -> np.ndarray:
        """What the restored pane of ``row`` shows: noisy left of the swipe line, restored right of it."""
        return swipe_composite(np.clip(self.data.noisy, 0, 1), self.data.methods[row].restored, self.swipe)

    # -- toggles ---------------------------------------------------------------------------------------
    def set_swipe(self, fraction: float) -> None:
        self.swipe = min(max(float(fraction), 0.0), 1.0)
        if self.data is not None:
            for row in range(len(self.data.methods)):
                self._refresh_restored(row)

    def set_show_ssim(self, on: bool) -> None:
        self.show_ssim = bool(on)
        if self.data is not None and self.data.clean is not None:
            for row in range(len(self.data.methods)):
                self._refresh_error(row)

    def _on_line_moved(self, line: pg.InfiniteLine) -> None:
        if self.data is None:
            return
        width = self.data.noisy.shape[1]
        fraction = min(max(line.value() / width, 0.0), 1.0)
        self.set_swipe(fraction)
        self.swipe_moved.emit(fraction)

    def views(self) -> list[pg.ViewBox]:
        return [pane.view for pane in self.panes.values()]
