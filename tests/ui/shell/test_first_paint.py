"""The window at first paint: every lab's tab is there and clickable while the engines load in a thread, the
New-run dock follows the tab, and quitting at once exits cleanly."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from PySide6.QtCore import QSettings

from workbench.ui.labs import LAB_MODULES, LAB_TITLES


def test_lab_titles_listed_for_first_paint_match_the_lab_classes():
    import importlib

    classes = [getattr(importlib.import_module(m), c) for m, _, c in (s.partition(":") for s in LAB_MODULES)]
    assert [cls.title for cls in classes] == LAB_TITLES


def test_lab_tabs_are_there_before_the_engines_and_the_clicked_one_becomes_its_lab(make_window, qtbot):
    from workbench.ui.shell.lab import LabPlaceholder

    win = make_window(size=(1366, 768))
    titles = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert titles == ["Training", "Compare", *LAB_TITLES]
    assert not win.labs  # nothing built yet: these are the placeholders
    win.show()
    index = 2 + LAB_TITLES.index("Hyperspectral")
    win.tabs.setCurrentIndex(index)  # a click while the engines load
    placeholder = win.tabs.currentWidget()
    assert isinstance(placeholder, LabPlaceholder) and "Hyperspectral" in placeholder.label.text()
    assert placeholder.bar.maximum() == 0  # busy
    qtbot.waitUntil(lambda: bool(win.labs), timeout=120_000)  # the preload thread, then ensure_ready
    assert win._preloader is not None and win._preloader.seconds is not None
    assert [win.tabs.tabText(i) for i in range(win.tabs.count())] == titles
    current = win.tabs.currentWidget()
    assert current.title == "Hyperspectral" and current in win.labs
    assert not win.findChildren(LabPlaceholder) or all(not p.isVisible() for p in win.findChildren(LabPlaceholder))


def test_the_new_run_dock_shows_on_training_only_unless_the_user_opens_it_on_a_tab(make_window, qtbot):
    win = make_window(show=True, ready=True, size=(1366, 768))
    dock = win.new_run_dock
    assert win.tabs.currentWidget() is win.training_tab and not dock.isHidden()
    lab = next(lab for lab in win.labs if lab.title == "Denoising")
    win.tabs.setCurrentWidget(lab)
    assert dock.isHidden()  # the lab gets the room
    win.tabs.setCurrentWidget(win.compare_tab)
    assert dock.isHidden()
    dock.toggleViewAction().trigger()  # the user opens it on Compare: remembered for Compare
    assert not dock.isHidden()
    win.tabs.setCurrentWidget(lab)
    assert dock.isHidden()
    win.tabs.setCurrentWidget(win.compare_tab)
    assert not dock.isHidden()
    win.tabs.setCurrentWidget(win.training_tab)
    dock.toggleViewAction().trigger()  # closed on Training
    assert dock.isHidden()
    assert QSettings().value("mainWindow/newRunDock/training", type=bool) is False
    assert QSettings().value("mainWindow/newRunDock/compare", type=bool) is True
    win.close()
    again = make_window(show=True, size=(1366, 768))
    assert again.new_run_dock.isHidden()  # Training, as the user left it
    again.tabs.setCurrentWidget(again.compare_tab)
    assert not again.new_run_dock.isHidden()


def test_quitting_at_first_paint_exits_cleanly(tmp_path):
    code = textwrap.dedent("""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from workbench.ui.shell.main_window import MainWindow

        app = QApplication([])
        window = MainWindow()
        window.show()
        QTimer.singleShot(0, window.close)  # the user quits as the window appears
        app.exec()
        assert not window.labs, "labs were built into a closed window"
        print("clean exit")
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_HOME=str(tmp_path / "home"),
               WORKBENCH_PRETRAINED="off")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "clean exit" in done.stdout and "QThread: Destroyed" not in done.stderr


def test_the_shipped_models_are_installed_off_the_gui_thread_before_the_labs_list_them(make_window, qtbot,
                                                                                       monkeypatch):
    from workbench import pretrained

    monkeypatch.setenv(pretrained.ENV_AUTO_INSTALL, "on")
    win = make_window(show=True, size=(1366, 768))
    qtbot.waitUntil(lambda: bool(win.labs), timeout=120_000)
    shipped = pretrained.entries()
    assert win._preloader.installed == len(shipped)
    assert win.browser.model.rowCount() == len(shipped)
    assert pretrained.install_missing(win.store) == []  # nothing left for the GUI thread


def test_the_engines_load_without_torchvision_which_the_preloader_imports_once_the_labs_can_be_built():
    """torchvision's ops import torch._dynamo (~3 s on 2 cores): the labs wait for the engines, not for that."""
    import subprocess
    import sys

    code = ("import importlib, sys\n"
            "from workbench.ui.shell.lab import LATE_PRELOAD_MODULES, PRELOAD_MODULES\n"
            "for name in PRELOAD_MODULES: importlib.import_module(name)\n"
            "from engines.core.tasks import TASKS; TASKS.names()\n"
            "from engines.models import build_model\n"
            "build_model('small_cnn', width=8)\n"
            "print(sorted(m for m in ('torchvision', 'torch._dynamo') if m in sys.modules), LATE_PRELOAD_MODULES)\n"
            "build_model('small_cnn', width=8, attention='se', reduction=4)\n"
            "print('torchvision' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split("\n")[:2] == ["[] ('torchvision',)", "True"]
