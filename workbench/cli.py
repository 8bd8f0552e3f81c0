"""``workbench`` command line: subcommands run headless.

The ``workbench`` executable is :mod:`workbench.ui.launch`, which opens the window when no
subcommand is given and otherwise calls :func:`main`; this module imports no Qt (import
contracts in pyproject.toml). Engines (and so torch) are imported inside the handlers, so
``workbench`` alone shows its window without paying for them first.
"""
from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
from datetime import datetime
from typing import Any, Callable, Sequence

from workbench.jsonout import dumps
from workbench.labs import LABS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a tool its closed output pipe ended

# Labs add their own subcommands (their LabInfo.cli): each module has ``add_commands(subparsers) -> {name:
# handler}`` and must import nothing heavy at module level (the window's start-up goes through this parser).
COMMAND_MODULES: list[str] = [lab.cli for lab in LABS if lab.cli] + ["workbench.pretrained_cli", "workbench.study_cli"]


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage dump
        raise UsageError(message)


def run_id(text: str) -> int:
    """An argparse type: a run id as the store can hold it (1 … 2⁶³ − 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a run id is a whole number, got {text!r}") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"no run has the id {text} (run ids are whole numbers from 1)")
    return value


def _add_train_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--task", default="classify", help="task name (default: classify)")
    p.add_argument("--model", help="model name (default: the task's default)")
    p.add_argument("--data", help="dataset name or path (default: the task's default)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto|cpu|cuda|mps")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="any config field, or a model/data option (model.KEY=VALUE, data.KEY=VALUE)")
    p.add_argument("--name", default="", help="a name for the run")
    p.add_argument("--json", action="store_true", help="print one final JSON object on the last line")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    from workbench import __version__

    parser = _Parser(prog="workbench", description="Train, inspect and compare the CNNs of the course.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="open the window offscreen, train 2 steps through the worker, print JSON, exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    train = sub.add_parser("train", help="train a model headless and record the run")
    _add_train_options(train)

    runs = sub.add_parser("runs", help="list recorded runs")
    runs.add_argument("--task")
    runs.add_argument("--status")
    runs.add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="details of one run")
    show.add_argument("run_id", type=run_id)
    show.add_argument("--json", action="store_true")

    resume = sub.add_parser("resume", help="continue a stopped or interrupted run from its checkpoint")
    resume.add_argument("run_id", type=run_id)
    resume.add_argument("--epochs", type=int, help="train up to this many epochs in total")
    resume.add_argument("--threads", type=int,
                        help="CPU threads for PyTorch from here on (default: the run's own setting); the results "
                             "do not depend on it, the speed does")
    resume.add_argument("--json", action="store_true")
    resume.add_argument("--no-progress", action="store_true")

    export = sub.add_parser("export", help="write a run's metric points to CSV")
    export.add_argument("run_id", type=run_id)
    export.add_argument("--csv", required=True, metavar="FILE")

    delete = sub.add_parser("delete", help="delete runs and their files")
    delete.add_argument("run_ids", type=run_id, nargs="+")

    compare = sub.add_parser("compare", help="judge groups of runs: mean ± std, the difference to a baseline "
                                             "with a 95 %% CI, Welch and permutation tests, Hedges' g, a sentence")
    compare.add_argument("run_ids", type=run_id, nargs="+", metavar="RUN")
    compare.add_argument("--group-by", metavar="KEY",
                         help="config key whose values form the groups, e.g. model_options.output "
                              "(default: the factor of the runs' study)")
    compare.add_argument("--metric", action="append", metavar="NAME",
                         help="metric to compare (repeatable; default: the task's primary metric)")
    compare.add_argument("--baseline", metavar="VALUE", help="the group the others are compared with "
                                                             "(default: the first group)")
    compare.add_argument("--json", action="store_true", help="print the verdict as one JSON object")

    report = sub.add_parser(
        "report", help="write one self-contained HTML report of runs or of a study (tables, verdicts, figures, "
                       "configuration differences, the commands that reproduce each run, versions)",
        epilog="PDF: the window's File > Export report… prints the same report to PDF with Qt; this command "
               "line imports no Qt and writes HTML only (a browser prints it to PDF as well).")
    report.add_argument("run_ids", type=run_id, nargs="*", metavar="RUN", help="the runs to report on")
    report.add_argument("--study", metavar="ID",
                        help="a study's id (its runs' tag study:ID) or a preset name, e.g. output-activation "
                             "(its newest study)")
    report.add_argument("--html", required=True, metavar="FILE", help="the HTML file to write")
    report.add_argument("--lang", metavar="LANG", help="language of the report, e.g. zh_CN (default: English)")
    report.add_argument("--group-by", metavar="KEY",
                        help="config key whose values form the groups (default: the study's factor, or runs "
                             "equal up to the seed)")
    report.add_argument("--metric", metavar="NAME", help="metric to compare (default: the task's primary metric)")

    import importlib

    for module_name in COMMAND_MODULES:
        COMMANDS.update(importlib.import_module(module_name).add_commands(sub))

    from workbench.bench import SUITES

    bench = sub.add_parser("bench", help="measure speed against the goals and print the figures")
    bench.add_argument("suite", choices=sorted(SUITES),
                       help="ui: the desktop shell's event-loop latency, throughput, curve redraw, cold start")
    bench.add_argument("--json", action="store_true", help="print one final JSON object on the last line")
    bench.add_argument("--quick", action="store_true", help="short durations, for a smoke run")
    return parser


# -- building a config from arguments -----------------------------------------------------------
def config_from_args(args: argparse.Namespace):
    """The validated config of ``train``'s options; :class:`UsageError` names the key and value at fault.

    Model and dataset options keep the text given: :meth:`TrainConfig.validate` parses each by the type
    of the builder's or loader's option (``output=none`` is the choice "none", ``batchnorm=maybe`` is refused).
    """
    import dataclasses
    from typing import get_type_hints

    from engines.core.config import ConfigError, parse_value
    from engines.core.models import model_spec
    from engines.core.registry import UnknownName, keyword_options
    from engines.core.tasks import get_task

    try:
        spec = get_task(args.task)
    except UnknownName as exc:
        raise UsageError(str(exc)) from None
    cls = spec.config_cls
    hints = get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, attr in (("model", "model"), ("data", "data"), ("epochs", "epochs"), ("batch_size", "batch_size"),
                      ("lr", "lr"), ("seed", "seed"), ("device", "device")):
        value = getattr(args, attr)
        if value is not None:
            values[key] = value
    overrides = _expand_option_pairs(args.overrides, fields)
    recipe = [item.partition("=")[2].strip() for item in overrides if item.partition("=")[0].strip() == "recipe"]
    if recipe:
        from engines.labs.classify.recipes import recipe_values

        try:
            values = {**recipe_values(recipe[-1]), **values}  # explicit options win over the recipe
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        overrides = [item for item in overrides if item.partition("=")[0].strip() != "recipe"]
    model_options: dict[str, Any] = {}
    data_options: dict[str, Any] = {}
    bare: list[str] = []  # keys given without model./data. that are no config field: the model's options
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise UsageError(f"--set expects KEY=VALUE, got {item!r}")
        if key.startswith("model."):
            model_options[key[6:]] = text.strip()
        elif key.startswith("data."):
            data_options[key[5:]] = text.strip()
        elif key in fields:
            try:
                values[key] = parse_value(text, hints[key])
            except ValueError as exc:
                raise UsageError(f"invalid value for {key}: {text.strip()!r} ({exc})") from None
        else:
            model_options[key] = text.strip()
            bare.append(key)
    try:
        config = cls(**values)
    except TypeError as exc:
        raise UsageError(str(exc)) from None
    config.model_options = {**config.model_options, **model_options}
    config.data_options = {**config.data_options, **data_options}
    if bare:
        try:
            builder = model_spec(config.model).builder
        except UnknownName:
            builder = None  # validate() names the model and the valid ones of the task
        aliases = getattr(builder, "option_aliases", {})  # e.g. r → reduction
        accepted = set(keyword_options(builder)) - {"num_classes"} if builder else set()  # from the dataset
        for key in bare if builder else ():
            if aliases.get(key, key) not in accepted:
                valid = sorted(fields | accepted)
                raise UsageError(f"unknown setting {key!r} for model {config.model!r}; "
                                 f"valid keys: {', '.join(valid)}")
    try:
        config.validate()  # types and ranges of every field and option; the model is built on the meta device
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return config


def _expand_option_pairs(items: list[str], fields: set[str]) -> list[str]:
    """``attention=se,r=16`` → ``attention=se`` and ``model.r=16``.

    A model or data option's value may carry more ``,key=value`` options of the same group;
    config fields (whose values may be JSON with commas) are left alone.
    """
    out = []
    for item in items:
        key, sep, text = item.partition("=")
        name = key.strip().replace("-", "_")
        head, *rest = text.split(",")
        if sep and name not in fields and name != "recipe" and rest and all("=" in r for r in rest):
            group = "data." if name.startswith("data.") else "model."
            out.append(f"{key}={head}")
            out.extend(r.strip() if r.strip().startswith(("model.", "data.")) else group + r.strip() for r in rest)
        else:
            out.append(item)
    return out


def parse_data_options(overrides: list[str], command: str, dataset: str | None = None) -> dict:
    """``--set data.KEY=VALUE`` items of a lab command → dataset options.

    With ``dataset``, each value is checked and typed by that dataset loader's option (an unknown key or a
    bad value is a :class:`UsageError` naming both); without, values are parsed as literals.
    """
    from engines.core.config import ConfigError, check_options, parse_literal

    options = {}
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key.startswith("data."):
            raise UsageError(f"{command} --set takes data.KEY=VALUE, got {item!r}")
        options[key[5:]] = text.strip() if dataset else parse_literal(text)
    if dataset:
        from engines.core.data import DATASETS

        try:
            options = check_options(f"dataset {dataset!r}", DATASETS.get(dataset).loader, options)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    return options


# -- commands ------------------------------------------------------------------------------------
def _install_stop_handler(control) -> None:
    """First Ctrl+C (or SIGTERM) stops at the next batch with a checkpoint; a second one aborts."""

    def handler(signum, frame):
        if control.should_stop():
            raise KeyboardInterrupt
        print("\nstopping after this batch (press Ctrl+C again to abort)…", file=sys.stderr)
        control.request_stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _run_session(config, run_id, *, resume: bool, as_json: bool, progress: bool) -> int:
    from engines.core.control import RunControl
    from engines.core.distributed import DistInfo
    from workbench.progress import ConsoleProgress
    from workbench.runner import TrainingSession
    from workbench.store import RunStore

    info = DistInfo.from_env()
    store = RunStore() if info.is_main else None
    control = RunControl()
    _install_stop_handler(control)
    callbacks = [ConsoleProgress()] if progress and info.is_main else []
    if info.is_main:
        _settings_notice(config.data)
    session = TrainingSession(config, store=store, run_id=run_id, resume=resume, control=control,
                              callbacks=callbacks, info=info)
    outcome = session.run()
    if not info.is_main:
        return EXIT_OK if outcome.status in ("finished", "stopped") else EXIT_FAILED
    if outcome.left_unchanged:  # nothing happened to the run: one error line, no "run N failed" summary
        print(f"workbench: error: run {outcome.run_id}: {outcome.message}", file=sys.stderr)
        if as_json:
            print(dumps(outcome.to_json()), flush=True)
        return EXIT_FAILED
    if outcome.message:
        print(f"run {outcome.run_id} {outcome.status}: {outcome.message}", file=sys.stderr)
    if as_json:
        print(dumps(outcome.to_json()), flush=True)
    else:
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in outcome.metrics.items())
        print(f"run {outcome.run_id} {outcome.status} in {outcome.seconds:.1f} s  {metrics}")
    return EXIT_OK if outcome.status in ("finished", "stopped") else EXIT_FAILED


def _settings_notice(dataset: str) -> None:
    """Where the dataset reads the data folder of the settings, say now (not after the run) if they are damaged."""
    from workbench.runner import DATA_FOLDER_OPTIONS

    if dataset in DATA_FOLDER_OPTIONS:
        from workbench.settings import load_settings

        load_settings()
        print_settings_warnings()


def cmd_train(args) -> int:
    from engines.core.distributed import DistInfo
    from workbench.runner import create_run
    from workbench.store import RunStore

    config = config_from_args(args)
    info = DistInfo.from_env()
    run_id = None
    if info.is_main:
        with RunStore() as store:
            run_id = create_run(store, config, name=args.name)
    return _run_session(config, run_id, resume=False, as_json=args.json,
                        progress=not args.no_progress and not args.json)


def cmd_resume(args) -> int:
    import os

    from engines.core.config import ConfigError
    from workbench.runner import config_for_run
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(args.run_id)
        overrides = {"epochs": args.epochs} if args.epochs is not None else {}
        if args.threads is not None:
            overrides["threads"] = args.threads
        try:
            config = config_for_run(store, args.run_id, **overrides).validate()
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        if not run.checkpoint or not os.path.exists(run.checkpoint):
            raise UsageError(f"run {args.run_id} has no checkpoint to resume from")
        if run.status in ("running", "paused"):
            raise UsageError(f"run {args.run_id} is {run.status} in another process (pid {run.pid})")
        if run.status == "finished" and config.epochs <= run.epoch:
            raise UsageError(f"run {args.run_id} already finished {run.epoch} epochs; "
                             f"pass --epochs N with N > {run.epoch} to train further")
    return _run_session(config, args.run_id, resume=True, as_json=args.json,
                        progress=not args.no_progress and not args.json)


def _fmt_time(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def cmd_runs(args) -> int:
    from workbench.store import RunStore

    with RunStore() as store:
        runs = store.list_runs(task=args.task, status=args.status)
    if args.json:
        print(dumps([r.to_dict() for r in runs]))
        return EXIT_OK
    if not runs:
        print("no runs recorded yet")
        return EXIT_OK
    print(f"{'id':>4}  {'status':<11} {'task':<9} {'model':<16} {'dataset':<10} {'epoch':>5}  {'created':<16}  metric")
    for r in runs:
        primary = _primary_metric(r)
        print(f"{r.id:>4}  {r.status:<11} {r.task:<9} {r.model:<16} {r.dataset:<10} {r.epoch:>5}  "
              f"{_fmt_time(r.created_at):<16}  {primary}")
    return EXIT_OK


def _primary_metric(run) -> str:
    from engines.core.tasks import TASKS

    metrics = run.metrics
    if run.task in TASKS:
        name = TASKS.get(run.task).primary_metric
        if name in metrics:
            return f"{name}={metrics[name]:.4f}"
    return ""


def cmd_show(args) -> int:
    from workbench.store import RunStore

    with RunStore() as store:
        run = store.get_run(args.run_id)
        artifacts = store.artifacts(args.run_id)
        names = store.metric_names(args.run_id)
    if args.json:
        print(dumps(run.to_dict() | {"artifacts": artifacts, "metric_names": names}))
        return EXIT_OK
    print(f"run {run.id}  {run.title}")
    for label, value in (("status", run.status + (f" ({run.message})" if run.message else "")),
                         ("task", run.task), ("model", run.model), ("dataset", run.dataset),
                         ("device", run.device), ("seed", run.seed), ("epoch / step", f"{run.epoch} / {run.step}"),
                         ("params", run.params), ("FLOPs", run.flops), ("created", _fmt_time(run.created_at)),
                         ("finished", _fmt_time(run.finished_at)), ("checkpoint", run.checkpoint or "-")):
        print(f"  {label:<13} {value}")
    for key, value in run.metrics.items():
        print(f"  {key:<24} {value:.6g}")
    print("  config " + dumps(run.config, sort_keys=True))
    return EXIT_OK


def cmd_export(args) -> int:
    from workbench.store import RunStore

    with RunStore() as store:
        store.get_run(args.run_id)
        points = store.metrics(args.run_id)
    try:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["run_id", "step", "epoch", "name", "value", "wall_time"])
            for p in points:
                writer.writerow([args.run_id, p.step, p.epoch, p.name, repr(p.value), p.wall_time])
    except OSError as exc:
        raise UsageError(f"cannot write {args.csv}: {exc.strerror}") from None
    print(f"wrote {len(points)} points to {args.csv}")
    return EXIT_OK


def cmd_delete(args) -> int:
    import shutil

    from workbench import paths
    from workbench.store import RunStore

    with RunStore() as store:
        for run_id in args.run_ids:
            run = store.get_run(run_id)
            if run.status in ("running", "paused"):
                raise UsageError(f"run {run_id} is {run.status}; stop it first")
        for run_id in args.run_ids:
            store.delete_run(run_id)
            shutil.rmtree(paths.run_dir(run_id), ignore_errors=True)
    print(f"deleted {len(args.run_ids)} run(s)")
    return EXIT_OK


def cmd_compare(args) -> int:
    from workbench.store import RunStore
    from workbench.verdicts import VerdictError, verdict_for_runs

    with RunStore() as store:
        runs = [store.get_run(i) for i in dict.fromkeys(args.run_ids)]
        try:
            verdict = verdict_for_runs(store, runs, by=args.group_by, metrics=args.metric, baseline=args.baseline)
        except VerdictError as exc:
            if exc.usage:
                raise UsageError(str(exc)) from None
            return _fail(str(exc), EXIT_FAILED)
    print(dumps(verdict.to_json()) if args.json else verdict.to_text())
    return EXIT_OK


def cmd_report(args) -> int:
    from workbench.i18n_catalog import CatalogError, load_translator
    from workbench.report import ReportError, build_report, check_output_path, write_report
    from workbench.store import RunStore

    if bool(args.run_ids) == bool(args.study):
        raise UsageError("give the runs to report on (RUN…) or --study ID, not both" if args.run_ids else
                         "give the runs to report on: RUN… or --study ID")
    try:
        translate = load_translator(args.lang)
        check_output_path(args.html)
    except (CatalogError, ReportError) as exc:
        raise UsageError(str(exc)) from None
    with RunStore() as store:
        try:
            report = build_report(store, args.run_ids, study=args.study, group_by=args.group_by,
                                  metric=args.metric, translate=translate, language=args.lang or "en")
        except ReportError as exc:
            raise UsageError(str(exc)) from None
    try:
        path = write_report(args.html, report.html)
    except ReportError as exc:
        return _fail(str(exc), EXIT_FAILED)
    print(f"wrote {path}: {len(report.run_ids)} run(s), {len(report.figures)} figure(s)")
    return EXIT_OK


def cmd_bench(args) -> int:
    import importlib

    from workbench.bench import SUITES

    suite = importlib.import_module(SUITES[args.suite])

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        report = suite.run(quick=args.quick, progress=progress)
    except suite.BenchError as exc:
        print(f"workbench: bench {args.suite} failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(dumps(report) if args.json else suite.format_report(report), flush=True)
    return EXIT_OK


COMMANDS = {"train": cmd_train, "resume": cmd_resume, "runs": cmd_runs, "show": cmd_show,
            "export": cmd_export, "delete": cmd_delete, "compare": cmd_compare, "bench": cmd_bench,
            "report": cmd_report}


def main(argv: Sequence[str] | None = None, *,
         open_window: Callable[[argparse.Namespace], int] | None = None) -> int:
    """Run the command line; without a subcommand, ``open_window(args)`` (the launcher passes it).

    Every outcome is an exit code and at most a line or two on stderr: bad input 2, a failed operation 1,
    Ctrl+C 130. A closed output pipe (``workbench runs --json | head``) ends the command quietly.
    """
    from workbench.store import StoreError, UnknownRun

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = build_parser().parse_args(argv)
            if args.command is None:
                if open_window is None:
                    raise UsageError("a command is required "
                                     "(the window opens from `workbench` or `python -m workbench.ui`)")
                return open_window(args)
            code = COMMANDS[args.command](args)
            sys.stdout.flush()  # a closed pipe shows here, inside the handlers below, not at exit
            return code
        finally:
            print_settings_warnings()
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except UnknownRun as exc:
        return _fail(str(exc), EXIT_USAGE)
    except StoreError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        try:
            print("workbench: aborted", file=sys.stderr)
        except OSError:
            pass
        return 130
    except BrokenPipeError:
        return _output_closed()
    except OSError as exc:  # disk full, permission denied, read-only file system … where no handler knew the file
        where = f": {exc.filename}" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}", EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - the last resort: one line here, the traceback in a log file
        return _unexpected(exc, argv)


def _fail(message: str, code: int) -> int:
    try:
        print(f"workbench: error: {message}", file=sys.stderr)
    except BrokenPipeError:  # stderr closed as well: nothing left to tell
        pass
    return code


def _output_closed() -> int:
    """The reader of stdout went away (``| head``): stop quietly, as command-line tools do on SIGPIPE.

    Python's recipe: point stdout at devnull so that the final flush at exit does not fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (captured in tests)
        pass
    return EXIT_PIPE_CLOSED


# Typed errors of the engines whose message already names the file or value: (module, class, exit code).
# Looked up in sys.modules, so that main() itself imports no engine (and no torch).
_TYPED_ERRORS = (
    ("engines.core.config", "ConfigError", EXIT_USAGE),
    ("engines.core.registry", "UnknownName", EXIT_USAGE),
    ("engines.core.data", "DataError", EXIT_FAILED),
    ("engines.core.checkpoint", "CheckpointError", EXIT_FAILED),
)


def _unexpected(exc: Exception, argv: Sequence[str]) -> int:
    for module_name, class_name, code in _TYPED_ERRORS:
        cls = getattr(sys.modules.get(module_name), class_name, None)
        if cls is not None and isinstance(exc, cls):
            return _fail(str(exc), code)
    log = _write_crash_log(exc, argv)
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    details = f" (details in {log})" if log else ""
    return _fail(f"unexpected {type(exc).__name__}{': ' + first if first else ''}{details}", EXIT_FAILED)


def _write_crash_log(exc: BaseException, argv: Sequence[str]) -> str | None:
    """The traceback in ``<home>/logs/cli-<time>.log``; ``None`` where the home cannot be written."""
    import time
    import traceback

    try:
        from workbench import paths

        folder = paths.home() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cli-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        path.write_text(f"workbench {' '.join(argv)}\n{text}", encoding="utf-8")
        return str(path)
    except Exception:  # noqa: BLE001 - no log is better than a second error hiding the first
        return None


def print_settings_warnings() -> None:
    """Print, once, what loading the settings had to say (a damaged file backed up, a newer version's file)."""
    settings = sys.modules.get("workbench.settings")
    if settings is None:
        return
    for message in settings.load_warnings():
        try:
            print(f"workbench: warning: {message}", file=sys.stderr)
        except BrokenPipeError:
            return


if __name__ == "__main__":
    sys.exit(main())
