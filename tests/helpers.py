"""Small shared helpers for tests."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from engines.core.events import Event, Failed, Finished


@dataclass
class CliResult:
    """What ``workbench ARGS`` gave: exit code and both streams (see the ``cli`` fixture)."""

    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def final_event(events: Iterable[Event]) -> Event:
    last = None
    for event in events:
        last = event
    assert isinstance(last, (Finished, Failed)), f"stream ended with {last!r}"
    return last


def save_tiny_dncnn(path):
    """A 3-layer, 4-feature DnCNN saved in KAIR's state_dict layout (as the published ``dncnn_25.pth``)."""
    import torch

    from engines.models import build_model
    from engines.models.dncnn import fold_batchnorm

    torch.manual_seed(0)
    model = build_model("dncnn", depth=3, features=4).eval()
    torch.save({k.replace("body.", "model.", 1): v for k, v in fold_batchnorm(model).state_dict().items()}, path)
    return path


def write_matconvnet_v5(path, model):
    """``model`` (a DnCNN) as a MatConvNet simplenn v5 ``.mat``, the layout of the authors' ``sigma=15.mat``:
    per conv layer W as MATLAB's (kh, kw, in, out) and the bias, ReLU layers between (batch norm folded)."""
    import numpy as np
    import scipy.io

    from engines.models.dncnn import fold_batchnorm

    convs = fold_batchnorm(model).convs()
    layers = []
    for i, conv in enumerate(convs):
        weight = conv.weight.detach().numpy().transpose(2, 3, 1, 0)
        layers.append({"type": "conv", "weights": np.array([weight, conv.bias.detach().numpy()[None]], dtype=object)})
        if i < len(convs) - 1:
            layers.append({"type": "relu", "weights": np.zeros((0, 0))})
    cell = np.empty(len(layers), dtype=object)
    cell[:] = layers
    scipy.io.savemat(path, {"net": {"layers": cell}})
    return path


def save_tiny_dncnn_mat(path):
    """The same tiny DnCNN as :func:`save_tiny_dncnn`, as a MatConvNet v5 ``.mat``."""
    import torch

    from engines.models import build_model

    torch.manual_seed(0)
    return write_matconvnet_v5(path, build_model("dncnn", depth=3, features=4).eval())


def tiny_config(**overrides):
    """A fast digits run: narrow model, few steps."""
    from engines.core.tasks import make_config

    values = dict(model="small_cnn", data="digits", epochs=2, batch_size=64, model_options={"width": 8},
                  data_options={"size": 16})
    values.update(overrides)
    return make_config("classify", **values)
