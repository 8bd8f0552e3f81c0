"""The model registry: every registered model, grouped by the task its registration declares."""
import pytest
import torch

from engines.core.models import MODELS, build_model, model_names, model_spec, register_model
from engines.core.summary import count_flops, count_parameters
from engines.core.tasks import get_task, task_names

MODELS_BY_TASK = {
    "classify": {"small_cnn", "mobilenet_v1", "mobilenet_v1_13", "mobilenet_v2", "resnet18", "se_resnet18"},
    "denoise": {"dncnn", "dncnn_s", "dncnn_b"},
    "hsi": {"hybridsn", "hybridsn_2d3d", "cnn2d", "cnn3d"},
    "retrieval": {"dscmr"},
}


def test_each_task_lists_exactly_the_models_registered_for_it():
    assert set(task_names()) == set(MODELS_BY_TASK)
    for task, expected in MODELS_BY_TASK.items():
        assert set(model_names(task=task)) == expected
        assert get_task(task).model_names() == sorted(expected)
    assert set(model_names()) == set().union(*MODELS_BY_TASK.values())
    for name in model_names():
        spec = model_spec(name)
        assert spec.name == name and set(spec.tasks) <= set(task_names()) and spec.description


@pytest.mark.parametrize("name", model_names(task="classify"))
def test_every_classifier_builds_and_runs_forward_and_backward(name):
    model = build_model(name, num_classes=10)
    shape = model_spec(name).example_input_shape()
    assert shape == (3, 32, 32)
    out = model(torch.randn(2, *shape))
    assert out.shape == (2, 10)
    out.sum().backward()
    assert count_parameters(model) > 0 and count_flops(model, shape) > 0


@pytest.mark.parametrize("name", sorted(set(model_names()) - set(model_names(task="classify"))))
def test_every_other_model_runs_on_the_example_input_it_registered(name):
    torch.manual_seed(0)
    model = build_model(name).eval()
    shape = model_spec(name).example_input_shape()
    with torch.no_grad():
        out = model(torch.randn(2, *shape))
    first = out[0] if isinstance(out, tuple) else out  # DSCMR returns both modalities' codes and scores
    assert first.shape[0] == 2 and torch.isfinite(first).all()


def test_a_new_model_is_one_registration_and_belongs_only_to_its_tasks(monkeypatch):
    monkeypatch.setattr(MODELS, "_items", dict(MODELS._items))  # the registration is undone after the test

    @register_model("tiny_linear", tasks=("classify",), input_shape=(3, 4, 4))
    def build_tiny_linear(*, num_classes: int = 10) -> torch.nn.Module:
        """A linear classifier on 3×4×4 images."""
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, num_classes))

    assert "tiny_linear" in get_task("classify").model_names()
    assert "tiny_linear" not in get_task("hsi").model_names()
    spec = model_spec("tiny_linear")
    assert spec.builder is build_tiny_linear and spec.description == "A linear classifier on 3×4×4 images."
    assert build_model("tiny_linear", num_classes=3)(torch.zeros(1, *spec.example_input_shape())).shape == (1, 3)


@pytest.mark.parametrize("tasks", ["classify", ()])
def test_a_registration_must_name_its_tasks(tasks):
    with pytest.raises(ValueError, match="tasks"):
        register_model("no_task", tasks=tasks)


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


def test_every_module_in_the_models_package_is_imported_so_a_new_file_registers_itself():
    import pkgutil
    import subprocess
    import sys

    import engines.models

    names = sorted(m.name for m in pkgutil.iter_modules(engines.models.__path__))
    code = ("import sys; from engines.core.models import model_names; model_names(); "
            f"missing = [n for n in {names!r} if 'engines.models.' + n not in sys.modules]; "
            "assert not missing, missing")
    subprocess.run([sys.executable, "-c", code], check=True)
