"""How times, sizes and counts read in the windows."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """Local time: "14:02" today, "21 Nov 14:02" this year, else "21 Nov 2025"."""
    if moment is None:
        return QCoreApplication.translate("Formatting", "never")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    # the month's name in the locale's words (strftime's are the C library's: "7 Dec 23:58"
    # in a German window, a German user's trial), in the order the translation gives
    if local.year == today.year:
        pattern = QCoreApplication.translate("Formatting", "d MMM HH:mm")
    else:
        pattern = QCoreApplication.translate("Formatting", "d MMM yyyy")
    moment_qt = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return QLocale().toString(moment_qt, pattern)


def size(count: int | None) -> str:
    """ "2.0 MiB", with the decimal point of the locale's numbers: a German desktop reads
    "2,0 MiB" (a German user's trial read "2.0 MiB" in a German window)."""
    if count is None:
        return ""
    value = float(count)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{int(value)} {unit}" if unit == "B" else _tenths(value, unit)
        value /= 1024
    return _tenths(value, "GiB")


def _tenths(value: float, unit: str) -> str:
    return f"{value:.1f}".replace(".", QLocale().decimalPoint()) + f" {unit}"


NO_VALUE = "\N{EN DASH}"


def count(value: int | None) -> str:
    return NO_VALUE if value is None else number(value)


def number(value: int) -> str:
    """ "1,234", grouped with the locale's separator: "1.234" on a German desktop (a German
    user's trial read "1,234 of 5,000 objects" in a German window)."""
    return f"{value:,}".replace(",", QLocale().groupSeparator())


def share(current: int, total: int | None) -> float | None:
    """A progress bar's share of a phase, None when its total is unknown (a busy bar)."""
    return None if not total else min(1.0, current / total)


def escaped(text: str) -> str:
    """`text` for a rich-text label. Not `html.escape`: the html module (and its entity
    tables) would slow the first paint."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def first_upper(text: str) -> str:
    """`text` with its first letter made upper case, the rest as it is (not `str.capitalize`)."""
    return text[:1].upper() + text[1:]


QT_INT_MAX = 2**31 - 1  # Qt's plural count is a C int: a larger one raises OverflowError


def translate_n(context: str, text: str, n: int) -> str:
    """`QCoreApplication.translate(context, text, None, n)` for any count: one past
    Qt's 32-bit int (a branch 3,000,000,000 commits behind, a corrupt count) picks its
    plural form by the largest int (the same form in every language Gitferry has) and
    shows the real number. packaging/plurals_en.py finds the texts by this name."""
    if -QT_INT_MAX - 1 <= n <= QT_INT_MAX:
        return QCoreApplication.translate(context, text, None, n)
    stand_in = QT_INT_MAX if n > 0 else -QT_INT_MAX - 1
    return QCoreApplication.translate(context, text, None, stand_in).replace(str(stand_in), str(n))
