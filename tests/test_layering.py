import subprocess
import sys


def test_core_never_imports_qt():
    code = (
        "import sys, engines, workbench, workbench.cli, workbench.store, workbench.runner, "
        "workbench.settings, engines.core.tasks, engines.models, engines.core.data;"
        "assert 'PySide6' not in sys.modules, 'PySide6 imported';"
        "assert 'pyqtgraph' not in sys.modules, 'pyqtgraph imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
