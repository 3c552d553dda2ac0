"""What one sync of one repository reports (`sync --json`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from core.model import BranchStatus
from core.phrase import Phrase, as_phrase, joined, verbatim
from core.results import ResultKind, Unfinished

TIMING_KEYS = (
    "lock",
    "commit",
    "connect",
    "negotiate",
    "receive",
    "graph",
    "integrate",
    "push",
    "store",
)
_INTERNAL = frozenset(
    {
        "answered_remotes",
        "pushed_remotes",
        "failed_remotes",
        "signed_out",
        "branches",
        "branches_changed",
        "crashed",
        "standing",
        "push_refused",
        "said",
        "left_alone_said",
        "not_pushed_said",
        "push_stopped",
        "notes_said",
        "lags",
        "state_parts",
    }
)
NOT_FINISHED = "the sync stopped before it finished"


@dataclass
class SyncReport:
    """What one sync of one repository did, as the CLI and the app report it."""

    name: str
    # A failure until the sync says otherwise: a run that ends by a path nobody
    # planned is never recorded as a success.
    result: ResultKind = ResultKind.ERROR
    message: str = NOT_FINISHED
    # A `dirty` stop on a git command the user left unfinished: which ("rebase", ...).
    unfinished: Unfinished | None = None
    committed: int = 0
    fetched_refs: list[str] = field(default_factory=list)
    objects_received: int = 0
    fast_forwarded: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    rebased: list[str] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    objects_sent: int = 0
    lfs_downloaded: int = 0  # Git LFS objects fetched for the files this sync wrote
    lfs_uploaded: int = 0  # Git LFS objects sent before the pushed commits
    # Files left holding their LFS pointer: {"path", "reason"} (the object could not be had).
    lfs_missing: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    # What moved, for the history: {"branch", "from", "to"} commit ids; `came_in`: the
    # checked-out branch's integration, `went_out`: a pushed branch's upstream (from None: new).
    came_in: list[dict[str, str | None]] = field(default_factory=list)
    went_out: list[dict[str, str | None]] = field(default_factory=list)
    # Conflicts an auto-commit merge resolved by keeping both sides: {"path", "copy",
    # "deleted"} (copy None: the modified side of a modify/delete was kept at the path,
    # and "deleted" says which side deleted it, "here" or "there"; None for a copy).
    kept_both: list[dict[str, str | None]] = field(default_factory=list)
    dirty: list[str] = field(default_factory=list)
    # Auto mode: files left uncommitted this time because they were still being written.
    unsettled: list[str] = field(default_factory=list)
    # Branches behind their upstream that fast_forward_all did not move, and why
    # (another worktree has them checked out, or is rebasing or bisecting them).
    left_alone: dict[str, str] = field(default_factory=dict)
    left_alone_said: dict[str, Phrase] = field(default_factory=dict)  # each why as a phrase
    # What a fetch left out, and why, one line each (a ref whose name git would not take).
    notes: list[str] = field(default_factory=list)
    notes_said: dict[str, Phrase] = field(default_factory=dict)  # a note's phrase, by its English
    # Branches holding commits no remote has, with no upstream on a remote: branch -> commits.
    unpublished: dict[str, int] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    # Submodules `submodule.recurse` brought to their recorded commits, and every submodule's
    # state after the sync: {"path", "recorded", "checked_out", "state"}.
    submodules_updated: list[str] = field(default_factory=list)
    submodules: list[dict[str, str | None]] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIMING_KEYS, 0.0))
    # For the engine (scheduler's backoff and breaker, branch events); not in `sync --json`.
    answered_remotes: list[str] = field(default_factory=list)
    pushed_remotes: list[str] = field(default_factory=list)  # remotes a branch went to: they moved
    failed_remotes: dict[str, str] = field(default_factory=dict)
    # Of those, remotes that want a credential nobody could give (`SignInNeeded`): not failing.
    signed_out: list[str] = field(default_factory=list)
    branches: list[BranchStatus] = field(default_factory=list)
    branches_changed: bool = False
    crashed: bool = False  # an unexpected exception ended it: its traceback is in the log file
    standing: bool = False  # a fetch said again the integration's stop that stands (every remote answered)
    # Branches with commits to push that git would not push (`push.default`): branch -> why, and the fix.
    push_refused: dict[str, Phrase] = field(default_factory=dict)
    # The push could not talk to its remote ("not pushed: ..."): what the sync did stays told.
    not_pushed: str | None = None
    not_pushed_said: Phrase | None = None  # the same as a phrase
    # The push a hook or the remote refused, nothing else failing ("the pre-push hook
    # refused ...", "push rejected twice ..."): its line, kept in the store's record of
    # the run (`stored`), not in `sync --json`; a fetch says it again (`_still_not_pushed`).
    push_stopped: str | None = None
    # `message` as the parts it was made of (templates and fields, `core.phrase`): see `parts`.
    said: list[Phrase] | None = None
    # The branches it left behind or ahead, each as its part of `message` says it (`_lags`).
    lags: list[Phrase] = field(default_factory=list)
    # How many of the message's first parts say where the branches stand ("up to date", or
    # the branches' lines in its place) when it did nothing: no news (`finish_run`'s notes).
    state_parts: int = 0

    def note(self, said: Phrase) -> None:
        """Add the note `said` (`notes`), once."""
        english = said.english()
        if english not in self.notes:
            self.notes.append(english)
            self.notes_said[english] = said

    def noted(self) -> list[Phrase]:
        """The notes as phrases (those added as text: their English)."""
        return [self.notes_said.get(note) or verbatim(note) for note in self.notes]

    def leave_alone(self, branch: str, why: Phrase) -> None:
        """`branch` was left as it is, and why (`left_alone`)."""
        self.left_alone[branch], self.left_alone_said[branch] = why.english(), why

    def say(self, result: ResultKind, parts: Sequence[str | Phrase]) -> None:
        """End with `result` and the message made of `parts` (joined by "; ")."""
        self.said = [as_phrase(part) for part in parts]
        self.result, self.message = result, joined(self.said)

    def parts(self) -> list[Phrase]:
        """The message's parts, for a client to say in its language: as `say` made them
        while they still are the message, else the message as English (set as text)."""
        if self.said is not None and joined(self.said) == self.message:
            return self.said
        return [verbatim(self.message)]

    def add_time(self, phase: str, ms: float) -> None:
        self.timings_ms[phase] = self.timings_ms.get(phase, 0.0) + ms

    def to_json(self) -> dict[str, Any]:
        # Not `asdict`: it would copy every branch status only for it to be dropped.
        out = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name not in _INTERNAL}
        out["result"] = str(self.result)
        out["timings_ms"] = {k: round(v, 1) for k, v in self.timings_ms.items()}
        return out

    def stored(self) -> dict[str, Any]:
        """What the store keeps of the run (`sync_runs.details`): `to_json`, and the push
        a hook or the remote refused (`push_stopped`) when there was one."""
        out = self.to_json()
        if self.push_stopped is not None:
            out["push_stopped"] = self.push_stopped
        return out
