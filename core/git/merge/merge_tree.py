"""Three-way merge of trees and commits, in memory, deciding like git's merge (ort).

Renames are found first (`rename_merge`: a file one side renamed is merged
at its new path with the other side's changes; rename/rename, rename/delete
and directory-rename cases conflict as they do in git). Then each name in a
directory is split into its file part (blob, symlink or submodule) and its
directory part, merged separately, and joined again:

- a side that did not change a part (same mode and id as the base) takes the
  other side's; equal sides agree;
- both changed a directory: merge it entry by entry (a missing side counts as
  empty);
- both changed a regular file: the mode as for any part (one side's change
  wins, two different changes conflict), the content by `merge_file`;
- anything else changed on both sides (modify/delete, symlink, submodule,
  file against directory) is a conflict.

Why not `dulwich.merge.Merger`: it reports a conflict whenever the two sides'
modes differ, even when only one side changed the mode (a `chmod +x` against
an unchanged file), and merges several merge bases as if they had no common
ancestor. Its line merge is replaced too (see `merge_file`).

With `keep_both` (auto-commit repositories), a conflict keeps both sides
instead: the remote's entry (theirs) at the path and ours beside it as a
conflict copy in the same directory (`conflict_copies`); a modify/delete
keeps the modified side. Only submodules (gitlinks) changed on both sides
still conflict.

Several merge bases (criss-cross history) are merged first into a virtual
base, recursively, as git's recursive strategy does; conflicts inside the
virtual base keep markers (content) or the bases' base (anything else). A
rename that conflicts inside the virtual base is not reproduced: the merge
is reported as a conflict at those paths rather than risk a tree git would
not make.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, Literal

from dulwich.graph import find_merge_base
from dulwich.objects import S_ISGITLINK, Blob, ObjectID, Tree
from dulwich.repo import Repo

from core.git.config.merge_config import RenameSettings, rename_settings
from core.git.merge.conflict_copies import ConflictCopy, KeepBoth
from core.git.merge.merge_file import merge_file
from core.git.merge.rename_merge import plan
from core.git.merge.tree_view import Entry, TreeView
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.path_safety import display

_Triple = tuple[Entry | None, Entry | None, Entry | None]  # base, ours, theirs


class _Changed(Enum):
    BOTH = "both sides changed it, differently"


_BOTH: Final = _Changed.BOTH


@dataclass(frozen=True)
class TreeMerge:
    tree: ObjectID
    conflicts: list[str]  # sorted paths; empty for a clean merge
    copies: list[ConflictCopy] = field(default_factory=list)  # conflicts resolved by keeping both
    rename_conflicts: list[str] = field(default_factory=list)  # those of `conflicts` renames caused
    # base, ours and theirs as the path-by-path merge saw them: a file one side renamed has
    # the other side's and the base's versions at its new path (None: the inputs unchanged)
    sides: tuple[ObjectID | None, ObjectID, ObjectID] | None = None

    @property
    def clean(self) -> bool:
        return not self.conflicts


class TreeMerger:
    """One merge; `virtual` builds a merge base, resolving its conflicts instead of failing;
    `keep_both` resolves them by keeping both sides; `renames`: how renames are found
    (git's defaults unless given)."""

    def __init__(
        self,
        objects: ObjectOverlay,
        *,
        virtual: bool = False,
        keep_both: KeepBoth | None = None,
        renames: RenameSettings | None = None,
        view: TreeView | None = None,
    ) -> None:
        self.objects = objects
        self.virtual = virtual
        self.keep_both = keep_both
        self.renames = renames or RenameSettings()
        self.view = view or TreeView(objects)
        self.conflicts: list[str] = []
        self.copies: list[ConflictCopy] = []
        self._beside: dict[bytes, list[tuple[bytes, Entry]]] = {}  # directory -> (name, our entry)

    def merge(self, base: ObjectID | None, ours: ObjectID, theirs: ObjectID) -> TreeMerge:
        planned = plan(
            self.view,
            (base, ours, theirs),
            self.renames,
            self.merge_entries,
            virtual=self.virtual,
            keep_both=self.keep_both is not None,
        )
        renamed = [_shown(path) for path in planned.conflicts]
        self.conflicts += renamed
        self.copies += planned.kept
        base, ours, theirs = planned.trees
        merged = self._merge_dirs(b"", (_dir(base), _dir(ours), _dir(theirs)))
        tree = merged if merged is not None else self.objects.add(Tree())
        conflicts = sorted(set(self.conflicts))
        copies = sorted(self.copies, key=lambda c: c.path)
        return TreeMerge(tree, conflicts, copies, sorted(renamed), planned.trees)

    def merge_entries(self, path: bytes, base: Entry | None, ours: Entry, theirs: Entry) -> Entry | None:
        """One file's three versions merged as this merge would; None when they conflict."""
        alone = TreeMerger(self.objects, virtual=self.virtual, renames=self.renames, view=self.view)
        merged = alone._merge_file_part(path, (base, ours, theirs))
        return None if alone.conflicts else merged

    def _merge_dirs(self, prefix: bytes, triple: _Triple) -> ObjectID | None:
        """The merged directory's tree id, or None when it ends up empty."""
        base, ours, theirs = (self._entries(prefix, e) for e in triple)
        merged = Tree()
        names = base.keys() | ours.keys() | theirs.keys()
        for name in sorted(names):
            path = _join(prefix, name)
            entry = self._merge_name(path, (base.get(name), ours.get(name), theirs.get(name)))
            if entry is not None:
                self.view.keep(entry)
                merged.add(name, entry[0], entry[1])
        self._add_copies(prefix, merged, names)
        return self.objects.add(merged) if len(merged) else None

    def _add_copies(self, prefix: bytes, merged: Tree, used: set[bytes]) -> None:
        """Put the entries kept beside their conflicted names into the directory."""
        for name, entry in self._beside.pop(prefix, []):
            assert self.keep_both is not None
            copy = self.keep_both.name_for(prefix, name, is_dir=stat.S_ISDIR(entry[0]), used=used)
            used.add(copy)
            self.view.keep(entry)
            merged.add(copy, entry[0], entry[1])
            self.copies.append(ConflictCopy(display(_join(prefix, name)), display(_join(prefix, copy))))

    def _entries(self, prefix: bytes, entry: Entry | None) -> dict[bytes, Entry]:
        return {} if entry is None else self.view.entries(entry[1], prefix)

    def _merge_name(self, path: bytes, triple: _Triple) -> Entry | None:
        files = _part(triple, want_dir=False)
        dirs = _part(triple, want_dir=True)
        file_entry = self._merge_file_part(path, files)
        dir_entry = _trivial(dirs)
        if dir_entry is _BOTH:
            dir_id = self._merge_dirs(path, dirs)
            dir_entry = None if dir_id is None else (stat.S_IFDIR, dir_id)
        if file_entry is not None and dir_entry is not None:
            if self.keep_both is not None and not _gitlink(triple[1], triple[2]):
                # Each side as it is: the remote's at the path, ours beside it.
                return self._keep_both(path, theirs=triple[2], ours=triple[1])
            return self._conflict(path, triple[0] if triple[0] is not None else dir_entry)
        return file_entry if file_entry is not None else dir_entry

    def _merge_file_part(self, path: bytes, triple: _Triple) -> Entry | None:
        resolved = _trivial(triple)
        if resolved is not _BOTH:
            return resolved
        base, ours, theirs = triple
        if self.keep_both is not None and not _gitlink(ours, theirs):
            if ours is None or theirs is None:
                return self._keep_modified(path, ours or theirs, deleted_here=ours is None)
            if not (_regular(ours) and _regular(theirs)):
                return self._keep_both(path, theirs=theirs, ours=ours)
        if ours is None or theirs is None or not (_regular(ours) and _regular(theirs)):
            return self._conflict(path, base)
        mode = _merge_modes(base, ours, theirs)
        base_blob = self.objects.blob(base[1]).data if base is not None and _regular(base) else None
        content = merge_file(base_blob, self.objects.blob(ours[1]).data, self.objects.blob(theirs[1]).data)
        if (content.conflict or mode is None) and self.keep_both is not None:
            return self._keep_both(path, theirs=theirs, ours=ours)
        blob_id = self.objects.add(Blob.from_string(content.content))
        if content.conflict or mode is None:
            self._conflict(path, None)
            return (mode or ours[0], blob_id) if self.virtual else ours
        return (mode, blob_id)

    def _conflict(self, path: bytes, resolution: Entry | None) -> Entry | None:
        """Record a conflict at `path`; what a virtual base keeps there."""
        self.conflicts.append(_shown(path))
        return resolution

    def _keep_both(self, path: bytes, *, theirs: Entry | None, ours: Entry | None) -> Entry | None:
        """Theirs at `path`, ours kept beside it (named when its directory is complete)."""
        if theirs is None or ours is None:
            return self._conflict(path, None)
        self._forget_within(path)
        parent, _slash, name = path.rpartition(b"/")
        self._beside.setdefault(parent, []).append((name, ours))
        return theirs

    def _keep_modified(self, path: bytes, modified: Entry | None, *, deleted_here: bool) -> Entry | None:
        """Modify/delete: the modified side stays; the deleting side loses nothing."""
        self.copies.append(ConflictCopy(display(path), None, deleted_here))
        return modified

    def _forget_within(self, path: bytes) -> None:
        """Drop what was recorded at or under `path`: its entries are replaced as a whole."""
        shown = display(path)
        self.copies = [c for c in self.copies if not _within(c.path, shown)]
        self.conflicts = [c for c in self.conflicts if not _within(c, _shown(path))]
        for directory in [d for d in self._beside if d == path or d.startswith(path + b"/")]:
            del self._beside[directory]


def merge_commits(
    repo: Repo,
    objects: ObjectOverlay,
    ours: ObjectID,
    theirs: ObjectID,
    bases: list[ObjectID] | None = None,
    *,
    keep_both: KeepBoth | None = None,
    renames: RenameSettings | None = None,
    view: TreeView | None = None,
) -> TreeMerge:
    """Merge two commits' trees over their merge base(s), found in `repo` unless given;
    renames found as the repository's git config says unless `renames` is given. `view`:
    the one to read the result's `sides` with (trees a rename rewrote live only there)."""
    if bases is None:
        bases = find_merge_base(repo, [ours, theirs])
    settings = renames or rename_settings(repo)
    view = view or TreeView(objects)
    base_tree, unsure = _base_tree(repo, view, bases, settings)
    merger = TreeMerger(objects, keep_both=keep_both, renames=settings, view=view)
    merged = merger.merge(base_tree, objects.commit(ours).tree, objects.commit(theirs).tree)
    if unsure:
        conflicts = sorted(set(merged.conflicts) | set(unsure))
        return TreeMerge(merged.tree, conflicts, merged.copies, merged.rename_conflicts, merged.sides)
    return merged


def _base_tree(
    repo: Repo, view: TreeView, bases: list[ObjectID], settings: RenameSettings
) -> tuple[ObjectID | None, list[str]]:
    """The (virtual) merge base's tree, and the paths where a rename conflicted inside it."""
    if not bases:
        return None, []
    objects = view.objects
    tree = ObjectID(objects.commit(bases[0]).tree)
    merged = [bases[0]]
    unsure: list[str] = []
    for other in bases[1:]:
        # The merge base of `other` and the virtual merge of `merged` (git merge-base semantics).
        inner, inner_unsure = _base_tree(repo, view, find_merge_base(repo, [other, *merged]), settings)
        virtual = TreeMerger(objects, virtual=True, renames=settings, view=view)
        result = virtual.merge(inner, tree, objects.commit(other).tree)
        tree = result.tree
        unsure += inner_unsure + result.rename_conflicts
        merged.append(other)
    return tree, unsure


def _dir(tree: ObjectID | None) -> Entry | None:
    return None if tree is None else (stat.S_IFDIR, tree)


def _part(triple: _Triple, *, want_dir: bool) -> _Triple:
    base, ours, theirs = (e if e is not None and stat.S_ISDIR(e[0]) == want_dir else None for e in triple)
    return base, ours, theirs


def _trivial(triple: _Triple) -> Entry | Literal[_Changed.BOTH] | None:
    """The result when at most one side changed."""
    base, ours, theirs = triple
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return _BOTH


def _regular(entry: Entry) -> bool:
    return stat.S_ISREG(entry[0])


def _gitlink(*entries: Entry | None) -> bool:
    return any(e is not None and S_ISGITLINK(e[0]) for e in entries)


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top + "/")


def _shown(path: bytes) -> str:
    return path.decode("utf-8", "replace")


def _join(parent: bytes, name: bytes) -> bytes:
    return parent + b"/" + name if parent else name


def _merge_modes(base: Entry | None, ours: Entry, theirs: Entry) -> int | None:
    """The merged mode, or None when both sides set different modes."""
    if ours[0] == theirs[0]:
        return ours[0]
    if base is not None and base[0] == ours[0]:
        return theirs[0]
    if base is not None and base[0] == theirs[0]:
        return ours[0]
    return None
