"""Translations: the app's ``.qm`` from ``assets/i18n`` and Qt's own, chosen by locale.

The language is ``Settings.language`` when set, else the system locale (``LANG``/``LC_ALL``).
English is the source language, so it needs no translator. ``packaging/update_translations.sh``
refreshes the ``.ts`` sources and rebuilds the ``.qm`` files.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from workbench.paths import assets_dir

CATALOG = "workbench"  # assets/i18n/workbench_<locale>.qm

_installed: list[QTranslator] = []  # kept referenced: Qt does not own installed translators


def i18n_dir():
    return assets_dir() / "i18n"


def resolve_language(language: str | None = None) -> str:
    """``language``, else the stored setting, else the system locale's name (``zh_CN``, ``en_US``)."""
    if not language:
        from workbench.settings import load_settings
        from workbench.store import StoreError

        try:
            language = load_settings().language
        except (StoreError, OSError):  # a home that cannot be created: the window says so once it is up
            language = ""
    return language or QLocale.system().name()


def install_translators(app: QCoreApplication | None = None, language: str | None = None) -> str:
    """Replace the installed translators with those for ``language``; returns the locale name used.

    A language without a catalog (English, or one not translated yet) leaves the English source texts.
    """
    app = app or QCoreApplication.instance()
    remove_translators(app)
    name = resolve_language(language)
    locale = QLocale(name)
    candidates = [
        (CATALOG, str(i18n_dir())),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ]
    for catalog, folder in candidates:
        translator = QTranslator(app)
        # Tries workbench_zh_CN.qm, then workbench_zh.qm; English finds none, which is intended.
        if translator.load(locale, catalog, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
    return name


def remove_translators(app: QCoreApplication | None = None) -> None:
    app = app or QCoreApplication.instance()
    while _installed:
        translator = _installed.pop()
        if app is not None:
            app.removeTranslator(translator)


def current_language() -> str:
    """The locale name of the installed app catalog (``zh_CN``), or ``en`` when none is installed."""
    for translator in _installed:
        if translator.filePath().endswith(".qm") and f"{CATALOG}_" in translator.filePath():
            return translator.language().replace("-", "_") or "en"
    return "en"
