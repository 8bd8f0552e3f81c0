"""Rebuilding a model from a checkpoint: every way the file can disagree with itself is one CheckpointError."""
from __future__ import annotations

import pytest
import torch

from engines.core.checkpoint import CheckpointError, save_checkpoint
from engines.core.models import load_trained_model
from engines.models import build_model


def _save(path, spec, weights):
    return save_checkpoint({"model_spec": spec, "model": weights}, path)


def test_a_consistent_checkpoint_loads_in_eval_mode(tmp_path):
    model = build_model("small_cnn", width=8)
    loaded = load_trained_model(_save(tmp_path / "ok.pt", {"name": "small_cnn", "options": {"width": 8}},
                                      model.state_dict()))
    assert not loaded.training
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(loaded(x), model.eval()(x))


@pytest.mark.parametrize("spec, weights, message", [
    ({"name": "small_cnn", "options": {"width": 16}}, "width8", "do not fit the model 'small_cnn' it names \\(size mismatch"),
    ({"name": "no_such_model"}, "width8", "'no_such_model' this version does not know"),
    ({"name": "small_cnn", "options": {"nonsense": 1}}, "width8", "cannot be built"),
    ({"options": {}}, "width8", "no model_spec"),
    ({"name": "small_cnn", "options": {"width": 8}}, None, "holds no weights"),
])
def test_a_checkpoint_that_disagrees_with_itself_is_refused_by_name(tmp_path, spec, weights, message):
    state = build_model("small_cnn", width=8).state_dict() if weights else None
    path = _save(tmp_path / "bad.pt", spec, state)
    with pytest.raises(CheckpointError, match=message) as caught:
        load_trained_model(path)
    assert str(path) in str(caught.value)
