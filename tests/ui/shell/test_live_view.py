"""What the Training tab shows while a run trains: the epoch in progress, a cursor that follows the live end,
and the new run's own metric."""
from __future__ import annotations

from tests.helpers import tiny_config


def test_the_epoch_bar_names_the_epoch_in_progress(qtbot):
    from workbench.ui.shell.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.start(5, {"steps_per_epoch": 45, "epochs": 3, "start_epoch": 0, "start_step": 0, "model": "m",
                    "dataset": "d", "device": "cpu"})
    assert panel.epoch_bar.text() == "epoch 1 of 3" and panel.epoch_bar.value() == 0
    panel.update_step(45, 1.0)
    assert panel.epoch_bar.text() == "epoch 1 of 3"
    panel.update_epoch(1)
    panel.update_step(64, 0.9)  # step 19 of the second epoch
    assert panel.epoch_bar.text() == "epoch 2 of 3" and panel.epoch_bar.value() == 1
    assert panel.step_bar.value() == 19


def test_a_new_run_is_shown_with_its_own_metric_and_the_cursor_follows_its_end(window, qtbot):
    store = window.store
    other = store.create_run(task="retrieval", model="dscmr", dataset="indian_pines_views",
                             config={"task": "retrieval", "model": "dscmr", "data": "indian_pines_views"})
    store.add_metrics(other, [(10, 1.0, "loss", 1.0, 1.0), (10, 1.0, "map_average", 0.5, 1.0)])
    store.set_status(other, "finished")
    window.show_runs([other])
    assert window.curves._metric == "map_average"
    with qtbot.waitSignal(window.runner.run_finished, timeout=120_000):
        run_id = window.start_job(tiny_config(epochs=1))
    # The retrieval run's curves gave way to the classification run's, and its metric is plotted.
    assert set(window.curves.runs) == {run_id}
    assert window.curves._metric == "test_accuracy"
    last = store.get_run(run_id).step
    assert window.scrubber.value() == last and window.scrub_label.text() == f"step {last}"
    header = [window.scrub_table.horizontalHeaderItem(i).text() for i in range(3)]
    assert header == ["Run", "loss", "test_accuracy"]
