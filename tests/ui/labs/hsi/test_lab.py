"""The Hyperspectral lab on a real tiny training: maps beside the ground truth, hover, click → spectrum."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from tests.ui.qt_helpers import open_lab

CROP = "0:30,0:36"


@pytest.fixture
def trained_run():
    """Two epochs of a small HybridSN on a cropped real Indian Pines scene, recorded in the store."""
    from engines.core.tasks import make_config
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore

    config = make_config("hsi", model="hybridsn", data="indian_pines", epochs=2, batch_size=64, components=15,
                         window=9, eval_max=64, data_options={"crop": CROP}, threads=2)
    with RunStore() as store:
        run_id = create_run(store, config)
        outcome = TrainingSession(config, store=store, run_id=run_id).run()
    assert outcome.status == "finished", outcome.message
    return run_id


@pytest.fixture
def lab(trained_run, window):  # the run exists before the window opens
    return open_lab(window, "Hyperspectral")


def expected_probabilities(run_id):
    from engines.labs.hsi.patches import predict_scene
    from engines.models import load_trained_model
    from workbench.labs.hsi.maps import prepare_for_run
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(run_id)
    return predict_scene(load_trained_model(run.checkpoint), prepare_for_run(run).prepared)


def test_map_shows_the_scene_with_predicted_colours_and_a_click_shows_the_spectrum(lab, qtbot, trained_run):
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.show_runs([trained_run])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)  # the thread ends just after maps_ready
    assert lab.missing == [trained_run] and lab.compute_button.isEnabled()
    view = lab.map_view
    gt = view.scene_view.gt
    assert gt.shape == (30, 36) and len(view.panels) == 1  # the ground truth alone until computed
    with qtbot.waitSignal(lab.maps_ready, timeout=300_000):
        qtbot.mouseClick(lab.compute_button, Qt.MouseButton.LeftButton)
    assert len(view.panels) == 2
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.progress.value() == lab.progress.maximum() > 0  # finished reads 100 %, not 0 %

    rgba = view.overlay_rgba(1)
    assert rgba.shape == (30, 36, 4)
    predicted = expected_probabilities(trained_run).argmax(-1)
    colors = np.asarray(view.scene_view.colors, dtype=np.uint8)
    labelled = gt > 0
    np.testing.assert_array_equal(rgba[labelled][:, :3], colors[predicted[labelled]])
    np.testing.assert_array_equal(rgba[..., :3], colors[predicted])  # unlabelled pixels are classified too
    truth_rgba = view.overlay_rgba(0)
    np.testing.assert_array_equal(truth_rgba[labelled][:, :3], colors[gt[labelled] - 1])
    assert (truth_rgba[~labelled][:, 3] == 0).all()
    wrong = labelled & (predicted != gt - 1)
    errors = np.asarray(view.panels[1].errors.image)
    np.testing.assert_array_equal((errors[..., :3] == (255, 0, 0)).all(-1) & (errors[..., 3] == 255), wrong)

    # Opacity, training pixels and the false-colour bands update the same items.
    lab.opacity.setValue(40)
    assert view.overlay_rgba(1)[0, 0, 3] == round(255 * 0.4)
    lab.training.setChecked(True)
    assert view.panels[1].training.isVisible()
    lab.band_boxes[0].setValue(10)
    assert view.scene_view.rgb_bands[0] == 10

    # Click the pixel (row 5, col 7) of the run's map: its spectrum has every band.
    panel = view.panels[1]
    # The view's range settles on a later event-loop turn (sooner or later depending on what ran before).
    qtbot.waitUntil(lambda: view.pixel_at(panel.view.mapViewToScene(QPointF(7.5, 5.5))) == (panel, 5, 7),
                    timeout=5_000)
    scene_pos = panel.view.mapViewToScene(QPointF(7.5, 5.5))
    viewport_pos = view.mapFromScene(scene_pos)
    with qtbot.waitSignal(lab.spectrum_shown, timeout=10_000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=viewport_pos)
    assert blocker.args == [5, 7]
    x, y = lab.spectrum.curve.getData()
    assert len(x) == len(y) == 200
    np.testing.assert_allclose(y, view.scene_view.cube[5, 7])
    assert x[0] >= 400 and x[-1] <= 2500  # nominal wavelengths, not band numbers
    bars = lab.probabilities.bars[0].opts["height"]
    np.testing.assert_allclose(bars, panel.probs[5, 7])
    assert "confidence" in view.describe(panel, 5, 7)


def test_maps_are_cached_per_run_and_checkpoint(lab, qtbot, trained_run):
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(trained_run)
    probs = hsi_maps.compute_map(run, run.checkpoint)
    assert hsi_maps.cache_path(run.id, run.checkpoint).is_file()
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.show_runs([trained_run])
    assert lab.missing == [] and len(lab.map_view.panels) == 2
    np.testing.assert_array_equal(lab.map_view.panels[1].probs, probs)


def test_bad_run_shows_a_message_and_the_lab_keeps_working(lab, qtbot, trained_run):
    from workbench.store import RunStore

    with RunStore() as store:
        bad = store.create_run(task="hsi", model="hybridsn", dataset="pavia_university",
                               config={"task": "hsi", "data": "pavia_university"})
    with qtbot.waitSignal(lab.message, timeout=60_000, check_params_cb=lambda m: "PaviaU.mat" in m):
        lab.show_runs([bad])
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.show_runs([trained_run])


@pytest.fixture
def epoch_weights_run():
    """Three epochs of a small HybridSN that keeps each epoch's weights (epoch_N.pt)."""
    from engines.core.tasks import make_config
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore

    config = make_config("hsi", model="hybridsn", data="indian_pines", epochs=3, batch_size=64, components=15,
                         window=9, eval_max=64, data_options={"crop": CROP}, threads=2, keep_epoch_weights=True)
    with RunStore() as store:
        run_id = create_run(store, config)
        assert TrainingSession(config, store=store, run_id=run_id).run().status == "finished"
    return run_id


def test_the_map_follows_the_epoch_scrubber_and_prefetches_the_next_epochs(epoch_weights_run, window, qtbot):
    from engines.labs.hsi.patches import predict_scene
    from engines.models import load_trained_model
    from workbench.labs.hsi import maps as hsi_maps
    from workbench.store import RunStore

    lab = open_lab(window, "Hyperspectral")
    with RunStore() as store:
        run = store.get_run(epoch_weights_run)
        ends = {int(p.epoch): p.step for p in store.metrics(run.id, "overall_accuracy")}
    assert sorted(ends) == [1, 2, 3]
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.show_runs([run.id])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.missing == [run.id]  # the last epoch's map is not computed until asked (or scrubbed to)

    prepared = hsi_maps.prepare_for_run(run).prepared
    first = hsi_maps.checkpoint_for_epoch(run, 1)
    assert first.endswith("epoch_1.pt")
    with qtbot.waitSignal(lab.maps_ready, timeout=120_000):
        lab.set_cursor(ends[1])  # the scrubber at the end of epoch 1: that epoch's map, computed at once
    np.testing.assert_allclose(lab.map_view.panels[1].probs, predict_scene(load_trained_model(first), prepared),
                               atol=1e-5)
    # The next epochs' maps are prefetched into the cache in the background…
    qtbot.waitUntil(lambda: hsi_maps.cached_map(run.id, run.checkpoint) is not None, timeout=120_000)
    qtbot.waitUntil(lambda: not lab.busy, timeout=30_000)
    # …so moving the scrubber to the last epoch shows its map from the cache.
    with qtbot.waitSignal(lab.maps_ready, timeout=30_000):
        lab.set_cursor(ends[3])
    assert lab.checkpoints[run.id] == run.checkpoint and lab.missing == []
    np.testing.assert_allclose(lab.map_view.panels[1].probs, hsi_maps.cached_map(run.id, run.checkpoint))
    assert not np.allclose(lab.map_view.panels[1].probs, predict_scene(load_trained_model(first), prepared))
