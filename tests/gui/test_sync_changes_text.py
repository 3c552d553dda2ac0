"""What a finished sync's notice says moved: branch names as git has them, only the
line's first letter made upper case (`str.capitalize` lower-cased the rest:
'Feature-X' read 'feature-x')."""

from __future__ import annotations

from core.api import SyncReport
from gui.desktop import _changes


def test_the_changes_line_keeps_each_branch_name_as_it_is() -> None:
    report = SyncReport(name="notes", pushed=["Feature-X"], merged=["Main"])
    assert _changes(report) == "Pushed Feature-X; brought in Main"


def test_a_sync_that_moved_nothing_says_nothing_here() -> None:
    assert _changes(SyncReport(name="notes")) == ""
