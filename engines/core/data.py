"""Dataset registry: name → :class:`DatasetSpec` (a loader returning :class:`DatasetSplits`, its tasks)."""
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


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    loader: Callable[..., DatasetSplits]
    tasks: tuple[str, ...]


DATASETS: Registry[DatasetSpec] = Registry("dataset", provider="engines.labs")


def register_dataset(name: str, *, tasks: tuple[str, ...]) -> Callable[[Callable[..., DatasetSplits]],
                                                                        Callable[..., DatasetSplits]]:
    """Decorator: register ``loader`` as ``name`` for ``tasks``; the loader itself is returned unchanged."""
    if isinstance(tasks, str) or not tasks:
        raise ValueError(f"dataset {name!r}: tasks must be a non-empty tuple of task names, got {tasks!r}")

    def decorator(loader: Callable[..., DatasetSplits]) -> Callable[..., DatasetSplits]:
        DATASETS.add(name, DatasetSpec(name, loader, tuple(tasks)))
        return loader

    return decorator


def dataset_spec(name: str) -> DatasetSpec:
    return DATASETS.get(name)


def load_dataset(name: str, **options: Any) -> DatasetSplits:
    return DATASETS.get(name).loader(**options)


def dataset_names(task: str | None = None) -> list[str]:
    """Registered dataset names, sorted; only those of ``task`` when given."""
    return [name for name, spec in DATASETS.items() if task is None or task in spec.tasks]
