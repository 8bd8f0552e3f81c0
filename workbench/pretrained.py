"""Shipped pretrained models: the manifest, sha256 checks, loading, installing as runs, shipping a run.

``assets/weights/manifest.json`` lists models this project trained with its own ``workbench train`` commands
(never the authors' files). Each entry names its weights file (a workbench checkpoint: ``model_spec``, the
state dict in fp32 — or fp16, then gzip-compressed, where fp32 would not fit the 10 MB limit, see ``dtype`` — the config, and a fresh
optimizer state so an installed run can be fine-tuned), its sha256, and how it was made: model, config, dataset, seed, epochs, the exact command and
its evaluation numbers.

A file is checked against the manifest's sha256 before anything reads it, and read with
``torch.load(..., weights_only=True)`` (``engines.core.checkpoint``), so a tampered or truncated file is refused
with a message naming it and no code from it ever runs.

Installing an entry records it as an ordinary finished run (tag ``pretrained``, weights copied to
``runs/<id>/checkpoints/last.pt``), so every lab that lists runs from the store offers it with no
lab-specific code. The window installs what is missing when its engines load (:func:`install_missing`);
a run the user deletes is not installed again (``pretrained.json`` in the workbench home remembers), and
``WORKBENCH_PRETRAINED=off`` turns that off (the test-suite does, except where a test wants it).

Nothing here imports torch at module level: listing reads two small files; installing loads each file once
(through the same safe reader) before recording it, so a file that matches its sha256 but cannot serve as a
model is refused instead of becoming a run that fails later.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from engines.core.files import sha256_of
from workbench import paths

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
PRETRAINED_TAG = "pretrained"
ENV_AUTO_INSTALL = "WORKBENCH_PRETRAINED"  # "off" / "0": the window does not install shipped models
MAX_SHIPPED_BYTES = 10_000_000  # 10 MB per shipped file
_INSTALLED_MARKER = "pretrained.json"


class PretrainedError(ValueError):
    """A manifest entry is unknown, its file is missing, or its sha256 does not match; the message says which."""


class PretrainedWriteError(PretrainedError):
    """A weights folder or a run's folder cannot be written (read-only, full, not a folder)."""


@dataclass(frozen=True)
class Entry:
    """One shipped model, as its manifest entry describes it."""

    name: str
    file: str
    sha256: str
    task: str
    model: str
    dataset: str
    config: dict[str, Any]
    seed: int
    epochs: int
    command: str
    evaluation: dict[str, float] = field(default_factory=dict)
    title: str = ""
    dtype: str = "float32"
    bytes: int = 0
    params: int | None = None
    flops: int | None = None
    source_run: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    history: dict[str, Any] = field(default_factory=dict)
    """The metric points of the training that made the file (:func:`history_of`): ``{"columns": [...],
    "points": [[step, epoch, name, value, seconds since the start], ...]}``; empty for entries shipped
    without one (installing then records the final evaluation only)."""
    directory: str = ""  # where the manifest was read from (not stored in it)

    @property
    def path(self) -> Path:
        return Path(self.directory) / self.file

    @property
    def label(self) -> str:
        return self.title or self.name

    @classmethod
    def from_json(cls, data: dict[str, Any], directory: Path) -> "Entry":
        known = {f for f in cls.__dataclass_fields__ if f != "directory"}
        missing = sorted({"name", "file", "sha256", "task", "model", "dataset", "config", "seed", "epochs",
                          "command"} - set(data))
        if missing:
            raise PretrainedError(f"{directory / MANIFEST_NAME}: entry {data.get('name', '?')!r} lacks "
                                  f"{', '.join(missing)}")
        return cls(**{k: v for k, v in data.items() if k in known}, directory=str(directory))

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "directory"}


# -- the manifest ------------------------------------------------------------------------------------------
def manifest_path(directory: str | os.PathLike | None = None) -> Path:
    return Path(directory) if directory is not None and Path(directory).suffix == ".json" \
        else Path(directory or paths.weights_dir()) / MANIFEST_NAME


def read_manifest(directory: str | os.PathLike | None = None) -> dict[str, Any]:
    """The manifest as stored (an empty one where the folder has none)."""
    path = manifest_path(directory)
    if not path.is_file():
        return {"format_version": MANIFEST_VERSION, "entries": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PretrainedError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise PretrainedError(f"{path} is not a weights manifest (no 'entries' list)")
    if data.get("format_version", 1) > MANIFEST_VERSION:
        raise PretrainedError(f"{path} has manifest format {data['format_version']}; "
                              f"this version reads up to {MANIFEST_VERSION}")
    return data


_ENTRIES_CACHE: dict[Path, tuple[tuple[int, ...], tuple[Entry, ...]]] = {}


def entries(directory: str | os.PathLike | None = None) -> list[Entry]:
    """The manifest's entries; read once per version of the file (the window asks at first paint and again when
    it installs, and a manifest with training histories takes tens of milliseconds to parse)."""
    path = manifest_path(directory)
    try:
        stat = path.stat()
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
    except OSError:
        stamp = None
    cached = _ENTRIES_CACHE.get(path)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return list(cached[1])
    found = tuple(Entry.from_json(item, path.parent) for item in read_manifest(directory)["entries"])
    if stamp is not None:
        _ENTRIES_CACHE[path] = (stamp, found)
    return list(found)


def get_entry(name: str, directory: str | os.PathLike | None = None) -> Entry:
    found = entries(directory)
    for entry in found:
        if entry.name == name:
            return entry
    names = ", ".join(e.name for e in found) or "none shipped"
    raise PretrainedError(f"no pretrained model {name!r}; available: {names}")


_SCALAR = r'(?:"(?:[^"\\]|\\.)*"|[-+\w.]+)'  # a JSON string, number, true/false/null
_SCALAR_ARRAY = re.compile(rf"\[\n\s*({_SCALAR}(?:,\n\s*{_SCALAR})*)\n\s*\]")


def _write_manifest(data: dict[str, Any], directory: Path) -> Path:
    path = manifest_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        text = json.dumps(data, indent=2, sort_keys=False)
        # Arrays of plain values (a history point, a list of tags) on one line each: a 400-point history reads
        # as 400 lines, not 2800. JSON strings hold no raw newlines, so only the layout changes.
        text = _SCALAR_ARRAY.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; shipped files are read by everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- checking and loading -----------------------------------------------------------------------------------
file_sha256 = sha256_of  # the one implementation: engines.core.files (imports no torch)


def verify(entry: Entry, path: str | os.PathLike | None = None) -> Path:
    """``path`` (default: the entry's file) if its sha256 is the manifest's; else :class:`PretrainedError`."""
    path = Path(path) if path is not None else entry.path
    if not path.is_file():  # stat only: a FIFO is never opened
        problem = "is missing" if not os.path.lexists(path) else "is not a regular file (a folder, a link loop, " \
                                                                 "a FIFO…)"
        raise PretrainedError(f"pretrained weights {entry.name!r}: file {path} {problem}")
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise PretrainedError(f"pretrained weights {entry.name!r}: cannot read {path} ({exc.strerror or exc})") \
            from None
    if actual != entry.sha256:
        raise PretrainedError(f"pretrained weights {entry.name!r}: {path} has sha256 {actual[:16]}…, the manifest "
                              f"says {entry.sha256[:16]}… — the file is damaged or was replaced; refusing to load it")
    return path


def load_check(entry: Entry, path: str | os.PathLike | None = None):
    """The model in ``path`` (default: the entry's file), rebuilt and loaded, or :class:`PretrainedError` saying
    why not: a pickle that would run code, a bomb, non-finite weights, a task or state that does not fit.

    Reading goes through ``engines.core.checkpoint`` (``weights_only=True``, gzip unpacked under a cap), so
    checking a hostile file runs none of its code.
    """
    from engines.core.checkpoint import CheckpointError, load_checkpoint
    from engines.models import build_model

    path = Path(path) if path is not None else entry.path
    where = f"pretrained weights {entry.name!r}: {path}"
    try:
        state = load_checkpoint(path)
        spec = state.get("model_spec")
        if not isinstance(spec, dict) or not isinstance(state.get("model"), dict):
            raise PretrainedError(f"{where} does not record which model it holds (no model_spec)")
        if state.get("task") not in (None, entry.task):
            raise PretrainedError(f"{where} holds a {state['task']!r} model; the manifest says {entry.task!r}")
        model = build_model(spec["name"], **spec.get("options", {}))
        model.load_state_dict(state["model"])
    except PretrainedError:
        raise
    except CheckpointError as exc:
        raise PretrainedError(f"pretrained weights {entry.name!r}: {exc}") from None
    except (KeyError, ValueError, TypeError, RuntimeError) as exc:  # model unknown, state does not fit it
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PretrainedError(f"{where}: the model cannot be rebuilt from it ({reason[:300]})") from None
    return model.float().eval()


def load_model(entry: Entry | str, *, map_location: str = "cpu"):
    """The entry's network in eval mode, fp32, after the sha256 check (``weights_only=True`` loading)."""
    from engines.models import load_trained_model

    entry = get_entry(entry) if isinstance(entry, str) else entry
    model = load_trained_model(verify(entry), map_location=map_location)
    return model.float().eval()


# -- installing as runs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Installed:
    name: str
    run_id: int
    created: bool  # False: the entry was installed already and that run is returned


def _open_store(store):
    from workbench.store import RunStore

    return (store, False) if store is not None else (RunStore(), True)


def installed_runs(store) -> dict[str, int]:
    """sha256 → run id of the pretrained runs in ``store``."""
    found: dict[str, int] = {}
    for run in store.list_runs(search=PRETRAINED_TAG):
        sha = (run.summary.get("pretrained") or {}).get("sha256")
        if PRETRAINED_TAG in run.tags and sha and run.status == "finished":
            found.setdefault(sha, run.id)
    return found


def install(entry: Entry | str, *, store=None, known: dict[str, int] | None = None) -> Installed:
    """Record ``entry`` as a finished run with a copy of its weights; a second call returns the same run.

    The file must match the manifest's sha256 and load (:func:`load_check`); otherwise nothing is recorded and
    :class:`PretrainedError` says why.
    """
    entry = get_entry(entry) if isinstance(entry, str) else entry
    store, own = _open_store(store)
    try:
        known = installed_runs(store) if known is None else known
        if entry.sha256 in known:
            return Installed(entry.name, known[entry.sha256], False)
        points = history_points(entry)  # a damaged history is refused before anything is recorded
        source = verify(entry)
        load_check(entry, source)  # a matching sha256 says the file is the one listed, not that it is usable
        run_id = store.create_run(task=entry.task, model=entry.model, dataset=entry.dataset,
                                  config=dict(entry.config), seed=entry.seed, device="cpu",
                                  name=f"{entry.label} (pretrained)", tags=(PRETRAINED_TAG,))
        try:
            checkpoint = paths.checkpoint_dir(run_id) / "last.pt"
            try:
                checkpoint.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, checkpoint)
            except OSError as exc:
                raise PretrainedWriteError(f"pretrained weights {entry.name!r}: cannot copy {source} to {checkpoint} "
                                      f"({exc.strerror or exc})") from None
            verify(entry, checkpoint)  # the copy, not only the source, is what the labs will load
            took = float(entry.source_run.get("seconds") or 0.0)
            now = time.time()
            started = now - took  # the curves' wall-clock axis spans the original training time
            store.add_metrics(run_id, [(step, epoch, name, value, started + offset)
                                       for step, epoch, name, value, offset in points])
            store.update_run(run_id, params=entry.params, flops=entry.flops, checkpoint=str(checkpoint),
                             epoch=entry.epochs, step=max((p[0] for p in points), default=0),
                             started_at=started, finished_at=now,
                             summary={"metrics": dict(entry.evaluation),
                                      "pretrained": {"name": entry.name, "sha256": entry.sha256,
                                                     "command": entry.command, "dtype": entry.dtype}})
            store.add_artifact(run_id, "checkpoint", str(checkpoint))
            store.add_artifact(run_id, "pretrained_weights", str(source))
            store.set_status(run_id, "finished")
        except BaseException:
            store.delete_run(run_id)
            shutil.rmtree(paths.run_dir(run_id), ignore_errors=True)
            raise
        known[entry.sha256] = run_id
        return Installed(entry.name, run_id, True)
    finally:
        if own:
            store.close()


HISTORY_COLUMNS = ["step", "epoch", "name", "value", "seconds"]


def history_of(store, run_id: int) -> dict[str, Any]:
    """The metric points a run recorded, in the manifest's compact form (seconds since the first point)."""
    points = store.metrics(run_id)
    if not points:
        return {}
    start = min(p.wall_time for p in points)
    return {"columns": list(HISTORY_COLUMNS),
            "points": [[int(p.step), float(p.epoch), str(p.name), float(p.value), round(p.wall_time - start, 3)]
                       for p in points]}


def history_points(entry: Entry) -> list[tuple[int, float, str, float, float]]:
    """(step, epoch, name, value, seconds) for each point of ``entry``'s history; a manifest that damages it
    is refused with a message, and an entry without one yields nothing."""
    history = entry.history or {}
    if not history:
        return []
    where = f"{manifest_path(entry.directory)}: entry {entry.name!r}: history"
    if history.get("columns") != HISTORY_COLUMNS or not isinstance(history.get("points"), list):
        raise PretrainedError(f"{where} is not a {', '.join(HISTORY_COLUMNS)} table")
    out = []
    for i, row in enumerate(history["points"]):
        try:
            step, epoch, name, value, seconds = row
            point = (int(step), float(epoch), str(name), float(value), float(seconds))
        except (TypeError, ValueError):
            raise PretrainedError(f"{where}: point {i} is not [step, epoch, name, value, seconds]") from None
        out.append(point)
    return out


# One installer at a time. Two that overlap both find an entry not yet installed and both record it: the window's
# preload thread installing the shipped models on a first launch while its GUI thread (a file dropped, a run
# started) did too gave every shipped model twice.
_INSTALL_THREAD_LOCK = threading.Lock()  # threads of this process
INSTALL_LOCK_WAIT_S = 120.0  # another process installing (a second window, `workbench pretrained install`)


@contextlib.contextmanager
def _install_lock():
    """Held by one installer at a time: a thread lock, and a file lock in the home for other processes (the
    well-kept ``filelock`` package, which PyTorch already depends on). Yields False when another process held it
    past :data:`INSTALL_LOCK_WAIT_S`; a home where no lock file can be created relies on the thread lock."""
    from filelock import FileLock, Timeout

    from workbench.store import StoreError

    with _INSTALL_THREAD_LOCK:
        try:
            lock = FileLock(str(paths.home() / "pretrained.lock"))
            lock.acquire(timeout=INSTALL_LOCK_WAIT_S)
        except Timeout:
            yield False
            return
        except (OSError, StoreError):  # a read-only home, or none: the store's own errors say so
            yield True
            return
        try:
            yield True
        finally:
            lock.release()


def install_all(names: Iterable[str] | None = None, *, store=None) -> list[Installed]:
    chosen = entries() if names is None else [get_entry(n) for n in names]
    with _install_lock() as held:
        if not held:
            raise PretrainedError("another CNN Workbench is installing the shipped models; try again when it "
                                  "has finished")
        store, own = _open_store(store)
        try:
            known = installed_runs(store)
            return [install(entry, store=store, known=known) for entry in chosen]
        finally:
            if own:
                store.close()


def auto_install_enabled() -> bool:
    return os.environ.get(ENV_AUTO_INSTALL, "on").strip().lower() not in ("0", "off", "no", "false")


def _marker_path() -> Path:
    return paths.home() / _INSTALLED_MARKER


def _offered() -> set[str]:
    try:
        return set(json.loads(_marker_path().read_text(encoding="utf-8")).get("sha256", []))
    except (OSError, ValueError, AttributeError):
        return set()


def install_missing(store=None) -> list[Installed]:
    """Install the shipped entries this home has not been offered yet (the window calls this once at start).

    An entry is offered once: a pretrained run the user deletes stays deleted (``workbench pretrained
    install NAME`` brings it back). A damaged or missing file is skipped here — the window must start —
    and reported by ``workbench pretrained list``. Cost when nothing is new: reading two small JSON files.
    """
    if not auto_install_enabled():
        return []
    try:
        shipped = entries()
    except PretrainedError:
        return []
    with _install_lock() as held:
        if not held:  # another process is installing them
            return []
        return _install_pending(shipped, store)


def _install_pending(shipped: list[Entry], store) -> list[Installed]:
    """:func:`install_missing` under the install lock: what is offered is read again here, after any other
    installer has finished."""
    offered = _offered()
    pending = [e for e in shipped if e.sha256 not in offered]
    if not pending:
        return []
    from workbench.store import StoreError

    done: list[Installed] = []
    try:
        store, own = _open_store(store)
    except StoreError:  # a store that cannot be opened: the window says so itself
        return []
    try:
        known = installed_runs(store)
        for entry in pending:
            try:
                done.append(install(entry, store=store, known=known))
            except PretrainedError:
                continue
            except StoreError:  # read-only, or a full disk part-way: offered again next time
                break
            offered.add(entry.sha256)
    except StoreError:
        pass
    finally:
        if own:
            store.close()
    try:
        _marker_path().write_text(json.dumps({"sha256": sorted(offered)}, indent=1), encoding="utf-8")
    except OSError:
        pass  # a read-only home: the installed runs are still found by sha256 next time
    return [d for d in done if d.created]


# -- shipping a run's weights -------------------------------------------------------------------------------
def ship_run(run_id: int, *, name: str, command: str, title: str = "", dtype: str = "auto", notes: str = "",
             directory: str | os.PathLike | None = None, evaluation: dict[str, float] | None = None,
             store=None, replace: bool = False) -> Entry:
    """Copy a finished run's weights into ``<weights dir>/NAME.pt`` and write its manifest entry.

    The file holds the weights, model_spec, config and epoch, plus a *fresh* optimizer/scheduler/RNG state of a
    few kB (so resuming an installed run fine-tunes it) — never the trained optimizer's moments. ``dtype`` ``auto`` keeps fp32 unless the file would exceed 10 MB, then stores
    floating tensors as fp16 (loading casts them back into the fp32 model); ``float16``/``float32`` force it.
    A file still over the limit is gzip-compressed (``engines.core.checkpoint`` reads it; fp16 weights shrink ~9 %).
    ``evaluation`` defaults to the run's final metrics.
    """
    import torch

    from engines.core.checkpoint import load_checkpoint
    from engines.core.loop import fresh_training_state
    from engines.core.tasks import get_task
    from engines.models import load_trained_model

    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise PretrainedError(f"invalid name {name!r}: use letters, digits, '_' and '-'")
    if dtype not in ("auto", "float32", "float16"):
        raise PretrainedError(f"invalid dtype {dtype!r}; valid choices: auto, float32, float16")
    if not command.strip():
        raise PretrainedError("give the exact command that produced the run (--command)")
    folder = Path(directory) if directory is not None else paths.weights_dir()
    store, own = _open_store(store)
    try:
        run = store.get_run(run_id)
        history = history_of(store, run_id)
    finally:
        if own:
            store.close()
    if run.status != "finished":
        raise PretrainedError(f"run {run_id} is {run.status}, not finished")
    if not run.checkpoint or not Path(run.checkpoint).is_file():
        raise PretrainedError(f"run {run_id} has no checkpoint")
    manifest = read_manifest(folder)
    if not replace and any(e.get("name") == name for e in manifest["entries"]):
        raise PretrainedError(f"{manifest_path(folder)} already has an entry {name!r} (pass --replace)")
    state = load_checkpoint(run.checkpoint)
    if not state.get("model_spec"):
        raise PretrainedError(f"run {run_id}: its checkpoint does not record which model it holds")
    weights = {k: v.detach().clone().contiguous() for k, v in state["model"].items()}
    payload = {"task": run.task, "config": run.config, "model_spec": state["model_spec"], "model": weights,
               "epoch": state.get("epoch", run.epoch), "step": state.get("step", run.step),
               **fresh_training_state(get_task(run.task).config_cls.from_dict(dict(run.config)),
                                       load_trained_model(run.checkpoint))}
    from engines.core.checkpoint import CheckpointWriteError

    try:
        target, stored, size = _write_shipped(payload, weights, folder, name, dtype, run_id)
    except CheckpointWriteError as exc:  # names the file and the reason (a full disk, a read-only folder)
        raise PretrainedWriteError(str(exc)) from None
    except OSError as exc:
        raise PretrainedWriteError(f"{folder}: cannot write the weights folder ({exc.strerror or exc})") from None
    metrics = dict(run.metrics if evaluation is None else evaluation)
    entry = Entry(name=name, file=target.name, sha256=file_sha256(target), task=run.task, model=run.model,
                  dataset=run.dataset, config=run.config, seed=int(run.config.get("seed", run.seed or 0)),
                  epochs=int(run.epoch), command=command.strip(),
                  evaluation={k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))},
                  title=title or run.name, dtype=stored, bytes=size, params=run.params, flops=run.flops,
                  source_run={"id": run.id, "device": run.device, "app_version": run.app_version,
                              "torch": torch.__version__, "seconds": round(run.seconds or 0.0, 1),
                              "finished": time.strftime("%Y-%m-%d", time.localtime(run.finished_at or 0))},
                  notes=notes, history=history, directory=str(folder))
    try:
        _write_entries(manifest, [entry], folder)
    except OSError as exc:
        raise PretrainedWriteError(f"{folder}: cannot write its {MANIFEST_NAME} ({exc.strerror or exc})") from None
    return entry


def _write_shipped(payload: dict[str, Any], weights: dict[str, Any], folder: Path, name: str, dtype: str,
                   run_id: int) -> tuple[Path, str, int]:
    """Write ``NAME.pt`` (fp32, or fp16 when needed or asked) or ``NAME.pt.gz``; (path, dtype, bytes)."""
    from engines.core.checkpoint import save_checkpoint
    from engines.models import load_trained_model

    target = folder / f"{name}.pt"
    stored = "float32"
    save_checkpoint(payload, target)
    if dtype == "float16" or (dtype == "auto" and target.stat().st_size > MAX_SHIPPED_BYTES):
        payload["model"] = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
        payload["dtype"] = stored = "float16"
        save_checkpoint(payload, target)
    if target.stat().st_size > MAX_SHIPPED_BYTES:
        packed = folder / f"{name}.pt.gz"
        save_checkpoint(payload, packed, compress=True)
        target.unlink()
        target = packed
    os.chmod(target, 0o644)
    size = target.stat().st_size
    if size > MAX_SHIPPED_BYTES:
        target.unlink()
        raise PretrainedError(f"run {run_id}: {size / 1e6:.1f} MB even in {stored} and compressed, "
                              f"over the {MAX_SHIPPED_BYTES / 1e6:.0f} MB limit")
    load_trained_model(target)  # refuse to ship a file the labs could not rebuild
    return target, stored, size


def merge_shipped(source: str | os.PathLike, directory: str | os.PathLike | None = None) -> list[Entry]:
    """Copy the entries of another weights folder (``ship-weights`` run elsewhere, e.g. on a GPU machine) and
    their files into ``directory`` (default: the weights folder), replacing entries of the same name.

    Every file is checked against its entry's sha256 first; nothing is copied if one fails."""
    source_entries = entries(source)
    if not source_entries:
        raise PretrainedError(f"{manifest_path(source)} lists no weights")
    for entry in source_entries:
        verify(entry)
    folder = Path(directory) if directory is not None else paths.weights_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for entry in source_entries:
            shutil.copyfile(entry.path, folder / entry.file)
            os.chmod(folder / entry.file, 0o644)
        _write_entries(read_manifest(folder), source_entries, folder)
    except OSError as exc:
        raise PretrainedWriteError(f"{folder}: cannot write the weights folder ({exc.strerror or exc})") from None
    return [Entry.from_json(e.to_json(), folder) for e in source_entries]


def _write_entries(manifest: dict[str, Any], new: list[Entry], folder: Path) -> None:
    """Write ``manifest`` with ``new`` added; an entry of the same name is replaced in place (the order is the
    order the window installs them in)."""
    listed = list(manifest["entries"])
    for entry in new:
        names = [e.get("name") for e in listed]
        if entry.name in names:
            listed[names.index(entry.name)] = entry.to_json()
        else:
            listed.append(entry.to_json())
    _write_manifest({"format_version": MANIFEST_VERSION,
                     "about": manifest.get("about", "Models trained by this project's own commands; see "
                                                    "docs/reproduction.md. Checked by sha256 before loading."),
                     "entries": listed}, folder)

