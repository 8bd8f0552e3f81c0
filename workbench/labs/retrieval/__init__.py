"""The retrieval lab (DSCMR): CLI verbs."""
from workbench.lab_info import LabInfo

LAB = LabInfo(task="retrieval", primary_metric="map_average", cli="workbench.labs.retrieval.cli")
