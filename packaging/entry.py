"""Entry script of the frozen application (PyInstaller runs this file as ``__main__``).

``freeze_support()`` must come before anything that reads the command line: a frozen
executable is also what multiprocessing starts for its helper processes (training runs in
a spawned child), and those must not reach the command-line parser.
"""
import logging
import multiprocessing
import sys

if __name__ == "__main__":
    # The spec leaves triton out on purpose; torch's FLOP counter would warn about it in the
    # window's process and in every training child (set before freeze_support runs a child).
    logging.getLogger("torch.utils.flop_counter").setLevel(logging.ERROR)
    multiprocessing.freeze_support()
    from workbench.ui.launch import main  # the window without a command, else the command line

    sys.exit(main())
