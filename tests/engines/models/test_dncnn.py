"""DnCNN: architecture, parameter counts, the residual/BN ablation switches, BN folding."""
import pytest
import torch

from engines.core.models import build_model, model_names, model_spec
from engines.core.summary import count_parameters
from engines.models.dncnn import DnCNN, fold_batchnorm

DENOISERS = model_names(task="denoise")


def _randomize_bn(model: torch.nn.Module, seed: int = 0) -> None:
    """Trained-looking BN statistics, so folding has something to fold."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) * 1.5 + 0.5)
            m.weight.data.copy_(1 + 0.1 * torch.randn(m.num_features, generator=g))
            m.bias.data.copy_(0.1 * torch.randn(m.num_features, generator=g))


def test_denoisers_are_registered():
    assert set(DENOISERS) == {"dncnn", "dncnn_s", "dncnn_b"}
    for name in DENOISERS:
        assert model_spec(name).builder.option_choices == {"channels": (1, 3)}
        assert model_spec(name).example_input_shape(channels=3) == (3, 40, 40)


@pytest.mark.parametrize("name", DENOISERS)
@pytest.mark.parametrize("channels", [1, 3])
def test_every_denoiser_restores_an_image_of_the_same_shape(name, channels):
    model = build_model(name, channels=channels, features=8)
    y = torch.rand(2, channels, 24, 20)
    out = model(y)
    assert out.shape == y.shape
    out.sum().backward()


def test_published_parameter_counts_and_receptive_field():
    s = build_model("dncnn_s")
    assert count_parameters(s) == 556_096  # 17 layers, BN separate
    assert count_parameters(fold_batchnorm(s.eval())) == 555_137  # BN folded into the convs
    assert s.receptive_field == 35 and s.depth == 17
    assert build_model("dncnn_b").depth == 20
    assert len(build_model("dncnn_s").body) == 48  # the authors' dncnn.0 … dncnn.47 layout
    assert len(build_model("dncnn_s", batchnorm=False).body) == 33  # KAIR's model.0 … model.32


@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("batchnorm", [True, False])
def test_four_ablation_variants_and_the_residual_identity(residual, batchnorm):
    torch.manual_seed(0)
    model = build_model("dncnn", depth=5, features=8, residual=residual, batchnorm=batchnorm).eval()
    assert model.predicts_residual is residual and model.batchnorm is batchnorm
    has_bn = any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    assert has_bn is batchnorm
    y = torch.rand(1, 1, 16, 16)
    with torch.no_grad():
        restored, noise = model.restore_with_residual(y)
        torch.testing.assert_close(restored + noise, y)
        torch.testing.assert_close(model(y), restored)
        torch.testing.assert_close(model.residual(y), noise)
        if residual:
            torch.testing.assert_close(noise, model.body(y))  # the network's output is the noise
        else:
            torch.testing.assert_close(restored, model.body(y))  # … or the clean image


def test_fold_batchnorm_gives_the_same_output():
    torch.manual_seed(0)
    model = build_model("dncnn_s").eval()
    _randomize_bn(model)
    folded = fold_batchnorm(model)
    assert isinstance(folded, DnCNN) and not folded.batchnorm
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    y = torch.rand(2, 1, 48, 40)
    with torch.no_grad():
        assert (model(y) - folded(y)).abs().max().item() <= 1e-5
    # The original is untouched and still trainable.
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())


def test_bad_options_name_the_valid_ones():
    with pytest.raises(ValueError, match="channels"):
        build_model("dncnn", channels=2)
    with pytest.raises(ValueError, match="depth"):
        build_model("dncnn", depth=1)
    with pytest.raises(ValueError, match="features"):
        build_model("dncnn_s", depth=17)  # depth is fixed for dncnn_s: the error lists the valid options


def test_builds_on_the_meta_device_for_cli_validation():
    with torch.device("meta"):
        model = build_model("dncnn_b", channels=3)
    assert model.channels == 3
