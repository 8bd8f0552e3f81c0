"""A Qt-free reader of the window's translation catalog, for the command line (``workbench report --lang``).

The window translates through ``QTranslator`` and the compiled ``.qm``; the CLI imports no Qt, so it reads
the ``.ts`` source of the same catalog (``assets/i18n/workbench_<lang>.ts``, Qt Linguist's XML) with
:mod:`xml.etree.ElementTree`: context + source text → translation. An entry marked ``unfinished`` (or empty,
or a plural form) falls back to the source text, as Qt does for a message without a finished translation.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from workbench.paths import assets_dir

CATALOG = "workbench"  # assets/i18n/workbench_<lang>.ts, as the window's workbench_<lang>.qm


class CatalogError(ValueError):
    """A catalog that cannot be read: the message names the file and what is wrong."""


def catalog_dir() -> Path:
    return assets_dir() / "i18n"


def available_languages(folder: str | os.PathLike | None = None) -> list[str]:
    """The languages with a catalog (``zh_CN``), besides English (the source language)."""
    folder = Path(folder) if folder is not None else catalog_dir()
    prefix = f"{CATALOG}_"
    return sorted(p.stem[len(prefix):] for p in folder.glob(f"{prefix}*.ts"))


class Translator:
    """``translator(context, source)`` → the catalog's finished translation, else ``source``.

    The same call shape as ``QCoreApplication.translate``, so Qt-free code takes either.
    """

    def __init__(self, messages: dict[tuple[str, str], str] | None = None, language: str = "en") -> None:
        self.messages = dict(messages or {})
        self.language = language

    def __call__(self, context: str, source: str) -> str:
        return self.messages.get((context, source), source)

    def __len__(self) -> int:
        return len(self.messages)

    @classmethod
    def from_ts(cls, path: str | os.PathLike) -> "Translator":
        """Read a Qt Linguist ``.ts`` file; :class:`CatalogError` names the file when it cannot be read."""
        path = Path(path)
        try:
            root = ElementTree.parse(path).getroot()
        except OSError as exc:
            raise CatalogError(f"cannot read the translation catalog {path}: {exc.strerror or exc}") from None
        except ElementTree.ParseError as exc:
            raise CatalogError(f"the translation catalog {path} is not valid XML: {exc}") from None
        if root.tag != "TS":
            raise CatalogError(f"{path} is not a Qt translation catalog (its root element is <{root.tag}>)")
        messages: dict[tuple[str, str], str] = {}
        for context in root.iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                source = message.findtext("source")
                translation = message.find("translation")
                if source is None or translation is None or message.get("numerus") == "yes":
                    continue
                if translation.get("type") in ("unfinished", "obsolete", "vanished") or not translation.text:
                    continue
                messages[(name, source)] = translation.text
        language = (root.get("language") or path.stem.removeprefix(f"{CATALOG}_")).replace("-", "_")
        return cls(messages, language)


def load_translator(language: str | None, folder: str | os.PathLike | None = None) -> Translator:
    """The translator for ``language`` (``zh_CN``); English (``en``, ``en_US``, none) translates nothing.

    :class:`CatalogError` for a language without a catalog, naming the ones there are.
    """
    if not language or language.split("_")[0].lower() == "en":
        return Translator(language="en")
    folder = Path(folder) if folder is not None else catalog_dir()
    path = folder / f"{CATALOG}_{language}.ts"
    if not path.is_file():
        known = ", ".join(["en", *available_languages(folder)])
        raise CatalogError(f"no translation for {language!r} (no {path.name} in {folder}); languages: {known}")
    return Translator.from_ts(path)
