"""The packaging files agree with each other and with the app: desktop entry, AppStream, spec, icons.

The pure-Python checks always run; the validators of the desktop tools run where installed
(Debian: desktop-file-utils, appstream) and skip with the reason otherwise.
"""
from __future__ import annotations

import ast
import configparser
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import workbench
from workbench.ui.shell.app import DESKTOP_FILE_NAME

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{DESKTOP_FILE_NAME}.desktop"
METAINFO = PACKAGING / f"{DESKTOP_FILE_NAME}.metainfo.xml"
SPEC = PACKAGING / "cnn-workbench.spec"
ICONS = ROOT / "assets" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# -- .desktop ---------------------------------------------------------------------------------
def _desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive in the Desktop Entry spec
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    assert parser.sections()[0] == "Desktop Entry"
    return dict(parser["Desktop Entry"])


def test_desktop_file_is_named_after_the_apps_desktop_file_name():
    assert DESKTOP.exists(), f"{DESKTOP.name} missing: it must match QGuiApplication.desktopFileName"
    assert [p.name for p in PACKAGING.glob("*.desktop")] == [DESKTOP.name]


def test_desktop_entry_has_the_required_keys_and_matches_the_app():
    entry = _desktop_entry()
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "StartupWMClass", "Terminal"):
        assert entry.get(key), f"{key} missing or empty"
    assert entry["Type"] == "Application"
    assert entry["Name"] == workbench.APP_NAME
    # X11 WM_CLASS's class is QCoreApplication.applicationName(), set to APP_NAME in app.py.
    assert entry["StartupWMClass"] == workbench.APP_NAME
    assert entry["Terminal"] in ("true", "false")
    assert entry["Categories"].endswith(";")
    # The icon is a theme name (installed as hicolor/<size>/apps/<id>.png), not a path.
    assert entry["Icon"] == DESKTOP_FILE_NAME and "/" not in entry["Icon"]


def test_desktop_exec_is_the_bundles_executable_and_a_console_script():
    program = _desktop_entry()["Exec"].split()[0]
    assert "/" not in program
    assert program in _pyproject()["project"]["scripts"], "pip installs must provide the Exec program too"
    # Both console scripts are the launcher that opens the window, as `python -m workbench.ui` and the bundle are.
    assert set(_pyproject()["project"]["scripts"].values()) == {"workbench.ui.launch:main"}
    assert program == _spec_constants()["EXE_NAME"]


# -- AppStream ----------------------------------------------------------------------------------
def _metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_metainfo_identity_matches_the_desktop_file():
    root = _metainfo()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == DESKTOP_FILE_NAME
    assert root.findtext("name") == workbench.APP_NAME
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == DESKTOP.name
    assert root.find("provides/binary").text == _desktop_entry()["Exec"].split()[0]


def test_metainfo_has_the_fields_software_centres_need():
    root = _metainfo()
    summary = root.findtext("summary", "").strip()
    assert summary and not summary.endswith("."), "AppStream summaries carry no final full stop"
    description = root.find("description")
    assert description is not None and description.find("p") is not None
    assert root.findtext("metadata_license") in {"CC0-1.0", "FSFAP", "MIT", "CC-BY-3.0", "CC-BY-SA-3.0"}
    assert root.findtext("project_license") == _pyproject()["project"]["license"]
    rating = root.find("content_rating")
    assert rating is not None and rating.get("type", "").startswith("oars-")
    releases = root.findall("releases/release")
    assert releases, "at least one release"
    assert releases[0].get("version") == workbench.__version__
    assert releases[0].get("date")


# -- PyInstaller spec -------------------------------------------------------------------------
def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _spec_constants() -> dict[str, str]:
    return {node.targets[0].id: node.value.value for node in _spec_tree().body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}


def _path_parts(name: str) -> list[str]:
    """The string pieces of ``NAME = str(ROOT / "a" / "b")`` in the spec."""
    for node in _spec_tree().body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            strings = [n for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            return [n.value for n in sorted(strings, key=lambda n: n.col_offset)]
    raise AssertionError(f"{name} is not assigned in the spec")


def _calls(func: str) -> list[ast.Call]:
    return [n for n in ast.walk(_spec_tree()) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == func]


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords}


def test_spec_names_an_entry_point_that_calls_freeze_support_first():
    entry = ROOT.joinpath(*_path_parts("ENTRY"))
    assert entry.exists(), entry
    (analysis,) = _calls("Analysis")
    assert isinstance(analysis.args[0], ast.List) and ast.unparse(analysis.args[0].elts[0]) == "ENTRY"
    main_block = next(n for n in ast.parse(entry.read_text(encoding="utf-8")).body if isinstance(n, ast.If))
    statements = [ast.unparse(n) for n in main_block.body]
    assert "multiprocessing.freeze_support()" in statements
    # The same launcher as the console scripts: the window without a command, else workbench.cli.
    main_at = next(i for i, text in enumerate(statements) if "from workbench.ui.launch import main" in text)
    assert statements.index("multiprocessing.freeze_support()") < main_at, "freeze_support must run before the CLI"
    assert "sys.exit(main())" in statements[main_at + 1:]


def test_spec_ships_the_assets_and_the_modules_imported_by_name():
    datas = next(n for n in _spec_tree().body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "datas")
    pairs = [(ast.unparse(t.elts[0]), t.elts[1].value) for t in ast.walk(datas.value)
             if isinstance(t, ast.Tuple) and len(t.elts) == 2 and isinstance(t.elts[1], ast.Constant)]
    # workbench.paths.assets_dir() falls back to <bundle>/assets.
    assert ("str(ROOT / 'assets')", "assets") in pairs
    hidden = next(n for n in _spec_tree().body if isinstance(n, ast.Assign)
                  and ast.unparse(n.targets[0]) == "hiddenimports")
    assert "collect_submodules('workbench')" in ast.unparse(hidden.value)
    assert "collect_submodules('engines')" in ast.unparse(hidden.value)
    # torchvision's compiled ops (_C_stable.so): without them `import torchvision` fails in the bundle.
    (analysis,) = _calls("Analysis")
    assert ast.unparse(_keywords(analysis)["binaries"]) == "binaries"
    binaries = next(n for n in _spec_tree().body if isinstance(n, ast.Assign)
                    and ast.unparse(n.targets[0]) == "binaries")
    assert "collect_dynamic_libs('torchvision'" in ast.unparse(binaries.value) and "'*.so'" in ast.unparse(binaries.value)


def test_spec_carries_the_icon_and_the_macos_bundle_identifier():
    constants = _spec_constants()
    icon = ROOT.joinpath(*_path_parts("ICON"))
    assert icon.exists() and icon.suffix == ".png"
    (exe,) = _calls("EXE")
    assert ast.unparse(_keywords(exe)["icon"]) == "ICON"
    assert ast.unparse(_keywords(exe)["name"]) == "EXE_NAME"
    (bundle,) = _calls("BUNDLE")
    assert ast.unparse(_keywords(bundle)["bundle_identifier"]) == "BUNDLE_IDENTIFIER"
    assert constants["BUNDLE_IDENTIFIER"] == DESKTOP_FILE_NAME
    (collect,) = _calls("COLLECT")  # one-folder bundle
    assert ast.unparse(_keywords(collect)["name"]) == "EXE_NAME"


def test_build_script_is_valid_bash():
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    result = subprocess.run([bash, "-n", str(PACKAGING / "build.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_pyinstaller_is_an_optional_extra_only():
    project = _pyproject()["project"]
    assert not any(dep.lower().startswith("pyinstaller") for dep in project["dependencies"])
    assert any(dep.lower().startswith("pyinstaller") for dep in project["optional-dependencies"]["packaging"])


# -- icons ---------------------------------------------------------------------------------------
def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_icon_svg_is_square_and_every_png_size_is_rendered():
    svg = ET.parse(ICONS / "cnn-workbench.svg").getroot()
    _, _, width, height = (float(v) for v in svg.get("viewBox").split())
    assert width == height
    for size in PNG_SIZES:
        assert _png_size(ICONS / f"cnn-workbench-{size}.png") == (size, size)


# -- the desktop tools, where installed ---------------------------------------------------------
def test_desktop_file_validate():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate not installed (Debian package desktop-file-utils)")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_appstreamcli_validate():
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli not installed (Debian package appstream)")
    result = subprocess.run([tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_spec_compiles_as_python():
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")


def test_shipped_weights_commands_parse_into_the_papers_protocol(tmp_path):
    """The GPU training script's commands are valid ``workbench train`` configs with the paper's settings."""
    import importlib.util

    from workbench.cli import build_parser, config_from_args

    spec = importlib.util.spec_from_file_location("train_shipped_weights", PACKAGING / "train_shipped_weights.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)
    jobs = {job.name: job for job in script.JOBS}
    assert set(jobs) == {"dncnn_s_sigma15", "dncnn_s_sigma25", "dncnn_s_sigma50", "dncnn_b_blind"}
    for job in jobs.values():
        epochs = script.plan_epochs(job, steps_per_s=40.0, budget=400.0, min_epochs=2, max_epochs=50)
        assert epochs == max(2, min(50, int(40.0 * 400 * 0.9 // job.steps_per_epoch)))
        args = script.train_args(job, data=tmp_path, epochs=epochs, device="cpu", workers=3)
        config = config_from_args(build_parser().parse_args(args))
        assert (config.model, config.batch_size, config.lr, config.scheduler) == (job.model, 128, 1e-3, "step")
        assert config.step_size == -(-6 * epochs // 10) < epochs  # one ×0.1 drop, after 60 % of the epochs
        assert config.data_options["max_patches"] == job.patches_per_epoch
        assert config.val_data == str(tmp_path / "set12")
    blind = config_from_args(build_parser().parse_args(
        script.train_args(jobs["dncnn_b_blind"], data=tmp_path, epochs=5, device="cpu", workers=0)))
    assert blind.blind and (blind.sigma_min, blind.sigma_max) == (0.0, 55.0)
    assert blind.data_options["patch_size"] == 50 and blind.data_options["max_patches"] == 128 * 3000
    sigma15 = config_from_args(build_parser().parse_args(
        script.train_args(jobs["dncnn_s_sigma15"], data=tmp_path, epochs=5, device="cpu", workers=0)))
    assert sigma15.sigma == 15.0 and not sigma15.blind and sigma15.data_options["patch_size"] == 40
    short = config_from_args(build_parser().parse_args(
        script.train_args(jobs["dncnn_s_sigma25"], data=tmp_path, epochs=2, device="cpu", workers=0)))
    assert short.step_size == 1  # two epochs still drop the rate once, before the last
    assert short.precision == "fp32"
    bf16 = config_from_args(build_parser().parse_args(
        script.train_args(jobs["dncnn_s_sigma50"], data=tmp_path, epochs=2, device="cuda", workers=0,
                          precision="bf16")))
    assert bf16.precision == "bf16" and bf16.sigma == 50.0


def test_calibration_reads_the_steady_step_rate_not_the_start_up(tmp_path, monkeypatch):
    """The calibration's rate comes from the recorded step times after the first quarter of the steps: a slow
    start (cuDNN's algorithm search, worker spin-up) would otherwise halve the planned epochs."""
    import importlib.util

    from workbench.store import RunStore

    spec = importlib.util.spec_from_file_location("train_shipped_weights", PACKAGING / "train_shipped_weights.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    spec.loader.exec_module(script)
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    with RunStore() as store:
        run_id = store.create_run(task="denoise", model="dncnn_s", dataset="image_folder", config={})
        # 10 slow start-up steps (1 s each), then 90 steps at 50 per second; validation points are ignored.
        times = [1000.0 + i for i in range(10)] + [1010.0 + (i + 1) / 50 for i in range(90)]
        store.add_metrics(run_id, [(step, step / 100, "loss", 1.0, t) for step, t in enumerate(times, 1)])
        store.add_metrics(run_id, [(100, 1.0, "val_psnr", 20.0, 2000.0)])
        empty = store.create_run(task="denoise", model="dncnn_s", dataset="image_folder", config={})
    assert script.steady_rate(home, run_id) == pytest.approx(50.0)
    assert 100 / (times[-1] - times[0]) < 10  # what the whole run's throughput would have said
    assert script.steady_rate(home, empty) == 0.0  # no steps: the caller falls back to the throughput
