"""The labs: one package per part of the course, each with its task, data and metrics.

This is the one place that lists them. Importing a lab registers its task and datasets in the core
registries (:mod:`engines.core.tasks`, :mod:`engines.core.data`), which import this package by name on
their first lookup. A new lab is a new folder here plus one line below.
"""
from engines.labs import classify, denoise, hsi, retrieval  # noqa: F401
