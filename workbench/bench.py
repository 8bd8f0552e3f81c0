"""``workbench bench ui``: figures of the desktop shell, measured in this process and printed.

Speed is reported here, never asserted by tests (house style 13). Each figure sits beside
its goal so a regression shows as a ratio, not a failing build:

1. event-loop latency: lateness of a 10 ms timer on the GUI thread while the window's
   worker trains on every core (p50, p99 in ms);
2. throughput ratio: train samples/s through the window's worker path over the headless
   ``TrainingSession`` (main thread, as the CLI) on the same config, alternated, medians; the
   same session on a plain thread is the control that isolates the GUI's share;
3. curve redraw: frames/s panning ``LiveCurves`` holding 20 runs × 50,000 loss points;
4. cold start: launcher's spawn to the main window's first paint, in a child process.

Everything runs against a temporary workbench home and config folder, so the user's run
store and window layout are never touched. Qt is imported only inside the functions: the
core never imports it at module level (house style 1).
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Callable, Iterator

GOALS = {"event_loop_p99_ms": 30.0, "throughput_ratio": 0.95, "curve_fps": 30.0, "cold_start_s": 1.0}
COLD_START_TIMEOUT_S = 120

# ``workbench bench SUITE``: the module that measures it, with ``run(quick=, progress=) -> dict``,
# ``format_report(dict) -> str`` and a ``BenchError``. The parser reads this on every start-up,
# so this module keeps its heavier imports inside the functions.
SUITES = {"ui": "workbench.bench", "classify": "workbench.labs.classify.bench", "denoise": "workbench.labs.denoise.bench",
          "hsi": "workbench.labs.hsi.bench"}


class BenchError(RuntimeError):
    """A benchmark could not measure what it meant to (a run failed, a child process crashed)."""


@contextlib.contextmanager
def private_environment() -> Iterator[str]:
    """A temporary WORKBENCH_HOME and XDG_CONFIG_HOME (and offscreen Qt unless a platform is chosen)."""
    import tempfile

    saved = {key: os.environ.get(key) for key in ("WORKBENCH_HOME", "XDG_CONFIG_HOME", "QT_QPA_PLATFORM")}
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as tmp:
        os.environ["WORKBENCH_HOME"] = os.path.join(tmp, "home")
        os.environ["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        try:
            yield tmp
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def machine_info() -> dict:
    import platform

    import torch

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    import pyqtgraph
    from PySide6 import __version__ as pyside_version

    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "pyside6": pyside_version,
        "pyqtgraph": pyqtgraph.__version__,
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 2),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }


# -- 4. cold start: a child process, no Qt needed here ------------------------------------------
def cold_start(*, launches: int, home: str) -> dict:
    """Median seconds from spawning ``python -m workbench`` to its main window's first paint."""
    import subprocess

    from workbench.ui.shell.app import FIRST_PAINT_PROBE_ENV  # app.py loads Qt only inside its functions

    values: list[float] = []
    engines_first: list[bool] = []
    exit_codes: list[int] = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_HOME=os.path.join(home, "home"),
               XDG_CONFIG_HOME=os.path.join(home, "config"))
    os.makedirs(env["WORKBENCH_HOME"], exist_ok=True)
    for _ in range(launches):
        env[FIRST_PAINT_PROBE_ENV] = repr(time.time())
        try:
            result = subprocess.run([sys.executable, "-m", "workbench"], env=env, cwd=home, capture_output=True,
                                    text=True, timeout=COLD_START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BenchError(f"the window did not paint within {COLD_START_TIMEOUT_S} s of launch") from None
        report = _last_json_line(result.stdout)
        if report is None or "first_paint_s" not in report:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise BenchError(f"the cold-start launch exited {result.returncode} without a first-paint report: "
                             + " | ".join(tail))
        values.append(float(report["first_paint_s"]))
        engines_first.append(bool(report.get("engines_loaded_before_paint")))
        exit_codes.append(result.returncode)  # after the report: a crash on the way out is noted, not fatal
    ordered = sorted(values)
    return {
        "value": round(ordered[len(ordered) // 2], 3),
        "launches": [round(v, 3) for v in values],
        "engines_loaded_before_paint": any(engines_first),
        **({"exit_codes": exit_codes} if any(exit_codes) else {}),
    }


def _last_json_line(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


# -- the suite -----------------------------------------------------------------------------------
def run_ui_bench(*, quick: bool = False, progress: Callable[[str], None] = lambda _msg: None) -> dict:
    """All four figures of the desktop shell; ``quick`` shrinks durations for a smoke run."""
    with private_environment() as tmp:
        load_before = _load()
        progress("cold start: launching the app to its first paint…")
        cold = cold_start(launches=1 if quick else 3, home=os.path.join(tmp, "cold"))

        from engines.core.tasks import make_config
        from workbench.ui.shell import bench_ui

        window = bench_ui.open_window()
        try:
            progress("event-loop latency: probing the GUI thread while a run trains…")
            latency = bench_ui.event_loop_latency(
                window, make_config("classify", model="small_cnn", data="digits", epochs=1000),
                seconds=1.0 if quick else 5.0)
            progress("throughput: headless and window runs, alternated…")
            if quick:  # the latency run has warmed up torch and the window path well enough for a smoke run
                config = make_config("classify", model="small_cnn", data="digits", epochs=1, max_steps=12)
                throughput = bench_ui.throughput_ratio(window, config, rounds=1)
            else:
                config = make_config("classify", model="small_cnn", data="digits", epochs=2)
                warmup = make_config("classify", model="small_cnn", data="digits", epochs=1, max_steps=3)
                throughput = bench_ui.throughput_ratio(window, config, rounds=3, warmup_config=warmup)
        finally:
            bench_ui.close_window(window)
        # --quick also shrinks the curves: a smoke run must stay short even while a frame takes seconds.
        points = 1_000 if quick else 50_000
        progress(f"curve redraw: panning 20 runs × {points:,} points…")
        curves = bench_ui.curve_redraw_fps(runs=20, points=points, seconds=0.5 if quick else 3.0)
        machine = machine_info() | {"load_average_before": load_before, "load_average_after": _load()}

    def met(ok: bool) -> bool | None:
        return None if quick else ok  # a smoke run's durations are too short to judge

    return {
        "event_loop_latency_ms": latency | {"goal_p99": GOALS["event_loop_p99_ms"],
                                            "met": met(latency["p99"] <= GOALS["event_loop_p99_ms"])},
        "throughput_ratio": throughput | {"goal": GOALS["throughput_ratio"],
                                          "met": met(throughput["value"] >= GOALS["throughput_ratio"])},
        "curve_redraw_fps": curves | {"goal": GOALS["curve_fps"], "met": met(curves["value"] >= GOALS["curve_fps"])},
        "cold_start_s": cold | {"goal": GOALS["cold_start_s"], "met": met(cold["value"] <= GOALS["cold_start_s"])},
        "machine": machine,
        "quick": quick,
    }


def format_report(report: dict) -> str:
    lat, thr = report["event_loop_latency_ms"], report["throughput_ratio"]
    fps, cold, m = report["curve_redraw_fps"], report["cold_start_s"], report["machine"]
    rows = [
        ("event-loop latency p99", f"{lat['p99']:.1f} ms", f"≤ {lat['goal_p99']:.0f} ms", lat["met"],
         f"p50 {lat['p50']:.1f} ms, max {lat['max']:.0f} ms at {lat['max_at_s']:.1f} s, {lat['ticks']} ticks "
         f"over {lat['seconds']:.1f} s while training {lat['train_steps_per_s']:.0f} steps/s"),
        ("throughput window/headless", f"{thr['value']:.3f}", f"≥ {thr['goal']:.2f}", thr["met"],
         f"{thr['window_samples_per_s']:.0f} / {thr['headless_samples_per_s']:.0f} samples/s "
         f"(medians of {len(thr['window_runs'])}); same session on a plain thread "
         f"{thr['headless_thread_samples_per_s']:.0f} samples/s, window/thread {thr['window_vs_thread']:.3f}"),
        ("curve redraw while panning", f"{fps['value']:.1f} fps", f"≥ {fps['goal']:.0f} fps", fps["met"],
         f"{fps['runs']} runs × {fps['points_per_run']:,} points at {fps['size'][0]}×{fps['size'][1]}, "
         f"frame p50 {fps['frame_ms_p50']:.1f} ms"),
        ("cold start to first paint", f"{cold['value']:.2f} s", f"≤ {cold['goal']:.1f} s", cold["met"],
         f"median of {', '.join(f'{v:.2f}' for v in cold['launches'])} s"
         + ("; engines loaded before the first paint" if cold["engines_loaded_before_paint"] else "")),
    ]
    lines = [f"workbench bench ui{' --quick' if report.get('quick') else ''}: {m['usable_cpus']} CPU(s), "
             f"torch {m['torch']} on {m['torch_threads']} thread(s), Qt platform {m['qt_platform'] or 'default'}, "
             f"load average {m['load_average_before']} → {m['load_average_after']}",
             f"{'figure':<28} {'value':>10}  {'goal':<9} {'met':<4} detail"]
    for name, value, goal, met, detail in rows:
        verdict = "-" if met is None else "yes" if met else "NO"
        lines.append(f"{name:<28} {value:>10}  {goal:<9} {verdict:<4} {detail}")
    return "\n".join(lines)


def run(quick: bool = False, progress: Callable[[str], None] = lambda _msg: None) -> dict:
    """The ``ui`` suite under the same entry point as the other suites in :data:`SUITES`."""
    return run_ui_bench(quick=quick, progress=progress)
