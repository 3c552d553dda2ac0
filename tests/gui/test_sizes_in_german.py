"""A German user's trial: the Skipped files tab said video.bin was "2.0 MiB" in a German
window. A size takes the decimal point of the locale's numbers: "2,0 MiB" on a German
desktop, "2.0 MiB" on an English one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QLocale

from core.model import RepoRecord, SkippedFile
from gui.models.formatting import size
from tests.gui.test_standing import window_with


@pytest.fixture
def german_numbers() -> Iterator[None]:
    """The locale of a desktop with LANG=de_DE.UTF-8, for one test."""
    before = QLocale()
    QLocale.setDefault(QLocale("de_DE"))
    yield
    QLocale.setDefault(before)


def test_a_skipped_files_size_reads_with_a_decimal_comma_in_german(
    qtbot: object, german_numbers: None, german: None
) -> None:
    window = window_with(qtbot, RepoRecord(1, "fotos", "/f", last_result="up_to_date"))
    window.select_repo(1)
    now = datetime.now(UTC)
    window.show_skipped(1, [SkippedFile("video.bin", "too_large", 1 << 21, 1, now, now)])
    table = window.skipped
    cells = [str(table.index(0, column).data()) for column in range(table.columnCount())]
    assert "2,0 MiB" in cells, cells
    assert size(1536) == "1,5 KiB" and size(3 << 30) == "3,0 GiB" and size(12) == "12 B"


def test_english_keeps_the_decimal_point() -> None:
    before = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    try:
        assert size(1 << 21) == "2.0 MiB"
    finally:
        QLocale.setDefault(before)
