"""Answer cards: the newest study of a question's preset, judged by the verdicts, beside the papers' numbers."""
from __future__ import annotations

import pytest

from workbench.answers import QUESTIONS, answer, newest_study, question
from workbench.reference import reference_results
from workbench.store import RunStore
from workbench.studies import PRESETS, plan_preset, plan_study
from workbench.verdicts import verdict_for_runs


def _fake_study(store, preset_name: str, study_id: str, accuracies: dict, *, status: str = "finished"):
    """Runs of a preset's study with given final accuracies (no training), tagged as the dialog tags them."""
    preset = PRESETS.get(preset_name)
    values = [v for v in preset.values if str(v) in accuracies]
    seeds = len(next(iter(accuracies.values())))
    ids = []
    for planned in plan_study(preset.task, preset.base, preset.factor, values, seeds, study_id=study_id):
        value = str(planned.tags[1].partition("=")[2])
        config = planned.config
        run_id = store.create_run(task=config.task, model=config.model, dataset=config.data,
                                  config=config.to_dict(), seed=config.seed, name=planned.name, tags=planned.tags)
        store.update_run(run_id, status=status, epoch=config.epochs,
                         summary={"metrics": {"test_accuracy": accuracies[value][config.seed]}})
        ids.append(run_id)
    return ids


def test_every_question_has_a_registered_preset_a_mechanism_and_published_numbers():
    assert [q.preset for q in QUESTIONS] == ["output-activation", "dncnn-residual", "dscmr-j2", "hybridsn-order",
                                            "se-dimension"]
    for q in QUESTIONS:
        assert q.preset in PRESETS.names() and len(q.mechanism) > 200 and q.paper()
    with pytest.raises(KeyError, match="se-dimension"):
        question("no-such-question")


def test_published_numbers_come_from_the_reference_table():
    table = reference_results()
    dscmr = {(e["dataset"], e.get("losses", "j1+j2+j3")): e["value"] for e in table
             if e["model"] == "dscmr" and e["metric"] == "map_average"}
    shown = {(p.what, p.value) for p in question("dscmr-j2").paper()}
    assert ("Pascal Sentence: without J2", f"mAP {dscmr[('pascal_sentence', 'j1+j3')]:.3f}") in shown
    assert ("NUS-WIDE-10k: without J1", f"mAP {dscmr[('nus_wide_10k', 'j2+j3')]:.3f}") in shown
    set12 = next(e for e in table if e["model"] == "dncnn_s" and e["dataset"] == "set12" and e.get("sigma") == 25)
    assert any(p.value == f"{set12['value']:.2f} dB" for p in question("dncnn-residual").paper())
    squeeze = {p.what: p.value for p in question("se-dimension").paper()}
    assert squeeze["squeeze: average pooling"].startswith("22.28") and squeeze["squeeze: max pooling"].startswith(
        "22.57")


def test_without_runs_a_card_says_so_and_still_has_the_papers_numbers():
    with RunStore() as store:
        a = answer(store, question("se-dimension"))
    assert not a.has_runs and a.study is None and a.sentences == [] and a.verdict is None
    assert len(a.paper) == len(question("se-dimension").paper())


def test_the_newest_study_with_finished_runs_is_judged_and_other_presets_studies_are_not():
    with RunStore() as store:
        old = _fake_study(store, "output-activation", "output-activation-20260101-100000",
                          {"none": [0.95, 0.94, 0.96], "softmax": [0.70, 0.68, 0.66]})
        # A newer study whose runs are only queued, and a study of another preset sharing the name's prefix.
        _fake_study(store, "output-activation", "output-activation-20260102-100000",
                    {"none": [0.1, 0.1], "softmax": [0.1, 0.1]}, status="queued")
        _fake_study(store, "output-activation-mobilenet", "output-activation-mobilenet-20260103-100000",
                    {"none": [0.5, 0.5], "softmax": [0.5, 0.6]})
        assert newest_study(store, "output-activation")[0] == "output-activation-20260101-100000"
        a = answer(store, question("output-activation"), resamples=2000)
        expected = verdict_for_runs(store, [store.get_run(i) for i in old], by="model_options.output",
                                    resamples=2000)
    assert a.study == "output-activation-20260101-100000" and sorted(a.run_ids) == sorted(old)
    assert a.sentences == expected.sentences() and "softmax" in a.sentences[0]
    assert "lowers test accuracy by 27.0 points" in a.sentences[0]  # (0.95 − 0.68) × 100
    assert [(g.label, g.n, g.mean) for g in a.groups] == [("none", 3, "95.0"), ("softmax", 3, "68.0")]
    assert a.metric == "test accuracy" and a.unit == "points"


def test_a_study_with_one_finished_group_explains_why_there_is_no_verdict():
    with RunStore() as store:
        _fake_study(store, "batchnorm", "batchnorm-20260101-100000", {"True": [0.9, 0.91]})
        a = answer(store, question("output-activation"))
        assert not a.has_runs  # another preset's study does not answer this question
        _fake_study(store, "output-activation", "output-activation-20260101-100000", {"none": [0.9, 0.91]})
        a = answer(store, question("output-activation"))
    assert a.has_runs and a.verdict is None and "at least two groups" in a.problem


def test_translate_reaches_the_cards_texts_and_the_verdicts_sentences():
    seen = []

    def translate(context, text):
        seen.append(context)
        return f"[{context}] {text}"

    with RunStore() as store:
        _fake_study(store, "output-activation", "output-activation-20260101-100000",
                    {"none": [0.95, 0.94, 0.96], "softmax": [0.70, 0.68, 0.66]})
        a = answer(store, question("output-activation"), translate=translate, resamples=500)
    assert a.paper[0].what.startswith("[Answers] ")
    assert a.sentences[0].startswith("[Verdicts] ") and {"Answers", "Verdicts"} <= set(seen)
    # Phrases are translated before the numbers go in, so the catalog holds "%1 % top-1 error" once.
    with RunStore() as store:
        values = [p.value for p in answer(store, question("se-dimension"), translate=translate).paper]
    assert "[Answers] 22.28 % top-1 error" in values and "[Answers] 22.57 % top-1 error" in values


@pytest.mark.slow
def test_a_card_is_filled_from_real_tiny_runs():
    from workbench.runner import TrainingSession, create_run

    study = "output-activation-20260101-120000"
    planned = plan_study("classify", {"model": "small_cnn", "data": "digits", "epochs": 1, "max_steps": 3,
                                      "batch_size": 16, "model_options": {"width": 4}},
                         "model_options.output", ["none", "softmax"], 2, study_id=study)
    with RunStore() as store:
        for p in planned:
            run_id = create_run(store, p.config, name=p.name, tags=p.tags)
            assert TrainingSession(p.config, store=store, run_id=run_id).run().status == "finished"
        runs = store.list_runs()
        a = answer(store, question("output-activation"), resamples=500)
        direct = verdict_for_runs(store, runs, resamples=500)
    accuracy = {run.id: run.metrics["test_accuracy"] for run in runs}
    assert a.study == study and sorted(a.run_ids) == sorted(accuracy)
    assert a.sentences == direct.sentences() and len(a.sentences) == 1
    for group in a.groups:  # each group's mean is the mean of its own runs' accuracies
        values = [accuracy[r.id] for r in runs if r.config["model_options"]["output"] == group.label]
        assert group.n == 2 and group.mean == f"{100 * sum(values) / 2:.1f}"


def test_the_se_preset_plans_every_variant_on_the_small_cnn():
    preset = PRESETS.get("se-dimension")
    planned = plan_preset(preset, seeds=1, study_id="se-dimension-20260101-000000")
    options = [p.config.model_options for p in planned]
    assert [o["attention"] for o in options] == ["none", "se", "se", "sse", "scse", "scse"]
    assert options[2]["squeeze"] == "max" and options[5]["combine"] == "max"
    assert {p.config.model for p in planned} == {"small_cnn"} and {p.config.data for p in planned} == {"digits"}
