"""Console progress for headless runs (tqdm on stderr)."""
from __future__ import annotations

import sys

from engines.core.events import EpochDone, Event, Failed, Finished, Started, StepDone


class ConsoleProgress:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.bar = None

    def on_event(self, event: Event) -> None:
        from tqdm import tqdm

        if isinstance(event, Started):
            total = event.epochs * event.steps_per_epoch
            self.bar = tqdm(total=total, initial=event.start_step, unit="step", file=self.stream,
                            dynamic_ncols=True, desc=f"{event.model} on {event.dataset}")
        elif isinstance(event, StepDone) and self.bar is not None:
            self.bar.update(event.step - self.bar.n)
            self.bar.set_postfix(epoch=event.epoch + 1, loss=f"{event.loss:.4f}", refresh=False)
        elif isinstance(event, EpochDone) and self.bar is not None:
            shown = {k: round(v, 4) for k, v in event.metrics.items() if k.startswith(("test", "val", "train"))}
            self.bar.write(f"epoch {event.epoch}: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
        elif isinstance(event, (Finished, Failed)) and self.bar is not None:
            self.bar.close()
            self.bar = None
