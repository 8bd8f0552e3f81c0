"""The New-study dialog's time estimate (recorded runs, else a calibration) and its quick variant."""
from __future__ import annotations

import statistics
import time

import pytest

from workbench.store import RunStore
from workbench.studies import PRESETS, Calibration, cost_key, plan_preset
from workbench.ui.shell import study_dialog
from workbench.ui.shell.study_dialog import StudyDialog


@pytest.fixture(autouse=True)
def fresh_calibrations(monkeypatch):
    monkeypatch.setattr(study_dialog, "CALIBRATIONS", {})


def _record_finished(store, planned_run, *, seconds: float, epochs: int, tags=()) -> int:
    config = planned_run.config
    run_id = store.create_run(task=config.task, model=config.model, dataset=config.data, config=config.to_dict(),
                              seed=config.seed, tags=tags)
    now = time.time()
    store.update_run(run_id, status="finished", started_at=now - seconds, finished_at=now, epoch=epochs)
    return run_id


def _dialog(qtbot, store, preset: str) -> StudyDialog:
    dialog = StudyDialog(store=store, preset=preset)
    qtbot.addWidget(dialog)
    return dialog


def test_the_estimate_comes_from_this_machines_finished_runs_of_the_same_configuration(qtbot):
    preset = PRESETS.get("batchnorm")
    with RunStore() as store:
        planned = plan_preset(preset, study_id="old")
        with_bn, without_bn = planned[0], planned[-1]
        # seconds per epoch: 30, 50 and 40 with batch norm (median 40); 90 without; a pretrained run is left out
        for seconds, epochs in ((60, 2), (100, 2), (120, 3)):
            _record_finished(store, with_bn, seconds=seconds, epochs=epochs)
        _record_finished(store, without_bn, seconds=180, epochs=2)
        _record_finished(store, with_bn, seconds=2000, epochs=2, tags=("pretrained",))
        dialog = _dialog(qtbot, store, "batchnorm")
        runs, epochs = len(planned), preset.base["epochs"]
        expected = preset.seeds * epochs * (statistics.median([30, 50, 40]) + 90)
        estimate = dialog.estimate_result
        assert estimate.runs == runs and estimate.seconds == pytest.approx(expected)
        assert estimate.measured_runs == 4
        assert not dialog.calibration_job.busy  # nothing to time: every configuration has runs
        text = dialog.estimate.text()
        assert text.startswith(f"{runs} runs · {runs * epochs} epochs · about {round(expected / 60)} min")
        assert "4 finished run(s)" in text

        dialog.epochs.setValue(5)  # more epochs: the estimate scales with them
        assert dialog.estimate_result.seconds == pytest.approx(expected * 5 / epochs)


def test_without_runs_the_dialog_times_each_configuration_in_the_background(qtbot, monkeypatch):
    timed = []

    def fake_calibrate(config, *, should_stop=None):
        timed.append(cost_key(config))
        # A made-up speed that depends on the configuration: softmax twice as slow as the rest.
        return Calibration(epoch=2.0 if config.model_options["output"] != "softmax" else 4.0, start=1.5)

    monkeypatch.setattr(StudyDialog, "calibrate", staticmethod(fake_calibrate))
    with RunStore() as store:
        dialog = _dialog(qtbot, store, "output-activation")
        assert "timing a few training steps" in dialog.estimate.text()
        with qtbot.waitSignal(dialog.calibration_job.finished, timeout=10_000):
            pass
        qtbot.waitUntil(lambda: dialog.estimate_result.seconds is not None, timeout=5_000)
    preset = PRESETS.get("output-activation")
    epochs, seeds = preset.base["epochs"], preset.seeds
    expected = seeds * ((2 * epochs + 1.5) + (4 * epochs + 1.5) + (2 * epochs + 1.5))
    assert len(timed) == len(preset.values)  # one timing per configuration, not per seed
    assert dialog.estimate_result.seconds == pytest.approx(expected)
    assert dialog.estimate_result.calibrated == 3 and dialog.estimate_result.measured_runs == 0
    assert f"about {round(expected)} s" in dialog.estimate.text() or f"about {round(expected / 60)} min" in \
        dialog.estimate.text()
    assert "timed just now" in dialog.estimate.text()


def test_quick_variant_changes_the_planned_runs_and_the_estimate(qtbot, monkeypatch):
    monkeypatch.setattr(StudyDialog, "calibrate",
                        staticmethod(lambda config, *, should_stop=None: Calibration(epoch=3.0, start=0.5)))
    preset = PRESETS.get("se-dimension")
    with RunStore() as store:
        dialog = _dialog(qtbot, store, "se-dimension")
        qtbot.waitUntil(lambda: dialog.estimate_result.seconds is not None, timeout=10_000)
        full = dialog.estimate_result
        assert len(dialog.planned_runs()) == len(preset.values) * preset.seeds
        dialog.quick.setChecked(True)
        assert dialog.quick.text() == "Quick variant ({})".format(
            " · ".join(f"{key} {value}" for key, value in preset.quick.items()))
        quick_runs = dialog.planned_runs()
        assert dialog.seeds.value() == preset.quick_seeds() and dialog.epochs.value() == preset.quick["epochs"]
        assert len(quick_runs) == len(preset.values) * preset.quick_seeds() == dialog.preview.count()
        assert {r.config.epochs for r in quick_runs} == {preset.quick["epochs"]}
        quick = dialog.estimate_result
        assert quick.seconds == pytest.approx(len(quick_runs) * (preset.quick["epochs"] * 3.0 + 0.5))
        assert quick.seconds < full.seconds
        assert dialog.estimate.text().startswith(f"{len(quick_runs)} runs · ")
        dialog.quick.setChecked(False)  # back to the preset's own counts
        assert dialog.seeds.value() == preset.seeds and len(dialog.planned_runs()) == full.runs


def test_quick_variant_of_a_preset_with_a_data_subset_keeps_the_other_data_options(qtbot):
    preset = PRESETS.get("dncnn-residual")
    assert study_dialog.quick_summary(preset.quick) == "epochs {} · max patches {}".format(
        preset.quick["epochs"], preset.quick["data_options"]["max_patches"])
    quick = plan_preset(preset, quick=True, study_id="q")
    assert {r.config.data_options["max_patches"] for r in quick} == {preset.quick["data_options"]["max_patches"]}
    assert {r.config.epochs for r in quick} == {preset.quick["epochs"]}
    assert len(quick) == len(preset.values) * preset.quick_seeds()


def test_a_custom_study_has_no_quick_variant_and_a_preset_can_be_chosen_by_name(qtbot, monkeypatch):
    monkeypatch.setattr(StudyDialog, "calibrate",
                        staticmethod(lambda config, *, should_stop=None: Calibration(epoch=1.0, start=0.0)))
    with RunStore() as store:
        dialog = _dialog(qtbot, store, "hybridsn-order")
        assert dialog.preset_box.currentData() == "hybridsn-order" and dialog.quick.isEnabled()
        dialog.quick.setChecked(True)
        dialog.preset_box.setCurrentIndex(dialog.preset_box.findData(study_dialog.CUSTOM))
        assert not dialog.quick.isEnabled() and not dialog.quick.isChecked()
        with pytest.raises(KeyError, match="no-such-study"):
            dialog.set_preset("no-such-study")
        dialog.calibration_job.shutdown()


def test_a_calibration_beside_a_training_run_says_it_is_probably_high(qtbot, monkeypatch):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QWidget

    monkeypatch.setattr(StudyDialog, "calibrate",
                        staticmethod(lambda config, *, should_stop=None: Calibration(epoch=1.0, start=0.0)))
    with RunStore() as store:
        window = QWidget()
        qtbot.addWidget(window)
        window.store, window.runner = store, SimpleNamespace(busy=True, current_run_id=7)
        dialog = StudyDialog(window, preset="batchnorm")
        qtbot.waitUntil(lambda: dialog.estimate_result.seconds is not None, timeout=10_000)
        assert "timed while run #7 was training, so probably too high" in dialog.estimate.text()
        dialog.calibration_job.shutdown()
        assert not study_dialog.CALIBRATIONS  # not kept for the next dialog, which times afresh


def test_the_estimate_is_shown_whole_in_the_dialog(qtbot, monkeypatch):
    monkeypatch.setattr(StudyDialog, "calibrate",
                        staticmethod(lambda config, *, should_stop=None: Calibration(epoch=30.0, start=5.0)))
    with RunStore() as store:
        dialog = _dialog(qtbot, store, "hybridsn-order")
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.quick.setChecked(True)
        qtbot.waitUntil(lambda: dialog.estimate_result.seconds is not None, timeout=10_000)
        label = dialog.estimate
        qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=3_000)
        assert label.geometry().bottom() <= dialog.error.geometry().top()  # not under the next row
