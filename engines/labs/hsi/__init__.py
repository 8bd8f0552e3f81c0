"""Hyperspectral classification: HybridSN and its controls on Indian Pines, Pavia University, Salinas."""
from engines.labs.hsi import data, task  # noqa: F401  (registers the task and datasets)
