"""The hyperspectral lab (HybridSN): classification maps, SVM baseline, CLI verbs and benchmark."""
from workbench.lab_info import LabInfo

LAB = LabInfo(task="hsi", primary_metric="overall_accuracy", cli="workbench.labs.hsi.cli", bench="workbench.labs.hsi.bench")
