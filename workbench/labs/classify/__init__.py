"""The classification lab (MobileNet, SENet): CLI verbs and benchmark."""
from workbench.lab_info import LabInfo

LAB = LabInfo(task="classify", primary_metric="test_accuracy", cli="workbench.labs.classify.cli", bench="workbench.labs.classify.bench")
