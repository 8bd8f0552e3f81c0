"""Verdicts: is the difference between groups of runs real, how large is it, and how many seeds would tell?

For runs grouped by one factor (a config key such as ``model_options.output``, or a study's factor), per metric:
each group's n, mean ± sample std; each group's difference to the baseline group with a 95 % bootstrap
confidence interval (:func:`scipy.stats.bootstrap`, the two samples resampled independently), Welch's t-test
(:func:`scipy.stats.ttest_ind` with ``equal_var=False``), an exact permutation test when a group has fewer than
:data:`PERMUTATION_BELOW` runs (:func:`scipy.stats.permutation_test` over every split), Hedges' g, and one plain
sentence. A difference too small to tell gets the number of runs per group a t-test would need to detect it.

Pure data over the run store (no Qt, no torch), so the compare view, ``workbench compare`` and tests share it.
Every sentence is built by :func:`render` from :data:`TEMPLATES` (``{}`` placeholders), so the window can pass a
``translate`` function and show them in its language.
"""
from __future__ import annotations

import dataclasses
import inspect
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from scipy import special, stats

from workbench.compare import (
    RunGroup,
    config_diff,
    finite,
    flatten_config,
    group_runs,
    metric_higher_is_better,
    run_summary,
)
from workbench.jsonout import strict
from workbench.store import Run, RunStore
from workbench.studies import QT_TRANSLATE_NOOP, factor_of, factor_short_name
from workbench.tasks_meta import primary_metric_name

CONFIDENCE = 0.95
ALPHA = 0.05
POWER = 0.8
RESAMPLES = 10_000
PERMUTATION_BELOW = 5  # a group with fewer runs than this also gets the exact permutation test
EXACT_PERMUTATIONS_MAX = 200_000  # more splits than this: a seeded random sample of them instead
MAX_RUNS_NEEDED = 1000  # the power search stops here ("more than 1000 per group")

Translate = Callable[[str], str]

# Every user-visible sentence, with named ``{}`` placeholders. The window translates them in context
# "Verdicts" (QT_TRANSLATE_NOOP marks them for lupdate); the CLI prints them as they are.
TEMPLATES: dict[str, str] = {
    "clear": QT_TRANSLATE_NOOP(
        "Verdicts", "{group} is {judgement}: it {direction} {metric} by {amount}{unit} compared with {baseline} "
                    "(95 % CI {low} to {high}{unit}, {p}, {n} vs {n_baseline} runs)"),
    "null": QT_TRANSLATE_NOOP(
        "Verdicts", "no difference in {metric} between {group} and {baseline} detectable with {runs} "
                    "(observed {difference}{unit}, 95 % CI {low} to {high}{unit}, {p}): add seeds "
                    "(about {needed} per group needed for this effect)"),
    "null_tiny": QT_TRANSLATE_NOOP(
        "Verdicts", "no difference in {metric} between {group} and {baseline} detectable with {runs} "
                    "(observed {difference}{unit}, 95 % CI {low} to {high}{unit}, {p}): the observed "
                    "effect is so small that more than {needed} runs per group would be needed to detect it"),
    "single_run": QT_TRANSLATE_NOOP(
        "Verdicts", "{group} differs from {baseline} in {metric} by {difference}{unit}, but {which} has a single "
                    "run, so there is no variance to judge the difference against: add seeds"),
    "single_run_both": QT_TRANSLATE_NOOP(
        "Verdicts", "{group} differs from {baseline} in {metric} by {difference}{unit}, but each has a single "
                    "run, so there is no variance to judge the difference against: add seeds"),
    "no_variance": QT_TRANSLATE_NOOP(
        "Verdicts", "{group} differs from {baseline} in {metric} by {difference}{unit} and every run of each "
                    "group gave the same value: with no spread between seeds there is nothing to test against "
                    "(the seed does not change this metric)"),
    "identical": QT_TRANSLATE_NOOP(
        "Verdicts", "{group} and {baseline} gave identical {metric} in every run ({value}{unit})"),
    "no_values": QT_TRANSLATE_NOOP("Verdicts", "no run of {which} has a value of {metric}: nothing to compare"),
    "no_values_both": QT_TRANSLATE_NOOP(
        "Verdicts", "no run of {group} or {baseline} has a value of {metric}: nothing to compare"),
    "p_equals": QT_TRANSLATE_NOOP("Verdicts", "p = {p}"),
    "p_below": QT_TRANSLATE_NOOP("Verdicts", "p < {p}"),
    "runs_per_group": QT_TRANSLATE_NOOP("Verdicts", "{n} runs per group"),
    "runs_each": QT_TRANSLATE_NOOP("Verdicts", "{n} and {n_baseline} runs"),
    "raises": QT_TRANSLATE_NOOP("Verdicts", "raises"),
    "lowers": QT_TRANSLATE_NOOP("Verdicts", "lowers"),
    "better": QT_TRANSLATE_NOOP("Verdicts", "better"),
    "worse": QT_TRANSLATE_NOOP("Verdicts", "worse"),
    "points": QT_TRANSLATE_NOOP("Verdicts", " points"),
    "dB": QT_TRANSLATE_NOOP("Verdicts", " dB"),
    "missing": QT_TRANSLATE_NOOP("Verdicts", "{metric} missing in {runs} (left out)"),
    "not_finite": QT_TRANSLATE_NOOP("Verdicts", "{metric} is not a number (NaN or infinite) in {runs} (left out)"),
    "unfinished": QT_TRANSLATE_NOOP("Verdicts", "{runs} not finished: the last recorded value counts"),
    "confounded": QT_TRANSLATE_NOOP(
        "Verdicts", "the runs also differ in {keys}: a difference may not be due to {factor} alone"),
    "bootstrap_narrow": QT_TRANSLATE_NOOP(
        "Verdicts", "the bootstrap interval leaves out 0 but the t-test does not find a difference: with {n} vs "
                    "{n_baseline} runs the bootstrap can only reshuffle the same few values and understates the "
                    "uncertainty; trust the t-test"),
    "permutation_floor": QT_TRANSLATE_NOOP(
        "Verdicts", "with {n} vs {n_baseline} runs the exact permutation test cannot give p below {p}"),
}

# Names as a sentence says them; others lose their underscores.
METRIC_LABELS: dict[str, str] = {
    "test_accuracy": QT_TRANSLATE_NOOP("Verdicts", "test accuracy"),
    "best_test_accuracy": QT_TRANSLATE_NOOP("Verdicts", "best test accuracy"),
    "overall_accuracy": QT_TRANSLATE_NOOP("Verdicts", "overall accuracy"),
    "average_accuracy": QT_TRANSLATE_NOOP("Verdicts", "average accuracy"),
    "val_psnr": QT_TRANSLATE_NOOP("Verdicts", "validation PSNR"),
    "val_ssim": QT_TRANSLATE_NOOP("Verdicts", "validation SSIM"),
    "map_average": QT_TRANSLATE_NOOP("Verdicts", "mAP"),
    "test_loss": QT_TRANSLATE_NOOP("Verdicts", "test loss"),
}

# Fractions shown as points (× 100): accuracies, precisions, mAP.
_FRACTION_WORDS = ("accuracy", "map", "precision", "recall", "iou", "f1")


def render(key: str, translate: Translate | None = None, **fields: Any) -> str:
    """The sentence ``key`` of :data:`TEMPLATES` with its placeholders filled (translated first, if asked)."""
    template = TEMPLATES[key]
    return (translate(template) if translate else template).format(**fields)


class VerdictError(ValueError):
    """Input a verdict cannot be built from; ``usage`` tells bad input (exit 2) from missing results (exit 1)."""

    def __init__(self, message: str, *, usage: bool = True) -> None:
        super().__init__(message)
        self.usage = usage


# -- the statistics of two samples ----------------------------------------------------------------------------
# SciPy ≥ 1.15 takes ``rng``; the older releases the project allows (≥ 1.11) take ``random_state``.
_RNG_KEYWORD = "rng" if "rng" in inspect.signature(stats.bootstrap).parameters else "random_state"


def _rng_option(seed: int) -> dict[str, Any]:
    return {_RNG_KEYWORD: np.random.default_rng(seed)}


def _difference_of_means(sample: np.ndarray, baseline: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(sample, axis=axis) - np.mean(baseline, axis=axis)


def bootstrap_ci(sample: Sequence[float], baseline: Sequence[float], *, resamples: int = RESAMPLES, seed: int = 0,
                 confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The percentile bootstrap interval of ``mean(sample) − mean(baseline)``, each sample resampled on its own.

    Percentile rather than SciPy's default BCa: with three runs a group, BCa's jackknife acceleration rests on
    three values and swings the interval; the percentile interval stays the plain quantiles of the resampled
    differences. Two constant samples give the exact difference twice.
    """
    a, b = np.asarray(sample, float), np.asarray(baseline, float)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        difference = float(a.mean() - b.mean())
        return difference, difference
    result = stats.bootstrap((a, b), _difference_of_means, paired=False, vectorized=True, n_resamples=resamples,
                             confidence_level=confidence, method="percentile", **_rng_option(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def permutation_p(sample: Sequence[float], baseline: Sequence[float], *, seed: int = 0) -> tuple[float, bool, float]:
    """Two-sided permutation p of the difference of means: ``(p, exact, smallest possible p)``.

    Exact (every split of the pooled runs into groups of the two sizes) up to :data:`EXACT_PERMUTATIONS_MAX`
    splits, else 9 999 seeded random splits. The smallest p an exact test can give is 2 / number of splits.
    """
    a, b = np.asarray(sample, float), np.asarray(baseline, float)
    splits = math.comb(len(a) + len(b), len(a))
    exact = splits <= EXACT_PERMUTATIONS_MAX
    result = stats.permutation_test((a, b), _difference_of_means, permutation_type="independent", vectorized=True,
                                    n_resamples=np.inf if exact else 9999, alternative="two-sided",
                                    **({} if exact else _rng_option(seed)))
    return float(result.pvalue), exact, min(1.0, 2.0 / splits)


def hedges_g(sample: Sequence[float], baseline: Sequence[float]) -> float | None:
    """``(mean(sample) − mean(baseline)) / pooled sample std``, times the exact small-sample correction
    J = Γ(df/2) / (√(df/2) Γ((df − 1)/2)), df = n₁ + n₂ − 2 (Hedges 1981; ≈ 1 − 3 / (4 df − 1)).
    ``None`` with fewer than two runs in a group or no spread at all."""
    a, b = np.asarray(sample, float), np.asarray(baseline, float)
    if len(a) < 2 or len(b) < 2:
        return None
    df = len(a) + len(b) - 2
    pooled = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / df)
    if pooled == 0:
        return None
    correction = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    return float(correction * (a.mean() - b.mean()) / pooled)


def t_test_power(effect: float, n: int | np.ndarray, *, alpha: float = ALPHA) -> np.ndarray:
    """Power of the two-sided two-sample t-test with ``n`` runs per group for a standardised effect ``effect``
    (the noncentral t: df = 2n − 2, noncentrality = effect · √(n / 2)). With equal groups and variances
    Welch's test has the same power."""
    n = np.asarray(n, dtype=float)
    df = 2 * n - 2
    noncentrality = abs(effect) * np.sqrt(n / 2)
    critical = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality)


def runs_needed(effect: float | None, *, power: float = POWER, alpha: float = ALPHA,
                most: int = MAX_RUNS_NEEDED) -> int | None:
    """The fewest runs per group (≥ 2) whose t-test detects ``effect`` with ``power`` at ``alpha``;
    ``None`` when even ``most`` runs per group would not (or there is no effect to detect)."""
    if effect is None or not math.isfinite(effect) or effect == 0:
        return None
    n = np.arange(2, most + 1)
    enough = np.nonzero(t_test_power(effect, n, alpha=alpha) >= power)[0]
    return int(n[enough[0]]) if enough.size else None


@dataclass
class TwoSampleStats:
    """One group against the baseline group; values in the metric's own units (not points)."""

    n: int
    n_baseline: int
    difference: float | None  # mean(group) − mean(baseline)
    ci_low: float | None = None
    ci_high: float | None = None
    welch_t: float | None = None
    welch_df: float | None = None
    welch_p: float | None = None
    permutation_p: float | None = None  # only when a group has fewer than PERMUTATION_BELOW runs
    permutation_exact: bool | None = None
    permutation_min_p: float | None = None
    hedges_g: float | None = None
    runs_needed: int | None = None  # per group, for the observed g at α 0.05 and power 0.8
    kind: str = "null"  # clear | null | single_run | no_variance | identical | no_values


def two_sample_stats(sample: Sequence[float], baseline: Sequence[float], *, resamples: int = RESAMPLES,
                     seed: int = 0) -> TwoSampleStats:
    """Everything a verdict says about ``sample`` against ``baseline`` (finite values only)."""
    a, b = np.asarray(sample, float), np.asarray(baseline, float)
    out = TwoSampleStats(n=len(a), n_baseline=len(b), difference=None)
    if not len(a) or not len(b):
        out.kind = "no_values"
        return out
    out.difference = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        out.kind = "single_run"
        return out
    if np.ptp(a) == 0 and np.ptp(b) == 0:  # no spread: nothing for a test to weigh the difference against
        out.ci_low = out.ci_high = out.difference
        out.kind = "identical" if out.difference == 0 else "no_variance"
        return out
    out.ci_low, out.ci_high = bootstrap_ci(a, b, resamples=resamples, seed=seed)
    welch = stats.ttest_ind(a, b, equal_var=False)
    out.welch_t, out.welch_p, out.welch_df = float(welch.statistic), float(welch.pvalue), float(welch.df)
    if min(len(a), len(b)) < PERMUTATION_BELOW:
        out.permutation_p, out.permutation_exact, out.permutation_min_p = permutation_p(a, b, seed=seed)
    out.hedges_g = hedges_g(a, b)
    ci_excludes_zero = out.ci_low > 0 or out.ci_high < 0
    out.kind = "clear" if out.welch_p < ALPHA and ci_excludes_zero else "null"
    if out.kind == "null":
        out.runs_needed = runs_needed(out.hedges_g)
    return out


# -- units and numbers --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricUnit:
    """How a metric's numbers are shown: ``value × scale`` with ``decimals`` and a unit key of TEMPLATES."""

    scale: float = 1.0
    unit: str = ""  # "points", "dB" or "" (the metric's own units)
    decimals: int | None = None  # None: three significant digits

    def number(self, value: float | None, *, signed: bool = False) -> str:
        if value is None or not math.isfinite(value):
            return "–"
        shown = value * self.scale
        if self.decimals is None:
            text = f"{shown:+.3g}" if signed else f"{shown:.3g}"
        else:
            text = f"{shown:+.{self.decimals}f}" if signed else f"{shown:.{self.decimals}f}"
        return text.replace("-", "−")


def metric_unit(name: str, values: Sequence[float] = ()) -> MetricUnit:
    """Points (× 100, one decimal) for fractions in [0, 1] (accuracies, mAP); dB (two decimals) for PSNR;
    the metric's own units otherwise."""
    lowered = name.lower()
    if "psnr" in lowered:
        return MetricUnit(1.0, "dB", 2)
    if any(word in lowered for word in _FRACTION_WORDS) and all(0.0 <= v <= 1.0 for v in values):
        return MetricUnit(100.0, "points", 1)
    return MetricUnit()


def metric_label(name: str, translate: Translate | None = None) -> str:
    if name in METRIC_LABELS:
        return translate(METRIC_LABELS[name]) if translate else METRIC_LABELS[name]
    return name.replace("_", " ").replace("psnr", "PSNR").replace("ssim", "SSIM")


def format_p(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}" if p < 0.995 else "1"


def p_phrase(p: float | None, translate: Translate | None = None) -> str:
    """``p = 0.002`` or ``p < 0.001``."""
    text = format_p(p)
    if text.startswith("< "):
        return render("p_below", translate, p=text[2:])
    return render("p_equals", translate, p=text)


# -- groups of runs ------------------------------------------------------------------------------------------
@dataclass
class GroupStats:
    label: str  # the factor's value as the compare view labels the group
    name: str  # what a sentence calls it: "output=softmax"
    run_ids: list[int]
    values: list[float]  # the finite values, in run order
    n: int
    mean: float | None
    std: float | None  # sample std (ddof 1); None for fewer than two values
    missing: list[int] = field(default_factory=list)  # runs without the metric
    not_finite: list[int] = field(default_factory=list)  # runs whose value is NaN or infinite


@dataclass
class Comparison:
    group: str
    baseline: str
    stats: TwoSampleStats
    sentence: str
    notes: list[str] = field(default_factory=list)


@dataclass
class MetricVerdict:
    metric: str
    label: str
    unit: MetricUnit
    higher_is_better: bool
    groups: list[GroupStats]
    comparisons: list[Comparison]
    notes: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """The answer for one grouping: one :class:`MetricVerdict` per metric, each group against the baseline."""

    by: str | None  # the config key the runs are grouped by (None: the compare view's seed groups)
    baseline: str  # the baseline group's label
    run_ids: list[int]
    metrics: list[MetricVerdict]
    notes: list[str] = field(default_factory=list)
    resamples: int = RESAMPLES
    seed: int = 0

    def sentences(self) -> list[str]:
        return [c.sentence for m in self.metrics for c in m.comparisons]

    def to_json(self) -> dict[str, Any]:
        """A plain dict that :func:`workbench.jsonout.dumps` writes as strict JSON (non-finite numbers → null)."""
        return strict({
            "by": self.by, "baseline": self.baseline, "run_ids": self.run_ids, "notes": self.notes,
            "confidence": CONFIDENCE, "alpha": ALPHA, "power": POWER, "resamples": self.resamples, "seed": self.seed,
            "metrics": [{
                "metric": m.metric, "label": m.label, "higher_is_better": m.higher_is_better,
                "unit": m.unit.unit, "scale": m.unit.scale, "notes": m.notes,
                "groups": [dataclasses.asdict(g) for g in m.groups],
                "comparisons": [{"group": c.group, "baseline": c.baseline, **dataclasses.asdict(c.stats),
                                 "sentence": c.sentence, "notes": c.notes} for c in m.comparisons],
            } for m in self.metrics],
        })

    def to_text(self) -> str:
        """The verdict as a plain-text table per metric, then its sentences and notes (the CLI's output)."""
        lines: list[str] = []
        for m in self.metrics:
            u = m.unit
            unit = f" ({u.unit})" if u.unit else ""
            direction = "higher is better" if m.higher_is_better else "lower is better"
            by = f" by {self.by}" if self.by else ""
            lines.append(f"{m.label}{unit}{by}, baseline {self.baseline} ({direction})")
            stats_of = {c.group: c.stats for c in m.comparisons}
            rows = [("group", "n", "mean ± std", "difference [95 % CI]", "Welch p", "perm. p", "Hedges' g")]
            for g in m.groups:
                s = stats_of.get(g.name)
                mean = u.number(g.mean) + (f" ± {u.number(g.std)}" if g.std is not None else "")
                if s is None:
                    rows.append((g.label, str(g.n), mean, "baseline", "", "", ""))
                    continue
                diff = u.number(s.difference, signed=True)
                if s.ci_low is not None:
                    diff += f" [{u.number(s.ci_low)}, {u.number(s.ci_high)}]"
                g_text = "–" if s.hedges_g is None else f"{s.hedges_g:+.2f}".replace("-", "−")
                perm = format_p(s.permutation_p) if s.permutation_p is not None else ""
                rows.append((g.label, str(g.n), mean, diff, format_p(s.welch_p), perm, g_text))
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for row in rows:
                cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1])] + \
                        [cell.ljust(width) for cell, width in zip(row[2:], widths[2:])]
                lines.append("  " + "  ".join(cells).rstrip())
            for c in m.comparisons:
                lines.append(f"  • {c.sentence}")
                lines.extend(f"    ({note})" for note in c.notes)
            lines.extend(f"  note: {note}" for note in m.notes)
            lines.append("")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines).rstrip()


def _run_list(run_ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in run_ids)


def _group_name(group: RunGroup) -> str:
    if group.by is None:
        return group.label
    return f"{factor_short_name(group.by)}={group.label}"


def _config_value(config: dict[str, Any], key: str) -> tuple[bool, Any]:
    """``(found, value)`` of a dotted key in a nested config; the value may itself be a dict."""
    value: Any = config
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def study_factor(runs: Sequence[Run]) -> str | None:
    """The factor the runs were planned with, when every run is a study run of the same factor."""
    factors = {(factor_of(run.tags) or "").partition("=")[0] for run in runs}
    return factors.pop() if len(factors) == 1 and "" not in factors else None


def group_by_factor(runs: Sequence[Run], by: str) -> list[RunGroup]:
    """The runs grouped by ``by`` as the compare view groups them (:func:`workbench.compare.group_runs`).

    A key whose value is a dict (the DnCNN study's ``model_options``) groups by the whole dict, labelled by the
    study's factor tag where the runs have one. :class:`VerdictError` for ``seed`` or a key no run has.
    """
    if by == "seed" or by.endswith(".seed"):
        raise VerdictError("the seed is what repeats a run, not a factor to compare: group by another key")
    flats = [flatten_config(run.config) for run in runs]
    if any(by in flat for flat in flats):
        return group_runs(runs, by=by)
    if not any(_config_value(run.config, by)[0] for run in runs):
        differing = [k for k in config_diff(list(runs)) if k != "seed"]
        hint = f"keys that differ between these runs: {', '.join(differing)}" if differing else \
            "these runs differ in no config key but the seed"
        raise VerdictError(f"no run has the config key {by!r}; {hint}")
    buckets: dict[str, list[Run]] = {}
    labels: dict[str, str] = {}
    for run in runs:
        value = _config_value(run.config, by)[1]
        key = json.dumps(value, sort_keys=True, default=str)
        buckets.setdefault(key, []).append(run)
        tag = factor_of(run.tags) or ""
        name, _, tagged = tag.partition("=")
        labels.setdefault(key, tagged if name == by and tagged else
                          ("–" if value is None else key if not isinstance(value, str) else value))
    return [RunGroup(labels[key], members, by) for key, members in buckets.items()]


def _find_baseline(groups: Sequence[RunGroup], baseline: int | str | None) -> int:
    if baseline is None:
        return 0
    if isinstance(baseline, int):
        if not 0 <= baseline < len(groups):
            raise VerdictError(f"no group {baseline}; there are {len(groups)}")
        return baseline
    for index, group in enumerate(groups):
        if baseline in (group.label, _group_name(group)):
            return index
    number = finite(baseline.partition("=")[2] if "=" in baseline else baseline)
    for index, group in enumerate(groups):  # 1e-3 for the group labelled 0.001
        if number is not None and finite(group.label) == number:
            return index
    labels = ", ".join(group.label for group in groups)
    raise VerdictError(f"no group {baseline!r} to compare against; the groups are: {labels}")


def _metric_values(store: RunStore, group: RunGroup, metric: str) -> GroupStats:
    values, missing, not_finite = [], [], []
    for run in group.runs:
        value = run_summary(store, run, metric)["final"]
        if value is not None:
            values.append(value)
        elif metric in run.metrics:  # reported, but NaN or infinite (the store keeps no NaN on a curve)
            not_finite.append(run.id)
        else:
            missing.append(run.id)
    array = np.asarray(values, float)
    return GroupStats(label=group.label, name=_group_name(group), run_ids=group.run_ids, values=values,
                      n=len(values), mean=float(array.mean()) if values else None,
                      std=float(array.std(ddof=1)) if len(values) >= 2 else None,
                      missing=missing, not_finite=not_finite)


def comparison_sentence(stats_: TwoSampleStats, *, group: str, baseline: str, metric: str, unit: MetricUnit,
                        higher_is_better: bool, translate: Translate | None = None) -> str:
    """The one plain sentence of a comparison, from :data:`TEMPLATES` (``translate`` applied to each piece)."""
    def t(key: str, **fields: Any) -> str:
        return render(key, translate, **fields)

    unit_text = t(unit.unit) if unit.unit else ""
    common = {"group": group, "baseline": baseline, "metric": metric, "unit": unit_text}
    if stats_.kind == "no_values":
        if not stats_.n and not stats_.n_baseline:
            return t("no_values_both", **common)
        return t("no_values", which=group if not stats_.n else baseline, metric=metric)
    difference = unit.number(stats_.difference, signed=True)
    if stats_.kind == "single_run":
        if stats_.n < 2 and stats_.n_baseline < 2:
            return t("single_run_both", difference=difference, **common)
        return t("single_run", difference=difference, which=group if stats_.n < 2 else baseline, **common)
    if stats_.kind == "identical":
        return t("identical", value=unit.number(stats_.difference), **common)  # the difference is 0 here
    if stats_.kind == "no_variance":
        return t("no_variance", difference=difference, **common)
    p = p_phrase(stats_.welch_p, translate)
    if stats_.kind == "clear":
        up = stats_.difference > 0
        low, high = sorted((abs(stats_.ci_low), abs(stats_.ci_high)))
        better = up == higher_is_better
        text = t("clear", direction=t("raises" if up else "lowers"), amount=unit.number(abs(stats_.difference)),
                 low=unit.number(low), high=unit.number(high), p=p, n=stats_.n,
                 n_baseline=stats_.n_baseline, judgement=t("better" if better else "worse"), **common)
        return text
    runs = t("runs_per_group", n=stats_.n) if stats_.n == stats_.n_baseline else \
        t("runs_each", n=stats_.n, n_baseline=stats_.n_baseline)
    fields = dict(runs=runs, difference=difference, low=unit.number(stats_.ci_low, signed=True),
                  high=unit.number(stats_.ci_high, signed=True), p=p, **common)
    if stats_.runs_needed is None:
        text = t("null_tiny", needed=MAX_RUNS_NEEDED, **fields)
    else:
        text = t("null", needed=stats_.runs_needed, **fields)
    return text


def verdict_for_groups(store: RunStore, groups: Sequence[RunGroup], *, metrics: Sequence[str] | None = None,
                       baseline: int | str | None = None, resamples: int = RESAMPLES, seed: int = 0,
                       translate: Translate | None = None) -> Verdict:
    """The verdict for groups as the compare view forms them (:func:`workbench.compare.group_runs`).

    ``metrics`` default to the runs' task's primary metric; ``baseline`` is a group's index or label (or
    ``"key=value"`` name), by default the first group. :class:`VerdictError` for fewer than two groups, an
    unknown baseline, runs of several tasks without ``metrics``, or a metric no run has.
    """
    groups = [g for g in groups if g.runs]
    if len(groups) < 2:
        only = f" (all {sum(len(g) for g in groups)} runs have {groups[0].label})" if groups else ""
        raise VerdictError(f"a verdict needs at least two groups to compare, got {len(groups)}{only}")
    runs = [run for g in groups for run in g.runs]
    if not metrics:
        primaries = sorted({primary_metric_name(run.task) for run in runs})
        if len(primaries) != 1 or not primaries[0]:
            raise VerdictError(f"these runs are of several tasks ({', '.join(sorted({r.task for r in runs}))}): "
                               "name the metric to compare")
        metrics = primaries
    base_index = _find_baseline(groups, baseline)
    groups = [groups[base_index], *groups[:base_index], *groups[base_index + 1:]]
    by = groups[0].by if all(g.by == groups[0].by for g in groups) else None
    notes = []
    unfinished = [run.id for run in runs if run.status != "finished"]
    if unfinished:
        notes.append(render("unfinished", translate, runs=_run_list(unfinished)))
    if by is not None:
        prefix = by + "."
        others = [k for k in config_diff(runs) if k not in ("seed", by) and not k.startswith(prefix)]
        if others:
            notes.append(render("confounded", translate, keys=", ".join(others), factor=by))
    verdicts = []
    for metric in metrics:
        per_group = [_metric_values(store, g, metric) for g in groups]
        if not any(g.n for g in per_group):
            names = sorted({name for run in runs for name in run.metrics})
            if any(g.not_finite for g in per_group):
                raise VerdictError(f"{metric} is not a number (NaN) in every run", usage=False)
            known = any(metric in store.metric_names(run.id) or metric in run.metrics for run in runs)
            if metric in names or known or metric == primary_metric_name(runs[0].task):
                raise VerdictError(f"no run has a value of {metric} yet", usage=False)
            raise VerdictError(f"no run has the metric {metric!r}; these runs have: {', '.join(names) or 'none'}")
        values = [v for g in per_group for v in g.values]
        unit = metric_unit(metric, values)
        label = metric_label(metric, translate)
        higher = metric_higher_is_better(metric, runs[0].task)
        base = per_group[0]
        comparisons = []
        for g in per_group[1:]:
            s = two_sample_stats(g.values, base.values, resamples=resamples, seed=seed)
            sentence = comparison_sentence(s, group=g.name, baseline=base.name, metric=label, unit=unit,
                                           higher_is_better=higher, translate=translate)
            comparison_notes = []
            if s.kind == "clear" and s.permutation_exact and s.permutation_min_p > ALPHA:
                comparison_notes.append(render("permutation_floor", translate, n=s.n, n_baseline=s.n_baseline,
                                               p=format_p(s.permutation_min_p)))
            if s.kind == "null" and (s.ci_low > 0 or s.ci_high < 0):
                comparison_notes.append(render("bootstrap_narrow", translate, n=s.n, n_baseline=s.n_baseline))
            comparisons.append(Comparison(g.name, base.name, s, sentence, comparison_notes))
        metric_notes = []
        for g in per_group:
            if g.missing:
                metric_notes.append(render("missing", translate, metric=label, runs=_run_list(g.missing)))
            if g.not_finite:
                metric_notes.append(render("not_finite", translate, metric=label, runs=_run_list(g.not_finite)))
        verdicts.append(MetricVerdict(metric, label, unit, higher, per_group, comparisons, metric_notes))
    return Verdict(by=by, baseline=groups[0].label, run_ids=[run.id for run in runs], metrics=verdicts,
                   notes=notes, resamples=resamples, seed=seed)


def verdict_for_runs(store: RunStore, runs: Sequence[Run], *, by: str | None = None,
                     metrics: Sequence[str] | None = None, baseline: int | str | None = None,
                     resamples: int = RESAMPLES, seed: int = 0, translate: Translate | None = None) -> Verdict:
    """Group ``runs`` by ``by`` (default: the factor of their study, when they are one study's runs) and judge."""
    if not runs:
        raise VerdictError("no runs to compare")
    by = by or study_factor(runs)
    if by is None:
        differing = [k for k in config_diff(list(runs)) if k != "seed"]
        hint = f" (keys that differ: {', '.join(differing)})" if differing else ""
        raise VerdictError(f"name the config key to group the runs by{hint}")
    groups = group_by_factor(runs, by)
    return verdict_for_groups(store, groups, metrics=metrics, baseline=baseline, resamples=resamples, seed=seed,
                              translate=translate)
