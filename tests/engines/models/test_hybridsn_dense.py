"""Dense whole-scene inference of HybridSN and its controls against the patch path (the reference)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engines.hyperspectral import _make_scene
from engines.labs.hsi.patches import Cancelled, predict_pixels, prepare_scene
from engines.models import build_model
from engines.models.hybridsn import dense_probabilities, has_dense_form

ARCHES = ("hybridsn", "hybridsn_2d3d", "cnn2d", "cnn3d")


def toy_scene(rows=21, cols=17, bands=20, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    cube = rng.normal(size=(rows, cols, bands)).astype(np.float32)
    gt = rng.integers(0, classes + 1, size=(rows, cols))
    gt[0, :classes] = gt[1, :classes] = np.arange(1, classes + 1)
    return _make_scene("toy", cube, gt, source="test", where="test")


@pytest.fixture(scope="module")
def prepared():
    return prepare_scene(toy_scene(), components=18, window=11, train_ratio=0.5, seed=3)


def trained_looking(name: str, prepared) -> torch.nn.Module:
    torch.manual_seed(7)
    model = build_model(name, num_classes=prepared.num_classes, bands=18, window=11, dropout=0.4)
    model.train()  # dense inference must switch dropout off itself (and restore the mode)
    return model


@pytest.mark.parametrize("name", ARCHES)
def test_dense_equals_the_patch_path_on_every_pixel_including_borders_and_strip_seams(name, prepared):
    model = trained_looking(name, prepared)
    assert has_dense_form(model)
    pixels = prepared.all_pixels()
    reference = predict_pixels(model, prepared, pixels, dense=False, batch_size=64)
    for strip_rows in (0, 1, 4, 7):  # 7 rows leave a short last strip; 1 row puts a seam between every row
        dense = dense_probabilities(model, prepared.padded, strip_rows=strip_rows)
        assert dense.shape == (*prepared.shape, prepared.num_classes)
        flat = dense.reshape(-1, prepared.num_classes).numpy()
        np.testing.assert_allclose(flat, reference, atol=1e-5)
        assert (flat.argmax(1) == reference.argmax(1)).all()
    assert model.training  # the caller's mode is restored


@pytest.mark.parametrize("name", ARCHES)
def test_predict_pixels_picks_the_dense_path_for_many_pixels_and_reads_off_the_right_ones(name, prepared):
    model = trained_looking(name, prepared).eval()
    rng = np.random.default_rng(1)
    pixels = prepared.all_pixels()[rng.permutation(prepared.shape[0] * prepared.shape[1])[:60]]
    pixels[0] = (prepared.shape[0] - 1, 0)  # a corner
    dense = predict_pixels(model, prepared, pixels, dense=True)
    windows = predict_pixels(model, prepared, pixels, dense=False)
    np.testing.assert_allclose(dense, windows, atol=1e-5)


def test_dense_progress_reaches_the_pixel_count_and_stop_cancels(prepared):
    model = trained_looking("hybridsn", prepared)
    seen = []
    pixels = prepared.all_pixels()
    predict_pixels(model, prepared, pixels, dense=True, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(pixels), len(pixels)) and len(seen) >= 1
    with pytest.raises(Cancelled):
        predict_pixels(model, prepared, pixels, dense=True, should_stop=lambda: True)


def test_dense_refuses_a_cube_of_the_wrong_bands_or_smaller_than_a_window(prepared):
    model = trained_looking("cnn2d", prepared).eval()
    with pytest.raises(ValueError, match="18"):
        model.dense_logits(torch.zeros(1, 1, 5, 30, 30))
    with pytest.raises(ValueError, match="smaller than one 11×11 window"):
        dense_probabilities(model, torch.zeros(18, 9, 40))
    assert not has_dense_form(build_model("small_cnn"))
