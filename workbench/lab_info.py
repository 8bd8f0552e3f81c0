"""What the application needs to know about a lab before any engine is imported.

Each lab has one :class:`LabInfo` in the list of :mod:`workbench.labs`. The window reads primary metrics from it
at first paint (torch not loaded yet), the CLI adds each lab's verbs from ``cli`` and ``workbench bench`` finds
each lab's suite from ``bench``, all by module name, so nothing here imports a lab.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabInfo:
    task: str  # the engines' task name (engines.core.tasks)
    primary_metric: str  # mirrors the task's TaskSpec.primary_metric; a test keeps the two in step
    higher_is_better: bool = True
    cli: str | None = None  # module with ``add_commands(sub)`` and the handlers of the lab's CLI verbs
    bench: str | None = None  # module with ``run(quick, progress)`` and ``format_report(report)``
    published: str | None = None  # module with ``PUBLISHED`` entries and ``install(name, progress=...)``: the
    #                               authors' weights, downloaded on demand by ``workbench pretrained install NAME``
