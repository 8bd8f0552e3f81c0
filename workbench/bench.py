"""``workbench bench SUITE``: the suite table, and what the suites share without Qt.

Speed is reported, never asserted by tests (house style 13): each suite prints its figures
beside their goals, so a regression shows as a ratio, not a failing build.

The ``ui`` suite (:mod:`workbench.ui.shell.bench_ui`) measures the desktop shell; its Qt-free
parts live here: a temporary workbench home, the machine's figures, and the cold start of
``python -m workbench.ui`` in a child process. This module imports no Qt and nothing of
``workbench.ui`` (import contracts in pyproject.toml); the ``bench`` command imports a suite by
its module name from :data:`SUITES`.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Iterator

from workbench.labs import LABS

COLD_START_TIMEOUT_S = 120
# Set by `workbench bench ui` to time the cold start: the launched app prints its first paint and quits.
FIRST_PAINT_PROBE_ENV = "WORKBENCH_FIRST_PAINT_PROBE"

# ``workbench bench SUITE``: the module that measures it, with ``run(quick=, progress=) -> dict``,
# ``format_report(dict) -> str`` and a ``BenchError``. The parser reads this on every start-up,
# so this module keeps its heavier imports inside the functions.
# suite name → module; the labs' suites come from their LabInfo.bench.
SUITES = {"ui": "workbench.ui.shell.bench_ui", **{lab.task: lab.bench for lab in LABS if lab.bench}}


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


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):
        return None


def machine_info() -> dict:
    """CPUs, threads and versions (the ui suite adds Qt's and pyqtgraph's)."""
    import platform

    import torch

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 2),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
    }


# -- the ui suite's cold start: a child process, no Qt needed here ----------------------------
def cold_start(*, launches: int, home: str) -> dict:
    """Median seconds from spawning ``python -m workbench.ui`` to its main window's first paint, and from there
    to its labs being built (with the longest GUI-thread stall meanwhile and the tabs shown at first paint)."""
    import subprocess

    values: list[float] = []
    engines_first: list[bool] = []
    ready: list[float] = []
    stalls: list[float] = []
    tabs: list[int] = []
    exit_codes: list[int] = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_HOME=os.path.join(home, "home"),
               XDG_CONFIG_HOME=os.path.join(home, "config"))
    os.makedirs(env["WORKBENCH_HOME"], exist_ok=True)
    for _ in range(launches):
        env[FIRST_PAINT_PROBE_ENV] = repr(time.time())
        try:
            result = subprocess.run([sys.executable, "-m", "workbench.ui"], env=env, cwd=home, capture_output=True,
                                    text=True, timeout=COLD_START_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BenchError(f"the window did not paint within {COLD_START_TIMEOUT_S} s of launch") from None
        report = _last_json_line(result.stdout)
        if report is None or "first_paint_s" not in report:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise BenchError(f"the cold-start launch exited {result.returncode} without a first-paint report: "
                             + " | ".join(tail))
        values.append(float(report["first_paint_s"]))
        ready.append(float(report.get("labs_ready_after_paint_s", float("nan"))))
        stalls.append(float(report.get("loading_max_stall_ms", float("nan"))))
        tabs.append(int(report.get("tabs_at_first_paint", 0)))
        engines_first.append(bool(report.get("engines_loaded_before_paint")))
        exit_codes.append(result.returncode)  # after the report: a crash on the way out is noted, not fatal
    ordered = sorted(values)
    return {
        "value": round(ordered[len(ordered) // 2], 3),
        "launches": [round(v, 3) for v in values],
        "engines_loaded_before_paint": any(engines_first),
        "labs_ready_after_paint_s": round(sorted(ready)[len(ready) // 2], 3),
        "labs_ready_launches": [round(v, 3) for v in ready],
        "loading_max_stall_ms": max(stalls),
        "tabs_at_first_paint": min(tabs),
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
