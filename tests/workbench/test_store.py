import os
import sqlite3
import subprocess
import sys
import time

import pytest

from workbench.store import SCHEMA_VERSION, RunStore, StoreError, UnknownRun


def _new_run(store, **kw):
    values = dict(task="classify", model="small_cnn", dataset="digits", config={"epochs": 2}, seed=0)
    values.update(kw)
    return store.create_run(**values)


def test_runs_metrics_and_artifacts(tmp_path):
    with RunStore(tmp_path / "s.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION
        mode = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        run_id = _new_run(store, name="first", tags=["baseline"])
        store.claim_run(run_id)
        store.add_metrics(run_id, [(1, 0.1, "loss", 2.0, 1.0), (2, 0.2, "loss", 1.5, 2.0)])
        store.add_artifact(run_id, "checkpoint", "/x/last.pt")
        store.add_artifact(run_id, "checkpoint", "/x/last.pt")
        store.set_status(run_id, "finished")
        run = store.get_run(run_id)
        assert run.status == "finished" and run.finished_at and run.tags == ["baseline"]
        assert [p.value for p in store.metrics(run_id, "loss")] == [2.0, 1.5]
        assert store.artifacts(run_id) == [("checkpoint", "/x/last.pt")]
        assert [r.id for r in store.list_runs(search="first")] == [run_id]
        assert store.list_runs(status="running") == []
        store.truncate_metrics(run_id, after_step=1)
        assert len(store.metrics(run_id)) == 1
        store.delete_run(run_id)
        with pytest.raises(UnknownRun):
            store.get_run(run_id)
        assert store.metrics(run_id) == []


def test_runs_of_dead_processes_become_interrupted(tmp_path):
    path = tmp_path / "s.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    with RunStore(path) as store:
        dead = _new_run(store)
        alive = _new_run(store)
        mine = _new_run(store)
        store.claim_run(mine)
        store.claim_run(dead)
        store.claim_run(alive)
        store.update_run(alive, pid=proc.pid)
        store.update_run(dead, pid=2**22 + 12345)  # beyond pid_max: no such process
    with RunStore(path) as store:
        assert store.get_run(dead).status == "interrupted"
        assert store.get_run(alive).status == "running"
        assert store.get_run(mine).status == "running"  # this process is alive
    proc.kill()
    proc.wait()
    with RunStore(path) as store:
        assert store.get_run(alive).status == "interrupted"


def test_newer_schema_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "s.sqlite3"
    RunStore(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="schema version"):
        RunStore(path)


def test_corrupt_store_file_is_a_store_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="s.sqlite3"):
        RunStore(path)


def _wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


@pytest.mark.slow
def test_killed_training_process_leaves_run_interrupted_and_points_intact(workbench_home):
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "workbench", "train", "--epochs", "50", "--batch-size", "16",
           "--set", "width=8", "--no-progress"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store_path = workbench_home / "runs.sqlite3"
    try:
        def epoch_recorded():
            if not store_path.exists():
                return None
            with RunStore(store_path, recover=False) as s:
                runs = s.list_runs()
                # An epoch recorded and its checkpoint written (the checkpoint follows the epoch's metrics).
                if runs and runs[0].checkpoint and s.metrics(runs[0].id, "test_accuracy"):
                    return runs[0].id, len(s.metrics(runs[0].id))
            return None

        run_id, points_seen = _wait_for(epoch_recorded)
    finally:
        proc.kill()
        proc.wait()
    with RunStore(store_path) as store:
        run = store.get_run(run_id)
        assert run.status == "interrupted"
        assert len(store.metrics(run_id)) >= points_seen
        assert run.checkpoint and os.path.exists(run.checkpoint)
    from engines.core.checkpoint import load_checkpoint

    target = load_checkpoint(run.checkpoint)["epoch"] + 1
    # and it can be resumed from its last checkpoint to the end
    result = subprocess.run([sys.executable, "-m", "workbench", "resume", str(run_id), "--epochs", str(target),
                             "--json"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with RunStore(store_path) as store:
        run = store.get_run(run_id)
        assert run.status == "finished" and run.epoch == target
        epochs = [p.epoch for p in store.metrics(run_id, "test_accuracy")]
        assert epochs == sorted(set(epochs))  # no duplicated epoch points after the resume


def test_paths_inside_the_home_are_stored_relative_and_read_back_absolute(tmp_path):
    path = tmp_path / "s.sqlite3"
    inside = tmp_path / "runs" / "1" / "checkpoints" / "last.pt"
    with RunStore(path) as store:
        run_id = _new_run(store)
        store.update_run(run_id, checkpoint=str(inside))
        store.add_artifact(run_id, "checkpoint", str(inside))
        store.add_artifact(run_id, "checkpoint", str(inside))
        store.add_artifact(run_id, "source", "/elsewhere/weights.pth")
        assert store.get_run(run_id).checkpoint == str(inside)
        assert store.artifacts(run_id) == [("checkpoint", str(inside)), ("source", "/elsewhere/weights.pth")]
    con = sqlite3.connect(path)
    assert con.execute("SELECT checkpoint FROM runs").fetchone()[0] == os.path.join("runs", "1", "checkpoints",
                                                                                      "last.pt")
    con.close()


def test_a_write_to_a_store_opened_read_only_is_a_store_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    with RunStore(path) as store:
        run_id = _new_run(store)
    with RunStore(path) as store:
        store.read_only = True  # as opened in a read-only home (the battery mounts one)
        assert store.get_run(run_id).status == "queued"
        with pytest.raises(StoreError, match="is read-only.*cannot record runs"):
            store.set_status(run_id, "finished")
