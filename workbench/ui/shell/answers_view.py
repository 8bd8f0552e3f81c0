"""Help ▸ Course questions: one card per question of the course, answered three ways.

Each card (:class:`AnswerCard`) holds the mechanism in a paragraph, the verdict of the user's own runs (the
newest study of the question's preset with finished runs, :mod:`workbench.answers`) with "Open in Compare",
or "No runs yet", and the published numbers beside. "Run this study…" opens the New-study dialog with the
question's preset chosen; the runs it queues go through the window like any study's.
"""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.answers import QUESTIONS, Answer, Question, answer

if TYPE_CHECKING:
    from workbench.ui.shell.main_window import MainWindow


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def _muted(widget: QWidget) -> None:
    palette = widget.palette()
    palette.setColor(widget.foregroundRole(), palette.color(palette.ColorRole.PlaceholderText))
    widget.setPalette(palette)


class AnswerCard(QFrame):
    """One question: title, mechanism, "Your runs" (verdict or "No runs yet"), the paper's numbers."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.answer: Answer | None = None
        self.setObjectName(f"answerCard-{question.name}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.title = QLabel(translate("Answers", question.title))
        self.title.setObjectName("answerTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.mechanism = QLabel(translate("Answers", question.mechanism))
        self.mechanism.setObjectName("answerMechanism")
        self.mechanism.setWordWrap(True)
        self.mechanism.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        runs_heading = self.tr("Your runs")
        self.runs_heading = QLabel(f"<b>{escape(runs_heading)}</b>")
        self.verdict = QLabel()
        self.verdict.setObjectName("answerVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_button = QPushButton(self.tr("Run this study…"))
        self.run_button.setObjectName("answerRunStudy")
        self.compare_button = QPushButton(self.tr("Open in Compare"))
        self.compare_button.setObjectName("answerOpenCompare")
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.compare_button)
        buttons.addStretch(1)
        runs = QVBoxLayout()
        runs.addWidget(self.runs_heading)
        runs.addWidget(self.verdict)
        runs.addLayout(buttons)
        runs.addStretch(1)

        paper_heading = self.tr("Published")
        self.paper_heading = QLabel(f"<b>{escape(paper_heading)}</b>")
        self.paper = QLabel()
        self.paper.setObjectName("answerPaper")
        self.paper.setWordWrap(True)
        self.paper.setTextFormat(Qt.TextFormat.RichText)
        self.paper.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.paper_note = QLabel(translate("Answers", question.paper_note))
        self.paper_note.setWordWrap(True)
        _muted(self.paper_note)
        paper = QVBoxLayout()
        paper.addWidget(self.paper_heading)
        paper.addWidget(self.paper)
        paper.addWidget(self.paper_note)
        paper.addStretch(1)

        columns = QGridLayout()
        columns.addLayout(runs, 0, 0)
        columns.addLayout(paper, 0, 1)
        columns.setColumnStretch(0, 3)
        columns.setColumnStretch(1, 2)
        columns.setHorizontalSpacing(24)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.mechanism)
        layout.addLayout(columns)

    def set_answer(self, result: Answer, *, actions: bool = True) -> None:
        """Show ``result``; ``actions`` False hides the buttons (the card inside Compare needs none)."""
        self.answer = result
        self.compare_button.setVisible(actions and result.has_runs)
        self.run_button.setVisible(actions)
        self.run_button.setText(self.tr("Run this study again…") if result.has_runs else self.tr("Run this study…"))
        self.verdict.setText(self._verdict_html(result))
        rows = "".join(
            f"<tr><td>{escape(p.what)}</td><td style='padding-left:12px'><b>{escape(p.value)}</b></td></tr>"
            f"<tr><td colspan='2' style='padding-bottom:4px'><small>{escape(p.source)}</small></td></tr>"
            for p in result.paper)
        self.paper.setText(f"<table cellspacing='0'>{rows}</table>")

    def _verdict_html(self, result: Answer) -> str:
        if not result.has_runs:
            return escape(self.tr("No runs yet. “Run this study…” queues the runs that answer it on this "
                                  "machine; the card fills in when they have finished."))
        head = self.tr("Study %1: %2 finished of %3 run(s).").replace("%1", result.study or "") \
            .replace("%2", str(len(result.run_ids))).replace("%3", str(result.total_runs))
        parts = [f"<p>{escape(head)}</p>"]
        if result.groups:
            unit = {"points": self.tr("points"), "dB": "dB"}.get(result.unit, "")
            label = f"{result.metric} ({unit})" if unit else str(result.metric)
            cells = "".join(
                f"<tr><td>{escape(g.label)}</td><td align='right' style='padding-left:12px'>"
                f"{escape(g.mean)}{' ± ' + escape(g.std) if g.std else ''}</td>"
                f"<td style='padding-left:8px'><small>n={g.n}</small></td></tr>" for g in result.groups)
            parts.append(f"<p><small>{escape(label)}</small></p><table cellspacing='0'>{cells}</table>")
        if result.sentences:
            items = []
            for sentence, notes in zip(result.sentences, result.sentence_notes or [[]] * len(result.sentences)):
                caveats = "".join(f"<br><small>({escape(note)})</small>" for note in notes)
                items.append(f"<li>{escape(sentence)}{caveats}</li>")
            parts.append("<ul style='margin-left:-20px'>" + "".join(items) + "</ul>")
        if result.problem:
            no_verdict = self.tr("No verdict yet: %1").replace("%1", result.problem)
            parts.append(f"<p>{escape(no_verdict)}</p>")
        parts.extend(f"<p><small>{escape(n)}</small></p>" for n in result.notes)
        return "".join(parts)

    def verdict_text(self) -> str:
        """The "Your runs" part as plain text (what a user reads)."""
        from PySide6.QtGui import QTextDocument

        document = QTextDocument()
        document.setHtml(self.verdict.text())
        return document.toPlainText()


class AnswersDialog(QDialog):
    """The course's questions as cards, for the main window ``window`` (its store, its studies, Compare)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.study_dialog = None  # the New-study dialog last opened from a card
        self.setObjectName("answersDialog")
        self.setWindowTitle(self.tr("Course questions"))
        intro = QLabel(self.tr("The course's questions, each answered three ways: the mechanism, your own runs "
                               "(the newest study that answers it, judged with confidence intervals and tests), "
                               "and the published numbers."))
        intro.setWordWrap(True)
        self.cards: dict[str, AnswerCard] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        column.setSpacing(12)
        for q in QUESTIONS:
            card = AnswerCard(q, body)
            card.run_button.clicked.connect(lambda _=False, name=q.preset: self.run_study(name))
            card.compare_button.clicked.connect(lambda _=False, name=q.name: self.open_in_compare(name))
            self.cards[q.name] = card
            column.addWidget(card)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Refresh, self, activated=self.refresh)
        runner = getattr(window, "runner", None)
        if runner is not None:
            runner.run_finished.connect(self._on_run_finished)
        # Within the window it belongs to (a 1366×768 laptop included), wide enough for two columns per card.
        self.resize(max(640, min(1040, window.width() - 80)), max(480, min(820, window.height() - 40)))

    @classmethod
    def show_for(cls, window: MainWindow) -> AnswersDialog:
        """The window's one Course-questions dialog, refreshed, shown and raised."""
        dialog = window.findChild(cls) or cls(window)
        dialog.refresh()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    @Slot()
    def refresh(self) -> None:
        store = self.window_.store
        for q in QUESTIONS:
            self.cards[q.name].set_answer(answer(store, q, translate=translate))

    @Slot(int, str, dict)
    def _on_run_finished(self, *_args) -> None:
        if self.isVisible():
            self.refresh()

    def run_study(self, preset: str) -> None:
        """Open the New-study dialog on ``preset``; its runs are queued as the window's own studies are."""
        from workbench.ui.shell.study_dialog import StudyDialog

        window = self.window_
        dialog = StudyDialog(window, preset=preset)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: window.queue_study(dialog.planned_runs(), dialog.factor()))
        self.study_dialog = dialog
        dialog.open()

    def open_in_compare(self, name: str) -> None:
        card = self.cards[name]
        if card.answer is None or not card.answer.has_runs:
            return
        self.window_.open_compare(card.answer.run_ids, group_by=card.answer.factor)
        self.close()
