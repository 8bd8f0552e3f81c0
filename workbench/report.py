"""A shareable report of runs or a study: one self-contained HTML file (figures embedded as PNG data URIs).

``workbench report`` and the window's File ▸ Export report… share :func:`build_report`. In order, each section
only when it applies: the runs (and a study's question); the summary table with the numbers of the Compare view
(:func:`workbench.compare.summary_rows`, formatted the same way); the verdicts (:mod:`workbench.verdicts`);
figures (curves with seed bands, cost against quality, confusion matrices, denoising triptychs, hyperspectral
maps); configuration differences; the command that reproduces each run; the environment.

Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot): no Qt, no global figure list to
close, and safe on the window's worker thread. The HTML stays within what ``QTextDocument`` renders (tables,
h1–h3, p, img with a width), so the window prints the same file to PDF.

Every text a reader sees is marked ``QT_TRANSLATE_NOOP("Report", …)`` and goes through ``translate(context,
text)``: ``QCoreApplication.translate`` in the window, :class:`workbench.i18n_catalog.Translator` in the CLI.
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
import platform
import re
import shlex
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from workbench.compare import (
    DASH,
    SUMMARY_COLUMNS,
    RunGroup,
    config_diff,
    curve_xy,
    finite,
    format_cell,
    group_runs,
    mean_std_curve,
    published_values,
    run_summary,
    summary_rows,
)
from workbench.store import Run, RunStore
from workbench.studies import PRESETS, QT_TRANSLATE_NOOP, StudyPreset, study_of
from workbench.tasks_meta import primary_metric_name

Translate = Callable[[str, str], str]

MAX_DETAIL_FIGURES = 8  # confusion matrices, denoising triptychs and hyperspectral maps, each
# The Compare view's summary columns (workbench.compare.SUMMARY_COLUMNS), as the report's two tables.
QUALITY_COLUMNS = ("final", "best", "epochs")
COST_COLUMNS = ("params", "flops", "throughput", "latency_ms", "seconds")
FIGURE_DPI = 100
IMAGE_WIDTH = 640  # px in the HTML at most: fits the width of an A4 page (15 mm margins) when printed
IMAGE_SCALE = 2 / 3  # a figure's pixels → its width in the HTML (960 px wide → 640)
# CJK fonts first where a reader has them, so a Chinese report shows its characters in the browser and in figures.
FONT_STACK = ("'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', "
              "'Hiragino Sans GB', SimHei, 'DejaVu Sans', Arial, sans-serif")
MPL_FONTS = ["DejaVu Sans", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei", "Arial Unicode MS"]
# The denoising triptych: scikit-image's cameraman, a 256 × 256 crop around the man (a second per run on a CPU).
SAMPLE_CROP = (slice(32, 288), slice(128, 384))
SAMPLE_NOISE_SEED = 0
LINE_STYLES = ("-", "--", "-.", ":")  # groups whose curves coincide stay told apart (and in black and white)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")


class ReportError(ValueError):
    """Input a report cannot be made from (an unknown study, no runs, a file that cannot be written)."""


class ReportCancelled(Exception):
    """The report was stopped on request (the window closing)."""


def _identity(_context: str, text: str) -> str:
    return text


# -- choosing the runs --------------------------------------------------------------------------------------
def _study_pattern(preset_name: str) -> re.Pattern[str]:
    # plan_preset names a study "<preset>-YYYYmmdd-HHMMSS"; the date keeps "output-activation" from also
    # matching the studies of "output-activation-mobilenet".
    return re.compile(rf"^{re.escape(preset_name)}-\d{{8}}-\d{{6}}$")


def preset_of_study(study_id: str) -> StudyPreset | None:
    """The preset a study was planned from, by its id; ``None`` for a custom study."""
    for name in PRESETS.names():
        if _study_pattern(name).match(study_id):
            return PRESETS.get(name)
    return None


def study_ids(runs: Sequence[Run]) -> dict[str, list[Run]]:
    """Studies by id, each with its runs, in the order of their first run."""
    studies: dict[str, list[Run]] = {}
    for run in runs:
        study = study_of(run.tags)
        if study:
            studies.setdefault(study, []).append(run)
    return studies


def resolve_study(store: RunStore, text: str) -> tuple[str, list[Run]]:
    """A study's id and runs from its full id or a preset's name (its newest study).

    :class:`ReportError` names the studies there are when none matches.
    """
    studies = study_ids(store.list_runs())
    if text in studies:
        return text, studies[text]
    if text in PRESETS.names():
        pattern = _study_pattern(text)
        matching = {sid: runs for sid, runs in studies.items() if pattern.match(sid)}
        if matching:
            newest = max(matching, key=lambda sid: (max(r.created_at for r in matching[sid]), sid))
            return newest, matching[newest]
        raise ReportError(f"no study of the preset {text!r} has been run yet")
    known = ", ".join(list(studies)[-10:]) or "none recorded"
    raise ReportError(f"no study {text!r}; give a study id or a preset name ({', '.join(PRESETS.names())}); "
                      f"studies: {known}")


# -- reproducing a run ----------------------------------------------------------------------------------------
def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def reproduce_args(run: Run) -> list[str]:
    """``train`` arguments that record ``run``'s configuration again: the task, model, data, epochs and seed,
    then ``--set`` for every other field that differs from the task's default and for each model and dataset
    option the run was given. :class:`ReportError` when the task is unknown or the config unreadable."""
    from engines.core.tasks import get_task

    if "config" in run.damaged or not run.config:
        raise ReportError(f"run {run.id}: its stored configuration cannot be read")
    try:
        defaults = get_task(run.task).config_cls().to_dict()
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"run {run.id}: unknown task {run.task!r} ({exc})") from None
    config = run.config
    args = ["train", "--task", str(config.get("task", run.task)), "--model", str(config.get("model", run.model)),
            "--data", str(config.get("data", run.dataset))]
    for key in ("epochs", "seed"):
        if key in config:
            args += [f"--{key}", _option_text(config[key])]
    explicit = {"task", "model", "data", "epochs", "seed", "model_options", "data_options"}
    for key in sorted(config):
        if key in explicit or (key in defaults and config[key] == defaults[key]
                               and type(config[key]) is type(defaults[key])):
            continue
        args += ["--set", f"{key}={_option_text(config[key])}"]
    for prefix, options in (("model", config.get("model_options") or {}), ("data", config.get("data_options") or {})):
        for key, value in options.items():
            args += ["--set", f"{prefix}.{key}={_option_text(value)}"]
    return args


def reproduce_command(run: Run) -> str:
    return shlex.join(["workbench", *reproduce_args(run)])


# -- figures --------------------------------------------------------------------------------------------------
def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=FIGURE_DPI, layout="constrained")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    fig.clear()
    return buffer.getvalue()


@dataclass
class ReportFigure:
    """One embedded figure: its kind (curves, scatter, confusion, denoise, hsi_map), PNG bytes and caption."""

    kind: str
    png: bytes
    caption: str
    run_id: int | None = None

    @property
    def width(self) -> int:
        """The width the HTML gives the figure: :data:`IMAGE_SCALE` of its pixels, at most :data:`IMAGE_WIDTH`."""
        pixels = int.from_bytes(self.png[16:20], "big")  # the PNG header's width
        return min(IMAGE_WIDTH, round(pixels * IMAGE_SCALE)) if pixels else IMAGE_WIDTH

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Report:
    """A built report: the HTML, and what it holds (for the window's message and the tests)."""

    html: str
    run_ids: list[int]
    figures: list[ReportFigure] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[int, str] = field(default_factory=dict)
    verdict: Any = None  # workbench.verdicts.Verdict, when the runs form groups to judge
    study: str | None = None
    notes: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, store: RunStore, runs: list[Run], *, study: str | None, group_by: str | None,
                 metric: str | None, translate: Translate, language: str, qt_version: str | None,
                 progress: Callable[[int, int], None] | None, should_stop: Callable[[], bool] | None) -> None:
        self.store, self.runs, self.study = store, runs, study
        self.group_by, self.translate, self.language, self.qt_version = group_by, translate, language, qt_version
        self.metric = metric or primary_metric_name(runs[0].task) or ""
        self._progress, self._should_stop = progress, should_stop
        self.figures: list[ReportFigure] = []
        self.notes: list[str] = []
        self.parts: list[str] = []
        self._points: dict[tuple[int, str], list] = {}
        self.groups = self._groups()
        self.colours = {run.id: PALETTE[i % len(PALETTE)] for i, g in enumerate(self.groups) for run in g.runs}
        self.legend_labels = _short_labels(self.groups)

    # -- helpers
    def tr(self, text: str) -> str:
        return self.translate("Report", text)

    def metric_title(self, name: str) -> str:
        """"test accuracy" for ``test_accuracy``: the name the verdicts and the Compare view give a metric."""
        from workbench.verdicts import metric_label

        return metric_label(name, lambda text: self.translate("Verdicts", text))

    def check_stop(self) -> None:
        if self._should_stop is not None and self._should_stop():
            raise ReportCancelled()

    def progress(self, done: int, total: int) -> None:
        self.check_stop()
        if self._progress is not None:
            self._progress(done, total)

    def points(self, run: Run, name: str) -> list:
        key = (run.id, name)
        if key not in self._points:
            self._points[key] = self.store.metrics(run.id, name) if name else []
        return self._points[key]

    def _groups(self) -> list[RunGroup]:
        """The summary's rows: ``group_by``'s values when given, else the Compare view's grouping (runs equal
        up to the seed in one row; for a study, its factor's values)."""
        if self.group_by:
            from workbench.verdicts import VerdictError, group_by_factor

            try:
                return group_by_factor(self.runs, self.group_by)
            except VerdictError as exc:
                raise ReportError(str(exc)) from None
        return group_runs(self.runs)

    # -- sections
    def header(self) -> None:
        e = html.escape
        title = self.tr(QT_TRANSLATE_NOOP("Report", "Report on %1 run(s)")).replace("%1", str(len(self.runs)))
        preset = preset_of_study(self.study) if self.study else None
        if self.study:
            name = self.translate("Studies", preset.title) if preset else self.study
            title = self.tr(QT_TRANSLATE_NOOP("Report", "Study report: %1")).replace("%1", name)
        self.title = title
        self.parts.append(f"<h1>{e(title)}</h1>")
        generated = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.now))
        self.parts.append(f"<p>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Generated %1 by CNN Workbench %2.')))}</p>"
                          .replace("%1", e(generated)).replace("%2", e(self._version())))
        if self.study:
            self.parts.append("<p><b>" + e(self.tr(QT_TRANSLATE_NOOP("Report", "Study:"))) + f"</b> {e(self.study)}"
                              + (f"<br/><b>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Question:')))}</b> "
                                 f"{e(self.translate('Studies', preset.question))}" if preset else "") + "</p>")
        headers = [self.tr(QT_TRANSLATE_NOOP("Report", "Run")), self.tr(QT_TRANSLATE_NOOP("Report", "Name")),
                   self.tr(QT_TRANSLATE_NOOP("Report", "Task")), self.tr(QT_TRANSLATE_NOOP("Report", "Model")),
                   self.tr(QT_TRANSLATE_NOOP("Report", "Dataset")), self.tr(QT_TRANSLATE_NOOP("Report", "Status"))]
        rows = [[f"#{run.id}", run.name or DASH, run.task, run.model, run.dataset, run.status] for run in self.runs]
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Runs')))}</h2>")
        self.parts.append(_table(headers, rows, colours=[self.colours.get(run.id) for run in self.runs]))

    def summary(self) -> list[dict[str, Any]]:
        e = html.escape
        rows = summary_rows(self.store, self.groups, self.metric or None)
        for entry in self._published_entries():
            row = {"label": self.tr(QT_TRANSLATE_NOOP("Report", "published · %1 · %2 (%3)"))
                   .replace("%1", entry["model"]).replace("%2", entry["dataset"])
                   .replace("%3", entry.get("source", "")), "run_ids": [], "n": 1, "published": True}
            for key in SUMMARY_COLUMNS:
                row[key], row[f"{key}_std"], row[f"{key}_n"] = None, None, 0
            row["final"], row["params"], row["epochs"] = (finite(entry["value"]), finite(entry.get("params")),
                                                          finite(entry.get("epochs")))
            rows.append(row)
        metric = self.metric or self.tr(QT_TRANSLATE_NOOP("Report", "metric"))
        header_of = {"final": self.tr(QT_TRANSLATE_NOOP("Report", "Final %1")).replace("%1", metric),
                     "best": self.tr(QT_TRANSLATE_NOOP("Report", "Best %1")).replace("%1", metric),
                     "params": self.tr(QT_TRANSLATE_NOOP("Report", "Params")),
                     "flops": self.tr(QT_TRANSLATE_NOOP("Report", "FLOPs")),
                     "throughput": self.tr(QT_TRANSLATE_NOOP("Report", "Samples/s")),
                     "latency_ms": self.tr(QT_TRANSLATE_NOOP("Report", "Latency (ms)")),
                     "seconds": self.tr(QT_TRANSLATE_NOOP("Report", "Training (s)")),
                     "epochs": self.tr(QT_TRANSLATE_NOOP("Report", "Epochs"))}
        # The Compare view writes "mean ± std (n=k)" in every cell; here n has a column of its own, and a cell
        # names its own n only where runs lack that value. Its one table of nine columns is two here (quality,
        # then cost): a printed page has no room for nine "mean ± std" columns side by side.
        spread = self.tr(QT_TRANSLATE_NOOP("Report", "%1 ± %2"))
        spread_n = self.tr(QT_TRANSLATE_NOOP("Report", "%1 ± %2 (n=%3)"))
        labels = []
        for index, row in enumerate(rows):
            if row.get("published"):
                labels.append(row["label"])
            else:
                ids = ", ".join(f"#{i}" for i in row["run_ids"])
                labels.append(_Raw(html.escape(self.legend_labels[index]) + (f"<br/><small>{ids}</small>"
                                                                               if row["n"] > 1 else "")))

        def cell(row: dict[str, Any], key: str) -> str:
            return format_cell(row, key, spread if row.get(f"{key}_n") == row["n"] else spread_n)

        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Summary')))}</h2>")
        self.parts.append("<p>" + e(self.tr(QT_TRANSLATE_NOOP(
            "Report", "One row per run, or per group of runs that differ only by seed (mean ± sample standard "
                      "deviation over the n runs). Training time leaves out pauses and the wait in the queue.")))
            + "</p>")
        colours = [None if row.get("published") else self.colours.get(row["run_ids"][0]) for row in rows]
        run_header = self.tr(QT_TRANSLATE_NOOP("Report", "Run"))
        quality = [[label, str(row["n"]), *(cell(row, key) for key in QUALITY_COLUMNS)]
                   for label, row in zip(labels, rows)]
        self.parts.append(_table([run_header, "n", *(header_of[key] for key in QUALITY_COLUMNS)], quality,
                                 numeric_from=1, colours=colours, wide=True, nowrap_first=True))
        cost = [[label, *(cell(row, key) for key in COST_COLUMNS)] for label, row in zip(labels, rows)]
        self.parts.append(_table([run_header, *(header_of[key] for key in COST_COLUMNS)], cost, numeric_from=1,
                                 colours=colours, wide=True, nowrap_first=True))
        return rows

    def _published_entries(self) -> list[dict[str, Any]]:
        entries, seen = [], set()
        for run in self.runs:
            for entry in published_values(run, self.metric) if self.metric else []:
                key = json.dumps(entry, sort_keys=True)
                if key not in seen and finite(entry.get("value")) is not None:
                    seen.add(key)
                    entries.append(entry)
        return entries

    def verdicts(self):
        """The verdict the compare CLI gives (``--group-by``, or the study's factor); else, as the Compare
        view's Verdict tab, over its groups; ``None`` (no section) with fewer than two groups."""
        from workbench.verdicts import TEMPLATES, VerdictError, format_p, verdict_for_groups, verdict_for_runs

        def verdict_translate(text: str) -> str:
            return self.translate("Verdicts", text)

        if len({run.task for run in self.runs}) > 1 and not self.group_by:
            return None  # runs of several tasks: no one metric to judge them by
        metrics = [self.metric] if self.metric else None
        try:
            verdict = verdict_for_runs(self.store, self.runs, by=self.group_by, metrics=metrics,
                                       translate=verdict_translate)
        except VerdictError:
            if self.group_by or len([g for g in self.groups if g.runs]) < 2:
                return None
            try:
                verdict = verdict_for_groups(self.store, self.groups, metrics=metrics, translate=verdict_translate)
            except VerdictError:
                return None
        e = html.escape
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Verdicts')))}</h2>")
        if verdict.by:
            self.parts.append("<p>" + e(self.tr(QT_TRANSLATE_NOOP(
                "Report", "Groups by %1; each group against %2: the difference of means with its 95 % bootstrap "
                          "confidence interval, Welch's t-test and Hedges' g."))
                .replace("%1", verdict.by).replace("%2", verdict.baseline)) + "</p>")
        headers = [self.tr(QT_TRANSLATE_NOOP("Report", "Group")), "n",
                   self.tr(QT_TRANSLATE_NOOP("Report", "Mean ± std")),
                   self.tr(QT_TRANSLATE_NOOP("Report", "Difference")),
                   self.tr(QT_TRANSLATE_NOOP("Report", "95 % CI")), "p", "Hedges' g"]
        for m in verdict.metrics:
            unit = f" ({self.translate('Verdicts', TEMPLATES[m.unit.unit]).strip()})" if m.unit.unit else ""
            self.parts.append(f"<h3>{e(m.label)}{e(unit)}</h3>")
            stats_of = {c.group: c.stats for c in m.comparisons}
            rows = []
            for g in m.groups:
                mean = m.unit.number(g.mean) + (f" ± {m.unit.number(g.std)}" if g.std is not None else "")
                s = stats_of.get(g.name)
                if s is None:
                    rows.append([g.label, str(g.n), mean, self.tr(QT_TRANSLATE_NOOP("Report", "baseline")), "", "",
                                 ""])
                    continue
                ci = (f"[{m.unit.number(s.ci_low, signed=True)}, {m.unit.number(s.ci_high, signed=True)}]"
                      if s.ci_low is not None else DASH)
                p = s.welch_p if s.welch_p is not None else s.permutation_p
                g_text = DASH if s.hedges_g is None else f"{s.hedges_g:+.2f}".replace("-", "−")
                rows.append([g.label, str(g.n), mean, m.unit.number(s.difference, signed=True), ci,
                             format_p(p), g_text])
            self.parts.append(_table(headers, rows, numeric_from=1, wide=True))
            self.parts.append("<ul>" + "".join(
                f"<li>{e(c.sentence)}" + "".join(f"<br/><small>{e(n)}</small>" for n in c.notes) + "</li>"
                for c in m.comparisons) + "</ul>")
            self.parts.extend(f"<p><small>{e(n)}</small></p>" for n in m.notes)
        self.parts.extend(f"<p><small>{e(n)}</small></p>" for n in verdict.notes)
        return verdict

    # -- figures
    def figures_section(self) -> None:
        makers = [self.curves_figure, self.scatter_figure]
        details = [("confusion", run) for run in self.runs if _confusion_of(run) is not None]
        details += [("denoise", run) for run in self.runs if run.task == "denoise" and run.checkpoint]
        details += [("hsi", run) for run in self.runs if run.task == "hsi" and run.checkpoint]
        shown: dict[str, int] = {}
        hidden: dict[str, int] = {}
        selected = []
        for kind, run in details:
            if shown.get(kind, 0) < MAX_DETAIL_FIGURES:
                shown[kind] = shown.get(kind, 0) + 1
                selected.append((kind, run))
            else:
                hidden[kind] = hidden.get(kind, 0) + 1
        total = len(makers) + len(selected)
        done = 0
        figures: list[ReportFigure] = []
        for maker in makers:
            self.progress(done, total)
            figure = maker()
            if figure is not None:
                figures.append(figure)
            done += 1
        detail_makers = {"confusion": self.confusion_figure, "denoise": self.denoise_figure, "hsi": self.hsi_figure}
        for kind, run in selected:
            self.progress(done, total)
            try:
                figure = detail_makers[kind](run)
            except ReportCancelled:
                raise
            except Exception as exc:  # noqa: BLE001 - one run's figure failing leaves the rest of the report
                self.notes.append(self.tr(QT_TRANSLATE_NOOP("Report", "Run #%1: no figure (%2)"))
                                  .replace("%1", str(run.id)).replace("%2", str(exc) or type(exc).__name__))
                figure = None
            if figure is not None:
                figures.append(figure)
            done += 1
        self.progress(total, total)
        if not figures:
            return
        e = html.escape
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Figures')))}</h2>")
        for figure in figures:
            self.parts.append(f"<p><img src=\"{figure.data_uri}\" width=\"{figure.width}\" alt=\"{e(figure.caption)}\"/>"
                              f"<br/><small>{e(figure.caption)}</small></p>")
        for kind, count in hidden.items():
            what = {"confusion": QT_TRANSLATE_NOOP("Report", "%1 more confusion matrices not shown."),
                    "denoise": QT_TRANSLATE_NOOP("Report", "%1 more denoising examples not shown."),
                    "hsi": QT_TRANSLATE_NOOP("Report", "%1 more hyperspectral maps not shown.")}[kind]
            self.parts.append(f"<p><small>{e(self.tr(what).replace('%1', str(count)))}</small></p>")
        self.figures = figures

    def _loss_name(self) -> str | None:
        for name in ("train_loss", "loss"):
            if any(self.points(run, name) for run in self.runs):
                return name
        return None

    def curves_figure(self) -> ReportFigure | None:
        from matplotlib.ticker import MaxNLocator

        names = [n for n in (self.metric, self._loss_name()) if n]
        drawn_any = finals_drawn = False
        fig = _figure(9.6, 3.6)
        axes = fig.subplots(1, len(names), squeeze=False)[0]
        for ax, name in zip(axes, names):
            for index, group in enumerate(self.groups):
                colour = PALETTE[index % len(PALETTE)]
                style = LINE_STYLES[index % len(LINE_STYLES)]
                label = self.legend_labels[index]
                curves = [curve_xy(self.points(run, name), "epoch") for run in group.runs]
                with_points = [(x, y) for x, y in curves if len(x)]
                if len(with_points) >= 2:
                    x, mean, std = mean_std_curve(with_points)
                    if len(x):
                        ax.plot(x, mean, color=colour, linestyle=style, label=f"{label} (n={len(with_points)})",
                                marker="o" if len(x) <= 12 else None, markersize=4)
                        ax.fill_between(x, mean - std, mean + std, color=colour, alpha=0.2, linewidth=0)
                        drawn_any = True
                elif with_points:
                    x, y = with_points[0]
                    ax.plot(x, y, color=colour, linestyle=style, label=label, marker="o" if len(x) <= 12 else None,
                            markersize=4)
                    drawn_any = True
                finals = [(float(run.epoch), finite(run.metrics.get(name))) for run, (x, _) in zip(group.runs, curves)
                          if not len(x)]
                finals = [(x, y) for x, y in finals if y is not None]
                if finals:
                    ax.plot([x for x, _ in finals], [y for _, y in finals], linestyle="none", marker="D",
                            color=colour, label=None if with_points else label)
                    drawn_any = finals_drawn = True
            ax.set_xlabel(self.tr(QT_TRANSLATE_NOOP("Report", "epoch")))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(self.metric_title(name))
            ax.grid(alpha=0.3)
        if not drawn_any:
            return None
        handles, labels = _legend_entries(axes)
        if handles:
            fig.legend(handles, labels, loc="outside upper center", ncol=min(4, len(handles)), frameon=False)
        caption = self.tr(QT_TRANSLATE_NOOP(
            "Report", "%1 per epoch: one line per group, the mean over its seeds with a shaded band of ±1 standard "
                      "deviation.")).replace("%1", " · ".join(self.metric_title(n) for n in names))
        if finals_drawn:
            caption += " " + self.tr(QT_TRANSLATE_NOOP("Report", "A diamond marks a run known only by its final "
                                                                 "value (no recorded points)."))
        return ReportFigure("curves", _png(fig), caption)

    def scatter_figure(self) -> ReportFigure | None:
        if not self.metric:
            return None
        per_run = {run.id: run_summary(self.store, run, self.metric) for run in self.runs}
        params = {values["params"] for values in per_run.values()
                  if values["params"] is not None and values["final"] is not None}  # of the runs drawn
        axes_keys = [key for key, wanted in (("params", len(params) > 1), ("seconds", True)) if wanted]
        axes_keys = [key for key in axes_keys
                     if any(v[key] is not None and v["final"] is not None for v in per_run.values())]
        if not axes_keys:
            return None
        titles = {"params": self.tr(QT_TRANSLATE_NOOP("Report", "Parameters")),
                  "seconds": self.tr(QT_TRANSLATE_NOOP("Report", "Training time (s)"))}
        fig = _figure(6.4 if len(axes_keys) == 1 else 9.6, 3.6)
        axes = fig.subplots(1, len(axes_keys), squeeze=False)[0]
        for ax, key in zip(axes, axes_keys):
            for index, group in enumerate(self.groups):
                points = [(per_run[run.id][key], per_run[run.id]["final"]) for run in group.runs]
                points = [(x, y) for x, y in points if x is not None and y is not None]
                if points:
                    ax.scatter([x for x, _ in points], [y for _, y in points], color=PALETTE[index % len(PALETTE)],
                               label=self.legend_labels[index], s=28, alpha=0.85)
            if key == "params":
                ax.set_xscale("log")
            ax.set_xlabel(titles[key])
            ax.set_ylabel(self.tr(QT_TRANSLATE_NOOP("Report", "final %1")).replace("%1", self.metric_title(self.metric)))
            ax.grid(alpha=0.3)
        handles, labels = _legend_entries(axes)
        if handles:
            fig.legend(handles, labels, loc="outside upper center", ncol=min(4, len(handles)), frameon=False)
        caption = self.tr(QT_TRANSLATE_NOOP("Report", "Cost against quality: each point is one run."))
        return ReportFigure("scatter", _png(fig), caption)

    def confusion_figure(self, run: Run) -> ReportFigure | None:
        found = _confusion_of(run)
        if found is None:
            return None
        matrix, names = found
        k = matrix.shape[0]
        size = min(9.0, max(4.0, 0.38 * k + 2.2))
        fig = _figure(size, size * 0.92)
        ax = fig.subplots()
        totals = matrix.sum(axis=1, keepdims=True)
        recall = np.divide(matrix, totals, out=np.zeros_like(matrix, dtype=float), where=totals > 0)
        ax.imshow(recall, cmap="Blues", vmin=0.0, vmax=1.0)
        if k <= 20:
            for i in range(k):
                for j in range(k):
                    if matrix[i, j]:
                        ax.text(j, i, f"{int(matrix[i, j])}", ha="center", va="center", fontsize=8,
                                color="white" if recall[i, j] > 0.6 else "black")
        ax.set_xticks(range(k), names, rotation=90, fontsize=8)
        ax.set_yticks(range(k), names, fontsize=8)
        ax.set_xlabel(self.tr(QT_TRANSLATE_NOOP("Report", "predicted")))
        ax.set_ylabel(self.tr(QT_TRANSLATE_NOOP("Report", "true")))
        ax.set_title(f"#{run.id} {run.title}", fontsize=11)
        caption = self.tr(QT_TRANSLATE_NOOP(
            "Report", "Run #%1: confusion matrix of the test set (counts; colour: the share of each true class)."
        )).replace("%1", str(run.id))
        return ReportFigure("confusion", _png(fig), caption, run.id)

    def denoise_figure(self, run: Run) -> ReportFigure | None:
        from skimage import data as samples
        from skimage.metrics import peak_signal_noise_ratio

        from engines.labs.denoise.methods import add_noise, run_model

        load_denoiser = _lab_service("denoise").load_denoiser

        sigma = finite(run.config.get("sigma")) or 25.0
        clean = samples.camera()[SAMPLE_CROP].astype(np.float32) / 255.0
        noisy = add_noise(clean, sigma, seed=SAMPLE_NOISE_SEED)
        denoiser = load_denoiser(run_id=run.id, store=self.store)
        restoration = run_model(denoiser.model, noisy, tile=None, should_stop=self._should_stop)
        noisy_psnr = peak_signal_noise_ratio(clean, np.clip(noisy, 0, 1), data_range=1.0)
        psnr = peak_signal_noise_ratio(clean, restoration.restored, data_range=1.0)
        fig = _figure(9.6, 3.6)
        axes = fig.subplots(1, 3)
        residual = restoration.residual
        spread = float(np.abs(residual).max()) or 1.0
        panels = (
            (np.clip(noisy, 0, 1), self.tr(QT_TRANSLATE_NOOP("Report", "noisy (σ %1): %2 dB"))
             .replace("%1", f"{sigma:g}").replace("%2", f"{noisy_psnr:.2f}"), 0.0, 1.0),
            (residual, self.tr(QT_TRANSLATE_NOOP("Report", "residual (the noise removed)")), -spread, spread),
            (restoration.restored, self.tr(QT_TRANSLATE_NOOP("Report", "denoised: %1 dB")).replace("%1", f"{psnr:.2f}"),
             0.0, 1.0),
        )
        for ax, (image, title, low, high) in zip(axes, panels):
            ax.imshow(image, cmap="gray", vmin=low, vmax=high)
            ax.set_title(title, fontsize=11)
            ax.set_axis_off()
        caption = self.tr(QT_TRANSLATE_NOOP(
            "Report", "Run #%1 (%2) on scikit-image's cameraman (256 × 256 crop), Gaussian noise σ %3 (seed 0); "
                      "PSNR against the clean image.")).replace("%1", str(run.id)).replace("%2", run.title) \
            .replace("%3", f"{sigma:g}")
        return ReportFigure("denoise", _png(fig), caption, run.id)

    def hsi_figure(self, run: Run) -> ReportFigure | None:
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch

        maps = _lab_service("hsi")
        compute_map, prepare_for_run = maps.compute_map, maps.prepare_for_run
        scene_of_run = prepare_for_run(run)
        scene = scene_of_run.prepared.scene
        probs = compute_map(run, run.checkpoint, run_scene=scene_of_run, should_stop=self._should_stop)
        predicted = probs.argmax(-1) + 1
        colours = ["#000000"] + ["#%02x%02x%02x" % tuple(int(c) for c in rgb) for rgb in scene.colors]
        cmap = ListedColormap(colours)
        fig = _figure(9.6, 5.2)
        axes = fig.subplots(1, 2)
        for ax, image, title in ((axes[0], predicted, self.tr(QT_TRANSLATE_NOOP("Report", "predicted"))),
                                 (axes[1], scene.gt, self.tr(QT_TRANSLATE_NOOP("Report", "ground truth")))):
            ax.imshow(image, cmap=cmap, vmin=0, vmax=len(colours) - 1, interpolation="nearest")
            ax.set_title(title)
            ax.set_axis_off()
        handles = [Patch(color=colours[i + 1], label=name) for i, name in enumerate(scene.class_names)]
        fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=9, frameon=False)
        caption = self.tr(QT_TRANSLATE_NOOP(
            "Report", "Run #%1 (%2): the predicted class of every pixel beside the ground truth (black: "
                      "unlabelled).")).replace("%1", str(run.id)).replace("%2", run.title)
        return ReportFigure("hsi_map", _png(fig), caption, run.id)

    # -- the rest
    def config_section(self) -> None:
        diff = config_diff(self.runs) if len(self.runs) > 1 else {}
        if not diff:
            return
        e = html.escape
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Configuration differences')))}</h2>")
        self.parts.append("<p>" + e(self.tr(QT_TRANSLATE_NOOP(
            "Report", "The settings that differ between the runs; every other setting is the same."))) + "</p>")
        def text(value: Any) -> str:
            return DASH if value is None else value if isinstance(value, str) else json.dumps(value)

        if len(diff) <= len(self.runs):  # few settings, many runs: a row per run reads down the page
            headers = [self.tr(QT_TRANSLATE_NOOP("Report", "Run")), *diff]
            rows = [[f"#{run.id}", *(text(values[index]) for values in diff.values())]
                    for index, run in enumerate(self.runs)]
            colours = [self.colours.get(run.id) for run in self.runs]
        else:
            headers = [self.tr(QT_TRANSLATE_NOOP("Report", "Setting")), *(f"#{run.id}" for run in self.runs)]
            rows = [[key, *(text(v) for v in values)] for key, values in diff.items()]
            colours = None
        self.parts.append(_table(headers, rows, colours=colours))

    def reproduce_section(self) -> dict[int, str]:
        e = html.escape
        commands: dict[int, str] = {}
        lines = []
        for run in self.runs:
            try:
                commands[run.id] = reproduce_command(run)
            except (ReportError, ImportError) as exc:
                lines.append(f"<p><small>{e(str(exc))}</small></p>")
                continue
            lines.append(f"<p><b>#{run.id}</b> {e(run.title)}<br/><code>{e(commands[run.id])}</code></p>")
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Reproduce')))}</h2>")
        self.parts.append("<p>" + e(self.tr(QT_TRANSLATE_NOOP(
            "Report", "Each command trains the run again with its recorded settings (the defaults left out)."))) +
            "</p>")
        self.parts.extend(lines)
        return commands

    def environment_section(self) -> None:
        e = html.escape
        rows = [["CNN Workbench", self._version()], ["Python", platform.python_version()]]
        for name in ("torch", "torchvision", "numpy", "scipy", "matplotlib"):
            rows.append([name, _package_version(name)])
        if self.qt_version:
            rows.append(["Qt", self.qt_version])
        rows.append([self.tr(QT_TRANSLATE_NOOP("Report", "Operating system")), platform.platform()])
        rows.append([self.tr(QT_TRANSLATE_NOOP("Report", "CPU")), _cpu_name()])
        devices: dict[str, list[int]] = {}
        for run in self.runs:
            devices.setdefault(_device_of(run), []).append(run.id)
        if len(devices) == 1:
            rows.append([self.tr(QT_TRANSLATE_NOOP("Report", "Device")), next(iter(devices))])
        else:
            for device, ids in devices.items():
                rows.append([self.tr(QT_TRANSLATE_NOOP("Report", "Device")) + " " + ", ".join(f"#{i}" for i in ids),
                             device])
        rows.append([self.tr(QT_TRANSLATE_NOOP("Report", "Generated")),
                     time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(self.now))])
        self.parts.append(f"<h2>{e(self.tr(QT_TRANSLATE_NOOP('Report', 'Environment')))}</h2>")
        self.parts.append(_table([self.tr(QT_TRANSLATE_NOOP("Report", "Item")),
                                  self.tr(QT_TRANSLATE_NOOP("Report", "Value"))], rows))

    @staticmethod
    def _version() -> str:
        from workbench import __version__

        return __version__

    def build(self) -> Report:
        import matplotlib

        self.now = time.time()
        self.header()
        self.check_stop()
        rows = self.summary()
        self.check_stop()
        verdict = self.verdicts()
        # Figures are shown at 2/3 of their pixels: 11 pt text reads as the page's 9 pt captions.
        with matplotlib.rc_context({"font.family": _figure_fonts(), "font.size": 11, "axes.titlesize": 12,
                                    "legend.fontsize": 10}):
            self.figures_section()
        self.config_section()
        commands = self.reproduce_section()
        self.environment_section()
        if self.notes:
            self.parts.append("".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes))
        lang = self.language.replace("_", "-") if self.language else "en"
        document = (
            f"<!DOCTYPE html>\n<html lang=\"{html.escape(lang)}\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            f"<title>{html.escape(self.title)}</title>\n<style>\n{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(self.parts) + "\n</body>\n</html>\n")
        return Report(document, [run.id for run in self.runs], self.figures, rows, commands, verdict, self.study,
                      self.notes)


_CSS = f"""body {{ font-family: {FONT_STACK}; font-size: 10pt; color: #222; }}
h1 {{ font-size: 18pt; }}
h2 {{ font-size: 14pt; margin-top: 18px; border-bottom: 1px solid #ccc; }}
h3 {{ font-size: 11pt; }}
table {{ border-collapse: collapse; margin: 4px 0 8px 0; font-size: 9pt; }}
th {{ background-color: #eeeeee; text-align: left; }}
th, td {{ border: 1px solid #bbbbbb; padding: 3px 6px; }}
td.num {{ text-align: right; }}
code {{ font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 9pt; }}
"""


class _Raw(str):
    """Table cell text that is HTML already (not escaped again)."""


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int | None = None,
           colours: Sequence[str | None] | None = None, wide: bool = False, nowrap_first: bool = False) -> str:
    """An HTML table; ``wide``: the page's whole width (many columns), else as wide as its text;
    ``nowrap_first``: the first column's text kept on one line (labels a narrow column would break mid-word)."""
    e = html.escape
    width = " width=\"100%\"" if wide else ""
    out = [f"<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\"{width}>",
           "<tr>" + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr>"]
    for index, row in enumerate(rows):
        cells = []
        for column, cell in enumerate(row):
            numeric = numeric_from is not None and column >= numeric_from
            text = cell if isinstance(cell, _Raw) else e(str(cell))
            if column == 0 and colours is not None and colours[index]:
                text = f"<font color=\"{colours[index]}\">■</font>&nbsp;{text}"
            if column == 0 and nowrap_first:
                cells.append(f"<td style=\"white-space: nowrap\">{text}</td>")
                continue
            cells.append(f"<td class=\"num\" align=\"right\">{text}</td>" if numeric else f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


# The lab services a report's figures use, imported by name when a run needs them: the report spans the labs,
# and the labs' CLI modules reach this module through workbench.cli, so a static import would make the labs
# import each other (the import contracts forbid it; workbench.cli loads the labs' verbs the same way).
LAB_SERVICES = {"denoise": "workbench.labs.denoise.service", "hsi": "workbench.labs.hsi.maps"}


def _lab_service(lab: str):
    import importlib

    return importlib.import_module(LAB_SERVICES[lab])


def _short_labels(groups: Sequence[RunGroup]) -> list[str]:
    """What a figure's legend calls each group: ``output=none`` rather than the table's
    ``small_cnn · digits · model_options.output=none`` (the model and dataset shared by every group left out)."""
    from workbench.studies import factor_short_name

    prefixes = {f"{g.runs[0].model} · {g.runs[0].dataset}" for g in groups if g.runs}
    prefix = next(iter(prefixes)) if len(prefixes) == 1 else ""
    labels = []
    for group in groups:
        if group.by is not None:
            labels.append(f"{factor_short_name(group.by)}={group.label}")
            continue
        label = group.row_label
        if prefix and label.startswith(prefix + " · "):
            label = label[len(prefix) + 3:]
        labels.append(label.replace("model_options.", "").replace("data_options.", ""))
    return labels


def _legend_entries(axes) -> tuple[list, list[str]]:
    """One legend entry per label over every panel (a group may have points in one panel only)."""
    entries: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def _figure_fonts() -> list[str]:
    """The families of :data:`MPL_FONTS` that matplotlib finds here, in order: it falls back from one to the next
    for a missing glyph (a Chinese title), and a family it lacks would be logged as not found."""
    from matplotlib import font_manager

    available = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in MPL_FONTS if name in available] or ["sans-serif"]


def _confusion_of(run: Run) -> tuple[np.ndarray, list[str]] | None:
    """A run's test confusion matrix from its summary (rows: true class) and the class names, if it has one."""
    summary = run.summary
    for key in ("confusion_matrix", "test_confusion", "confusion"):
        value = summary.get(key)
        if value is None:
            continue
        try:
            matrix = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return None
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not matrix.size or \
                not np.isfinite(matrix).all():
            return None
        names = [str(n) for n in summary.get("class_names") or []]
        if len(names) != matrix.shape[0]:
            names = [str(i) for i in range(matrix.shape[0])]
        return matrix, names
    return None


def _device_of(run: Run) -> str:
    configured = str(run.config.get("device", "") or "")
    used = run.device or str(run.summary.get("device", "") or "")
    if used and configured and configured not in ("auto", used):
        return f"{used} ({configured})"
    return used or configured or DASH


def _package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return DASH


def _cpu_name() -> str:
    name = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    return f"{name}, {os.cpu_count() or '?'} cores"


# -- the entry points -----------------------------------------------------------------------------------------
def build_report(store: RunStore, run_ids: Sequence[int] = (), *, study: str | None = None,
                 group_by: str | None = None, metric: str | None = None, translate: Translate | None = None,
                 language: str = "en", qt_version: str | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> Report:
    """The report of ``run_ids`` (or of the study ``study``: an id or a preset name), as HTML.

    ``group_by`` groups the summary and the verdict by a config key (default: the study's factor, or runs equal
    up to the seed); ``metric`` is the compared metric (default: the task's primary one). ``translate(context,
    text)`` translates every text; ``language`` is written as the document's ``lang``. ``progress(done, total)``
    follows the figures; ``should_stop()`` true stops with :class:`ReportCancelled`. :class:`ReportError` for an
    unknown study or run, or no runs. Store errors pass through.
    """
    from workbench.store import UnknownRun

    study_id = None
    if study:
        study_id, runs = resolve_study(store, study)
    else:
        runs = []
        for run_id in dict.fromkeys(run_ids):
            try:
                runs.append(store.get_run(int(run_id)))
            except UnknownRun as exc:
                raise ReportError(str(exc)) from None
        studies = {study_of(run.tags) for run in runs}
        if len(studies) == 1 and None not in studies:
            study_id = studies.pop()  # the runs of one study: its question belongs in the report
    if not runs:
        raise ReportError("no runs to report on")
    if metric:
        known = {name for run in runs for name in (*store.metric_names(run.id), *run.metrics)}
        if metric not in known:
            raise ReportError(f"no run has the metric {metric!r}; these runs have: {', '.join(sorted(known)) or 'none'}")
    builder = _Builder(store, runs, study=study_id, group_by=group_by, metric=metric,
                       translate=translate or _identity, language=language, qt_version=qt_version,
                       progress=progress, should_stop=should_stop)
    return builder.build()


def check_output_path(path: str | os.PathLike) -> Path:
    """Where a report may be written: not a folder, in an existing folder this user can write (checked before
    the work); :class:`ReportError` names the file and the reason."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ReportError(f"cannot write the report to {path}: it is a folder")
    if not folder.is_dir():
        raise ReportError(f"cannot write the report to {path}: no folder {folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ReportError(f"cannot write the report to {path}: permission denied")
    return path


def write_report(path: str | os.PathLike, text: str | bytes) -> Path:
    """Write the report to ``path`` through a temporary file in the same folder, so a failed write never leaves
    half a file; :class:`ReportError` names the file and the reason."""
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ReportError(f"cannot write the report to {path}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _new_file_mode(path))  # mkstemp makes it private; a report is a file like any other
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    return path


def _new_file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777  # a replaced file keeps its permissions
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def data_uri_images(document: str) -> list[tuple[str, bytes]]:
    """Every ``<img src="data:image/png;base64,…">`` of a report: (the src, the PNG bytes). The window registers
    them with its ``QTextDocument`` before printing to PDF."""
    images = []
    for match in re.finditer(r'<img src="(data:image/png;base64,([A-Za-z0-9+/=]+))"', document):
        images.append((match.group(1), base64.b64decode(match.group(2))))
    return images
