"""The ``denoise`` training task: lazy patches, noise from the global RNG, validation PSNR, resume."""
import numpy as np
import pytest
import torch
from PIL import Image

from engines.core.control import RunControl
from engines.core.data import load_dataset
from engines.core.events import EpochDone, Finished, StepDone
from engines.core.tasks import get_task, make_config
from engines.labs.denoise.data import PatchDataset
from tests.helpers import final_event


def test_patch_index_matches_the_dncnn_recipe_and_stays_lazy():
    image = np.arange(180 * 180, dtype=np.uint32).reshape(180, 180).astype(np.uint8)
    patches = PatchDataset([image])  # 40×40, stride 10, scales 1/0.9/0.8/0.7, 8 transforms
    positions = 15 ** 2 + 13 ** 2 + 11 ** 2 + 9 ** 2  # 180, 162, 144, 126 px → 596 positions
    assert len(patches) == positions * 8
    assert sum(s.nbytes for s in patches.scaled) < 100_000  # only the rescaled images are held
    base = patches[0][0][0].numpy()
    np.testing.assert_array_equal(base, image[:40, :40] / np.float32(255))
    for mode in range(8):
        patch = patches[mode][0][0].numpy()
        expected = np.rot90(base, k=mode // 2)
        np.testing.assert_array_equal(patch, np.flipud(expected) if mode % 2 else expected)
    block, top, left, mode = patches.locate(len(patches) - 1)
    assert (block, top, left) == (3, 80, 80) and mode == (7 + positions - 1) % 8  # transforms rotate
    pairs = {patches.locate(i)[:3] + (patches.locate(i)[3],) for i in range(len(patches))}
    assert len(pairs) == len(patches)  # every (position, transform) exactly once
    # An evenly spaced subset whose step is 8 still sees all eight flips and rotations.
    subset = PatchDataset([image], max_patches=positions)
    assert {subset.locate(i)[3] for i in range(len(subset))} == set(range(8))
    assert len(PatchDataset([image], augment=False, max_patches=100)) == 100


def _folder(root, count, size=48, seed=0):
    rng = np.random.default_rng(seed)
    root.mkdir()
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(count):
        smooth = 128 + 80 * np.sin(xx / (4 + i)) * np.cos(yy / 5)  # structure a denoiser can learn quickly
        Image.fromarray(np.clip(smooth + rng.normal(0, 3, smooth.shape), 0, 255).astype(np.uint8)).save(
            root / f"{i:02d}.png")
    return root


def _config(tmp_path, **overrides):
    train = _folder(tmp_path / "train", 3)
    values = dict(model="dncnn", model_options={"depth": 4, "features": 8}, data="image_folder",
                  data_options={"root": str(train), "scales": "1,0.8", "max_patches": 96},
                  val_data=str(_folder(tmp_path / "val", 2, size=40, seed=1)), batch_size=16, epochs=2,
                  sigma=25.0, lr=3e-3)
    values.update(overrides)
    return make_config("denoise", **values)


def test_training_reports_validation_psnr_each_epoch(tmp_path):
    events = list(get_task("denoise").fit(_config(tmp_path)))
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert len(epochs) == 2 and all("val_psnr" in e.metrics and "val_ssim" in e.metrics for e in epochs)
    final = events[-1]
    assert isinstance(final, Finished) and final.status == "finished"
    assert final.summary["metrics"]["best_val_psnr"] >= epochs[0].metrics["val_psnr"]
    assert np.isfinite([e.loss for e in events if isinstance(e, StepDone)]).all()


@pytest.mark.parametrize("overrides", [dict(blind=True, sigma_max=55.0),
                                       dict(model_options={"depth": 4, "features": 8, "residual": False,
                                                           "batchnorm": False}),
                                       dict(model_options={"depth": 3, "features": 4, "channels": 3})])
def test_blind_direct_prediction_and_rgb_variants_train(tmp_path, overrides):
    config = _config(tmp_path, epochs=1, max_steps=2, **overrides)
    final = final_event(get_task("denoise").fit(config))
    assert isinstance(final, Finished), final
    assert np.isfinite(final.summary["metrics"]["val_psnr"])


def test_resume_lands_on_the_same_weights_as_a_straight_run(tmp_path):
    config = _config(tmp_path, blind=True)  # blind draws σ per patch too: both streams must resume exactly
    straight_dir, split_dir = tmp_path / "straight", tmp_path / "split"
    final_event(get_task("denoise").fit(config, checkpoint_dir=straight_dir))

    control = RunControl()
    for event in get_task("denoise").fit(config, checkpoint_dir=split_dir, control=control):
        if isinstance(event, StepDone) and event.step == 5:  # mid-epoch (6 steps per epoch)
            control.request_stop()
    resumed = final_event(get_task("denoise").fit(config, checkpoint_dir=split_dir,
                                                  resume_from=split_dir / "last.pt"))
    assert isinstance(resumed, Finished) and resumed.status == "finished"
    a = torch.load(straight_dir / "last.pt", weights_only=True)["model"]
    b = torch.load(split_dir / "last.pt", weights_only=True)["model"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_bad_configuration_fails_with_a_clear_reason(tmp_path):
    fit = get_task("denoise").fit
    reason = final_event(fit(_config(tmp_path, model="small_cnn"))).reason
    assert "small_cnn" in reason and "dncnn" in reason
    reason = final_event(fit(make_config("denoise", data="image_folder",
                                         data_options={"root": str(tmp_path / "nowhere")}))).reason
    assert "nowhere" in reason
    reason = final_event(fit(make_config("denoise", blind=True, sigma_min=30.0, sigma_max=10.0))).reason
    assert "sigma_max" in reason


def test_offline_default_dataset():
    splits = load_dataset("skimage_samples", max_patches=64)
    assert splits.input_shape == (1, 40, 40) and len(splits.train) == 64
    assert splits.test.names == ["camera", "coins"]
    (patch,) = splits.train[10]
    assert patch.shape == (1, 40, 40) and 0 <= patch.min() and patch.max() <= 1


def test_study_preset_trains_the_four_ablation_variants():
    from workbench.studies import PRESETS, plan_preset

    planned = plan_preset(PRESETS.get("dncnn-residual"), study_id="s")
    assert len(planned) == 4
    variants = {(p.config.model_options["residual"], p.config.model_options["batchnorm"]) for p in planned}
    assert variants == {(True, True), (True, False), (False, True), (False, False)}
    assert planned[0].name == "model_options=residual · BN · seed 0"
    assert all(p.config.task == "denoise" for p in planned)
    assert planned[0].config.to_dict()["model_options"]["depth"] == 10


def test_primary_metric_is_known_before_torch():
    from workbench.tasks_meta import primary_metric_name

    assert primary_metric_name("denoise") == get_task("denoise").primary_metric == "val_psnr"
