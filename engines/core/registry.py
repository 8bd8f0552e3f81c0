"""Name → builder registries shared by models, datasets and tasks."""
from __future__ import annotations

import importlib
import inspect
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class UnknownName(KeyError):
    """A name that is not registered; ``str()`` names it and lists the choices."""

    def __init__(self, kind: str, name: str, choices: list[str]):
        self.kind, self.name, self.choices = kind, name, choices
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown {self.kind} {self.name!r}; valid choices: {', '.join(self.choices)}"


class Registry(Generic[T]):
    """Names → objects. ``provider`` names the module whose import registers the entries.

    The registry never imports its providers at module level (the core must not depend on the labs);
    the first lookup imports the provider by name, the way entry points are discovered, so callers
    need no import of their own to see every registered entry.
    """

    def __init__(self, kind: str, *, provider: str | None = None) -> None:
        self.kind = kind
        self.provider = provider
        self._items: dict[str, T] = {}
        self._loaded = provider is None

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            importlib.import_module(self.provider)

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self._items[name] = obj
            return obj

        return decorator

    def add(self, name: str, obj: T) -> None:
        self.register(name)(obj)

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            raise UnknownName(self.kind, name, self.names()) from None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return sorted(self._items.items())

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items


def keyword_options(builder: Callable) -> dict[str, inspect.Parameter]:
    """The keyword-only parameters a builder accepts (its tunable options)."""
    return {
        name: p
        for name, p in inspect.signature(builder).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
