"""Help ▸ Course questions: a card per question, "Run this study…" and "Open in Compare", at a laptop's size."""
from __future__ import annotations

import pytest

from tests.workbench.test_answers import _fake_study
from workbench.answers import QUESTIONS, answer, question
from workbench.studies import PRESETS, Calibration
from workbench.ui.shell.answers_view import AnswersDialog
from workbench.ui.shell.study_dialog import StudyDialog


@pytest.fixture
def laptop(make_window, monkeypatch):
    """The window at 1366×768; studies time themselves with a stand-in (no training in these tests)."""
    monkeypatch.setattr(StudyDialog, "calibrate",
                        staticmethod(lambda config, *, should_stop=None: Calibration(epoch=2.0, start=1.0)))
    return make_window(show=True, ready=True, size=(1366, 768))


def _close(dialog: AnswersDialog) -> None:
    if dialog.study_dialog is not None:
        dialog.study_dialog.calibration_job.shutdown()
    dialog.close()


def test_a_card_per_question_with_no_runs_yet(laptop, qtbot):
    dialog = AnswersDialog.show_for(laptop)
    qtbot.waitExposed(dialog)
    assert list(dialog.cards) == [q.name for q in QUESTIONS]
    for q in QUESTIONS:
        card = dialog.cards[q.name]
        assert card.title.text() == q.title and card.mechanism.text() == q.mechanism
        assert "No runs yet" in card.verdict_text()
        assert card.run_button.isVisible() and card.run_button.text() == "Run this study…"
        assert not card.compare_button.isVisible()
        for paper in q.paper():  # the published numbers beside, with their sources
            assert paper.value in card.paper.text() or paper.value.replace("'", "&#x27;") in card.paper.text()
    assert AnswersDialog.show_for(laptop) is dialog  # one dialog per window, raised again
    # It fits the window it belongs to, and every card is as tall as its wrapped text needs (nothing clipped).
    assert dialog.width() <= laptop.width() and dialog.height() <= laptop.height()
    qtbot.waitUntil(lambda: all(card.height() >= card.heightForWidth(card.width())
                                for card in dialog.cards.values()), timeout=3_000)
    _close(dialog)


def test_run_this_study_opens_the_new_study_dialog_on_the_questions_preset(laptop, qtbot, monkeypatch):
    queued = []
    monkeypatch.setattr(laptop, "queue_study", lambda planned, factor: queued.append((planned, factor)))
    dialog = AnswersDialog.show_for(laptop)
    dialog.cards["se-dimension"].run_button.click()
    study = dialog.study_dialog
    qtbot.waitExposed(study)
    preset = PRESETS.get("se-dimension")
    assert isinstance(study, StudyDialog) and study.preset_box.currentData() == "se-dimension"
    assert study.preview.count() == len(preset.values) * preset.seeds
    study.quick.setChecked(True)
    qtbot.waitUntil(lambda: study.estimate_result is not None and study.estimate_result.seconds is not None,
                    timeout=10_000)
    study.ok_button.click()
    assert len(queued) == 1
    planned, factor = queued[0]
    assert factor == "model_options" and len(planned) == len(preset.values) * preset.quick_seeds()
    _close(dialog)


def test_a_card_shows_the_verdict_of_the_users_study_and_opens_it_in_compare(laptop, qtbot):
    ids = _fake_study(laptop.store, "output-activation", "output-activation-20260101-100000",
                      {"none": [0.95, 0.94, 0.96], "softmax": [0.70, 0.68, 0.66], "log_softmax": [0.93, 0.95, 0.94]})
    dialog = AnswersDialog.show_for(laptop)
    card = dialog.cards["output-activation"]
    expected = answer(laptop.store, question("output-activation"))
    text = card.verdict_text()
    assert "No runs yet" not in text and "6 finished" not in text and "9 finished of 9 run(s)" in text
    for sentence in expected.sentences:
        assert sentence in " ".join(text.split())
    assert "output=softmax is worse: it lowers test accuracy by 27.0 points" in " ".join(text.split())
    for group in expected.groups:
        assert group.label in text and f"{group.mean} ± {group.std}" in text
    assert card.compare_button.isVisible() and card.run_button.text() == "Run this study again…"
    assert "No runs yet" in dialog.cards["se-dimension"].verdict_text()  # the other questions stay empty

    card.compare_button.click()
    assert laptop.tabs.currentWidget() is laptop.compare_tab and not dialog.isVisible()
    assert sorted(r.id for r in laptop.compare.runs()) == sorted(ids)
    assert {g.label for g in laptop.compare.groups()} == {"none", "softmax", "log_softmax"}


def test_compare_shows_the_question_a_study_answers_in_its_own_tab(laptop, qtbot):
    ids = _fake_study(laptop.store, "output-activation", "output-activation-20260101-100000",
                      {"none": [0.95, 0.94, 0.96], "softmax": [0.70, 0.68, 0.66]})
    other = _fake_study(laptop.store, "batchnorm", "batchnorm-20260101-100000",
                        {"True": [0.9, 0.91], "False": [0.8, 0.82]})

    laptop.open_compare(other, group_by="model_options.batchnorm")
    compare_tabs = laptop.compare.tabs
    page = laptop.compare.question_page
    assert not compare_tabs.isTabVisible(compare_tabs.indexOf(page))  # no course question asks about this study

    laptop.open_compare(ids, group_by="model_options.output")
    assert compare_tabs.isTabVisible(compare_tabs.indexOf(page)) and laptop.compare.question_card is None
    compare_tabs.setCurrentWidget(page)  # filled when shown
    card = laptop.compare.question_card
    assert card is not None and card.question.name == "output-activation"
    expected = answer(laptop.store, question("output-activation"), study="output-activation-20260101-100000")
    assert expected.sentences and expected.sentences[0] in " ".join(card.verdict_text().split())
    assert not card.run_button.isVisible() and not card.compare_button.isVisible()


def test_a_study_varying_whole_model_options_opens_in_compare_as_one_group_per_variant(laptop, qtbot):
    accuracies = {"none": [0.95, 0.96], "se · avg": [0.97, 0.975], "sse": [0.90, 0.92]}
    ids = _fake_study(laptop.store, "se-dimension", "se-dimension-20260101-100000", accuracies)
    dialog = AnswersDialog.show_for(laptop)
    card = dialog.cards["se-dimension"]
    assert [g.label for g in card.answer.groups] == list(accuracies)
    card.compare_button.click()
    compare = laptop.compare
    assert sorted(r.id for r in compare.runs()) == sorted(ids)
    assert [g.label for g in compare.groups()] == list(accuracies)  # not one group of every run
    assert compare.verdict is not None and len(compare.verdict.metrics[0].comparisons) == len(accuracies) - 1
