"""A branch a sync leaves as it is, in the Result column: the walk's "drafts: 1 behind, not
checked out" read "1 behind, not checked out" at some widths and "Behind" in a narrower
column, the branch's name gone, as if the repository were behind. Its briefer forms keep
the name first ("drafts: 1 behind…", then "drafts: behind"), in English and German."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QLocale, QRect, QSize
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from core.model import RepoRecord
from gui.translations import install_translations
from gui.widgets.result_delegate import least_width, shown_text
from tests.gui.test_standing import RESULT_COLUMN, branch, window_with

FORMS = {  # the line, then its briefer forms as a narrowing column shows them
    "en_US": ["drafts: 1 behind, not checked out", "drafts: 1 behind…", "drafts: behind"],
    "de_DE": ["drafts: 1 zurück, nicht ausgecheckt", "drafts: 1 zurück…", "drafts: zurück"],
}


@pytest.mark.parametrize("locale", FORMS)
def test_a_left_behind_branch_keeps_its_name_at_every_width(
    qtbot: object, qapp: QApplication, locale: str
) -> None:
    installed = install_translations(qapp, QLocale(locale)) if locale != "en_US" else []
    try:
        notes = RepoRecord(1, "website", "/w", last_result="ok")
        main = replace(branch("main", 0, 0), checked_out=True)
        drafts = replace(branch("drafts", 0, 1), checked_out=False)
        window = window_with(qtbot, notes, branches={1: [main, drafts]})
        table = window.repo_table
        index = table.model().index(0, RESULT_COLUMN)
        seen = []
        for width in range(least_width(table), 400):
            option = QStyleOptionViewItem()
            option.initFrom(table.viewport())
            option.rect = QRect(0, 0, width, 24)
            option.decorationSize = QSize(16, 16)
            text = shown_text(option, index)
            assert text.startswith("drafts: "), (width, text)
            if text not in seen:
                seen.append(text)
        # narrowest first; German's least width already holds "drafts: 1 zurück…"
        assert seen == list(reversed(FORMS[locale]))[-len(seen) :] and len(seen) >= 2, seen
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
