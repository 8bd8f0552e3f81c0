"""The New-run form offers exactly the chosen task's models and datasets, as the registries declare them."""
from __future__ import annotations

import pytest

EXPECTED = {
    "classify": (["mobilenet_v1", "mobilenet_v1_13", "mobilenet_v2", "resnet18", "se_resnet18", "small_cnn"],
                 ["cifar10", "digits"]),
    "denoise": (["dncnn", "dncnn_b", "dncnn_s"], ["image_folder", "skimage_samples"]),
    "hsi": (["cnn2d", "cnn3d", "hybridsn", "hybridsn_2d3d"], ["hsi_file", "indian_pines", "pavia_university", "salinas"]),
    "retrieval": (["dscmr"], ["dscmr_mat", "image_text", "indian_pines_views", "nus_wide_10k", "pascal_sentence",
                              "wikipedia", "xmedianet"]),
}


def _items(combo) -> list[str]:
    return [combo.itemData(i) for i in range(combo.count())]


@pytest.fixture
def form(qtbot):
    from workbench.ui.shell.config_form import ConfigForm

    widget = ConfigForm()
    qtbot.addWidget(widget)
    return widget


def test_each_task_offers_exactly_its_registered_models_and_datasets(form):
    from engines.core.tasks import get_task, make_config, task_names

    assert sorted(task_names()) == sorted(EXPECTED)
    for task, (models, datasets) in EXPECTED.items():
        form.set_task(task)
        assert _items(form.editors["model"].widget) == models == get_task(task).model_names()
        assert _items(form.editors["data"].widget) == datasets == get_task(task).dataset_names()
        default = make_config(task)  # the form opens on the task's defaults
        assert form.editors["model"].get() == default.model and form.editors["data"].get() == default.data
        assert form.config().task == task


def test_the_window_task_box_switches_the_form_lists(make_window):
    window = make_window(ready=True)
    box = window.task_box
    for task, (models, datasets) in EXPECTED.items():
        box.setCurrentIndex(box.findData(task))
        assert _items(window.config_form.editors["model"].widget) == models
        assert _items(window.config_form.editors["data"].widget) == datasets


def test_a_model_of_another_task_is_refused_with_the_valid_choices(form):
    form.set_task("classify")
    combo = form.editors["model"].widget
    combo.addItem("hybridsn", "hybridsn")  # as if a stale list offered it
    combo.setCurrentIndex(combo.count() - 1)
    with pytest.raises(ValueError, match="model 'hybridsn' is not a classify model; valid choices: mobilenet_v1"):
        form.config()
    assert not form.error_label.isHidden() and "small_cnn" in form.error_label.text()
    assert form.editors["model"].widget.styleSheet()  # the field is marked
