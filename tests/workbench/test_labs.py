"""The application's list of labs agrees with the engines' tasks."""
import importlib
import subprocess
import sys

import pytest

from engines.core.tasks import get_task, task_names
from workbench.labs import LABS, lab_for_task


def test_every_task_has_exactly_one_lab_with_its_primary_metric():
    assert sorted(lab.task for lab in LABS) == task_names()
    for lab in LABS:
        spec = get_task(lab.task)
        assert (lab.primary_metric, lab.higher_is_better) == (spec.primary_metric, spec.higher_is_better)
        assert lab_for_task(lab.task) is lab
    assert lab_for_task("no-such-task") is None


def test_lab_modules_named_by_the_labs_exist():
    for lab in LABS:
        for module in (lab.cli, lab.bench):
            if module is not None:
                importlib.import_module(module)


@pytest.mark.slow
def test_listing_the_labs_loads_no_engine():
    code = ("import sys; import workbench.labs, workbench.tasks_meta; "
            "heavy = [m for m in ('torch', 'engines', 'PySide6') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
