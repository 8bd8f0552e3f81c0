"""The denoising lab (DnCNN): weights import, batch denoising, CLI verbs and benchmark."""
from workbench.lab_info import LabInfo

LAB = LabInfo(task="denoise", primary_metric="val_psnr", cli="workbench.labs.denoise.cli", bench="workbench.labs.denoise.bench")
