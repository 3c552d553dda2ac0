"""What a finished sync's notice says moved: branch names as git has them, only the
line's first letter made upper case (`str.capitalize` lower-cased the rest:
'Feature-X' read 'feature-x')."""

from __future__ import annotations

from core.api import SyncReport
from core.engine.sync import _summary
from core.phrase import joined
from gui.desktop import _changes


def test_the_changes_line_keeps_each_branch_name_as_it_is() -> None:
    report = SyncReport(name="notes", pushed=["Feature-X"], merged=["Main"])
    assert _changes(report) == "Brought in Main; pushed Feature-X"


def test_the_changes_line_says_what_came_in_before_what_was_pushed() -> None:
    """It read "Pushed main; brought in main": a sync integrates first, then pushes, and
    its own line (the CLI's) says them in that order."""
    report = SyncReport(name="notes", pushed=["main"], fast_forwarded=["main"])
    assert _changes(report) == "Brought in main; pushed main"
    report.message = joined(_summary(report))
    assert report.message.index("fast-forwarded main") < report.message.index("pushed main")


def test_a_sync_that_moved_nothing_says_nothing_here() -> None:
    assert _changes(SyncReport(name="notes")) == ""
