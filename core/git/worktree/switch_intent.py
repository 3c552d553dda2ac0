"""The record of a switch in progress: `.git/gitferry/switch.json`.

It is written (temporary file, fsync, rename, fsync of the directory) before
the first working-tree file is touched and removed after the branch moved,
so a process killed anywhere in between leaves it behind for the next start
to finish the job. `move_ref` is false for a rollback, which puts files back
without moving any branch. A switch from an unborn branch (the first checkout of
a clone of an empty remote) has no old head and no from-tree: null in the record,
as its rollback has no new ones. The record holds the reflog message the switch moves
the branch with, so a switch finished after a kill leaves the entry it would have left
(a resolution's Finish is known done by it, `finished_already`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass, field

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.atomic_file import fsync_dir, write_atomically
from core.errors import GitferryError

INTENT_NAME = "switch.json"


class BadIntent(GitferryError):
    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: cannot read the record of an interrupted switch: {why}")
        self.path = path


@dataclass(frozen=True)
class SwitchIntent:
    """A switch in progress as its journal records it: the ref and both heads and trees."""

    branch_ref: str
    old_head: str | None
    new_head: str | None
    from_tree: str | None
    to_tree: str | None
    move_ref: bool = True
    # Paths (surrogate-escaped) whose files the switch does not own: only their index entry moves.
    keep: list[str] = field(default_factory=list)
    # Paths whose new index entry has the skip-worktree bit (outside a sparse checkout).
    skip_worktree: list[str] = field(default_factory=list)
    # The branch's reflog message (surrogate-escaped); None: a record from before it was kept.
    message: str | None = None
    pid: int = field(default_factory=os.getpid)
    time: float = field(default_factory=time.time)

    @classmethod
    def create(
        cls,
        branch_ref: Ref,
        old_head: ObjectID | None,
        new_head: ObjectID | None,
        from_tree: ObjectID | None,
        to_tree: ObjectID | None,
        *,
        move_ref: bool = True,
        keep: set[bytes] | frozenset[bytes] = frozenset(),
        skip_worktree: set[bytes] | frozenset[bytes] = frozenset(),
        message: bytes | None = None,
    ) -> SwitchIntent:
        return cls(
            branch_ref=branch_ref.decode(),
            old_head=_text(old_head),
            new_head=_text(new_head),
            from_tree=_text(from_tree),
            to_tree=_text(to_tree),
            move_ref=move_ref,
            keep=_names(keep),
            skip_worktree=_names(skip_worktree),
            message=None if message is None else message.decode("utf-8", "surrogateescape"),
        )

    def keep_paths(self) -> set[bytes]:
        return _paths(self.keep)

    def skip_worktree_paths(self) -> set[bytes]:
        return _paths(self.skip_worktree)

    def reflog_message(self, default: bytes) -> bytes:
        """The message the switch moves the branch with (`default` for an older record)."""
        return default if self.message is None else self.message.encode("utf-8", "surrogateescape")

    def ids(self) -> tuple[Ref, ObjectID | None, ObjectID | None, ObjectID | None, ObjectID | None]:
        return (
            Ref(self.branch_ref.encode()),
            _id(self.old_head),
            _id(self.new_head),
            _id(self.from_tree),
            _id(self.to_tree),
        )


def _text(sha: ObjectID | None) -> str | None:
    return None if sha is None else sha.decode()


def _id(text: str | None) -> ObjectID | None:
    return None if text is None else ObjectID(text.encode())


def _names(paths: set[bytes] | frozenset[bytes]) -> list[str]:
    return sorted(p.decode("utf-8", "surrogateescape") for p in paths)


def _paths(names: list[str]) -> set[bytes]:
    return {p.encode("utf-8", "surrogateescape") for p in names}


def intent_path(repo: Repo) -> str:
    return os.path.join(repo.controldir(), "gitferry", INTENT_NAME)


def write_intent(repo: Repo, intent: SwitchIntent) -> None:
    path = intent_path(repo)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomically(path, json.dumps(asdict(intent)).encode("utf-8"), durable_dir=True)


def intent_left(repo: Repo) -> bool:
    """Whether a switch left its intent (or the temporary file of one) behind: only then
    is there anything for `read_intent` and the checkout's resume to do."""
    path = intent_path(repo)
    return os.path.lexists(path) or os.path.lexists(path + ".tmp")


def read_intent(repo: Repo) -> SwitchIntent | None:
    path = intent_path(repo)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path + ".tmp")  # a write killed before its rename: the switch never started
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BadIntent(path, str(exc)) from None
    try:
        return SwitchIntent(**data)
    except TypeError as exc:
        raise BadIntent(path, str(exc)) from None


def remove_intent(repo: Repo) -> None:
    path = intent_path(repo)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    fsync_dir(os.path.dirname(path))
