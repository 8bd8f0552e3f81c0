"""The Retrieval lab on a real tiny run: browser ranking, precision@k marks, embedding, the J2 study."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.ui.qt_helpers import open_lab

CROP = "0:30,0:36"
TINY = {"data": "indian_pines_views", "data_options": {"crop": CROP, "test_max": 80},
        "model_options": {"hidden": 32, "common": 16}, "batch_size": 32, "lr": 3e-3, "threads": 1}


@pytest.fixture
def trained_run():
    """Two epochs of a small DSCMR on the two views of a cropped Indian Pines scene, recorded in the store."""
    from engines.core.tasks import make_config
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore

    config = make_config("retrieval", epochs=2, **TINY)
    with RunStore() as store:
        run_id = create_run(store, config)
        outcome = TrainingSession(config, store=store, run_id=run_id).run()
    assert outcome.status == "finished", outcome.message
    return run_id


@pytest.fixture
def lab(window):
    return open_lab(window, "Retrieval")


def _expected_precision(lab, modality, query, k):
    from engines.labs.retrieval.metrics import precision_at_k

    embeddings = lab.analysis.after
    labels = lab.analysis.pair.test_labels
    return precision_at_k(embeddings[modality][query:query + 1], embeddings[1 - modality], labels[query:query + 1],
                          labels, ks=(k,))[k]


@pytest.mark.parametrize("direction", [0, 1])
def test_choosing_a_query_lists_results_by_similarity_with_same_class_marks(lab, qtbot, trained_run, direction):
    from engines.labs.retrieval.metrics import cosine_similarity

    with qtbot.waitSignal(lab.analysis_ready, timeout=120_000):
        lab.show_runs([trained_run])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    pair = lab.analysis.pair
    assert "Indian Pines" in lab.features_label.text() and pair.kinds == ("spectrum", "patch")
    browser = lab.browser_tab
    assert browser.analysis is lab.analysis
    browser.direction_box.setCurrentIndex(direction)
    browser.top_box.setValue(15)
    browser.k_box.setValue(10)
    query = 5
    browser.query_list.setCurrentRow(query)
    rows = browser.result_rows()
    assert len(rows) == 15
    similarities = [s for _, s, _ in rows]
    assert similarities == sorted(similarities, reverse=True)
    # The ranking is the engine's cosine ranking of the query against every item of the other modality.
    u, v = lab.analysis.after if direction == 0 else lab.analysis.after[::-1]
    expected = cosine_similarity(u[query:query + 1], v)[0]
    np.testing.assert_allclose(similarities, np.sort(expected)[::-1][:15], rtol=1e-6)
    assert all(same == (pair.test_labels[i] == pair.test_labels[query]) for i, _, same in rows)
    k = 10
    marks = sum(same for _, _, same in rows[:k])
    assert marks == round(_expected_precision(lab, direction, query, k) * k)
    assert f"{marks} of the top {k}" in browser.precision_label.text()
    # Spectra are drawn as curves: the query's (A → B) or the top results' (B → A).
    x, y = browser.spectrum_curves[0].getData()
    assert y is not None and len(y) == 200


def test_embedding_before_and_after_and_loss_term_curves(lab, qtbot, trained_run):
    seen = []
    lab.job.progress.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(lab.analysis_ready, timeout=120_000):
        lab.show_runs([trained_run])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    # The embedding reports its stages (the worker may merge close ones), and the bar ends full with Cancel off.
    done = [d for d, _ in seen]
    assert done == sorted(done) and len(done) >= 2 and seen[-1] == (6, 6)
    assert lab.progress.value() == lab.progress.maximum() and not lab.cancel_button.isEnabled()
    n = len(lab.analysis.pair.test_labels)
    assert lab.space_tab.embedding_points("before") == 2 * n and lab.space_tab.embedding_points("after") == 2 * n
    assert not np.allclose(lab.projection["before"], lab.projection["after"])
    for name in ("j1_loss", "j2_loss", "j3_loss", "map_average"):
        assert len(lab.train_tab.curve_values(name)) == 2, name
    # The browser opens on its first query's results, ranked by similarity.
    browser = lab.browser_tab
    assert browser.query_list.currentRow() == 0 and browser._query == browser.query_list.item(0).data(
        Qt.ItemDataRole.UserRole)
    shown = min(browser.top_box.value(), len(lab.analysis.pair.test_labels))
    assert browser.results.rowCount() == shown
    similarities = [float(browser.results.item(r, 4).text()) for r in range(shown)]
    assert similarities == sorted(similarities, reverse=True)


def test_cancel_stops_the_embedding_between_stages(lab, qtbot, trained_run, monkeypatch):
    import threading

    from engines.labs.retrieval import task

    # The worker waits after the first stage until the window has pressed Cancel, so the test does not race
    # the remaining stages on a busy machine.
    pressed = threading.Event()
    real_analyse = task.analyse

    def analyse(config, checkpoint, *, should_stop=None, progress=None):
        def stage_done(done, of):
            progress(done, of)
            if done == 1:
                assert pressed.wait(60), "Cancel was never pressed"
        return real_analyse(config, checkpoint, should_stop=should_stop, progress=stage_done)

    monkeypatch.setattr(task, "analyse", analyse)

    def on_progress(done, _total):
        if done == 1:
            lab.cancel()
            pressed.set()

    lab.job.progress.connect(on_progress)
    with qtbot.waitSignal(lab.job.cancelled, timeout=120_000):
        lab.show_runs([trained_run])
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.analysis is None and "cancelled" in lab.status.text() and not lab.cancel_button.isEnabled()


def test_loss_checkboxes_set_the_runs_losses(lab):
    train = lab.train_tab
    train.term_boxes["j2"].setChecked(False)
    assert train.train_config().losses == "j1+j3"
    train.term_boxes["j1"].setChecked(False)
    train.term_boxes["j3"].setChecked(False)
    assert train.train() is None and "losses" in lab.status.text()


@pytest.mark.slow
def test_j2_study_runs_end_to_end_and_compare_shows_the_five_variants(window, lab, qtbot):
    from workbench.studies import PRESETS

    study = lab.study_tab
    study.study_seeds.setValue(1)
    study.study_epochs.setValue(1)
    ids = study.run_study(TINY)
    assert len(ids) == 5
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.compare_tab, timeout=240_000)
    groups = window.compare.groups()
    assert [g.label for g in groups] == list(PRESETS.get("dscmr-j2").values)
    assert all(r.status == "finished" for g in groups for r in g.runs)
    rows = {r["label"]: r for r in window.compare.table_values() if r["kind"] != "published"}
    assert all(0.0 < rows[label]["final"] <= 1.0 for label in PRESETS.get("dscmr-j2").values)
    # The lab's table: this study's mAP per variant beside the paper's ablation row.
    study.refresh_study()
    table = {row["losses"]: row for row in study.study_rows}
    assert table["j1+j3"]["paper"] == 0.715 and table["j2+j3"]["paper"] == 0.607
    for group in groups:
        assert table[group.label]["n"] == 1
        assert table[group.label]["mean"] == pytest.approx(group.runs[0].metrics["map_average"])


def test_a_queued_run_is_selected_and_its_epochs_extend_the_loss_term_curves(lab):
    """The container's wiring: the train tab's queued run becomes the lab's run; the runner's epochs of that
    run (and of no other) reach the loss-term curves."""
    from engines.core.tasks import make_config
    from workbench.runner import create_run

    run_id, other = (create_run(lab.store, make_config("retrieval", epochs=2, **TINY)) for _ in range(2))
    lab.train_tab.run_queued.emit(run_id)
    assert lab.run_id == run_id and lab.run_box.currentData() == run_id and not lab.busy
    lab.train_tab.show_curves(run_id)
    assert lab.train_tab.curve_values("j1_loss") == []
    lab.runner.epoch_done.emit(run_id, 1, {"j1_loss": 0.5, "j2_loss": 0.25, "map_average": 0.3})
    lab.runner.epoch_done.emit(other, 2, {"j1_loss": 9.0})
    assert lab.train_tab.curve_values("j1_loss") == [0.5] and lab.train_tab.curve_values("j2_loss") == [0.25]
    assert lab.train_tab.curve_values("map_average") == [0.3] and lab.train_tab.curve_values("j3_loss") == []
