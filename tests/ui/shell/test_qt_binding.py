"""Guards against Qt binding releases that break reference counting (the app emits signals all day)."""
import gc
import sys

from PySide6.QtCore import QObject, Signal, Slot


class _Emitter(QObject):
    ping = Signal(int, list)


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    @Slot(int, list)
    def on_ping(self, value, items) -> None:
        self.count += 1


def test_emitting_to_a_python_slot_keeps_reference_counts(qapp):
    emitter, receiver = _Emitter(), _Receiver()
    emitter.ping.connect(receiver.on_ping)
    gc.collect()
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for i in range(300):
        emitter.ping.emit(i, [1.0, 2.0])
    gc.collect()
    after = (sys.getrefcount(True), sys.getrefcount(False))
    assert receiver.count == 300
    # A broken binding loses one reference per emit (PySide6 6.12.0 did, aborting after ~2,000 emits).
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50
