"""The event protocol of the classification task, end to end on digits."""
from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from engines.core.checkpoint import load_checkpoint
from engines.core.control import RunControl
from engines.core.events import CheckpointSaved, EpochDone, Failed, Finished, Paused, Resumed, Started, StepDone
from engines.core.loop import LoopHook, run_training
from engines.core.tasks import get_task
from tests.helpers import final_event, tiny_config

fit = get_task("classify").fit


def test_event_stream_order_and_content(tmp_path):
    events = list(fit(tiny_config(epochs=2), checkpoint_dir=tmp_path))
    assert isinstance(events[0], Started)
    started = events[0]
    assert started.params > 0 and started.flops > 0 and started.steps_per_epoch > 0
    steps = [e for e in events if isinstance(e, StepDone)]
    assert [s.step for s in steps] == list(range(1, 2 * started.steps_per_epoch + 1))
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert [e.epoch for e in epochs] == [1, 2]
    assert {"test_accuracy", "test_loss", "train_loss", "throughput"} <= set(epochs[-1].metrics)
    assert any(isinstance(e, CheckpointSaved) for e in events)
    assert isinstance(events[-1], Finished) and events[-1].status == "finished"
    for e in events:  # events are frozen plain values
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.__setattr__("step", 99)


def test_same_seed_same_metrics_different_seed_differs():
    a = final_event(fit(tiny_config(seed=3, epochs=1)))
    b = final_event(fit(tiny_config(seed=3, epochs=1)))
    c = final_event(fit(tiny_config(seed=4, epochs=1)))
    assert a.summary["metrics"]["test_loss"] == b.summary["metrics"]["test_loss"]
    assert a.summary["metrics"]["test_loss"] != c.summary["metrics"]["test_loss"]


def _weights(path):
    return load_checkpoint(path)["model"]


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=1e-6, msg=key)


@pytest.mark.parametrize("stop_after_steps", [None, 7], ids=["epoch-boundary", "mid-epoch"])
def test_resume_gives_the_same_weights_as_a_straight_run(tmp_path, stop_after_steps):
    config = tiny_config(epochs=2, model_options={"width": 8, "dropout": 0.3})
    straight = tmp_path / "straight"
    assert final_event(fit(config, checkpoint_dir=straight)).status == "finished"

    split = tmp_path / "split"
    control = RunControl()
    for event in fit(config, checkpoint_dir=split, control=control):
        if stop_after_steps is None and isinstance(event, EpochDone) and event.epoch == 1:
            control.request_stop()
        if stop_after_steps is not None and isinstance(event, StepDone) and event.step == stop_after_steps:
            control.request_stop()
        last = event
    assert isinstance(last, Finished) and last.status == "stopped"
    state = load_checkpoint(split / "last.pt")
    assert state["epoch"] == (1 if stop_after_steps is None else 0)

    resumed = list(fit(config, checkpoint_dir=split, resume_from=split / "last.pt"))
    assert resumed[0].start_step == state["step"]
    assert resumed[-1].status == "finished"
    _assert_same_weights(_weights(straight / "last.pt"), _weights(split / "last.pt"))


def test_extending_epochs_continues_the_same_curve(tmp_path):
    base = dict(scheduler="none")
    straight = tmp_path / "straight"
    final_event(fit(tiny_config(epochs=2, **base), checkpoint_dir=straight))
    split = tmp_path / "split"
    final_event(fit(tiny_config(epochs=1, **base), checkpoint_dir=split))
    final_event(fit(tiny_config(epochs=2, **base), checkpoint_dir=split, resume_from=split / "last.pt"))
    _assert_same_weights(_weights(straight / "last.pt"), _weights(split / "last.pt"))


def test_pause_blocks_between_batches_and_resume_continues():
    control = RunControl()
    seen = []
    for event in fit(tiny_config(epochs=1, max_steps=6), control=control):
        seen.append(event)
        if isinstance(event, StepDone) and event.step == 2:
            control.pause()
            # A second thread would normally resume; the loop blocks until it does.
            import threading

            threading.Timer(0.2, control.resume).start()
    kinds = [type(e) for e in seen]
    assert Paused in kinds and Resumed in kinds
    assert kinds.index(Paused) < kinds.index(Resumed)
    assert [e.step for e in seen if isinstance(e, StepDone)] == [1, 2, 3, 4, 5, 6]


def test_nan_loss_ends_the_run_as_diverged_naming_the_step():
    from engines.labs.classify.task import build_problem
    from tests.helpers import tiny_config as make

    built = {}

    def nan_at_step_3(config):
        problem = built["problem"] = build_problem(config)
        original = problem.train_loss
        calls = {"n": 0}

        def loss(model, batch, device):
            calls["n"] += 1
            value, n = original(model, batch, device)
            return (value * float("nan") if calls["n"] == 3 else value), n

        problem.train_loss = loss
        return problem

    events = list(run_training(make(epochs=1), nan_at_step_3))
    last = events[-1]
    assert isinstance(last, Failed) and last.status == "diverged"
    assert "step 3" in last.reason and "nan" in last.reason
    assert [e.step for e in events if isinstance(e, StepDone)] == [1, 2]
    # The loss is read after the backward pass, but the optimizer never takes the NaN step's gradients.
    assert all(torch.isfinite(p).all() for p in built["problem"].model.parameters())


def test_bf16_precision_trains_in_autocast_and_keeps_fp32_weights(tmp_path, monkeypatch):
    import engines.core.loop as loop

    monkeypatch.setattr(loop, "native_bf16", lambda device: True)  # autocast runs (emulated) on any CPU

    def losses(events):
        return [e.loss for e in events if isinstance(e, StepDone)]

    plain = list(fit(tiny_config(epochs=1, max_steps=6)))
    events = list(fit(tiny_config(epochs=1, max_steps=6, precision="bf16"), checkpoint_dir=tmp_path))
    assert isinstance(events[-1], Finished)
    bf16 = losses(events)
    assert len(bf16) == 6 and all(math.isfinite(v) for v in bf16)
    # Same seed, same batches: only the arithmetic differs, and it shows in the losses.
    assert bf16 != losses(plain) and bf16[0] == pytest.approx(losses(plain)[0], rel=0.05)
    weights = load_checkpoint(tmp_path / "last.pt")["model"]
    assert {t.dtype for t in weights.values() if t.is_floating_point()} == {torch.float32}


def test_exploding_learning_rate_diverges():
    config = tiny_config(epochs=3, optimizer="sgd", lr=1e6, scheduler="none",
                         model_options={"width": 8, "batchnorm": False})
    last = final_event(fit(config))
    assert isinstance(last, Failed) and last.status == "diverged"
    assert "step" in last.reason


def test_bad_config_fails_with_a_clear_reason():
    last = final_event(fit(tiny_config(optimizer="rmsprop")))
    assert isinstance(last, Failed) and "optimizer" in last.reason and "adam" in last.reason
    last = final_event(fit(tiny_config(device="tpu")))
    assert isinstance(last, Failed) and "tpu" in last.reason


@pytest.mark.slow
def test_digits_two_epochs_reaches_ninety_percent():
    from engines.core.tasks import make_config

    last = final_event(fit(make_config("classify", epochs=2, seed=0)))
    assert last.summary["metrics"]["test_accuracy"] >= 0.90
    assert math.isclose(last.summary["metrics"]["best_test_accuracy"],
                        max(last.summary["metrics"]["test_accuracy"], 0), rel_tol=0) or \
        last.summary["metrics"]["best_test_accuracy"] >= last.summary["metrics"]["test_accuracy"]


class _Recorder(LoopHook):
    """A hook that records what the loop tells it."""

    def __init__(self):
        self.checkpoints: list[tuple[str, int, int]] = []
        self.finished = 0

    def after_checkpoint(self, state, path):
        self.checkpoints.append((path.name, state.epoch, state.batch_in_epoch))

    def on_finish(self, state):
        self.finished += 1
        return {"metrics": {"extra_score": state.step * 1.0}, "note": f"{state.epoch} epochs"}


def _with_hooks(*hooks):
    from engines.labs.classify.task import build_problem

    def build(config):
        problem = build_problem(config)
        problem.hooks = [*problem.hooks, *hooks]
        return problem

    return build


def test_hooks_see_every_checkpoint_and_add_to_the_finished_summary(tmp_path):
    first, second = _Recorder(), _Recorder()
    events = list(run_training(tiny_config(epochs=2), _with_hooks(first, second), checkpoint_dir=tmp_path))
    saved = [(e.epoch, e.step) for e in events if isinstance(e, CheckpointSaved)]
    assert first.checkpoints == second.checkpoints == [("last.pt", 1, 0), ("last.pt", 2, 0)]
    assert [epoch for epoch, _ in saved] == [1, 2]
    final = events[-1]
    assert first.finished == second.finished == 1
    assert final.summary["metrics"]["extra_score"] == float(final.step)
    assert {"test_accuracy", "latency_ms", "best_test_accuracy"} <= set(final.summary["metrics"])
    assert final.summary["note"] == "2 epochs"


def test_a_stopped_run_checkpoints_through_the_hooks_but_does_not_finish_them(tmp_path):
    recorder = _Recorder()
    control = RunControl()
    for event in run_training(tiny_config(epochs=2), _with_hooks(recorder), control=control,
                              checkpoint_dir=tmp_path):
        if isinstance(event, StepDone) and event.step == 3:
            control.request_stop()
        last = event
    assert last.status == "stopped" and "extra_score" not in last.summary["metrics"]
    assert recorder.checkpoints == [("last.pt", 0, 3)] and recorder.finished == 0


@pytest.mark.parametrize("keep", [True, False])
def test_epoch_weights_are_kept_at_epoch_ends_only_when_the_config_asks(tmp_path, keep):
    control = RunControl()
    epoch_steps = {}
    for event in fit(tiny_config(epochs=3, keep_epoch_weights=keep), checkpoint_dir=tmp_path, control=control):
        if isinstance(event, EpochDone):
            epoch_steps[event.epoch] = event.step
        if isinstance(event, StepDone) and 2 in epoch_steps and event.step == epoch_steps[2] + 2:
            control.request_stop()  # mid-way through the third epoch: its checkpoint is no epoch's weights
    assert load_checkpoint(tmp_path / "last.pt")["batch_in_epoch"] == 2
    kept = sorted(p.name for p in tmp_path.glob("epoch_*.pt"))
    assert kept == (["epoch_1.pt", "epoch_2.pt"] if keep else [])
    if keep:
        snapshot = load_checkpoint(tmp_path / "epoch_2.pt")
        assert set(snapshot) - {"format_version"} == {"task", "config", "model_spec", "model", "epoch", "step"}
        assert (snapshot["epoch"], snapshot["step"]) == (2, epoch_steps[2])


def test_bf16_precision_where_bf16_is_emulated_fails_with_a_clear_reason(monkeypatch):
    import engines.core.loop as loop

    seen = []
    monkeypatch.setattr(loop, "native_bf16", lambda device: seen.append(device) or False)
    events = list(fit(tiny_config(precision="bf16", device="cpu")))
    assert len(events) == 1 and isinstance(events[0], Failed)
    assert "precision=bf16" in events[0].reason and "cpu" in events[0].reason and "fp32" in events[0].reason
    assert [d.type for d in seen] == ["cpu"]


def test_native_bf16_follows_onednn_on_cpu_and_is_false_on_mps():
    from engines.core.device import native_bf16

    assert native_bf16(torch.device("cpu")) == bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    assert native_bf16(torch.device("mps")) is False
