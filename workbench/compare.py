"""Comparing runs: configuration differences, seed groups, summary statistics, Pareto fronts.

Pure data over the run store (no Qt), so the compare view, the CLI and tests share one implementation.
Statistics over a group of runs use the *sample* standard deviation (``ddof=1``) and always report ``n``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from workbench.reference import published
from workbench.store import MetricPoint, Run, RunStore
from workbench.tasks_meta import higher_is_better, primary_metric_name

# Columns of a summary row, in table order. "final"/"best" refer to the compared metric.
SUMMARY_COLUMNS = ("final", "best", "params", "flops", "throughput", "latency_ms", "seconds", "epochs")

# Keys already named by a group's "model · dataset" label.
_LABEL_KEYS = ("task", "model", "data")

# The store records a direction only for each task's primary metric; for the others, the name decides.
_LOWER_IS_BETTER_WORDS = ("loss", "latency", "seconds", "error", "mse", "mae")

X_AXES = ("step", "epoch", "wall")


def flatten_config(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted keys: ``{"model_options": {"width": 8}}`` → ``{"model_options.width": 8}``."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_config(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def _same(values: Sequence[Any]) -> bool:
    first = values[0]
    return all(v == first and (type(v) is type(first) or _both_numbers(v, first)) for v in values[1:])


def _both_numbers(a: Any, b: Any) -> bool:
    # 3 == 3.0 is the same setting; True == 1 is not.
    number = (int, float)
    return (isinstance(a, number) and isinstance(b, number)
            and not isinstance(a, bool) and not isinstance(b, bool))


def config_diff(runs: Sequence[Run]) -> dict[str, list[Any]]:
    """The flattened config keys whose values differ between ``runs`` (missing → ``None``), keys sorted."""
    flats = [flatten_config(run.config) for run in runs]
    keys = sorted(set().union(*flats)) if flats else []
    diff: dict[str, list[Any]] = {}
    for key in keys:
        values = [flat.get(key) for flat in flats]
        if not _same(values):
            diff[key] = values
    return diff


_PLAIN = (type(None), bool, int, float, str)


def _plain(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN)


def config_defaults(run: Run) -> dict[str, Any]:
    """The values a run gets for the flattened config keys it does not set: its task's config defaults, and
    the keyword defaults of its model's builder (``model_options.*``) and its dataset's loader
    (``data_options.*``). Unknown tasks, models or datasets, and defaults that are not plain values (a layer
    factory), are left out."""
    import inspect

    from engines.core.registry import keyword_options

    defaults: dict[str, Any] = {}
    try:
        from engines.core.tasks import get_task

        defaults.update(flatten_config(get_task(run.task).config_cls().to_dict()))
    except (KeyError, TypeError, ValueError):
        pass
    for prefix, lookup, name in (("model_options", "model", run.model), ("data_options", "data", run.dataset)):
        try:
            if lookup == "model":
                from engines.core.models import model_spec

                function = model_spec(name).builder
            else:
                from engines.core.data import dataset_spec

                function = dataset_spec(name).loader
        except (KeyError, ValueError, ImportError):
            continue
        for option, parameter in keyword_options(function).items():
            if parameter.default is not inspect.Parameter.empty and _plain(parameter.default):
                defaults[f"{prefix}.{option}"] = parameter.default
    return defaults


def _hashable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass
class RunGroup:
    """Runs shown as one row: equal configurations up to the ignored keys, or one value of ``by``."""

    label: str
    runs: list[Run] = field(default_factory=list)
    by: str | None = None  # the config key the runs were grouped by, if any

    @property
    def row_label(self) -> str:
        """What a table row or legend shows: a lone run by its title, unless grouped by a key's value."""
        return self.label if len(self.runs) > 1 or self.by is not None or not self.runs else self.runs[0].title

    @property
    def run_ids(self) -> list[int]:
        return [run.id for run in self.runs]

    def __len__(self) -> int:
        return len(self.runs)


def _format_value(value: Any) -> str:
    return "–" if value is None else str(value)


def group_runs(runs: Sequence[Run], *, ignore: Iterable[str] = ("seed",), by: str | None = None) -> list[RunGroup]:
    """Group runs, in order of first appearance.

    Without ``by``, runs whose flattened configurations are equal except for the ``ignore``d keys form one group
    (runs differing only by seed become one row with mean ± std). With ``by`` (a flattened config key such as
    ``model_options.output``) the groups are that key's values instead, labelled by the value.
    """
    ignored = set(ignore)
    buckets: dict[str, list[Run]] = {}
    for run in runs:
        flat = flatten_config(run.config)
        if by is not None:
            key = _hashable(flat.get(by))
        else:
            key = _hashable(sorted((k, v) for k, v in flat.items() if k not in ignored))
        buckets.setdefault(key, []).append(run)
    members = list(buckets.values())
    if by is not None:
        return [RunGroup(_format_value(flatten_config(g[0].config).get(by)), g, by) for g in members]
    # Label each group by what sets it apart from the other groups.
    differing = config_diff([g[0] for g in members])
    keys = [k for k in differing if k not in ignored and k not in _LABEL_KEYS]
    groups = []
    for index, group in enumerate(members):
        label = f"{group[0].model} · {group[0].dataset}"
        parts = [f"{k}={_format_value(differing[k][index])}" for k in keys[:3]]
        if len(keys) > 3:
            parts.append("…")
        if parts:
            label += " · " + ", ".join(parts)
        groups.append(RunGroup(label, group))
    return groups


def finite(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when missing, not a number, NaN or infinite."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def metric_higher_is_better(name: str, task: str) -> bool:
    base = name.removeprefix("best_")
    if base == primary_metric_name(task):
        return higher_is_better(task)
    return not any(word in base for word in _LOWER_IS_BETTER_WORDS)


@dataclass(frozen=True)
class Stat:
    """Mean and sample standard deviation (``ddof=1``) of the finite values; ``n`` counts them."""

    mean: float | None
    std: float | None
    n: int


def mean_std(values: Iterable[Any]) -> Stat:
    numbers = [v for v in (finite(x) for x in values) if v is not None]
    if not numbers:
        return Stat(None, None, 0)
    array = np.asarray(numbers, dtype=float)
    std = float(array.std(ddof=1)) if len(array) >= 2 else None
    return Stat(float(array.mean()), std, len(array))


def _best(points: Sequence[MetricPoint], higher: bool) -> float | None:
    values = [v for v in (finite(p.value) for p in points) if v is not None]
    if not values:
        return None
    return max(values) if higher else min(values)


def _last(points: Sequence[MetricPoint]) -> float | None:
    return finite(points[-1].value) if points else None


# A gap between two consecutive training steps longer than this many typical steps (and than PAUSE_MIN_S)
# is a pause, or the time between an interruption and its resume, not training. A slow step wrongly taken
# for a pause costs little: it still counts as one typical step.
PAUSE_FACTOR = 5.0
PAUSE_MIN_S = 1.0


def training_seconds(points: Sequence[MetricPoint]) -> float | None:
    """Seconds the run spent training and evaluating, from its recorded points: paused time left out.

    The run's wall clock (``finished_at - started_at``) also counts the time it sat paused, a resume's wait
    after an interruption, and the work after the last epoch (latency timing). Here a gap between two
    consecutive steps of one epoch much longer than the typical step (:data:`PAUSE_FACTOR`) counts as one
    typical step; the evaluation at an epoch's end and the start of the next epoch count in full. The first
    step's own duration is estimated by the typical step. ``None`` without step (``loss``) points.
    """
    steps = sorted({p.wall_time for p in points if p.name == "loss" and finite(p.wall_time) is not None})
    if not steps:
        return None
    times = sorted({p.wall_time for p in points if finite(p.wall_time) is not None})
    # Epoch ends (evaluation points) split the step sequence: gaps across them are evaluation, not pauses.
    epoch_ends = sorted({p.wall_time for p in points if p.name != "loss" and finite(p.wall_time) is not None})
    step_times = np.array(steps)
    within = np.diff(step_times)
    if within.size:
        # A gap between two steps with an epoch end between them is not a step gap.
        crossing = np.searchsorted(epoch_ends, step_times[1:], side="left") != np.searchsorted(
            epoch_ends, step_times[:-1], side="right")
        typical = float(np.median(within[~crossing])) if (~crossing).any() else float(np.median(within))
    else:
        typical = 0.0
    limit = max(PAUSE_MIN_S, PAUSE_FACTOR * typical)
    step_set = set(step_times.tolist())
    total = typical
    for previous, current in zip(times, times[1:]):
        gap = current - previous
        if previous in step_set and current in step_set and gap > limit:
            gap = typical
        total += gap
    return float(total)


def run_summary(store: RunStore, run: Run, metric: str | None = None) -> dict[str, float | None]:
    """One run's summary numbers, keyed like :data:`SUMMARY_COLUMNS`; missing or NaN values are ``None``.

    The final and best values come from ``run.summary["metrics"]`` (what the loop reported) and fall back to
    the recorded curve when the summary lacks them (a run still in flight, or an older run). ``seconds`` is
    the training time without pauses (:func:`training_seconds`; the wall clock for a run without recorded
    steps) and ``wall_seconds`` the wall clock from start to finish.
    """
    name = metric or primary_metric_name(run.task)
    summary = run.metrics
    cache: dict[str, list[MetricPoint]] = {}

    def curve(metric_name: str) -> list[MetricPoint]:
        if metric_name not in cache:
            cache[metric_name] = store.metrics(run.id, metric_name) if metric_name else []
        return cache[metric_name]

    def reported(key: str, from_curve) -> float | None:
        # A value the loop reported wins, even NaN (shown as missing); the curve only fills in absent keys.
        if key in summary:
            return finite(summary[key])
        return from_curve()

    higher = metric_higher_is_better(name, run.task)
    final = reported(name, lambda: _last(curve(name))) if name else None
    best = reported(f"best_{name}", lambda: _best(curve(name), higher)) if name else None
    throughput = reported("throughput", lambda: _last(curve("throughput")))
    # The steps and the epoch ends are enough (not every recorded metric of a long run).
    epoch_names = dict.fromkeys(n for n in ("epoch_seconds", primary_metric_name(run.task), name) if n and n != "loss")
    trained = training_seconds([*curve("loss"), *(p for n in epoch_names for p in curve(n))])
    return {
        "final": final,
        "best": best,
        "params": finite(run.params),
        "flops": finite(run.flops),
        "throughput": throughput,
        "latency_ms": finite(summary.get("latency_ms")),
        "seconds": finite(trained if trained is not None else run.seconds),
        "epochs": finite(run.epoch),
        "wall_seconds": finite(run.seconds),
    }


def summary_rows(store: RunStore, runs_or_groups: Sequence[Run | RunGroup],
                 task_metric: str | None = None) -> list[dict[str, Any]]:
    """One row per run or group for the compare table.

    Each row holds ``label``, ``run_ids``, ``n`` (runs in the row) and, for every key of
    :data:`SUMMARY_COLUMNS`, the value (the mean over a group's finite values; ``None`` when there is none),
    ``<key>_std`` (sample std, ``ddof=1``; ``None`` for a single value) and ``<key>_n`` (how many runs had a
    finite value). ``task_metric`` names the compared metric; ``None`` means each run's primary metric.
    A group of one run is labelled by the run's title (by the value when grouped ``by`` a key).
    """
    rows = []
    for item in runs_or_groups:
        runs = item.runs if isinstance(item, RunGroup) else [item]
        if not runs:
            continue
        label = item.row_label if isinstance(item, RunGroup) else runs[0].title
        per_run = [run_summary(store, run, task_metric) for run in runs]
        row: dict[str, Any] = {"label": label, "run_ids": [run.id for run in runs], "n": len(runs)}
        for key in SUMMARY_COLUMNS:
            if len(runs) == 1:
                value = per_run[0][key]
                row[key], row[f"{key}_std"], row[f"{key}_n"] = value, None, int(value is not None)
            else:
                stat = mean_std(values[key] for values in per_run)
                row[key], row[f"{key}_std"], row[f"{key}_n"] = stat.mean, stat.std, stat.n
        rows.append(row)
    return rows


def pareto_front(points: Sequence[tuple[float, float]], *, higher_is_better: bool = True) -> list[int]:
    """Indices of the non-dominated points, sorted by cost; ``x`` is cost (lower is better), ``y`` quality.

    A point is dominated when another is no worse on both axes and better on one; equal points all stay on the
    front. Points with a missing or non-finite coordinate are left out.
    """
    valid = [(i, finite(x), finite(y)) for i, (x, y) in enumerate(points)]
    valid = [(i, x, y if higher_is_better else -y) for i, x, y in valid if x is not None and y is not None]
    front = []
    for i, x, y in valid:
        dominated = any(ox <= x and oy >= y and (ox < x or oy > y) for _, ox, oy in valid)
        if not dominated:
            front.append((x, -y, i))
    return [i for _, _, i in sorted(front)]


def mean_std_curve(curves: Sequence[tuple[Sequence[float], Sequence[float]]], *,
                   max_points: int = 5000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and sample std (``ddof=1``; zeros for a single curve) of curves on a common x grid.

    The grid is the union of the curves' x values where every curve is defined (their overlap), thinned to
    ``max_points`` evenly spaced values when longer; each curve is linearly interpolated onto it. Non-finite
    points and empty curves are skipped; no usable curve or no overlap gives empty arrays.
    """
    usable = []
    for xs, ys in curves:
        x = np.asarray(xs, dtype=float)
        y = np.asarray(ys, dtype=float)
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        if x.size:
            order = np.argsort(x, kind="stable")
            usable.append((x[order], y[order]))
    empty = np.empty(0)
    if not usable:
        return empty, empty, empty
    low = max(x[0] for x, _ in usable)
    high = min(x[-1] for x, _ in usable)
    if low > high:
        return empty, empty, empty
    grid = np.unique(np.concatenate([x for x, _ in usable]))
    grid = grid[(grid >= low) & (grid <= high)]
    if grid.size > max_points:
        grid = np.linspace(low, high, max_points)
    stacked = np.vstack([np.interp(grid, x, y) for x, y in usable])
    mean = stacked.mean(axis=0)
    std = stacked.std(axis=0, ddof=1) if len(usable) >= 2 else np.zeros_like(mean)
    return grid, mean, std


def curve_xy(points: Sequence[MetricPoint], x_axis: str = "step", *,
             origin: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A metric curve as arrays; ``x_axis`` is ``step``, ``epoch`` or ``wall`` (seconds since ``origin``,
    by default the first point). Non-finite values are dropped."""
    if x_axis not in X_AXES:
        raise ValueError(f"unknown x axis {x_axis!r}; valid: {', '.join(X_AXES)}")
    if not points:
        return np.empty(0), np.empty(0)
    y = np.array([p.value for p in points], dtype=float)
    if x_axis == "step":
        x = np.array([p.step for p in points], dtype=float)
    elif x_axis == "epoch":
        x = np.array([p.epoch for p in points], dtype=float)
    else:
        wall = np.array([p.wall_time for p in points], dtype=float)
        x = wall - (origin if origin is not None else wall[0])
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def value_at_step(points: Sequence[MetricPoint], step: int) -> float | None:
    """The value of the last point recorded at or before ``step`` (``None`` if none, or not finite)."""
    chosen: MetricPoint | None = None
    for point in points:
        if point.step <= step and (chosen is None or point.step >= chosen.step):
            chosen = point
    return None if chosen is None else finite(chosen.value)


def published_values(run: Run, metric: str | None = None) -> list[dict[str, Any]]:
    """Published reference numbers for the run's model and dataset and ``metric`` (default: its primary one)."""
    name = metric or primary_metric_name(run.task)
    if not name:
        return []
    exact = published(run.model, run.dataset, name)
    if exact or "losses" not in run.config:
        return exact
    return published_ablation(run, name)


FULL_LOSSES = "j1+j2+j3"


def published_ablation(run: Run, metric: str) -> list[dict[str, Any]]:
    """For a run on data the paper did not use: the paper's ablation row for the same loss terms.

    The "Does J2 matter?" study trains on an offline benchmark; beside each variant the comparison shows
    what the paper measured for that variant on each dataset of its ablation table (entries carrying
    ``losses``; the full model's entry on those datasets has none). The dataset is in every row's label.
    """
    from workbench.reference import reference_results

    entries = [e for e in reference_results() if e["model"] == run.model and e["metric"] == metric]
    ablation_sets = {e["dataset"] for e in entries if "losses" in e}
    losses = str(run.config.get("losses", FULL_LOSSES))
    return [e for e in entries if e["dataset"] in ablation_sets and e.get("losses", FULL_LOSSES) == losses]


# -- numbers as the Compare view and the report write them ------------------------------------------------------
DASH = "–"


def format_number(value: float | None, key: str) -> str:
    """A summary value as the Compare view's table and the report write it (by its column key)."""
    if value is None:
        return DASH
    if key in ("params", "epochs"):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if key == "flops":
        for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= scale:
                return f"{value / scale:.2f} {suffix}"
        return f"{value:.0f}"
    if key == "throughput":
        return f"{value:,.0f}"
    if key == "seconds":
        return f"{value:.1f}"
    if key == "latency_ms":
        return f"{value:.3f}"
    return f"{value:.4g}" if abs(value) >= 1000 else f"{value:.4f}"


CONSTANT_PER_CONFIG = ("params", "flops", "epochs")  # summary columns a configuration fixes


def format_cell(row: dict[str, Any], key: str, group_template: str = "%1 ± %2 (n=%3)") -> str:
    """A summary cell: the value, or for a group ``mean ± std (n=k)`` filled into ``group_template``."""
    value = row.get(key)
    if row.get("n", 1) < 2:
        return format_number(value, key)
    if value is None:
        return DASH
    std = row.get(f"{key}_std")
    if std == 0 and key in CONSTANT_PER_CONFIG:  # the same for every seed: "6,418", not "6,418 ± 0 (n=3)"
        return format_number(value, key)
    std_text = format_number(std, key) if std is not None else DASH
    return (group_template.replace("%1", format_number(value, key)).replace("%2", std_text)
            .replace("%3", str(row.get(f"{key}_n", 0))))
