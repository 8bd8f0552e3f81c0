"""Task registry: a task is a config dataclass plus a ``fit`` event generator."""
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
    models: Callable[[], list[str]] | None = None
    datasets: Callable[[], list[str]] | None = None


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
