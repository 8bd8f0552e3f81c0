"""Dataset registry. A dataset builder returns a :class:`DatasetSplits`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from torch.utils.data import Dataset

from engines.core.registry import Registry


class DataError(ValueError):
    """A dataset cannot be loaded; the message names the file or folder and what was expected."""


@dataclass
class DatasetSplits:
    name: str
    train: Dataset
    test: Dataset
    num_classes: int
    input_shape: tuple[int, ...]
    class_names: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


DATASETS: Registry[Callable[..., DatasetSplits]] = Registry("dataset", provider="engines.labs")
register_dataset = DATASETS.register


def load_dataset(name: str, **options: Any) -> DatasetSplits:
    return DATASETS.get(name)(**options)


def dataset_names() -> list[str]:
    return DATASETS.names()
