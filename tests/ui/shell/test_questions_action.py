"""Help ▸ Course questions… (Ctrl+Shift+A) opens the one Course-questions dialog, a card per question."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence


def test_the_course_questions_action_opens_one_dialog_with_a_card_per_question(make_window, qtbot):
    from workbench.answers import QUESTIONS
    from workbench.ui.shell.answers_view import AnswersDialog
    from workbench.ui.shell.main_window import SHORTCUTS

    win = make_window(show=True, ready=True, size=(1366, 768))
    action = win.findChild(QAction, "questionsAction")
    assert action is not None and action.shortcut() == QKeySequence("Ctrl+Shift+A")
    shortcuts = [a.shortcut() for a in win.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert shortcuts.count(QKeySequence("Ctrl+Shift+A")) == 1  # no other action takes it
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.menu() and action in a.menu().actions())
    assert help_menu.title() == "&Help"
    action.trigger()
    dialog = win.findChild(AnswersDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    assert set(dialog.cards) == {q.name for q in QUESTIONS}
    action.trigger()  # again: the same dialog, raised, not a second one
    assert win.findChildren(AnswersDialog) == [dialog]
    assert "Ctrl+Shift+A" in dict(SHORTCUTS)  # listed in Help ▸ Keyboard shortcuts
    dialog.close()
