"""The run store: every run, its metric points and artifacts, in one SQLite file.

WAL mode lets the window read while a worker (or a headless ``workbench train``
in another process) writes. Runs left ``running`` by a process that no longer
exists are marked ``interrupted`` when the store is opened.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from workbench import __version__

SCHEMA_VERSION = 1

ACTIVE_STATUSES = ("running", "paused")
STATUSES = ("queued", "running", "paused", "finished", "stopped", "interrupted", "diverged", "failed", "cancelled")
RESUMABLE_STATUSES = ("stopped", "interrupted")


class StoreError(RuntimeError):
    pass


class UnknownRun(StoreError, KeyError):
    def __init__(self, run_id: Any):
        super().__init__(f"no run with id {run_id!r}")
        self.run_id = run_id

    def __str__(self) -> str:
        return self.args[0]


# Each entry upgrades the schema from version i to i + 1.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL DEFAULT '',
        task TEXT NOT NULL,
        model TEXT NOT NULL,
        dataset TEXT NOT NULL,
        config TEXT NOT NULL,
        status TEXT NOT NULL,
        seed INTEGER,
        device TEXT,
        world_size INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        app_version TEXT NOT NULL,
        params INTEGER,
        flops INTEGER,
        epoch INTEGER NOT NULL DEFAULT 0,
        step INTEGER NOT NULL DEFAULT 0,
        summary TEXT NOT NULL DEFAULT '{}',
        message TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        checkpoint TEXT,
        pid INTEGER,
        host TEXT
    );
    CREATE TABLE metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch REAL NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        wall_time REAL NOT NULL
    );
    CREATE INDEX metrics_run_name ON metrics(run_id, name, step);
    CREATE TABLE artifacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX artifacts_run ON artifacts(run_id);
    """,
]


@dataclass
class Run:
    id: int
    name: str
    task: str
    model: str
    dataset: str
    config: dict[str, Any]
    status: str
    seed: int | None
    device: str | None
    world_size: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    app_version: str
    params: int | None
    flops: int | None
    epoch: int
    step: int
    summary: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    tags: list[str] = field(default_factory=list)
    checkpoint: str | None = None
    pid: int | None = None
    host: str | None = None

    @property
    def title(self) -> str:
        return self.name or f"#{self.id} {self.model} · {self.dataset}"

    @property
    def metrics(self) -> dict[str, float]:
        return dict(self.summary.get("metrics", {}))

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or time.time()
        return max(0.0, end - self.started_at)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"seconds": self.seconds}


@dataclass(frozen=True)
class MetricPoint:
    step: int
    epoch: float
    name: str
    value: float
    wall_time: float


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """Thread-safe access to the SQLite run store (one connection guarded by a lock)."""

    def __init__(self, path: str | os.PathLike | None = None, *, recover: bool = True) -> None:
        if path is None:
            from workbench.paths import store_path

            path = store_path()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False,
                                         isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open run store {self.path}: {exc}") from exc
        if recover:
            self.mark_interrupted()

    # -- schema ---------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"run store {self.path} has schema version {version}; "
                    f"this version of the workbench reads up to {SCHEMA_VERSION}"
                )
            while version < SCHEMA_VERSION:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _MIGRATIONS[version].split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                    version += 1
                    self._conn.execute(f"PRAGMA user_version = {version}")
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs -----------------------------------------------------------------
    def create_run(self, *, task: str, model: str, dataset: str, config: dict[str, Any],
                   seed: int | None = None, device: str | None = None, status: str = "queued",
                   name: str = "", world_size: int = 1, tags: Sequence[str] = ()) -> int:
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO runs (name, task, model, dataset, config, status, seed, device, world_size,"
                " created_at, app_version, tags, pid, host) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (name, task, model, dataset, json.dumps(config, sort_keys=True), status, seed, device,
                 world_size, time.time(), __version__, json.dumps(list(tags)), os.getpid(),
                 socket.gethostname()),
            )
            return int(cur.lastrowid)

    _UPDATABLE = {"name", "status", "device", "world_size", "started_at", "finished_at", "params", "flops",
                  "epoch", "step", "summary", "message", "tags", "checkpoint", "pid", "host", "config"}

    def update_run(self, run_id: int, **fields: Any) -> None:
        unknown = set(fields) - self._UPDATABLE
        if unknown:
            raise ValueError(f"cannot update run field(s): {', '.join(sorted(unknown))}")
        if not fields:
            return
        values = []
        for key, value in fields.items():
            if key in ("summary", "tags", "config"):
                value = json.dumps(value, sort_keys=True)
            values.append(value)
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self._lock:
            cur = self._conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values, run_id))
            if cur.rowcount == 0:
                raise UnknownRun(run_id)

    def claim_run(self, run_id: int) -> None:
        """Mark a run as running in this process (for crash detection)."""
        self.update_run(run_id, status="running", pid=os.getpid(), host=socket.gethostname(),
                        message="", finished_at=None)

    def set_status(self, run_id: int, status: str, message: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        fields: dict[str, Any] = {"status": status, "message": message}
        if status not in ACTIVE_STATUSES and status != "queued":
            fields["finished_at"] = time.time()
        self.update_run(run_id, **fields)

    def get_run(self, run_id: int) -> Run:
        with self._lock:
            row = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise UnknownRun(run_id)
        return self._row_to_run(row)

    def list_runs(self, *, task: str | None = None, status: str | None = None, model: str | None = None,
                  search: str | None = None) -> list[Run]:
        clauses, args = [], []
        for column, value in (("task", task), ("status", status), ("model", model)):
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        if search:
            clauses.append("(name LIKE ? OR model LIKE ? OR dataset LIKE ? OR task LIKE ? OR tags LIKE ?"
                           " OR CAST(id AS TEXT) = ?)")
            like = f"%{search}%"
            args.extend([like, like, like, like, like, search.lstrip("#")])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._conn.execute(f"SELECT * FROM runs {where} ORDER BY id", args).fetchall()
        return [self._row_to_run(r) for r in rows]

    def delete_run(self, run_id: int) -> None:
        with self._lock:
            cur = self._conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        if cur.rowcount == 0:
            raise UnknownRun(run_id)

    def mark_interrupted(self) -> list[int]:
        """Runs marked running by a process that is gone become ``interrupted``."""
        host = socket.gethostname()
        stale = []
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, pid, host FROM runs WHERE status IN ({','.join('?' * len(ACTIVE_STATUSES))})",
                ACTIVE_STATUSES,
            ).fetchall()
            for row in rows:
                if row["host"] == host and row["pid"] is not None and _pid_alive(row["pid"]):
                    continue
                stale.append(row["id"])
            for run_id in stale:
                self._conn.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?),"
                    " message = ? WHERE id = ?",
                    (time.time(), "the process running it ended unexpectedly", run_id),
                )
        return stale

    @staticmethod
    def _row_to_run(row: sqlite3.Row) -> Run:
        data = dict(row)
        data["config"] = json.loads(data["config"])
        data["summary"] = json.loads(data["summary"] or "{}")
        data["tags"] = json.loads(data["tags"] or "[]")
        return Run(**data)

    # -- metrics and artifacts -----------------------------------------------
    def add_metrics(self, run_id: int, points: Iterable[tuple[int, float, str, float, float]]) -> None:
        points = list(points)
        if not points:
            return
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(
                    "INSERT INTO metrics (run_id, step, epoch, name, value, wall_time) VALUES (?,?,?,?,?,?)",
                    [(run_id, *p) for p in points],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def metrics(self, run_id: int, name: str | None = None) -> list[MetricPoint]:
        sql = "SELECT step, epoch, name, value, wall_time FROM metrics WHERE run_id = ?"
        args: list[Any] = [run_id]
        if name is not None:
            sql += " AND name = ?"
            args.append(name)
        sql += " ORDER BY rowid"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [MetricPoint(*r) for r in rows]

    def metric_names(self, run_id: int) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name", (run_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def truncate_metrics(self, run_id: int, after_step: int) -> None:
        """Drop points recorded after ``after_step`` (a resume replays them from the checkpoint)."""
        with self._lock:
            self._conn.execute("DELETE FROM metrics WHERE run_id = ? AND step > ?", (run_id, after_step))

    def add_artifact(self, run_id: int, kind: str, path: str) -> None:
        with self._lock:
            exists = self._conn.execute(
                "SELECT 1 FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?", (run_id, kind, path)
            ).fetchone()
            if not exists:
                self._conn.execute(
                    "INSERT INTO artifacts (run_id, kind, path, created_at) VALUES (?,?,?,?)",
                    (run_id, kind, path, time.time()),
                )

    def artifacts(self, run_id: int) -> list[tuple[str, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        return [(r[0], r[1]) for r in rows]
