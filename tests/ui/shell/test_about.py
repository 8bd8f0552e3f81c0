"""Help ▸ About: the versions of the app, PyTorch, Qt and Python, and the device in use."""
from __future__ import annotations

import platform

import PySide6
import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QGuiApplication

import workbench
from workbench.settings import Settings, save_settings
from workbench.ui.shell.about import AboutDialog, about_text


@pytest.fixture
def torch():
    import torch

    return torch


def test_about_text_names_the_versions_and_the_device(torch):
    text = about_text("cpu")
    assert f"{workbench.APP_NAME}: {workbench.__version__}" in text
    assert f"PyTorch: {torch.__version__}" in text
    assert qVersion() in text and PySide6.__version__ in text
    assert platform.python_version() in text
    assert f"cpu ({torch.get_num_threads()} threads)" in text


def test_the_device_defaults_to_the_saved_preference(torch):
    save_settings(Settings(device="cpu"))
    assert "Device: cpu (" in about_text()


def test_an_unavailable_device_is_reported_not_raised(torch):
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert "no CUDA GPU is available" in about_text("cuda")


def test_dialog_shows_the_versions_and_copies_them_for_a_bug_report(qtbot, torch):
    dialog = AboutDialog(device="cpu")
    qtbot.addWidget(dialog)
    shown = dialog.text_label.text()
    assert torch.__version__ in shown and qVersion() in shown and workbench.__version__ in shown
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied == dialog.plain_text() and f"PyTorch: {torch.__version__}" in copied


def test_help_about_opens_the_dialog_from_the_window(qtbot, torch):
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    win.setProperty("suppress_dialogs", True)
    qtbot.addWidget(win)
    win.show()
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    assert win.about_action in help_menu.actions()
    assert win.about_action.menuRole() == QAction.MenuRole.AboutRole
    win.about_action.trigger()
    dialog = win.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    assert torch.__version__ in dialog.plain_text()
    dialog.close()
    win.close()
