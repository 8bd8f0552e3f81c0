"""The Denoising lab's image panes as drawn in the window: aspect ratio and fill at laptop and desktop sizes,
the swipe line over the image only, the residual's symmetric stretch, re-denoising after importing weights,
and a methods row that needs no scrollbar."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QRectF

from tests.helpers import save_tiny_dncnn
from tests.ui.qt_helpers import open_lab

SIZES = ((1366, 768), (1920, 1080))


def _photo(height, width, seed=0):
    """A smooth gradient with a few edges (a denoiser has something to keep), 8-bit."""
    import skimage.data

    camera = skimage.data.camera()
    rows = np.linspace(0, camera.shape[0] - 1, height).astype(int)
    cols = np.linspace(0, camera.shape[1] - 1, width).astype(int)
    return camera[np.ix_(rows, cols)]


def _denoise(lab, qtbot, path, methods=("tv",)):
    lab.set_checked(list(methods))
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.open_paths([str(path)])
    assert lab.view.data is not None and lab.view.data.methods


def _settle(qtbot, lab, *, timeout: float = 10.0):
    """Wait until the grid is laid out and fitted: it happens over the next turns of the event loop, which a
    loaded machine spreads over far more than a fixed wait. Settled = the panes' rectangles unchanged over
    three polls 100 ms apart."""
    import time

    def snapshot():
        view = lab.view
        return tuple((key, *(round(v, 1) for rect in _device_rects(view, pane)
                             for v in (rect.x(), rect.y(), rect.width(), rect.height())))
                     for key, pane in sorted(view.panes.items()))

    deadline, last, stable = time.monotonic() + timeout, None, 0
    while time.monotonic() < deadline and stable < 3:
        qtbot.wait(100)
        now = snapshot()
        stable = stable + 1 if now == last else 0
        last = now


def _device_rects(view, pane) -> tuple[QRectF, QRectF]:
    """(the image as drawn, the pane) in the view widget's device pixels; the image clipped to its pane."""
    to_device = view.viewportTransform()
    ratio = view.devicePixelRatioF()
    image = pane.image.mapRectToScene(pane.image.boundingRect())
    box = pane.view.parentItem().mapRectToScene(pane.view.geometry())
    drawn, frame = to_device.mapRect(image & box), to_device.mapRect(box)
    return (QRectF(drawn.topLeft() * ratio, drawn.bottomRight() * ratio),
            QRectF(frame.topLeft() * ratio, frame.bottomRight() * ratio))


@pytest.mark.parametrize("shape", [(96, 160), (128, 128), (160, 72)], ids=["wide", "square", "tall"])
def test_each_pane_shows_the_whole_image_at_its_aspect_ratio_and_fills_the_pane(make_window, qtbot, tmp_path,
                                                                                 shape):
    window = make_window(show=True, ready=True, size=SIZES[0])
    lab = open_lab(window, "Denoising")
    path = tmp_path / "photo.png"
    Image.fromarray(_photo(*shape)).save(path)
    _denoise(lab, qtbot, path, methods=("tv", "wavelet"))
    height, width = shape
    for size in (*SIZES, SIZES[0]):  # and back: a resize fits the images again
        window.resize(*size)
        _settle(qtbot, lab)
        view = lab.view
        assert {"noisy", "clean", "residual:1", "restored:1", "error:1"} <= set(view.panes)
        for key, pane in view.panes.items():
            drawn, frame = _device_rects(view, pane)
            assert drawn.width() / drawn.height() == pytest.approx(width / height, rel=0.02), (key, size)
            # the whole image is shown, as large as the pane allows, and the pane is the image's shape
            (x0, x1), (y0, y1) = pane.view.viewRange()
            assert x0 <= 0.5 and y0 <= 0.5 and x1 >= width - 0.5 and y1 >= height - 0.5, (key, size)
            assert max(drawn.width() / frame.width(), drawn.height() / frame.height()) > 0.98, (key, size)
            # little white around it (a tall image's columns stay wide enough for their titles)
            assert drawn.width() * drawn.height() >= 0.6 * frame.width() * frame.height(), (key, size)
        # large: at least a quarter of the grid's narrow side, never a thumbnail in a white pane
        noisy, _ = _device_rects(view, view.panes["noisy"])
        ratio = view.devicePixelRatioF()
        assert max(noisy.width(), noisy.height()) >= 0.25 * min(view.width(), view.height()) * ratio, size


def test_a_zoom_survives_a_resize(make_window, qtbot, tmp_path):
    window = make_window(show=True, ready=True, size=SIZES[1])
    lab = open_lab(window, "Denoising")
    path = tmp_path / "photo.png"
    Image.fromarray(_photo(96, 160)).save(path)
    _denoise(lab, qtbot, path)
    _settle(qtbot, lab)
    lab.view.panes["restored:0"].view.setRange(xRange=(40, 80), yRange=(30, 60), padding=0)
    window.resize(*SIZES[0])
    _settle(qtbot, lab)
    for pane in lab.view.panes.values():
        (x0, x1), (y0, y1) = pane.view.viewRange()
        assert (x0 + x1) / 2 == pytest.approx(60, abs=0.5) and (y0 + y1) / 2 == pytest.approx(45, abs=0.5)
        assert x1 - x0 < 100 and y1 - y0 < 60  # still zoomed in, not fitted to the whole image


def _yellow_rows(image) -> np.ndarray:
    """Device rows of the grabbed view where the swipe line's yellow is drawn."""
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGB888)
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    rgb = array[:, :image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 150) & (rgb[..., 1] < 230) & (rgb[..., 2] < 80)
    return np.flatnonzero(yellow.any(axis=1))


def test_the_swipe_line_spans_the_image_only(make_window, qtbot, tmp_path):
    window = make_window(show=True, ready=True, size=SIZES[1])
    lab = open_lab(window, "Denoising")
    path = tmp_path / "wide.png"
    Image.fromarray(_photo(60, 200)).save(path)  # much wider than its pane: the view is taller than the image
    _denoise(lab, qtbot, path)
    _settle(qtbot, lab)
    view = lab.view
    pane = view.panes["restored:0"]
    line = view._swipe_lines[0]
    # in image coordinates the drawn segment lies within the image's rows and covers them
    extent = line.mapRectToItem(pane.image, line.boundingRect())
    assert extent.top() >= -0.5 and extent.bottom() <= 60.5 and extent.height() >= 59
    # and on screen: the yellow pixels are within the image's rectangle
    drawn, frame = _device_rects(view, pane)
    frame = frame.toAlignedRect()  # the pane only: other panes' colour maps have oranges of their own
    rows = _yellow_rows(view.grab().toImage().copy(frame)) + frame.top()
    assert rows.size and rows.min() >= drawn.top() - 3 and rows.max() <= drawn.bottom() + 3
    # zoomed in on the lower half, the line ends at the image's bottom, not the view's
    pane.view.setRange(xRange=(50, 150), yRange=(40, 70), padding=0)
    _settle(qtbot, lab)
    extent = line.mapRectToItem(pane.image, line.boundingRect())
    assert extent.bottom() <= 60.5 and extent.top() >= pane.view.viewRange()[1][0] - 0.5


def test_the_residual_is_shown_with_symmetric_levels_from_its_data_and_its_scale_in_the_title(lab_window, qtbot,
                                                                                              tmp_path):
    from workbench.ui.labs.denoise.triptych import residual_scale

    lab = lab_window
    path = tmp_path / "photo.png"
    Image.fromarray(_photo(64, 96)).save(path)
    scales = []
    for sigma in (10.0, 40.0):
        lab.sigma.setValue(sigma)
        _denoise(lab, qtbot, path)
        residual = lab.view.data.methods[0].residual
        expected = float(np.percentile(np.abs(residual), 99.5))
        low, high = lab.view.panes["residual:0"].image.levels
        assert low == pytest.approx(-high) and high == pytest.approx(expected)
        assert lab.view.residual_levels == [(low, high)]
        assert f"±{expected * 255:.0f}/255" in lab.view.panes["residual:0"].label.text
        scales.append(high)
    assert scales[1] > 2 * scales[0]  # stronger noise, wider levels: they follow the data
    assert residual_scale(np.zeros((4, 4))) > 0  # an unchanged image still gets a valid range


def test_the_residual_keeps_its_texture_when_drawn_smaller_than_its_size(lab_window, qtbot, tmp_path):
    """A 512² residual drawn about 200 px wide: the pane shows the noise with the contrast of the full-resolution
    map (block averaging would have washed it out to a blank pane)."""
    lab = lab_window
    path = tmp_path / "big.png"
    Image.fromarray(_photo(512, 512)).save(path)
    _denoise(lab, qtbot, path)
    _settle(qtbot, lab)
    view = lab.view
    pane = view.panes["residual:0"]
    drawn, _ = _device_rects(view, pane)
    assert drawn.width() < 512 / 2  # smaller than the image by a factor of two or more
    rect = drawn.toAlignedRect().adjusted(2, 2, -2, -2)
    from PySide6.QtGui import QImage

    shown = view.grab().toImage().copy(rect).convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(shown.constBits(), np.uint8).reshape(shown.height(), shown.bytesPerLine())
    shown = rows[:, :shown.width() * 3].reshape(shown.height(), shown.width(), 3).astype(float)
    low, high = pane.image.levels
    lut = np.asarray(pane.image.lut)[:, :3].astype(float)
    full = lut[np.clip(((lab.view.data.methods[0].residual - low) / (high - low) * 255).astype(int), 0, 255)]
    assert shown.std(axis=(0, 1)).mean() > 0.7 * full.std(axis=(0, 1)).mean()


@pytest.fixture
def lab_window(make_window):
    return open_lab(make_window(show=True, ready=True, size=SIZES[0]), "Denoising")


def test_importing_weights_denoises_the_shown_image_again_with_the_new_network(lab_window, qtbot, tmp_path):
    lab = lab_window
    path = tmp_path / "photo.png"
    Image.fromarray(_photo(48, 64)).save(path)
    _denoise(lab, qtbot, path, methods=("wavelet",))
    assert [c.key for c, _ in lab.current_outcome.results] == ["wavelet"]
    weights = save_tiny_dncnn(tmp_path / "dncnn_25.pth")
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        run_id = lab.import_weights(str(weights))
    assert run_id is not None
    assert [c.key for c, _ in lab.current_outcome.results] == [f"run:{run_id}", "wavelet"]
    assert lab.view.data.methods[0].label.startswith(f"#{run_id}") and len(lab.view.data.methods) == 2


def test_the_methods_row_shows_every_method_without_a_scrollbar_at_laptop_size(lab_window, qtbot):
    lab = lab_window
    qtbot.wait(50)
    methods = lab.methods
    assert methods.count() >= 3
    viewport = methods.viewport().rect()
    for row in range(methods.count()):
        assert viewport.contains(methods.visualItemRect(methods.item(row))), methods.item(row).text()
    line = methods.visualItemRect(methods.item(0)).height()
    assert methods.height() <= 3 * line + 12  # a row or two of names, not a box of cramped lines
    # the image area gets most of the lab's width
    assert lab.view.width() > 1.5 * methods.width()


def test_a_sample_image_fills_the_empty_lab_without_a_file_of_ones_own(lab_window, qtbot):
    from skimage.data import camera

    from workbench import paths

    lab = lab_window
    assert lab.view.data is None  # nothing shown yet: only the drop hint
    lab.set_checked(["wavelet"])
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.sample_button.click()
    written = paths.home() / "cache" / "samples" / "cameraman.png"
    assert np.array_equal(np.asarray(Image.open(written)), camera())
    assert lab.view.data is not None and [c.key for c, _ in lab.current_outcome.results] == ["wavelet"]
    (result,) = [r for _, r in lab.current_outcome.results]
    assert result.psnr > 25.0  # wavelet shrinkage of σ 25 noise on the cameraman (noisy: about 20 dB)
    before = written.stat().st_mtime_ns
    with qtbot.waitSignal(lab.batch_finished, timeout=60_000):
        lab.sample_button.click()  # written once, then reused
    assert written.stat().st_mtime_ns == before
