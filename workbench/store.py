"""The run store: every run, its metric points and artifacts, in one SQLite file.

WAL mode lets the window read while a worker (or a headless ``workbench train``
in another process) writes. Runs left ``running`` (or ``queued``) by a process
that no longer exists are marked ``interrupted`` when the store is opened.

Paths of files inside the folder that holds the store (the workbench home) are
stored relative to it and read back as absolute paths, so a moved or copied home
keeps finding its own checkpoints. A store in a read-only folder is opened
read-only: it can be read, and every write raises :class:`StoreError`.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import socket
import sqlite3
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from workbench import __version__

SCHEMA_VERSION = 1

ACTIVE_STATUSES = ("running", "paused")
STATUSES = ("queued", "running", "paused", "finished", "stopped", "interrupted", "diverged", "failed", "cancelled")
RESUMABLE_STATUSES = ("stopped", "interrupted")

OPEN_TIMEOUT_SECONDS = 30.0  # how long an open waits for another process creating or upgrading the store
QUEUED_ORPHAN_MESSAGE = "the process that queued it ended before it started"


class StoreError(RuntimeError):
    pass


class UnknownRun(StoreError, KeyError):
    def __init__(self, run_id: Any):
        super().__init__(f"no run with id {run_id!r}")
        self.run_id = run_id

    def __str__(self) -> str:
        return self.args[0]


# Each entry upgrades the schema from version i to i + 1. They run inside one BEGIN IMMEDIATE transaction that
# re-reads the version after taking the lock (see RunStore._migrate); IF NOT EXISTS keeps them harmless anyway.
_MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS runs (
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
    CREATE TABLE IF NOT EXISTS metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch REAL NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        wall_time REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS metrics_run_name ON metrics(run_id, name, step);
    CREATE TABLE IF NOT EXISTS artifacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS artifacts_run ON artifacts(run_id);
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
    damaged: tuple[str, ...] = ()
    """Stored fields that could not be read (``config``, ``summary``, ``tags``): they read as empty and
    :attr:`message` says so. One damaged row costs that row only."""

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
    except (OverflowError, ValueError):  # a damaged pid column
        return False
    return True


# SQLite's primary result codes (the low byte of sqlite3.Error.sqlite_errorcode).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 8, 10, 13, 14
LOW_SPACE_BYTES = 256 << 10  # less free space than this, and a failed write is put down to a full disk


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_busy(exc: BaseException) -> bool:
    code = _sqlite_code(exc)
    if code is not None:
        return code in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text or "busy" in text


def _low_space(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def _inside(path: str, base: str) -> bool:
    try:
        return os.path.commonpath([path, base]) == base
    except ValueError:  # another drive, or a mix of absolute and relative paths
        return False


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a write that failed for want of space (an ``OSError`` with ``ENOSPC``/``EDQUOT``)."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class RunStore:
    """Thread-safe access to the SQLite run store (one connection guarded by a lock).

    Every SQLite error leaves as a :class:`StoreError` that names the store file (a full disk, a read-only
    store, a lock held too long), so callers print one line instead of a traceback.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, recover: bool = True) -> None:
        if path is None:
            from workbench.paths import store_path

            path = store_path()
        self.path = Path(path)
        # The folder holding the store is the workbench home: paths inside it are stored relative to it.
        self.home = Path(os.path.abspath(self.path.parent))
        self.read_only = False
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder {folder} for the run store: "
                             f"{exc.strerror or exc}") from exc
        try:
            if self.path.exists() and not (os.access(folder, os.W_OK) and os.access(self.path, os.W_OK)):
                self._open_read_only()
            else:
                self._open_writable()
        except sqlite3.Error as exc:
            self._close_quietly()
            raise self._error(exc, opening=True) from exc
        except BaseException:
            self._close_quietly()
            raise
        if recover and not self.read_only:
            self.mark_interrupted()

    # -- opening and the schema -------------------------------------------------------
    def _connect(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=OPEN_TIMEOUT_SECONDS, check_same_thread=False,
                               isolation_level=None, uri=uri)
        conn.row_factory = sqlite3.Row
        return conn

    def _open_writable(self) -> None:
        """Open (creating it if need be) with WAL and the current schema.

        Several processes may open a new store at the same moment (the window and a ``workbench train``).
        Switching a new file to WAL can answer "database is locked" at once, without waiting for the busy
        timeout, so the open is retried with a growing, jittered pause until :data:`OPEN_TIMEOUT_SECONDS`.
        """
        deadline = time.monotonic() + OPEN_TIMEOUT_SECONDS
        pause = 0.005
        while True:
            try:
                self._conn = self._connect(str(self.path))
                if str(self._conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                self._close_quietly()
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(pause * (1.0 + random.random()))
            pause = min(pause * 2.0, 0.25)

    def _open_read_only(self) -> None:
        """Open a store whose file or folder cannot be written: reading works, writing raises StoreError."""
        quoted = urllib.parse.quote(os.path.abspath(self.path))
        failure: sqlite3.Error | None = None
        # A WAL store needs its -shm file beside it; where the folder is read-only and the file is missing,
        # only an immutable open can read it (nothing can write in such a folder meanwhile).
        for options in ("mode=ro", "mode=ro&immutable=1"):
            try:
                self._conn = self._connect(f"file:{quoted}?{options}", uri=True)
                version = self._user_version()
                self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                break
            except sqlite3.OperationalError as exc:
                self._close_quietly()
                failure = exc
        else:
            assert failure is not None
            raise failure
        self.read_only = True
        self._check_version(version)
        if version < SCHEMA_VERSION:
            raise StoreError(f"the run store {self.path} is read-only and holds no run table "
                             f"(schema version {version})")

    def _user_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"run store {self.path} has schema version {version}; "
                f"this version of the workbench reads up to {SCHEMA_VERSION}"
            )

    def _migrate(self) -> None:
        with self._lock:
            version = self._user_version()
            self._check_version(version)
            if version == SCHEMA_VERSION:
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                # Read again under the write lock: another process may have made the schema while this one
                # waited for it (the race that made "table runs already exists").
                version = self._user_version()
                self._check_version(version)
                while version < SCHEMA_VERSION:
                    for statement in _MIGRATIONS[version].split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                    version += 1
                self._conn.execute(f"PRAGMA user_version = {version}")
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolled back itself (after SQLITE_FULL, for one)

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    @property
    def schema_version(self) -> int:
        with self._sql(write=False):
            return self._user_version()

    def close(self) -> None:
        with self._lock:
            self._close_quietly()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- errors ---------------------------------------------------------------------
    def read_only_error(self) -> StoreError:
        return StoreError(f"the run store {self.path} is read-only: runs can be listed and shown, "
                          f"but this session cannot record runs")

    def _error(self, exc: sqlite3.Error, *, opening: bool = False) -> StoreError:
        """``exc`` as one line that names the store file and says what went wrong."""
        code, text = _sqlite_code(exc), str(exc)
        folder = self.path.parent
        if code == _SQLITE_FULL or "disk is full" in text or (
                (code == _SQLITE_IOERR or "disk I/O error" in text) and _low_space(folder)):
            return StoreError(f"no space left on device while writing the run store {self.path}")
        if code == _SQLITE_READONLY or "readonly database" in text:
            return self.read_only_error()
        if _is_busy(exc):
            return StoreError(f"the run store {self.path} is locked by another process "
                              f"(waited {OPEN_TIMEOUT_SECONDS:.0f} s)")
        if code == _SQLITE_CANTOPEN and not self.path.exists() and not os.access(folder, os.W_OK):
            return StoreError(f"cannot create the run store {self.path}: the folder {folder} is read-only")
        return StoreError(f"{'cannot open run store' if opening else 'run store'} {self.path}: {text}")

    @contextlib.contextmanager
    def _sql(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; SQLite errors leave as StoreError, writes to a read-only store too."""
        if write and self.read_only:
            raise self.read_only_error()
        with self._lock:
            if self._conn is None:
                raise StoreError(f"the run store {self.path} is closed")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                self._rollback()
                raise self._error(exc) from exc
            except BaseException:  # no transaction is left open (add_metrics' BEGIN … COMMIT)
                self._rollback()
                raise

    # -- paths ----------------------------------------------------------------------
    def _stored_path(self, path: str | os.PathLike) -> str:
        """``path`` relative to the home when it lies inside it (so a moved or copied home finds its own files)."""
        absolute = os.path.abspath(os.fspath(path))
        home = str(self.home)
        for base, candidate in ((home, absolute), (os.path.realpath(home), os.path.realpath(absolute))):
            if candidate != base and _inside(candidate, base):
                return os.path.relpath(candidate, base)
        return absolute

    def _read_path(self, stored: str | None, run_id: int) -> str | None:
        """The absolute path of a stored one; ``stored`` may be relative to the home or, in rows written by older
        versions, absolute."""
        if not stored:
            return stored
        if not os.path.isabs(stored):
            return os.path.join(self.home, stored)
        if not _inside(stored, str(self.home)):
            # An absolute path into another home's runs/<id>/ (this home was copied or moved): the same file
            # of this home wins, so a copy never reads or resumes from the original's files.
            from workbench.paths import RUNS_FOLDER

            parts = Path(stored).parts
            for i in range(len(parts) - 2, 0, -1):
                if parts[i] == RUNS_FOLDER and parts[i + 1] == str(run_id):
                    own = self.home.joinpath(*parts[i:])
                    if own.exists():
                        return str(own)
                    break
        return stored

    # -- runs -----------------------------------------------------------------
    def create_run(self, *, task: str, model: str, dataset: str, config: dict[str, Any],
                   seed: int | None = None, device: str | None = None, status: str = "queued",
                   name: str = "", world_size: int = 1, tags: Sequence[str] = ()) -> int:
        with self._sql(write=True) as conn:
            cur = conn.execute(
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
            elif key == "checkpoint" and value is not None:
                value = self._stored_path(value)
            values.append(value)
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self._sql(write=True) as conn:
            cur = conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*values, run_id))
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

    _RECORD_FIELDS = ("status", "message", "started_at", "finished_at", "pid", "host", "epoch", "step")

    def record(self, run_id: int) -> dict[str, Any]:
        """The run's stored status, position and process fields as they are, for :meth:`update_run` to put
        back (a resume that fails before it starts leaves the run as it was)."""
        with self._sql(write=False) as conn:
            row = conn.execute(f"SELECT {', '.join(self._RECORD_FIELDS)} FROM runs WHERE id = ?",
                               (run_id,)).fetchone()
        if row is None:
            raise UnknownRun(run_id)
        return dict(row)

    def get_run(self, run_id: int) -> Run:
        with self._sql(write=False) as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
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
        with self._sql(write=False) as conn:
            rows = conn.execute(f"SELECT * FROM runs {where} ORDER BY id", args).fetchall()
        return [self._row_to_run(r) for r in rows]

    def delete_run(self, run_id: int) -> None:
        with self._sql(write=True) as conn:
            cur = conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        if cur.rowcount == 0:
            raise UnknownRun(run_id)

    def mark_interrupted(self) -> list[int]:
        """Runs left by a process that is gone become ``interrupted``; returns their ids.

        Running and paused runs count as gone when their process is not alive on this host (one on another
        host cannot be asked). Queued runs only when the process that queued them was on this host and is
        gone: the window queues runs that wait for a while, and its training child claims them.
        """
        if self.read_only:
            return []
        host = socket.gethostname()
        now = time.time()
        statuses = (*ACTIVE_STATUSES, "queued")
        stale = []
        with self._sql(write=True) as conn:
            rows = conn.execute(
                f"SELECT id, status, pid, host FROM runs WHERE status IN ({','.join('?' * len(statuses))})",
                statuses,
            ).fetchall()
            for row in rows:
                local = row["host"] == host and row["pid"] is not None
                if local and _pid_alive(row["pid"]):
                    continue
                if row["status"] == "queued":
                    if not local:
                        continue
                    message = QUEUED_ORPHAN_MESSAGE
                else:
                    message = "the process running it ended unexpectedly"
                # Only if nobody claimed the run since it was read (a training child takes queued runs).
                cur = conn.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?),"
                    " message = ? WHERE id = ? AND status = ? AND pid IS ?",
                    (now, message, row["id"], row["status"], row["pid"]),
                )
                if cur.rowcount:
                    stale.append(row["id"])
        return stale

    def _row_to_run(self, row: sqlite3.Row) -> Run:
        data = dict(row)
        damaged, notes = [], []
        for name, kind, empty in (("config", dict, None), ("summary", dict, "{}"), ("tags", list, "[]")):
            raw = data[name]
            if empty is not None and not raw:
                raw = empty
            try:
                value = json.loads(raw)
                why = "" if isinstance(value, kind) else f"not a JSON {'object' if kind is dict else 'list'}"
            except (TypeError, ValueError):
                value, why = None, "not JSON"
            if name == "summary" and not why and not isinstance(value.get("metrics", {}), dict):
                why = "its metrics are not a JSON object"
            if why:
                damaged.append(name)
                notes.append(f"stored {name} is damaged ({why})")
                value = kind()
            data[name] = value
        if notes:
            data["message"] = "; ".join([data["message"], *notes] if data["message"] else notes)
        data["checkpoint"] = self._read_path(data["checkpoint"], data["id"])
        return Run(**data, damaged=tuple(damaged))

    # -- metrics and artifacts -----------------------------------------------
    def add_metrics(self, run_id: int, points: Iterable[tuple[int, float, str, float, float]]) -> None:
        points = list(points)
        if not points:
            return
        with self._sql(write=True) as conn:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO metrics (run_id, step, epoch, name, value, wall_time) VALUES (?,?,?,?,?,?)",
                [(run_id, *p) for p in points],
            )
            conn.execute("COMMIT")

    def metrics(self, run_id: int, name: str | None = None) -> list[MetricPoint]:
        sql = "SELECT step, epoch, name, value, wall_time FROM metrics WHERE run_id = ?"
        args: list[Any] = [run_id]
        if name is not None:
            sql += " AND name = ?"
            args.append(name)
        sql += " ORDER BY rowid"
        with self._sql(write=False) as conn:
            rows = conn.execute(sql, args).fetchall()
        return [MetricPoint(*r) for r in rows]

    def metric_names(self, run_id: int) -> list[str]:
        with self._sql(write=False) as conn:
            rows = conn.execute(
                "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name", (run_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def truncate_metrics(self, run_id: int, after_step: int) -> None:
        """Drop points recorded after ``after_step`` (a resume replays them from the checkpoint)."""
        with self._sql(write=True) as conn:
            conn.execute("DELETE FROM metrics WHERE run_id = ? AND step > ?", (run_id, after_step))

    def add_artifact(self, run_id: int, kind: str, path: str) -> None:
        stored = self._stored_path(path)
        with self._sql(write=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?", (run_id, kind, stored)
            ).fetchone()
            if not exists:
                conn.execute(
                    "INSERT INTO artifacts (run_id, kind, path, created_at) VALUES (?,?,?,?)",
                    (run_id, kind, stored, time.time()),
                )

    def artifacts(self, run_id: int) -> list[tuple[str, str]]:
        with self._sql(write=False) as conn:
            rows = conn.execute(
                "SELECT kind, path FROM artifacts WHERE run_id = ? ORDER BY id", (run_id,)
            ).fetchall()
        return [(r[0], self._read_path(r[1], run_id)) for r in rows]
