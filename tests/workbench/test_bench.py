"""``workbench bench ui --quick`` runs end to end and reports every figure.

Speed goals are printed by the benchmark, never asserted here (house style 13).
"""
import json
import math
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # both start the workbench CLI in a subprocess

FIGURES = {
    "event_loop_latency_ms": ("p50", "p99", "max", "goal_p99"),
    "throughput_ratio": ("value", "window_samples_per_s", "headless_samples_per_s", "goal"),
    "curve_redraw_fps": ("value", "runs", "points_per_run", "goal"),
    "cold_start_s": ("value", "goal"),
}


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_bench_ui_quick_reports_the_four_figures_as_json(workbench_home):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "workbench", "bench", "ui", "--json", "--quick"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    for figure, keys in FIGURES.items():
        for key in keys:
            assert key in report[figure], f"{figure} lacks {key}"
    assert _positive(report["event_loop_latency_ms"]["p99"])
    assert _positive(report["event_loop_latency_ms"]["max"])
    assert math.isfinite(report["event_loop_latency_ms"]["p50"])  # a punctual timer can be 0 ms late
    for figure in ("throughput_ratio", "curve_redraw_fps", "cold_start_s"):
        assert _positive(report[figure]["value"]), figure
    assert _positive(report["throughput_ratio"]["window_samples_per_s"])
    assert _positive(report["throughput_ratio"]["headless_samples_per_s"])
    assert report["curve_redraw_fps"]["runs"] == 20 and _positive(report["curve_redraw_fps"]["points_per_run"])
    # The lab tabs are there at first paint (Training, Compare and the four labs) and the labs build after it.
    ready = report["labs_ready_s"]
    assert ready["tabs_at_first_paint"] == 6 and _positive(ready["value"]) and _positive(ready["max_stall_ms"])
    assert report["machine"]["cpu_count"] >= 1 and report["machine"]["torch_threads"] >= 1

    # The benchmark used its own temporary home: the tests' store is untouched.
    assert not (workbench_home / "runs.sqlite3").exists()
    assert "QThread: Destroyed" not in result.stderr


def test_bench_rejects_an_unknown_suite():
    result = subprocess.run([sys.executable, "-m", "workbench", "bench", "gpu"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "ui" in result.stderr
    assert "Traceback" not in result.stderr
