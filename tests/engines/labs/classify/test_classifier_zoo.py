"""Every registered classifier: builds, trains one step on a fixed batch, published parameter counts."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from engines.core.models import build_model, model_names, model_spec
from engines.core.summary import count_parameters

PUBLISHED_PARAMS = {
    "mobilenet_v1": 2_142_026,
    "mobilenet_v1_13": 3_217_226,
    "mobilenet_v2": 2_296_922,
    "se_resnet18": 11_260_354,
}


@pytest.mark.parametrize("name, params", sorted(PUBLISHED_PARAMS.items()))
def test_parameter_counts_match_the_published_architectures(name, params):
    assert count_parameters(build_model(name, num_classes=10)) == params


@pytest.mark.parametrize("name", model_names(task="classify"))
def test_one_optimizer_step_lowers_the_loss_on_a_fixed_batch(name):
    torch.manual_seed(0)
    model = build_model(name, num_classes=7)  # any class count, 32×32×3 input
    x = torch.randn(8, 3, 32, 32)
    y = torch.arange(8) % 7
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    model.train()
    loss = F.cross_entropy(model(x), y)
    assert model(x).shape == (8, 7)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)
    optimizer.step()
    with torch.no_grad():
        assert F.cross_entropy(model(x), y) < loss.detach()


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v2", "resnet18"])
@pytest.mark.parametrize("attention", ["se", "sse", "scse"])
def test_attention_inserts_into_every_block(name, attention):
    plain = build_model(name, width_mult=0.25)
    gated = build_model(name, width_mult=0.25, attention=attention)
    assert count_parameters(gated) > count_parameters(plain)
    out = gated(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 10) and torch.isfinite(out).all()


def test_resnet18_with_se_is_se_resnet18():
    assert count_parameters(build_model("resnet18", attention="se", reduction=16)) == 11_260_354


def test_mobilenet_v2_controls_change_the_architecture():
    base = build_model("mobilenet_v2")
    paper = build_model("mobilenet_v2", paper_residual=True)
    assert count_parameters(paper) < count_parameters(base)  # no 1×1 conv shortcuts
    relu6 = build_model("mobilenet_v2", relu6=True)
    assert any(isinstance(m, torch.nn.ReLU6) for m in relu6.modules())
    assert not any(isinstance(m, torch.nn.ReLU6) for m in base.modules())


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v2", "se_resnet18"])
@pytest.mark.parametrize("output", ["softmax", "log_softmax"])
def test_output_activation_option(name, output):
    model = build_model(name, output=output, width_mult=0.25).eval()
    out = model(torch.randn(3, 3, 32, 32))
    probs = out if output == "softmax" else out.exp()
    torch.testing.assert_close(probs.sum(1), torch.ones(3))


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v1_13", "mobilenet_v2", "resnet18", "se_resnet18"])
def test_builders_declare_choices_and_reject_bad_values(name):
    builder = model_spec(name).builder
    assert set(builder.option_choices) >= {"output", "attention", "squeeze"}
    assert builder.option_aliases == {"r": "reduction"}
    for bad in ({"attention": "cbam"}, {"squeeze": "median"}, {"reduction": 0}, {"output": "sigmoid"},
                {"width_mult": 0.0}):
        with pytest.raises(ValueError, match=str(next(iter(bad.values())))):
            build_model(name, **bad)


def test_the_image_classifiers_are_the_models_registered_for_classify():
    assert model_names(task="classify") == ["mobilenet_v1", "mobilenet_v1_13", "mobilenet_v2", "resnet18",
                                            "se_resnet18", "small_cnn"]


def test_width_multiplier_narrows_and_small_inputs_work():
    narrow = build_model("mobilenet_v2", width_mult=0.5)
    assert count_parameters(narrow) < 2_296_922
    assert build_model("mobilenet_v1", width_mult=0.25)(torch.randn(2, 3, 16, 16)).shape == (2, 10)
