"""Published reference numbers shipped in ``assets/reference_results.json``."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from workbench.paths import assets_dir


@lru_cache(maxsize=1)
def reference_results() -> list[dict[str, Any]]:
    text = (assets_dir() / "reference_results.json").read_text(encoding="utf-8")
    return list(json.loads(text)["entries"])


def published(model: str, dataset: str, metric: str | None = None) -> list[dict[str, Any]]:
    return [e for e in reference_results()
            if e["model"] == model and e["dataset"] == dataset and (metric is None or e["metric"] == metric)]
