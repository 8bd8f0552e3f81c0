"""The ``workbench`` executable: no subcommand opens the window, a subcommand runs headless.

:mod:`workbench.cli` is the command line and imports no Qt (import contracts in pyproject.toml);
this launcher, in the Qt layer, adds the window. ``[project.scripts]``, ``python -m workbench.ui`` and
the frozen bundle's ``packaging/entry.py`` all call :func:`main`. The window's modules load only
when there is no subcommand, so ``workbench train …`` never imports Qt.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from workbench import cli


def open_window(args: argparse.Namespace) -> int:
    from workbench.ui.shell.app import run_app

    return run_app(self_test=args.self_test)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, open_window=open_window)


if __name__ == "__main__":
    sys.exit(main())
