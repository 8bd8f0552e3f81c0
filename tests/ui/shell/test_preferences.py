"""Edit ▸ Preferences: the dialog stores what is changed, old files open, the window applies it."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from workbench.settings import SCHEMA_VERSION, Settings, load_settings, save_settings
from workbench.ui.shell.preferences import PreferencesDialog, edit_preferences


def _when_dialog_opens(qtbot, edit) -> list:
    """Run ``edit(dialog)`` on the Preferences dialog once its modal loop runs; returns a list it fills."""
    seen = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PreferencesDialog):
            seen.append(dialog)
            edit(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def _ok(dialog: PreferencesDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@pytest.fixture
def restore_torch_threads():
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_changing_threads_and_pressing_ok_stores_it_and_reloading_gives_it_back(qtbot, workbench_home):
    threads = []

    def edit(dialog):
        threads.append(dialog.threads_spin.maximum())  # the machine's CPU count, at least 1
        dialog.threads_spin.setValue(threads[0])
        dialog.refresh_spin.setValue(7)
        dialog.precision_box.setCurrentIndex(dialog.precision_box.findData("fp32"))
        _ok(dialog)

    seen = _when_dialog_opens(qtbot, edit)
    old, new = edit_preferences(None)
    assert seen and old == Settings()
    assert threads[0] >= 1 and (new.threads, new.plot_refresh_hz) == (threads[0], 7)
    assert new.inference_precision == "fp32"
    stored = json.loads((workbench_home / "settings.json").read_text())
    assert stored["threads"] == threads[0] and stored["schema_version"] == SCHEMA_VERSION
    assert load_settings() == new
    # The dialog opens on what was stored.
    assert PreferencesDialog(load_settings()).threads_spin.value() == threads[0]
    assert PreferencesDialog(load_settings()).precision_box.currentData() == "fp32"


def test_cancel_leaves_the_stored_settings_alone(qtbot, workbench_home):
    save_settings(Settings(threads=2))

    def edit(dialog):
        dialog.threads_spin.setValue(5)
        dialog.reject()

    _when_dialog_opens(qtbot, edit)
    assert edit_preferences(None) is None
    assert load_settings().threads == 2


def test_a_file_of_an_older_schema_opens_and_is_saved_at_the_current_one(qtbot, workbench_home):
    # Written before settings carried a schema_version (read as version 1), with a value of a wrong type.
    (workbench_home / "settings.json").write_text(json.dumps(
        {"device": "cpu", "threads": 2, "plot_refresh_hz": "fast", "recent_folders": ["/data/cifar"]}))
    settings = load_settings()
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.device_box.currentData() == "cpu"
    assert dialog.threads_spin.value() == 2
    assert dialog.refresh_spin.value() == Settings().plot_refresh_hz  # the bad value fell back
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("zh_CN"))
    save_settings(dialog.settings())
    stored = json.loads((workbench_home / "settings.json").read_text())
    assert stored["schema_version"] == SCHEMA_VERSION
    assert "recent_folders" not in stored  # a retired field is dropped
    assert stored["language"] == "zh_CN"


def test_a_data_folder_that_is_a_file_is_refused_and_a_new_one_is_created(qtbot, tmp_path):
    dialog = PreferencesDialog(Settings())
    dialog.setProperty("suppress_dialogs", True)
    qtbot.addWidget(dialog)
    dialog.show()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    dialog.data_edit.setText(str(a_file))
    _ok(dialog)
    assert dialog.isVisible() and str(a_file) in dialog.error_message
    folder = tmp_path / "datasets" / "course"
    dialog.data_edit.setText(str(folder))
    _ok(dialog)
    assert not dialog.isVisible() and folder.is_dir()
    assert dialog.settings().resolved_data_dir() == folder


def test_restore_defaults_resets_every_field(qtbot):
    dialog = PreferencesDialog(Settings(data_dir="/x", device="cpu", threads=2, language="en", plot_refresh_hz=5,
                                        inference_precision="fp32"))
    qtbot.addWidget(dialog)
    dialog.restore_defaults()
    assert dialog.settings() == Settings()


@pytest.fixture
def window(make_window):
    """Shown, engines not forced: they load after the first paint, as for a user."""
    return make_window(show=True)


def test_preferences_is_in_the_edit_menu_with_its_shortcut(window):
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.preferences_action in edit_menu.actions()
    assert not window.preferences_action.shortcut().isEmpty()
    assert window.preferences_action.shortcut().toString() in ("Ctrl+,", "Ctrl+Shift+,", "Ctrl+;")


def test_the_window_applies_threads_refresh_rate_device_and_announces_the_language(window, qtbot,
                                                                                   restore_torch_threads):
    import torch

    window.ensure_ready()
    target_threads = 1 if torch.get_num_threads() != 1 else 2

    def edit(dialog):
        dialog.threads_spin.setValue(target_threads)
        dialog.refresh_spin.setValue(5)
        dialog.device_box.setCurrentIndex(dialog.device_box.findData("cpu"))
        dialog.language_box.setCurrentIndex(dialog.language_box.findData("zh_CN"))
        _ok(dialog)

    seen = _when_dialog_opens(qtbot, edit)
    window.preferences_action.trigger()
    assert seen
    assert torch.get_num_threads() == target_threads
    assert window.threads_label.text().endswith(str(target_threads))
    assert window.curves._timer.interval() == 200  # 5 Hz
    assert window.config_form.editors["device"].get() == "cpu"
    assert "next time" in window.status_label.text()
    assert load_settings().threads == target_threads


def test_stored_threads_apply_when_the_window_loads_torch(qtbot, restore_torch_threads):
    import torch

    target = 1 if torch.get_num_threads() != 1 else 2
    save_settings(Settings(threads=target))
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.ensure_ready()
    assert torch.get_num_threads() == target
    win.close()
