"""Training in a child process: the window's runs train exactly as the CLI does, on a main thread.

PyTorch's CPU kernels run markedly slower on a secondary thread of a busy process (the OpenMP pool
of a non-main thread competes with the GUI thread and with itself), so the window's worker thread
does not train: it starts :func:`child_main` in a child process and relays its events. The child
writes the run store itself (SQLite in WAL mode takes a second writer), checkpoints as usual, and
obeys the parent's stop / pause / discard through shared ``multiprocessing`` events
(:class:`engines.core.control.RunControl`). If the parent disappears, the child stops at the next
batch with a checkpoint, so no result is lost.

Children come from a fork server that has imported torch and the engines once, so a run starts
in a fraction of a second instead of re-importing torch; where there is no fork server (Windows,
frozen bundles) they are spawned.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from typing import Any

STEP_BATCH_SECONDS = 0.2  # the window shows them at its own refresh rate (Settings.plot_refresh_hz)
# The child trains at a lower CPU priority than the window: when every core is busy with training, the GUI
# thread preempts it as soon as it has something to draw or answer instead of waiting for the scheduler to
# rotate it in (a 10 ms timer was 30–45 ms late at p99 on 2 cores). Alone on the machine it still gets every
# core, so a run trains as fast as from the command line.
CHILD_NICENESS = 10
PRELOAD = ["torch", "engines.core.tasks", "engines.models", "engines.core.data", "workbench.runner"]
_CONTEXT = None


def enabled() -> bool:
    """Whether the window trains in a child process (``WORKBENCH_TRAIN_PROCESS=0`` trains on the thread)."""
    return os.environ.get("WORKBENCH_TRAIN_PROCESS", "1").strip().lower() not in ("0", "false", "no", "off")


def context():
    """The multiprocessing context for training children (created once)."""
    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(sys, "frozen", False):
            _CONTEXT = multiprocessing.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(PRELOAD)
        else:
            _CONTEXT = multiprocessing.get_context("spawn")
    return _CONTEXT


def new_events() -> tuple:
    """(stop, running, discard) events a :class:`RunControl` in either process can flip."""
    ctx = context()
    stop, running, discard = ctx.Event(), ctx.Event(), ctx.Event()
    running.set()
    return stop, running, discard


def child_environment() -> dict[str, str]:
    """What the child must see of this process's environment (the fork server's may be older)."""
    from workbench import paths

    env = dict(os.environ)
    env["WORKBENCH_HOME"] = str(paths.home())
    return env


def lower_priority(niceness: int | None = None) -> bool:
    """Lower this process's CPU priority by ``niceness`` (Unix ``nice``; default ``$WORKBENCH_TRAIN_NICE`` or
    :data:`CHILD_NICENESS`); False where it cannot be done or 0 was asked."""
    if niceness is None:
        try:
            niceness = int(os.environ.get("WORKBENCH_TRAIN_NICE", CHILD_NICENESS))
        except ValueError:
            niceness = CHILD_NICENESS
    if niceness <= 0 or not hasattr(os, "nice"):
        return False
    try:
        os.nice(niceness)
    except OSError:
        return False
    return True


def child_main(conn, payload: dict[str, Any]) -> None:
    """Entry point of the training child: run the session, send every event, then the outcome."""
    import signal

    os.environ.clear()
    os.environ.update(payload["env"])
    try:  # Ctrl+C in the terminal reaches the whole process group; the parent decides what stops
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):
        pass
    lower_priority()

    from engines.core.control import RunControl
    from workbench.runner import TrainingSession
    from workbench.store import RunStore

    control = RunControl(events=payload["events"])
    parent_gone = False

    def send(message) -> None:
        nonlocal parent_gone
        if parent_gone:
            return
        try:
            conn.send(message)
        except (BrokenPipeError, EOFError, OSError):
            parent_gone = True  # the window is gone: stop at the next batch, keeping a checkpoint
            control.request_stop()

    store = None
    try:
        store = RunStore(payload["store_path"], recover=False)
        session = TrainingSession(payload["config"], store=store, run_id=payload["run_id"],
                                  resume=payload["resume"], control=control)
        from engines.core.events import StepDone

        steps: list = []
        last_sent = time.monotonic()
        for event in session.events():
            # Step events travel in batches (≤ 5 a second; the window shows them at its refresh rate): one
            # message per step would wake the window's process ~200 times a second on a busy CPU.
            if isinstance(event, StepDone):
                steps.append(event)
                if time.monotonic() - last_sent < STEP_BATCH_SECONDS:
                    continue
            if steps:  # the batch so far, before any other event, so the order is kept
                send(("events", steps))
                steps = []
                last_sent = time.monotonic()
            if not isinstance(event, StepDone):
                send(("event", event))
        if steps:
            send(("events", steps))
        if parent_gone and session.outcome is not None and session.outcome.status == "stopped":
            store.set_status(payload["run_id"], "interrupted", "the window closed unexpectedly during the run")
        send(("outcome", session.outcome.to_json() if session.outcome else {}))
    except BaseException as exc:  # reported to the parent, which shows it and records the run
        from workbench.store import StoreError

        # A StoreError names its file and says what went wrong (a full disk, a read-only store) already.
        send(("error", str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"))
    finally:
        if store is not None:
            store.close()
        try:
            conn.close()
        except OSError:
            pass


def start(config, *, store_path: str, run_id: int, resume: bool, events: tuple):
    """Start a training child; returns ``(process, connection)``."""
    ctx = context()
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    payload = {"config": config, "store_path": store_path, "run_id": run_id, "resume": resume,
               "events": events, "env": child_environment()}
    process = ctx.Process(target=child_main, args=(child_conn, payload), name=f"workbench-run-{run_id}",
                          daemon=False)
    process.start()
    child_conn.close()  # the parent keeps only its reading end: EOF when the child is gone
    return process, parent_conn
