"""Fill a Qt catalog's new entries from translations it already has for the same English text.

Qt's ``tr()`` takes the class name as its context, so moving a text into another class (splitting a lab into one
widget per tab) makes lupdate list it as new in the new context and as vanished in the old one. Run between an
lupdate that keeps vanished entries and one that drops them (packaging/update_translations.sh does), so a move
costs no translation. An English text translated two different ways is left for a person to choose.

    python packaging/carry_translations.py assets/i18n/workbench_zh_CN.ts
"""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def carry(path: str) -> int:
    tree = ET.parse(path)
    known: dict[str, set[str]] = defaultdict(set)
    for message in tree.iter("message"):
        translation = message.find("translation")
        if translation is not None and translation.get("type") != "unfinished" and translation.text:
            known[message.findtext("source")].add(translation.text)
    filled = 0
    for message in tree.iter("message"):
        translation = message.find("translation")
        if translation is None or translation.get("type") != "unfinished":
            continue
        choices = known.get(message.findtext("source"), set())
        if len(choices) == 1:
            translation.text = next(iter(choices))
            del translation.attrib["type"]
            filled += 1
    if filled:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return filled


if __name__ == "__main__":
    for ts in sys.argv[1:]:
        print(f"{ts}: {carry(ts)} entries carried over from moved texts")
