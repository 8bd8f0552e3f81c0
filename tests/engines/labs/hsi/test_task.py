"""The hsi task end to end on a cropped real Indian Pines scene (tiny K and window, seconds)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from engines.core.events import Failed, Finished
from engines.core.tasks import make_config
from engines.labs.hsi.task import evaluate_test_split, fit, prepared_split
from tests.helpers import final_event

CROP = [0, 0, 40, 40]


def tiny_hsi(**overrides):
    values = dict(model="hybridsn", data="indian_pines", epochs=2, batch_size=64, components=15, window=9,
                  train_ratio=0.3, eval_max=64, data_options={"crop": CROP}, threads=2)
    values.update(overrides)
    return make_config("hsi", **values)


def test_two_epochs_on_cropped_indian_pines_record_a_run_with_all_metrics():
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore

    config = tiny_hsi()
    with RunStore() as store:
        run_id = create_run(store, config)
        outcome = TrainingSession(config, store=store, run_id=run_id).run()
        run = store.get_run(run_id)
        points = {p.name for p in store.metrics(run_id)}
    assert outcome.status == "finished", outcome.message
    metrics = run.metrics
    for name in ("overall_accuracy", "average_accuracy", "kappa", "test_loss", "train_loss"):
        assert name in metrics and np.isfinite(metrics[name]), name
        assert 0.0 <= metrics["overall_accuracy"] <= 1.0
    assert {"overall_accuracy", "average_accuracy", "kappa", "loss"} <= points
    split = run.summary["split"]
    assert metrics["eval_pixels"] == split["test"] > 64  # the final scores cover the whole test split
    from engines.hyperspectral import crop_scene, load_scene

    labelled = int((crop_scene(load_scene("indian_pines"), CROP).gt > 0).sum())
    assert split["train"] + split["test"] == labelled
    per_class = run.summary["per_class_accuracy"]
    assert per_class and set(per_class) <= set(run.summary["class_names"])
    matrix = np.array(run.summary["confusion_matrix"])
    assert matrix.shape == (16, 16) and matrix.sum() == split["test"]
    assert metrics["overall_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
    assert run.checkpoint and run.params > 0


def test_loop_scores_equal_an_independent_evaluation_of_the_checkpoint(tmp_path):
    from engines.models import load_trained_model

    config = tiny_hsi(epochs=1, eval_max=0)  # every epoch scores the whole test split through the loop
    event = final_event(fit(config, checkpoint_dir=tmp_path))
    assert isinstance(event, Finished)
    prepared = prepared_split(config)  # same seed → same PCA and split
    model = load_trained_model(tmp_path / "last.pt")
    again = evaluate_test_split(model, prepared)
    for name in ("overall_accuracy", "average_accuracy", "kappa"):
        assert event.summary["metrics"][name] == pytest.approx(again[name], abs=1e-9), name
    assert event.summary["confusion_matrix"] == again["confusion"]


def test_bad_settings_end_the_run_with_a_clear_reason():
    event = final_event(fit(tiny_hsi(components=300)))
    assert isinstance(event, Failed) and "200 bands" in event.reason
    event = final_event(fit(tiny_hsi(train_ratio=1.5)))
    assert isinstance(event, Failed) and "train_ratio" in event.reason
    event = final_event(fit(tiny_hsi(data="pavia_university")))
    assert isinstance(event, Failed) and "PaviaU.mat" in event.reason


@pytest.mark.slow
def test_hsi_modules_never_import_qt():
    code = ("import sys, engines.labs.hsi.task, engines.labs.hsi.patches, engines.labs.hsi.svm, workbench.labs.hsi.maps, "
            "workbench.labs.hsi.cli, workbench.labs.hsi.bench; assert 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def _epoch_accuracies(events):
    from engines.core.events import EpochDone

    return [e.metrics["train_accuracy"] for e in events if isinstance(e, EpochDone)]


def test_best_train_weights_end_the_run_and_are_the_ones_scored(tmp_path):
    """The authors' rule: the epoch with the best training accuracy (the first of a tie) gives the weights."""
    import torch

    from engines.core.checkpoint import load_checkpoint
    from engines.models import load_trained_model

    config = tiny_hsi(epochs=4, eval_max=0, select_weights="best_train", keep_epoch_weights=True, lr=0.02)
    events = list(fit(config, checkpoint_dir=tmp_path))
    final = events[-1]
    assert isinstance(final, Finished), final
    accuracies = _epoch_accuracies(events)
    assert len(accuracies) == 4 and all(0.0 <= a <= 1.0 for a in accuracies)
    chosen = int(np.argmax(accuracies)) + 1  # argmax takes the first of equal values, as save_best_only does
    assert final.summary["selected_weights"]["epoch"] == chosen
    assert final.summary["metrics"]["selected_train_accuracy"] == pytest.approx(accuracies[chosen - 1])
    last = load_checkpoint(tmp_path / "last.pt")
    picked = load_checkpoint(tmp_path / f"epoch_{chosen}.pt")["model"]
    trained = load_checkpoint(tmp_path / "epoch_4.pt")["model"]
    assert all(torch.equal(last["model"][k], picked[k]) for k in picked)
    assert all(torch.equal(last["training_model"][k], trained[k]) for k in trained)
    # The final scores are those of the chosen weights, on every test pixel.
    again = evaluate_test_split(load_trained_model(tmp_path / "last.pt"), prepared_split(config))
    assert final.summary["metrics"]["overall_accuracy"] == pytest.approx(again["overall_accuracy"], abs=1e-9)


def test_best_train_weights_survive_a_resume(tmp_path):
    """Two epochs, then resumed to four: the same choice and weights as four epochs straight."""
    import torch

    from engines.core.checkpoint import load_checkpoint

    values = dict(eval_max=0, select_weights="best_train", lr=0.02)
    straight = list(fit(tiny_hsi(epochs=4, **values), checkpoint_dir=tmp_path / "straight"))
    first = list(fit(tiny_hsi(epochs=2, **values), checkpoint_dir=tmp_path / "resumed"))
    rest = list(fit(tiny_hsi(epochs=4, **values), checkpoint_dir=tmp_path / "resumed",
                    resume_from=tmp_path / "resumed" / "last.pt"))
    assert _epoch_accuracies(first) + _epoch_accuracies(rest) == pytest.approx(_epoch_accuracies(straight))
    assert rest[-1].summary["selected_weights"] == straight[-1].summary["selected_weights"]
    a, b = (load_checkpoint(tmp_path / d / "last.pt")["model"] for d in ("straight", "resumed"))
    assert all(torch.allclose(a[k], b[k]) for k in a)


def test_best_train_needs_the_final_scoring():
    event = final_event(fit(tiny_hsi(select_weights="best_train", final_eval=False)))
    assert isinstance(event, Failed) and "final_eval" in event.reason


def test_training_reads_the_same_batches_through_the_one_gather_as_through_the_dataloader(monkeypatch, tmp_path):
    """PatchDataset.batch is only a faster way to the same batches: the weights after two epochs are identical."""
    import torch

    from engines.core.checkpoint import load_checkpoint
    from engines.labs.hsi.patches import PatchDataset

    list(fit(tiny_hsi(), checkpoint_dir=tmp_path / "gather"))
    monkeypatch.delattr(PatchDataset, "batch")
    list(fit(tiny_hsi(), checkpoint_dir=tmp_path / "loader"))
    a, b = (load_checkpoint(tmp_path / d / "last.pt")["model"] for d in ("gather", "loader"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_the_spectral_stack_is_timed_once_per_training_shape_and_keeps_its_gradients_clean(monkeypatch):
    """The paths of the 3-D convolutions are chosen by timing the stack on its first training batch of a shape; a
    shorter last batch takes its epoch's choice; the timing passes leave no gradient; inference does not time;
    the chosen paths give the default paths' gradients."""
    import torch

    from engines.models import build_model, hybridsn

    hybridsn._TRAINING_PATHS.clear()
    model = build_model("hybridsn", num_classes=3, bands=15, window=9).eval()  # dropout off; gradients still flow
    x = torch.randn(6, 1, 15, 9, 9)
    with torch.no_grad():
        model(x)
    assert hybridsn.calibrated_paths() == []
    loss = model(x).sum()
    assert all(p.grad is None for p in model.parameters())  # the timing passes used autograd.grad
    chosen = hybridsn.calibrated_paths()
    assert len(chosen) == 1 and chosen[0]["input"] == [6, 1, 15, 9, 9]
    assert [layer[:2] for layer in chosen[0]["layers"]] == [[1, 8], [8, 16], [16, 32]]
    first, *rest = chosen[0]["paths"]
    assert (first, rest) in (("conv2d", ["ndhwc", "ndhwc"]), ("conv2d", ["ncdhw", "ncdhw"]), ("ncdhw", ["ncdhw", "ncdhw"]))
    assert [m.path for m in model.conv3d if isinstance(m, hybridsn.SpectralConv3d)] == chosen[0]["paths"]
    loss.backward()
    model(x[:4]).sum()  # a shorter batch: no new timing, the same paths
    assert [c["paths"] for c in hybridsn.calibrated_paths() if c["input"][0] == 4] == [chosen[0]["paths"]]

    monkeypatch.setenv("WORKBENCH_CONV_CALIBRATION", "0")  # the default paths, untimed
    plain = build_model("hybridsn", num_classes=3, bands=15, window=9).eval()
    plain.load_state_dict(model.state_dict())
    plain(x).sum().backward()
    assert all(m.path is None for m in plain.conv3d if isinstance(m, hybridsn.SpectralConv3d))
    grads = dict(model.named_parameters())
    for name, p in plain.named_parameters():
        torch.testing.assert_close(p.grad, grads[name].grad, rtol=1e-4, atol=1e-5)
