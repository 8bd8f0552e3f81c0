"""Squeeze-and-excitation factories and the hook-based excitation capture."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.ops import SqueezeExcitation

from engines.labs.classify.analysis import (
    class_mean_excitations,
    early_middle_late,
    excitations,
    se_block_channels,
    se_block_names,
)
from engines.models import build_model
from engines.models.attention import (
    ConcurrentSE,
    MaxSqueezeExcitation,
    SpatialSE,
    attention_factory,
    channel_gates,
)


def test_factory_kinds():
    assert attention_factory("none") is None
    se = attention_factory("se", reduction=4)(32)
    assert type(se) is SqueezeExcitation and se.fc1.out_channels == 8
    assert isinstance(attention_factory("se", squeeze="max")(32), MaxSqueezeExcitation)
    assert isinstance(attention_factory("sse")(32), SpatialSE)
    assert isinstance(attention_factory("scse")(32), ConcurrentSE)
    assert attention_factory("se", reduction=64)(16).fc1.out_channels == 1  # never zero hidden units


def test_max_squeeze_uses_the_channel_maximum():
    torch.manual_seed(0)
    gate = MaxSqueezeExcitation(4, 2)
    x = torch.randn(2, 4, 5, 5)
    expected = torch.sigmoid(gate.fc2(torch.relu(gate.fc1(x.amax((2, 3), keepdim=True)))))
    torch.testing.assert_close(gate(x), x * expected)


def test_spatial_gate_rescales_positions_not_channels():
    gate = SpatialSE(3)
    x = torch.randn(1, 3, 4, 4)
    ratio = gate(x) / x
    torch.testing.assert_close(ratio[:, 0], ratio[:, 1])


def test_hooks_capture_the_excitations_that_multiply_the_channels():
    torch.manual_seed(0)
    model = build_model("mobilenet_v2", width_mult=0.25, attention="se", reduction=4).eval()
    names = se_block_names(model)
    assert len(names) == 17 and names == [n for n, _ in channel_gates(model)]
    x = torch.randn(3, 3, 32, 32)
    captured = excitations(model, x)
    name, gate = channel_gates(model)[5]
    assert captured[name].shape == (3, se_block_channels(model)[name])
    # Recompute the gate by hand from its input: the captured vector is what scales the channels.
    inputs = {}
    handle = gate.register_forward_hook(lambda m, i, o: inputs.setdefault("x", i[0]))
    with torch.no_grad():
        model(x)
    handle.remove()
    with torch.no_grad():
        scale = torch.sigmoid(gate.fc2(torch.relu(gate.fc1(inputs["x"].mean((2, 3), keepdim=True))))).flatten(1)
    np.testing.assert_allclose(captured[name], scale.numpy(), rtol=1e-5, atol=1e-6)
    assert early_middle_late(names) == [names[0], names[8], names[16]]


def test_no_se_blocks_is_a_clear_error():
    with pytest.raises(ValueError, match="no channel squeeze-and-excitation"):
        excitations(build_model("mobilenet_v1", width_mult=0.25), torch.randn(1, 3, 32, 32))


def test_class_means_cover_the_chosen_classes():
    from torch.utils.data import TensorDataset

    torch.manual_seed(0)
    model = build_model("se_resnet18", width_mult=0.25).eval()
    data = TensorDataset(torch.randn(12, 3, 32, 32), torch.tensor([0, 1, 2] * 4))
    means = class_mean_excitations(model, data, [0, 2], per_class=3)
    assert list(means) == early_middle_late(se_block_names(model))
    for per_class in means.values():
        assert set(per_class) == {0, 2}
    block = list(means)[0]
    idx = [0, 3, 6]
    expected = excitations(model, torch.stack([data[i][0] for i in idx]), [block])[block].mean(0)
    np.testing.assert_allclose(means[block][0], expected, rtol=1e-5)
