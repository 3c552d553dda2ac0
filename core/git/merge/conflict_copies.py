"""Conflict copies: how an auto-commit repository keeps both sides of a conflict.

Where a merge would conflict, the remote's version stays at the path and the
local one is kept beside it as `name (conflict <host> <YYYY-MM-DD HHMM>).ext`
(`name (conflict ...)` without an extension, `.env (conflict ...)` for a
dotfile, a counter added when that name is taken; a copy of a copy is named from
the original name, with a counter). This module names the
copies and recognises them; `merge_tree` decides where they go.
"""

from __future__ import annotations

import os
import posixpath
import re
import socket
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.phrase import Phrase, as_phrase, phrase, some

_MAX_NAME = 255  # bytes in one path element on common file systems
_MAX_EXT = 32  # a longer "extension" is part of the name
_UNSAFE_HOST = re.compile(r"[^\w.-]+")
_COPY = re.compile(r" \(conflict .+ \d{4}-\d\d-\d\d \d{4}(?: \d+)?\)(?:\.[^/]*)?$")
# The labels of a copy's name (a copy of a copy has two), before its extension if any.
_LABELS = re.compile(rb"(?: \(conflict [^ ()/]+ \d{4}-\d\d-\d\d \d{4}(?: \d+)?\))+(?=(?:\.[^/]*)?$)")


@dataclass(frozen=True)
class ConflictCopy:
    """One conflict resolved by keeping both: `copy` holds the local side, None when
    there was nothing to copy (the local side deleted what the remote modified, or the
    remote deleted what the local side modified: the modified side stays at `path`);
    `deleted_here` then says the local side was the one that deleted it."""

    path: str
    copy: str | None
    deleted_here: bool = False

    def to_json(self) -> dict[str, str | None]:
        """As a sync report's `kept_both` lists it: "deleted" is "here" or "there" for a
        modify/delete, None for a copy."""
        deleted = None if self.copy is not None else "here" if self.deleted_here else "there"
        return {"path": self.path, "copy": self.copy, "deleted": deleted}


@dataclass(frozen=True)
class KeepBoth:
    """How to name conflict copies; `taken(path)` says a path is in use outside the
    trees being merged (a file in the working tree)."""

    host: str
    when: datetime
    taken: Callable[[bytes], bool] = lambda _path: False

    @classmethod
    def in_worktree(cls, worktree: str, *, host: str | None = None, now: float | None = None) -> KeepBoth:
        when = datetime.now() if now is None else datetime.fromtimestamp(now)
        root = os.fsencode(worktree)
        return cls(host or machine_name(), when, lambda path: os.path.lexists(os.path.join(root, path)))

    def name_for(self, parent: bytes, name: bytes, *, is_dir: bool, used: Collection[bytes]) -> bytes:
        """A free copy name for `name` in directory `parent` (`used`: its names in the trees)."""
        counter = 1
        while True:
            candidate = copy_name(name, self.host, self.when, counter=counter, is_dir=is_dir)
            path = parent + b"/" + candidate if parent else candidate
            if candidate != name and candidate not in used and not self.taken(path):
                return candidate
            counter += 1


def machine_name() -> str:
    """This machine's short host name, reduced to characters safe in a file name."""
    host = socket.gethostname().split(".")[0]
    return _UNSAFE_HOST.sub("-", host).strip("-") or "this-machine"


def copy_name(name: bytes, host: str, when: datetime, *, counter: int = 1, is_dir: bool = False) -> bytes:
    """`name (conflict host YYYY-MM-DD HHMM).ext`, with ` N` before the `)` from counter 2.
    A copy of a copy is named from the original name, as a cloud drive numbers its copies:
    `name (conflict host YYYY-MM-DD HHMM 2).ext`, not a label after a label."""
    name = _original(name, is_dir=is_dir)
    stem, ext = (name, b"") if is_dir else posixpath.splitext(name)
    if len(ext) > _MAX_EXT:
        stem, ext = name, b""
    number = f" {counter}" if counter > 1 else ""
    label = f" (conflict {host} {when:%Y-%m-%d %H%M}{number})".encode()
    room = _MAX_NAME - len(label) - len(ext)
    return _truncated(stem, room) + label + ext


def _original(name: bytes, *, is_dir: bool) -> bytes:
    """`name` without the labels a conflict copy's name carries (a directory's at its end)."""
    labels = _LABELS.search(name)
    if labels is None or labels.start() == 0 or (is_dir and labels.end() != len(name)):
        return name
    return name[: labels.start()] + name[labels.end() :]


def is_copy(path: str) -> bool:
    """Whether `path`'s last element is named like a conflict copy."""
    return _COPY.search(posixpath.basename(path)) is not None


def _truncated(stem: bytes, room: int) -> bytes:
    """`stem` cut to `room` bytes (at least one), not in the middle of a UTF-8 character."""
    if len(stem) <= room:
        return stem
    cut = stem[: max(room, 1)]
    try:
        stem.decode("utf-8")
    except UnicodeDecodeError:
        return cut
    return cut.decode("utf-8", "ignore").encode() or cut


def copies_present(worktree: str, paths: Iterable[str]) -> list[str]:
    """Those of `paths` named like conflict copies that are still in the working tree."""
    return [path for path in paths if is_copy(path) and os.path.lexists(os.path.join(worktree, path))]


def kept_both_note(kept: Sequence[Mapping[str, str | None]]) -> list[Phrase]:
    """What a sync's message says about the conflicts it resolved by keeping both sides
    (its parts)."""
    copies = [str(k["copy"]) for k in kept if k["copy"] is not None]
    modified = [str(k["path"]) for k in kept if k["copy"] is None and k.get("deleted") != "here"]
    restored = [str(k["path"]) for k in kept if k["copy"] is None and k.get("deleted") == "here"]
    parts = []
    if copies:
        parts.append(
            phrase("kept both sides of %n conflict(s): {copies}", len(copies), copies=some(copies, 3))
        )
    if modified:
        parts.append(phrase("kept {paths} as modified (deleted on the other side)", paths=some(modified, 3)))
    if restored:  # deleted here, modified there: the file is back, and the user should know why
        paths = some(restored, 3)
        parts.append(phrase("brought back {paths} as the other side modified it (deleted here)", paths=paths))
    return parts


def some_paths(paths: Sequence[str | None]) -> str:
    """The first three of `paths`, and how many more."""
    return as_phrase(some([str(p) for p in paths], 3)).english()
