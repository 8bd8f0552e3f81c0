"""The window under faults: damaged settings and store rows, bad files dropped or opened, a store it cannot open.

Each case drives the real main window (offscreen, pytest-qt) and asserts the window's promises: one clear
message naming the file or value, no exception escaping a slot or event handler (pytest-qt fails the test on
one), the window still running afterwards, and the runs already recorded still listed.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.reliability.conftest import (
    assert_no_marker,
    png_bytes,
    write_bad_file,
    write_hostile_torch_file,
    write_png_bomb,
)
from tests.ui import conftest as ui_fixtures
from tests.ui.qt_helpers import drop_files, open_lab

# The window tests' fixtures (tests/ui/conftest.py), for the cases in this folder: main windows closed after
# each case, private QSettings, and no worker thread left running.
make_window = ui_fixtures.make_window
private_qsettings = ui_fixtures.private_qsettings
no_thread_left_behind = ui_fixtures.no_thread_left_behind


@pytest.fixture(autouse=True)
def no_window_left_open(qapp):
    """Fail a case that leaves a window or message box shown (a modal one would have hung the case)."""
    from shiboken6 import isValid

    before = set(qapp.topLevelWidgets())
    yield
    # Delete what the case closed now: a closed window kept alive would load its engines on its start-up
    # timer in a later case (the window's fallback for platforms that never paint).
    ui_fixtures._flush_deletions(qapp)
    left = [w for w in qapp.topLevelWidgets() if w not in before and isValid(w) and w.isVisible()]
    for widget in left:
        widget.close()
    assert not left, f"left open: {[type(w).__name__ for w in left]}"


@pytest.fixture(scope="module")
def shared_window(qapp, tmp_path_factory):
    """One window, engines and labs loaded, for the cases that open files in its labs: building one costs a
    second or two of CPU, opening a file a fraction of that. It records runs in a store of its own."""
    from PySide6.QtCore import QSettings

    from workbench.store import RunStore
    from workbench.ui.shell.main_window import MainWindow

    home = tmp_path_factory.mktemp("shared-window-home")
    with pytest.MonkeyPatch.context() as patch:  # never the user's home, settings or window layout
        patch.setenv("WORKBENCH_HOME", str(home))
        patch.setenv("WORKBENCH_PRETRAINED", "off")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
        win = MainWindow(store=RunStore(home / "runs.sqlite3"))
        win.setProperty("suppress_dialogs", True)
        win.setProperty("ephemeral", True)
        win.resize(1200, 800)
        win.show()
        win.ensure_ready()
    yield win
    win.close()
    win.deleteLater()
    qapp.processEvents()


@pytest.fixture
def lab_window(shared_window, qtbot):
    """The shared window as a new case finds it: no warning, the labs' messages and file lists empty."""
    win = shared_window
    qtbot.waitUntil(lambda: not any(getattr(lab, "busy", False) for lab in win.labs), timeout=30_000)
    win.setProperty("last_warning", None)
    win.status_label.setText("")
    denoise = open_lab(win, "Denoising")
    denoise.errors.clear()
    denoise.outcomes.clear()
    denoise.files.clear()
    denoise._file_items.clear()
    for lab in win.labs:
        lab.status.setText("")
    win.tabs.setCurrentIndex(0)
    yield win
    qtbot.waitUntil(lambda: not any(getattr(lab, "busy", False) for lab in win.labs), timeout=30_000)


def _still_running(win) -> None:
    """The window answers: its event loop turns, its runs list reads the store, it is not closed.

    Cases that need no engines keep their window hidden: its first paint would load them (a second of CPU).
    """
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    win.browser.refresh()
    shown_once = win.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
    assert win.isEnabled() and (win.isVisible() or not shown_once)


def _messages(win, lab=None) -> str:
    """Every place a message can be: the window's warning, its status bar, and the lab's status line and errors."""
    parts = [str(win.property("last_warning") or ""), win.status_label.text(), win.statusBar().currentMessage()]
    if lab is not None:
        parts += [lab.status.text(), *getattr(lab, "errors", [])]
    return "\n".join(parts)


# -- a dropped file that is not an image ------------------------------------------------------------
DROP_KINDS = ("text", "empty_png", "truncated_png", "png_bomb", "fifo", "symlink_loop", "unicode_name_garbage",
              "empty_directory", "checkpoint", "hostile_pickle", "folder_with_a_bad_image")


def _bad_drop(kind: str, folder: Path, marker: Path) -> tuple[Path, str]:
    """A bad thing to drop, and the text its message must hold (its name)."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "hostile_pickle":
        path = write_hostile_torch_file(folder / "evil.pt", marker)
    elif kind == "folder_with_a_bad_image":  # a folder runs as a batch: the bad file is named, the rest is done
        path = folder / "batch"
        write_bad_file("garbage", path, "broken.png")
        (path / "fine.png").write_bytes(png_bytes(24, 24))
        return path, "broken.png"
    elif kind == "text":
        path = write_bad_file("text", folder, "notes.txt")
    elif kind == "empty_png":
        path = write_bad_file("empty", folder, "empty.png")
    elif kind == "truncated_png":
        path = write_bad_file("truncated", folder, "cut.png", good=png_bytes(64, 64))
    elif kind == "png_bomb":
        path = write_png_bomb(folder / "bomb.png")
    elif kind == "empty_directory":
        path = folder / "no-images"
        path.mkdir()
        (path / "readme.txt").write_text("nothing to see")
    elif kind == "checkpoint":
        from tests.helpers import save_tiny_dncnn

        path = save_tiny_dncnn(folder / "dncnn_25.pth")
    else:
        path = write_bad_file(kind, folder, "bad.png")
    return path, path.name


@pytest.mark.parametrize("kind", DROP_KINDS)
def test_a_bad_file_dropped_with_a_good_one_on_the_denoising_lab(kind, lab_window, qtbot, tmp_path, marker):
    win = lab_window
    lab = open_lab(win, "Denoising")
    lab.set_checked(["wavelet"])
    good = tmp_path / "good.png"
    good.write_bytes(png_bytes(24, 24))
    bad, name = _bad_drop(kind, tmp_path / "in", marker)
    batch = kind == "folder_with_a_bad_image"
    # On the window (it hands the files to the lab that takes them), or on the lab itself.
    target = lab if kind in ("hostile_pickle", "fifo") else win
    with qtbot.waitSignal(lab.batch_finished, timeout=30_000):
        drop_files(target, [bad] if batch else [bad, good])
    qtbot.waitUntil(lambda: not lab.busy, timeout=30_000)
    assert [o.name for o in lab.outcomes.values() if o.results] == (["fine.png"] if batch else ["good.png"])
    assert name in _messages(win, lab), _messages(win, lab)
    assert any(name in lab.files.item(i).toolTip() for i in range(lab.files.count()))  # listed with its reason
    assert_no_marker(marker)
    _still_running(win)


# -- a damaged settings file ------------------------------------------------------------------------
SETTINGS_FILES = {
    "json_array": b"[1,2,3]",
    "null_schema": b'{"schema_version": null}',
    "garbage_bytes": bytes(range(256)) * 4,
    "newer_version": json.dumps({"schema_version": 99, "threads": 1, "from_the_future": True}).encode(),
}


@pytest.mark.parametrize("kind", SETTINGS_FILES)
def test_a_damaged_settings_file_gives_one_notice_and_the_window_starts(kind, make_window, qtbot, workbench_home):
    from workbench.settings import load_warnings

    load_warnings()  # forget what earlier tests in this process left unread
    path = workbench_home / "settings.json"
    path.write_bytes(SETTINGS_FILES[kind])
    # Loading the engines reads the settings again: still one notice.
    win = make_window(show=kind == "json_array", ready=kind == "json_array")
    qtbot.waitUntil(lambda: bool(win.notices), timeout=5_000)
    qtbot.wait(20)
    assert len(win.notices) == 1, win.notices
    notice = win.notices[0]
    assert str(path) in notice and notice.splitlines()[0] in win.status_label.text()
    if kind == "newer_version":
        assert "newer version" in notice and path.read_bytes() == SETTINGS_FILES[kind]
        win.show_preferences()  # refused before the dialog opens: nothing to answer
        assert "newer version" in win.property("last_warning")
        assert path.read_bytes() == SETTINGS_FILES[kind]  # never overwritten
    else:
        backups = list(workbench_home.glob("settings.json.damaged-*"))
        assert len(backups) == 1 and backups[0].read_bytes() == SETTINGS_FILES[kind]
        assert backups[0].name in notice
    _still_running(win)


def test_the_settings_notice_is_one_non_modal_box(qtbot, workbench_home):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from workbench.settings import load_warnings
    from workbench.ui.shell.main_window import MainWindow

    load_warnings()
    (workbench_home / "settings.json").write_bytes(b"[1,2,3]")
    win = MainWindow()  # as a user's start: no test property, the box is really shown
    qtbot.addWidget(win)

    def boxes():
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    qtbot.waitUntil(lambda: len(boxes()) == 1, timeout=5_000)
    box = boxes()[0]
    assert box.windowModality() == Qt.WindowModality.NonModal and not box.isModal()
    assert "settings.json.damaged-" in box.text() and QApplication.activeModalWidget() is None
    box.close()
    win.close()


# -- a damaged row in the run store -----------------------------------------------------------------
def _store_with_a_damaged_row(path: Path, column: str = "config", bad: str = "{not json") -> list[int]:
    """Three finished runs with curves; run 1's ``column`` then holds ``bad`` (as an edit by hand would)."""
    import time

    from workbench.store import RunStore

    ids = []
    with RunStore(path) as store:
        for i in range(3):
            run_id = store.create_run(task="classify", model="small_cnn", dataset="digits", name=f"run {i}",
                                      config={"task": "classify", "model": "small_cnn", "data": "digits",
                                              "epochs": 2, "seed": i})
            store.add_metrics(run_id, [(s, s / 5, "loss", 1.0 / s, time.time()) for s in range(1, 11)])
            store.update_run(run_id, epoch=2, step=10, summary={"metrics": {"test_accuracy": 0.5 + i / 10}})
            store.set_status(run_id, "finished")
            ids.append(run_id)
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (bad, ids[0]))
    return ids


def _assert_others_listed(win, ids) -> None:
    listed = [r.id for r in win.browser.model.runs]
    assert listed == ids, listed
    for run_id in ids[1:]:
        assert not win.store.get_run(run_id).damaged


@pytest.mark.parametrize("column", ["summary", "tags"])
def test_a_damaged_summary_or_tags_row_is_listed_and_marked(column, make_window, workbench_home):
    from workbench import paths

    ids = _store_with_a_damaged_row(paths.store_path(), column, "[oops")
    win = make_window()
    _assert_others_listed(win, ids)
    row = win.browser.model.row_of(ids[0])
    name = win.browser.model.index(row, 6).data()
    tip = win.browser.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "damaged" in name and f"stored {column} is damaged" in tip
    _still_running(win)


BAD_ROW_ACTIONS = ("select", "compare", "continue", "details", "rename")


@pytest.fixture(scope="module")
def damaged_store_window(qapp, tmp_path_factory):
    """One window (engines loaded) on a store of three runs whose first run's config is ``{not json``; that
    run was interrupted and has a checkpoint, so everything but its config would let it continue."""
    from PySide6.QtCore import QSettings

    from workbench.store import RunStore
    from workbench.ui.shell.main_window import MainWindow

    home = tmp_path_factory.mktemp("damaged-store-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_HOME", str(home))
        patch.setenv("WORKBENCH_PRETRAINED", "off")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "qsettings"))
        ids = _store_with_a_damaged_row(home / "runs.sqlite3")
        checkpoint = home / "last.pt"
        checkpoint.write_bytes(b"a checkpoint")
        with RunStore(home / "runs.sqlite3") as store:
            store.update_run(ids[0], checkpoint=str(checkpoint))
            store.set_status(ids[0], "interrupted")
        win = MainWindow()  # opens the store as a user's start does (the env's home)
        win.setProperty("suppress_dialogs", True)
        win.setProperty("ephemeral", True)
        win.show()
        win.ensure_ready()
    yield win, ids
    win.close()
    win.deleteLater()
    qapp.processEvents()


@pytest.mark.parametrize("action", BAD_ROW_ACTIONS)
def test_a_run_whose_config_is_not_json_costs_that_run_only(action, damaged_store_window, qtbot):
    win, ids = damaged_store_window
    bad = ids[0]
    win.setProperty("last_warning", None)
    win.browser.select([])
    _assert_others_listed(win, ids)
    assert "damaged" in win.browser.model.index(win.browser.model.row_of(bad), 6).data()
    if action == "select":
        win.browser.select([bad])
        assert f"Run #{bad}" in win.status_label.text() and "damaged" in win.status_label.text()
        assert bad in win.curves.runs  # its curves are intact and shown
    elif action == "compare":
        win.browser.select([bad, ids[1]])
        win.compare_selected()
        assert win.tabs.currentWidget() is win.compare_tab
        assert f"Run #{bad}" in win.status_label.text() and "damaged" in win.status_label.text()
    elif action == "continue":
        win.browser.select([bad])
        win.continue_selected()
        assert f"Run #{bad} cannot be continued" in win.property("last_warning")
        assert "config" in win.property("last_warning") and not win.runner.busy
        assert win.store.get_run(bad).status == "interrupted"  # as it was
    elif action == "details":
        win.browser.select([bad])
        win.browser.activated.emit(bad)  # a double-click: its curves in the Training tab
        tip = win.browser.model.index(win.browser.model.row_of(bad), 0).data(Qt.ItemDataRole.ToolTipRole)
        assert "stored config is damaged" in tip
        win.show_guide()
    elif action == "rename":
        win.browser.select([bad])
        win.browser.rename(bad, f"renamed by {action}")  # what Rename… does once the name is typed
        assert win.store.get_run(bad).name == f"renamed by {action}"
    qtbot.wait(10)
    _assert_others_listed(win, ids)
    _still_running(win)


# -- a run store the window cannot open or write ------------------------------------------------------
STORE_FAULTS = ("garbage_file", "newer_schema", "read_only", "home_is_a_file")


@pytest.mark.parametrize("fault", STORE_FAULTS)
def test_the_window_starts_on_a_store_it_cannot_open_or_write(fault, make_window, qtbot, workbench_home,
                                                              monkeypatch, tmp_path):
    from tests.helpers import tiny_config
    from workbench import paths
    from workbench.store import RunStore

    store_file = paths.store_path()
    if fault == "garbage_file":
        store_file.write_bytes(bytes(range(256)) * 64)
    elif fault == "newer_schema":
        RunStore().close()
        with sqlite3.connect(store_file) as conn:
            conn.execute("PRAGMA user_version = 99")
    elif fault == "read_only":
        with RunStore() as store:
            store.create_run(task="classify", model="small_cnn", dataset="digits", config={}, status="finished",
                             name="kept")
        real_access = os.access  # as root every file is writable: say what a read-only mount says
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode))
    elif fault == "home_is_a_file":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the home's parent should be")
        monkeypatch.setenv(paths.ENV_HOME, str(blocker / "home"))
        store_file = blocker / "home" / "runs.sqlite3"
    before = store_file.read_bytes() if store_file.is_file() else None
    win = make_window(show=fault == "read_only", ready=fault == "read_only")
    qtbot.waitUntil(lambda: bool(win.notices), timeout=5_000)
    notice = win.notices[0]
    assert str(store_file) in notice or str(store_file.parent) in notice, notice
    assert win.store.read_only
    assert [r.name for r in win.browser.model.runs] == (["kept"] if fault == "read_only" else [])
    assert win.start_job(tiny_config()) is None  # refused with a message, nothing recorded
    assert "cannot record runs" in win.property("last_warning") and not win.runner.busy
    if win.labs:  # the labs record runs too (imported weights)
        from tests.helpers import save_tiny_dncnn

        win.setProperty("last_warning", None)
        lab = open_lab(win, "Denoising")
        assert lab.import_weights(str(save_tiny_dncnn(tmp_path / "dncnn_25.pth"))) is None
        assert "cannot record runs" in win.property("last_warning")
    if before is not None:
        assert store_file.read_bytes() == before  # the window changed nothing in it
    _still_running(win)


# -- a checkpoint of the wrong lab, a hostile or damaged file, opened in a lab ----------------------------
def _classification_checkpoint(path: Path) -> Path:
    """What a classification run writes (a small CNN's weights, its model_spec and config)."""
    from engines.core.checkpoint import save_checkpoint
    from engines.models import build_model

    model = build_model("small_cnn", width=8)
    return save_checkpoint({"task": "classify", "config": {"task": "classify", "model": "small_cnn"},
                            "model_spec": {"name": "small_cnn", "options": {"width": 8}},
                            "model": model.state_dict(), "epoch": 1, "step": 1}, path)


def _denoising_checkpoint(path: Path) -> Path:
    from engines.core.checkpoint import save_checkpoint
    from engines.models import build_model

    model = build_model("dncnn", depth=3, features=4)
    return save_checkpoint({"task": "denoise", "config": {"task": "denoise", "model": "dncnn"},
                            "model_spec": {"name": "dncnn", "options": {"depth": 3, "features": 4}},
                            "model": model.state_dict(), "epoch": 1, "step": 1}, path)


def _weights_file(kind: str, folder: Path, marker: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "classification_checkpoint":
        return _classification_checkpoint(folder / "last.pt")
    if kind == "hostile_pickle":
        return write_hostile_torch_file(folder / "dncnn_25.pth", marker)
    if kind == "empty":
        return write_bad_file("empty", folder, "dncnn_25.pth")
    if kind == "garbage":
        return write_bad_file("garbage", folder, "dncnn_25.pth")
    if kind == "text":
        return write_bad_file("text", folder, "dncnn_25.pth")
    if kind == "image":
        return write_bad_file("png_as_other", folder, "dncnn_25.pth")
    if kind == "fifo":
        return write_bad_file("fifo", folder, "dncnn_25.pth")
    raise ValueError(kind)


IMPORT_KINDS = ("classification_checkpoint", "hostile_pickle", "empty", "garbage", "text", "image", "fifo")


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_import_weights_refuses_a_file_that_is_not_dncnn_weights(kind, lab_window, tmp_path, marker):
    win = lab_window
    lab = open_lab(win, "Denoising")
    path = _weights_file(kind, tmp_path / "weights", marker)
    before = [r.id for r in win.store.list_runs()]
    assert lab.import_weights(str(path)) is None  # Import weights… once the file is chosen
    warning = win.property("last_warning") or ""
    assert path.name in warning and warning in lab.status.text(), warning
    assert "Traceback" not in warning
    assert [r.id for r in win.store.list_runs()] == before  # nothing recorded
    assert_no_marker(marker)
    _still_running(win)


def test_a_denoising_checkpoint_dropped_on_the_classification_lab(lab_window, tmp_path):
    win = lab_window
    lab = open_lab(win, "Classification")
    path = _denoising_checkpoint(tmp_path / "dncnn-last.pt")
    drop_files(lab, [path])
    assert "dncnn-last.pt" in lab.status.text(), lab.status.text()
    _still_running(win)


RUN_CHECKPOINTS = ("denoising_checkpoint", "hostile_pickle", "garbage", "weights_of_another_width")


@pytest.mark.parametrize("view", ["attention", "evaluation"])
@pytest.mark.parametrize("kind", RUN_CHECKPOINTS)
def test_a_classification_run_whose_checkpoint_is_wrong_gives_a_message(kind, view, lab_window, qtbot, tmp_path,
                                                                         marker):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    if kind == "denoising_checkpoint":
        path = _denoising_checkpoint(folder / "last.pt")
    elif kind == "hostile_pickle":
        path = write_hostile_torch_file(folder / "last.pt", marker)
    elif kind == "weights_of_another_width":  # names small_cnn width 8, holds a width-16 network's tensors
        from engines.core.checkpoint import load_checkpoint, save_checkpoint
        from engines.models import build_model

        state = load_checkpoint(_classification_checkpoint(folder / "last.pt"))
        state["model"] = build_model("small_cnn", width=16).state_dict()
        path = save_checkpoint(state, folder / "last.pt")
    else:
        path = write_bad_file("garbage", folder, "last.pt")
    win = lab_window
    store = win.store
    # An SE model, so the attention view offers the run (it lists only runs with channel attention).
    run_id = store.create_run(task="classify", model="mobilenet_v1", dataset="digits",
                              config={"task": "classify", "model": "mobilenet_v1", "data": "digits",
                                      "model_options": {"attention": "se"}})
    store.update_run(run_id, checkpoint=str(path), epoch=1, step=1)
    store.set_status(run_id, "finished")
    lab = open_lab(win, "Classification")
    lab.refresh_runs()
    if view == "attention":
        assert lab.attention_tab.select_se_run(run_id) is False
    else:  # evaluated in the lab's worker: its failure comes back as the lab's message
        with qtbot.waitSignal(lab.job.error, timeout=30_000):
            lab.evaluation_tab.evaluate_run(run_id)
    text = lab.status.text()
    assert "last.pt" in text or f"#{run_id}" in text, text
    assert "Traceback" not in text
    assert_no_marker(marker)
    _still_running(win)


def test_a_denoising_run_whose_checkpoint_holds_a_classifier(lab_window, qtbot, tmp_path):
    win = lab_window
    store = win.store
    run_id = store.create_run(task="denoise", model="dncnn", dataset="imported", config={"task": "denoise"})
    store.update_run(run_id, checkpoint=str(_classification_checkpoint(tmp_path / "last.pt")))
    store.set_status(run_id, "finished")
    lab = open_lab(win, "Denoising")
    lab.refresh_methods()
    lab.set_checked([f"run:{run_id}", "wavelet"])
    good = tmp_path / "good.png"
    good.write_bytes(png_bytes(24, 24))
    with qtbot.waitSignal(lab.batch_finished, timeout=30_000):
        lab.open_paths([str(good)])
    outcome = lab.outcomes[str(good)]
    assert [c.key for c, _ in outcome.results] == ["wavelet"]  # the baseline still ran
    assert f"#{run_id}" in outcome.error and "DnCNN" in outcome.error, outcome.error
    _still_running(win)


# -- closing the window while a run trains and another waits ------------------------------------------------
@pytest.mark.slow
def test_closing_the_window_mid_training_keeps_every_run_and_the_store_intact(make_window, qtbot):
    from tests.helpers import tiny_config
    from workbench import paths
    from workbench.store import RunStore

    with RunStore() as store:
        earlier = store.create_run(task="classify", model="small_cnn", dataset="digits", config={"epochs": 1},
                                   status="finished", name="earlier")
    win = make_window(show=True, ready=True)
    with qtbot.waitSignal(win.runner.steps, timeout=120_000):
        training = win.start_job(tiny_config(epochs=200))
        waiting = win.start_job(tiny_config(epochs=1), name="waiting")
    win.close()  # as the user's Ctrl+Q: stop with a checkpoint, cancel the queue, join the thread
    assert not win.runner.busy
    with sqlite3.connect(paths.store_path()) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with RunStore() as store:
        runs = {r.id: r for r in store.list_runs()}
    assert set(runs) == {earlier, training, waiting}
    assert runs[earlier].status == "finished" and runs[earlier].name == "earlier"
    assert runs[training].status == "interrupted" and runs[training].step > 0
    assert runs[waiting].status == "cancelled"
