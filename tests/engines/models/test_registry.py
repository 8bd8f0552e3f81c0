import pytest
import torch

from engines.core.summary import count_flops, count_parameters
from engines.models import MODELS, build_model, model_names

# Image-to-image models (builders marked ``task = "denoise"``) have their own zoo test in test_dncnn.py.
CLASSIFIERS = [n for n in model_names() if getattr(MODELS.get(n), "task", "classify") == "classify"]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_every_model_builds_and_runs_forward_and_backward(name):
    model = build_model(name, num_classes=10)
    x = torch.randn(2, 3, 32, 32)
    out = model(x)
    assert out.shape == (2, 10)
    out.sum().backward()
    assert count_parameters(model) > 0 and count_flops(model, (3, 32, 32)) > 0


def test_unknown_option_names_the_valid_ones():
    with pytest.raises(ValueError, match="width"):
        build_model("small_cnn", wdth=3)


def test_unknown_model_lists_choices():
    with pytest.raises(KeyError, match="small_cnn"):
        build_model("nope")


@pytest.mark.parametrize("output", ["softmax", "log_softmax"])
def test_output_activation_option(output):
    model = build_model("small_cnn", output=output).eval()
    out = model(torch.randn(4, 3, 32, 32))
    probs = out if output == "softmax" else out.exp()
    torch.testing.assert_close(probs.sum(1), torch.ones(4))


def test_flops_of_a_linear_layer_are_two_per_mac():
    layer = torch.nn.Linear(10, 5, bias=False)
    assert count_flops(layer, (10,)) == 2 * 10 * 5
