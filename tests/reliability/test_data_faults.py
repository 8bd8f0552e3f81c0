"""Bad data files: hyperspectral cubes and ground truths (.npy, .mat) and CIFAR-10 batches.

Each bad file ends in one line naming it (no scikit-learn or numpy message without a file name), and a
hostile pickle never runs: its marker file never appears.
"""
from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import scipy.io

from tests.reliability.conftest import (
    BAD_FILE_KINDS,
    assert_clean,
    assert_no_marker,
    hostile_pickle_bytes,
    write_bad_file,
)


def _scene(rows: int = 12, cols: int = 10, bands: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cube = rng.normal(size=(rows, cols, bands)).astype(np.float32)
    gt = np.tile(np.arange(1, 4, dtype=np.uint8), rows * cols // 3 + 1)[: rows * cols].reshape(rows, cols)
    return cube, gt


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _mat_bytes(variables: dict) -> bytes:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, variables)
    return buffer.getvalue()


class _Plant:
    """Unpickling this creates the marker file: proof that code from the file ran."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _svm(cli, cube, gt=None):
    args = ["hsi-svm", "--data", "hsi_file", "--set", f"data.path={cube}"]
    if gt is not None:
        args += ["--set", f"data.gt_path={gt}"]
    return cli(*args, "--json")


# -- the cube: every bad file kind, as .npy and as .mat ------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".npy", ".mat"])
@pytest.mark.parametrize("kind", BAD_FILE_KINDS)
def test_a_bad_cube_file_is_named(cli, tmp_path, kind, suffix):
    cube, gt = _scene()
    gt_path = tmp_path / "gt.npy"
    np.save(gt_path, gt)
    good = _npy_bytes(cube) if suffix == ".npy" else _mat_bytes({"cube": cube})
    path = write_bad_file(kind, tmp_path / "data", "cube" + suffix, good=good)
    result = _svm(cli, path, gt_path)
    assert_clean(result, 1, "workbench: error:", path.name)


# -- the cube: bad values and bad content ----------------------------------------------------------------------
def _cube_with(kind: str) -> np.ndarray:
    cube, _ = _scene()
    if kind == "nan":
        cube[0, 0, :3] = np.nan
    elif kind == "inf":
        cube[1, 2, 0], cube[3, 3, 3] = np.inf, -np.inf
    return cube


@pytest.mark.parametrize("kind, count", [("nan", "3 non-finite"), ("inf", "2 non-finite")])
@pytest.mark.parametrize("suffix", [".npy", ".mat"])
def test_non_finite_values_in_a_cube_are_counted_naming_the_file(cli, tmp_path, kind, count, suffix):
    """Before: scikit-learn's "Input X contains NaN", which names no file."""
    cube = _cube_with(kind)
    _, gt = _scene()
    path = tmp_path / f"scene{suffix}"
    if suffix == ".npy":
        np.save(path, cube)
        np.save(tmp_path / "scene_gt.npy", gt)
    else:
        scipy.io.savemat(path, {"cube": cube, "gt": gt})
    result = _svm(cli, path)
    assert_clean(result, 1, str(path), count)


def test_an_object_npy_is_never_unpickled(cli, tmp_path, marker):
    hostile = np.empty(2, dtype=object)
    hostile[0] = _Plant(marker)
    path = tmp_path / "cube.npy"
    np.save(path, hostile, allow_pickle=True)
    _, gt = _scene()
    np.save(tmp_path / "gt.npy", gt)
    result = _svm(cli, path, tmp_path / "gt.npy")
    assert_clean(result, 1, str(path), "Python objects")
    assert_no_marker(marker)


def test_a_npy_header_claiming_a_huge_array_is_refused_before_allocating(cli, tmp_path):
    path = tmp_path / "cube.npy"
    buffer = io.BytesIO()  # a valid header (magic included) claiming 8 TB, then 64 bytes of data
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (100000, 100000, 200)})
    claimed = buffer.getvalue() + b"\x00" * 64
    path.write_bytes(claimed)
    _, gt = _scene()
    np.save(tmp_path / "gt.npy", gt)
    result = _svm(cli, path, tmp_path / "gt.npy")
    assert_clean(result, 1, str(path), "truncated")


@pytest.mark.parametrize("content, needle", [
    (np.zeros((12, 10), np.float32), "no 3-D array"),
    (np.zeros((12, 10, 4), np.complex64), "no 3-D array"),
    (np.zeros((12, 10, 0), np.float32), "empty"),
], ids=["2-d", "complex", "zero-bands"])
def test_a_cube_of_the_wrong_shape_or_type_is_named(cli, tmp_path, content, needle):
    path = tmp_path / "cube.npy"
    np.save(path, content)
    _, gt = _scene()
    np.save(tmp_path / "gt.npy", gt)
    result = _svm(cli, path, tmp_path / "gt.npy")
    assert_clean(result, 1, str(path), needle)


def test_a_mat_file_with_only_text_and_cells_is_named(cli, tmp_path):
    path = tmp_path / "cube.mat"
    scipy.io.savemat(path, {"name": "Indian Pines", "cells": np.array([["a"], ["b"]], dtype=object)})
    result = _svm(cli, path)
    assert_clean(result, 1, str(path), "no 3-D array")


# -- the ground truth ------------------------------------------------------------------------------------------------
def _gt_with(kind: str):
    _, gt = _scene()
    gt = gt.astype(np.float32)
    if kind == "nan":
        gt[0, 0] = np.nan
    elif kind == "fraction":
        gt[0, 0] = 1.5
    elif kind == "shape":
        gt = gt[:5, :5]
    return gt


@pytest.mark.parametrize("kind, needle", [("nan", "ground-truth"), ("fraction", "ground-truth"),
                                          ("shape", "spatial shape")])
def test_a_bad_ground_truth_is_named(cli, tmp_path, kind, needle):
    cube, _ = _scene()
    np.save(tmp_path / "cube.npy", cube)
    gt_path = tmp_path / "gt.npy"
    np.save(gt_path, _gt_with(kind))
    result = _svm(cli, tmp_path / "cube.npy", gt_path)
    assert_clean(result, 1, "gt.npy", needle)


def test_a_hostile_ground_truth_npy_is_refused(cli, tmp_path, marker):
    cube, _ = _scene()
    np.save(tmp_path / "cube.npy", cube)
    hostile = np.empty(1, dtype=object)
    hostile[0] = _Plant(marker)
    np.save(tmp_path / "gt.npy", hostile, allow_pickle=True)
    result = _svm(cli, tmp_path / "cube.npy", tmp_path / "gt.npy")
    assert_clean(result, 1, "gt.npy", "Python objects")
    assert_no_marker(marker)


def test_the_training_path_names_a_non_finite_cube_too(cli, tmp_path):
    """``train --task hsi --data hsi_file``: the run fails with the file's name, the runs before it stay listed."""
    np.save(tmp_path / "scene.npy", _cube_with("nan"))
    np.save(tmp_path / "scene_gt.npy", _scene()[1])
    result = cli("train", "--task", "hsi", "--data", "hsi_file", "--set", f"data.path={tmp_path / 'scene.npy'}",
                 "--set", "components=4", "--set", "window=9", "--model", "cnn2d", "--epochs", "1",
                 "--no-progress")
    assert_clean(result, 1, "scene.npy", "non-finite")


# -- CIFAR-10 batches ----------------------------------------------------------------------------------------------
CIFAR_FILES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _cifar_folder(root, per_batch: int = 4):
    """The official layout: Python-2-style protocol-2 pickles with bytes keys."""
    rng = np.random.default_rng(0)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name in CIFAR_FILES:
        batch = {b"batch_label": name.encode(), b"labels": rng.integers(0, 10, per_batch).tolist(),
                 b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8)}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    return folder


CIFAR_KINDS = [k for k in BAD_FILE_KINDS if k != "unicode_name_garbage"] + ["hostile", "not_a_batch"]


@pytest.mark.parametrize("kind", CIFAR_KINDS)
def test_a_bad_cifar10_batch_is_named_and_never_unpickled(cli, tmp_path, kind, marker):
    folder = _cifar_folder(tmp_path / "cifar")
    target = folder / "data_batch_2"
    good = target.read_bytes()
    target.unlink()
    if kind == "hostile":
        target.write_bytes(hostile_pickle_bytes(marker))
    elif kind == "not_a_batch":
        target.write_bytes(pickle.dumps([1, 2, 3], protocol=2))
    else:
        write_bad_file(kind, folder, "data_batch_2", good=good)
    result = cli("train", "--data", "cifar10", "--set", f"data.root={tmp_path / 'cifar'}",
                 "--set", "data.download=false", "--epochs", "1", "--no-progress")
    assert_clean(result, 1, "data_batch_2")
    assert_no_marker(marker)


def test_a_scene_download_into_a_folder_that_cannot_be_made_is_named(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("hsi-download", "salinas", "--folder", str(blocker / "salinas"))
    assert_clean(result, 1, "workbench: error:", str(blocker / "salinas"))


# -- the retrieval lab's own images, captions and backbone weights ----------------------------------------------
def _image_text_folder(root):
    from tests.reliability.conftest import png_bytes

    images = root / "images"
    for label in ("cats", "dogs"):
        (images / label).mkdir(parents=True)
        for i in range(4):
            (images / label / f"{i}.png").write_bytes(png_bytes(8, 8))
    lines = ["image\tcaption"] + [f"{label}/{i}.png\ta {label[:-1]} number {i}"
                                  for label in ("cats", "dogs") for i in range(4)]
    (images / "captions.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return images


def _mobilenet_weights(path):
    import torch
    import torchvision

    torch.save(torchvision.models.mobilenet_v3_small(weights=None).state_dict(), path)
    return path


@pytest.mark.parametrize("fault", ["hostile_weights", "nan_weights", "captions_not_utf8", "image_bomb",
                                   "image_garbage"])
def test_bad_image_text_files_are_named(cli, tmp_path, marker, fault):
    import torch

    from tests.reliability.conftest import write_hostile_torch_file, write_png_bomb

    images = _image_text_folder(tmp_path)
    weights = tmp_path / "backbone.pth"
    needle = "backbone.pth"
    if fault == "hostile_weights":
        write_hostile_torch_file(weights, marker)
    elif fault == "nan_weights":
        state = torch.load(_mobilenet_weights(weights), weights_only=True)
        next(v for v in state.values() if v.is_floating_point()).fill_(float("nan"))
        torch.save(state, weights)
    else:
        _mobilenet_weights(weights)
        if fault == "captions_not_utf8":
            (images / "captions.tsv").write_bytes(b"image\tcaption\ncats/0.png\tcaf\xe9\n")
            needle = "captions.tsv"
        elif fault == "image_bomb":
            write_png_bomb(images / "dogs" / "2.png")
            needle = "2.png"
        else:
            (images / "dogs" / "3.png").write_bytes(b"\x00garbage" * 50)
            needle = "3.png"
    result = cli("retrieval-features", "--data", "image_text", "--set", f"data.path={images}",
                 "--set", f"data.weights={weights}", "--set", "data.backbone=mobilenet_v3_small",
                 "--set", "data.image_size=32", "--set", "data.test_ratio=0.5")
    assert_clean(result, 2, "workbench: error:", needle)
    assert_no_marker(marker)
