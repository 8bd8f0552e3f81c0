"""PCA, padding, windows and the split against naive references on small cubes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from engines.core.data import DataError
from engines.hyperspectral import _make_scene
from engines.labs.hsi.patches import (
    PatchDataset,
    check_model_fits,
    predict_scene,
    prepare_scene,
    reduce_bands,
    split_pixels,
)
from engines.models import build_model


def scene(rows=12, cols=10, bands=16, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    cube = rng.normal(size=(rows, cols, bands)).astype(np.float32)
    gt = rng.integers(0, classes + 1, size=(rows, cols))
    gt[0, :classes] = np.arange(1, classes + 1)
    gt[1, :classes] = np.arange(1, classes + 1)
    return _make_scene("toy", cube, gt, source="test", where="test")


def naive_patch(reduced: np.ndarray, row: int, col: int, window: int) -> np.ndarray:
    """The authors' way: zero-pad the whole cube, then slice the window around (row, col)."""
    m = window // 2
    padded = np.zeros((reduced.shape[0] + 2 * m, reduced.shape[1] + 2 * m, reduced.shape[2]), dtype=np.float32)
    padded[m:m + reduced.shape[0], m:m + reduced.shape[1]] = reduced
    return padded[row:row + window, col:col + window].transpose(2, 0, 1)


def test_patches_equal_a_naive_reference_including_the_borders():
    toy = scene()
    prepared = prepare_scene(toy, components=4, window=5, train_ratio=0.5, seed=1)
    reduced, _ = reduce_bands(toy.cube, 4)
    pixels = prepared.all_pixels()
    batch = prepared.patches_for_pixels(pixels)
    assert batch.shape == (120, 1, 4, 5, 5)
    for index, (r, c) in enumerate(pixels):
        np.testing.assert_allclose(batch[index, 0].numpy(), naive_patch(reduced, r, c, 5), atol=1e-6)
    dataset = prepared.train_dataset()
    assert isinstance(dataset, PatchDataset)
    patch, label = dataset[3]
    r, c = prepared.train_pixels[3]
    np.testing.assert_allclose(patch[0].numpy(), naive_patch(reduced, r, c, 5), atol=1e-6)
    assert int(label) == toy.gt[r, c] - 1


def test_a_batch_in_one_gather_equals_the_dataloaders_collated_samples():
    from torch.utils.data import DataLoader

    prepared = prepare_scene(scene(), components=4, window=5, train_ratio=0.5, seed=1)
    dataset = prepared.train_dataset()
    order = [[5, 0, 3], [2, 7, 1, 4], [6]]
    collated = list(DataLoader(dataset, batch_sampler=order))
    for indices, (x, y) in zip(order, collated):
        bx, by = dataset.batch(indices)
        assert bx.shape == x.shape and bx.dtype == x.dtype and torch.equal(bx, x)
        assert by.dtype == y.dtype and torch.equal(by, y)


def test_pca_is_whitened_and_can_be_fit_on_training_pixels_only():
    toy = scene(rows=30, cols=30)
    reduced, kept = reduce_bands(toy.cube, 5)
    flat = reduced.reshape(-1, 5)
    np.testing.assert_allclose(flat.std(0, ddof=1), np.ones(5), rtol=1e-3)
    assert 0 < kept < 1
    scene_fit = prepare_scene(toy, components=5, window=3, seed=0, pca_fit="scene")
    train_fit = prepare_scene(toy, components=5, window=3, seed=0, pca_fit="train")
    assert not torch.allclose(scene_fit.padded, train_fit.padded)


def test_split_is_stratified_seeded_and_disjoint():
    labels = np.repeat(np.arange(4), [10, 20, 30, 41])
    train, test = split_pixels(labels, 0.3, seed=7)
    assert set(train).isdisjoint(test) and len(train) + len(test) == len(labels)
    np.testing.assert_array_equal(train, split_pixels(labels, 0.3, seed=7)[0])
    assert not np.array_equal(train, split_pixels(labels, 0.3, seed=8)[0])
    counts = np.bincount(labels[train], minlength=4)
    np.testing.assert_allclose(counts, [3, 6, 9, 12], atol=1)
    single = np.array([0, 0, 0, 1, 1, 1, 2])  # class 2 has one pixel: it goes to test
    train, test = split_pixels(single, 0.5, seed=0)
    assert 6 in test


def test_bad_settings_are_clear_messages():
    toy = scene(bands=8)
    with pytest.raises(DataError, match="8 bands"):
        prepare_scene(toy, components=20, window=5)
    with pytest.raises(DataError, match="odd"):
        prepare_scene(toy, components=4, window=4)
    with pytest.raises(DataError, match="train_ratio"):
        prepare_scene(toy, components=4, window=5, train_ratio=1.5)


def test_a_checkpoint_for_another_scene_is_refused_by_name():
    toy = scene()
    prepared = prepare_scene(toy, components=4, window=9)
    spec = {"name": "hybridsn", "options": {"num_classes": 16, "bands": 30, "window": 25}}
    with pytest.raises(DataError, match=r"16 classes.*toy.*3 classes"):
        check_model_fits(spec, prepared, trained_on="indian_pines")
    check_model_fits({"name": "cnn2d", "options": {"num_classes": 3, "bands": 4, "window": 9}}, prepared)


def test_scene_prediction_covers_every_pixel_in_batches():
    toy = scene()
    prepared = prepare_scene(toy, components=4, window=9)
    torch.manual_seed(0)
    model = build_model("cnn2d", num_classes=3, bands=4, window=9)
    seen = []
    probs = predict_scene(model, prepared, batch_size=32, progress=lambda d, t: seen.append((d, t)))
    assert probs.shape == (12, 10, 3)
    np.testing.assert_allclose(probs.sum(-1), 1.0, rtol=1e-5)
    assert seen[-1] == (120, 120) and len(seen) == 4
    model.eval()
    with torch.no_grad():
        direct = model(prepared.patches_for_pixels(np.array([[5, 7]]))).softmax(1)[0].numpy()
    np.testing.assert_allclose(probs[5, 7], direct, rtol=1e-5, atol=1e-6)
