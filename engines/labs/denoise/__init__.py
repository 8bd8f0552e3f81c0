"""Denoising: DnCNN and classical baselines on image folders."""
from engines.labs.denoise import data, task  # noqa: F401  (registers the task and datasets)
