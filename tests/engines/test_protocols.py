"""The papers' exact protocols as options: SSIM window, KAIR's noise, scSE combine, HybridSN FC activation,
DnCNN batch-norm constants, the authors' HybridSN split and the AA convention (docs/protocols.md)."""
import numpy as np
import pytest

from engines.labs.denoise import methods as denoise
from engines.labs.denoise.methods import add_noise, score


def _gaussian_ssim_reference(x: np.ndarray, y: np.ndarray, data_range: float = 255.0) -> float:
    """Wang et al. 2004 / KAIR's ``calculate_ssim``: an 11×11 Gaussian window (σ 1.5) applied over the valid
    region only, population statistics, C1 = (0.01 L)², C2 = (0.03 L)², the map's mean."""
    from numpy.lib.stride_tricks import sliding_window_view

    t = np.arange(11) - 5
    g = np.exp(-t**2 / (2 * 1.5**2))
    window = np.outer(g, g) / np.outer(g, g).sum()

    def filt(image):
        return np.einsum("ijkl,kl->ij", sliding_window_view(image, (11, 11)), window)

    x, y = x.astype(np.float64), y.astype(np.float64)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_x, mu_y = filt(x), filt(y)
    var_x, var_y = filt(x * x) - mu_x**2, filt(y * y) - mu_y**2
    cov = filt(x * y) - mu_x * mu_y
    ssim_map = (2 * mu_x * mu_y + c1) * (2 * cov + c2) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(ssim_map.mean())


@pytest.fixture
def pair():
    import skimage.data

    clean = skimage.data.camera()[180:260, 200:296]  # uint8 80×96
    noisy = add_noise(clean, 25, seed=7)
    return clean, noisy


def test_gaussian_ssim_is_the_default_and_equals_kairs_formula(pair):
    clean, noisy = pair
    rounded = np.clip(np.rint(noisy * 255), 0, 255).astype(np.uint8)
    expected = _gaussian_ssim_reference(clean, rounded)
    assert score(clean, noisy).ssim == pytest.approx(expected, abs=1e-6)
    assert score(clean, noisy, ssim="gaussian").ssim == pytest.approx(expected, abs=1e-6)
    # The other window is a different number (skimage's 7×7 uniform, sample covariance), kept as an option.
    from skimage.metrics import structural_similarity

    uniform = score(clean, noisy, ssim="uniform").ssim
    assert uniform == pytest.approx(structural_similarity(clean, rounded, data_range=255), abs=1e-12)
    assert abs(uniform - expected) > 1e-3


def test_colour_ssim_is_the_mean_over_channels(pair):
    clean, noisy = pair
    colour = np.stack([clean, clean[::-1], clean[:, ::-1]], axis=-1)
    noisy_colour = add_noise(colour, 25, seed=1)
    rounded = np.clip(np.rint(noisy_colour * 255), 0, 255).astype(np.uint8)
    expected = np.mean([_gaussian_ssim_reference(colour[..., c], rounded[..., c]) for c in range(3)])
    assert score(colour, noisy_colour).ssim == pytest.approx(expected, abs=1e-6)


def test_ssim_map_mean_without_the_window_border_is_the_score(pair):
    clean, noisy = pair
    for window, half in (("gaussian", 5), ("uniform", 3)):
        full = denoise.ssim_map(clean, noisy, ssim=window)
        assert np.mean(full[half:-half, half:-half]) == pytest.approx(score(clean, noisy, ssim=window).ssim,
                                                                        abs=1e-6)


@pytest.mark.parametrize("side, gaussian_defined, uniform_defined", [(6, False, False), (9, False, True),
                                                                     (11, True, True)])
def test_ssim_minimum_size_follows_the_window(side, gaussian_defined, uniform_defined):
    clean = np.arange(side * 20, dtype=np.uint8).reshape(side, 20)
    noisy = add_noise(clean, 10, seed=0)
    for window, defined in (("gaussian", gaussian_defined), ("uniform", uniform_defined)):
        value = score(clean, noisy, ssim=window).ssim
        note = denoise.ssim_note(clean.shape, window)
        assert np.isfinite(value) == defined and (note is None) == defined
        if note:
            needed = denoise.SSIM_MIN_SIDES[window]
            assert f"at least {needed}×{needed} pixels" in note and f"20×{side}" in note


def test_unknown_ssim_window_and_noise_mode_are_refused(pair):
    clean, noisy = pair
    with pytest.raises(ValueError, match="gaussian, uniform"):
        score(clean, noisy, ssim="box")
    with pytest.raises(ValueError, match="seeded, kair"):
        add_noise(clean, 25, noise="matlab")


def test_kair_noise_is_numpys_legacy_stream_reseeded_for_each_image(pair):
    clean, _ = pair
    state = np.random.get_state()
    first = add_noise(clean, 25, seed=0, noise="kair")
    np.random.set_state(state)
    # KAIR's main_test_dncnn.py, per image: seed 0, then normal noise added to the float32 image in [0, 1].
    np.random.seed(seed=0)
    expected = clean.astype(np.float32) / 255.0
    expected += np.random.normal(0, 25 / 255.0, expected.shape)
    np.random.set_state(state)
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(add_noise(clean, 25, seed=0, noise="kair"), first)  # no state carried over
    assert not np.array_equal(first, add_noise(clean, 25, seed=0))  # the project's generator differs
    assert np.random.get_state()[1][0] == state[1][0]  # the global state is untouched


def test_eval_report_names_the_protocols(pair, tmp_path):
    from engines.labs.denoise.images import save_image

    clean, _ = pair
    save_image(tmp_path / "a.png", clean / 255.0)
    report = denoise.evaluate_images([tmp_path / "a.png"], sigma=25, method="tv", noise="kair", ssim="uniform")
    data = report.to_json()
    assert data["noise"] == "kair" and data["ssim_window"] == "uniform" and "7×7" in data["ssim_protocol"]
    noisy = add_noise(clean, 25, seed=0, noise="kair")
    assert data["images"][0]["noisy_psnr"] == pytest.approx(round(score(clean, noisy).psnr, 4))


@pytest.mark.shared_data
@pytest.mark.slow
def test_kair_noise_reproduces_kairs_01_png_at_sigma_25(shared_data):
    """KAIR's main_test_dncnn.py with dncnn_25.pth reports 30.2076 dB on Set12 01.png at σ 25."""
    from engines.labs.denoise.methods import evaluate_images, prepare_model
    from engines.labs.denoise.weights import load_dncnn_weights

    model = prepare_model(load_dncnn_weights(shared_data / "dncnn_weights" / "dncnn_25.pth").model)
    report = evaluate_images([shared_data / "set12" / "01.png"], sigma=25, seed=0, model=model, tile=None,
                             noise="kair")
    assert report.images[0].psnr == pytest.approx(30.2076, abs=0.001)


def test_eval_denoise_cli_threads_the_protocols(pair, tmp_path, capsys):
    import json

    from engines.labs.denoise.images import save_image
    from engines.labs.denoise.methods import run_baseline
    from workbench.cli import main

    clean, _ = pair
    (tmp_path / "img").mkdir()
    save_image(tmp_path / "img" / "a.png", clean / 255.0)
    args = ["eval-denoise", "--images", str(tmp_path / "img"), "--sigma", "25", "--method", "tv"]
    assert main([*args, "--noise", "kair", "--ssim", "uniform", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    noisy = add_noise(clean, 25, seed=0, noise="kair")
    expected = score(clean, run_baseline("tv", noisy, sigma=25).restored, ssim="uniform")
    assert data["noise"] == "kair" and data["ssim_window"] == "uniform"
    assert data["images"][0]["ssim"] == pytest.approx(round(expected.ssim, 5))
    assert data["images"][0]["psnr"] == pytest.approx(round(expected.psnr, 4))
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "seeded noise" in text and "11×11 Gaussian" in text
    assert main([*args, "--ssim", "box"]) == 2
    assert "gaussian" in capsys.readouterr().err


def test_denoise_cli_scores_with_the_chosen_noise_and_window(pair, tmp_path, capsys):
    """``denoise --add-noise`` takes the same --noise/--ssim protocols as ``eval-denoise``."""
    import json

    from engines.labs.denoise.images import save_image
    from engines.labs.denoise.methods import run_baseline
    from workbench.cli import main

    clean, _ = pair
    (tmp_path / "img").mkdir()
    save_image(tmp_path / "img" / "a.png", clean / 255.0)
    args = ["denoise", str(tmp_path / "img" / "a.png"), "--sigma", "25", "--method", "tv", "--add-noise"]
    assert main([*args, "--out", str(tmp_path / "o1"), "--noise", "kair", "--ssim", "uniform", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    noisy = add_noise(clean, 25, seed=0, noise="kair")
    expected = score(clean, run_baseline("tv", noisy, sigma=25).restored, ssim="uniform")
    assert data["noise"] == "kair" and data["ssim"] == "uniform"
    (result,) = data["files"]
    assert result["ssim"] == pytest.approx(expected.ssim, abs=1e-5)
    assert result["psnr"] == pytest.approx(expected.psnr, abs=1e-3)
    assert result["noisy_psnr"] == pytest.approx(score(clean, noisy).psnr, abs=1e-3)
    assert main([*args, "--out", str(tmp_path / "o2")]) == 0
    text = capsys.readouterr().out
    assert "seeded noise, seed 0" in text and "11×11 Gaussian" in text
    seeded = score(clean, run_baseline("tv", add_noise(clean, 25, seed=0), sigma=25).restored)
    assert f"{seeded.psnr:.2f} dB" in text and f"SSIM {seeded.ssim:.4f}" in text


@pytest.mark.parametrize("combine", ["add", "max"])
def test_scse_combine_follows_the_formula(combine):
    import torch

    from engines.models.attention import ConcurrentSE, attention_factory

    torch.manual_seed(0)
    block = attention_factory("scse", reduction=4, combine=combine)(8)
    assert isinstance(block, ConcurrentSE) and block.combine == combine
    x = torch.randn(2, 8, 5, 6)
    cse, sse = block.cse, block.sse
    pooled = x.mean(dim=(2, 3), keepdim=True)
    gate_c = torch.sigmoid(cse.fc2(torch.relu(cse.fc1(pooled))))  # N×C×1×1
    gate_s = torch.sigmoid(torch.einsum("nchw,c->nhw", x, sse.conv.weight[0, :, 0, 0]) + sse.conv.bias[0])
    channel, spatial = x * gate_c, x * gate_s[:, None]
    expected = channel + spatial if combine == "add" else torch.maximum(channel, spatial)
    with torch.no_grad():
        torch.testing.assert_close(block(x), expected, rtol=1e-5, atol=1e-6)
        other = (channel + spatial) if combine == "max" else torch.maximum(channel, spatial)
        assert (block(x) - other).abs().max() > 1e-3  # the two conventions really differ


def test_scse_combine_default_is_add_and_unknown_is_refused():
    from engines.models.attention import attention_factory

    assert attention_factory("scse")(8).combine == "add"
    with pytest.raises(ValueError, match="add, max"):
        attention_factory("scse", combine="mean")


@pytest.mark.parametrize("name", ["hybridsn", "cnn2d"])
def test_hybridsn_fc_activation_changes_the_head_and_the_dense_path_follows(name):
    import torch
    from torch import nn

    from engines.models import build_model
    from engines.models.hybridsn import dense_probabilities

    heads = {}
    for fc in ("relu", "none"):
        torch.manual_seed(0)
        model = build_model(name, num_classes=3, bands=16, window=9, dropout=0.4, fc_activation=fc).eval()
        linear = [i for i, m in enumerate(model.head) if isinstance(m, nn.Linear)]
        relus = [i for i, m in enumerate(model.head) if isinstance(m, nn.ReLU)]
        assert relus == ([linear[0] + 1, linear[1] + 1] if fc == "relu" else [])
        # The head computed by hand: flatten → FC → (ReLU) → FC → (ReLU) → FC.
        x = torch.randn(1, 16, 11, 12)
        features = model.dense_features(x[None])  # (1, 64, 3, 4)
        act = torch.relu if fc == "relu" else (lambda t: t)
        with torch.no_grad():
            patch = features[:, :, :1, :1].flatten(1)
            fc1, fc2, fc3 = (model.head[i] for i in linear)
            expected = fc3(act(fc2(act(fc1(patch)))))
            torch.testing.assert_close(model(x[:, :, :9, :9]), expected, rtol=1e-4, atol=1e-5)
            dense = dense_probabilities(model, x[0])
            torch.testing.assert_close(dense[0, 0], expected[0].softmax(0), rtol=1e-4, atol=1e-5)
        heads[fc] = expected
    assert not torch.allclose(heads["relu"], heads["none"])


def test_hybridsn_fc_activation_default_and_validation():
    from torch import nn

    from engines.models import build_model

    model = build_model("hybridsn")
    assert sum(isinstance(m, nn.ReLU) for m in model.head) == 2
    assert sum(p.numel() for p in model.parameters()) == 5_122_176
    with pytest.raises(ValueError, match="relu, none"):
        build_model("hybridsn", fc_activation="tanh")


def _authors_trainable_state(tmp_path):
    """A DnCNN in the authors' PyTorch layout (``dncnn.N``, BN eps 1e-4) with small running variances, so
    the eps used to fold them matters."""
    import torch

    from engines.models import build_model

    torch.manual_seed(0)
    model = build_model("dncnn", depth=5, features=8, bn_eps=1e-4, bn_momentum=0.95).eval()
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.05, 0.05)
            m.running_var.uniform_(1e-4, 1e-3)
            m.weight.data = m.running_var.sqrt()  # keeps the activations near 1 (the scale is ~1 either way)
    path = tmp_path / "authors.pth"
    torch.save({k.replace("body.", "dncnn.", 1): v for k, v in model.state_dict().items()}, path)
    return model, path


def test_authors_trainable_dncnn_is_folded_with_their_eps(tmp_path):
    import torch

    from engines.labs.denoise.weights import load_dncnn_weights

    reference, path = _authors_trainable_state(tmp_path)
    imported = load_dncnn_weights(path)
    assert imported.source_format == "dncnn-pytorch-state-dict" and not imported.model.batchnorm
    assert imported.info["batchnorm"] == {"bn_eps": 1e-4, "bn_momentum": 0.95}
    x = torch.rand(1, 1, 12, 12)
    with torch.no_grad():
        assert (imported.model(x) - reference(x)).abs().max() < 1e-5
        pytorch_eps = load_dncnn_weights(path, bn_eps=1e-5).model  # what PyTorch's default would give
        assert (pytorch_eps(x) - reference(x)).abs().max() > 1e-4


def test_authors_trainable_dncnn_kept_unfolded_trains_with_their_momentum(tmp_path):
    import torch

    from engines.labs.denoise.weights import load_dncnn_weights
    from engines.models import build_model

    reference, path = _authors_trainable_state(tmp_path)
    imported = load_dncnn_weights(path, keep_batchnorm=True)
    model = imported.model
    assert model.batchnorm and imported.options["bn_eps"] == 1e-4 and imported.options["bn_momentum"] == 0.95
    rebuilt = build_model(imported.model_name, **imported.options)
    rebuilt.load_state_dict(model.state_dict())
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(bn.eps == 1e-4 and bn.momentum == 0.95 for bn in bns)
    x = torch.rand(4, 1, 12, 12)
    with torch.no_grad():
        torch.testing.assert_close(model(x), reference(x))
        before = bns[0].running_mean.clone()
        batch_mean = model.body[:3](x.clone()).mean(dim=(0, 2, 3))  # what the first BN sees
        model.train()(x)
    # PyTorch's convention with the authors' 0.95: running = 0.05 · running + 0.95 · batch mean.
    torch.testing.assert_close(bns[0].running_mean, 0.05 * before + 0.95 * batch_mean, rtol=1e-5, atol=1e-6)


def test_dncnn_bn_options_default_to_pytorch_and_are_validated():
    from engines.models import build_model

    model = build_model("dncnn_s", features=4)
    assert "bn_eps" not in model.options() and model.bn_eps == 1e-5 and model.bn_momentum == 0.1
    with pytest.raises(ValueError, match="bn_momentum"):
        build_model("dncnn_s", bn_momentum=1.5)
    with pytest.raises(ValueError, match="bn_eps"):
        build_model("dncnn_s", bn_eps=0)


def _authors_train_pixels(gt: np.ndarray, seed: int = 345) -> set:
    """The authors' notebook: labelled pixels in row-major order (createImageCubes, removeZeroLabels), then
    ``train_test_split(X, y, test_size=0.7, random_state=345, stratify=y)``."""
    from sklearn.model_selection import train_test_split

    rows, cols = np.nonzero(gt)
    y = gt[rows, cols] - 1
    train, _ = train_test_split(np.arange(len(y)), test_size=0.7, random_state=seed, stratify=y)
    return {(int(rows[i]), int(cols[i])) for i in train}


@pytest.mark.slow  # PCA of the whole Indian Pines scene, twice
def test_authors_split_gives_the_authors_pixel_sets_whatever_the_seed():
    from engines.hyperspectral import load_scene
    from engines.labs.hsi.task import HsiConfig, prepared_split

    gt = load_scene("indian_pines").gt
    expected = _authors_train_pixels(gt)
    common = dict(data="indian_pines", components=15, window=9, train_ratio=0.3)
    authors = prepared_split(HsiConfig(**common, split="authors", seed=0).validate())
    assert {tuple(p) for p in authors.train_pixels.tolist()} == expected
    assert len(authors.train_pixels) + len(authors.test_pixels) == int((gt > 0).sum())
    seeded = prepared_split(HsiConfig(**common, seed=0).validate())  # the default: the run's seed
    assert {tuple(p) for p in seeded.train_pixels.tolist()} != expected
    assert len(seeded.train_pixels) == len(authors.train_pixels)  # same counts per class, other pixels


def test_split_and_aa_absent_are_validated():
    from engines.core.config import ConfigError
    from engines.labs.hsi.task import HsiConfig

    with pytest.raises(ConfigError, match="seed, authors"):
        HsiConfig(split="paper").validate()
    with pytest.raises(ConfigError, match="skip, zero"):
        HsiConfig(aa_absent="nan").validate()


@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
def test_aa_with_a_class_predicted_but_absent_from_the_truth():
    from sklearn.metrics import balanced_accuracy_score, confusion_matrix

    from engines.labs.hsi.metrics import scores

    truth = np.array([0, 0, 0, 1, 1, 3, 3, 3])
    pred = np.array([0, 2, 0, 1, 0, 3, 2, 3])  # class 2 predicted, never true; class 4 neither
    skip = scores(truth, pred, 5)["average_accuracy"]
    zero = scores(truth, pred, 5, aa_absent="zero")["average_accuracy"]
    assert skip == pytest.approx(balanced_accuracy_score(truth, pred))  # the default: mean over true classes
    # The authors' AA_andEachClassAccuracy: sklearn's confusion matrix over the labels that occur,
    # np.nan_to_num(diag / row sums), mean.
    cm = confusion_matrix(truth, pred)
    with np.errstate(invalid="ignore", divide="ignore"):
        authors = np.mean(np.nan_to_num(np.diag(cm) / cm.sum(axis=1)))
    assert zero == pytest.approx(authors) and zero < skip
    assert scores(truth, truth, 5, aa_absent="zero")["average_accuracy"] == 1.0  # nothing absent is predicted
    with pytest.raises(ValueError, match="skip, zero"):
        scores(truth, pred, 5, aa_absent="nan")


def test_train_cli_flags_become_config_overrides(monkeypatch):
    import argparse

    import workbench.cli
    from workbench.labs.hsi import cli as hsi_cli

    seen = {}
    monkeypatch.setattr(workbench.cli, "cmd_train", lambda args: seen.setdefault("overrides", args.overrides) and 0)
    args = argparse.Namespace(task="hsi", overrides=[], train_ratio=None, hsi_split="authors", aa_absent="zero")
    hsi_cli.cmd_train_with_ratio(args)
    assert seen["overrides"] == ["split=authors", "aa_absent=zero"]
    with pytest.raises(workbench.cli.UsageError, match="--split applies to --task hsi"):
        hsi_cli.cmd_train_with_ratio(argparse.Namespace(task="denoise", overrides=[], train_ratio=None,
                                                        hsi_split="authors", aa_absent=None))
