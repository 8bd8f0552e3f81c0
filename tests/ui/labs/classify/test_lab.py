"""The Classification lab through the real window: summary, training, confusion matrix, SE attention view."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.helpers import tiny_config


def lab_of(window):
    from workbench.ui.labs.classify.lab import ClassificationLab

    labs = [lab for lab in window.labs if isinstance(lab, ClassificationLab)]
    assert len(labs) == 1 and window.tabs.indexOf(labs[0]) >= 0
    return labs[0]


def train_se_run(window, qtbot) -> int:
    """A few seconds of a narrow SE MobileNet V1 on 16×16 digits, with per-epoch weights."""
    config = tiny_config(model="mobilenet_v1", epochs=2, batch_size=64, max_steps=0,
                         model_options={"width_mult": 0.25, "attention": "se", "reduction": 4},
                         keep_epoch_weights=True)
    with qtbot.waitSignal(window.runner.run_finished, timeout=180_000) as blocker:
        run_id = window.start_job(config)
    assert blocker.args[1] == "finished"
    return run_id


@pytest.mark.slow
def test_attention_bars_equal_the_hook_captured_excitations(window, qtbot):
    from engines.core.data import load_dataset
    from engines.labs.classify.analysis import excitations, se_block_channels
    from engines.models import load_trained_model

    lab = lab_of(window)
    attention = lab.attention_tab
    run_id = train_se_run(window, qtbot)
    lab.refresh_runs()
    lab.status.setText("Run #99 has no squeeze-and-excitation blocks")  # what an earlier pick left
    assert attention.select_se_run(run_id)
    assert attention.se_run_id == run_id and attention.block_box.count() == 9
    assert lab.status.text().startswith(f"Run #{run_id}: channel weights of 9 ")  # the old message is gone

    model = load_trained_model(window.store.get_run(run_id).checkpoint)
    channels = se_block_channels(model)
    test = load_dataset("digits", seed=0, size=16).test
    attention.image_spin.setValue(7)
    for index in (0, 4, 8):
        attention.block_box.setCurrentIndex(index)
        block = attention.block_box.currentData()
        assert attention.bar_chart.bar_count() == channels[block]
        expected = excitations(model, test[7][0].unsqueeze(0), [block])[block][0]
        np.testing.assert_allclose(attention.bar_chart.values, expected, rtol=1e-5, atol=1e-6)
    # Sorting reorders the same values; hovering names channel and value.
    with qtbot.waitSignal(attention.excitations_changed, timeout=5_000):
        attention.sort_box.setChecked(True)
    assert np.all(np.diff(attention.bar_chart.values) <= 0)
    np.testing.assert_allclose(np.sort(attention.bar_chart.values), np.sort(expected), rtol=1e-5)
    top = int(attention.bar_order[0])
    assert attention.bar_chart.hover_text(0) == f"channel {top}: {expected[top]:.4f}"

    # The scrubber at the end of epoch 1 switches to that epoch's weights.
    first_epoch_end = window.store.metrics(run_id, "test_accuracy")[0].step
    lab.set_cursor(first_epoch_end)
    assert attention.se_checkpoint.endswith("epoch_1.pt")
    lab.set_cursor(10**6)
    assert attention.se_checkpoint.endswith("epoch_2.pt")

    # Class specificity: mean excitations of two classes at early/middle/late blocks, from the worker.
    attention.class_a.setCurrentIndex(3)
    attention.class_b.setCurrentIndex(5)
    with qtbot.waitSignal(attention.class_means_ready, timeout=60_000):
        attention.class_button.click()
    assert len(attention.class_means) == 3
    for block, per_class in attention.class_means.items():
        assert set(per_class) == {3, 5} and per_class[3].shape == (channels[block],)
    names = attention.se_dataset.class_names
    for (plot, _curves), block in zip(attention.class_plots, attention.class_means):
        item = plot.getPlotItem()
        assert block in item.titleLabel.text  # the stage and the block's name
        assert item.getAxis("bottom").labelText == "channel" and item.getAxis("left").labelText == "mean excitation"
        assert [label.text for _, label in item.legend.items] == [names[3], names[5]]


@pytest.mark.slow
def test_dropped_files_convert_or_refuse_with_a_message(window, qtbot, tmp_path):
    from PIL import Image

    lab = lab_of(window)
    attention = lab.attention_tab
    run_id = train_se_run(window, qtbot)
    lab.refresh_runs()
    lab.tabs.setCurrentWidget(lab.attention_tab)  # showing the view loads the selected run
    assert attention.se_run_id == run_id

    text_file = tmp_path / "notes.txt"
    text_file.write_text("not an image")
    assert attention.use_image_file(str(text_file)) is False
    assert "notes.txt" in lab.status.text() and "not an image" in lab.status.text()

    picture = tmp_path / "big.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (50, 40), dtype=np.uint8), mode="L").save(picture)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    event = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(attention.excitations_changed, timeout=5_000):
        lab.dropEvent(event)
    assert "resized from 40×50 to 16×16" in lab.status.text() and "RGB" in lab.status.text()
    assert attention.current_input.shape == (3, 16, 16)


def test_clicking_a_confusion_cell_opens_the_gallery_with_that_cells_images(window, qtbot):
    lab = lab_of(window)
    evaluation = lab.evaluation_tab
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=1))
    lab.refresh_runs()
    lab.tabs.setCurrentIndex(1)
    evaluation.eval_run_box.setCurrentIndex(evaluation.eval_run_box.findData(run_id))
    with qtbot.waitSignal(evaluation.evaluation_ready, timeout=60_000):
        qtbot.mouseClick(evaluation.evaluate_button, Qt.MouseButton.LeftButton)
    ev = evaluation.evaluation
    assert ev.confusion.sum() == len(ev.labels) == 360
    assert evaluation.per_class_chart.bar_count() == 10
    np.testing.assert_allclose(evaluation.per_class_chart.values, np.nan_to_num(ev.per_class_accuracy()))
    assert evaluation.confusion.item(2, 2).text() == str(ev.confusion[2, 2])
    title = evaluation.confusion_title.text()
    assert "rows: true class" in title and "predicted class" in title and not evaluation.confusion_title.isHidden()

    off_diagonal = [(r, c) for r in range(10) for c in range(10) if r != c and ev.confusion[r, c]]
    for r, c in [(3, 3), *off_diagonal[:1]]:
        rect = evaluation.confusion.visualItemRect(evaluation.confusion.item(r, c))
        qtbot.mouseClick(evaluation.confusion.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        expected = [int(i) for i in ev.indices[ev.cell(r, c)]][: evaluation.GALLERY_LIMIT]
        assert evaluation.gallery.indices == expected and evaluation.gallery.count() == len(expected)
        labels = test_labels = [int(evaluation.test_set[i][1]) for i in expected]
        assert set(test_labels) <= {r} and all(int(ev.preds[i]) == c for i in expected)
        assert labels == [r] * len(expected)
    mistakes = evaluation.mistakes.indices
    assert all(ev.preds[i] != ev.labels[i] for i in mistakes)


def test_model_picker_shows_the_summary_and_trains(window, qtbot):
    lab = lab_of(window)
    models = lab.models_tab
    evaluation = lab.evaluation_tab
    assert models.summary is None  # computed when the tab is first shown, not while the window starts
    window.tabs.setCurrentWidget(lab)
    lab.tabs.setCurrentWidget(models)
    models.model_box.setCurrentIndex(models.model_box.findData("mobilenet_v1"))
    assert models.summary.params == 2_142_026
    assert models.summary_table.rowCount() == len(models.summary.rows)
    assert "2,142,026" in models.summary_totals.text() and "1/N + 1/D_K²" in models.summary_totals.text()
    models.attention_box.setCurrentIndex(models.attention_box.findData("se"))
    assert models.summary.params > 2_142_026
    models.recipe_box.setCurrentIndex(models.recipe_box.findData("course"))
    config = models.train_config()
    assert (config.epochs, config.optimizer, config.batch_size) == (10, "sgd", 128)
    assert config.model_options == {"attention": "se"} and config.keep_epoch_weights
    models.model_box.setCurrentIndex(models.model_box.findData("small_cnn"))
    models.recipe_box.setCurrentIndex(0)
    models.epochs_box.setValue(1)
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000) as blocker:
        run_id = models.train()
    assert blocker.args[0] == run_id and blocker.args[1] == "finished"
    assert evaluation.eval_run_box.findData(run_id) >= 0  # the finished run is offered for evaluation


@pytest.mark.slow
def test_output_activation_study_runs_and_compare_shows_both_groups(window, qtbot):
    from workbench.studies import PRESETS, plan_preset

    preset = PRESETS.get("output-activation-mobilenet")
    # The preset's own values and seeds; only the cost is shrunk for the test.
    planned = plan_preset(preset, overrides={"model_options": {"width_mult": 0.25}, "data_options": {"size": 16},
                                             "max_steps": 3, "batch_size": 16, "epochs": 1})
    assert len(planned) == 4
    window.queue_study(planned, preset.factor)
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.compare_tab, timeout=240_000)
    groups = window.compare.groups()
    assert len(groups) == 2 and sorted(len(g.runs) for g in groups) == [2, 2]
    assert all(r.status == "finished" for g in groups for r in g.runs)


def test_the_attention_view_offers_only_runs_with_channel_attention(window):
    """Runs without squeeze-and-excitation blocks have no excitations: the attention view does not list them
    (se and scse do; sse is spatial only; se_resnet18 has SE by default)."""
    store = window.store
    made = {}
    for label, model, options in (("plain", "small_cnn", {}), ("se", "mobilenet_v2", {"attention": "se"}),
                                  ("scse", "mobilenet_v1", {"attention": "scse"}),
                                  ("sse", "mobilenet_v1", {"attention": "sse"}),
                                  ("none", "mobilenet_v2", {"attention": "none"}), ("default_se", "se_resnet18", {})):
        made[label] = store.create_run(task="classify", model=model, dataset="digits",
                                       config={"model": model, "data": "digits", "model_options": options})
    lab = lab_of(window)
    lab.attention_tab.set_runs([store.get_run(i) for i in made.values()])
    box = lab.attention_tab.se_run_box
    offered = {box.itemData(i) for i in range(box.count())}
    assert offered == {made["se"], made["scse"], made["default_se"]}
    lab.evaluation_tab.set_runs([store.get_run(i) for i in made.values()])  # evaluation still offers them all
    assert lab.evaluation_tab.offers(made["plain"])
