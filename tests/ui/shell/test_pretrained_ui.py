"""A fresh install, nothing trained: the window offers the shipped models in the labs."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.ui.qt_helpers import drop_files
from workbench import pretrained
from workbench.tasks_meta import primary_metric_name

SHIPPED = pretrained.entries()
SE_ENTRIES = [e for e in SHIPPED if e.task == "classify" and e.config.get("model_options", {}).get("attention") == "se"]
DNCNN_ENTRIES = [e for e in SHIPPED if e.task == "denoise"]


@pytest.fixture
def window(make_window, monkeypatch):
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")  # the suite turns it off elsewhere
    return make_window(show=True, ready=True, size=(1400, 900))


def _installed(window) -> dict[str, int]:
    return {run.summary["pretrained"]["name"]: run.id for run in window.store.list_runs()
            if "pretrained" in run.tags}


def test_fresh_window_installs_every_shipped_model_once(window):
    installed = _installed(window)
    assert sorted(installed) == sorted(e.name for e in SHIPPED)
    assert window.browser.model.rowCount() == len(SHIPPED)
    assert pretrained.install_missing(window.store) == []  # a second start installs nothing


@pytest.mark.skipif(not SE_ENTRIES, reason="no SE model in assets/weights/manifest.json")
def test_attention_view_shows_the_shipped_se_model(window, qtbot):
    from workbench.ui.labs.classify.lab import ClassificationLab

    lab = next(lab for lab in window.labs if isinstance(lab, ClassificationLab))
    attention = lab.attention_tab
    run_id = _installed(window)[SE_ENTRIES[0].name]
    assert attention.se_run_box.findData(run_id) >= 0
    window.tabs.setCurrentWidget(lab)
    lab.tabs.setCurrentWidget(attention)
    assert attention.select_se_run(run_id)
    assert attention.se_run_id == run_id and attention.block_box.count() > 0
    assert attention.bar_chart.bar_count() > 0
    values = np.asarray(attention.bar_chart.values)
    assert np.all((values >= 0) & (values <= 1)) and values.std() > 0  # real sigmoid gates, not a constant


@pytest.mark.skipif(not DNCNN_ENTRIES, reason="no DnCNN in assets/weights/manifest.json yet (trained on a GPU "
                                              "machine, see docs/reproduction.md)")
def test_dropped_image_is_denoised_with_a_shipped_dncnn(window, qtbot, tmp_path):
    lab = next(lab for lab in window.labs if lab.title == "Denoising")
    window.tabs.setCurrentWidget(lab)
    run_id = _installed(window)[DNCNN_ENTRIES[0].name]
    key = f"run:{run_id}"
    lab.refresh_methods()
    assert key in lab.choices
    lab.set_checked([key])
    qtbot.waitUntil(lambda: not lab.busy, timeout=60_000)  # the start-up preview
    path = tmp_path / "camera.png"
    import skimage.data

    Image.fromarray(skimage.data.camera()[100:164, 100:164]).save(path)
    with qtbot.waitSignal(lab.batch_finished, timeout=120_000):
        drop_files(window, [path])
    (outcome,) = [o for o in lab.outcomes.values() if o.results and Path(o.path).name == "camera.png"]
    ((choice, result),) = outcome.results
    assert choice.key == key and result.restored.shape == outcome.noisy.shape
    assert result.psnr is not None and outcome.noisy_psnr is not None and result.psnr > outcome.noisy_psnr + 3


def _sigma_models() -> dict[float | None, str]:
    """The shipped DnCNNs by the σ they were trained for (None: blind)."""
    return {None if e.config.get("blind") else float(e.config["sigma"]): e.name for e in DNCNN_ENTRIES}


@pytest.mark.skipif(25.0 not in _sigma_models(), reason="no shipped DnCNN-S for σ=25")
def test_a_fresh_window_checks_the_shipped_dncnn_for_the_sigma_set(window, qtbot):
    """The window opens on the newest run; the Denoising lab still starts with the model trained for its σ, and
    follows σ to the model for the new one while nobody has chosen."""
    lab = next(lab for lab in window.labs if lab.title == "Denoising")
    window.tabs.setCurrentWidget(lab)
    installed, models = _installed(window), _sigma_models()
    qtbot.waitUntil(lambda: not lab.busy, timeout=60_000)  # the start-up preview
    assert lab.sigma.value() == 25.0 and lab.checked_keys() == [f"run:{installed[models[25.0]]}"]
    for sigma in (15.0, 50.0, 0.0):
        if sigma or None in models:
            lab.sigma.setValue(sigma)
            assert lab.checked_keys() == [f"run:{installed[models[sigma or None]]}"], sigma


@pytest.mark.skipif(len(_sigma_models()) < 2 or 25.0 not in _sigma_models(), reason="fewer than two shipped DnCNNs")
def test_a_window_updated_with_more_shipped_models_still_opens_on_the_labs_default(make_window, monkeypatch, qtbot):
    """An update installs the shipped models the earlier release lacked as newer runs; the window opens on the
    model the manifest lists last (the DnCNN-S for the lab's σ), not on whichever one was installed last."""
    from workbench.store import RunStore

    default = _sigma_models()[25.0]
    assert SHIPPED[-1].name == default
    with RunStore() as store:  # the earlier release had installed the default; the others came with the update
        for entry in sorted(SHIPPED, key=lambda e: e.name != default):
            pretrained.install(entry, store=store)
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")
    window = make_window(show=True, ready=True, size=(1400, 900))
    installed = _installed(window)
    assert max(installed.values()) != installed[default]
    assert window.browser.selected_ids() == [installed[default]]
    lab = next(lab for lab in window.labs if lab.title == "Denoising")
    qtbot.waitUntil(lambda: not lab.busy, timeout=60_000)
    assert lab.checked_keys() == [f"run:{installed[default]}"]


def test_a_window_with_runs_of_ones_own_opens_on_the_newest_of_them(make_window, monkeypatch):
    from tests.helpers import tiny_config
    from workbench.runner import create_run
    from workbench.store import RunStore

    with RunStore() as store:
        own = create_run(store, tiny_config(), name="mine")
    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")  # the shipped runs come after it, with newer ids
    window = make_window(show=True, ready=True, size=(1400, 900))
    assert max(_installed(window).values()) > own
    assert window.browser.selected_ids() == [own]


DSCMR_ENTRIES = [e for e in SHIPPED if e.task == "retrieval"]


@pytest.mark.slow
@pytest.mark.skipif(not DSCMR_ENTRIES, reason="no DSCMR run in assets/weights/manifest.json")
def test_fresh_home_shows_the_shipped_dscmr_run_with_its_training_curves(window, qtbot):
    entry = DSCMR_ENTRIES[0]
    run_id = _installed(window)[entry.name]
    history = pretrained.history_points(entry)
    assert history, "the shipped DSCMR run carries its training history"
    # The Training tab draws the recorded points, not a blank plot.
    window.show_runs([run_id])
    loss_points = sum(1 for p in history if p[2] == "loss")
    assert window.curves.point_count(run_id, "loss") == loss_points > 0
    # The Retrieval lab lists it, shows its loss-term curves and opens its browser.
    lab = next(lab for lab in window.labs if lab.title == "Retrieval")
    window.tabs.setCurrentWidget(lab)
    with qtbot.waitSignal(lab.analysis_ready, timeout=240_000):
        lab.show_runs([run_id])
    expected = [value for _, _, name, value, _ in history if name == "map_average"]
    assert len(expected) == entry.epochs
    assert lab.train_tab.curve_values("map_average") == pytest.approx(expected)
    assert lab.analysis.scores["map_average"] == pytest.approx(entry.evaluation["map_average"], abs=2e-3)  # fp16


def test_a_shipped_run_without_a_history_shows_its_final_values_in_the_training_tab(window):
    """Entries shipped without their training's points (a manifest of an older release) are installed with
    their final evaluation only; the Training tab draws it as one marker at the end of training."""
    import dataclasses

    entry = dataclasses.replace(min(SHIPPED, key=lambda e: e.bytes), history={})
    assert not pretrained.history_points(entry)
    run_id = pretrained.install(entry, store=window.store, known={}).run_id  # beside the one with its history
    assert window.store.metrics(run_id) == []
    window.show_runs([run_id])
    primary = primary_metric_name(entry.task)
    curves = window.curves.runs[run_id]
    assert curves.final[primary] == pytest.approx(entry.evaluation[primary])  # one marker at the end of training
    assert curves.final_epoch == entry.epochs and window.curves.drawn_points(run_id, primary) == 1


HSI_ENTRIES = [e for e in SHIPPED if e.task == "hsi"]


@pytest.mark.slow
@pytest.mark.skipif(not HSI_ENTRIES, reason="no HybridSN in assets/weights/manifest.json")
def test_the_hyperspectral_lab_opens_on_the_shipped_hybridsn_with_its_map(window, qtbot):
    lab = next(lab for lab in window.labs if lab.title == "Hyperspectral")
    run_id = _installed(window)[HSI_ENTRIES[0].name]
    with qtbot.waitSignal(lab.maps_ready, timeout=240_000):
        window.tabs.setCurrentWidget(lab)  # nothing chosen: the newest finished hsi run and its scene
    assert lab.run_ids == [run_id] and lab.missing == [run_id]
    qtbot.waitUntil(lambda: not lab.busy and lab.compute_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(lab.maps_ready, timeout=240_000):
        lab.compute_button.click()
    assert run_id in lab.maps
    (scores,) = lab.map_scores()
    # The dense whole-scene map scores the shipped run's recorded test OA on its own test pixels.
    assert scores["test_pixels"] and scores["overall_accuracy"] == pytest.approx(
        HSI_ENTRIES[0].evaluation["overall_accuracy"], abs=2e-3)


def test_panels_built_while_the_preload_thread_installs_list_each_shipped_model_once(make_window, monkeypatch,
                                                                                     qtbot):
    """A file dropped or a run started on a first launch builds the panels before the preload thread has
    installed the shipped models: they were installed twice then, by both threads."""
    import threading

    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")
    entered, go_on = threading.Event(), threading.Event()
    real_install = pretrained.install

    def held_install(entry, **kwargs):
        if threading.current_thread().name == "engine-preload":
            entered.set()
            go_on.wait(30)
        return real_install(entry, **kwargs)

    monkeypatch.setattr(pretrained, "install", held_install)
    window = make_window(show=True, size=(1400, 900))  # the preload thread starts after the first paint
    qtbot.waitUntil(entered.is_set, timeout=60_000)
    window.ensure_ready()  # as a drop does
    assert window.labs and not window.store.list_runs()  # built at once, not waiting for the install
    go_on.set()
    qtbot.waitUntil(lambda: window.browser.model.rowCount() == len(SHIPPED), timeout=60_000)
    names = [run.summary["pretrained"]["name"] for run in window.store.list_runs() if "pretrained" in run.tags]
    assert sorted(names) == sorted(e.name for e in SHIPPED)  # each once
    assert window.browser.selected_ids() == [_installed(window)[SHIPPED[-1].name]]
