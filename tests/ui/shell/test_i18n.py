"""Translations: the window in Simplified Chinese and in English, a complete and compiled catalog, the guides."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from workbench.paths import assets_dir

TS = assets_dir() / "i18n" / "workbench_zh_CN.ts"
QM = assets_dir() / "i18n" / "workbench_zh_CN.qm"
CJK = re.compile(r"[\u4e00-\u9fff]")

# Visible texts that stay as they are in every language, each with its reason. Keep it short: a new
# English text belongs in the catalog, not here.
UNTRANSLATED = {
    "FLOPs": "the unit's own name, used as is in Chinese texts",
    "Dropout": "the layer's name, used as is in Chinese courses",
}


def _is_data(text: str) -> bool:
    """Run data, numbers, identifiers, file names and units: what the catalog rightly does not hold."""
    plain = re.sub(r"<[^>]+>", " ", text).strip()
    if not re.search(r"[A-Za-z]{2,}", plain):
        return True  # numbers, symbols, units such as "σ", "–", "#3", "12 %"
    # one token: a model, dataset, option or metric identifier (mobilenet_v2, val_acc, cpu) or a file name
    return " " not in plain


@pytest.fixture
def chinese(qapp):
    from workbench.ui.shell.i18n import install_translators, remove_translators

    assert install_translators(qapp, "zh_CN") == "zh_CN"
    yield
    remove_translators(qapp)  # the other tests read the English texts


def _window(qtbot):
    from workbench.ui.shell.main_window import MainWindow

    win = MainWindow()
    win.setProperty("suppress_dialogs", True)
    qtbot.addWidget(win)
    win.show()
    win.ensure_ready()
    return win


def visible_texts(win) -> list[tuple[str, str]]:
    """(where, text) for every text a user reads in the window: menus, tabs, docks, buttons, labels, headers."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QDockWidget,
        QGroupBox,
        QHeaderView,
        QLabel,
        QMenu,
        QTabWidget,
    )

    found: list[tuple[str, str]] = []
    for menu in win.menuBar().findChildren(QMenu):
        found.append(("menu", menu.title()))
        found += [("action", a.text()) for a in menu.actions() if not a.isSeparator()]
    for widget in win.findChildren(QAbstractButton):
        found.append((f"{type(widget).__name__} {widget.objectName()}", widget.text()))
    for widget in win.findChildren(QLabel):
        found.append((f"label {widget.objectName()}", widget.text()))
    for widget in win.findChildren(QGroupBox):
        found.append(("group", widget.title()))
    for widget in win.findChildren(QDockWidget):
        found.append(("dock", widget.windowTitle()))
    for widget in win.findChildren(QTabWidget):
        found += [(f"tab {widget.objectName()}", widget.tabText(i)) for i in range(widget.count())]
    for header in win.findChildren(QHeaderView):
        if header.orientation() == Qt.Orientation.Horizontal and header.model() is not None:
            model = header.model()
            found += [("header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                      for c in range(model.columnCount())]
    import pyqtgraph as pg

    for plot in win.findChildren(pg.PlotWidget):
        item = plot.getPlotItem()
        found.append(("plot title", item.titleLabel.text or ""))
        found += [("axis", item.getAxis(side).labelText or "") for side in ("left", "bottom")]
    return [(where, text) for where, text in found if text and text.strip()]


def test_chinese_window_menus_tabs_docks_and_buttons(chinese, qtbot):
    win = _window(qtbot)
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus[0] == "文件(&F)" and "&File" not in menus
    assert all(CJK.search(text) for text in menus), menus
    tabs = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert tabs[:2] == ["训练", "对比"] and len(tabs) == 2 + len(win.labs)
    assert all(CJK.search(text) for text in tabs), tabs
    assert win.runs_dock.windowTitle() == "运行记录" and win.new_run_dock.windowTitle() == "新建运行"
    assert CJK.search(win.start_button.text())
    assert [lab.title for lab in win.labs] == ["Classification", "Hyperspectral", "Retrieval", "Denoising"]
    assert CJK.search(win.progress.title.text())
    # Qt's own texts follow too (qtbase_zh_CN.qm): standard dialog buttons.
    from PySide6.QtWidgets import QDialogButtonBox

    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert CJK.search(buttons.button(QDialogButtonBox.StandardButton.Cancel).text())
    win.close()


def test_every_visible_text_of_the_chinese_window_is_translated(chinese, qtbot):
    win = _window(qtbot)
    for index in range(win.tabs.count()):  # each lab builds its widgets once shown
        win.tabs.setCurrentIndex(index)
    texts = visible_texts(win)
    assert len(texts) > 150
    untranslated = sorted({f"{where}: {text!r}" for where, text in texts
                           if not CJK.search(text) and text not in UNTRANSLATED and not _is_data(text)})
    assert not untranslated, "texts without a translation:\n" + "\n".join(untranslated)
    win.close()


def test_english_window_shows_the_source_texts(qapp, qtbot):
    from workbench.ui.shell.i18n import install_translators, remove_translators

    assert install_translators(qapp, "en_US") == "en_US"
    try:
        win = _window(qtbot)
        assert [a.text() for a in win.menuBar().actions()] == ["&File", "&Edit", "&Run", "&View", "&Help"]
        assert [win.tabs.tabText(i) for i in range(2)] == ["Training", "Compare"]
        assert [win.tabs.tabText(i) for i in range(2, win.tabs.count())] == [lab.title for lab in win.labs]
        assert win.runs_dock.windowTitle() == "Runs"
        assert not [text for _where, text in visible_texts(win) if CJK.search(text)]
        win.close()
    finally:
        remove_translators(qapp)


def test_language_follows_the_setting_then_the_system_locale(qapp, monkeypatch):
    from PySide6.QtCore import QLocale

    from workbench.settings import load_settings, save_settings
    from workbench.ui.shell.i18n import current_language, remove_translators, resolve_language

    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("zh_CN")))
    assert resolve_language() == "zh_CN"
    settings = load_settings()
    settings.language = "en"
    save_settings(settings)
    assert resolve_language() == "en"
    assert resolve_language("zh_CN") == "zh_CN"
    remove_translators(qapp)
    assert current_language() == "en"


def test_catalog_is_complete_and_compiled():
    root = ET.parse(TS).getroot()
    messages = list(root.iter("message"))
    assert root.get("language") == "zh_CN" and len(messages) > 500
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
                  or not "".join(m.find("translation").itertext()).strip()]
    assert not unfinished, f"untranslated in {TS.name}: {unfinished}"
    for m in messages:  # placeholders survive translation
        source, translation = m.findtext("source"), "".join(m.find("translation").itertext())
        for placeholder in set(re.findall(r"%\d|%n|\{[^}]+\}", source)):
            assert placeholder in translation, (source, translation)


def test_qm_is_built_from_the_current_ts(tmp_path):
    lrelease = shutil.which("pyside6-lrelease")
    if lrelease is None:
        pytest.skip("pyside6-lrelease is not installed")
    rebuilt = tmp_path / "rebuilt.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(rebuilt)], check=True, timeout=60)
    assert rebuilt.read_bytes() == QM.read_bytes(), "run packaging/update_translations.sh"


def test_engine_texts_the_window_shows_are_in_the_catalog():
    """Task titles, config help and recipe titles come from the engines (no Qt there); the UI lists them."""
    import dataclasses

    from engines.core.tasks import TASKS, get_task
    from engines.labs.classify.recipes import RECIPES
    from engines.labs.denoise.methods import METHOD_TITLES
    from workbench.studies import PRESETS

    sources = {(ctx.findtext("name"), m.findtext("source"))
               for ctx in ET.parse(TS).getroot().iter("context") for m in ctx.iter("message")}
    wanted = {("Tasks", get_task(name).title) for name in TASKS.names()}
    for name in TASKS.names():
        for f in dataclasses.fields(get_task(name).config_cls):
            if f.name not in ("task", "model_options", "data_options"):
                wanted |= {("ConfigForm", f.name.replace("_", " ")), ("ConfigForm", f.metadata.get("help", ""))}
    wanted |= {("Recipes", r.title) for r in RECIPES.values()}
    wanted |= {("Methods", t) for key, t in METHOD_TITLES.items() if key != "dncnn"}
    wanted |= {("Studies", text) for name in PRESETS.names() for text in (PRESETS.get(name).title,
                                                                         PRESETS.get(name).question)}
    missing = sorted(wanted - sources)
    assert not missing, "list these in workbench/ui/shell/engine_texts.py (or mark them) and update the catalog: " \
                        f"{missing}"


# -- guides ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lab", ["classification", "denoising", "hyperspectral", "retrieval"])
def test_each_guide_exists_in_both_languages(lab):
    english = (assets_dir() / "guides" / f"{lab}.en.html").read_text(encoding="utf-8")
    chinese = (assets_dir() / "guides" / f"{lab}.zh_CN.html").read_text(encoding="utf-8")
    assert len(CJK.findall(chinese)) > 300 and not CJK.search(re.sub(r"<[^>]+>", "", english))
    for text in (english, chinese):
        assert "<h2" in text and re.search(r"\b(19|20)\d\d\b", text)  # sections and the papers' years


def test_guide_pane_opens_in_chinese_from_the_help_menu(chinese, qtbot):
    from workbench.ui.shell.guide import GuidePane

    win = _window(qtbot)
    lab = next(lab for lab in win.labs if lab.title == "Denoising")
    win.tabs.setCurrentWidget(lab)
    pane = lab.findChild(GuidePane)
    assert pane.isHidden()  # a side panel until asked for
    win.guide_action.trigger()
    assert pane.isVisible() and win.tabs.currentWidget() is lab
    assert "DnCNN" in pane.toPlainText() and len(CJK.findall(pane.toPlainText())) > 300
    assert pane.openExternalLinks()
    # From the Training tab the guide of the first lab opens; in a lab with tabs it is a tab.
    win.tabs.setCurrentIndex(0)
    win.guide_action.trigger()
    first = win.labs[0]
    assert win.tabs.currentWidget() is first
    assert first.tabs.currentWidget() is first.findChild(GuidePane)
    assert first.tabs.tabText(first.tabs.currentIndex()) == "指南"
    win.close()


def test_guide_pane_in_english_without_a_translator(qtbot):
    from workbench.ui.shell.guide import GuidePane

    pane = GuidePane("retrieval")
    qtbot.addWidget(pane)
    text = pane.toPlainText()
    assert "DSCMR" in text and "J2" in text and not CJK.search(text)
