"""The labs' application side (Qt-free): one package per lab. The one place that lists them.

A lab package's ``__init__`` declares its :class:`~workbench.lab_info.LabInfo` and imports nothing heavy.
"""
from __future__ import annotations

from workbench.lab_info import LabInfo
from workbench.labs import classify, denoise, hsi, retrieval

LABS: tuple[LabInfo, ...] = (classify.LAB, denoise.LAB, hsi.LAB, retrieval.LAB)


def lab_for_task(task: str) -> LabInfo | None:
    return next((lab for lab in LABS if lab.task == task), None)
