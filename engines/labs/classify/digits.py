"""scikit-learn's bundled 8×8 handwritten digits, upscaled to 32×32×3.

Works offline (the data ships inside scikit-learn), so it is the default
classification dataset and the one the test-suite trains on.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import TensorDataset

from engines.core.data import DatasetSplits, register_dataset


def _to_images(flat: np.ndarray, size: int) -> torch.Tensor:
    x = torch.from_numpy(flat.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    # Centre on the pixel mean so the network sees zero-mean inputs.
    x = (x - 0.3) / 0.4
    return x.expand(-1, 3, -1, -1).contiguous()


@register_dataset("digits", tasks=("classify",))
def load_digits_dataset(*, seed: int = 0, test_fraction: float = 0.2, size: int = 32) -> DatasetSplits:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    # Imported here: sklearn.datasets costs seconds, and registering the dataset must stay cheap.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    idx_train, idx_test = train_test_split(
        np.arange(len(bunch.target)),
        test_size=test_fraction,
        stratify=bunch.target,
        random_state=seed,
    )
    images = _to_images(bunch.data, size)
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    return DatasetSplits(
        name="digits",
        train=TensorDataset(images[idx_train], labels[idx_train]),
        test=TensorDataset(images[idx_test], labels[idx_test]),
        num_classes=10,
        input_shape=(3, size, size),
        class_names=[str(i) for i in range(10)],
        info={"source": "sklearn.datasets.load_digits", "train": len(idx_train), "test": len(idx_test)},
    )
