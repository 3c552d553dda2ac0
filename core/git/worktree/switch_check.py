"""Would moving the working tree from one tree to another touch local work?

Only the paths that differ between the two trees are looked at (one index
lookup and one lstat each, a hash only where stat cannot vouch for a file),
so the cost follows the size of the change, not of the repository. A path
is in the way when:

- its index entry differs from the old tree's (a staged change), or the
  file differs from its index entry, or was replaced by something else
  (`dirty`);
- it is new and something the index does not know is already there, unless
  that is exactly the incoming content: a file, a symlink, a non-empty
  directory, or a file or symlink where a parent directory must go
  (`untracked`, ignored files included: nothing is ever overwritten).

Outside a sparse checkout (see sparse_checkout.py), as in git's `unpack_trees`:
a path whose entry has the skip-worktree bit and whose file is absent, or a new
path the patterns leave out, changes in the index only and keeps (or gets) the
bit. An absent file with the bit is never a deletion in the way. A file present
despite the bit is checked like any other (git 2.39 clears the bit of present
files when it reads the index); without sparse checkout the bit is carried to
the new entry and the file written, as git does.

A path whose conversion Gitferry cannot run (a filter it does not run, `ident`,
`working-tree-encoding`: content/filters.py) is never written: it is planned in
place (`unconverted`), only its index entry moves. Its removal goes ahead as any
other when the file's stat vouches for it; otherwise the file is left, since
only the filter could say whether it holds local work.
"""

from __future__ import annotations

import bisect
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from dulwich.index import ConflictedIndexEntry, Index, IndexEntry

from core.errors import GitferryError
from core.git.content.filters import ContentFilters
from core.git.objects.path_safety import display
from core.git.objects.tree_delta import PathChange
from core.git.worktree.state import (
    Fingerprint,
    WorktreeOptions,
    checkout_content,
    converted,
    fingerprint,
    holds,
    index_entry_at,
    index_entry_matches,
    lstat_or_none,
    matches_index_entry,
    skips_worktree,
    unchanged_by_stat,
)
from core.phrase import Phrase, phrase, some
from core.results import ResultKind

_SHOWN_PATHS = 5


class WorktreeInTheWay(GitferryError):
    """Local work the switch would overwrite; nothing was touched."""

    result = ResultKind.DIRTY

    def __init__(self, dirty: list[str], untracked: list[str], note: Phrase | None = None) -> None:
        """`note`: said after the paths (why nothing stashed them, and what to do, say);
        none given: the way on (`way_on`), as `git pull` says it."""
        changed, unknown = some(dirty, _SHOWN_PATHS), some(untracked, _SHOWN_PATHS)
        if dirty and untracked:
            said = phrase(
                "local changes would be overwritten: {dirty}; untracked files are in the way: {untracked}",
                dirty=changed,
                untracked=unknown,
            )
        elif dirty:
            said = phrase("local changes would be overwritten: {dirty}", dirty=changed)
        else:
            said = phrase("untracked files are in the way: {untracked}", untracked=unknown)
        super().__init__(said)
        self.dirty = dirty
        self.untracked = untracked
        self.note = way_on(dirty, untracked) if note is None else note
        self.message = f"{self.message}; {self.note.english()}"
        self.args = (self.message,)

    def parts(self) -> list[Phrase]:
        return [self.phrase, self.note]

    def again(self, command: Again) -> WorktreeInTheWay:
        """The refusal as `command` says it, whose way back is itself, not a sync (the
        switch's own way on, `way_on`, is a sync's); a note of its own stays."""
        if self.note != way_on(self.dirty, self.untracked):
            return self
        return WorktreeInTheWay(self.dirty, self.untracked, way_on(self.dirty, self.untracked, command))


Again = Literal["sync", "finish", "undo"]  # the command to run again once the way is clear


def way_on(dirty: list[str], untracked: list[str], command: Again = "sync") -> Phrase:
    """What to do about local work in the way, as `git pull` says ("Please commit your
    changes or stash them", "Please move or remove them"): said after the paths, in the CLI's
    line and the app's alike (a trial's `gitferry sync` said what was in the way, not what to do),
    then `command` again: a sync, a conflict's Finish, an Undo."""
    return _WAYS_ON[bool(dirty), bool(untracked)][command]


_WAYS_ON: dict[tuple[bool, bool], dict[Again, Phrase]] = {  # (changes, untracked files) in the way
    (True, True): {
        "sync": phrase(
            "commit or stash the changes and move or remove the untracked files (git status lists them), "
            "then sync again"
        ),
        "finish": phrase(
            "commit or stash the changes and move or remove the untracked files (git status lists them), "
            "then finish again"
        ),
        "undo": phrase(
            "commit or stash the changes and move or remove the untracked files (git status lists them), "
            "then undo again"
        ),
    },
    (False, True): {
        "sync": phrase("move or remove the untracked files (git status lists them), then sync again"),
        "finish": phrase("move or remove the untracked files (git status lists them), then finish again"),
        "undo": phrase("move or remove the untracked files (git status lists them), then undo again"),
    },
    (True, False): {
        "sync": phrase("commit or stash the changes (git status lists them), then sync again"),
        "finish": phrase("commit or stash the changes (git status lists them), then finish again"),
        "undo": phrase("commit or stash the changes (git status lists them), then undo again"),
    },
}
_WAYS_ON[False, False] = _WAYS_ON[True, False]  # nothing listed: changes, as before


@dataclass
class SwitchPlan:
    """The outcome of the check: what to apply, and what is in the way."""

    changes: list[PathChange]
    # Paths whose working tree already holds the target (or is a gitlink):
    # only their index entry changes, and a rollback restores that entry.
    in_place: set[bytes] = field(default_factory=set)
    dirty: set[bytes] = field(default_factory=set)
    untracked: set[bytes] = field(default_factory=set)
    # What each path to be written or removed looked like when checked (None: absent).
    seen: dict[bytes, Fingerprint | None] = field(default_factory=dict)
    # Paths whose new index entry has the skip-worktree bit.
    skip_worktree: set[bytes] = field(default_factory=set)
    # Paths left as they are because their conversion cannot be run here (also in in_place).
    unconverted: set[bytes] = field(default_factory=set)
    # The conversions the check worked out for the files it would write (None: none).
    content: ContentFilters | None = None

    def dirty_paths(self) -> list[str]:
        return sorted(display(p) for p in self.dirty)

    def untracked_paths(self) -> list[str]:
        return sorted(display(p) for p in self.untracked - self.dirty)

    def raise_if_blocked(self) -> None:
        if self.dirty or self.untracked:
            raise WorktreeInTheWay(self.dirty_paths(), self.untracked_paths())


def plan_switch(index: Index, changes: list[PathChange], opts: WorktreeOptions) -> SwitchPlan:
    return _Checker(index, changes, opts).run()


def parents(path: bytes) -> Iterator[bytes]:
    """The proper leading directories of `path`, shallowest first."""
    slash = path.find(b"/")
    while slash != -1:
        yield path[:slash]
        slash = path.find(b"/", slash + 1)


class _Checker:
    def __init__(self, index: Index, changes: list[PathChange], opts: WorktreeOptions) -> None:
        self.index = index
        self.opts = opts
        self.plan = SwitchPlan(changes)
        self.deleted = {c.path for c in changes if c.old is not None and c.new is None}
        self._kinds: dict[bytes, str] = {}
        self._blocks: dict[bytes, bytes | None] = {}  # by directory: `_parent_block`'s answer
        self._around: set[bytes] = set()  # directories whose leading ones `_check_index_around` saw
        self._sorted_keys: list[bytes] | None = None
        self._smudge = checkout_content(opts, index, changes)
        self.plan.content = self._smudge

    def run(self) -> SwitchPlan:
        for change in self.plan.changes:
            entry = index_entry_at(self.index, change.path)
            if self._outside(change, entry):
                self.plan.in_place.add(change.path)
                if change.new is not None:
                    self.plan.skip_worktree.add(change.path)
            elif self._unconverted(change, entry):
                self.plan.in_place.add(change.path)
                self.plan.unconverted.add(change.path)
            elif change.old is not None:
                self._check_tracked(change, entry)
            else:
                self._check_new(change, entry)
            if change.new is not None:
                self._check_index_around(change.path)
        return self.plan

    def _outside(self, change: PathChange, entry: IndexEntry | ConflictedIndexEntry | None) -> bool:
        """The path is outside the sparse checkout and stays so: only its index entry changes."""
        sparse = self.opts.sparse
        if sparse is None:
            return False
        if entry is None:
            return change.old is None and not sparse.includes(change.path)
        if not isinstance(entry, IndexEntry) or not skips_worktree(entry):
            return False
        if change.old is None or not index_entry_matches(entry, change.old):
            return False
        # A leading directory that is not one: the file cannot be there either.
        return (
            self._parent_block(change.path) is not None or lstat_or_none(self.opts.full(change.path)) is None
        )

    def _unconverted(self, change: PathChange, entry: IndexEntry | ConflictedIndexEntry | None) -> bool:
        """Git would run a conversion here that Gitferry cannot: the file is left as it is."""
        content, smudge = self.opts.content, self._smudge
        if content is None or smudge is None:
            return False
        path = change.path
        if change.new is not None:
            if not converted(change.new) or smudge.to_worktree(path).unsupported is None:
                return False
        else:
            assert change.old is not None
            if not converted(change.old) or content.to_index(path).unsupported is None:
                return False
            st = None if self._parent_block(path) else lstat_or_none(self.opts.full(path))
            if st is None or (isinstance(entry, IndexEntry) and unchanged_by_stat(st, entry, self.opts)):
                return False  # absent, or provably as checked out: removed as usual
        if change.old is None:  # something already there: checked as usual
            return (
                entry is None and not self._parent_block(path) and lstat_or_none(self.opts.full(path)) is None
            )
        return isinstance(entry, IndexEntry) and index_entry_matches(entry, change.old)  # else: staged work

    def _check_tracked(self, change: PathChange, entry: IndexEntry | ConflictedIndexEntry | None) -> None:
        assert change.old is not None
        path = change.path
        st = None if self._parent_block(path) else lstat_or_none(self.opts.full(path))
        self.plan.seen[path] = fingerprint(st)
        if not isinstance(entry, IndexEntry):
            gone_both_ways = entry is None and change.new is None and st is None
            self._mark(path, in_place=gone_both_ways)
        elif index_entry_matches(entry, change.old):
            if skips_worktree(entry) and change.new is not None and self.opts.sparse is None:
                self.plan.skip_worktree.add(path)  # git carries the bit over and writes the file
            self._check_tracked_file(change, entry, st)
        elif change.new is not None and index_entry_matches(entry, change.new):
            same = st is not None and matches_index_entry(st, path, entry, self.opts)
            self._mark(path, in_place=same)
        else:
            self.plan.dirty.add(path)

    def _check_tracked_file(self, change: PathChange, entry: IndexEntry, st: os.stat_result | None) -> None:
        assert change.old is not None
        path = change.path
        if change.old.is_gitlink:
            self._check_old_gitlink(change, st)
        elif st is None and skips_worktree(entry) and self._parent_block(path) is None:
            return  # not there by design, not deleted: the new content is written
        elif st is None:
            # Deleted locally: fine only where the switch deletes it too.
            self._mark(path, in_place=change.new is None)
        elif matches_index_entry(st, path, entry, self.opts):
            return
        elif change.new is not None and holds(st, path, change.new, self.opts):
            self.plan.in_place.add(path)
        else:
            self.plan.dirty.add(path)

    def _check_old_gitlink(self, change: PathChange, st: os.stat_result | None) -> None:
        """Submodule contents are never touched: only an empty directory is removed."""
        if change.new is not None and change.new.is_gitlink:
            self.plan.in_place.add(change.path)
        elif change.new is not None and st is not None and not _is_empty_dir(self.opts.full(change.path)):
            self.plan.untracked.add(change.path)

    def _check_new(self, change: PathChange, entry: IndexEntry | ConflictedIndexEntry | None) -> None:
        assert change.new is not None
        path = change.path
        block = self._parent_block(path)
        if entry is not None:
            st = None if block else lstat_or_none(self.opts.full(path))
            same = (
                isinstance(entry, IndexEntry)
                and index_entry_matches(entry, change.new)
                and st is not None
                and matches_index_entry(st, path, entry, self.opts)
            )
            self._mark(path, in_place=same)
            return
        if block is not None:
            if block not in self.deleted:
                self._mark_foreign(block)
            self.plan.seen[path] = None
            return
        st = lstat_or_none(self.opts.full(path))
        self.plan.seen[path] = fingerprint(st)
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode) and change.new.is_gitlink:
            self.plan.in_place.add(path)
        elif stat.S_ISDIR(st.st_mode):
            self._check_dir_in_the_way(path)
        elif holds(st, path, change.new, self.opts):
            self.plan.in_place.add(path)
        else:
            self.plan.untracked.add(path)

    def _check_dir_in_the_way(self, path: bytes) -> None:
        """A directory where a file must go: fine if only tracked files being deleted are in it."""
        for entry in os.scandir(self.opts.full(path)):
            child = path + b"/" + os.fsencode(entry.name)
            if entry.is_dir(follow_symlinks=False) and self._index_has_under(child):
                self._check_dir_in_the_way(child)
            elif child not in self.index:
                self.plan.untracked.add(child)

    def _check_index_around(self, path: bytes) -> None:
        """Staged entries that a new path would collide with (a D/F conflict in the index);
        its leading directories looked at once a directory."""
        directory = path.rpartition(b"/")[0]
        if directory not in self._around:
            self._around.add(directory)
            for parent in parents(path):
                if parent in self.index and parent not in self.deleted:
                    self.plan.dirty.add(parent)
        for key in self._keys_under(path):
            if key not in self.deleted:
                self.plan.dirty.add(key)

    def _parent_block(self, path: bytes) -> bytes | None:
        """The first leading component that exists as something other than a directory
        (worked out once a directory: the check touches nothing)."""
        directory = path.rpartition(b"/")[0]
        if directory in self._blocks:
            return self._blocks[directory]
        block = None
        for parent in parents(path):
            kind = self._kinds.get(parent)
            if kind is None:
                st = lstat_or_none(self.opts.full(parent))
                kind = "missing" if st is None else "dir" if stat.S_ISDIR(st.st_mode) else "other"
                self._kinds[parent] = kind
            if kind == "missing":
                break
            if kind == "other":
                block = parent
                break
        self._blocks[directory] = block
        return block

    def _mark(self, path: bytes, *, in_place: bool) -> None:
        (self.plan.in_place if in_place else self.plan.dirty).add(path)

    def _mark_foreign(self, path: bytes) -> None:
        (self.plan.dirty if path in self.index else self.plan.untracked).add(path)

    def _index_has_under(self, path: bytes) -> bool:
        return next(self._keys_under(path), None) is not None

    def _keys_under(self, path: bytes) -> Iterator[bytes]:
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.index.paths())
        keys = self._sorted_keys
        prefix = path + b"/"
        i = bisect.bisect_left(keys, prefix)
        while i < len(keys) and keys[i].startswith(prefix):
            yield keys[i]
            i += 1


def _is_empty_dir(full: bytes) -> bool:
    try:
        with os.scandir(full) as it:
            return next(it, None) is None
    except NotADirectoryError:
        return False
