"""Denoising engine: the noise protocol, tiled inference equal to whole-image inference, baselines, scores."""
import numpy as np
import pytest
import torch

from engines.labs.denoise import methods as denoise
from engines.labs.denoise.images import save_image
from engines.labs.denoise.methods import (
    MethodUnavailable,
    Restoration,
    add_noise,
    evaluate_images,
    prepare_model,
    run_baseline,
    run_model,
    score,
    tiled_forward,
)
from engines.models import build_model
from tests.engines.models.test_dncnn import _randomize_bn


@pytest.fixture
def clean():
    import skimage.data

    return skimage.data.camera()[200:264, 200:264]  # uint8 64×64


def test_noise_follows_the_protocol(clean):
    a, b = add_noise(clean, 25, seed=3), add_noise(clean, 25, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, add_noise(clean, 25, seed=4))
    extremes = add_noise(np.tile(np.array([0, 255], np.uint8), (16, 16)), 25, seed=0)
    assert a.dtype == np.float32 and (extremes < 0).any() and (extremes > 1).any()  # noisy input not clipped
    residual = a - clean / 255.0
    assert abs(residual.std() - 25 / 255) < 0.01
    with pytest.raises(ValueError, match="sigma"):
        add_noise(clean, -1)


def test_scores_round_to_the_source_integers(clean):
    from engines.labs.denoise.images import to_integers

    np.testing.assert_array_equal(to_integers(clean / 255.0 + 0.001, 8), clean)  # clip, then round
    off_by_one = (clean.astype(np.float32) + 1).clip(0, 255) / 255.0
    assert score(clean, off_by_one).psnr > 45
    noisy = add_noise(clean, 25, seed=0)
    s = score(clean, noisy)
    assert 19 < s.psnr < 22 and 0 < s.ssim < 1
    ssim = denoise.ssim_map(clean, noisy)
    assert ssim.shape == clean.shape
    assert np.mean(ssim[5:-5, 5:-5]) == pytest.approx(s.ssim, abs=1e-6)  # the mean skips the 11×11 window's border


@pytest.mark.slow
def test_tiled_inference_equals_whole_image_inference_on_512():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = build_model("dncnn_s", features=16).eval()  # DnCNN-S depth (receptive field 35), narrow for speed
    _randomize_bn(model)
    prepared = prepare_model(model)
    noisy = add_noise(np.random.default_rng(0).integers(0, 256, (512, 512), dtype=np.uint8), 25, seed=0)
    whole = run_model(prepared, noisy, tile=None)
    tiled = run_model(prepared, noisy, tile=160)  # 4×4 tiles of uneven size, default overlap radius + 1
    assert np.abs(whole.restored - tiled.restored).max() <= 1e-5
    assert np.abs(whole.residual - tiled.residual).max() <= 1e-5
    # The unfused eager model agrees too (BN folding and channels-last change nothing but speed).
    with torch.no_grad():
        eager = model(torch.from_numpy(noisy)[None, None])[0, 0].clamp(0, 1).numpy()
    assert np.abs(eager - whole.restored).max() <= 1e-4


def test_overlap_below_the_receptive_radius_is_refused():
    model = prepare_model(build_model("dncnn", depth=5, features=4))
    x = np.zeros((1, 1, 40, 40), dtype=np.float32)
    tiled_forward(model, x, tile=16, overlap=5)  # radius of 5 convs = 5: fine
    with pytest.raises(ValueError, match="receptive radius 5"):
        tiled_forward(model, x, tile=16, overlap=4)


def test_tiles_report_progress_and_can_be_cancelled():
    model = prepare_model(build_model("dncnn", depth=3, features=4))
    seen = []
    run_model(model, np.zeros((40, 40), np.float32), tile=16, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (9, 9)
    with pytest.raises(denoise.DenoiseCancelled):
        run_model(model, np.zeros((40, 40), np.float32), tile=16, should_stop=lambda: True)


def test_colour_images_through_gray_and_colour_models():
    rgb = np.random.default_rng(0).random((20, 18, 3), dtype=np.float32)
    gray_model = build_model("dncnn", depth=4, features=4, channels=1)
    out = run_model(gray_model, rgb, tile=None)
    assert out.restored.shape == rgb.shape and out.residual.shape == rgb.shape
    # Channel by channel: the same as denoising each plane alone.
    single = run_model(gray_model, rgb[..., 1], tile=None)
    np.testing.assert_allclose(out.restored[..., 1], single.restored, atol=1e-5)  # float rounding of two kernels
    color_model = build_model("dncnn", depth=4, features=4, channels=3)
    assert run_model(color_model, rgb, tile=8).restored.shape == rgb.shape
    assert run_model(color_model, rgb[..., 0], tile=None).restored.shape == (20, 18)


@pytest.mark.parametrize("method", ["nlm", "tv", "wavelet"])
def test_baselines_share_the_interface_and_beat_the_noise(clean, method):
    if method == "wavelet":
        pytest.importorskip("pywt", reason="the wavelet baseline needs the optional PyWavelets package")
    noisy = add_noise(clean, 25, seed=0)
    result = run_baseline(method, noisy, sigma=25)
    assert isinstance(result, Restoration) and result.method == method and result.seconds >= 0
    assert result.restored.shape == clean.shape and 0 <= result.restored.min() and result.restored.max() <= 1
    np.testing.assert_allclose(result.restored, np.clip(noisy - result.residual, 0, 1), atol=1e-5)
    assert score(clean, result.restored).psnr > score(clean, noisy).psnr + 2
    rgb = np.stack([noisy] * 3, axis=-1)
    assert run_baseline(method, rgb, sigma=25).restored.shape == rgb.shape


def test_bm3d_is_optional_and_reported_unavailable_with_the_reason(monkeypatch, clean):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bm3d" else real(name, *a))
    available, reason = denoise.method_status("bm3d")
    assert not available and "bm3d" in reason and "non-commercial" in reason
    with pytest.raises(MethodUnavailable, match="not installed"):
        run_baseline("bm3d", add_noise(clean, 25), sigma=25)
    assert denoise.available_methods()["nlm"] == (True, "")


def test_evaluate_images_reports_per_image_and_mean(tmp_path, clean):
    folder = tmp_path / "set"
    folder.mkdir()
    for i in range(2):
        save_image(folder / f"{i}.png", np.rot90(clean, i) / 255.0)
    report = evaluate_images(sorted(folder.iterdir()), sigma=25, seed=0, method="tv")
    assert [s.name for s in report.images] == ["0.png", "1.png"]
    assert report.mean_psnr == pytest.approx(np.mean([s.psnr for s in report.images]))
    assert all(s.psnr > s.noisy_psnr for s in report.images)
    data = report.to_json()
    assert data["count"] == 2 and data["images"][0]["shape"] == [64, 64]
    model = build_model("dncnn", depth=3, features=4)
    assert len(evaluate_images(sorted(folder.iterdir()), sigma=25, model=model).images) == 2
