"""Paired two-modality features for cross-modal retrieval (DSCMR).

Every dataset here yields, for a train and a test split, one feature vector per item and modality (A and
B, paired row by row) and one class per pair, so the retrieval method never sees a backbone:

- ``indian_pines_views`` (offline, the default): a two-view retrieval benchmark built from the real Indian
  Pines scene that the package ``tensorly`` ships. Each labelled pixel is one pair: view A is the pixel's
  spectrum (200 bands, standardised with the training pixels' mean and deviation), view B the spatial
  neighbourhood around it — a ``window × window`` patch of the scene reduced to ``components`` whitened PCA
  components (PCA fitted on the training pixels). Querying with a spectrum retrieves patches and the other
  way round; 16 classes; a seeded stratified split (``train_ratio``), and a stratified, seeded subset of
  the test pixels (``test_max``) as the query/database set so that ranking stays quick.
- ``dscmr_mat`` (``data.path=FOLDER``) and the named ``pascal_sentence``, ``wikipedia``, ``nus_wide_10k``,
  ``xmedianet`` (``data.path`` or ``$WORKBENCH_HOME/data/<name>/``): the feature files of the authors'
  repository — ``train_img.mat``, ``train_txt.mat``, ``train_img_lab.mat``, ``test_img.mat``,
  ``test_txt.mat``, ``test_img_lab.mat``, each holding one variable named like the file (features
  ``(items, dims)``, labels ``(items, 1)``); images are modality A, texts B, and the image labels serve
  both (as in the authors' code) unless ``*_txt_lab.mat`` files are present.
- ``image_text`` (``data.path=IMAGES``, ``data.captions=FILE``, ``data.weights=FILE``): the user's own
  images and captions. Image features come from a torchvision backbone whose weights are read from a
  local file (nothing is downloaded), text features from a TF-IDF bag of words (scikit-learn).

Each builder's result carries a :class:`PairedFeatures` in ``info["pair"]`` with what the retrieval
browser shows for an item (a spectrum, a patch, an image file, a caption) and a one-line description of
the features in use.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import TensorDataset

from engines.core.data import DataError, DatasetSplits, register_dataset

DSCMR_FILES = ("train_img", "train_txt", "train_img_lab", "test_img", "test_txt", "test_img_lab")
DSCMR_DATASETS = {
    "pascal_sentence": "Pascal Sentence (VGG-19 fc7 images, sentence-CNN texts; 800/100 pairs, 20 classes)",
    "wikipedia": "Wikipedia (2,173/462 pairs, 10 classes)",
    "nus_wide_10k": "NUS-WIDE-10k (8,000/1,000 pairs, 10 classes)",
    "xmedianet": "XMediaNet (32,000/4,000 pairs, 200 classes)",
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
BACKBONES = ("resnet18", "resnet50", "vgg19", "mobilenet_v3_small")


@dataclass
class PairedFeatures:
    """Train and test features of two modalities, paired by row, with one class per pair."""

    name: str
    train_a: np.ndarray
    train_b: np.ndarray
    train_labels: np.ndarray
    test_a: np.ndarray
    test_b: np.ndarray
    test_labels: np.ndarray
    class_names: list[str]
    modalities: tuple[str, str] = ("image", "text")
    # How the browser shows a test item of each modality: "spectrum", "patch", "image", "text" or "vector".
    kinds: tuple[str, str] = ("vector", "vector")
    description: str = ""
    # Per test item, what the browser shows: raw spectra, patches, image paths, captions (None: the feature).
    display_a: Any = None
    display_b: Any = None
    wavelengths: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def dims(self) -> tuple[int, int]:
        return int(self.train_a.shape[1]), int(self.train_b.shape[1])

    def check(self) -> "PairedFeatures":
        for split, (a, b, y) in {"train": (self.train_a, self.train_b, self.train_labels),
                                 "test": (self.test_a, self.test_b, self.test_labels)}.items():
            if a.ndim != 2 or b.ndim != 2:
                raise DataError(f"{self.name}: {split} features must be 2-D (items × dims), got "
                                f"{tuple(a.shape)} and {tuple(b.shape)}")
            if not len(a) == len(b) == len(y):
                raise DataError(f"{self.name}: the {split} split pairs {len(a)} {self.modalities[0]} items with "
                                f"{len(b)} {self.modalities[1]} items and {len(y)} labels; the counts must match")
            if len(a) == 0:
                raise DataError(f"{self.name}: the {split} split is empty")
        if self.train_a.shape[1] != self.test_a.shape[1] or self.train_b.shape[1] != self.test_b.shape[1]:
            raise DataError(f"{self.name}: train and test features differ in size: {self.modalities[0]} "
                            f"{self.train_a.shape[1]} vs {self.test_a.shape[1]}, {self.modalities[1]} "
                            f"{self.train_b.shape[1]} vs {self.test_b.shape[1]}")
        for name, arr in (("train", self.train_a), ("train", self.train_b), ("test", self.test_a),
                          ("test", self.test_b)):
            if not np.isfinite(arr).all():
                raise DataError(f"{self.name}: the {name} features contain NaN or infinite values")
        return self

    def splits(self) -> DatasetSplits:
        """Datasets of ``(a ‖ b, label)`` rows: the model takes both modalities concatenated."""
        def paired(a, b, y):
            x = torch.from_numpy(np.ascontiguousarray(np.concatenate([a, b], axis=1), dtype=np.float32))
            return TensorDataset(x, torch.as_tensor(np.asarray(y, dtype=np.int64)))

        dim_a, dim_b = self.dims
        return DatasetSplits(
            name=self.name, train=paired(self.train_a, self.train_b, self.train_labels),
            test=paired(self.test_a, self.test_b, self.test_labels), num_classes=self.num_classes,
            input_shape=(dim_a + dim_b,), class_names=list(self.class_names),
            info={"pair": self, "dim_a": dim_a, "dim_b": dim_b, "train": len(self.train_labels),
                  "test": len(self.test_labels), "description": self.description},
        )


def _relabel(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Classes as 0 … C−1 in the order of their original values (which may start at 0 or 1)."""
    values = np.unique(np.concatenate([train, test]))
    lookup = {int(v): i for i, v in enumerate(values)}
    as_index = np.vectorize(lambda v: lookup[int(v)], otypes=[np.int64])
    return as_index(train), as_index(test), [f"class {int(v)}" for v in values]


# -- the authors' .mat feature files ------------------------------------------------------------------------
def _read_variable(folder: Path, stem: str) -> np.ndarray:
    from engines.hyperspectral import read_mat

    path = folder / f"{stem}.mat"
    if not path.is_file():
        raise DataError(f"{path} is missing: a DSCMR feature folder holds {', '.join(f + '.mat' for f in DSCMR_FILES)}")
    variables = read_mat(path)
    if stem not in variables:
        found = ", ".join(f"{k} {tuple(v.shape)}" for k, v in variables.items()) or "none"
        raise DataError(f"{path} has no variable {stem!r} (the authors' layout names it like the file); "
                        f"variables found: {found}")
    return np.asarray(variables[stem])


def _labels(array: np.ndarray, path: str) -> np.ndarray:
    """(n, 1) or (n,) class numbers, or one-hot rows (n, C)."""
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    elif array.ndim == 2 and array.shape[1] > 1:
        if not (np.isin(array, (0, 1)).all() and (array.sum(axis=1) == 1).all()):
            raise DataError(f"{path}: labels of shape {tuple(array.shape)} are not one class per item "
                            "(expected (items, 1) class numbers or one-hot rows; multi-label data is not supported)")
        array = array.argmax(axis=1)
    if array.ndim != 1:
        raise DataError(f"{path}: labels must be (items, 1), got shape {tuple(array.shape)}")
    if array.dtype.kind == "f" and not np.all(np.mod(array, 1) == 0):
        raise DataError(f"{path}: labels must be whole class numbers")
    return array.astype(np.int64)


def _features(array: np.ndarray, count: int, path: str) -> np.ndarray:
    if array.ndim != 2 or array.dtype.kind not in "iuf":
        raise DataError(f"{path}: features must be a 2-D numeric array (items × dims), got shape "
                        f"{tuple(array.shape)} {array.dtype}")
    if array.shape[0] != count and array.shape[1] == count:
        array = array.T  # an HDF5 file written without MATLAB's column-major convention
    if array.shape[0] != count:
        raise DataError(f"{path}: {array.shape[0]} items of features but {count} labels; the counts must match")
    array = np.ascontiguousarray(array, dtype=np.float32)
    bad = int(array.size - np.count_nonzero(np.isfinite(array)))
    if bad:
        raise DataError(f"{path}: the features hold {bad:,} non-finite values (NaN or ±inf) of {array.size:,}")
    return array


def load_dscmr_folder(folder: str | os.PathLike, *, name: str | None = None) -> PairedFeatures:
    """Features in the layout of the DSCMR repository (``data/<dataset>/*.mat``)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"folder not found: {folder} (a DSCMR feature folder holds "
                        f"{', '.join(f + '.mat' for f in DSCMR_FILES)})")
    split: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for part in ("train", "test"):
        lab_path = folder / f"{part}_img_lab.mat"
        labels = _labels(_read_variable(folder, f"{part}_img_lab"), str(lab_path))
        img = _features(_read_variable(folder, f"{part}_img"), len(labels), str(folder / f"{part}_img.mat"))
        txt = _features(_read_variable(folder, f"{part}_txt"), len(labels), str(folder / f"{part}_txt.mat"))
        txt_lab_path = folder / f"{part}_txt_lab.mat"
        if txt_lab_path.is_file():
            txt_labels = _labels(_read_variable(folder, f"{part}_txt_lab"), str(txt_lab_path))
            if len(txt_labels) != len(labels) or not np.array_equal(txt_labels, labels):
                raise DataError(f"{txt_lab_path}: text labels differ from {lab_path}; DSCMR needs image–text "
                                "pairs that share their class")
        split[part] = (img, txt, labels)
    train_labels, test_labels, class_names = _relabel(split["train"][2], split["test"][2])
    pair = PairedFeatures(
        name=name or folder.name, train_a=split["train"][0], train_b=split["train"][1], train_labels=train_labels,
        test_a=split["test"][0], test_b=split["test"][1], test_labels=test_labels, class_names=class_names,
        modalities=("image", "text"), kinds=("vector", "vector"),
        description=(f"precomputed DSCMR features from {folder}: images {split['train'][0].shape[1]}-d, "
                     f"texts {split['train'][1].shape[1]}-d"),
        info={"source": str(folder)},
    )
    return pair.check()


def _mat_builder(dataset: str | None):
    def build(*, path: str | None = None, seed: int = 0, data_dir: str | None = None) -> DatasetSplits:
        if path:
            folder = Path(path)
        elif dataset is None:
            raise DataError("dataset dscmr_mat needs data.path=FOLDER holding the DSCMR feature files "
                            f"({', '.join(f + '.mat' for f in DSCMR_FILES)})")
        else:
            from engines.hyperspectral import default_data_dir

            folder = Path(data_dir) if data_dir else default_data_dir() / dataset
            if not folder.is_dir():
                raise DataError(f"{DSCMR_DATASETS[dataset]}: no features on this computer. Put the DSCMR "
                                f"repository's data/<dataset>/*.mat files in {folder} or pass data.path=FOLDER")
        return load_dscmr_folder(folder, name=dataset).splits()

    return build


register_dataset("dscmr_mat", tasks=("retrieval",))(_mat_builder(None))
for _name in DSCMR_DATASETS:
    register_dataset(_name, tasks=("retrieval",))(_mat_builder(_name))


# -- Indian Pines: spectrum view × spatial-patch view ---------------------------------------------------------
def indian_pines_views(*, seed: int = 0, train_ratio: float = 0.2, components: int = 10, window: int = 7,
                       test_max: int = 2000, crop=None) -> PairedFeatures:
    """Two views of each labelled Indian Pines pixel: its spectrum and the PCA patch around it."""
    # The shared pixel helpers, not the hsi lab's patches module: labs never import each other.
    from engines.hyperspectral import labelled_pixels, load_scene, reduce_bands, split_pixels, stratified_subset

    if window < 1 or window % 2 == 0:
        raise DataError(f"window must be an odd number of pixels (e.g. 7), got {window}")
    if test_max < 0:
        raise DataError(f"test_max must be ≥ 0 (0 = every test pixel), got {test_max}")
    scene = load_scene("indian_pines", crop=crop)
    pixels, labels = labelled_pixels(scene.gt)
    if len(pixels) == 0:
        raise DataError(f"the scene {scene.name} ({scene.shape[0]}×{scene.shape[1]}) has no labelled pixel")
    train, test = split_pixels(labels, train_ratio, seed)
    test = test[stratified_subset(labels[test], test_max, seed)]
    spectra = scene.cube[pixels[:, 0], pixels[:, 1]].astype(np.float64)
    mean = spectra[train].mean(axis=0)
    std = spectra[train].std(axis=0)
    standard = ((spectra - mean) / np.where(std > 0, std, 1.0)).astype(np.float32)
    reduced, kept = reduce_bands(scene.cube, components, fit_pixels=pixels[train], seed=seed)
    margin = window // 2
    padded = np.pad(reduced, ((margin, margin), (margin, margin), (0, 0)))
    offsets = np.arange(window)
    rows = (pixels[:, 0, None] + offsets)[:, :, None]
    cols = (pixels[:, 1, None] + offsets)[:, None, :]
    patches = padded[rows, cols]  # (n, window, window, components)
    patches = np.ascontiguousarray(patches.transpose(0, 3, 1, 2))  # (n, components, window, window)
    flat = patches.reshape(len(pixels), -1).astype(np.float32)
    # Classes that a crop leaves without pixels still keep their index, so names stay the scene's.
    pair = PairedFeatures(
        name="indian_pines_views", train_a=standard[train], train_b=flat[train], train_labels=labels[train],
        test_a=standard[test], test_b=flat[test], test_labels=labels[test], class_names=list(scene.class_names),
        modalities=("spectrum", "patch"), kinds=("spectrum", "patch"),
        description=(f"Indian Pines two-view benchmark (offline, tensorly): A = pixel spectrum ({scene.bands} "
                     f"bands, standardised), B = {window}×{window} patch of {components} PCA components "
                     f"({100 * kept:.1f} % of the variance); {len(train)} train / {len(test)} test pairs, "
                     f"{scene.num_classes} classes"),
        display_a=spectra[test].astype(np.float32), display_b=patches[test][:, 0],  # first PCA component
        wavelengths=scene.wavelengths,
        info={"source": scene.source, "train_pixels": pixels[train], "test_pixels": pixels[test],
              "explained_variance": kept, "components": components, "window": window},
    )
    return pair.check()


@register_dataset("indian_pines_views", tasks=("retrieval",))
def _indian_pines_views_splits(*, seed: int = 0, train_ratio: float = 0.2, components: int = 10, window: int = 7,
                               test_max: int = 2000, crop=None) -> DatasetSplits:
    return indian_pines_views(seed=seed, train_ratio=train_ratio, components=components, window=window,
                              test_max=test_max, crop=crop).splits()


# -- the user's images and captions --------------------------------------------------------------------------
def read_captions(captions: str | os.PathLike, images: Path) -> list[tuple[Path, str, str]]:
    """``(image path, caption, class)`` rows of a captions file.

    The file is tab-separated (``.tsv``/``.txt``) or comma-separated (``.csv``) with a header naming the
    columns ``image`` (a path relative to the image folder), ``caption`` and optionally ``label``; without
    a label column the class is the image's sub-folder name.
    """
    path = Path(captions).expanduser()
    if not path.is_file():
        raise DataError(f"captions file not found: {path}")
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    try:
        return _read_caption_rows(path, images, delimiter)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (byte {exc.start}); save the captions as UTF-8") from None
    except csv.Error as exc:
        raise DataError(f"{path} is not a readable {'CSV' if delimiter == ',' else 'tab-separated'} file: "
                        f"{exc}") from None
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_caption_rows(path: Path, images: Path, delimiter: str) -> list[tuple[Path, str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        if "image" not in columns or "caption" not in columns:
            raise DataError(f"{path}: the header must name the columns image and caption (and optionally label), "
                            f"found {columns or 'no header'}")
        rows = []
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            image = images / row["image"]
            if not image.is_file():
                raise DataError(f"{path}, line {line}: image {image} not found")
            label = row.get("label") or (Path(row["image"]).parent.name if Path(row["image"]).parent.name else "")
            if not label:
                raise DataError(f"{path}, line {line}: no label column and the image is not in a class sub-folder")
            rows.append((image, row["caption"], label))
    if not rows:
        raise DataError(f"{path} lists no image")
    return rows


def _backbone(name: str, weights: Path) -> torch.nn.Module:
    """A torchvision model without its classifier, weights read from ``weights`` (never downloaded)."""
    import torchvision

    if name not in BACKBONES:
        raise DataError(f"unknown backbone {name!r}; valid choices: {', '.join(BACKBONES)}")
    from engines.core.checkpoint import CheckpointError, check_finite, read_torch_file

    model = getattr(torchvision.models, name)(weights=None)
    if not weights.exists() and not weights.is_symlink():
        raise DataError(f"backbone weights not found: {weights} (choose a local .pth file of torchvision's "
                        f"{name}; nothing is downloaded)")
    try:
        # weights_only, gzip under a cap, FIFOs refused: pickled code is named and never run
        state = read_torch_file(weights, what="backbone weights")
    except CheckpointError as exc:
        raise DataError(str(exc)) from None
    if isinstance(state, dict) and not any(isinstance(v, torch.Tensor) for v in state.values()):
        state = state.get("state_dict") or state.get("model") or state
    if not isinstance(state, dict):
        raise DataError(f"{weights} holds no state_dict of {name}")
    try:
        check_finite(state, weights)
    except CheckpointError as exc:
        raise DataError(str(exc)) from None
    state = {k.removeprefix("module."): v for k, v in state.items()}
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise DataError(f"{weights} does not hold torchvision {name} weights: {first}") from None
    if name.startswith("resnet"):
        model.fc = torch.nn.Identity()
    elif name == "vgg19":
        model.classifier = model.classifier[:5]  # up to fc7 + ReLU: the paper's 4096-d image features
    else:
        model.classifier = torch.nn.Identity()
    return model.eval()


def image_features(paths: list[Path], model: torch.nn.Module, *, image_size: int = 224,
                   batch_size: int = 32) -> np.ndarray:
    from PIL import Image
    from torchvision import transforms

    prepare = transforms.Compose([
        transforms.Resize(image_size), transforms.CenterCrop(image_size), transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),  # ImageNet statistics
    ])
    out = []
    with torch.inference_mode():
        for start in range(0, len(paths), batch_size):
            batch = []
            for path in paths[start:start + batch_size]:
                try:
                    with Image.open(path) as image:
                        batch.append(prepare(image.convert("RGB")))
                except Image.DecompressionBombError:
                    raise DataError(f"refusing the image {path}: its header claims more pixels than an "
                                    f"image of a data set has (possible decompression bomb)") from None
                except (OSError, ValueError, SyntaxError, MemoryError) as exc:  # PIL's errors for damaged files
                    raise DataError(f"cannot read the image {path}: {exc}") from None
            out.append(model(torch.stack(batch)).flatten(1).float().numpy())
    return np.concatenate(out)


def image_text_features(*, path: str | None = None, captions: str | None = None, weights: str | None = None,
                        backbone: str = "resnet18", seed: int = 0, test_ratio: float = 0.2, image_size: int = 224,
                        max_words: int = 2000) -> PairedFeatures:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import train_test_split

    if not path:
        raise DataError("dataset image_text needs data.path=IMAGE_FOLDER, data.captions=FILE and "
                        "data.weights=BACKBONE_WEIGHTS.pth")
    images = Path(path).expanduser()
    if not images.is_dir():
        raise DataError(f"image folder not found: {images}")
    if not weights:
        raise DataError(f"image features need backbone weights: pass data.weights=FILE (a local torchvision "
                        f"{backbone} state_dict; nothing is downloaded)")
    rows = read_captions(captions or images / "captions.tsv", images)
    names = sorted({label for _, _, label in rows})
    if len(names) < 2:
        raise DataError(f"the captions list {len(rows)} images of a single class ({names[0]}); retrieval needs two "
                        "or more")
    labels = np.array([names.index(label) for _, _, label in rows], dtype=np.int64)
    if not 0.0 < test_ratio < 1.0:
        raise DataError(f"test_ratio must be between 0 and 1, got {test_ratio}")
    try:
        train, test = train_test_split(np.arange(len(rows)), test_size=test_ratio, stratify=labels,
                                       random_state=seed)
    except ValueError as exc:
        raise DataError(f"cannot split {len(rows)} captioned images of {len(names)} classes: {exc}") from None
    train, test = np.sort(train), np.sort(test)
    model = _backbone(backbone, Path(weights).expanduser())
    feats = image_features([r[0] for r in rows], model, image_size=image_size)
    texts = [r[1] for r in rows]
    vectorizer = TfidfVectorizer(max_features=max_words)
    try:
        train_txt = vectorizer.fit_transform([texts[i] for i in train]).toarray().astype(np.float32)
    except ValueError as exc:
        raise DataError(f"cannot build text features from the captions: {exc}") from None
    test_txt = vectorizer.transform([texts[i] for i in test]).toarray().astype(np.float32)
    pair = PairedFeatures(
        name="image_text", train_a=feats[train], train_b=train_txt, train_labels=labels[train],
        test_a=feats[test], test_b=test_txt, test_labels=labels[test], class_names=names,
        modalities=("image", "text"), kinds=("image", "text"),
        description=(f"your images and captions: A = torchvision {backbone} features ({feats.shape[1]}-d, weights "
                     f"{weights}), B = TF-IDF bag of words (scikit-learn, {train_txt.shape[1]} words)"),
        display_a=[str(rows[i][0]) for i in test], display_b=[texts[i] for i in test],
        info={"source": str(images), "backbone": backbone, "weights": str(weights)},
    )
    return pair.check()


@register_dataset("image_text", tasks=("retrieval",))
def _image_text_splits(*, path: str | None = None, captions: str | None = None, weights: str | None = None,
                       backbone: str = "resnet18", seed: int = 0, test_ratio: float = 0.2, image_size: int = 224,
                       max_words: int = 2000) -> DatasetSplits:
    return image_text_features(path=path, captions=captions, weights=weights, backbone=backbone, seed=seed,
                               test_ratio=test_ratio, image_size=image_size, max_words=max_words).splits()
