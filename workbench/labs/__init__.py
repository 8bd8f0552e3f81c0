"""The labs' application side (Qt-free): one package per lab, and the one list of them.

Each entry names its modules as strings, so listing the labs imports none of them (the window reads this at first
paint, before torch), and a lab's modules may import the application core without reaching the other labs.
"""
from __future__ import annotations

from workbench.lab_info import LabInfo

LABS: tuple[LabInfo, ...] = (
    LabInfo(task="classify", primary_metric="test_accuracy", cli="workbench.labs.classify.cli",
            bench="workbench.labs.classify.bench"),
    LabInfo(task="denoise", primary_metric="val_psnr", cli="workbench.labs.denoise.cli",
            bench="workbench.labs.denoise.bench", published="workbench.labs.denoise.published"),
    LabInfo(task="hsi", primary_metric="overall_accuracy", cli="workbench.labs.hsi.cli",
            bench="workbench.labs.hsi.bench"),
    LabInfo(task="retrieval", primary_metric="map_average", cli="workbench.labs.retrieval.cli"),
)


def lab_for_task(task: str) -> LabInfo | None:
    return next((lab for lab in LABS if lab.task == task), None)
