"""The Retrieval lab as a user reads it: staged progress, the study's time estimate and note, the run picker's
status, the precision–recall axes."""
from __future__ import annotations

import numpy as np
import pytest

from tests.ui.labs.retrieval.test_lab import TINY, trained_run  # noqa: F401 - the tiny DSCMR run, a fixture
from tests.ui.qt_helpers import open_lab


@pytest.fixture
def lab(window):
    return open_lab(window, "Retrieval")


def test_the_embedding_shows_counted_stages_at_once_and_a_plain_precision_recall_plot(lab, qtbot, monkeypatch,
                                                                                         trained_run):  # noqa: F811
    from engines.labs.retrieval import task
    from workbench.ui.labs.retrieval.lab import STAGES

    calls = []
    real_analyse = task.analyse
    monkeypatch.setattr(task, "analyse", lambda *args, **kwargs: calls.append(1) or real_analyse(*args, **kwargs))

    assert not lab.progress.isTextVisible()  # an idle bar reads neither 0 % nor 100 %
    seen = []
    lab.job.progress.connect(lambda done, _total: seen.append(done))
    with qtbot.waitSignal(lab.analysis_ready, timeout=120_000):
        lab.show_runs([trained_run])
        lab.show_runs([trained_run])  # picked again while it runs: it goes on, not from the start
        # Determinate from the first moment, and the status line names the stage (not 40 s of a busy bar).
        assert (lab.progress.minimum(), lab.progress.maximum()) == (0, len(STAGES)) and lab.progress.isTextVisible()
        assert f"(step 1 of {len(STAGES)})" in lab.status.text() and "loading the data" in lab.status.text()
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    assert lab.progress.text() == f"{len(STAGES)} / {len(STAGES)}" and "mAP" in lab.status.text()
    assert seen == sorted(set(seen)) and seen[-1] == len(STAGES) and len(calls) == 1  # one analysis, in order

    plot = lab.browser_tab.pr_plot.getPlotItem()
    a, b = lab.analysis.pair.modalities
    assert [label.text for _, label in lab.browser_tab.pr_legend.items] == [f"{a} → {b}", f"{b} → {a}"]
    precision = lab.analysis.scores["pr_curve"]["a2b"]["precision"]
    assert 0 < min(precision) and max(precision) < 1  # shares: pyqtgraph would scale them "(x0.001)" or so
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        assert axis.autoSIPrefixScale == 1.0 and "x0" not in axis.labelString() and "(" not in axis.labelString()
    low, high = plot.getViewBox().viewRange()[1]
    assert low <= 0 < 1 <= high < 1.1  # the whole of [0, 1], whatever the curves' range
    major = plot.getAxis("left").tickValues(low, high, 300)[0][1]
    assert np.isclose(major, 0).any() and np.isclose(major, 1).any()  # ticks read 0 … 1


def test_a_second_analysis_of_the_same_data_says_how_long_is_left(lab, qtbot, trained_run,  # noqa: F811
                                                                    monkeypatch):
    from workbench.ui.labs.retrieval import lab as lab_module

    now = [0.0]
    monkeypatch.setattr(lab_module, "clock", lambda: now[0])
    lab.job.progress.connect(lambda done, total: now.__setitem__(0, 30.0) if done == total else None)
    with qtbot.waitSignal(lab.analysis_ready, timeout=120_000):
        lab.show_runs([trained_run])
        assert "left" not in lab.status.text()  # nothing to go by the first time
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)
    now[0] = 100.0
    with qtbot.waitSignal(lab.analysis_ready, timeout=120_000):
        lab.load_run(trained_run)
        # The first analysis took 30 s (by the test's clock): the same again is left.
        assert lab.status.text().endswith("(step 1 of 6) · 0 s · about 30 s left")
    qtbot.waitUntil(lambda: not lab.busy, timeout=10_000)


def _record(store, config, *, seconds, epochs, status="finished", tags=(), name=""):
    from workbench.runner import create_run

    run_id = create_run(store, config, name=name, tags=tags)
    store.update_run(run_id, status=status, started_at=1000.0, finished_at=1000.0 + seconds, epoch=epochs)
    return run_id


def test_the_study_says_how_many_runs_and_how_long_from_the_users_own_runs(lab):
    from engines.core.tasks import make_config
    from workbench.pretrained import PRETRAINED_TAG
    from workbench.ui.labs.retrieval.study_tab import duration_text

    study = lab.study_tab
    assert study.study_seeds.value() == 1 and study.study_epochs.value() == 20  # five runs first, not fifteen
    # No run of the user's yet: the stated rough guess.
    rate, measured = study.seconds_per_epoch()
    assert measured == 0
    assert study.estimate.text().startswith(f"5 runs · 100 epochs in all · {duration_text(100 * rate)} (a rough")

    full = make_config("retrieval", data="indian_pines_views", epochs=4)
    _record(lab.store, full, seconds=40.0, epochs=4)
    _record(lab.store, full, seconds=60.0, epochs=4)
    _record(lab.store, make_config("retrieval", epochs=4, **TINY), seconds=4.0, epochs=4)  # a crop: quicker
    _record(lab.store, full, seconds=900.0, epochs=4, tags=(PRETRAINED_TAG,))  # trained elsewhere
    _record(lab.store, full, seconds=900.0, epochs=2, status="failed")
    study.refresh_study()
    rate, measured = study.seconds_per_epoch()
    assert measured == 2 and rate == pytest.approx(np.median([40.0 / 4, 60.0 / 4]))
    assert study.estimate.text().startswith(f"5 runs · 100 epochs in all · {duration_text(100 * rate)} on this "
                                            "machine")
    assert f"{rate:.1f} s per epoch" in study.estimate.text()
    # It follows the seeds and epochs as they change.
    study.study_seeds.setValue(3)
    assert study.estimate.text().startswith(f"15 runs · 300 epochs in all · {duration_text(300 * rate)}")
    study.study_epochs.setValue(2)
    assert study.estimate.text().startswith(f"15 runs · 30 epochs in all · {duration_text(30 * rate)}")


def test_the_study_note_says_plainly_what_has_finished(lab):
    from workbench.studies import PRESETS, plan_preset

    study = lab.study_tab
    assert study.study_note.text().startswith("No finished run of this study yet")
    assert "0 finished" not in study.study_note.text() and "–" not in study.study_note.text()
    planned = plan_preset(PRESETS.get("dscmr-j2"), seeds=1)
    for entry, status in zip(planned, ("finished", "finished", "running")):
        _record(lab.store, entry.config, seconds=10.0, epochs=2, status=status, tags=entry.tags, name=entry.name)
    study.refresh_study()
    finished = [r for r in study.study_runs() if r.status == "finished"]
    assert len(finished) == 2
    datasets = ", ".join(sorted({r.dataset for r in finished}))
    assert study.study_note.text().startswith(f"Finished runs of your latest study: 2, on {datasets}.")


@pytest.mark.slow
def test_the_run_picker_follows_a_real_runs_status_to_finished(window, lab, qtbot):
    from engines.core.tasks import make_config
    from workbench.ui.shell.runs_model import status_text

    run_id = window.start_job(make_config("retrieval", epochs=1, **TINY))
    lab.train_tab.run_queued.emit(run_id)
    assert lab.run_box.currentData() == run_id

    def picker_text():
        return lab.run_box.itemText(lab.run_box.findData(run_id))

    assert picker_text().endswith(status_text(lab.store.get_run(run_id).status))
    started = []  # the picker's text when the run starts (connected after the lab's own slot)
    window.runner.run_started.connect(lambda rid, _fields: started.append(picker_text()) if rid == run_id else None)
    with qtbot.waitSignal(lab.analysis_ready, timeout=240_000):  # the finished run's browser opens by itself
        pass
    qtbot.waitUntil(lambda: not lab.busy and not window.runner.busy, timeout=30_000)
    assert lab.store.get_run(run_id).status == "finished"
    assert started and started[0].endswith(f"· {status_text('running')}")
    assert picker_text().endswith(f"· {status_text('finished')}") and "queued" not in picker_text()
    assert lab.run_box.currentData() == run_id
