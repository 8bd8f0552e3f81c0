"""Faults at the command line: damaged settings, bad option values, a closed output pipe, errors no handler knew.

Every case: no traceback, the documented exit code, one line naming the file or value; a refused
``train`` records no run.
"""
from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest

from tests.reliability.conftest import REPO_ROOT, assert_clean

# -- damaged settings ---------------------------------------------------------------------------------------
DAMAGED_SETTINGS = {
    "array": b"[1, 2, 3]",
    "null_schema": b'{"schema_version": null, "device": "cpu"}',
    "string_schema": b'{"schema_version": "2"}',
    "string": b'"settings"',
    "number": b"42",
    "not_json": b"{not json",
    "invalid_utf8": b'{"device": "\xff\xfe cpu"}',
    "empty": b"",
    "deep_nesting": b"[" * 100_000,
}


@pytest.mark.parametrize("kind", sorted(DAMAGED_SETTINGS))
def test_a_damaged_settings_file_is_moved_aside_and_the_defaults_are_used(kind, workbench_home):
    from workbench.settings import Settings, load_settings, load_warnings, save_settings

    path = workbench_home / "settings.json"
    path.write_bytes(DAMAGED_SETTINGS[kind])
    assert load_settings() == Settings()
    warnings = load_warnings()
    assert len(warnings) == 1 and "settings.json" in warnings[0] and "damaged" in warnings[0]
    backups = list(workbench_home.glob("settings.json.damaged-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == DAMAGED_SETTINGS[kind]  # nothing of it is lost
    assert not path.exists()
    assert load_settings() == Settings() and load_warnings() == []  # said once
    save_settings(Settings(device="cpu"))  # and the next save writes a clean file
    assert load_settings().device == "cpu"


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink_loop"])
def test_a_settings_path_that_is_no_file_gives_defaults_with_a_warning(kind, workbench_home):
    from workbench.settings import Settings, load_settings, load_warnings

    path = workbench_home / "settings.json"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # reading it would block the start-up forever
    else:
        os.symlink(workbench_home / "loop", path)
        os.symlink(path, workbench_home / "loop")
    assert load_settings() == Settings()
    (warning,) = load_warnings()
    assert str(path) in warning


def test_out_of_range_settings_values_fall_back_with_a_warning(workbench_home):
    from workbench.settings import Settings, load_settings, load_warnings

    (workbench_home / "settings.json").write_text(json.dumps(
        {"schema_version": 1, "plot_refresh_hz": 0, "threads": -2, "device": "tpu", "language": "de",
         "data_dir": "/data\u0000/cifar"}))
    settings = load_settings()
    assert settings == Settings(language="de")
    (warning,) = load_warnings()
    assert "plot_refresh_hz=0" in warning and "device='tpu'" in warning and "data_dir" in warning


def test_the_cli_names_the_damaged_settings_file_once_and_goes_on(cli, workbench_home, tmp_path):
    (workbench_home / "settings.json").write_text("[1, 2, 3]")
    result = cli("train", "--data", "cifar10", "--set", f"data.root={tmp_path / 'none'}",
                 "--set", "data.download=false", "--no-progress")
    assert_clean(result, 1, "settings.json", "moved to settings.json.damaged-", "CIFAR-10 not found")
    assert result.err.count("settings.json.damaged-") == 1


def test_a_newer_versions_settings_are_read_and_never_overwritten(workbench_home):
    from workbench.settings import (
        Settings,
        SettingsError,
        load_settings,
        load_warnings,
        save_blocked_reason,
        save_settings,
    )

    path = workbench_home / "settings.json"
    text = json.dumps({"schema_version": 7, "device": "cpu", "threads": 3, "theme": "dark"})
    path.write_text(text)
    settings = load_settings()
    assert (settings.device, settings.threads) == ("cpu", 3)
    (warning,) = load_warnings()
    assert "newer version" in warning and "cannot be saved" in warning
    assert "newer version" in save_blocked_reason()
    with pytest.raises(SettingsError, match="newer version"):
        save_settings(Settings(device="cuda"))
    assert isinstance(SettingsError("x"), OSError)  # the Preferences dialog's "cannot save" path shows it
    assert path.read_text() == text
    assert not list(workbench_home.glob("settings.json.*"))


# -- option values, refused before a run is recorded ------------------------------------------------------------
BAD_OPTIONS = [
    (["--set", "batchnorm=maybe"], ("batchnorm", "maybe")),
    (["--set", "model.batchnorm=2"], ("batchnorm", "2")),
    (["--set", "width=0"], ("width", "0")),
    (["--set", "width=-3"], ("width", "-3")),
    (["--set", "width=wide"], ("width", "wide")),
    (["--set", "dropout=2"], ("dropout", "2")),
    (["--set", "dropout=nan"], ("dropout", "nan")),
    (["--set", "output=sigmoid"], ("output", "sigmoid")),
    (["--set", "data.max_train=5"], ("max_train", "digits")),
    (["--set", "data.size=0"], ("size", "0")),
    (["--set", "data.test_fraction=1.5"], ("test_fraction", "1.5")),
    (["--set", "data.test_fraction=0"], ("test_fraction", "0")),
    (["--set", "threads=100000"], ("threads", "100000")),
    (["--seed", "99999999999999999999"], ("seed", "99999999999999999999")),
    (["--set", "seed=-1"], ("seed", "-1")),
    (["--lr", "inf"], ("lr", "inf")),
    (["--set", "num_workers=100000"], ("num_workers", "100000")),
    (["--epochs", "99999999999999999999999"], ("epochs", "99999999999999999999999")),
    (["--model", "mobilenet_v2", "--set", "relu6=perhaps"], ("relu6", "perhaps")),
    (["--model", "mobilenet_v2", "--set", "width_mult=0"], ("width_mult", "0")),
    (["--model", "mobilenet_v2", "--set", "attention=se,r=0"], ("reduction", "0")),
    (["--task", "hsi", "--set", "window=24"], ("window", "24")),
    (["--task", "hsi", "--set", "data.crop=0:10,0:10", "--set", "data.seed=3"], ("seed",)),
]


@pytest.mark.parametrize("args, mentions", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_a_bad_option_value_exits_2_naming_it_and_records_no_run(cli, args, mentions):
    result = cli("train", "--epochs", "1", "--no-progress", *args)
    assert_clean(result, 2, "workbench: error:", *mentions)
    assert len(result.err.strip().splitlines()) == 1, result.err
    listed = cli("runs", "--json")
    assert_clean(listed, 0)
    assert json.loads(listed.out) == []


BAD_NUMBERS = [
    (["show", "99999999999999999999"], "99999999999999999999"),
    (["resume", "0"], "0"),
    (["delete", "1", "99999999999999999999"], "99999999999999999999"),
    (["export", "x1", "--csv", "out.csv"], "x1"),
    (["hsi-map", "99999999999999999999"], "99999999999999999999"),
    (["retrieval-eval", "-3"], "-3"),
    (["hsi-svm", "--seed", "99999999999999999999"], "99999999999999999999"),
    (["hsi-svm", "--c", "nan"], "nan"),
    (["hsi-svm", "--train-ratio", "2"], "2"),
    (["hsi-svm", "--set", "data.crop=0:10,0:10", "--set", "data.bogus=1"], "bogus"),
    (["retrieval-features", "--set", "data.window=-1"], "-1"),
    (["summary", "small_cnn", "--size", "0"], "0"),
    (["summary", "small_cnn", "--set", "output=sigmoid"], "sigmoid"),
]


@pytest.mark.parametrize("args, mention", BAD_NUMBERS, ids=[" ".join(a) for a, _ in BAD_NUMBERS])
def test_a_bad_number_on_any_command_exits_2_naming_it(cli, args, mention):
    """Run ids beyond SQLite's integers ended in OverflowError; now every command bounds its numbers."""
    result = cli(*args)
    assert_clean(result, 2, "workbench: error:", mention)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert json.loads(cli("runs", "--json").out) == []


GOOD_OPTIONS = [
    (["--set", "output=none"], "model_options", {"output": "none"}),
    (["--set", "model.output=none"], "model_options", {"output": "none"}),
    (["--set", "batchnorm=no", "--set", "width=8"], "model_options", {"batchnorm": False, "width": 8}),
    (["--set", "dropout=0"], "model_options", {"dropout": 0.0}),
    (["--model", "mobilenet_v2", "--set", "attention=se,r=8", "--set", "relu6=1"], "model_options",
     {"attention": "se", "reduction": 8, "relu6": True}),
    (["--set", "data.size=16", "--set", "data.test_fraction=0.25"], "data_options",
     {"size": 16, "test_fraction": 0.25}),
    (["--task", "hsi", "--set", "data.crop=none"], "data_options", {"crop": None}),
    (["--seed", str(2**32 - 1)], "seed", 2**32 - 1),
]


@pytest.mark.parametrize("args, field, expected", GOOD_OPTIONS, ids=[" ".join(a) for a, _, _ in GOOD_OPTIONS])
def test_a_value_that_names_a_choice_or_a_type_is_read_as_that(args, field, expected):
    from workbench.cli import build_parser, config_from_args

    config = config_from_args(build_parser().parse_args(["train", *args]))
    assert getattr(config, field) == expected


def test_the_new_run_form_and_studies_get_the_same_checks():
    from engines.core.config import ConfigError
    from engines.core.tasks import make_config

    with pytest.raises(ConfigError, match="batchnorm"):
        make_config("classify", model_options={"batchnorm": "maybe"}).validate()
    with pytest.raises(ConfigError, match="max_train"):
        make_config("classify", data="digits", data_options={"max_train": 5}).validate()
    config = make_config("classify", model_options={"output": "none", "batchnorm": "false"}).validate()
    assert config.model_options == {"output": "none", "batchnorm": False}


# -- a closed output pipe ---------------------------------------------------------------------------------------
def _run_with_closed_pipe(args, *, read_first: int) -> subprocess.CompletedProcess:
    """``workbench ARGS | head -c READ_FIRST``: the reader takes ``read_first`` bytes and goes away."""
    proc = subprocess.Popen([sys.executable, "-m", "workbench", *args], cwd=REPO_ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if read_first:
        proc.stdout.read(read_first)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, "", err)


@pytest.mark.parametrize("read_first", [0, 100], ids=["closed-before-output", "closed-after-100-bytes"])
def test_a_closed_pipe_ends_the_command_quietly(read_first, workbench_home):
    from workbench.store import RunStore

    with RunStore() as store:  # ~150 kB of JSON: more than a pipe buffers, so the writer meets the closed end
        for i in range(300):
            store.create_run(task="classify", model="small_cnn", dataset="digits",
                             config={"note": "x" * 400, "i": i}, seed=i, device="cpu", name=f"run {i}")
    proc = _run_with_closed_pipe(("runs", "--json"), read_first=read_first)
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr
    assert "Exception ignored" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 141), (proc.returncode, proc.stderr)


# -- errors that escape every handler --------------------------------------------------------------------------
@pytest.mark.parametrize("code, strerror", [(errno.ENOSPC, "No space left on device"),
                                            (errno.EACCES, "Permission denied"),
                                            (errno.EROFS, "Read-only file system")])
def test_an_os_error_no_handler_knew_is_one_line_naming_the_file(cli, monkeypatch, code, strerror):
    from workbench import cli as cli_module

    def fail(args):
        raise OSError(code, strerror, "/somewhere/runs.sqlite3")

    monkeypatch.setitem(cli_module.COMMANDS, "runs", fail)
    result = cli("runs")
    assert_clean(result, 1, f"workbench: error: {strerror}: /somewhere/runs.sqlite3")
    assert len(result.err.strip().splitlines()) == 1


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_a_log(cli, monkeypatch, workbench_home):
    from workbench import cli as cli_module

    def fail(args):
        raise RuntimeError("the unexpected happened")

    monkeypatch.setitem(cli_module.COMMANDS, "runs", fail)
    result = cli("runs")
    assert_clean(result, 1, "unexpected RuntimeError: the unexpected happened", "details in")
    (log,) = (workbench_home / "logs").glob("cli-*.log")
    assert "Traceback" in log.read_text() and "the unexpected happened" in log.read_text()


def test_ctrl_c_exits_130(cli, monkeypatch):
    from workbench import cli as cli_module

    def interrupt(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli_module.COMMANDS, "runs", interrupt)
    assert_clean(cli("runs"), 130, "aborted")
