"""What Enter presses in the ssh dialogs, as a keyboard user meets them: a button made
the default before it was in its dialog left the dialog to pick its own, so Enter on an
unknown host's key accepted it (Cancel was meant); in the passphrase dialog Enter answers
with what was typed, even after Tab went round to Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from core.git.transfer.ssh_questions import HostKeyQuestion, PassphraseQuestion
from gui.windows.ssh_dialogs import HostKeyDialog, PassphraseDialog

Button = QDialogButtonBox.StandardButton


def test_enter_on_an_unknown_host_key_declines_it(qtbot: QtBot) -> None:
    dialog = HostKeyDialog(HostKeyQuestion("origin", "[127.0.0.1]:2222", "ED25519", "SHA256:abc"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    accept = dialog.buttons.button(Button.Ok)
    accept.setFocus()  # Tab onto Accept, then away: still not what Enter presses
    dialog.buttons.button(Button.Cancel).setFocus()
    dialog.setFocus()
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.answer() is None and dialog.result() == 0
    dialog.show()
    accept.click()  # accepting takes a click (or Space on it)
    assert dialog.answer() == "SHA256:abc"


def test_enter_in_the_passphrase_field_answers_after_tab_went_round(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(PassphraseQuestion("origin", "/home/me/.ssh/id_ed25519"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.buttons.button(Button.Cancel).setFocus()  # shift+Tab from the field lands here
    dialog.secret_edit.setFocus()
    QTest.keyClicks(dialog.secret_edit, "s3cret")
    QTest.keyClick(dialog.secret_edit, Qt.Key.Key_Return)
    assert dialog.answer() == "s3cret"


def test_a_passphrase_asked_again_says_the_last_one_was_not_right(qtbot: QtBot) -> None:
    """A trial: a wrong passphrase, Enter, and the very same dialog came back, saying
    nothing: as if Enter had done nothing."""

    def intro(again: bool) -> str:
        dialog = PassphraseDialog(PassphraseQuestion("origin", "/home/me/.ssh/id_ed25519", again))
        qtbot.addWidget(dialog)
        return " ".join(label.text() for label in dialog.findChildren(QLabel))

    assert "not right" not in intro(False) and "id_ed25519" in intro(False)
    assert "That passphrase was not right: ssh asks again for the key" in intro(True)
