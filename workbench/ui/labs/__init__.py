"""The labs' panels, one package per lab; the window builds them after its first paint.

The one place that lists them, as ``"module:ClassName"`` strings so that listing imports nothing, with the
tab titles the window shows while the engines load (each lab class's ``title`` says the same; a test keeps them
in step).
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

LAB_MODULES: list[str] = []
LAB_TITLES: list[str] = []
LAB_MODULES.append("workbench.ui.labs.classify.lab:ClassificationLab")
LAB_TITLES.append(QT_TRANSLATE_NOOP("Lab", "Classification"))
LAB_MODULES.append("workbench.ui.labs.hsi.lab:HyperspectralLab")
LAB_TITLES.append(QT_TRANSLATE_NOOP("Lab", "Hyperspectral"))
LAB_MODULES.append("workbench.ui.labs.retrieval.lab:RetrievalLab")
LAB_TITLES.append(QT_TRANSLATE_NOOP("Lab", "Retrieval"))
LAB_MODULES.append("workbench.ui.labs.denoise.lab:DenoisingLab")
LAB_TITLES.append(QT_TRANSLATE_NOOP("Lab", "Denoising"))
