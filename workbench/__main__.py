import sys

# `python -m workbench` is the headless command line (what torchrun and scripts call); it imports no Qt.
# The window opens from the `workbench` executable or `python -m workbench.ui`.
from workbench.cli import main

sys.exit(main())
