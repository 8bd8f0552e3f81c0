"""Paired features: the DSCMR .mat layout (real shapes from the shared files), Indian Pines views, images+text."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from engines.core.data import DataError, load_dataset
from engines.labs.retrieval.data import load_dscmr_folder


def write_dscmr_folder(folder: Path, *, classes=4, train_per_class=20, test_per_class=8, dim_img=12, dim_txt=8,
                       seed=0, label_offset=0) -> Path:
    """Files in the authors' layout: one variable per file named like it; labels (n, 1) int64.

    Both modalities are noisy random projections of a per-class centre, so retrieval can be learned.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 3)) * 3
    project_img, project_txt = rng.normal(size=(3, dim_img)), rng.normal(size=(3, dim_txt))
    folder.mkdir(parents=True, exist_ok=True)
    for part, per_class in (("train", train_per_class), ("test", test_per_class)):
        labels = np.repeat(np.arange(classes), per_class)
        latent = centres[labels] + rng.normal(size=(len(labels), 3))
        img = (latent @ project_img + 0.3 * rng.normal(size=(len(labels), dim_img))).astype(np.float32)
        txt = (latent @ project_txt + 0.3 * rng.normal(size=(len(labels), dim_txt))).astype(np.float32)
        for name, value in ((f"{part}_img", img), (f"{part}_txt", txt),
                            (f"{part}_img_lab", (labels + label_offset).astype(np.int64)[:, None])):
            scipy.io.savemat(folder / f"{name}.mat", {name: value})
    return folder


def test_mat_loader_reads_the_official_layout(tmp_path):
    folder = write_dscmr_folder(tmp_path / "feats", label_offset=1)
    pair = load_dscmr_folder(folder)
    assert pair.train_a.shape == (80, 12) and pair.train_b.shape == (80, 8) and pair.test_a.shape == (32, 12)
    assert pair.num_classes == 4 and pair.train_labels.min() == 0  # classes 1…4 become 0…3
    assert np.bincount(pair.train_labels).tolist() == [20] * 4
    np.testing.assert_array_equal(pair.train_a, scipy.io.loadmat(folder / "train_img.mat")["train_img"])
    splits = load_dataset("dscmr_mat", path=str(folder))
    assert splits.input_shape == (20,) and len(splits.train) == 80 and len(splits.test) == 32
    x, y = splits.train[0]
    assert x.shape == (20,) and int(y) == 0


def test_mat_loader_reads_hdf5_v73_files(tmp_path):
    import h5py

    folder = write_dscmr_folder(tmp_path / "feats")
    expected = scipy.io.loadmat(folder / "test_txt.mat")["test_txt"]
    (folder / "test_txt.mat").unlink()
    with h5py.File(folder / "test_txt.mat", "w") as fh:
        fh["test_txt"] = expected.T  # MATLAB writes column-major: readers see the axes reversed
    np.testing.assert_array_equal(load_dscmr_folder(folder).test_b, expected)


@pytest.mark.parametrize("breakage, message", [
    ("missing_file", "train_txt.mat is missing"),
    ("wrong_variable", "no variable 'test_img'"),
    ("count_mismatch", "test_txt.mat: 31 items"),
    ("dims_mismatch", "train and test features differ"),
    ("multi_label", "not one class per item"),
])
def test_mat_loader_names_the_file_and_variable_on_bad_input(tmp_path, breakage, message):
    folder = write_dscmr_folder(tmp_path / "feats")
    if breakage == "missing_file":
        (folder / "train_txt.mat").unlink()
    elif breakage == "wrong_variable":
        scipy.io.savemat(folder / "test_img.mat", {"features": np.zeros((32, 12), np.float32)})
    elif breakage == "count_mismatch":
        scipy.io.savemat(folder / "test_txt.mat", {"test_txt": np.zeros((31, 8), np.float32)})
    elif breakage == "dims_mismatch":
        scipy.io.savemat(folder / "test_img.mat", {"test_img": np.zeros((32, 5), np.float32)})
    else:
        scipy.io.savemat(folder / "train_img_lab.mat", {"train_img_lab": np.ones((80, 3), np.int64)})
    with pytest.raises(DataError, match=message):
        load_dscmr_folder(folder)


# sha256 of the shared files, as listed in ../shared/data/SOURCES.md.
PASCAL_SHA256 = {
    "test_img.mat": "65a6008374feacfad62347ff07b90b1ce628332db44e8c928b82b7236fe0e82b",
    "test_img_lab.mat": "2116271d3193bc3cb8675d73112e1fcb0fc1b1f2ea5cccb7b7eaf2b02eb06455",
    "test_txt.mat": "7d20757d936986c016da1593ec52124c5c7aa07b429ff73ddf8592758af3a9ba",
    "train_img_lab.mat": "27fe81efae97ccb33358a72792432c8919e0c25e07504cba82dc11d87dbe14a8",
    "train_txt.mat": "208df4f70a880818f8b978a8edf21dd741c5ab6f19f5b7280782ee8d515398fc",
}


def test_the_authors_pascal_sentence_files_load_once_train_img_is_added(shared_data, tmp_path):
    source = shared_data / "dscmr_pascal_sentence"
    folder = tmp_path / "pascal"
    folder.mkdir()
    for name, digest in PASCAL_SHA256.items():
        assert hashlib.sha256((source / name).read_bytes()).hexdigest() == digest, name
        shutil.copy(source / name, folder / name)
    with pytest.raises(DataError, match="train_img.mat is missing"):
        load_dscmr_folder(folder)
    # The shared copy lacks train_img.mat (800 × 4096): write one in the same layout.
    train = np.random.default_rng(0).random((800, 4096), dtype=np.float32)
    scipy.io.savemat(folder / "train_img.mat", {"train_img": train})
    splits = load_dataset("pascal_sentence", path=str(folder))
    pair = splits.info["pair"]
    assert splits.name == "pascal_sentence" and splits.num_classes == 20
    assert pair.dims == (4096, 300) and len(pair.train_labels) == 800 and len(pair.test_labels) == 100
    assert np.bincount(pair.train_labels).tolist() == [40] * 20


def test_named_dataset_without_files_says_where_to_put_them():
    with pytest.raises(DataError, match="nus_wide_10k"):
        load_dataset("nus_wide_10k")


def test_indian_pines_views_build_with_the_right_shapes_and_class_counts():
    from engines.hyperspectral import load_scene

    splits = load_dataset("indian_pines_views", seed=0, test_max=0)
    pair = splits.info["pair"]
    assert splits.num_classes == 16 and pair.modalities == ("spectrum", "patch")
    assert pair.dims == (200, 10 * 7 * 7) and splits.input_shape == (690,)
    counts = np.bincount(np.concatenate([pair.train_labels, pair.test_labels]), minlength=16)
    # The reference class counts of Indian Pines (REFERENCE.md), recomputed from the scene's ground truth.
    gt = load_scene("indian_pines").gt
    assert counts.tolist() == np.bincount(gt[gt > 0] - 1, minlength=16).tolist()
    assert counts.sum() == 10249 and counts[0] == 46 and counts[10] == 2455
    train_counts = np.bincount(pair.train_labels, minlength=16)
    np.testing.assert_allclose(train_counts / counts, 0.2, atol=0.03)  # stratified
    # View A shows each test pixel's raw spectrum; the features are standardised with the training pixels.
    rows, cols = pair.info["test_pixels"].T
    np.testing.assert_array_equal(pair.display_a, load_scene("indian_pines").cube[rows, cols])
    np.testing.assert_allclose(pair.train_a.mean(axis=0), 0, atol=1e-4)
    assert pair.display_b.shape == (len(pair.test_labels), 7, 7)
    small = load_dataset("indian_pines_views", seed=0, test_max=300, window=5, components=4)
    assert small.info["pair"].dims == (200, 100) and len(small.test) == 300
    assert "Indian Pines" in small.info["description"]


def _write_images(folder: Path, count_per_class=4) -> Path:
    from PIL import Image

    rng = np.random.default_rng(0)
    lines = ["image\tcaption"]
    for cls, colour in (("red", (200, 20, 20)), ("blue", (20, 20, 200))):
        (folder / cls).mkdir(parents=True, exist_ok=True)
        for i in range(count_per_class):
            pixels = np.clip(np.array(colour) + rng.integers(-20, 20, (16, 16, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / cls / f"{i}.png")
            lines.append(f"{cls}/{i}.png\ta {cls} square number {i}")
    (folder / "captions.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_images_and_captions_give_backbone_and_tfidf_features(tmp_path):
    import torch
    import torchvision

    folder = _write_images(tmp_path / "images")
    weights = tmp_path / "mobilenet.pth"
    torch.save(torchvision.models.mobilenet_v3_small(weights=None).state_dict(), weights)
    splits = load_dataset("image_text", path=str(folder), weights=str(weights), backbone="mobilenet_v3_small",
                          image_size=32, test_ratio=0.5)
    pair = splits.info["pair"]
    assert pair.class_names == ["blue", "red"] and pair.kinds == ("image", "text")
    assert pair.dims[0] == 576 and len(pair.train_labels) == 4 and len(pair.test_labels) == 4
    assert all(Path(p).is_file() for p in pair.display_a) and "square" in pair.display_b[0]
    assert "mobilenet_v3_small" in pair.description and "TF-IDF" in pair.description
    with pytest.raises(DataError, match="resnet18"):
        load_dataset("image_text", path=str(folder), weights=str(weights))  # weights of another backbone
    with pytest.raises(DataError, match="nothing is downloaded"):
        load_dataset("image_text", path=str(folder))
