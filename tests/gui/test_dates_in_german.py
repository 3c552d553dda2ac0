"""A German user's trial: past midnight the list's Last sync column read "7 Dec 23:58"
in a German window (strftime's month names are the C library's, English where no
German C locale is installed). A date names its month in the locale's words, in the
order the translation gives: "7. Dez. 23:58"; English keeps "7 Dec 23:58"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QLocale

from gui.models.formatting import when

NOW = datetime(2026, 12, 8, 0, 5).astimezone()
LAST_NIGHT = datetime(2026, 12, 7, 23, 58).astimezone()
LAST_YEAR = datetime(2025, 3, 21, 9, 0).astimezone()


@pytest.fixture
def locale_of() -> Iterator[None]:
    before = QLocale()
    yield
    QLocale.setDefault(before)


def test_a_date_names_its_month_in_german(german: None, locale_of: None) -> None:
    QLocale.setDefault(QLocale("de_DE"))
    assert when(LAST_NIGHT, NOW) == "7. Dez. 23:58"
    assert when(LAST_YEAR, NOW) == "21. März 2025"
    assert when(NOW, NOW) == "00:05"


def test_english_dates_read_as_they_did(locale_of: None) -> None:
    QLocale.setDefault(QLocale("en_US"))
    assert when(LAST_NIGHT, NOW) == "7 Dec 23:58"
    assert when(LAST_YEAR, NOW) == "21 Mar 2025"
