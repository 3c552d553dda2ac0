"""The core's base exceptions.

Concrete errors live next to the code that raises them and carry data
(remote, paths, ...). Each says which sync result it maps to, and whether it is
the user's bad input (CLI exit status 2) rather than a failed operation.
"""

from __future__ import annotations

from core.phrase import Phrase, as_phrase, phrase
from core.results import ResultKind, Unfinished


class GitferryError(Exception):
    """An error with a one-line, human message and a sync result kind: `message` is its
    English, `phrase` the same as a template and fields (`core.phrase`) for the app."""

    result: ResultKind = ResultKind.ERROR
    bad_input: bool = False
    # The git command left unfinished in the worktree that this stop is (a `dirty` result:
    # `OperationInProgress`), carried to the report and the store beside the message.
    unfinished: Unfinished | None = None

    def __init__(self, message: str | Phrase) -> None:
        self.phrase = as_phrase(message)
        self.message = self.phrase.english()
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def parts(self) -> list[Phrase]:
        """The message as a sync's message parts (one, unless said again as stored)."""
        return [self.phrase]


class BadInput(GitferryError):
    """The user asked for something that cannot be: exit status 2, nothing changed."""

    bad_input = True


class NotARepository(BadInput):
    """`path` is no repository Gitferry can sync; `said`: why, naming the path (default:
    "PATH is not a git repository")."""

    def __init__(self, path: str, said: Phrase | None = None) -> None:
        super().__init__(said or phrase("{path} is not a git repository", path=path))
        self.path = path
