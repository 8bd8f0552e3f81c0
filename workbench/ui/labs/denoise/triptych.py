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
from PySide6.QtCore import QRectF, QSizeF, Qt, QTimer, Signal

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
    precision: str = "fp32"  # a network pass's arithmetic; the title names it when it is not fp32


@dataclass
class TriptychData:
    name: str
    noisy: np.ndarray
    clean: np.ndarray | None = None
    noisy_psnr: float | None = None
    methods: list[MethodResult] = field(default_factory=list)
    ssim_window: str = "gaussian"  # engines.labs.denoise.methods.SSIM_WINDOWS: named in the titles


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
        # No auto-downsampling: it averages pixel blocks, which wipes out zero-mean noise — a residual drawn
        # smaller than its size looked blank and the noisy input looked clean. Qt's nearest-neighbour scaling
        # keeps the texture visible at any size.
        self.image = pg.ImageItem(axisOrder="row-major")
        view.addItem(self.image)


class SwipeLine(pg.InfiniteLine):
    """The before/after line of a restored pane, drawn over the image's height only (not the whole view)."""

    def __init__(self, height: float, width: float) -> None:
        super().__init__(angle=90, movable=True, pen=pg.mkPen((255, 200, 0), width=2),
                         hoverPen=pg.mkPen((255, 120, 0), width=3), bounds=(0, width))
        self.extent = (0.0, float(height))

    def _computeBoundingRect(self):
        # pg.InfiniteLine's span is a fraction of the view, so it would have to follow every zoom and pan; the
        # end points (along the line, i.e. image rows for a vertical line) are clamped here instead.
        bounds = super()._computeBoundingRect()
        if bounds.isNull():
            return bounds
        left, right = self._endPoints
        low, high = max(left, self.extent[0]), min(right, self.extent[1])
        if high < low:  # the image is scrolled out of view: nothing to draw
            low = high = min(max(left, self.extent[0]), self.extent[1])
        self._endPoints = (low, high)
        clamped = QRectF(bounds)
        clamped.setLeft(low)
        clamped.setRight(high)
        if clamped != self._bounds:
            self._bounds = clamped
            self.prepareGeometryChange()
        return self._bounds


def residual_scale(residual: np.ndarray) -> float:
    """The half-width s of the residual's display levels (−s, +s): the 99.5th percentile of |residual| (a few
    outliers do not wash out the rest), never 0 (an identical output still gets a valid range)."""
    values = np.abs(residual[np.isfinite(residual)])
    scale = float(np.percentile(values, 99.5)) if values.size else 0.0
    return scale if scale > 1e-6 else 1e-3


# Where each pane sits, as (row, column) cells: "rows" gives each method a row (residual, restored, error) right
# of the inputs column (noisy over clean) — for wide panes; "columns" gives each method a column — for tall ones;
# "line" puts every pane in one row — for tall images; with one method, "flowN" fills N columns in the order
# noisy, restored, clean, residual, error (no row left with a single pane beside empty cells).
TITLE_HEIGHT = 44  # px: a pane title's two or three lines at 9 pt, used to predict the image size of a layout
SPACING = 6  # px between cells


def arrangements(methods: int, clean: bool) -> list[str]:
    panes = 1 + int(clean) + methods * (2 + int(clean))
    flows = [f"flow{columns}" for columns in range(2, panes - 1)] if methods == 1 else []
    return ["rows", "columns", "line", *flows]


def pane_cells(arrangement: str, methods: int, clean: bool) -> dict[str, tuple[int, int]]:
    cells = {"noisy": (0, 0)}
    if clean:
        cells["clean"] = (1, 0)
    kinds = ["residual", "restored"] + (["error"] if clean else [])
    for row in range(methods):
        for index, kind in enumerate(kinds):
            cells[f"{kind}:{row}"] = (row, index + 1) if arrangement == "rows" else (index, row + 1)
    if arrangement == "line":  # all in one row, in reading order
        return {key: (0, index) for index, key in enumerate(cells)}
    if arrangement.startswith("flow"):
        columns = int(arrangement[4:])
        order = [key for key in ("noisy", "restored:0", "clean", "residual:0", "error:0") if key in cells]
        return {key: divmod(index, columns) for index, key in enumerate(order)}
    return cells


def fitted_size(arrangement: str, methods: int, clean: bool, area: tuple[float, float],
                image: tuple[int, int]) -> float:
    """The width in px an image of ``image`` (height, width) gets in each pane of ``arrangement`` in ``area``
    (width, height), with its aspect ratio kept."""
    cells = pane_cells(arrangement, methods, clean).values()
    rows, cols = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
    cell_w = (area[0] - SPACING * (cols + 1)) / cols
    cell_h = (area[1] - SPACING * (rows + 1)) / rows - TITLE_HEIGHT
    height, width = image
    return max(min(cell_w, cell_h * width / height), 0.0)


def best_arrangement(methods: int, clean: bool, area: tuple[float, float], image: tuple[int, int]) -> str:
    """The arrangement that shows the image largest in ``area``; the first of those that tie ("rows" first)."""
    candidates = arrangements(methods, clean)
    sizes = {a: round(fitted_size(a, methods, clean, area, image)) for a in candidates}
    return max(candidates, key=lambda a: (sizes[a], -candidates.index(a)))


def _title_height(label: pg.LabelItem, width: float) -> float:
    """The height of ``label``'s text wrapped to ``width``."""
    label.item.setTextWidth(max(width, 1.0))
    return label.item.boundingRect().height()


class TriptychView(pg.GraphicsLayoutWidget):
    """The panes of :class:`TriptychData`; one shared zoom; swipe and SSIM toggles."""

    swipe_moved = Signal(float)  # the swipe line was dragged (fraction of the width)

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("triptychView")
        self.setBackground("w")
        self.ci.layout.setSpacing(SPACING)
        self.data: TriptychData | None = None
        self.panes: dict[str, Pane] = {}
        self.arrangement = "rows"
        self.swipe = 0.5
        self.show_ssim = False
        self.residual_levels: list[tuple[float, float]] = []  # per method row, as displayed
        self._swipe_lines: list[SwipeLine] = []
        self._fit_range = None
        self._zoom_before_resize = None  # (range or None,) while a resize waits for _compact
        self._compact_timer = QTimer(self)  # coalesces the resizes of one layout pass
        self._compact_timer.setSingleShot(True)
        self._compact_timer.setInterval(0)
        self._compact_timer.timeout.connect(self._compact)
        self._refit_timer = QTimer(self)
        self._refit_timer.setSingleShot(True)
        self._refit_timer.setInterval(0)
        self._refit_timer.timeout.connect(self._refit_whole)
        self._residual_lut = pg.colormap.get(RESIDUAL_MAP).getLookupTable(nPts=256)
        self._error_lut = pg.colormap.get(ERROR_MAP).getLookupTable(nPts=256)
        self._ssim_lut = pg.colormap.get(SSIM_MAP).getLookupTable(nPts=256)

    # -- content ---------------------------------------------------------------------------------------
    def set_data(self, data: TriptychData | None) -> None:
        """Show ``data`` (None clears). The zoom is kept when the new image has the same size."""
        previous = self.data
        keep_range = (previous is not None and data is not None and previous.noisy.shape[:2] == data.noisy.shape[:2])
        old_range = self.panes["noisy"].view.viewRange() if keep_range and "noisy" in self.panes else None
        self.data = data
        self._zoom_before_resize = None
        if data is not None:
            self.arrangement = self._best_arrangement()
        self._build_panes(old_range)

    def _best_arrangement(self) -> str:
        data = self.data
        return best_arrangement(len(data.methods), data.clean is not None, (self.width(), self.height()),
                                data.noisy.shape[:2])

    def _build_panes(self, old_range) -> None:
        self.clear()
        layout = self.ci.layout
        layout.setContentsMargins(0, 0, 0, 0)
        for index in range(layout.columnCount()):  # columns of an earlier arrangement take no share
            layout.setColumnStretchFactor(index, 0)
        for index in range(layout.rowCount()):
            layout.setRowStretchFactor(index, 0)
        self.panes = {}
        self._swipe_lines = []
        self.residual_levels = []
        data = self.data
        if data is None:
            return
        cells = pane_cells(self.arrangement, len(data.methods), data.clean is not None)
        titles = {"noisy": self._noisy_title(data), "clean": self.tr("Clean original")}
        for key, (row, col) in cells.items():
            self._add_pane(key, row, col, titles.get(key, ""))
        height, width = data.noisy.shape[:2]
        for row in range(len(data.methods)):
            line = SwipeLine(height, width)
            line.setZValue(10)
            line.sigPositionChanged.connect(self._on_line_moved)
            self.panes[f"restored:{row}"].view.addItem(line)
            self._swipe_lines.append(line)
        self._refresh()
        self._fit_range = old_range
        self._fit()
        QTimer.singleShot(0, self._fit)  # again once the new panes have their sizes
        # what the grid keeps when it is sized: the new panes' ranges mean nothing until they are laid out
        self._zoom_before_resize = (old_range,)
        self._compact_timer.start()

    def resizeEvent(self, ev) -> None:
        showing = getattr(self, "data", None) is not None
        if showing and self._zoom_before_resize is None:
            # before the panes change shape: a locked-aspect view widens its range to its new shape
            self._zoom_before_resize = (self._current_range(),)
        super().resizeEvent(ev)
        if not showing:
            return
        if self._best_arrangement() != self.arrangement:
            # e.g. the window was narrowed: stack the panes the other way so the images stay large
            self.arrangement = self._best_arrangement()
            self._build_panes(self._zoom_before_resize[0])
        self._compact_timer.start()

    def _compact(self) -> None:
        """Size the grid to the images' shape and centre it: the space an image cannot use (the pane is wider
        or taller than the image) goes around the whole grid instead of into every pane.

        The largest image width that fits is searched for, with each row's titles wrapped to that width
        (narrower columns wrap them into more lines, which leaves less height for the images).
        """
        # Resizing a locked-aspect view widens its range to the new shape; the zoom is set again afterwards
        # (the whole image when it was whole).
        zoom = self._zoom_before_resize[0] if self._zoom_before_resize is not None else self._current_range()
        self._zoom_before_resize = None
        if self.data is None or "noisy" not in self.panes:
            return
        layout = self.ci.layout
        cells = pane_cells(self.arrangement, len(self.data.methods), self.data.clean is not None)
        rows, cols = max(r for r, _ in cells.values()) + 1, max(c for _, c in cells.values()) + 1
        titles = [[self.panes[key].label for key, (r, _) in cells.items() if r == row] for row in range(rows)]
        height, width = self.data.noisy.shape[:2]
        aspect = width / height
        area = self.viewport().size()  # not the layout's own size, which grows with these margins
        left, top, right, bottom = self.ci.getContentsMargins()
        area_w, area_h = area.width() - left - right, area.height() - top - bottom

        def titles_height(column_w: float) -> float:
            return sum(max(_title_height(label, column_w) for label in row) for row in titles)

        def image_width(column_w: float) -> float:
            """The image's width in columns ``column_w`` wide, the titles wrapped to that width."""
            free_h = area_h - titles_height(column_w) - (2 * rows - 1) * SPACING
            return max(min(column_w, free_h / rows * aspect), 0.0)

        widest = (area_w - (cols - 1) * SPACING) / cols
        if widest <= 1:
            return
        # Narrower columns leave more height for the images until their wrapped titles take it back, so the
        # best width is searched for: on a grid of widths, then finer around the best one.
        candidates = np.linspace(1.0, widest, 48)
        best = max(candidates, key=image_width)
        step = candidates[1] - candidates[0]
        candidates = np.linspace(max(best - step, 1.0), min(best + step, widest), 24)
        best_image = max(image_width(c) for c in candidates)
        # the narrowest column that shows the image (nearly) as large: no margin inside the panes
        column_w = min(c for c in candidates if image_width(c) >= best_image - 0.5)
        image_w = image_width(column_w)
        margin_x = max((area_w - cols * column_w - (cols - 1) * SPACING) / 2, 0.0)
        needed_h = titles_height(column_w) + rows * image_w / aspect + (2 * rows - 1) * SPACING
        margin_y = max((area_h - needed_h) / 2, 0.0)
        for row in titles:  # their minimum heights as wrapped in the final column width (not a trial one)
            for label in row:
                label.item.setTextWidth(column_w)
                label.updateMin()
        layout.setContentsMargins(margin_x, margin_y, margin_x, margin_y)
        layout.activate()
        if self.ci.size() != QSizeF(area):  # the grid grew past the view while its titles were wrapped narrower
            self.ci.setGeometry(QRectF(0, 0, area.width(), area.height()))
            layout.activate()
        self._fit_range = zoom
        self._fit()

    def _on_view_resized(self, _view) -> None:
        """A pane changed shape (the grid was sized, a title rewrapped): a whole image stays whole and fitted;
        linked locked-aspect views widen each other's ranges as they resize and would leave a margin inside
        the panes. Refitted once they are done (a zoomed-in range is left alone)."""
        self._refit_timer.start()

    def _refit_whole(self) -> None:
        if self.data is None or "noisy" not in self.panes or self._compact_timer.isActive():
            return  # _compact fits them
        if self._current_range() is None:
            height, width = self.data.noisy.shape[:2]
            self.panes["noisy"].view.setRange(xRange=(0, width), yRange=(0, height), padding=0)

    def _current_range(self):
        """The shared zoom, or None while the whole image is shown (it is fitted again then)."""
        if "noisy" not in self.panes or self.data is None:
            return None
        (x0, x1), (y0, y1) = self.panes["noisy"].view.viewRange()
        height, width = self.data.noisy.shape[:2]
        whole = x0 <= 0.5 and y0 <= 0.5 and x1 >= width - 0.5 and y1 >= height - 0.5
        return None if whole else [[x0, x1], [y0, y1]]

    def _fit(self) -> None:
        if self.data is None or "noisy" not in self.panes:
            return
        height, width = self.data.noisy.shape[:2]
        noisy_view = self.panes["noisy"].view
        if self._fit_range is not None:
            noisy_view.setRange(xRange=self._fit_range[0], yRange=self._fit_range[1], padding=0)
        else:
            noisy_view.setRange(xRange=(0, width), yRange=(0, height), padding=0)

    def _add_pane(self, key: str, row: int, col: int, title: str) -> Pane:
        label = PaneTitle("", size="9pt")
        self.addItem(label, row=2 * row, col=col)
        self._title(label, title)
        layout = self.ci.layout
        layout.setColumnStretchFactor(col, 1)
        layout.setRowStretchFactor(2 * row + 1, 1)
        view = self.addViewBox(row=2 * row + 1, col=col, lockAspect=True, invertY=True, enableMenu=False)
        view.setDefaultPadding(0)
        view.disableAutoRange()  # the range is the image (or the user's zoom), never re-fitted to the items
        pane = Pane(key, view, label)
        if self.panes:
            first = next(iter(self.panes.values())).view
            view.setXLink(first)
            view.setYLink(first)
        view.sigResized.connect(self._on_view_resized)
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
        self.residual_levels = []
        self.panes["noisy"].image.setImage(np.clip(data.noisy, 0, 1), levels=(0, 1))
        if data.clean is not None:
            self.panes["clean"].image.setImage(data.clean, levels=(0, 1))
        for row, method in enumerate(data.methods):
            residual = _plane(method.residual)
            bound = residual_scale(residual)
            pane = self.panes[f"residual:{row}"]
            # Symmetric levels: white is 0 (nothing removed), blue and red the two signs, stretched so the
            # removed noise is visible; the title says by how much (×1 would show ±0.5, half the image range).
            self.residual_levels.append((-bound, bound))
            pane.image.setImage(residual, levels=(-bound, bound), lut=self._residual_lut)
            self._title(pane.label, self.tr("<b>%1</b> · residual (removed) ±%2, contrast ×%3")
                        .replace("%1", method.label).replace("%2", f"{bound * 255:.0f}/255")
                        .replace("%3", f"{0.5 / bound:.1f}"))
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
            title += f" · {psnr} / SSIM {ssim} ({self._ssim_window_text()})"
        title += f", {method.seconds:.2f} s" + (f", {method.precision}" if method.precision != "fp32" else "")
        if self.arrangement.startswith("flow"):  # the method's first pane here: it carries the method's name
            title = f"<b>{method.label}</b> · {title}"
        self._title(pane.label, title)
        line = self._swipe_lines[row]
        x = self.swipe * self.data.noisy.shape[1]
        if abs(line.value() - x) > 1e-6:
            line.blockSignals(True)
            line.setValue(x)
            line.blockSignals(False)

    def _ssim_window_text(self) -> str:
        return self.tr("7×7 uniform") if self.data is not None and self.data.ssim_window == "uniform" \
            else self.tr("11×11 Gaussian")

    def _refresh_error(self, row: int) -> None:
        method = self.data.methods[row]
        pane = self.panes[f"error:{row}"]
        if self.show_ssim and method.ssim_map is not None:
            pane.image.setImage(method.ssim_map, levels=(0, 1), lut=self._ssim_lut)
            self._title(pane.label, self.tr("SSIM map (%1) · dark: low").replace("%1", self._ssim_window_text()))
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
