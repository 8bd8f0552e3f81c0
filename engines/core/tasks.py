"""Task registry: a task is a config dataclass plus a ``fit`` event generator.

Which models and datasets belong to a task is declared where they register (``register_model(name,
tasks=...)``, ``register_dataset(name, tasks=...)``); a :class:`TaskSpec` asks those registries.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from engines.core.events import Event
from engines.core.registry import Registry


@dataclass(frozen=True)
class TaskSpec:
    name: str
    title: str
    config_cls: type
    fit: Callable[..., Iterator[Event]]
    primary_metric: str
    higher_is_better: bool = True

    def model_names(self) -> list[str]:
        """The registered models of this task, sorted."""
        from engines.core.models import model_names

        return model_names(task=self.name)

    def dataset_names(self) -> list[str]:
        """The registered datasets of this task, sorted."""
        from engines.core.data import dataset_names  # here, not at the top: it imports torch

        return dataset_names(task=self.name)


TASKS: Registry[TaskSpec] = Registry("task", provider="engines.labs")


def register_task(spec: TaskSpec) -> TaskSpec:
    TASKS.add(spec.name, spec)
    return spec


def get_task(name: str) -> TaskSpec:
    return TASKS.get(name)


def task_names() -> list[str]:
    return TASKS.names()


def make_config(task: str, **values: Any):
    return get_task(task).config_cls(**values)
