"""Small shared helpers for tests."""
from __future__ import annotations

from typing import Iterable

from engines.events import Event, Failed, Finished


def final_event(events: Iterable[Event]) -> Event:
    last = None
    for last in events:
        pass
    assert isinstance(last, (Finished, Failed)), f"stream ended with {last!r}"
    return last


def tiny_config(**overrides):
    """A fast digits run: narrow model, few steps."""
    from engines.tasks import make_config

    values = dict(model="small_cnn", data="digits", epochs=2, batch_size=64, model_options={"width": 8},
                  data_options={"size": 16})
    values.update(overrides)
    return make_config("classify", **values)
