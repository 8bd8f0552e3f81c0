"""CIFAR-10 from the official python batches, read without running code from the files.

The folder layout is the one ``torchvision.datasets.CIFAR10`` uses
(``<root>/cifar-10-batches-py/data_batch_1 … data_batch_5, test_batch, batches.meta``),
and a missing folder is fetched with torchvision's downloader (progress bar, MD5 check).
Reading is our own: torchvision unpickles the batches with plain ``pickle.load``, which
would execute whatever a tampered file asks for, so the batches go through
:class:`BatchUnpickler`, which resolves only the handful of globals a numpy array needs.

Training images are augmented (random crop 32 with padding 4, horizontal flip) in
``__getitem__`` with torchvision transforms, which draw from torch's global RNG: with the
loader's default ``num_workers=0`` that RNG is the one checkpoints capture, so a resumed run
sees exactly the augmentations the uninterrupted run would have.
"""
from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from engines.core.data import DataError, DatasetSplits, register_dataset

URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE = "cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILES = ("test_batch",)
META_FILE = "batches.meta"
CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
# kuangliu/pytorch-cifar's normalisation (REFERENCE.md).
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)


class BatchUnpickler(pickle.Unpickler):
    """Unpickles a CIFAR batch (a dict of lists, strings and one uint8 array) and nothing else.

    ``find_class`` is the only way a pickle reaches code; it allows the numpy array
    reconstruction functions (old ``numpy.core`` and numpy 2's ``numpy._core`` spellings)
    and ``_codecs.encode``, which Python writes for ``bytes`` in protocol-2 pickles.
    Any other global (``os.system``, ``builtins.eval`` …) is refused.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch")


# A real batch is 31 MB (10,000 images of 3,072 bytes); anything far larger is not one.
MAX_BATCH_BYTES = 256 << 20


def read_batch(path: Path) -> dict:
    from engines.core.checkpoint import file_problem

    problem = file_problem(path)  # stat only: a FIFO named data_batch_1 would block a read forever
    if problem == "no such file":
        raise DataError(f"CIFAR-10 batch file missing: {path}")
    if problem is not None:
        raise DataError(f"CIFAR-10 batch file {path}: {problem}")
    try:
        if path.stat().st_size > MAX_BATCH_BYTES:
            raise DataError(f"CIFAR-10 batch file {path} is {path.stat().st_size:,} bytes, far larger than a "
                            f"batch (about 31 MB); it is not a CIFAR batch")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"CIFAR-10 batch file missing: {path}") from None
    except OSError as exc:
        raise DataError(f"cannot read CIFAR-10 batch file {path}: {exc.strerror or exc}") from None
    if not raw:
        raise DataError(f"CIFAR-10 batch file {path} is empty (0 bytes)")
    try:
        # latin1 as in the official loading code: the batches were written by Python 2.
        batch = BatchUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as exc:  # truncated, corrupt or hostile: all end as the same clear message
        raise DataError(f"CIFAR-10 batch file {path} is damaged or not a CIFAR batch ({exc})") from None
    if not isinstance(batch, dict):
        raise DataError(f"CIFAR-10 batch file {path} does not hold a batch dictionary")
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}


def _images_and_labels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    batch = read_batch(path)
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or labels is None:
        raise DataError(f"CIFAR-10 batch file {path} lacks 'data' (N×3072 uint8) or 'labels'")
    labels = np.asarray(labels, dtype=np.int64)
    if len(labels) != len(data) or (len(labels) and (labels.min() < 0 or labels.max() > 9)):
        raise DataError(f"CIFAR-10 batch file {path}: {len(labels)} labels in 0…9 expected for {len(data)} images")
    return data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32), labels


def _class_names(folder: Path) -> list[str]:
    path = folder / META_FILE
    if not path.exists():
        return list(CLASS_NAMES)
    names = read_batch(path).get("label_names")
    if not isinstance(names, list) or len(names) != 10:
        raise DataError(f"{path} lacks the 10 'label_names'")
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def default_root() -> Path:
    """The folder ``root=""`` reads: ``$WORKBENCH_DATA_DIR``, else the current directory's ``data``.

    Engines never read the workbench settings (they never import ``workbench``): the workbench
    passes its data folder as ``root`` (``workbench.runner.with_data_folder``).
    """
    if os.environ.get("WORKBENCH_DATA_DIR"):
        return Path(os.environ["WORKBENCH_DATA_DIR"]).expanduser()
    return Path("data")


def _missing(folder: Path) -> list[str]:
    return [name for name in (*TRAIN_FILES, *TEST_FILES) if not (folder / name).exists()]


def ensure_downloaded(root: Path, *, download: bool) -> Path:
    folder = root / FOLDER
    missing = _missing(folder)
    if not missing:
        return folder
    expected = ", ".join((*TRAIN_FILES, *TEST_FILES, META_FILE))
    how = (f"download {URL} and extract it into {root}, or set the data folder in Settings")
    if folder.exists() and len(missing) < len(TRAIN_FILES) + len(TEST_FILES):
        # A partial folder is a damaged copy, not a fresh start: name the file rather than fetching again.
        raise DataError(f"CIFAR-10 batch file missing: {folder / missing[0]} (expected in {folder}: {expected})")
    if not download:
        raise DataError(f"CIFAR-10 not found in {folder} (expected files: {expected}); {how}")
    from torchvision.datasets.utils import download_and_extract_archive

    try:
        root.mkdir(parents=True, exist_ok=True)
        download_and_extract_archive(URL, download_root=str(root), filename=ARCHIVE, md5=ARCHIVE_MD5)
    except Exception as exc:  # offline, refused, disk full, bad checksum
        raise DataError(f"CIFAR-10 not found in {folder} and the download failed ({exc}); "
                        f"expected files: {expected}; {how}") from None
    missing = _missing(folder)
    if missing:
        raise DataError(f"CIFAR-10 batch file missing after download: {folder / missing[0]}")
    return folder


class CIFAR10Split(Dataset):
    """uint8 images kept compact in memory; float conversion, normalisation and augmentation per item."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, *, augment: bool) -> None:
        from torchvision.transforms import v2

        self.images = torch.from_numpy(np.ascontiguousarray(images))
        self.labels = torch.from_numpy(labels)
        steps = [v2.RandomCrop(32, padding=4), v2.RandomHorizontalFlip()] if augment else []
        self.transform = v2.Compose([*steps, v2.ToDtype(torch.float32, scale=True), v2.Normalize(MEAN, STD)])

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        return self.transform(self.images[index]), self.labels[index]

    def raw_image(self, index: int) -> np.ndarray:
        """The unaugmented image as H×W×3 uint8, for display."""
        return self.images[index].permute(1, 2, 0).numpy()


def denormalize(images: torch.Tensor) -> torch.Tensor:
    """Undo :data:`MEAN`/:data:`STD` normalisation (for showing inputs)."""
    mean = torch.tensor(MEAN).view(-1, 1, 1)
    std = torch.tensor(STD).view(-1, 1, 1)
    return images * std + mean


@register_dataset("cifar10", tasks=("classify",))
def load_cifar10(*, seed: int = 0, root: str = "", download: bool = True, augment: bool = True,
                 max_train: int = 0, max_test: int = 0) -> DatasetSplits:
    """CIFAR-10 (50,000 train / 10,000 test, 32×32×3, 10 classes).

    ``root`` is the data folder (the workbench fills in the one in Settings; empty:
    :func:`default_root`); ``max_train`` / ``max_test``
    keep only the first N images of each split (0 = all) for quick experiments.
    ``seed`` is accepted for a uniform dataset interface: the official split is fixed.
    """
    for name, value in (("max_train", max_train), ("max_test", max_test)):
        if not isinstance(value, int) or value < 0:
            raise DataError(f"{name} must be an integer ≥ 0, got {value!r}")
    base = Path(root).expanduser() if root else default_root()
    folder = ensure_downloaded(base, download=download)
    train = [_images_and_labels(folder / name) for name in TRAIN_FILES]
    test = [_images_and_labels(folder / name) for name in TEST_FILES]
    x_train, y_train = np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train])
    x_test, y_test = np.concatenate([x for x, _ in test]), np.concatenate([y for _, y in test])
    if max_train:
        x_train, y_train = x_train[:max_train], y_train[:max_train]
    if max_test:
        x_test, y_test = x_test[:max_test], y_test[:max_test]
    return DatasetSplits(
        name="cifar10",
        train=CIFAR10Split(x_train, y_train, augment=augment),
        test=CIFAR10Split(x_test, y_test, augment=False),
        num_classes=10,
        input_shape=(3, 32, 32),
        class_names=_class_names(folder),
        info={"source": URL, "folder": str(folder), "train": len(y_train), "test": len(y_test),
              "mean": MEAN, "std": STD},
    )
