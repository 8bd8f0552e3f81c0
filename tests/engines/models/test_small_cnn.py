"""The small CNN's attention options (the SE-dimension study's model) and scSE's combine on the larger models."""
from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.ops import SqueezeExcitation

from engines.models import build_model
from engines.models.attention import ConcurrentSE, MaxSqueezeExcitation, SpatialSE, channel_gates

VARIANTS = {
    "none": {},
    "se avg": {"attention": "se", "squeeze": "avg"},
    "se max": {"attention": "se", "squeeze": "max"},
    "sse": {"attention": "sse"},
    "scse": {"attention": "scse"},
    "scse max-combine": {"attention": "scse", "combine": "max"},
}


def _blocks(model):
    return [m for m in model.modules() if isinstance(m, (SqueezeExcitation, SpatialSE, ConcurrentSE))
            and not any(isinstance(p, ConcurrentSE) and m in p.modules() and p is not m for p in model.modules())]


@pytest.mark.parametrize("label", list(VARIANTS))
def test_every_se_variant_builds_and_trains_a_step(label):
    torch.manual_seed(0)
    options = VARIANTS[label]
    model = build_model("small_cnn", num_classes=10, width=8, reduction=2, **options)
    blocks = _blocks(model)
    assert len(blocks) == (0 if options.get("attention", "none") == "none" else len(model.features))
    for block, conv_block in zip(blocks, model.features):
        assert block in list(conv_block.children())  # one gate per conv block, inside it
    if options.get("squeeze") == "max":
        assert all(isinstance(g, MaxSqueezeExcitation) for _, g in channel_gates(model))
    for block in blocks:
        if isinstance(block, ConcurrentSE):
            assert block.combine == options.get("combine", "add")
    x, y = torch.randn(6, 3, 32, 32), torch.randint(0, 10, (6,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    gate_params = [name for name, _ in model.named_parameters() if "features" in name and ".3." in name]
    assert bool(gate_params) == bool(blocks)  # the gate sits at index 3 of each block, after conv–BN–ReLU
    for name in gate_params:  # the gradient reaches the gates: they learn
        assert not torch.equal(before[name], dict(model.named_parameters())[name])


def test_without_attention_the_layers_and_state_names_are_unchanged():
    plain = build_model("small_cnn", num_classes=10)
    assert [type(m) for m in plain.features[0]] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU, nn.MaxPool2d]
    assert "features.0.0.weight" in plain.state_dict() and not _blocks(plain)


def test_bad_attention_options_are_refused_with_the_choices():
    with pytest.raises(ValueError, match="none, se, sse, scse"):
        build_model("small_cnn", attention="eca")
    with pytest.raises(ValueError, match="add, max"):
        build_model("small_cnn", attention="scse", combine="mean")


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v1_13", "mobilenet_v2", "resnet18", "se_resnet18"])
def test_combine_reaches_every_scse_block_of_the_larger_models(name):
    torch.manual_seed(0)
    add = build_model(name, num_classes=10, width_mult=0.25, attention="scse")
    biggest = build_model(name, num_classes=10, width_mult=0.25, attention="scse", combine="max")
    blocks = [m for m in biggest.modules() if isinstance(m, ConcurrentSE)]
    assert blocks and all(b.combine == "max" for b in blocks)
    assert all(b.combine == "add" for b in add.modules() if isinstance(b, ConcurrentSE))
    biggest.load_state_dict(add.state_dict())  # same parameters: only the merge differs
    x = torch.randn(4, 3, 32, 32)
    with torch.no_grad():  # train mode: batch statistics, so a fresh network's output still depends on its input
        assert not torch.allclose(add(x), biggest(x))


def test_the_classification_labs_excitation_analysis_reads_the_small_cnns_channel_gates():
    from engines.labs.classify.analysis import excitations, se_block_channels

    model = build_model("small_cnn", num_classes=10, width=8, attention="scse").eval()
    channels = se_block_channels(model)
    assert list(channels.values()) == [8, 16, 32]  # one channel gate per conv block, as wide as the block
    found = excitations(model, torch.randn(3, 3, 32, 32))
    assert {name: array.shape for name, array in found.items()} == {name: (3, c) for name, c in channels.items()}
    assert all(((array > 0) & (array < 1)).all() for array in found.values())  # sigmoid gates
