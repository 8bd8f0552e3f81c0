#!/usr/bin/env bash
# Refresh the translation sources from the code and rebuild the compiled catalogs.
#
#   packaging/update_translations.sh          # lupdate: new and changed texts into assets/i18n/*.ts
#                                             # lrelease: assets/i18n/*.ts -> *.qm (what the app loads)
#
# Then translate the new entries (type="unfinished") with Qt Linguist (pyside6-linguist) or an editor,
# and run this script again so the .qm files follow; tests/ui/shell/test_i18n.py fails on unfinished entries
# and on a .qm older than its .ts.
set -euo pipefail
cd "$(dirname "$0")/.."

LANGUAGES=(zh_CN)
# Everything the window shows: the UI, and the core's texts marked with QT_TRANSLATE_NOOP
# (study presets, verdict sentences; the engines' texts are listed in workbench/ui/shell/engine_texts.py).
SOURCES=(workbench/ui/shell/*.py workbench/ui/labs/*.py workbench/ui/labs/*/*.py workbench/studies.py workbench/verdicts.py workbench/report.py workbench/answers.py)

for lang in "${LANGUAGES[@]}"; do
    ts="assets/i18n/workbench_${lang}.ts"
    # -no-obsolete: a text removed from the code leaves the catalog instead of lingering as "vanished".
    # -locations none: line numbers would churn the .ts on every edit of the UI.
    # A text moved to another class is new in its new context: the first pass keeps the old entries,
    # carry_translations.py copies their translations over, the second pass drops what no code uses.
    pyside6-lupdate -locations none -target-language "$lang" "${SOURCES[@]}" -ts "$ts"
    python "packaging/carry_translations.py" "$ts"
    pyside6-lupdate -no-obsolete -locations none -target-language "$lang" "${SOURCES[@]}" -ts "$ts"
    pyside6-lrelease "$ts" -qm "assets/i18n/workbench_${lang}.qm"
done
