"""Hyperspectral loaders: .mat v5 / v7.3 key detection, .npy, the offline Indian Pines, bad input, downloads."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
import scipy.io

from engines.core.data import DataError
from engines.hyperspectral import (
    INDIAN_PINES_CLASSES,
    PAVIA_UNIVERSITY_CLASSES,
    crop_scene,
    download_file,
    load_file_scene,
    load_scene,
    read_mat,
)

INDIAN_PINES_COUNTS = [46, 1428, 830, 237, 483, 730, 28, 478, 20, 972, 2455, 593, 205, 1265, 386, 93]


def small_scene(rows=6, cols=5, bands=12, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    cube = rng.normal(size=(rows, cols, bands)).astype(np.float32)
    gt = rng.integers(0, classes + 1, size=(rows, cols)).astype(np.uint8)
    gt[0, :classes] = np.arange(1, classes + 1)  # every class present
    return cube, gt


def write_mat73(path, variables: dict[str, np.ndarray]) -> None:
    """A MATLAB v7.3 file: HDF5 behind a 512-byte user block with MATLAB's header, arrays column-major."""
    import h5py

    with h5py.File(path, "w", userblock_size=512) as fh:
        for name, value in variables.items():
            fh.create_dataset(name, data=np.ascontiguousarray(value.T))
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    with open(path, "r+b") as fh:
        fh.write(header.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02" + b"IM")


def test_mat_v5_detects_the_cube_and_ground_truth_variables(tmp_path):
    cube, gt = small_scene()
    path = tmp_path / "PaviaU.mat"
    scipy.io.savemat(path, {"paviaU": cube, "paviaU_gt": gt, "notes": np.arange(3)})
    scene = load_file_scene(path)
    assert scene.cube.shape == (6, 5, 12) and scene.cube.dtype == np.float32
    np.testing.assert_array_equal(scene.gt, gt)
    np.testing.assert_allclose(scene.cube, cube)
    assert scene.name == "pavia_university" and scene.class_names == PAVIA_UNIVERSITY_CLASSES


def test_mat_v73_is_read_through_h5py_in_matlab_axis_order(tmp_path):
    cube, gt = small_scene(rows=7, cols=4, bands=9)
    path = tmp_path / "scene.mat"
    write_mat73(path, {"indian_pines_corrected": cube, "indian_pines_gt": gt})
    variables = read_mat(path)
    assert variables["indian_pines_corrected"].shape == (7, 4, 9)
    scene = load_file_scene(path)
    np.testing.assert_allclose(scene.cube, cube)
    np.testing.assert_array_equal(scene.gt, gt)
    assert scene.class_names == INDIAN_PINES_CLASSES


def test_ground_truth_in_a_sibling_file_and_npy(tmp_path):
    cube, gt = small_scene()
    np.save(tmp_path / "field.npy", cube)
    np.save(tmp_path / "field_gt.npy", gt)
    scene = load_file_scene(tmp_path / "field.npy")
    np.testing.assert_array_equal(scene.gt, gt)
    assert scene.class_names == ["class 1", "class 2", "class 3"]
    scipy.io.savemat(tmp_path / "a.mat", {"cube": cube})
    scipy.io.savemat(tmp_path / "labels.mat", {"truth": gt})
    assert load_file_scene(tmp_path / "a.mat", tmp_path / "labels.mat").gt.shape == (6, 5)


def test_a_mat_file_without_a_cube_lists_its_variables(tmp_path):
    path = tmp_path / "flat.mat"
    scipy.io.savemat(path, {"image": np.zeros((4, 4)), "names": np.arange(3)})
    with pytest.raises(DataError, match=r"no 3-D array.*image \(4, 4\).*names"):
        load_file_scene(path)


def test_cube_and_ground_truth_of_different_shapes_name_both(tmp_path):
    cube, _ = small_scene()
    scipy.io.savemat(tmp_path / "c.mat", {"cube": cube})
    scipy.io.savemat(tmp_path / "g.mat", {"gt": np.ones((5, 5), dtype=np.uint8)})
    with pytest.raises(DataError, match=r"\(6, 5, 12\).*\(5, 5\)"):
        load_file_scene(tmp_path / "c.mat", tmp_path / "g.mat")


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(DataError, match="unsupported file"):
        load_file_scene(tmp_path / "cube.tif")
    with pytest.raises(DataError, match="not found"):
        load_file_scene(tmp_path / "nope.mat")


def test_offline_default_is_the_real_indian_pines_scene():
    scene = load_scene("indian_pines")
    assert scene.cube.shape == (145, 145, 200) and scene.gt.shape == (145, 145)
    assert np.bincount(scene.gt.ravel())[1:].tolist() == INDIAN_PINES_COUNTS
    assert len(scene.wavelengths) == 200 and scene.num_classes == 16 and len(scene.colors) == 16
    part = crop_scene(scene, "10:40,20:60")
    assert part.cube.shape == (30, 40, 200)
    np.testing.assert_array_equal(part.gt, scene.gt[10:40, 20:60])


@pytest.mark.shared_data
def test_tensorly_scene_is_the_shared_indian_pines(shared_data):
    folder = shared_data / "indian_pines"
    scene = load_scene("indian_pines")
    np.testing.assert_array_equal(scene.cube, np.load(folder / "Indian_pines_corrected.npy").astype(np.float32))
    np.testing.assert_array_equal(scene.gt, np.load(folder / "Indian_pines_gt.npy"))
    mat = scipy.io.loadmat(folder / "Indian_pines_gt.mat")
    np.testing.assert_array_equal(load_file_scene(folder / "Indian_pines_corrected.npy").gt, mat["indian_pines_gt"])


def test_missing_downloadable_scene_names_the_url_and_folder(workbench_home):
    with pytest.raises(DataError) as info:
        load_scene("pavia_university")
    message = str(info.value)
    assert "https://www.ehu.eus/ccwintco/uploads/e/ee/PaviaU.mat" in message
    assert str(workbench_home / "data" / "pavia_university") in message


def test_download_checks_sha256_and_reports_progress(tmp_path):
    source = tmp_path / "source.bin"
    source.write_bytes(b"x" * 200_000)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    seen = []
    target = download_file(source.as_uri(), tmp_path / "out" / "file.bin", sha256=digest,
                           progress=lambda done, total: seen.append(done))
    assert target.read_bytes() == source.read_bytes() and seen[-1] == 200_000
    with pytest.raises(DataError, match="sha256"):
        download_file(source.as_uri(), tmp_path / "out" / "bad.bin", sha256="0" * 64)
    assert not (tmp_path / "out" / "bad.bin").exists()
    with pytest.raises(DataError, match=str(tmp_path / "out")):
        download_file((tmp_path / "missing.bin").as_uri(), tmp_path / "out" / "m.bin")
