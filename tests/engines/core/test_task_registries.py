"""Which models and datasets belong to a task: declared at registration, asked of the registries."""
from __future__ import annotations

import pytest

from engines.core.config import ConfigError
from engines.core.data import DATASETS, dataset_names, dataset_spec, register_dataset
from engines.core.tasks import get_task, make_config, task_names

DATASETS_BY_TASK = {
    "classify": ["cifar10", "digits"],
    "denoise": ["image_folder", "skimage_samples"],
    "hsi": ["hsi_file", "indian_pines", "pavia_university", "salinas"],
    "retrieval": ["dscmr_mat", "image_text", "indian_pines_views", "nus_wide_10k", "pascal_sentence", "wikipedia",
                  "xmedianet"],
}


def test_each_task_lists_exactly_the_datasets_registered_for_it():
    assert set(task_names()) == set(DATASETS_BY_TASK)
    for task, expected in DATASETS_BY_TASK.items():
        assert dataset_names(task=task) == expected == get_task(task).dataset_names()
    assert sorted(dataset_names()) == sorted(sum(DATASETS_BY_TASK.values(), []))
    assert all(set(dataset_spec(name).tasks) <= set(task_names()) for name in dataset_names())


@pytest.mark.parametrize("task", sorted(DATASETS_BY_TASK))
def test_every_task_default_config_validates(task):
    config = make_config(task).validate()
    assert config.model in get_task(task).model_names() and config.data in get_task(task).dataset_names()


@pytest.mark.parametrize(
    "task, values, message",
    [
        ("classify", {"model": "hybridsn"}, "model 'hybridsn' is not a classify model; valid choices: mobilenet_v1, "
                                            "mobilenet_v1_13, mobilenet_v2, resnet18, se_resnet18, small_cnn"),
        ("classify", {"model": "dscmr"}, "model 'dscmr' is not a classify model; valid choices: mobilenet_v1,"),
        ("classify", {"data": "indian_pines"}, "dataset 'indian_pines' is not a classify dataset; valid choices: "
                                               "cifar10, digits"),
        ("hsi", {"model": "small_cnn"}, "model 'small_cnn' is not a hsi model; valid choices: cnn2d, cnn3d, "
                                        "hybridsn, hybridsn_2d3d"),
        ("denoise", {"data": "digits"}, "dataset 'digits' is not a denoise dataset; valid choices: image_folder, "
                                        "skimage_samples"),
        ("retrieval", {"model": "dncnn"}, "model 'dncnn' is not a retrieval model; valid choices: dscmr"),
        ("classify", {"model": "resnet9000"}, "unknown model 'resnet9000'; valid choices: mobilenet_v1,"),
        ("classify", {"data": "mnist"}, "unknown dataset 'mnist'; valid choices: cifar10, digits"),
    ],
)
def test_validate_refuses_a_model_or_dataset_of_another_task(task, values, message):
    with pytest.raises(ConfigError) as info:
        make_config(task, **values).validate()
    assert str(info.value).startswith(message)


def test_a_dataset_registration_names_its_tasks_and_belongs_only_to_them(monkeypatch):
    monkeypatch.setattr(DATASETS, "_items", dict(DATASETS._items))  # the registration is undone after the test

    @register_dataset("tiny_images", tasks=("classify", "denoise"))
    def load_tiny_images(*, seed: int = 0):
        raise NotImplementedError

    assert dataset_spec("tiny_images").loader is load_tiny_images
    assert "tiny_images" in get_task("classify").dataset_names() and "tiny_images" in dataset_names(task="denoise")
    assert "tiny_images" not in get_task("hsi").dataset_names()
    with pytest.raises(ValueError, match="tasks"):
        register_dataset("no_task", tasks="classify")
