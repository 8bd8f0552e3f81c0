"""Facts about tasks the window needs before torch is imported (keeps first paint fast)."""
from __future__ import annotations

# Mirrors engines.core.tasks.TaskSpec.primary_metric; a test keeps the two in step.
PRIMARY_METRICS = {"classify": ("test_accuracy", True)}
PRIMARY_METRICS["denoise"] = ("val_psnr", True)
PRIMARY_METRICS["hsi"] = ("overall_accuracy", True)
PRIMARY_METRICS["retrieval"] = ("map_average", True)


def primary_metric_name(task: str) -> str:
    return PRIMARY_METRICS.get(task, ("", True))[0]


def higher_is_better(task: str) -> bool:
    return PRIMARY_METRICS.get(task, ("", True))[1]
