"""File ▸ Export report…: the report of the selected runs (or of the comparison shown) as HTML or PDF.

The report itself is :func:`workbench.report.build_report`, the same as ``workbench report``; here it is built
on a :class:`~workbench.ui.shell.worker.LabJob` thread (figures take seconds, a denoising or hyperspectral run's
figure longer), translated with the window's catalog, and, for a ``.pdf`` file name, printed with Qt's own
text engine: a ``QTextDocument`` holding the HTML, each embedded PNG registered as an image resource under its
data URI (``QTextDocument`` does not decode data URIs itself), then ``QPdfWriter``.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QMarginsF,
    QObject,
    QSettings,
    QUrl,
    Signal,
    Slot,
    qVersion,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import QFileDialog, QProgressBar

from workbench.ui.shell.worker import LabJob

PDF_RESOLUTION = 300  # dpi of the PDF's layout; the figures keep their own pixels
# No page margins of the writer's own: QTextDocument.print_() keeps a 2 cm margin inside the page itself.
PDF_MARGIN_MM = 0.0


def html_to_pdf(document: str, *, title: str = "") -> bytes:
    """The HTML report as PDF bytes (A4), through ``QTextDocument`` and ``QPdfWriter``."""
    from workbench.report import data_uri_images

    doc = QTextDocument()
    doc.setHtml(document)
    for src, png in data_uri_images(document):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(src), QImage.fromData(png))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_RESOLUTION)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM),
                          QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    writer.setCreator("CNN Workbench")
    doc.print_(writer)
    del writer  # ends the PDF (writes its trailer) before the buffer is read
    data = QByteArray(buffer.data())
    buffer.close()
    return bytes(data)


class ReportExporter(QObject):
    """Asks for a file, builds the report off the GUI thread with a progress bar in the status bar, writes it,
    and says where, or why not (a message naming the file; never a traceback)."""

    written = Signal(str)  # the file written
    failed = Signal(str)  # the message shown

    def __init__(self, window) -> None:
        super().__init__(window)
        from workbench.report import ReportCancelled, ReportError
        from workbench.store import StoreError

        self.window = window
        self.job = LabJob(self, "report", cancelled=(ReportCancelled,), plain=(ReportError, StoreError))
        self.job.progress.connect(self._on_progress)
        self.job.result.connect(self._on_result)
        self.job.error.connect(self._on_error)
        self.job.finished.connect(self._on_finished)
        self.bar = QProgressBar(objectName="reportProgress")
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.bar.hide()
        window.statusBar().addPermanentWidget(self.bar)
        self._path = ""
        window.installEventFilter(self)  # the window closing stops a report in progress and waits for it

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.window and event.type() == QEvent.Type.Close:
            self.job.shutdown()
        return False

    @property
    def busy(self) -> bool:
        return self.job.busy

    def runs_to_export(self) -> tuple[list[int], str | None]:
        """What the user looks at: on the Compare tab, the runs it compares (with its grouping); elsewhere the
        runs selected in the runs list."""
        window = self.window
        compare = window.compare
        if compare is not None and compare.runs() and window.tabs.currentWidget() is window.compare_tab:
            groups = compare.groups()
            return [run.id for run in compare.runs()], (groups[0].by if groups else None)
        return list(window.browser.selected_ids()), None

    def ask_path(self, run_ids: list[int]) -> str:
        settings = QSettings()
        folder = str(settings.value("paths/lastReportFolder", os.path.expanduser("~")))
        name = f"report-{run_ids[0]}.html" if len(run_ids) == 1 else f"report-{run_ids[0]}-{run_ids[-1]}.html"
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export report"), os.path.join(folder, name),
                                              self.tr("HTML report (*.html *.htm);;PDF report (*.pdf)"))
        if path:
            settings.setValue("paths/lastReportFolder", os.path.dirname(path))
        return path

    def export(self, path: str | None = None, run_ids: list[int] | None = None, group_by: str | None = None) -> bool:
        """Write the report of ``run_ids`` (default: :meth:`runs_to_export`) to ``path`` (default: ask); HTML
        or PDF by the file's suffix. Whether a report was started."""
        from workbench.report import ReportError, check_output_path

        if self.job.busy:
            self.window.status_label.setText(self.tr("A report is being written; wait for it to finish"))
            return False
        if run_ids is None:
            run_ids, group_by = self.runs_to_export()
        if not run_ids:
            self.window.status_label.setText(self.tr("Select the runs to report on (or compare them first)"))
            return False
        path = path if path is not None else self.ask_path(run_ids)
        if not path:
            return False
        if Path(path).suffix.lower() not in (".html", ".htm", ".pdf"):
            path += ".html"
        try:
            check_output_path(path)
        except ReportError as exc:
            self._fail(path, str(exc))
            return False
        self._path = path
        pdf = Path(path).suffix.lower() == ".pdf"
        store = self.window.store
        language = _language()
        qt_version = qVersion()

        def translate(context: str, text: str) -> str:
            return QCoreApplication.translate(context, text)  # thread-safe: it only reads the translators

        def work(should_stop, progress):
            from workbench.report import build_report, write_report

            report = build_report(store, run_ids, group_by=group_by, translate=translate, language=language,
                                  qt_version=qt_version, progress=progress, should_stop=should_stop)
            data = html_to_pdf(report.html, title=_title(report.html)) if pdf else report.html
            write_report(path, data)
            return path

        self.bar.setRange(0, 0)  # busy until the figures start counting
        self.bar.show()
        self.window.status_label.setText(self.tr("Writing the report %1…").replace("%1", path))
        self.job.start("report", work)
        return True

    # -- the job's outcome (GUI thread)
    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    @Slot(str, object)
    def _on_result(self, _kind: str, path) -> None:
        self.window.status_label.setText(self.tr("Report written to %1").replace("%1", str(path)))
        self.written.emit(str(path))

    @Slot(str, str)
    def _on_error(self, _kind: str, message: str) -> None:
        self._fail(self._path, message)

    @Slot(str, bool)
    def _on_finished(self, _kind: str, _stopped: bool) -> None:
        self.bar.hide()

    def _fail(self, path: str, message: str) -> None:
        message = message.removeprefix(f"cannot write the report to {path}: ")  # the file is named once
        text = self.tr("The report %1 was not written: %2").replace("%1", path).replace("%2", message)
        self.window.status_label.setText(text)
        self.window.warn(text)
        self.failed.emit(text)


def _language() -> str:
    from workbench.ui.shell.i18n import current_language

    return current_language()


def _title(document: str) -> str:
    import html
    import re

    match = re.search(r"<title>(.*?)</title>", document, re.S)
    return html.unescape(match.group(1)) if match else ""
