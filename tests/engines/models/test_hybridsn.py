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
