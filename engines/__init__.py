"""Pure PyTorch / NumPy engines: models, data, task loops, metrics. Never imports Qt."""

from engines.core.events import (  # noqa: F401
    CheckpointSaved,
    EpochDone,
    Failed,
    Finished,
    Paused,
    Resumed,
    Started,
    StepDone,
)
