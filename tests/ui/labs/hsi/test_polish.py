"""The Hyperspectral lab as a user reads it: OA / AA / κ of a map, the bar and its ETA, errors, the pixel title."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from tests.ui.labs.hsi.test_lab import trained_run  # noqa: F401 - the tiny HybridSN run, a fixture
from tests.ui.qt_helpers import open_lab


def _loaded(lab, qtbot, run_id):
    """``run_id`` picked in the list: its scene loaded, no map computed yet."""
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.show_runs([run_id])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)


def _computed(lab, qtbot, run_id):
    _loaded(lab, qtbot, run_id)
    with qtbot.waitSignal(lab.maps_ready, timeout=300_000):
        qtbot.mouseClick(lab.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    return lab.map_view.panels[1]


def test_the_map_shows_oa_aa_and_kappa_on_the_runs_test_pixels_as_sklearn_computes_them(
        window, qtbot, trained_run):  # noqa: F811
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, cohen_kappa_score

    from workbench.labs.hsi.maps import prepare_for_run
    from workbench.store import RunStore

    lab = open_lab(window, "Hyperspectral")
    assert not lab.scores.isVisible()  # nothing to score before a map is shown
    panel = _computed(lab, qtbot, trained_run)
    with RunStore() as store:
        prepared = prepare_for_run(store.get_run(trained_run)).prepared
    gt = lab.map_view.scene_view.gt
    test = (gt > 0) & ~prepared.training_mask()
    truth, predicted = gt[test] - 1, panel.probs.argmax(-1)[test]
    assert 0 < test.sum() < (gt > 0).sum()  # the training pixels are left out

    (scores,) = lab.map_scores()
    assert scores["test_pixels"] and scores["pixels_scored"] == test.sum()
    assert scores["overall_accuracy"] == pytest.approx(accuracy_score(truth, predicted))
    assert scores["average_accuracy"] == pytest.approx(balanced_accuracy_score(truth, predicted))
    assert scores["kappa"] == pytest.approx(cohen_kappa_score(truth, predicted), abs=1e-9)
    assert scores["errors"] == int((truth != predicted).sum())
    text = lab.scores.text()
    assert lab.scores.isVisible() and f"{test.sum()} test pixels" in text
    assert f"OA {100 * accuracy_score(truth, predicted):.1f} %" in text
    assert f"AA {100 * balanced_accuracy_score(truth, predicted):.1f} %" in text
    assert f"κ {cohen_kappa_score(truth, predicted):.3f}" in text


def test_the_bar_is_hidden_until_compute_then_shows_percent_and_time_left(window, qtbot, trained_run,  # noqa: F811
                                                                          monkeypatch):
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.ui.labs.hsi import lab as lab_module

    lab = open_lab(window, "Hyperspectral")
    _loaded(lab, qtbot, trained_run)
    assert lab.compute_button.isEnabled() and not lab.progress.isVisible()  # no "100 %" before Compute

    # A controlled clock and a map that reports a quarter done after 10 s, then waits for the window to read it.
    now = [100.0]
    monkeypatch.setattr(lab_module, "clock", lambda: now[0])
    seen = threading.Event()
    real_compute = hsi_maps.compute_map

    def slow_compute(run, checkpoint, *, progress=None, **kwargs):
        now[0] += 10.0
        progress(1, 4)
        assert seen.wait(60), "the window never showed the estimate"
        return real_compute(run, checkpoint, **kwargs)

    monkeypatch.setattr(hsi_maps, "compute_map", slow_compute)
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        qtbot.mouseClick(lab.compute_button, Qt.MouseButton.LeftButton)
        assert lab.progress.isVisible()
        qtbot.waitUntil(lambda: "left" in lab.progress.text(), timeout=60_000)
        # 10 s for a quarter: three quarters left take about 30 s more.
        assert lab.progress.text() == "25 % · about 30 s left"
        lab.show_runs([trained_run])  # the same run picked again in the list: the computation goes on
        assert lab.progress.text() == "25 % · about 30 s left" and lab.status.text() == "Computing maps…"
        seen.set()
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.progress.isVisible() and lab.progress.value() == lab.progress.maximum()
    assert lab.progress.text() == "Done in 10 s"


def test_cancel_leaves_the_bar_at_how_far_it_got_without_a_time_left(window, qtbot, trained_run,  # noqa: F811
                                                                      monkeypatch):
    from engines.labs.hsi.patches import Cancelled
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.ui.labs.hsi import lab as lab_module

    lab = open_lab(window, "Hyperspectral")
    _loaded(lab, qtbot, trained_run)
    now = [0.0]
    monkeypatch.setattr(lab_module, "clock", lambda: now[0])
    pressed = threading.Event()

    def stoppable_compute(run, checkpoint, *, progress=None, should_stop=None, **kwargs):
        now[0] += 8.0
        progress(3, 8)
        assert pressed.wait(60), "Cancel was never pressed"
        if should_stop():
            raise Cancelled("stopped")
        raise AssertionError("Cancel did not reach the worker")

    monkeypatch.setattr(hsi_maps, "compute_map", stoppable_compute)
    qtbot.mouseClick(lab.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "left" in lab.progress.text(), timeout=60_000)
    assert lab.progress.text() == "37 % · about 15 s left"  # 8 s for 3/8 (37.5 %): 5/8 take ~13 s, said as 15
    with qtbot.waitSignal(lab.job.cancelled, timeout=60_000):
        qtbot.mouseClick(lab.cancel_button, Qt.MouseButton.LeftButton)
        pressed.set()
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.progress.isVisible() and lab.progress.text() == "Stopped at 37 %"
    assert lab.compute_button.isEnabled() and "Cancelled" in lab.status.text()


@pytest.mark.parametrize(("elapsed", "fraction", "expected"), [
    (10.0, 0.2, "about 40 s left"), (120.0, 0.25, "about 6 min left"), (3.0, 0.5, "a few seconds left"),
    (0.5, 0.5, ""), (10.0, 0.0, "")])
def test_time_left_is_the_elapsed_time_scaled_by_the_share_still_to_do(elapsed, fraction, expected):
    from workbench.ui.labs.hsi.lab import remaining_text

    assert remaining_text(elapsed, fraction) == expected


def test_errors_are_opaque_red_over_dimmed_pixels_with_a_legend(window, qtbot, trained_run):  # noqa: F811
    from workbench.ui.labs.hsi.map_view import DIMMED_RGBA, ERROR_RGBA

    lab = open_lab(window, "Hyperspectral")
    panel = _computed(lab, qtbot, trained_run)
    gt = lab.map_view.scene_view.gt
    wrong = (gt > 0) & (panel.probs.argmax(-1) != gt - 1)
    assert wrong.any() and (~wrong).any()
    errors = np.asarray(panel.errors.image)
    np.testing.assert_array_equal(errors[wrong], np.broadcast_to(ERROR_RGBA, (wrong.sum(), 4)))
    np.testing.assert_array_equal(errors[~wrong], np.broadcast_to(DIMMED_RGBA, ((~wrong).sum(), 4)))
    assert panel.errors.isVisible() and lab.error_legend.isVisible()
    assert "misclassified" in lab.error_legend.text() and "dimmed" in lab.error_legend.text()
    lab.errors.setChecked(False)
    assert not panel.errors.isVisible() and not lab.error_legend.isVisible()


def test_the_clicked_pixels_title_is_whole_at_1366_by_768(make_window, qtbot, trained_run):  # noqa: F811
    window = make_window(show=True, ready=True, size=(1366, 768))
    lab = open_lab(window, "Hyperspectral")
    panel = _computed(lab, qtbot, trained_run)
    view = lab.map_view
    gt = view.scene_view.gt
    row, col = (int(v) for v in np.argwhere(gt == 0)[0])  # an unlabelled pixel: the longest truth text
    qtbot.waitUntil(lambda: view.pixel_at(panel.view.mapViewToScene(QPointF(col + 0.5, row + 0.5)))
                    == (panel, row, col), timeout=5_000)
    viewport_pos = view.mapFromScene(panel.view.mapViewToScene(QPointF(col + 0.5, row + 0.5)))
    with qtbot.waitSignal(lab.spectrum_shown, timeout=10_000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_pos)
    title = lab.pixel_title
    assert title.text() == f"Pixel (row {row}, col {col}) · truth: unlabelled"
    qtbot.waitUntil(lambda: title.height() >= title.heightForWidth(title.width()), timeout=5_000)
    # Every word fits the label's width (it wraps between words, never inside one), and all its lines show.
    metrics = title.fontMetrics()
    assert max(metrics.horizontalAdvance(word) for word in title.text().split()) <= title.contentsRect().width()
    assert title.height() >= title.heightForWidth(title.width())
    assert title.toolTip() == title.text()


@pytest.mark.parametrize("aa_absent", ["skip", "zero"])
def test_map_scores_follow_the_runs_aa_convention_as_sklearn_computes_it(aa_absent):
    from sklearn.metrics import balanced_accuracy_score, cohen_kappa_score, recall_score

    from workbench.labs.hsi.maps import map_scores

    rng = np.random.default_rng(0)
    gt = rng.integers(0, 4, size=(12, 10))  # classes 1…3 and unlabelled pixels
    predicted = rng.integers(0, 5, size=gt.shape)  # class 4 (index) is predicted but never true
    test = rng.random(gt.shape) < 0.7
    mask = (gt > 0) & test
    truth, pred = gt[mask] - 1, predicted[mask]
    scores = map_scores(predicted, gt, 5, pixels=test, aa_absent=aa_absent)
    if aa_absent == "skip":
        expected = balanced_accuracy_score(truth, pred)
    else:  # a class predicted but absent from the truth counts as 0
        expected = recall_score(truth, pred, labels=np.union1d(truth, pred), average="macro", zero_division=0)
    assert scores["average_accuracy"] == pytest.approx(expected)
    assert scores["kappa"] == pytest.approx(cohen_kappa_score(truth, pred))
    assert scores["pixels_scored"] == mask.sum() and scores["errors"] == (truth != pred).sum()


@pytest.mark.parametrize("split", ["seed", "authors"])
def test_a_runs_map_is_scored_on_the_test_pixels_of_its_own_split(split):
    from engines.core.tasks import make_config
    from engines.labs.hsi.task import prepared_split
    from workbench.labs.hsi.maps import prepare_for_run
    from workbench.store import RunStore

    config = make_config("hsi", model="hybridsn", data="indian_pines", seed=3, components=15, window=9,
                         data_options={"crop": "0:30,0:36"}, split=split)
    with RunStore() as store:
        run = store.get_run(store.create_run(task="hsi", model="hybridsn", dataset="indian_pines",
                                             config=config.to_dict()))
    np.testing.assert_array_equal(prepare_for_run(run).prepared.training_mask(),
                                  prepared_split(config).training_mask())
