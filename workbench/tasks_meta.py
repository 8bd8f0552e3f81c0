"""Facts about tasks the window needs before torch is imported (keeps first paint fast).

They come from each lab's :class:`~workbench.lab_info.LabInfo` (:data:`workbench.labs.LABS`).
"""
from __future__ import annotations

from workbench.labs import LABS

# task → (primary metric, higher is better); mirrors engines.core.tasks.TaskSpec, a test keeps the two in step.
PRIMARY_METRICS = {lab.task: (lab.primary_metric, lab.higher_is_better) for lab in LABS}


def primary_metric_name(task: str) -> str:
    return PRIMARY_METRICS.get(task, ("", True))[0]


def higher_is_better(task: str) -> bool:
    return PRIMARY_METRICS.get(task, ("", True))[1]
