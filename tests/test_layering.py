"""The layers of the code, checked on every import statement (house style 1 and the layout).

The scan reads each ``.py`` file under ``engines/`` and ``workbench/`` with :mod:`ast` and collects every
import, wherever it is written (module level, inside a function, under ``if TYPE_CHECKING``), relative
imports resolved, so an import that only runs on one code path still counts. The rules are the import
contracts of ``[tool.importlinter]`` in pyproject.toml, which ``lint-imports`` checks with indirect chains
too; the last test runs it, so ``python -m pytest`` covers the contracts.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engines", "workbench")
QT = ("PySide6", "pyqtgraph")
LAB_PARENTS = ("engines.labs", "workbench.labs", "workbench.ui.labs")
# engines' layers, top to bottom; modules in one layer do not import each other either (``|`` in the contract).
ENGINE_LAYERS = (("engines.labs",), ("engines.hyperspectral", "engines.models"), ("engines.core",))


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _module_name(path: Path) -> tuple[str, bool]:
    """(dotted name, is a package's ``__init__``) of a file under ROOT."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[_module_name(path)[0]] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """Every module ``path`` imports, as (dotted name, line); ``from a import b`` is ``a.b`` when that is a module."""
    name, is_package = _module_name(path)
    package = name if is_package else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((candidate if candidate in modules else base, node.lineno))
    return list(dict.fromkeys(found))  # `from a import b, c` is one edge to a unless b, c are modules


def _lab_of(module: str) -> str | None:
    """``engines.labs.hsi`` for ``engines.labs.hsi.patches``; None outside the labs' folders."""
    for parent in sorted(LAB_PARENTS, key=len, reverse=True):
        if module.startswith(parent + "."):
            return parent + "." + module[len(parent) + 1:].split(".")[0]
    return None


def _engine_layer(module: str) -> int | None:
    for index, layer in enumerate(ENGINE_LAYERS):
        if any(_within(module, member) for member in layer):
            return index
    return None


def violations(importer: str, imported: str) -> list[str]:
    """Why ``importer`` may not import ``imported`` (empty when it may)."""
    reasons = []
    is_ui = _within(importer, "workbench.ui")
    if _within(importer, "engines"):
        if _within(imported, "workbench"):
            reasons.append("engines never imports workbench")
    if not is_ui:
        if any(_within(imported, qt) for qt in QT):
            reasons.append("only workbench.ui imports PySide6 or pyqtgraph")
        if _within(importer, "workbench") and _within(imported, "workbench.ui"):
            reasons.append("the application core never imports workbench.ui")
    lab, other = _lab_of(importer), _lab_of(imported)
    if lab and other and lab != other and lab.rpartition(".")[0] == other.rpartition(".")[0]:
        reasons.append("labs do not import each other")
    low, high = _engine_layer(importer), _engine_layer(imported)
    if low is not None and high is not None:
        same_member = any(_within(importer, m) and _within(imported, m) for m in ENGINE_LAYERS[low])
        if high < low or (high == low and not same_member):
            reasons.append("engines' layers: labs over (hyperspectral | models) over core")
    return reasons


def forbidden_edges() -> list[str]:
    modules = project_modules()
    edges = []
    for importer, path in modules.items():
        for imported, line in imports_of(path, modules):
            for reason in violations(importer, imported):
                edges.append(f"{path.relative_to(ROOT)}:{line}: {importer} -> {imported} ({reason})")
    return edges


def test_no_module_imports_across_the_layers():
    edges = forbidden_edges()
    assert not edges, "forbidden imports:\n" + "\n".join(edges)


def test_the_scan_sees_imports_inside_functions_and_relative_imports(tmp_path, monkeypatch):
    """The scan itself: a late, relative import of Qt or of another lab is found and named."""
    fake_root = tmp_path
    lab = fake_root / "engines" / "labs" / "hsi"
    lab.mkdir(parents=True)
    for folder in (fake_root / "engines", fake_root / "engines" / "labs", lab):
        (folder / "__init__.py").write_text("")
    (fake_root / "engines" / "labs" / "retrieval").mkdir()
    (fake_root / "engines" / "labs" / "retrieval" / "__init__.py").write_text("")
    (fake_root / "engines" / "labs" / "retrieval" / "data.py").write_text("X = 1\n")
    (lab / "task.py").write_text(
        "def late():\n"
        "    from PySide6.QtCore import QTimer\n"
        "    from ..retrieval import data\n"
        "    from workbench.settings import load_settings\n"
    )
    monkeypatch.setitem(globals(), "ROOT", fake_root)
    monkeypatch.setitem(globals(), "PACKAGES", ("engines",))
    task = Path("engines", "labs", "hsi", "task.py")
    assert sorted(forbidden_edges()) == [
        f"{task}:2: engines.labs.hsi.task -> PySide6.QtCore (only workbench.ui imports PySide6 or pyqtgraph)",
        f"{task}:3: engines.labs.hsi.task -> engines.labs.retrieval.data (labs do not import each other)",
        f"{task}:4: engines.labs.hsi.task -> workbench.settings (engines never imports workbench)",
    ]


def test_the_core_and_the_command_line_load_no_qt():
    """At run time too: the CLI's start-up (its lab modules are imported by name) and the launcher stay Qt-free."""
    code = (
        "import sys, workbench.cli, workbench.store, workbench.runner, engines.labs, workbench.ui.launch;"
        "workbench.cli.build_parser();"
        "loaded = sorted(m for m in ('PySide6', 'pyqtgraph') if m in sys.modules);"
        "assert not loaded, f'{loaded} imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_bench_suite_module_has_what_the_bench_command_calls():
    """``workbench bench SUITE`` imports its module by name, an import neither the scan nor the contracts see."""
    import importlib

    from workbench.bench import SUITES

    assert SUITES["ui"] == "workbench.ui.shell.bench_ui"  # the Qt half of the benchmarks stays in the ui layer
    for name, module_name in SUITES.items():
        suite = importlib.import_module(module_name)
        assert callable(suite.run) and callable(suite.format_report), name
        assert issubclass(suite.BenchError, Exception), name


def test_import_contracts_hold():
    """``lint-imports`` with the contracts in pyproject.toml (indirect chains included)."""
    sibling = Path(sys.executable).with_name("lint-imports")
    executable = str(sibling) if sibling.exists() else shutil.which("lint-imports")
    if executable is None:
        pytest.skip("lint-imports is not installed (pip install -e '.[test]' provides it)")
    result = subprocess.run([executable, "--no-cache"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
