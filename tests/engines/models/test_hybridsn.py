"""HybridSN's published parameter count and the controls' shapes, on small patches."""
from __future__ import annotations

import pytest
import torch

from engines.core.models import build_model, model_names, model_spec
from engines.core.summary import count_parameters


def test_hybridsn_has_the_course_notes_parameter_count():
    assert count_parameters(build_model("hybridsn", num_classes=16, bands=30, window=25)) == 5_122_176


@pytest.mark.parametrize("name", model_names(task="hsi"))
def test_every_patch_model_trains_on_both_input_layouts(name):
    torch.manual_seed(0)
    model = build_model(name, num_classes=5, bands=16, window=11)
    x = torch.randn(4, 1, 16, 11, 11)
    y = torch.arange(4) % 5
    out = model(x)
    assert out.shape == (4, 5)
    torch.testing.assert_close(model.eval()(x), model(x.squeeze(1)))
    model.train()
    torch.nn.functional.cross_entropy(out, y).backward()
    assert all(p.grad is not None for p in model.parameters())
    assert model_spec(name).example_input_shape(bands=16, window=11) == (1, 16, 11, 11)


def test_bad_options_and_inputs_say_what_fits():
    with pytest.raises(ValueError, match="at least 13"):
        build_model("hybridsn", bands=10)
    with pytest.raises(ValueError, match="odd window"):
        build_model("cnn3d", window=8)
    model = build_model("hybridsn", num_classes=3, bands=15, window=9)
    with pytest.raises(ValueError, match=r"15 bands × 9×9.*\(2, 1, 30, 25, 25\)"):
        model(torch.zeros(2, 1, 30, 25, 25))


@pytest.mark.parametrize("in_channels,path", [(1, "conv2d"), (1, "ndhwc"), (1, "ncdhw"), (8, "ndhwc"), (8, "ncdhw")])
def test_every_cpu_path_of_the_spectral_convolution_is_the_plain_3d_convolution(in_channels, path):
    import torch.nn.functional as F

    from engines.models.hybridsn import SpectralConv3d

    torch.manual_seed(0)
    conv = SpectralConv3d(in_channels, 4, (5, 3, 3))
    x = torch.randn(3, in_channels, 11, 7, 7, requires_grad=True)
    y = conv.run_path(path, x)
    expected = F.conv3d(x, conv.weight, conv.bias)
    torch.testing.assert_close(y, expected, rtol=1e-5, atol=1e-5)
    grads = torch.autograd.grad(y.square().sum(), (x, conv.weight))
    expected_grads = torch.autograd.grad(expected.square().sum(), (x, conv.weight))
    for got, want in zip(grads, expected_grads):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
