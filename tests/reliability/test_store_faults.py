"""The run store and a run's lifecycle under faults.

Four processes opening a new store at once, damaged rows, a moved or copied home, a full disk, an
un-creatable or read-only home, a resume from a damaged checkpoint, runs queued by a process that is
gone, and kill -9 around checkpoint writes. Each case: no traceback, the exit code, a message naming
the file or value, the runs recorded before still listed and unchanged.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import assert_clean, run_cli_process, write_bad_file

# One torch thread: the cases share the cores with the rest of the suite, and spinning OpenMP threads of several
# processes on two cores make a second-long run take tens of seconds.
TINY = ("--epochs", "2", "--batch-size", "64", "--set", "width=8", "--set", "data.size=16", "--set", "threads=1",
        "--no-progress")
LAST = Path("runs", "1", "checkpoints", "last.pt")


def _strict_json(text: str):
    def refuse(token):
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _recorded_run(store, *, status: str = "finished", **fields) -> int:
    """A run as a finished training leaves it (without files), for the cases that need no training."""
    config = {"task": "classify", "model": "small_cnn", "data": "digits", "epochs": 2, "batch_size": 64,
              "model_options": {"width": 8}, "data_options": {"size": 16}, "threads": 1}
    run_id = store.create_run(task="classify", model="small_cnn", dataset="digits", config=config, seed=0,
                              tags=["baseline"])
    store.update_run(run_id, epoch=2, step=46, summary={"metrics": {"test_accuracy": 0.9}}, **fields)
    store.set_status(run_id, status)
    return run_id


def _snapshot(store_path: Path, run_id: int) -> dict:
    """Everything recorded of a run, raw (status, message, summary, position, points, artifacts)."""
    con = sqlite3.connect(store_path)
    con.row_factory = sqlite3.Row
    try:
        row = dict(con.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
        points = [tuple(p) for p in con.execute(
            "SELECT step, epoch, name, value FROM metrics WHERE run_id = ? ORDER BY rowid", (run_id,))]
        artifacts = [tuple(a) for a in con.execute(
            "SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY id", (run_id,))]
    finally:
        con.close()
    return {"row": row, "points": points, "artifacts": artifacts}


def _listed_ids(result) -> list[int]:
    return [int(line.split()[0]) for line in result.out.splitlines() if line.strip()[:1].isdigit()]


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory) -> Path:
    """A home with one finished two-epoch digits run (id 1) and its ``last.pt``; the cases copy it."""
    from tests.helpers import tiny_config
    from workbench.runner import TrainingSession, create_run
    from workbench.store import RunStore

    home = tmp_path_factory.mktemp("trained") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_HOME", str(home))
        patch.setenv("WORKBENCH_PRETRAINED", "off")
        with RunStore() as store:
            config = tiny_config(threads=1)
            run_id = create_run(store, config)
            outcome = TrainingSession(config, store=store, run_id=run_id).run()
    assert run_id == 1 and outcome.status == "finished", outcome
    assert (home / LAST).is_file()
    return home


@pytest.fixture
def tmpfs(tmp_path):
    """``tmpfs(size)`` mounts a fresh tmpfs of ``size`` (e.g. ``"2m"``) and returns its folder.

    Root ignores file permissions, so a full or read-only disk is made with a real mount; the case is
    skipped with the reason where mounting is impossible (not root, no mount permission in a container).
    """
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        if os.geteuid() != 0:
            pytest.skip("a small or read-only disk is a tmpfs mount, which needs root")
        folder = tmp_path / f"disk{len(mounts)}"
        folder.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
        mounts.append(folder)
        return folder

    yield mount
    for folder in reversed(mounts):
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _remount_read_only(folder: Path) -> None:
    done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount {folder} read-only: {done.stderr.strip()}")


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` until ``leave`` bytes are free."""
    filler = folder / "filler"
    stat = os.statvfs(folder)
    wanted = max(0, stat.f_bavail * stat.f_frsize - leave)
    with open(filler, "wb", buffering=0) as fh:  # unbuffered: a full disk answers the write, not the close
        try:
            while wanted > 0 or leave == 0:
                wanted -= fh.write(bytes(min(max(wanted, 4096), 64 << 10)))
        except OSError:
            pass
    return filler


# -- four processes open a new store at the same moment ------------------------------------------------------
def _open_new_stores(folder: str, rounds: int, write: bool, barrier, results) -> None:
    from workbench.store import RunStore

    failures = []
    for number in range(rounds):
        barrier.wait(timeout=60)
        try:
            with RunStore(os.path.join(folder, f"store-{number}.sqlite3")) as store:
                if write:
                    store.create_run(task="classify", model="small_cnn", dataset="digits", config={})
                    store.list_runs()
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
            failures.append(f"round {number}: {type(exc).__name__}: {exc}")
    results.put(failures)


@pytest.mark.parametrize("write", [False, True], ids=["open", "open_and_write"])
def test_four_processes_opening_new_stores_at_once_never_fail(write, tmp_path):
    from workbench.store import SCHEMA_VERSION, RunStore

    processes, rounds = 4, 15
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_open_new_stores, args=(str(tmp_path), rounds, write, barrier, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        failures = [failure for _ in workers for failure in results.get(timeout=180)]
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    assert failures == [], f"{len(failures)} of {processes * rounds} opens failed: {failures[:3]}"
    for number in range(rounds):
        with RunStore(tmp_path / f"store-{number}.sqlite3") as store:
            assert store.schema_version == SCHEMA_VERSION
            assert len(store.list_runs()) == (processes if write else 0)


# -- one damaged row costs that row only ----------------------------------------------------------------------
def _damage(store_path: Path, run_id: int, field: str, raw: str) -> None:
    con = sqlite3.connect(store_path)
    con.execute(f"UPDATE runs SET {field} = ? WHERE id = ?", (raw, run_id))
    con.commit()
    con.close()


@pytest.mark.parametrize("command", ["runs", "runs_json", "show", "resume"])
@pytest.mark.parametrize("field", ["config", "summary", "tags"])
def test_a_damaged_row_costs_that_row_only(field, command, cli, workbench_home):
    from workbench.store import RunStore

    store_path = workbench_home / "runs.sqlite3"
    with RunStore() as store:
        ids = [_recorded_run(store) for _ in range(3)]
    bad = ids[1]
    _damage(store_path, bad, field, "{not json")
    note = f"stored {field} is damaged (not JSON)"
    if command == "runs":
        result = cli("runs")
        assert_clean(result, 0)
        assert _listed_ids(result) == ids
    elif command == "runs_json":
        result = cli("runs", "--json")
        assert_clean(result, 0)
        runs = _strict_json(result.out)
        assert [r["id"] for r in runs] == ids
        assert runs[1]["damaged"] == [field] and note in runs[1]["message"]
        assert runs[0]["damaged"] == [] and runs[0]["config"]["model"] == "small_cnn"
    elif command == "show":
        result = cli("show", bad)
        assert_clean(result, 0, f"run {bad}", note)
        assert_clean(cli("show", ids[0]), 0, "test_accuracy")
    else:
        result = cli("resume", bad, "--epochs", "3")
        if field == "config":  # nothing to resume with: one line, not a run started with defaults
            assert_clean(result, 1, f"run {bad}: stored config is damaged (not JSON)")
        else:  # the rest of the row is usable; this recorded run has no checkpoint
            assert_clean(result, 2, f"run {bad} has no checkpoint")
    assert _listed_ids(cli("runs")) == ids
    assert _snapshot(store_path, bad)["row"][field] == "{not json"  # reported, never overwritten


@pytest.mark.parametrize("field,raw", [
    ("config", "{not json"), ("config", "[1, 2]"), ("summary", "{not json"), ("summary", '{"metrics": 5}'),
    ("tags", "{not json"), ("tags", '"baseline"'),
], ids=["config-not-json", "config-list", "summary-not-json", "summary-metrics", "tags-not-json", "tags-string"])
def test_a_damaged_row_reads_as_empty_and_recovery_still_runs(field, raw, tmp_path):
    from workbench.runner import config_for_run
    from workbench.store import RunStore, StoreError

    path = tmp_path / "s.sqlite3"
    with RunStore(path) as store:
        good = _recorded_run(store)
        bad = _recorded_run(store, status="running", pid=2**22 + 4321)  # beyond pid_max: a dead process
    _damage(path, bad, field, raw)
    with RunStore(path) as store:  # opening recovers the dead process's run although its row is damaged
        run = store.get_run(bad)
        assert [r.id for r in store.list_runs()] == [good, bad]
        assert store.get_run(good).damaged == ()
        assert store.list_runs(search="baseline")[0].id == good
    assert run.status == "interrupted" and run.damaged == (field,)
    assert "ended unexpectedly" in run.message and f"stored {field} is damaged" in run.message
    assert getattr(run, field) == ([] if field == "tags" else {})
    with RunStore(path) as store:
        if field == "config":
            with pytest.raises(StoreError, match=f"run {bad}: stored config is damaged"):
                config_for_run(store, bad)
        else:
            assert config_for_run(store, bad).model == "small_cnn"


# -- a moved or copied home resumes from its own files ---------------------------------------------------------
@pytest.mark.parametrize("how", ["moved", "copied", "copied_with_absolute_paths"])
def test_a_moved_or_copied_home_resumes_from_its_own_checkpoint(how, trained_home, tmp_path, cli, monkeypatch):
    from engines.core.checkpoint import load_checkpoint
    from workbench.store import RunStore

    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(trained_home, first)
    if how == "copied_with_absolute_paths":  # rows as older versions wrote them
        con = sqlite3.connect(first / "runs.sqlite3")
        con.execute("UPDATE runs SET checkpoint = ?", (str(first / LAST),))
        con.execute("UPDATE artifacts SET path = ?", (str(first / LAST),))
        con.commit()
        con.close()
    if how == "moved":
        first.rename(second)
    else:
        shutil.copytree(first, second)
        # The original's checkpoint can no longer be read: a copy that resumed from it would fail.
        (first / LAST).write_bytes(b"the original home's file")
    monkeypatch.setenv("WORKBENCH_HOME", str(second))
    result = cli("resume", "1", "--epochs", "3", "--no-progress")
    assert_clean(result, 0, "run 1 finished")
    with RunStore() as store:
        run = store.get_run(1)
        artifacts = store.artifacts(1)
    assert run.status == "finished" and run.epoch == 3
    assert Path(run.checkpoint) == second / LAST and load_checkpoint(run.checkpoint)["epoch"] == 3
    assert all(Path(path).is_relative_to(second) for _, path in artifacts), artifacts
    if how != "moved":
        assert (first / LAST).read_bytes() == b"the original home's file"


# -- a full disk -------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("free_kib", [0, 200], ids=["no_room_at_all", "room_for_a_little"])
def test_a_full_disk_ends_train_with_one_line_and_leaves_no_run_queued(free_kib, tmpfs):
    from workbench.store import RunStore

    disk = tmpfs("2m")
    home = disk / "home"
    env = {"WORKBENCH_HOME": str(home)}
    with RunStore(home / "runs.sqlite3") as store:
        earlier = _recorded_run(store)
    before = _snapshot(home / "runs.sqlite3", earlier)
    filler = _fill(disk, free_kib << 10)
    result = run_cli_process("train", *TINY, env=env)
    assert_clean(result, 1, "no space left on device while writing")
    assert "runs.sqlite3" in result.err or "last.pt" in result.err, result.err
    filler.unlink()
    with RunStore(home / "runs.sqlite3") as store:  # as the next session opens it
        runs = store.list_runs()
    assert runs[0].id == earlier and _snapshot(home / "runs.sqlite3", earlier) == before
    for run in runs[1:]:
        assert run.status in ("failed", "interrupted"), (run.status, run.message)
        assert "no space left on device" in run.message or "ended" in run.message, run.message
        if run.checkpoint and os.path.exists(run.checkpoint):
            from engines.core.checkpoint import load_checkpoint

            load_checkpoint(run.checkpoint)


@pytest.mark.parametrize("failure", ["torch_write_failed", "enospc"])
def test_a_full_disk_at_the_second_checkpoint_keeps_the_first_and_says_which_file(failure, cli, workbench_home,
                                                                                  monkeypatch):
    """torch.save's own report of a failed write names neither the cause nor the file: the run's message does."""
    import errno
    from collections import namedtuple

    import torch

    from engines.core.checkpoint import load_checkpoint
    from workbench.store import RunStore

    real_save, calls = torch.save, []

    def save(obj, f, *args, **kwargs):
        calls.append(f)
        if len(calls) == 2:
            if failure == "enospc":
                raise OSError(errno.ENOSPC, "No space left on device")
            raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 52864 vs 52756")
        return real_save(obj, f, *args, **kwargs)

    usage = namedtuple("usage", "total used free")
    real_usage = shutil.disk_usage
    monkeypatch.setattr(torch, "save", save)
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda where: usage(1 << 30, 1 << 30, 0) if "checkpoints" in str(where) else real_usage(where))
    result = cli("train", *TINY)
    last = workbench_home / LAST
    assert_clean(result, 1, f"no space left on device while writing {last}")
    assert load_checkpoint(last)["epoch"] == 1  # the first checkpoint, intact
    assert not list(last.parent.glob("*.tmp"))
    with RunStore() as store:
        run = store.get_run(1)
    assert run.status == "failed" and "no space left on device while writing" in run.message
    assert not (workbench_home / "runs" / "1" / "error.log").exists()  # a full disk is no bug to report
    monkeypatch.setattr(torch, "save", real_save)
    assert_clean(cli("resume", "1", "--no-progress"), 0, "run 1 finished")  # and the run goes on from it


# -- an un-creatable or read-only home ------------------------------------------------------------------------
@pytest.mark.parametrize("command", [("runs",), ("train", *TINY)], ids=["runs", "train"])
@pytest.mark.parametrize("where", ["under_a_file", "read_only_parent"])
def test_an_uncreatable_home_is_one_line_naming_it(where, command, cli, tmp_path, tmpfs, monkeypatch):
    if where == "under_a_file":
        (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
        home = tmp_path / "a-file" / "home"
    else:
        disk = tmpfs("1m")
        _remount_read_only(disk)
        home = disk / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    result = cli(*command)
    assert_clean(result, 1, "cannot create the workbench home", str(home))
    assert not home.exists()


@pytest.mark.parametrize("command", ["runs", "runs_json", "show", "train", "resume", "delete"])
def test_a_read_only_home_is_read_and_refuses_to_record(command, cli, trained_home, tmpfs, monkeypatch):
    disk = tmpfs("8m")
    home = disk / "home"
    shutil.copytree(trained_home, home)
    _remount_read_only(disk)
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    store = str(home / "runs.sqlite3")
    if command == "runs":
        result = cli("runs")
        assert_clean(result, 0, "finished")
        assert _listed_ids(result) == [1]
    elif command == "runs_json":
        result = cli("runs", "--json")
        assert_clean(result, 0)
        assert [r["id"] for r in _strict_json(result.out)] == [1]
    elif command == "show":
        assert_clean(cli("show", "1"), 0, "run 1", "finished", str(home / LAST))
    else:
        args = {"train": ("train", *TINY), "resume": ("resume", "1", "--epochs", "3", "--no-progress"),
                "delete": ("delete", "1")}[command]
        assert_clean(cli(*args), 1, f"the run store {store} is read-only", "cannot record runs")
    assert_clean(cli("show", "1"), 0, "finished", "2 / ")  # unchanged


# -- a failed resume leaves the run as it was --------------------------------------------------------------
@pytest.mark.parametrize("kind,status", [
    ("empty", "finished"), ("truncated", "finished"), ("garbage", "finished"), ("text", "finished"),
    ("directory", "finished"), ("fifo", "finished"), ("garbage", "interrupted"), ("truncated", "stopped"),
])
def test_a_failed_resume_leaves_the_run_as_it_was(kind, status, cli, trained_home, workbench_home):
    from workbench.store import RunStore

    shutil.copytree(trained_home, workbench_home, dirs_exist_ok=True)
    if status != "finished":
        with RunStore() as store:
            store.set_status(1, status, "stopped by the user" if status == "stopped" else "the window closed")
    last = workbench_home / LAST
    good = last.read_bytes()
    last.unlink()
    write_bad_file(kind, last.parent, last.name, good=good)
    store_path = workbench_home / "runs.sqlite3"
    before = _snapshot(store_path, 1)
    assert before["points"]
    result = cli("resume", "1", "--epochs", "3", "--no-progress")
    assert_clean(result, 1, str(last), "workbench: error: run 1: could not resume; the run is left as it was")
    assert "run 1 failed" not in result.text  # nothing happened to the run: no summary line says so
    assert _snapshot(store_path, 1) == before
    with RunStore() as store:  # and as the next session sees it
        assert store.get_run(1).status == status
    assert_clean(cli("runs"), 0, status)


# -- runs queued by a process that is gone ---------------------------------------------------------------------
@pytest.mark.parametrize("creator", ["dead_process", "this_process", "live_process", "other_host"])
def test_a_queued_run_of_a_process_that_is_gone_becomes_interrupted(creator, tmp_path):
    from workbench.store import QUEUED_ORPHAN_MESSAGE, RunStore

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(gone.stdout)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) \
        if creator == "live_process" else None
    path = tmp_path / "s.sqlite3"
    try:
        with RunStore(path) as store:
            earlier = _recorded_run(store)
            queued = store.create_run(task="classify", model="small_cnn", dataset="digits", config={})
            pid, host = {"dead_process": (dead_pid, socket.gethostname()),
                         "this_process": (os.getpid(), socket.gethostname()),
                         "live_process": (sleeper.pid if sleeper else 0, socket.gethostname()),
                         "other_host": (dead_pid, "another-host.invalid")}[creator]
            store.update_run(queued, pid=pid, host=host)
        with RunStore(path) as store:
            run = store.get_run(queued)
            assert store.get_run(earlier).status == "finished"
    finally:
        if sleeper is not None:
            sleeper.kill()
            sleeper.wait()
    if creator == "dead_process":
        assert run.status == "interrupted" and run.message == QUEUED_ORPHAN_MESSAGE and run.finished_at
    else:
        assert run.status == "queued" and run.message == ""


@pytest.mark.slow
def test_the_training_child_claims_a_run_queued_by_a_live_window(workbench_home):
    from tests.helpers import tiny_config
    from workbench import training_process
    from workbench.runner import create_run
    from workbench.store import RunStore

    store_path = workbench_home / "runs.sqlite3"
    config = tiny_config(threads=1)
    with RunStore(store_path) as store:  # the window queues the run: it stays queued while the window lives
        run_id = create_run(store, config)
    with RunStore(store_path) as store:
        assert store.get_run(run_id).status == "queued"
    events = training_process.new_events()  # kept referenced until the child is done: it unpickles them
    process, conn = training_process.start(config, store_path=str(store_path), run_id=run_id, resume=False,
                                           events=events)
    outcome = None
    try:
        while outcome is None and conn.poll(120):
            kind, value = conn.recv()
            if kind in ("outcome", "error"):
                outcome = (kind, value)
    finally:
        conn.close()
        process.join(30)
        del events
    assert outcome is not None and outcome[0] == "outcome" and outcome[1]["status"] == "finished", outcome
    with RunStore(store_path) as store:
        run = store.get_run(run_id)
    assert run.status == "finished" and run.pid == process.pid and run.epoch == config.epochs


# -- kill -9 around checkpoint writes ------------------------------------------------------------------------
KILL_SEED = 15
KILL_EPOCHS = 6


def _kill_moments(count: int = 5) -> list[tuple[int, float]]:
    """(epochs seen, then seconds): the checkpoint of an epoch is written right after its EpochDone is sent."""
    rng = random.Random(KILL_SEED)
    return [(rng.randint(2, 4), round(rng.uniform(0.0, 0.04), 4)) for _ in range(count)]


@pytest.mark.slow
@pytest.mark.parametrize("after_epochs,delay", _kill_moments(),
                         ids=[f"epoch{e}+{d * 1000:.0f}ms" for e, d in _kill_moments()])
def test_kill_9_around_a_checkpoint_write_leaves_a_loadable_checkpoint_and_a_resumable_run(
        after_epochs, delay, cli, workbench_home):
    from engines.core.checkpoint import load_checkpoint
    from engines.core.events import EpochDone
    from tests.helpers import tiny_config
    from workbench import training_process
    from workbench.runner import create_run
    from workbench.store import RunStore

    store_path = workbench_home / "runs.sqlite3"
    config = tiny_config(epochs=KILL_EPOCHS, threads=1)
    with RunStore(store_path) as store:
        earlier = _recorded_run(store)
        run_id = create_run(store, config)
    events = training_process.new_events()  # kept referenced until the child is done: it unpickles them
    process, conn = training_process.start(config, store_path=str(store_path), run_id=run_id, resume=False,
                                           events=events)
    try:
        seen, deadline = 0, time.monotonic() + 120
        while seen < after_epochs:
            assert time.monotonic() < deadline and process.is_alive(), "the training child did not get that far"
            if conn.poll(0.5):
                kind, value = conn.recv()
                assert kind not in ("outcome", "error"), value
                if kind == "event" and isinstance(value, EpochDone):
                    seen += 1
        time.sleep(delay)
        process.kill()
    finally:
        process.join(30)
        conn.close()
        del events
    con = sqlite3.connect(store_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()
    with RunStore(store_path) as store:  # the next session finds the child gone
        run = store.get_run(run_id)
        assert store.get_run(earlier).status == "finished"
    assert run.status == "interrupted" and "ended unexpectedly" in run.message
    assert run.checkpoint and 1 <= load_checkpoint(run.checkpoint)["epoch"] <= after_epochs
    result = cli("resume", run_id, "--no-progress")
    assert_clean(result, 0, f"run {run_id} finished")
    with RunStore(store_path) as store:
        run = store.get_run(run_id)
        epochs = [p.epoch for p in store.metrics(run_id, "test_accuracy")]
    assert run.status == "finished" and run.epoch == KILL_EPOCHS
    assert epochs == [float(e) for e in range(1, KILL_EPOCHS + 1)]  # every epoch once, none lost or doubled
