import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow  # the app in a subprocess
def test_self_test_trains_two_steps_through_the_worker_and_prints_json(workbench_home):
    result = subprocess.run([sys.executable, "-m", "workbench.ui", "--self-test"], capture_output=True, text=True,
                            timeout=300, env=dict(os.environ))
    assert result.returncode == 0, result.stderr[-2000:]
    line = result.stdout.strip().splitlines()[-1]
    report = json.loads(line)
    assert report["self_test"] == "passed" and report["steps"] == 2 and report["status"] == "finished"
    assert "QThread: Destroyed" not in result.stderr
