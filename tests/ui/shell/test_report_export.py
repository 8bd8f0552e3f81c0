"""File ▸ Export report…: the compared (or selected) runs as HTML or PDF, built off the GUI thread, with the
Compare view's numbers; a file that cannot be written gets a message naming it."""
from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QAction, QKeySequence

from tests.workbench.test_report import check_self_contained, parse, summary_cells, train_runs
from workbench.compare import SUMMARY_COLUMNS
from workbench.store import RunStore

TIMEOUT_MS = 60_000


@pytest.fixture
def runs():
    with RunStore() as store:
        return train_runs(store, {"none": {}, "softmax": {}})


def export(qtbot, win, path, **kwargs) -> str:
    """Export through the window's exporter and wait for its outcome; the message, or '' when written."""
    from workbench.ui.shell.report_export import ReportExporter

    if getattr(win, "report_exporter", None) is None:
        win.report_exporter = ReportExporter(win)
    exporter = win.report_exporter
    with qtbot.waitSignals([exporter.job.finished], timeout=TIMEOUT_MS, raising=True):
        outcome: list[str] = []
        exporter.written.connect(lambda _p: outcome.append(""))
        exporter.failed.connect(outcome.append)
        assert exporter.export(str(path), **kwargs)
    assert not exporter.bar.isVisible()  # the progress bar goes once the report is done
    return outcome[0]


def test_the_action_is_in_the_file_menu_with_its_shortcut(make_window):
    win = make_window()
    action = win.findChild(QAction, "exportReportAction")
    assert action is not None and action in win.file_menu.actions()
    assert action.shortcut() == QKeySequence("Ctrl+Shift+E")
    shortcuts = [a.shortcut() for a in win.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert shortcuts.count(QKeySequence("Ctrl+Shift+E")) == 1  # no other action takes it


def test_compared_runs_export_to_html_with_the_compare_views_numbers(make_window, qtbot, runs, tmp_path):
    win = make_window(show=True, ready=True, size=(1366, 768))
    win.open_compare(runs)
    compare = win.compare
    out = tmp_path / "report.html"
    assert export(qtbot, win, out) == ""
    assert win.status_label.text() == f"Report written to {out}"
    assert win.report_exporter.runs_to_export() == (runs, None)  # the Compare tab's runs
    document = out.read_text(encoding="utf-8")
    parsed = parse(document)
    check_self_contained(parsed)
    assert len(parsed.images) == 2  # curves and cost–quality: classification runs without a confusion matrix
    table = summary_cells(parsed, document)
    shown = [[compare.table.item(r, c).text() for c in range(compare.table.columnCount())]
             for r in range(compare.table.rowCount())]
    assert len(table) == len(shown) == 2
    for report_row, view_row in zip(table, shown):
        n = report_row["n"]
        for key, view_cell in zip(SUMMARY_COLUMNS, view_row[1:]):
            # The view writes "mean ± std (n=k)" in each cell, the report n once in its own column.
            assert view_cell in (report_row[key], f"{report_row[key]} (n={n})"), (key, report_row[key], view_cell)
        assert re.search(r"\d", report_row["final"])  # numbers, not only dashes


def test_selected_runs_export_to_a_pdf(make_window, qtbot, runs, tmp_path):
    win = make_window(show=True, ready=True, size=(1366, 768))
    win.browser.refresh()
    win.browser.select(runs[:2])
    win.tabs.setCurrentIndex(0)  # not the Compare tab: the selection is what is reported
    out = tmp_path / "report.pdf"
    assert export(qtbot, win, out) == ""
    assert sorted(win.report_exporter.runs_to_export()[0]) == sorted(runs[:2])
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 40_000  # the two figures are in it, not only text
    assert data.count(b"/Subtype /Image") + data.count(b"/Subtype/Image") >= 2


def test_a_file_that_cannot_be_written_gets_a_message_naming_it(make_window, qtbot, runs, tmp_path):
    win = make_window(show=True, ready=True)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    target = blocked / "report.html"
    from workbench.ui.shell.report_export import ReportExporter

    win.report_exporter = ReportExporter(win)
    assert not win.report_exporter.export(str(target), run_ids=runs)  # refused before any work
    message = win.property("last_warning")
    assert message == f"The report {target} was not written: no folder {blocked}"
    assert win.report_exporter.busy is False
    # A folder given as the file.
    folder = tmp_path / "folder.html"
    folder.mkdir()
    assert not win.report_exporter.export(str(folder), run_ids=runs)
    assert "it is a folder" in win.property("last_warning")


def test_a_write_failing_in_the_worker_is_a_message_not_a_traceback(make_window, qtbot, runs, tmp_path,
                                                                    monkeypatch):
    win = make_window(show=True, ready=True)
    import workbench.report as report

    def full_disk(path, _data):
        raise report.ReportError(f"cannot write the report to {path}: No space left on device")

    monkeypatch.setattr(report, "write_report", full_disk)
    out = tmp_path / "full.html"
    message = export(qtbot, win, out, run_ids=runs)
    assert message == f"The report {out} was not written: No space left on device"
    assert win.property("last_warning") == message and "Traceback" not in message
    assert not out.exists()


def test_triggering_the_action_asks_for_a_file(make_window, qtbot, runs, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    win = make_window(show=True, ready=True)
    win.open_compare(runs)
    out = tmp_path / "asked"  # no suffix: HTML is written, with its suffix
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append(a), (str(out), ""))[1]))
    win.findChild(QAction, "exportReportAction").trigger()
    exporter = win.report_exporter
    assert asked and exporter.busy and exporter.bar.isVisible()
    qtbot.waitUntil(lambda: not exporter.busy, timeout=TIMEOUT_MS)
    assert (tmp_path / "asked.html").is_file()


def test_nothing_to_report_says_what_to_do(make_window):
    win = make_window(show=True, ready=True)
    win.browser.view.clearSelection()
    from workbench.ui.shell.report_export import ReportExporter

    win.report_exporter = ReportExporter(win)
    assert not win.report_exporter.export("/tmp/unused.html", run_ids=[])
    assert win.status_label.text() == "Select the runs to report on (or compare them first)"


def test_closing_the_window_stops_a_report_in_progress(make_window, qtbot, runs, tmp_path):
    from workbench.ui.shell.report_export import ReportExporter
    from workbench.ui.shell.worker import running_threads

    win = make_window(show=True, ready=True)
    win.report_exporter = ReportExporter(win)
    assert win.report_exporter.export(str(tmp_path / "r.html"), run_ids=runs)
    win.close()
    assert not running_threads()


@pytest.mark.parametrize(("key", "value", "text"), [
    ("final", 0.94444, "0.9444"), ("final", 1234.5, "1234"), ("params", 24346.0, "24,346"),
    ("epochs", 12.5, "12.5"), ("flops", 5.6e6, "5.60 M"), ("flops", 2.5e12, "2.50 T"), ("flops", 999.0, "999"),
    ("throughput", 1593.2, "1,593"), ("latency_ms", 0.61, "0.610"), ("seconds", 1.94, "1.9"), ("final", None, "–"),
])
def test_report_numbers_are_written_as_the_compare_view_writes_them(key, value, text):
    """One number format for the Compare view's table and the report (workbench.compare), so they cannot drift."""
    import workbench.report as report
    import workbench.ui.shell.compare_view as view
    from workbench.compare import format_cell, format_number

    assert view.format_number is format_number
    assert view.format_cell is report.format_cell is format_cell
    assert format_number(value, key) == text
    if value is not None:
        group = {"n": 3, key: value, f"{key}_std": 0.0123, f"{key}_n": 3}
        assert format_cell(group, key) == f"{text} ± {format_number(0.0123, key)} (n=3)"
        same = {"n": 3, key: value, f"{key}_std": 0.0, f"{key}_n": 3}  # constant over seeds: no "± 0"
        assert format_cell(same, key) == (text if key in ("params", "flops", "epochs") else
                                          f"{text} ± {format_number(0.0, key)} (n=3)")
