"""workbench.verdicts: the statistics against SciPy and by hand, the sentences, and the degenerate cases."""
from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats

from workbench.compare import group_runs
from workbench.jsonout import dumps
from workbench.store import RunStore
from workbench.studies import FACTOR_TAG, STUDY_TAG
from workbench.verdicts import (
    TEMPLATES,
    VerdictError,
    bootstrap_ci,
    hedges_g,
    metric_unit,
    permutation_p,
    runs_needed,
    two_sample_stats,
    verdict_for_groups,
    verdict_for_runs,
)

# The output-activation study as a user ran it (digits, 3 seeds each): test accuracies.
NONE = [0.944, 0.951, 0.937]
SOFTMAX = [0.680, 0.691, 0.669]
LOG_SOFTMAX = [0.933, 0.950, 0.916]


def config(output="none", seed=0, task="classify", **changes):
    values = {"task": task, "model": "small_cnn", "data": "digits", "epochs": 2, "lr": 0.003, "seed": seed,
              "model_options": {"width": 8, "output": output}}
    values.update(changes)
    return values


def add_run(store, cfg, metrics=None, *, status="finished", tags=(), points=()):
    run_id = store.create_run(task=cfg["task"], model=cfg["model"], dataset=cfg["data"], config=cfg,
                              seed=cfg.get("seed"), tags=tags)
    store.claim_run(run_id)
    store.add_metrics(run_id, list(points))
    fields = {"epoch": 2}
    if metrics is not None:
        fields["summary"] = {"metrics": metrics}
    store.update_run(run_id, **fields)
    store.set_status(run_id, status)
    return run_id


def add_groups(store, groups: dict[str, list[float]], metric="test_accuracy", **kwargs) -> list[int]:
    """One run per value, seeds 0, 1, …, grouped by model_options.output."""
    return [add_run(store, config(output, seed), {metric: value}, **kwargs)
            for output, values in groups.items() for seed, value in enumerate(values)]


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as s:
        yield s


def runs_of(store, ids):
    return [store.get_run(i) for i in ids]


# -- the statistics ------------------------------------------------------------------------------------------
def test_welch_t_and_p_equal_scipy_on_fixed_samples():
    a = [0.71, 0.74, 0.69, 0.77, 0.73]
    b = [0.70, 0.66, 0.68, 0.64]
    s = two_sample_stats(a, b, resamples=2000)
    expected = stats.ttest_ind(a, b, equal_var=False)
    assert s.welch_t == pytest.approx(expected.statistic, rel=1e-12)
    assert s.welch_p == pytest.approx(expected.pvalue, rel=1e-12)
    # Welch–Satterthwaite degrees of freedom, by hand.
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    assert s.welch_df == pytest.approx(df, rel=1e-9)
    assert s.difference == pytest.approx(np.mean(a) - np.mean(b))
    assert (s.n, s.n_baseline) == (5, 4)


def _enumerated_permutation_p(a, b):
    """Every split of the pooled values into groups of len(a) and len(b), as SciPy defines the two-sided p:
    twice the smaller one-sided tail, at most 1."""
    pooled = np.array([*a, *b])
    observed = np.mean(a) - np.mean(b)
    diffs = []
    for chosen in itertools.combinations(range(len(pooled)), len(a)):
        mask = np.zeros(len(pooled), bool)
        mask[list(chosen)] = True
        diffs.append(pooled[mask].mean() - pooled[~mask].mean())
    diffs = np.array(diffs)
    eps = 1e-12
    greater = np.mean(diffs >= observed - eps)
    less = np.mean(diffs <= observed + eps)
    return min(1.0, 2 * min(greater, less)), len(diffs)


@pytest.mark.parametrize("a, b", [([1.0, 2.5, 4.0], [0.5, 0.7, 3.0]),  # overlapping: 20 splits
                                  ([3.1, 2.9], [1.0, 1.4, 0.9]),  # separated: the smallest p of 10 splits
                                  ([0.2, 0.9, 0.4, 0.6], [0.5, 0.1, 0.3, 0.8])])
def test_exact_permutation_p_equals_enumerating_every_split(a, b):
    p, exact, floor = permutation_p(a, b)
    expected, splits = _enumerated_permutation_p(a, b)
    assert exact and splits == math.comb(len(a) + len(b), len(a))
    assert p == pytest.approx(expected)
    assert floor == pytest.approx(2 / splits)
    assert p >= floor - 1e-12


def test_permutation_test_only_for_small_groups():
    rng = np.random.default_rng(1)
    small = two_sample_stats(rng.normal(0, 1, 4), rng.normal(0, 1, 6), resamples=500)
    large = two_sample_stats(rng.normal(0, 1, 5), rng.normal(0, 1, 5), resamples=500)
    assert small.permutation_p is not None and small.permutation_exact
    assert large.permutation_p is None


def test_bootstrap_ci_covers_a_known_difference_in_at_least_90_percent_of_seeded_repetitions():
    true_difference = 1.0
    covered = 0
    repetitions = 200
    for seed in range(repetitions):
        rng = np.random.default_rng(1000 + seed)
        a = rng.normal(true_difference, 1.0, 15)
        b = rng.normal(0.0, 1.0, 15)
        low, high = bootstrap_ci(a, b, resamples=400, seed=seed)
        assert low <= np.mean(a) - np.mean(b) <= high
        covered += low <= true_difference <= high
    assert covered / repetitions >= 0.90


def test_bootstrap_ci_is_seeded_and_equals_a_plain_numpy_bootstrap_closely():
    a, b = np.array(SOFTMAX), np.array(NONE)
    assert bootstrap_ci(a, b, seed=3) == bootstrap_ci(a, b, seed=3)
    # The same percentile interval from an independent resampling of each group with numpy.
    rng = np.random.default_rng(7)
    draws = 20000
    diffs = (rng.choice(a, (draws, len(a))).mean(1) - rng.choice(b, (draws, len(b))).mean(1))
    low, high = bootstrap_ci(a, b, resamples=20000, seed=0)
    assert low == pytest.approx(np.percentile(diffs, 2.5), abs=0.002)
    assert high == pytest.approx(np.percentile(diffs, 97.5), abs=0.002)


def test_hedges_g_equals_the_hand_formula():
    a = [0.71, 0.74, 0.69, 0.77, 0.73]
    b = [0.70, 0.66, 0.68, 0.64]
    n1, n2 = len(a), len(b)
    df = n1 + n2 - 2
    pooled = math.sqrt(((n1 - 1) * np.var(a, ddof=1) + (n2 - 1) * np.var(b, ddof=1)) / df)
    d = (np.mean(a) - np.mean(b)) / pooled
    exact_j = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    assert hedges_g(a, b) == pytest.approx(exact_j * d, rel=1e-12)
    assert hedges_g(a, b) == pytest.approx((1 - 3 / (4 * df - 1)) * d, rel=2e-3)  # Hedges' approximation
    assert hedges_g(b, a) == pytest.approx(-hedges_g(a, b))
    assert hedges_g([1.0], b) is None and hedges_g([1.0, 1.0], [2.0, 2.0]) is None


def _power(effect, n, alpha=0.05):
    """Two-sided two-sample t-test power from the noncentral t, written out here independently."""
    df = 2 * n - 2
    critical = stats.t.ppf(1 - alpha / 2, df)
    noncentrality = effect * math.sqrt(n / 2)
    return (1 - stats.nct.cdf(critical, df, noncentrality)) + stats.nct.cdf(-critical, df, noncentrality)


@pytest.mark.parametrize("effect", [0.5, 0.8, 1.3, -0.68])
def test_runs_needed_is_the_smallest_n_with_power_0_8(effect):
    n = runs_needed(effect)
    assert _power(abs(effect), n) >= 0.8 > _power(abs(effect), n - 1)
    if effect == 0.5:
        assert n == 64  # Cohen's table: d = 0.5, α 0.05 two-sided, power 0.8
    assert runs_needed(0.0) is None and runs_needed(None) is None and runs_needed(0.01) is None


# -- verdicts over the run store ---------------------------------------------------------------------------
def test_clear_effect_sentence_from_the_output_activation_study(store):
    ids = add_groups(store, {"none": NONE, "softmax": SOFTMAX, "log_softmax": LOG_SOFTMAX})
    verdict = verdict_for_runs(store, runs_of(store, ids), by="model_options.output")
    (m,) = verdict.metrics
    assert m.metric == "test_accuracy" and m.unit.unit == "points" and m.higher_is_better
    assert [g.label for g in m.groups] == ["none", "softmax", "log_softmax"]
    assert [g.n for g in m.groups] == [3, 3, 3]
    assert m.groups[1].mean == pytest.approx(np.mean(SOFTMAX))
    assert m.groups[1].std == pytest.approx(np.std(SOFTMAX, ddof=1))
    softmax, log_softmax = m.comparisons
    s = softmax.stats
    assert s.kind == "clear"
    assert s.difference == pytest.approx(np.mean(SOFTMAX) - np.mean(NONE))
    assert s.welch_p == pytest.approx(stats.ttest_ind(SOFTMAX, NONE, equal_var=False).pvalue)
    assert s.permutation_p == pytest.approx(0.1)  # 3 vs 3 fully separated: 2 of 20 splits
    amount = f"{abs(np.mean(SOFTMAX) - np.mean(NONE)) * 100:.1f}"
    low, high = sorted((abs(s.ci_low) * 100, abs(s.ci_high) * 100))
    assert softmax.sentence == (
        f"output=softmax is worse: it lowers test accuracy by {amount} points compared with output=none "
        f"(95 % CI {low:.1f} to {high:.1f} points, p < 0.001, 3 vs 3 runs)")
    assert s.ci_low < s.difference < s.ci_high < 0
    # The exact test's floor is said beside a clear effect.
    assert softmax.notes == ["with 3 vs 3 runs the exact permutation test cannot give p below 0.10"]
    assert log_softmax.stats.kind == "null"


def test_null_effect_sentence_asks_for_the_seeds_a_t_test_would_need(store):
    ids = add_groups(store, {"none": NONE, "log_softmax": LOG_SOFTMAX})
    verdict = verdict_for_runs(store, runs_of(store, ids), by="model_options.output")
    (comparison,) = verdict.metrics[0].comparisons
    s = comparison.stats
    assert s.kind == "null" and s.welch_p >= 0.05
    assert s.hedges_g == pytest.approx(hedges_g(LOG_SOFTMAX, NONE))
    needed = s.runs_needed
    assert _power(abs(s.hedges_g), needed) >= 0.8 > _power(abs(s.hedges_g), needed - 1)
    p = stats.ttest_ind(LOG_SOFTMAX, NONE, equal_var=False).pvalue
    difference = (np.mean(LOG_SOFTMAX) - np.mean(NONE)) * 100
    assert comparison.sentence == (
        f"no difference in test accuracy between output=log_softmax and output=none detectable with 3 runs per "
        f"group (observed {difference:+.1f} points, 95 % CI {s.ci_low * 100:+.1f} to {s.ci_high * 100:+.1f} "
        f"points, p = {p:.2f}): add seeds (about {needed} per group needed for this effect)".replace("-", "−"))
    assert comparison.notes == []


def test_unequal_groups_and_a_negligible_effect_say_so(store):
    ids = add_groups(store, {"none": [0.90, 0.95, 0.85, 0.92], "softmax": [0.902, 0.951, 0.849]})
    (comparison,) = verdict_for_runs(store, runs_of(store, ids), by="model_options.output").metrics[0].comparisons
    assert comparison.stats.runs_needed is None
    assert "detectable with 3 and 4 runs" in comparison.sentence
    assert "more than 1000 runs per group would be needed" in comparison.sentence


def test_psnr_in_db_and_a_loss_where_lower_is_better(store):
    psnr = [add_run(store, config("none", seed, task="denoise", model="dncnn"), {"val_psnr": v})
            for seed, v in enumerate([29.10, 29.20, 29.15])]
    psnr += [add_run(store, config("direct", seed, task="denoise", model="dncnn"), {"val_psnr": v})
             for seed, v in enumerate([27.40, 27.55, 27.50])]
    (comparison,) = verdict_for_runs(store, runs_of(store, psnr), by="model_options.output").metrics[0].comparisons
    assert metric_unit("val_psnr").unit == "dB"
    drop = 29.15 - np.mean([27.40, 27.55, 27.50])
    assert f"is worse: it lowers validation PSNR by {drop:.2f} dB" in comparison.sentence

    losses = add_groups(store, {"none": [0.30, 0.31, 0.29], "softmax": [0.20, 0.21, 0.19]}, metric="test_loss")
    verdict = verdict_for_runs(store, runs_of(store, losses), by="model_options.output", metrics=["test_loss"])
    (comparison,) = verdict.metrics[0].comparisons
    assert verdict.metrics[0].unit.unit == "" and not verdict.metrics[0].higher_is_better
    assert comparison.sentence.startswith("output=softmax is better: it lowers test loss by 0.1 compared with")


def test_a_group_of_one_run_identical_values_and_nan_or_missing_metrics(store):
    single = add_groups(store, {"none": NONE, "softmax": [0.70]})
    (c,) = verdict_for_runs(store, runs_of(store, single), by="model_options.output").metrics[0].comparisons
    assert c.stats.kind == "single_run" and c.stats.welch_p is None and c.stats.ci_low is None
    assert "output=softmax has a single run, so there is no variance" in c.sentence

    same = add_groups(store, {"none": [0.5, 0.5], "softmax": [0.5, 0.5]})
    (c,) = verdict_for_runs(store, runs_of(store, same), by="model_options.output").metrics[0].comparisons
    assert c.stats.kind == "identical"
    assert c.sentence == "output=softmax and output=none gave identical test accuracy in every run (0.0 points)"

    flat = add_groups(store, {"none": [0.5, 0.5], "softmax": [0.6, 0.6]})
    (c,) = verdict_for_runs(store, runs_of(store, flat), by="model_options.output").metrics[0].comparisons
    assert c.stats.kind == "no_variance" and "+10.0 points" in c.sentence and "no spread" in c.sentence

    ids = add_groups(store, {"none": NONE, "softmax": SOFTMAX})
    nan_run = add_run(store, config("softmax", 3), {"test_accuracy": float("nan")})
    missing_run = add_run(store, config("none", 3), {"test_loss": 0.3})
    running = add_run(store, config("none", 4), {"test_accuracy": 0.94}, status="running")
    verdict = verdict_for_runs(store, runs_of(store, [*ids, nan_run, missing_run, running]),
                               by="model_options.output")
    m = verdict.metrics[0]
    assert m.groups[0].missing == [missing_run] and m.groups[1].not_finite == [nan_run]
    assert [g.n for g in m.groups] == [4, 3]
    assert m.notes == [f"test accuracy missing in #{missing_run} (left out)",
                       f"test accuracy is not a number (NaN or infinite) in #{nan_run} (left out)"]
    assert verdict.notes == [f"#{running} not finished: the last recorded value counts"]
    payload = json.loads(dumps(verdict.to_json()))  # strict JSON
    assert payload["metrics"][0]["groups"][1]["not_finite"] == [nan_run]


def test_a_run_without_a_summary_counts_its_curve_s_last_value(store):
    ids = add_groups(store, {"none": NONE, "softmax": SOFTMAX})
    curve_only = add_run(store, config("softmax", 5), points=[(10, 1.0, "test_accuracy", 0.5, 1.0),
                                                            (20, 2.0, "test_accuracy", 0.66, 2.0)])
    m = verdict_for_runs(store, runs_of(store, [*ids, curve_only]), by="model_options.output").metrics[0]
    assert m.groups[1].run_ids[-1] == curve_only and m.groups[1].values[-1] == 0.66 and m.groups[1].n == 4


def test_other_differing_keys_are_named_as_a_possible_cause(store):
    ids = add_groups(store, {"none": NONE})
    ids.append(add_run(store, config("softmax", 0, epochs=5), {"test_accuracy": 0.7}))
    ids.append(add_run(store, config("softmax", 1, epochs=5), {"test_accuracy": 0.71}))
    verdict = verdict_for_runs(store, runs_of(store, ids), by="model_options.output")
    assert verdict.notes == ["the runs also differ in epochs: a difference may not be due to "
                             "model_options.output alone"]


def test_baseline_by_value_or_name_and_the_study_factor_by_default(store):
    tags = lambda output: (f"{STUDY_TAG}output-activation-1", f"{FACTOR_TAG}model_options.output={output}")  # noqa: E731
    ids = [add_run(store, config(output, seed), {"test_accuracy": value}, tags=tags(output))
           for output, values in (("none", NONE), ("softmax", SOFTMAX)) for seed, value in enumerate(values)]
    runs = runs_of(store, ids)
    verdict = verdict_for_runs(store, runs)  # the study's factor
    assert verdict.by == "model_options.output" and verdict.baseline == "none"
    for baseline in ("softmax", "output=softmax", 1):
        flipped = verdict_for_runs(store, runs, baseline=baseline)
        assert flipped.baseline == "softmax"
        (c,) = flipped.metrics[0].comparisons
        assert c.stats.difference == pytest.approx(np.mean(NONE) - np.mean(SOFTMAX))
        assert c.sentence.startswith("output=none is better: it raises test accuracy by")
    with pytest.raises(VerdictError, match="'sigmoid'.*none, softmax"):
        verdict_for_runs(store, runs, baseline="sigmoid")


def test_a_dict_valued_study_factor_groups_by_the_whole_dict_labelled_by_the_tag(store):
    ids = []
    for label, residual in (("residual · BN", True), ("direct · BN", False)):
        for seed, value in enumerate([29.1, 29.2] if residual else [28.0, 28.2]):
            cfg = config(seed=seed, task="denoise", model="dncnn")
            cfg["model_options"] = {"depth": 10, "residual": residual, "batchnorm": True}
            ids.append(add_run(store, cfg, {"val_psnr": value},
                               tags=(f"{STUDY_TAG}dncnn-1", f"{FACTOR_TAG}model_options={label}")))
    verdict = verdict_for_runs(store, runs_of(store, ids))
    assert verdict.by == "model_options"
    assert [g.label for g in verdict.metrics[0].groups] == ["residual · BN", "direct · BN"]
    assert verdict.metrics[0].comparisons[0].group == "model_options=direct · BN"


def test_groups_from_the_compare_view_and_a_translated_sentence(store):
    ids = add_groups(store, {"none": NONE, "softmax": SOFTMAX})
    groups = group_runs(runs_of(store, ids), by="model_options.output")
    german = {TEMPLATES["lowers"]: "senkt", TEMPLATES["worse"]: "schlechter",
              TEMPLATES["clear"]: "{group} ist {judgement}: {direction} {metric} um {amount}{unit} ({p})"}
    verdict = verdict_for_groups(store, groups, translate=lambda text: german.get(text, text))
    assert verdict.metrics[0].comparisons[0].sentence.startswith(
        "output=softmax ist schlechter: senkt test accuracy um 26.4 points (p < 0.001)")


def test_errors_name_what_is_wrong(store):
    ids = add_groups(store, {"none": NONE, "softmax": SOFTMAX})
    runs = runs_of(store, ids)
    with pytest.raises(VerdictError, match="seed"):
        verdict_for_runs(store, runs, by="seed")
    with pytest.raises(VerdictError, match="'model_options.colour'.*model_options.output"):
        verdict_for_runs(store, runs, by="model_options.colour")
    with pytest.raises(VerdictError, match="at least two groups.*got 1"):
        verdict_for_runs(store, runs[:3], by="model_options.output")
    with pytest.raises(VerdictError, match="name the config key.*model_options.output"):
        verdict_for_runs(store, runs)
    with pytest.raises(VerdictError, match="'f1'.*test_accuracy") as unknown:
        verdict_for_runs(store, runs, by="model_options.output", metrics=["f1"])
    assert unknown.value.usage
    unfinished = [add_run(store, config(output, seed), None, status="running")
                  for output in ("none", "softmax") for seed in range(2)]
    with pytest.raises(VerdictError, match="no run has a value of test_accuracy yet") as none_yet:
        verdict_for_runs(store, runs_of(store, unfinished), by="model_options.output")
    assert not none_yet.value.usage
    with pytest.raises(VerdictError, match="several tasks"):
        other = add_run(store, config("softmax", task="hsi"), {"overall_accuracy": 0.9})
        verdict_for_runs(store, runs_of(store, [*ids[:3], other]), by="model_options.output")


def test_a_bootstrap_interval_narrower_than_the_t_test_is_pointed_out(store):
    ids = add_groups(store, {"none": [0.83, 0.84], "softmax": [0.85, 0.86]})
    (c,) = verdict_for_runs(store, runs_of(store, ids), by="model_options.output").metrics[0].comparisons
    assert c.stats.kind == "null" and c.stats.welch_p > 0.05 and c.stats.ci_low > 0  # the two disagree
    assert len(c.notes) == 1 and "with 2 vs 2 runs the bootstrap can only reshuffle" in c.notes[0]


def test_a_numeric_baseline_matches_however_it_is_written(store):
    ids = [add_run(store, config(seed=seed, lr=lr), {"test_accuracy": value})
           for lr, values in ((0.01, [0.90, 0.91]), (0.001, [0.80, 0.82])) for seed, value in enumerate(values)]
    for baseline in ("1e-3", "lr=0.001", "0.0010"):
        assert verdict_for_runs(store, runs_of(store, ids), by="lr", baseline=baseline).baseline == "0.001"


def test_importing_verdicts_loads_neither_torch_nor_qt():
    import subprocess
    import sys

    code = "import sys, workbench.verdicts; print(sorted({'torch', 'PySide6'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
