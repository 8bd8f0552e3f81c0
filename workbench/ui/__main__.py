import sys

# `python -m workbench.ui` is the `workbench` executable: the window without a command, else the CLI.
from workbench.ui.launch import main

sys.exit(main())
