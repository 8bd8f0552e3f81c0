"""The screenshot tour (packaging/tour.py) on its quick states: real PNGs of the requested size, not blank, listed
in tour.json with their captions and numbers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["first_paint", "first_launch", "attention"]
SIZE = (1366, 768)


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    env = {k: v for k, v in os.environ.items() if k not in ("WORKBENCH_HOME", "WORKBENCH_PRETRAINED")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "tour.py"), "--out", str(out), "--states",
                           ",".join(QUICK), "--size", "x".join(map(str, SIZE)), "--lang", "en"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return out, done


def _pixels(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64)


@pytest.mark.slow
def test_the_quick_states_give_one_full_size_non_blank_png_each_with_a_caption(tour):
    out, done = tour
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "tour.json").read_text(encoding="utf-8"))
    assert [s["state"] for s in report["states"]] == QUICK
    assert report["language"] == "en" and report["size"] == list(SIZE)
    for index, state in zip((1, 2, 6), report["states"]):
        assert "error" not in state, state
        assert state["file"] == f"{index:02d}_{state['state']}.png"
        path = out / state["file"]
        pixels = _pixels(path)
        assert pixels.shape == (SIZE[1], SIZE[0], 3) and state["size"] == list(SIZE)
        # Not blank: many distinct grey levels, and a spread a flat window (or an empty widget) never has.
        assert pixels.std() > 10 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
        assert len(state["caption"]) > 20 and state["numbers"]


@pytest.mark.slow
def test_the_numbers_are_those_of_the_window_it_showed(tour):
    out, done = tour
    report = json.loads((out / "tour.json").read_text(encoding="utf-8"))
    first_paint, first_launch, attention = report["states"]
    assert first_paint["numbers"]["labs_built"] == 0  # the shot is from before the engines loaded
    assert first_paint["numbers"]["tabs"][:2] == ["Training", "Compare"]
    from workbench import pretrained

    shipped = pretrained.entries()
    assert first_launch["numbers"]["runs_listed"] == len(shipped) == len(first_launch["numbers"]["shipped"])
    assert 0 < attention["numbers"]["channels"] and 0 < attention["numbers"]["mean_gate"] < 1
    # The first paint differs from the loaded window: the shots are of two different states.
    assert np.abs(_pixels(out / first_paint["file"]) - _pixels(out / first_launch["file"])).mean() > 1


def test_unknown_states_and_bad_sizes_are_refused_before_anything_opens(tmp_path):
    out = tmp_path / "tour"
    for extra in (["--states", "first_paint,nowhere"], ["--size", "640x480"]):
        done = subprocess.run([sys.executable, str(ROOT / "packaging" / "tour.py"), "--out", str(out), *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and ("nowhere" in done.stderr or "900x560" in done.stderr)
    assert not out.exists()
