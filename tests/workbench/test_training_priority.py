"""The training child lowers its CPU priority so the window's GUI thread preempts it."""
import os
import subprocess
import sys

import pytest

CODE = ("import os; from workbench.training_process import lower_priority; before = os.nice(0); "
        "done = lower_priority(); print(before, done, os.nice(0) - before)")


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no os.nice on this platform")
@pytest.mark.parametrize("setting, asked", [(None, 10), ("3", 3), ("0", 0), ("lots", 10)])
def test_the_child_niceness_follows_the_setting(setting, asked):
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_TRAIN_NICE"}
    if setting is not None:
        env["WORKBENCH_TRAIN_NICE"] = setting
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    before, done, raised = out.stdout.split()[-3:]
    assert done == str(asked > 0)
    assert int(raised) == min(asked, 19 - int(before))  # nice stops at 19
