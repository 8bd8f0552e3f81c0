"""Entry script of the frozen application (PyInstaller runs this file as ``__main__``).

``freeze_support()`` must come first: a frozen executable is also what multiprocessing
starts for its helper processes, and those must not reach the command-line parser.
"""
import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from workbench.cli import main

    sys.exit(main())
