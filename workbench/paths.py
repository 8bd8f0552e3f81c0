"""Where the workbench keeps its data: ``$WORKBENCH_HOME`` or the platform's user data dir."""
from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "WORKBENCH_HOME"
ENV_WEIGHTS = "WORKBENCH_WEIGHTS"
RUNS_FOLDER = "runs"  # home/runs/<id>/: a run's files (the store keeps their paths relative to the home)


def home() -> Path:
    """The workbench home, created if need be; one that cannot be created raises
    :class:`~workbench.store.StoreError` naming it (the CLI prints it as one line)."""
    override = os.environ.get(ENV_HOME)
    if override:
        path = Path(override).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("cnn-workbench", appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from workbench.store import StoreError

        raise StoreError(f"cannot create the workbench home {path}: {exc.strerror or exc}") from exc
    return path


def store_path() -> Path:
    return home() / "runs.sqlite3"


def run_dir(run_id: int) -> Path:
    return home() / RUNS_FOLDER / str(run_id)


def checkpoint_dir(run_id: int) -> Path:
    return run_dir(run_id) / "checkpoints"


def settings_path() -> Path:
    return home() / "settings.json"


def default_data_dir() -> Path:
    return home() / "data"


def assets_dir() -> Path:
    """The shipped ``assets/`` folder.

    A wheel installs it as the package ``workbench.assets`` (see pyproject's
    package-dir); a source checkout or editable install reads it beside the
    packages, where that mapping does not apply.
    """
    from importlib import resources

    try:
        return Path(str(resources.files("workbench.assets")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "assets"


def weights_dir() -> Path:
    """The shipped pretrained weights and their ``manifest.json``: ``$WORKBENCH_WEIGHTS`` or ``assets/weights``.

    The override lets tests (and ``ship-weights`` dry runs) use another folder without touching the package.
    """
    override = os.environ.get(ENV_WEIGHTS)
    return Path(override).expanduser() if override else assets_dir() / "weights"
