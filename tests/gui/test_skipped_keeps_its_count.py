"""A German user's trial: in a 1000 px status window the Result column had no room for
"1 Datei übersprungen" and painted "Warnung" alone (English's "1 file skipped" fits). A
skipped file's line has a briefer form that keeps the count: "1 übersprungen"."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from core.model import RepoRecord, SkippedFile
from tests.gui.test_standing import NOW, branch, window_with
from tests.gui.test_summary_truth import measured


def test_a_skipped_file_keeps_its_count_in_a_narrow_german_result_column(
    qtbot: object, qapp: QApplication, german: None
) -> None:
    fotos = RepoRecord(1, "fotos", "/f", last_result="up_to_date")
    window = window_with(qtbot, fotos, branches={1: [branch("main", 0, 0)]})
    window.show_skipped(1, [SkippedFile("video.bin", "too_large", 1 << 21, 1, NOW, NOW)])
    line, text, width, space = measured(qtbot, window, 1000)
    assert line == "1 Datei übersprungen"
    assert text == "1 übersprungen" and width <= space, (text, width, space)
