"""The repository list's header at 900 px in German (a newcomer's trial): the name column
gave way to the header's minimum, 60 px, and the sort arrow was painted over "Repository".
A column that gives way keeps its header's text whole beside the arrow."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication

from core.model import RepoRecord
from gui.translations import install_translations
from gui.widgets.result_delegate import least_width
from gui.windows.status_window import RESULT_MIN_WIDTH
from tests.gui.test_standing import RESULT_COLUMN, branch, window_with
from tests.gui.test_whole_texts import sized


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_the_sort_arrow_never_covers_a_column_title(qtbot: object, qapp: QApplication, locale: str) -> None:
    installed = install_translations(qapp, QLocale(locale)) if locale != "en_US" else []
    try:
        notes = RepoRecord(1, "notes", "/n", last_result="ok")
        window = window_with(qtbot, notes, branches={1: [branch("main", 0, 0)]})
        window.select_repo(1)
        sized(qtbot, window, 900)
        QApplication.processEvents()  # the branch table's first fit gives it its room (half the window)
        table = window.repo_table
        header = table.horizontalHeader()
        # the list as narrow as the trial's (422 px): room for the titles and Result's least, little more
        titles = sum(header.sectionSizeHint(column) for column in range(RESULT_COLUMN))
        result = max(RESULT_MIN_WIDTH, least_width(table))
        frame = table.width() - header.width()  # the list's frame (and scroll bar) around the columns
        list_width = titles + result + frame + 10
        window.splitter.setSizes([list_width, sum(window.splitter.sizes()) - list_width])
        qtbot.waitUntil(lambda: header.sectionSize(RESULT_COLUMN) < result + 40)  # type: ignore[attr-defined]
        QApplication.processEvents()
        for column in range(RESULT_COLUMN):
            assert header.sectionSize(column) >= header.sectionSizeHint(column), (
                column,
                header.model().headerData(column, header.orientation()),
                header.sectionSize(column),
                header.sectionSizeHint(column),
            )
        # in a list narrower still (2x on a small screen) Result keeps its room and a title is
        # cut with '…' before the arrow, not painted under it
        assert header.textElideMode() == Qt.TextElideMode.ElideRight
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
