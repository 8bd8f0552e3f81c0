"""CNN Workbench application core (no widgets; ``workbench.ui`` holds the Qt code)."""

__version__ = "0.1.0"
APP_NAME = "CNN Workbench"
