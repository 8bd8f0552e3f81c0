"""Cooperative stop / pause token checked by task loops between batches."""
from __future__ import annotations

import threading


class RunControl:
    """Thread-safe switches a controller flips and a training loop polls.

    The loop calls :meth:`should_stop` and :meth:`wait_while_paused` between
    batches; nothing is ever interrupted mid-step, so model, optimizer and
    scheduler state stay consistent and a checkpoint taken afterwards is valid.
    """

    def __init__(self, *, events: tuple | None = None) -> None:
        """``events``: (stop, running, discard) objects with the ``threading.Event`` API — e.g.
        ``multiprocessing`` events shared with a training process; by default private thread events."""
        if events is None:
            events = (threading.Event(), threading.Event(), threading.Event())
            events[1].set()
        self._stop, self._running, self._discard = events

    @property
    def events(self) -> tuple:
        return self._stop, self._running, self._discard

    @property
    def discard(self) -> bool:
        return self._discard.is_set()

    def request_stop(self, *, discard: bool = False) -> None:
        if discard:
            self._discard.set()
        self._stop.set()
        self._running.set()  # wake a paused loop so it can see the stop

    def pause(self) -> None:
        if not self._stop.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block while paused; returns True once running (or stopping)."""
        return self._running.wait(timeout)
