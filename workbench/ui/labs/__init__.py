"""The labs' panels, one package per lab; the window builds them after its first paint.

The one place that lists them, as ``"module:ClassName"`` strings so that listing imports nothing.
"""
from __future__ import annotations

LAB_MODULES: list[str] = []
LAB_MODULES.append("workbench.ui.labs.classify.lab:ClassificationLab")
LAB_MODULES.append("workbench.ui.labs.hsi.lab:HyperspectralLab")
LAB_MODULES.append("workbench.ui.labs.retrieval.lab:RetrievalLab")
LAB_MODULES.append("workbench.ui.labs.denoise.lab:DenoisingLab")
