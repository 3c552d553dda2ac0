"""A German user's trial: a clone's progress read "1,234 of 5,000 objects" and
"35.0 MiB" in a German window. Counts group their digits with the locale's separator
("1.234 von 5.000 Objekten"); English keeps "1,234"."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from core.events import PhaseProgress
from gui.models.formatting import count
from gui.models.repos import progress_text
from gui.models.transfer_text import phase_line
from tests.gui.test_dates_in_german import locale_of

__all__ = ["locale_of"]  # the dates tests' fixture, used here too


def test_counts_are_grouped_the_german_way(german: None, locale_of: None) -> None:
    QLocale.setDefault(QLocale("de_DE"))
    line = phase_line("receiving", 1234, 5000, 35 << 20, 4 << 20)
    assert "35,0 MiB" in line and "4,0 MiB/s" in line and "1.234" in line and "5.000" in line, line
    assert "1,234" not in line
    assert count(12345) == "12.345"
    progress = progress_text(PhaseProgress(1, "notes", "origin", "receiving", 1200, 4500, 0))
    assert "1.200/4.500" in progress, progress


def test_english_counts_keep_their_commas(locale_of: None) -> None:
    QLocale.setDefault(QLocale("en_US"))
    assert "40 of 1,000 objects" in phase_line("receiving", 40, 1000, 35 << 20, 4 << 20)
    assert count(12345) == "12,345"
