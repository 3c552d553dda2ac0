"""The outcome kinds of a sync (docs/ARCHITECTURE.md, "The sync contract")."""

from __future__ import annotations

from enum import StrEnum

from core.phrase import Phrase, phrase

CANCELLED_MESSAGE = "cancelled"
"""The message of a run the user cancelled (its result is `error`: it did not finish)."""
TRACEBACK_HINT = "the traceback is in the log file"
"""Said instead of an unexpected error's traceback, which goes to the log file."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun as a message says them: "1 file", "3 files", "2 branches"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def one_line(message: str) -> str:
    """`message` as one line, whatever the file names in it hold: a newline, a tab or a
    terminal's escape sequence in a name is written as its escape (`new\\nline.txt`),
    as git writes such names quoted, so the line stays one line and prints harmlessly."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)


UP_TO_DATE_MESSAGE = "up to date"  # an up-to-date sync's whole message when it has nothing to add


def no_remote_note(name: str) -> str:
    """Said by a sync of the repository `name` with no remote (`unpublished`), and by `status`."""
    return no_remote_said(name).english()


def no_remote_said(name: str) -> Phrase:
    return phrase(
        "no remote to sync with: its commits are on this computer only; "
        "add one in Settings or with gitferry remote add {name} origin URL",
        name=name,
    )


class ResultKind(StrEnum):
    OK = "ok"
    UP_TO_DATE = "up_to_date"
    CONFLICT = "conflict"
    DIVERGED = "diverged"
    UNPUBLISHED = "unpublished"  # a branch holds commits no remote has (`gitferry publish`)
    DIRTY = "dirty"
    BUSY = "busy"
    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"
    ERROR = "error"

    @property
    def succeeded(self) -> bool:
        return self in (ResultKind.OK, ResultKind.UP_TO_DATE)


RESULT_KINDS: frozenset[str] = frozenset(ResultKind)
"""Every result's name: a stored one read back (`RepoRecord.last_result`) is one of these."""
INTEGRATION_STOPS = frozenset({ResultKind.CONFLICT, ResultKind.DIRTY, ResultKind.DIVERGED})
"""What a sync says that stopped short of integrating the checked-out branch (a conflict,
local changes or a git operation in the way, a branch diverged): every remote answered;
the user's to settle, no failure of the remote."""
HELD_BY_FETCH = INTEGRATION_STOPS | {ResultKind.ERROR}
"""What a fetch (it integrates nothing) says again while the integration's stop stands
(core/engine/sync.py, `_still_stopped`): those, and a detached HEAD (`error`, as the
whole sync says it)."""


class Unfinished(StrEnum):
    """A git command the user left unfinished in the worktree, which a `dirty` sync stopped
    on (core.git.worktree.git_operation finds it from git's state files; the report, the
    store and `status --json` carry it, and a window says it as `git status` does:
    "Rebase in progress", not "local changes")."""

    MERGE = "merge"
    REBASE = "rebase"
    AM = "am"
    CHERRY_PICK = "cherry-pick"
    REVERT = "revert"
    CHERRY_PICK_OR_REVERT = "cherry-pick-or-revert"  # a sequencer whose next command is neither
    BISECT = "bisect"
    UNMERGED = "unmerged"  # conflict stages in the index, no command's state file beside them
