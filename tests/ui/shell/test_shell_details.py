"""Smaller promises of the shell: lazy imports, persistence, errors, shortcuts list."""
from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from tests.helpers import tiny_config


def test_window_module_does_not_import_torch_or_pyqtgraph_before_first_paint():
    code = ("import sys, workbench.ui.shell.main_window, workbench.ui.shell.app;"
            "heavy = [m for m in ('torch', 'pyqtgraph', 'engines.core.tasks') if m in sys.modules];"
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_layout_and_splitter_sizes_persist(make_window, qtbot):
    win = make_window()
    win.show()
    win.new_run_dock.hide()
    win.central_splitter.setSizes([500, 200])
    qtbot.wait(50)
    state = win.central_splitter.saveState()
    win.close()
    assert QSettings().value("mainWindow/geometry") is not None
    assert QSettings().value("mainWindow/centralSplitter") == state
    again = make_window()
    # restored before the first show (the offscreen screen then clamps the window, which rescales sizes)
    assert again.central_splitter.saveState() == state
    again.show()
    qtbot.wait(50)
    assert again.new_run_dock.isHidden() and not again.runs_dock.isHidden()


def test_ephemeral_window_does_not_overwrite_the_layout(make_window, qtbot):
    win = make_window()
    win.setProperty("ephemeral", True)
    win.show()
    win.close()
    assert QSettings().value("mainWindow/geometry") is None


def test_worker_failure_reaches_the_one_error_handler(make_window, qtbot, tmp_path):
    win = make_window()
    win.show()
    # Valid options (bad values are refused before a run is recorded), data the training child cannot find.
    missing = tmp_path / "no-such-folder"
    config = tiny_config(epochs=1, data="cifar10", data_options={"root": str(missing), "download": False})
    with qtbot.waitSignal(win.runner.run_finished, timeout=60_000) as blocker:
        run_id = win.start_job(config)
    assert blocker.args[1] == "failed"
    assert str(missing) in win.property("last_warning")
    assert win.store.get_run(run_id).status == "failed"
    assert str(missing) in win.store.get_run(run_id).message


def test_shortcuts_are_listed_and_bound(make_window):
    from workbench.ui.shell.main_window import SHORTCUTS

    win = make_window()
    keys = {keys for keys, _ in SHORTCUTS}
    for expected in ("Ctrl+Return", "Space", "Ctrl+.", "Ctrl+D", "Ctrl+F"):
        assert expected in keys
    bound = {a.shortcut().toString() for a in win.actions()}
    for expected in ("Ctrl+Return", "Ctrl+.", "Ctrl+D", "Ctrl+F"):
        assert expected in bound


def test_labs_declare_their_shortcuts_and_the_list_shows_them(make_window):
    from workbench.ui.shell.main_window import SHORTCUTS

    win = make_window()
    win.ensure_ready()
    rows = dict(win.shortcut_rows())
    bound = {a.shortcut().toString() for a in win.actions()}
    # The Denoising lab's File-menu entries, declared by the lab, not by the window's table.
    for keys in ("Ctrl+O", "Ctrl+I", "Ctrl+S"):
        assert keys in bound
        assert "Denoising" in rows[keys]
    assert "Ctrl+O" not in {keys for keys, _ in SHORTCUTS}


def test_queue_runs_one_after_another(make_window, qtbot):
    win = make_window()
    win.show()
    finished = []
    win.runner.run_finished.connect(lambda rid, status, _o: finished.append((rid, status)))
    with qtbot.waitSignal(win.runner.idle, timeout=120_000):
        first = win.start_job(tiny_config(epochs=1, max_steps=3))
        second = win.start_job(tiny_config(epochs=1, max_steps=3, seed=1))
        assert win.queue_list.count() == 1
    assert finished == [(first, "finished"), (second, "finished")]
    assert win.queue_list.count() == 0


def test_cancel_and_discard_removes_the_run(make_window, qtbot):
    win = make_window()
    win.setProperty("auto_confirm", True)
    win.show()
    with qtbot.waitSignal(win.runner.steps, timeout=60_000):
        run_id = win.start_job(tiny_config(epochs=100, batch_size=16))
    with qtbot.waitSignal(win.runner.run_finished, timeout=60_000) as blocker:
        win.discard_run()
    assert blocker.args[1] == "cancelled"
    assert all(r.id != run_id for r in win.store.list_runs())
    from workbench import paths

    assert not paths.run_dir(run_id).exists()


def test_a_saved_device_the_machine_lacks_falls_back_with_a_message(make_window):
    import torch

    from workbench.settings import Settings, save_settings

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU, so 'cuda' resolves")
    save_settings(Settings(device="cuda"))
    win = make_window()
    win.ensure_ready()  # must not raise
    assert "cuda" in win.status_label.text() and "cpu" in win.device_label.text()


def test_the_metric_plot_follows_the_loss_plots_x_range_and_back(qtbot):
    from workbench.ui.shell.curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.show()
    # Plots with data: an empty plot shows a message and keeps its range.
    curves.add_points(1, "loss", [(s, s / 100, 1000.0 + s, 1.0 / s) for s in range(1, 300)])
    curves.add_points(1, "test_accuracy", [(100, 1.0, 1100.0, 0.5), (299, 3.0, 1299.0, 0.7)])
    curves.redraw(force=True)
    loss, metric = curves.loss_plot.getPlotItem().vb, curves.metric_plot.getPlotItem().vb
    loss.setXRange(100, 200, padding=0)
    qtbot.waitUntil(lambda: metric.viewRange()[0] == pytest.approx([100, 200]), timeout=2_000)
    metric.setXRange(10, 50, padding=0)
    qtbot.waitUntil(lambda: loss.viewRange()[0] == pytest.approx([10, 50]), timeout=2_000)


def test_the_faint_raw_loss_is_drawn_for_a_few_runs_with_smoothing_and_left_out_otherwise(qtbot):
    """Up to RAW_LOSS_MAX_RUNS runs with smoothing on: raw and smoothed loss; one run more, or smoothing 0
    (where both would coincide): the smoothed curve alone, holding every point."""
    from workbench.ui.shell.curves import LiveCurves

    curves = LiveCurves()
    qtbot.addWidget(curves)
    curves.show()
    rows = [(s, s / 100, 1000.0 + s, 1.0 / s) for s in range(1, 400)]
    for run_id in range(1, LiveCurves.RAW_LOSS_MAX_RUNS + 1):
        curves.add_points(run_id, "loss", rows)
    curves.redraw()

    def drawn(run_id):
        raw, smooth = curves.runs[run_id].items["loss"]
        lengths = [0 if item.getOriginalDataset()[0] is None else len(item.getOriginalDataset()[0])
                   for item in (raw, smooth)]
        return raw.isVisible(), *lengths

    assert curves.raw_loss_shown()
    assert all(drawn(r) == (True, 399, 399) for r in curves.runs)
    curves.add_points(LiveCurves.RAW_LOSS_MAX_RUNS + 1, "loss", rows)
    curves.redraw()  # not forced: crossing the limit redraws every run
    assert not curves.raw_loss_shown()
    assert all(drawn(r) == (False, 0, 399) for r in curves.runs)
    assert curves.drawn_points(1, "loss") == 399  # the smoothed series stands for the run
    curves.clear()
    curves.add_points(1, "loss", rows)
    curves.smoothing_slider.setValue(0)
    assert drawn(1) == (False, 0, 399)
    curves.smoothing_slider.setValue(50)
    assert drawn(1) == (True, 399, 399)
