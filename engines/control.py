"""Cooperative stop / pause token checked by task loops between batches."""
from __future__ import annotations

import threading


class RunControl:
    """Thread-safe switches a controller flips and a training loop polls.

    The loop calls :meth:`should_stop` and :meth:`wait_while_paused` between
    batches; nothing is ever interrupted mid-step, so model, optimizer and
    scheduler state stay consistent and a checkpoint taken afterwards is valid.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.discard = False

    def request_stop(self, *, discard: bool = False) -> None:
        self.discard = self.discard or discard
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
