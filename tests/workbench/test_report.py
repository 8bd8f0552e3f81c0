"""``workbench report``: one self-contained HTML file whose numbers are the Compare view's, verdicts, figures,
the commands that reproduce each run, and its translation through a Qt-free catalog reader."""
from __future__ import annotations

import base64
import html
import shlex
from html.parser import HTMLParser

import numpy as np
import pytest

from tests.workbench.test_verdicts import add_run, config
from workbench.cli import build_parser, config_from_args, main
from workbench.compare import SUMMARY_COLUMNS, format_number, group_runs, run_summary, summary_rows
from workbench.i18n_catalog import CatalogError, Translator, load_translator
from workbench.report import (
    MAX_DETAIL_FIGURES,
    ReportError,
    build_report,
    reproduce_command,
    resolve_study,
)
from workbench.store import RunStore

STUDY = "output-activation-20260101-120000"


def train_runs(store: RunStore, variants: dict[str, dict], *, seeds=(0, 1), study: str | None = STUDY,
               factor: str = "model_options.output") -> list[int]:
    """Tiny real runs: small_cnn on digits, 1 epoch cut to a few steps, one per (variant, seed), tagged as one
    study's runs. ``variants`` maps the factor's value to extra config values."""
    from engines.core.tasks import get_task
    from workbench.runner import TrainingSession, create_run

    cls = get_task("classify").config_cls
    ids = []
    for value, extra in variants.items():
        for seed in seeds:
            values = {"task": "classify", "model": "small_cnn", "data": "digits", "epochs": 1, "seed": seed,
                      "max_steps": 4, "batch_size": 32, "threads": 1, **extra}
            values["model_options"] = {"width": 8, "output": value, **extra.get("model_options", {})}
            cfg = cls.from_dict(values).validate()
            tags = (f"study:{study}", f"factor:{factor}={value}") if study else ()
            run_id = create_run(store, cfg, name=f"output={value} · seed {seed}", tags=tags)
            outcome = TrainingSession(cfg, store=store, run_id=run_id).run()
            assert outcome.status == "finished", outcome.message
            ids.append(run_id)
    return ids


@pytest.fixture
def study_runs():
    """Four tiny runs of one study: output none|softmax × seeds 0, 1 (about a second each)."""
    with RunStore() as store:
        return train_runs(store, {"none": {}, "softmax": {}})


class ReportParser(HTMLParser):
    """Checks the structure (balanced tags), and collects every URL, every image and the tables."""

    VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str]] = []
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.headings: list[tuple[str, str]] = []
        self._heading: list[str] | None = None
        self.html_attrs: dict[str, str] = {}
        self.metas: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        for key in ("src", "href", "action", "data", "poster"):
            if key in attributes:
                self.urls.append((tag, key, attributes[key]))
        if "style" in attributes and "url(" in attributes["style"]:
            self.errors.append(f"url() in a style attribute of <{tag}>")
        if tag == "html":
            self.html_attrs = attributes
        if tag == "meta":
            self.metas.append(attributes)
        if tag == "img":
            self.images.append(attributes)
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.tables[-1].append([])
        if tag in ("td", "th"):
            self._cell = []
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag in ("h1", "h2", "h3") and self._heading is not None:
            self.headings.append((tag, "".join(self._heading).strip()))
            self._heading = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def parse(document: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(document)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed: {parser.stack}"
    return parser


def check_self_contained(parsed: ReportParser) -> None:
    assert parsed.urls, "no images at all"
    for tag, attribute, value in parsed.urls:
        assert value.startswith("data:"), f"<{tag} {attribute}={value[:60]!r}> is not embedded"
    assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags
    for image in parsed.images:
        assert image["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(image["src"].split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def summary_cells(parsed: ReportParser, document: str) -> list[dict[str, str]]:
    """The summary's two tables (quality, then cost) as one dict per row: ``label``, ``n`` and each key of
    SUMMARY_COLUMNS → the cell's text."""
    from workbench.report import COST_COLUMNS, QUALITY_COLUMNS

    assert sorted(QUALITY_COLUMNS + COST_COLUMNS) == sorted(SUMMARY_COLUMNS)
    start = document.index("<h2>Summary</h2>")
    index = document[:start].count("<table")
    quality, cost = parsed.tables[index], parsed.tables[index + 1]
    assert len(quality) == len(cost)
    rows = []
    for q, c in zip(quality[1:], cost[1:]):
        assert q[0] == c[0]
        rows.append({"label": q[0], "n": q[1], **dict(zip(QUALITY_COLUMNS, q[2:])), **dict(zip(COST_COLUMNS, c[1:]))})
    return rows


def table_after(parsed: ReportParser, document: str, heading: str) -> list[list[str]]:
    """The first table after the ``<h2>`` titled ``heading``."""
    start = document.index(f"<h2>{html.escape(heading)}</h2>")
    index = document[:start].count("<table")
    return parsed.tables[index]


# -- the HTML -------------------------------------------------------------------------------------------------
def test_the_report_is_valid_html_with_every_image_embedded(study_runs):
    with RunStore() as store:
        report = build_report(store, study_runs)
    parsed = parse(report.html)
    check_self_contained(parsed)
    assert parsed.html_attrs.get("lang") == "en"
    assert any(meta.get("charset", "").lower() == "utf-8" for meta in parsed.metas)
    assert "Noto Sans CJK SC" in report.html and "WenQuanYi Micro Hei" in report.html  # a CJK font stack
    # Classification runs without a confusion matrix: the curves and the cost–quality scatter, nothing else.
    assert [f.kind for f in report.figures] == ["curves", "scatter"]
    assert len(parsed.images) == len(report.figures)
    headings = [text for tag, text in parsed.headings if tag == "h2"]
    assert headings == ["Runs", "Summary", "Verdicts", "Figures", "Configuration differences", "Reproduce",
                        "Environment"]
    assert report.study == STUDY  # the runs of one study: its question is in the report
    assert "Cross-entropy already applies log-softmax" in report.html


def test_summary_numbers_equal_run_summary_with_the_compare_views_rounding(study_runs):
    with RunStore() as store:
        runs = [store.get_run(i) for i in study_runs]
        report = build_report(store, study_runs)
        groups = group_runs(runs)
        expected = summary_rows(store, groups)
        per_run = {run.id: run_summary(store, run) for run in runs}
    parsed = parse(report.html)
    table = summary_cells(parsed, report.html)
    assert len(table) == len(groups) == 2
    for row, cells, group in zip(expected, table, groups):
        assert cells["n"] == str(len(group.runs)) == "2"
        for key in SUMMARY_COLUMNS:
            cell = cells[key]
            values = [per_run[run.id][key] for run in group.runs]
            finite = [v for v in values if v is not None]
            if not finite:
                assert cell == "–"
                continue
            mean, std = np.mean(finite), np.std(finite, ddof=1)
            assert row[key] == pytest.approx(mean)
            if std == 0 and key in ("params", "flops", "epochs"):
                assert cell == format_number(mean, key)
            else:
                assert cell.startswith(f"{format_number(mean, key)} ± {format_number(std, key)}"), (key, cell)
        assert all(f"#{i}" in cells["label"] for i in group.run_ids)


def test_verdict_table_and_sentences_are_the_compare_clis(study_runs, capsys):
    with RunStore() as store:
        report = build_report(store, study_runs)
    assert report.verdict is not None and report.verdict.by == "model_options.output"
    assert main(["compare", *map(str, study_runs), "--json"]) == 0
    import json

    cli = json.loads(capsys.readouterr().out)
    (metric,) = cli["metrics"]
    assert [c["sentence"] for c in metric["comparisons"]] == report.verdict.sentences()
    for sentence in report.verdict.sentences():
        assert html.escape(sentence) in report.html
    parsed = parse(report.html)
    table = table_after(parsed, report.html, "Verdicts")
    assert table[0] == ["Group", "n", "Mean ± std", "Difference", "95 % CI", "p", "Hedges' g"]
    assert [row[0] for row in table[1:]] == ["none", "softmax"]
    comparison = metric["comparisons"][0]
    unit = report.verdict.metrics[0].unit
    assert table[2][3] == unit.number(comparison["difference"], signed=True)
    if comparison["hedges_g"] is not None:
        assert table[2][6] == f"{comparison['hedges_g']:+.2f}".replace("-", "−")


def test_curves_band_is_drawn_from_the_groups_points(study_runs):
    """The curve figure is one PNG per report, decodable and of the size the HTML scales."""
    from io import BytesIO

    from matplotlib.image import imread

    with RunStore() as store:
        report = build_report(store, study_runs)
    curves = report.figures[0]
    pixels = imread(BytesIO(curves.png), format="png")
    assert pixels.shape[1] == 960 and curves.width == 640
    assert f'width="{curves.width}"' in report.html


# -- reproducing runs ------------------------------------------------------------------------------------------
def test_each_command_parses_back_to_the_stored_config():
    with RunStore() as store:
        ids = train_runs(store, {"none": {"lr": 0.004, "label_smoothing": 0.1, "scheduler": "none"},
                                 "log_softmax": {"optimizer": "sgd", "momentum": 0.8,
                                                 "model_options": {"batchnorm": False}}},
                         seeds=(3,), study=None)
        runs = [store.get_run(i) for i in ids]
        report = build_report(store, ids)
    assert set(report.commands) == set(ids)
    for run in runs:
        command = report.commands[run.id]
        assert command == reproduce_command(run)
        words = shlex.split(command)
        assert words[:2] == ["workbench", "train"]
        args = build_parser().parse_args(words[1:])
        assert config_from_args(args).to_dict() == run.config
        assert html.escape(command) in report.html
    # Defaults are left out: the first run sets lr, not weight_decay.
    first = report.commands[ids[0]]
    assert "--set lr=0.004" in first and "weight_decay" not in first and "--seed 3" in first


# -- studies -----------------------------------------------------------------------------------------------
def test_study_by_preset_name_is_its_newest_study():
    with RunStore() as store:
        old = [add_run(store, config(o, s), {"test_accuracy": 0.5 + s / 10},
                       tags=("study:output-activation-20250101-000000", f"factor:model_options.output={o}"))
               for o in ("none", "softmax") for s in (0, 1)]
        new = [add_run(store, config(o, s), {"test_accuracy": 0.6 + s / 10},
                       tags=("study:output-activation-20260202-000000", f"factor:model_options.output={o}"))
               for o in ("none", "softmax") for s in (0, 1)]
        add_run(store, config("none", 0), {"test_accuracy": 0.7},  # another preset whose name starts the same
                tags=("study:output-activation-mobilenet-20270101-000000", "factor:model_options.output=none"))
        study, runs = resolve_study(store, "output-activation")
        assert study == "output-activation-20260202-000000" and [r.id for r in runs] == new
        assert resolve_study(store, "output-activation-20250101-000000")[0] == "output-activation-20250101-000000"
        with pytest.raises(ReportError, match="no study 'nope'.*output-activation-20260202-000000"):
            resolve_study(store, "nope")
        with pytest.raises(ReportError, match="no study of the preset 'batchnorm'"):
            resolve_study(store, "batchnorm")
        report = build_report(store, study="output-activation")
    assert report.run_ids == new and old[0] not in report.run_ids
    assert "<h1>Study report: Is an output-layer activation needed?</h1>" in report.html


# -- figures of the runs' own results ------------------------------------------------------------------------
def test_confusion_matrices_have_class_names_and_at_most_eight_are_drawn():
    names = ["Alfalfa", "Corn-notill", "Corn-mintill"]
    with RunStore() as store:
        ids = []
        for seed in range(MAX_DETAIL_FIGURES + 2):
            run_id = add_run(store, config("none", seed, task="hsi", model="hybridsn", data="indian_pines"),
                             {"overall_accuracy": 0.8 + seed / 100})
            store.update_run(run_id, summary={"metrics": {"overall_accuracy": 0.8 + seed / 100},
                                              "confusion_matrix": [[5, 1, 0], [0, 7, 2], [1, 0, 9]],
                                              "class_names": names})
            ids.append(run_id)
        report = build_report(store, ids)
    parsed = parse(report.html)
    check_self_contained(parsed)
    kinds = [f.kind for f in report.figures]
    assert kinds.count("confusion") == MAX_DETAIL_FIGURES
    assert [f.run_id for f in report.figures if f.kind == "confusion"] == ids[:MAX_DETAIL_FIGURES]
    assert "2 more confusion matrices not shown." in report.html
    assert len(parsed.images) == len(report.figures)


def test_confusion_axes_are_labelled_true_and_predicted(monkeypatch):
    """The axis titles and the class names go through the figure (captured from matplotlib's text calls)."""
    from matplotlib.axes import Axes

    seen: dict[str, list] = {"xlabel": [], "ylabel": [], "xticks": []}
    original_x, original_y, original_ticks = Axes.set_xlabel, Axes.set_ylabel, Axes.set_xticks
    monkeypatch.setattr(Axes, "set_xlabel", lambda self, text, *a, **k: (seen["xlabel"].append(text),
                                                                          original_x(self, text, *a, **k))[1])
    monkeypatch.setattr(Axes, "set_ylabel", lambda self, text, *a, **k: (seen["ylabel"].append(text),
                                                                          original_y(self, text, *a, **k))[1])
    monkeypatch.setattr(Axes, "set_xticks", lambda self, ticks, labels=None, **k: (
        seen["xticks"].append(list(labels or [])), original_ticks(self, ticks, labels, **k))[1])
    with RunStore() as store:
        run_id = add_run(store, config("none", 0, task="hsi", model="hybridsn", data="indian_pines"),
                         {"overall_accuracy": 0.8})
        store.update_run(run_id, summary={"metrics": {"overall_accuracy": 0.8},
                                          "confusion_matrix": [[3, 1], [0, 4]], "class_names": ["Oats", "Wheat"]})
        report = build_report(store, [run_id])
    # A run without recorded points: a marker at its final value, and its confusion matrix.
    assert [f.kind for f in report.figures] == ["curves", "confusion"]
    assert "predicted" in seen["xlabel"] and "true" in seen["ylabel"]
    assert ["Oats", "Wheat"] in seen["xticks"]


def test_a_denoising_run_gets_a_triptych_with_psnr(monkeypatch):
    """The run's own weights denoise the cameraman crop: noisy / residual / denoised, PSNR in the titles."""
    from engines.core.tasks import get_task
    from workbench.runner import TrainingSession, create_run

    titles = []
    from matplotlib.axes import Axes

    original = Axes.set_title
    monkeypatch.setattr(Axes, "set_title", lambda self, text, *a, **k: (titles.append(text),
                                                                         original(self, text, *a, **k))[1])
    cfg = get_task("denoise").config_cls.from_dict({
        "task": "denoise", "model": "dncnn", "data": "skimage_samples", "epochs": 1, "max_steps": 2,
        "batch_size": 8, "sigma": 25.0, "threads": 1, "model_options": {"depth": 3, "features": 8},
        "data_options": {"max_patches": 64}}).validate()
    with RunStore() as store:
        run_id = create_run(store, cfg)
        assert TrainingSession(cfg, store=store, run_id=run_id).run().status == "finished"
        report = build_report(store, [run_id])
    assert [f.kind for f in report.figures if f.run_id == run_id] == ["denoise"]
    noisy = [t for t in titles if t.startswith("noisy (σ 25)")]
    denoised = [t for t in titles if t.startswith("denoised:")]
    assert noisy and denoised and noisy[0].endswith(" dB") and denoised[0].endswith(" dB")
    check_self_contained(parse(report.html))


# -- the command line --------------------------------------------------------------------------------------
def test_cli_writes_the_report_and_refuses_bad_input(study_runs, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", *map(str, study_runs), "--html", str(out)]) == 0
    assert f"wrote {out}: 4 run(s), 2 figure(s)" in capsys.readouterr().out
    check_self_contained(parse(out.read_text(encoding="utf-8")))
    assert main(["report", "--study", STUDY, "--html", str(tmp_path / "study.html")]) == 0
    capsys.readouterr()
    for args, needle in (
            ([], "give the runs to report on"),
            (["1", "--study", STUDY], "not both"),
            (["--study", "nope"], "no study 'nope'"),
            (["424242"], "no run with id 424242"),
            (["1", "--lang", "xx_XX"], "no translation for 'xx_XX'"),
            (["1", "--metric", "nonsense"], "no run has the metric 'nonsense'")):
        assert main(["report", *args, "--html", str(tmp_path / "x.html")]) == 2, args
        assert needle in capsys.readouterr().err, args
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["report", "1", "--html", str(blocked / "r.html")]) == 2
    assert f"cannot write the report to {blocked / 'r.html'}" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Report</name>
    <message><source>Summary</source><translation>摘要</translation></message>
    <message><source>Runs</source><translation type="unfinished">运行</translation></message>
    <message><source>epoch</source><translation>轮次</translation></message>
</context>
<context>
    <name>Verdicts</name>
    <message><source>p = {p}</source><translation>p 值 = {p}</translation></message>
    <message numerus="yes"><source>%n runs</source><translation><numerusform>%n 个</numerusform></translation>
    </message>
</context>
</TS>
"""


def test_translator_reads_finished_entries_and_falls_back_to_the_source(tmp_path):
    path = tmp_path / "workbench_zh_CN.ts"
    path.write_text(TS, encoding="utf-8")
    translate = Translator.from_ts(path)
    assert translate("Report", "Summary") == "摘要"
    assert translate("Report", "Runs") == "Runs"  # unfinished: the source
    assert translate("Verdicts", "Summary") == "Summary"  # another context
    assert translate("Verdicts", "%n runs") == "%n runs"  # plural forms are the window's
    assert translate.language == "zh_CN" and len(translate) == 3
    assert load_translator("en")("Report", "Summary") == "Summary"
    assert load_translator("zh_CN", tmp_path)("Report", "Summary") == "摘要"
    (tmp_path / "workbench_xx.ts").write_text("<TS><context>", encoding="utf-8")
    with pytest.raises(CatalogError, match="workbench_xx.ts is not valid XML"):
        load_translator("xx", tmp_path)
    with pytest.raises(CatalogError, match="no translation for 'fr'.*en, xx, zh_CN"):
        load_translator("fr", tmp_path)


def test_the_shipped_catalog_translates_the_studies_and_verdicts():
    translate = load_translator("zh_CN")
    assert translate("Studies", "Is an output-layer activation needed?") != "Is an output-layer activation needed?"


def test_cli_lang_translates_the_report(study_runs, tmp_path, monkeypatch, capsys):
    import warnings

    from workbench.report import MPL_FONTS, _figure_fonts

    folder = tmp_path / "i18n"
    folder.mkdir()
    (folder / "workbench_zh_CN.ts").write_text(TS, encoding="utf-8")
    monkeypatch.setattr("workbench.i18n_catalog.catalog_dir", lambda: folder)
    out = tmp_path / "zh.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["report", *map(str, study_runs), "--html", str(out), "--lang", "zh_CN"]) == 0, \
            capsys.readouterr().err
    if set(_figure_fonts()) & set(MPL_FONTS[1:]):  # a CJK font is installed: the figures' Chinese finds it
        assert not [w for w in caught if "missing from font" in str(w.message)]
    document = out.read_text(encoding="utf-8")
    parsed = parse(document)
    assert parsed.html_attrs["lang"] == "zh-CN"
    headings = [text for tag, text in parsed.headings if tag == "h2"]
    assert "摘要" in headings and "Summary" not in headings
    assert "Runs" in headings  # unfinished in the catalog: English
    assert "p 值 = " in document  # the verdict sentences through the same catalog, in their own context


@pytest.mark.slow
def test_a_hyperspectral_run_gets_its_map_beside_the_ground_truth_and_its_confusion():
    """A HybridSN run of a few steps on Indian Pines (shipped offline): the dense whole-scene map and the test
    confusion matrix from its summary, with the scene's class names."""
    from engines.core.tasks import get_task
    from workbench.runner import TrainingSession, create_run

    cfg = get_task("hsi").config_cls.from_dict({
        "task": "hsi", "model": "hybridsn", "data": "indian_pines", "epochs": 1, "max_steps": 1, "batch_size": 16,
        "train_ratio": 0.05, "threads": 1}).validate()
    with RunStore() as store:
        run_id = create_run(store, cfg)
        assert TrainingSession(cfg, store=store, run_id=run_id).run().status == "finished"
        run = store.get_run(run_id)
        report = build_report(store, [run_id])
    assert [f.kind for f in report.figures if f.run_id == run_id] == ["confusion", "hsi_map"]
    assert "Alfalfa" in run.summary["class_names"]
    check_self_contained(parse(report.html))
