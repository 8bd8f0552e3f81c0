"""Test-wide set-up: headless Qt, a private workbench home, the shared-data helper."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _share_the_cores_between_workers() -> None:
    """Under pytest-xdist, each worker's PyTorch (and every process it starts: CLI runs, training children)
    uses its share of the cores instead of all of them.

    Two workers with two OpenMP threads each on two cores run the torch-heavy tests markedly slower
    than one thread each (the threads spin-wait for each other). OpenMP reads the variable when torch
    is first imported, which is after this module in a worker. An explicit ``OMP_NUM_THREADS`` wins,
    and tests that set a thread count themselves (the reproduction tests) still do.
    """
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers and "OMP_NUM_THREADS" not in os.environ:
        os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // int(workers)))


_share_the_cores_between_workers()

REPO_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, the slow tests go first (in their usual order), so that no minute-long test
    starts last and keeps one worker busy while the others are done; quick tests fill in around them."""
    if os.environ.get("PYTEST_XDIST_WORKER"):  # every worker collects, and they must agree on the order
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def workbench_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own run store, settings and QSettings files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # The window installs the shipped pretrained models as runs; tests that count runs expect an empty
    # store, so only the tests of that feature turn it on (tests/ui/shell/test_pretrained_ui.py).
    monkeypatch.setenv("WORKBENCH_PRETRAINED", "off")
    return home


@pytest.fixture(autouse=True)
def torch_threads_restored():
    """A test that sets torch's thread count (directly, or through a config's ``threads``, which the
    loop applies) leaves it as it found it: the tests after it in the same process would run with it."""
    torch = sys.modules.get("torch")  # test modules import it at collection; never imported here
    before = torch.get_num_threads() if torch is not None else None
    yield
    if before is not None and torch.get_num_threads() != before:
        torch.set_num_threads(before)


def shared_data_dir() -> Path | None:
    """The one way tests find ``../shared/data``: ``$WORKBENCH_SHARED_DATA`` or beside the repository."""
    configured = os.environ.get("WORKBENCH_SHARED_DATA")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared data folder not found (set WORKBENCH_SHARED_DATA or place it at ../shared/data)")
    return path


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` runs ``workbench ARGS`` in this process (home: the test's private one) → CliResult.

    An exception escaping :func:`workbench.cli.main` is turned into the traceback text a user would have
    seen (exit code 99), so a test that asserts "no traceback" reports it instead of erroring elsewhere.
    """
    import traceback

    from tests.helpers import CliResult
    from workbench.cli import main

    def run(*args) -> CliResult:
        capsys.readouterr()
        try:
            rc = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's --help/--version
            rc = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - reported, not swallowed
            captured = capsys.readouterr()
            return CliResult(99, captured.out, captured.err + traceback.format_exc())
        captured = capsys.readouterr()
        return CliResult(rc, captured.out, captured.err)

    return run
