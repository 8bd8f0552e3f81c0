"""``workbench study``: a course question's study run headless, the same runs the window's "New study" queues.

``workbench study --list`` names the presets with their runs and, where this machine has finished runs of the
same configuration, how long they take here. ``workbench study PRESET`` plans the preset's runs (``--quick``,
``--seeds``, ``--epochs``), records them tagged as the window tags a study (so Compare, the Course questions and
``workbench report --study`` find them), trains them one after the other, then prints the verdict on the
preset's factor, and with ``--report FILE.html`` writes the study's report.

Ctrl+C stops the run in progress at the next batch (kept, resumable) and cancels the runs not yet started.
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Callable

from workbench.jsonout import dumps

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: a whole number ≥ 1") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"invalid count {value}: between 1 and 1000")
    return value


def add_commands(sub) -> dict[str, Callable[[argparse.Namespace], int]]:
    study = sub.add_parser(
        "study", help="run a course question's study headless (the window's New study), then its verdict",
        description="Train a study preset's runs one after the other, tagged as the window tags a study, and "
                    "print the verdict on its factor. --list names the presets.")
    study.add_argument("preset", nargs="?", metavar="PRESET", help="a preset name (see --list)")
    study.add_argument("--list", action="store_true", help="list the presets, their runs and time here")
    study.add_argument("--quick", action="store_true",
                       help="the preset's quick variant (fewer epochs, seeds or data: about 10 min on 2 cores)")
    study.add_argument("--seeds", type=_positive, help="seeds per value (default: the preset's)")
    study.add_argument("--epochs", type=_positive, help="epochs per run (default: the preset's)")
    study.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch (0 = its default)")
    study.add_argument("--report", metavar="FILE.html", help="also write the study's report (HTML)")
    study.add_argument("--json", action="store_true", help="print one final JSON object on the last line")
    study.add_argument("--no-progress", action="store_true", help="no progress bar")
    return {"study": cmd_study}


def _planned(args):
    from workbench.studies import PRESETS, plan_preset

    overrides = {}
    if args.epochs:
        overrides["epochs"] = args.epochs
    if args.threads:
        overrides["threads"] = args.threads
    return plan_preset(PRESETS.get(args.preset), seeds=args.seeds, overrides=overrides, quick=args.quick)


def _estimate_text(planned, store) -> str:
    from workbench.studies import duration_parts, estimate_study, recorded_seconds_per_epoch

    estimate = estimate_study(planned, recorded_seconds_per_epoch(store.list_runs()))
    if estimate.seconds is None:
        return "not timed here yet (no finished run of this configuration)"
    amount, unit = duration_parts(estimate.seconds)
    return f"about {amount} {unit} here (from {estimate.measured_runs} finished run(s))"


def cmd_list(store) -> int:
    from workbench.studies import PRESETS, plan_preset

    for name in PRESETS.names():
        preset = PRESETS.get(name)
        full, quick = plan_preset(preset), plan_preset(preset, quick=True)
        print(f"{name:<28} {preset.title}")
        print(f"{'':<28} {len(full)} runs, {_estimate_text(full, store)}; "
              f"--quick: {len(quick)} runs, {_estimate_text(quick, store)}")
    return EXIT_OK


def cmd_study(args) -> int:
    from engines.core.config import ConfigError
    from engines.core.registry import UnknownName
    from workbench.cli import UsageError, _fail, _install_stop_handler
    from workbench.store import RunStore
    from workbench.studies import PRESETS, study_of

    if args.list:
        with RunStore() as store:
            return cmd_list(store)
    if not args.preset:
        raise UsageError("name a study preset (workbench study --list shows them)")
    try:
        preset = PRESETS.get(args.preset)
        planned = _planned(args)
    except UnknownName as exc:
        raise UsageError(f"{exc}; workbench study --list shows the presets") from None
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.report:
        from workbench.report import ReportError, check_output_path

        try:
            check_output_path(args.report)
        except ReportError as exc:
            raise UsageError(str(exc)) from None

    from engines.core.control import RunControl
    from workbench.progress import ConsoleProgress
    from workbench.runner import TrainingSession, create_run

    control = RunControl()
    _install_stop_handler(control)
    study_id = study_of(planned[0].tags)
    outcomes = []
    with RunStore() as store:
        ids = [create_run(store, p.config, name=p.name, tags=p.tags) for p in planned]
        if not args.json:
            print(f"study {study_id}: {preset.title}\n{len(ids)} runs (#{ids[0]}–#{ids[-1]}), "
                  f"{_estimate_text(planned, store)}", flush=True)
        started = time.perf_counter()
        for number, (plan, run_id) in enumerate(zip(planned, ids), 1):
            if control.should_stop():
                store.set_status(run_id, "cancelled", "the study was stopped before this run started")
                continue
            callbacks = [] if args.no_progress or args.json else [ConsoleProgress()]
            outcome = TrainingSession(plan.config, store=store, run_id=run_id, control=control,
                                      callbacks=callbacks).run()
            outcomes.append(outcome)
            if not args.json:
                metrics = ", ".join(f"{k}={v:.4g}" for k, v in outcome.metrics.items()
                                    if k in _shown_metrics(plan.config.task))
                print(f"[{number}/{len(ids)}] run {run_id} ({plan.name}) {outcome.status} in "
                      f"{outcome.seconds:.1f} s  {metrics}" + (f"  {outcome.message}" if outcome.message else ""),
                      flush=True)
        seconds = time.perf_counter() - started
        finished = [o.run_id for o in outcomes if o.status == "finished"]
        verdict = _verdict(store, finished)
        written = None
        if args.report and finished:
            written = _write_report(store, study_id, args.report)
    if args.json:
        print(dumps({"study": study_id, "preset": preset.name, "runs": ids, "finished": finished,
                     "seconds": seconds, "verdict": verdict.to_json() if verdict else None,
                     "report": written}), flush=True)
    else:
        print(f"study {study_id}: {len(finished)} of {len(ids)} runs finished in {seconds:.0f} s")
        if verdict is not None:
            print(verdict.to_text())
        if written:
            print(f"wrote {written}")
    if len(finished) < len(ids):
        return _fail(f"{len(ids) - len(finished)} run(s) of the study did not finish", EXIT_FAILED) \
            if not control.should_stop() else EXIT_FAILED
    return EXIT_OK


def _shown_metrics(task: str) -> set[str]:
    from workbench.tasks_meta import primary_metric_name

    return {primary_metric_name(task), "test_loss", "psnr", "val_psnr"}


def _verdict(store, run_ids: list[int]):
    """The verdict on the study's factor (from the runs' tags) over its finished runs; None when there is
    nothing to judge (fewer than two groups)."""
    from workbench.verdicts import VerdictError, verdict_for_runs

    runs = [store.get_run(i) for i in run_ids]
    if not runs:
        return None
    try:
        return verdict_for_runs(store, runs)
    except VerdictError as exc:
        print(f"workbench: no verdict: {exc}", file=sys.stderr)
        return None


def _write_report(store, study_id: str, path: str) -> str | None:
    from workbench.report import ReportError, build_report, write_report

    try:
        report = build_report(store, [], study=study_id)
        return str(write_report(path, report.html))
    except ReportError as exc:
        print(f"workbench: the report was not written: {exc}", file=sys.stderr)
        return None
