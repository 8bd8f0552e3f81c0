#!/usr/bin/env bash
# Build the one-folder bundle dist/cnn-workbench/ and check it with --self-test.
#
#   bash packaging/build.sh            # build, then run the frozen self-test
#   SKIP_SELF_TEST=1 bash packaging/build.sh
#
# Needs the app's dependencies and PyInstaller in the current Python:
#   pip install -e '.[packaging]'
# The bundle holds whatever torch is installed; see packaging/README.md for a CPU-only one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python}"

if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: PyInstaller is not installed; run: pip install -e '.[packaging]'" >&2
    exit 2
fi

start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
    packaging/cnn-workbench.spec
end=$(date +%s)

case "$(uname -s)" in
    Darwin) exe="$ROOT/dist/CNN Workbench.app/Contents/MacOS/cnn-workbench" ;;
    MINGW*|MSYS*|CYGWIN*) exe="$ROOT/dist/cnn-workbench/cnn-workbench.exe" ;;
    *) exe="$ROOT/dist/cnn-workbench/cnn-workbench" ;;
esac

echo "build.sh: built in $((end - start)) s"
echo "build.sh: bundle size $(du -sh "$ROOT/dist/cnn-workbench" | cut -f1) ($ROOT/dist/cnn-workbench)"

if [[ "${SKIP_SELF_TEST:-0}" != "1" ]]; then
    echo "build.sh: running the frozen self-test"
    QT_QPA_PLATFORM=offscreen "$exe" --self-test
fi
