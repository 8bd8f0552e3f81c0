"""Hyperspectral map widgets: the ground truth and several runs' classification maps side by side.

Each panel is a pyqtgraph ViewBox holding, bottom to top: a false-colour RGB composite of three bands,
the class-colour overlay (opacity slider), the error mask (misclassified labelled pixels in opaque red
over a white veil that dims every other pixel, so a few errors stand out of a busy map) and the training
pixels. All panels share one zoom (``setXLink``/``setYLink``). Items are created once per
panel and updated with ``setImage``; images are row-major (rows × cols), y pointing down.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

ERROR_RGBA = (255, 0, 0, 255)
DIMMED_RGBA = (255, 255, 255, 170)  # the veil over every pixel that is not an error while errors are highlighted
TRAINING_RGBA = (255, 255, 255, 255)


def false_colour(cube: np.ndarray, bands: tuple[int, int, int]) -> np.ndarray:
    """(rows, cols, 3) uint8 from three bands, each stretched between its 2nd and 98th percentiles."""
    out = np.empty((*cube.shape[:2], 3), dtype=np.uint8)
    for i, band in enumerate(bands):
        plane = cube[:, :, int(band)].astype(np.float32)
        low, high = np.percentile(plane, [2, 98])
        out[:, :, i] = np.clip((plane - low) / max(high - low, 1e-6) * 255.0, 0, 255).astype(np.uint8)
    return out


def class_rgba(labels: np.ndarray, colors: list[tuple[int, int, int]], alpha: int,
               visible: np.ndarray | None = None) -> np.ndarray:
    """Colour each pixel by class (labels from 0; negative = none, transparent)."""
    palette = np.zeros((len(colors) + 1, 4), dtype=np.uint8)
    palette[:-1, :3] = np.asarray(colors, dtype=np.uint8)
    palette[:-1, 3] = alpha
    index = np.where(labels >= 0, labels, len(colors))
    rgba = palette[index]
    if visible is not None:
        rgba[~visible, 3] = 0
    return rgba


def mask_rgba(mask: np.ndarray, rgba: tuple[int, int, int, int]) -> np.ndarray:
    out = np.zeros((*mask.shape, 4), dtype=np.uint8)
    out[mask] = rgba
    return out


@dataclass
class SceneView:
    """What the panels need from a scene (plain arrays, copied off the worker)."""

    name: str
    gt: np.ndarray  # (rows, cols), 0 = unlabelled
    cube: np.ndarray  # (rows, cols, bands), for spectra and the RGB composite
    class_names: list[str]
    colors: list[tuple[int, int, int]]
    wavelengths: np.ndarray | None
    rgb_bands: tuple[int, int, int]


@dataclass
class MapPanel:
    title: str
    view: pg.ViewBox
    label: pg.LabelItem
    background: pg.ImageItem
    overlay: pg.ImageItem
    errors: pg.ImageItem
    training: pg.ImageItem
    marker: pg.ScatterPlotItem
    probs: np.ndarray | None = None  # (rows, cols, classes); None for the ground-truth panel
    predicted: np.ndarray | None = None  # (rows, cols) class from 0
    training_mask: np.ndarray | None = None
    confidence_known: bool = True
    extra: dict = field(default_factory=dict)


class SceneMapView(pg.GraphicsLayoutWidget):
    """Ground truth plus one panel per run, linked zoom; hover reports, click emits the pixel."""

    pixel_hovered = Signal(str)  # a line describing the pixel under the mouse
    pixel_clicked = Signal(int, int)  # row, col

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("hsiMapView")
        self.setBackground("w")
        self.scene_view: SceneView | None = None
        self.panels: list[MapPanel] = []
        self.opacity = 0.8
        self.show_errors = True
        self.show_training = False
        self._rgb: np.ndarray | None = None
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # -- content ---------------------------------------------------------------------------------------
    def _new_panel(self, title: str) -> MapPanel:
        column = len(self.panels)
        label = self.addLabel(title, row=0, col=column)
        view = self.addViewBox(row=1, col=column, lockAspect=True, invertY=True, enableMenu=False)
        items = [pg.ImageItem(axisOrder="row-major") for _ in range(4)]
        for z, item in enumerate(items):
            item.setZValue(z)
            view.addItem(item)
        marker = pg.ScatterPlotItem(size=10, pen=pg.mkPen("k", width=2), brush=None, symbol="s")
        marker.setZValue(10)
        view.addItem(marker)
        if self.panels:
            view.setXLink(self.panels[0].view)
            view.setYLink(self.panels[0].view)
        panel = MapPanel(title, view, label, *items, marker)
        self.panels.append(panel)
        return panel

    def set_scene(self, scene: SceneView) -> None:
        """Show ``scene``'s ground truth alone (run panels are added by :meth:`set_maps`)."""
        self.clear()
        self.panels = []
        self.scene_view = scene
        self._rgb = false_colour(scene.cube, scene.rgb_bands)
        self._new_panel(self.tr("Ground truth · %1").replace("%1", scene.name))
        self._refresh_panel(self.panels[0])
        rows, cols = scene.gt.shape
        self.panels[0].view.setRange(xRange=(0, cols), yRange=(0, rows), padding=0.02)

    def set_maps(self, maps: list[dict]) -> None:
        """``maps``: ``{"title", "probs" (rows, cols, classes), "training_mask", "confidence_known"}`` each."""
        if self.scene_view is None:
            return
        keep = self.panels[:1]
        for panel in self.panels[1:]:
            self.removeItem(panel.view)
            self.removeItem(panel.label)
        self.panels = keep
        for entry in maps:
            panel = self._new_panel(entry["title"])
            panel.probs = entry["probs"]
            panel.predicted = entry["probs"].argmax(-1).astype(np.int64)
            panel.training_mask = entry.get("training_mask")
            panel.confidence_known = entry.get("confidence_known", True)
            panel.extra["aa_absent"] = entry.get("aa_absent", "skip")  # the run's AA convention, for its scores
            self._refresh_panel(panel)

    def set_background_bands(self, bands: tuple[int, int, int]) -> None:
        if self.scene_view is None:
            return
        self.scene_view.rgb_bands = tuple(int(b) for b in bands)
        self._rgb = false_colour(self.scene_view.cube, self.scene_view.rgb_bands)
        for panel in self.panels:
            panel.background.setImage(self._rgb, autoLevels=False, levels=(0, 255))

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(opacity)
        self.refresh()

    def set_show_errors(self, on: bool) -> None:
        self.show_errors = bool(on)
        self.refresh()

    def set_show_training(self, on: bool) -> None:
        self.show_training = bool(on)
        self.refresh()

    def refresh(self) -> None:
        for panel in self.panels:
            self._refresh_panel(panel)

    def _refresh_panel(self, panel: MapPanel) -> None:
        scene = self.scene_view
        alpha = int(round(255 * self.opacity))
        gt = scene.gt
        panel.background.setImage(self._rgb, autoLevels=False, levels=(0, 255))
        if panel.predicted is None:  # ground truth: labelled pixels only
            panel.overlay.setImage(class_rgba(gt - 1, scene.colors, alpha), autoLevels=False, levels=(0, 255))
            panel.errors.setVisible(False)
            panel.training.setVisible(False)
            return
        panel.overlay.setImage(class_rgba(panel.predicted, scene.colors, alpha), autoLevels=False, levels=(0, 255))
        wrong = (gt > 0) & (panel.predicted != gt - 1)
        errors = mask_rgba(~wrong, DIMMED_RGBA)
        errors[wrong] = ERROR_RGBA
        panel.errors.setImage(errors, autoLevels=False, levels=(0, 255))
        panel.errors.setVisible(self.show_errors)
        has_training = panel.training_mask is not None
        if has_training:
            panel.training.setImage(mask_rgba(panel.training_mask, TRAINING_RGBA), autoLevels=False,
                                    levels=(0, 255))
        panel.training.setVisible(self.show_training and has_training)

    # -- reading it ------------------------------------------------------------------------------------
    def overlay_rgba(self, index: int) -> np.ndarray:
        return np.asarray(self.panels[index].overlay.image)

    def pixel_at(self, scene_pos) -> tuple[MapPanel, int, int] | None:
        if self.scene_view is None:
            return None
        rows, cols = self.scene_view.gt.shape
        for panel in self.panels:
            if panel.view.sceneBoundingRect().contains(scene_pos):
                point = panel.view.mapSceneToView(scene_pos)
                row, col = int(np.floor(point.y())), int(np.floor(point.x()))
                if 0 <= row < rows and 0 <= col < cols:
                    return panel, row, col
        return None

    def describe(self, panel: MapPanel, row: int, col: int) -> str:
        scene = self.scene_view
        truth = int(scene.gt[row, col])
        name = scene.class_names[truth - 1] if truth else self.tr("unlabelled")
        text = self.tr("row %1, col %2 · truth: %3").replace("%1", str(row)).replace("%2", str(col)) \
            .replace("%3", name)
        if panel.predicted is not None:
            cls = int(panel.predicted[row, col])
            conf = float(panel.probs[row, col, cls])
            text += f" · {panel.title}: {scene.class_names[cls]}"
            text += self.tr(" (confidence %1)").replace("%1", f"{conf:.2f}") if panel.confidence_known else ""
        return text

    def mark(self, row: int, col: int) -> None:
        for panel in self.panels:
            panel.marker.setData([col + 0.5], [row + 0.5])

    def _on_mouse_moved(self, pos) -> None:
        hit = self.pixel_at(pos)
        if hit is not None:
            self.pixel_hovered.emit(self.describe(*hit))

    def _on_mouse_clicked(self, event) -> None:
        hit = self.pixel_at(event.scenePos())
        if hit is not None:
            _panel, row, col = hit
            self.mark(row, col)
            self.pixel_clicked.emit(row, col)


class SpectrumPlot(pg.PlotWidget):
    """One pixel's spectrum over every band: wavelength (nm) when the scene's are known, else band index."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("hsiSpectrum")
        self.setBackground("w")
        self.getPlotItem().setTitle(self.tr("Spectrum"))
        self.curve = self.plot([], [], pen=pg.mkPen("#4e79a7", width=2), symbol="o", symbolSize=3)

    def set_spectrum(self, values: np.ndarray, wavelengths: np.ndarray | None, title: str) -> None:
        x = wavelengths if wavelengths is not None and len(wavelengths) == len(values) else np.arange(len(values))
        self.setLabel("bottom", self.tr("wavelength (nm, nominal)") if x is wavelengths else self.tr("band"))
        self.setLabel("left", self.tr("radiance (scene units)"))
        self.getPlotItem().setTitle(title)
        self.curve.setData(np.asarray(x, dtype=float), np.asarray(values, dtype=float))


class ProbabilityPlot(pg.PlotWidget):
    """Class probabilities of one pixel for each shown run (grouped bars; items reused per run count)."""

    RUN_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")

    def __init__(self, parent=None) -> None:
        super().__init__(parent=parent)
        self.setObjectName("hsiProbabilities")
        self.setBackground("w")
        self.getPlotItem().setTitle(self.tr("Class probabilities"))
        self.setYRange(0, 1)
        self.bars: list[pg.BarGraphItem] = []
        self.legend = self.addLegend(offset=(-10, 10))

    def set_probabilities(self, rows: list[tuple[str, np.ndarray]], class_names: list[str]) -> None:
        while len(self.bars) < len(rows):
            colour = self.RUN_COLOURS[len(self.bars) % len(self.RUN_COLOURS)]
            bar = pg.BarGraphItem(x=[], height=[], width=0.1, brush=colour)
            self.addItem(bar)
            self.bars.append(bar)
        self.legend.clear()
        width = 0.8 / max(len(rows), 1)
        for i, bar in enumerate(self.bars):
            if i < len(rows):
                title, probs = rows[i]
                x = np.arange(len(probs)) - 0.4 + width * (i + 0.5)
                bar.setOpts(x=x, height=np.asarray(probs, dtype=float), width=width)
                bar.setVisible(True)
                self.legend.addItem(bar, title)
            else:
                bar.setVisible(False)
        axis = self.getPlotItem().getAxis("bottom")
        # Class numbers, as in the legend beside the maps ("3. Corn-mintill"): 16 names do not fit under bars.
        axis.setTicks([[(i, str(i + 1)) for i in range(len(class_names))]])
        self.setXRange(-0.6, len(class_names) - 0.4, padding=0)
