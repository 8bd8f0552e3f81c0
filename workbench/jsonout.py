"""Strict JSON for every ``--json`` line: no ``NaN`` or ``Infinity`` tokens, which JSON does not have.

A non-finite float becomes ``null``; where a reader needs to know why, the command adds a
``"<key>_note"`` beside it (e.g. the PSNR of an image with no noise is unbounded).
"""
from __future__ import annotations

import json
import math
from typing import Any


def strict(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``None`` (dicts, lists and tuples walked)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` that always parses with a strict parser (``allow_nan=False`` after :func:`strict`)."""
    return json.dumps(strict(value), allow_nan=False, **kwargs)
