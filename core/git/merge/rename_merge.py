"""Renames in a three-way merge, decided as merge-ort decides them.

Each side's renames are found against the base (`rename_collect`,
`rename_detect`), then taken in order of source path, as merge-ort's
process_renames takes them:

- renamed on one side, modified (or not) on the other: the other side's and
  the base's versions move to the new path, where the path-by-path merge then
  merges the three; the old path is gone;
- renamed the same way on both sides: the base's version moves too;
- renamed to two different paths (rename/rename), renamed on one side and
  deleted on the other (rename/delete), renamed where the other side put a
  file of another kind (rename/type change): a conflict;
- renamed onto a path the other side also added (rename/add, or two files
  renamed onto one: rename/rename 2to1): the rename's three versions are
  merged first, and that result meets the other side's file as two
  additions (equal ones merge); a conflict if the first merge conflicts.

Directory renames (a directory whose files one side moved, by majority,
elsewhere, which the other side added files to) are looked for as ort does,
in the top-level merge only; with `merge.directoryRenames` other than false
any file they would move is a conflict (a directory split between two new
places is one too).

The result is the merge's input trees rewritten (`TreeView.edit`) so that
the path-by-path merge in `merge_tree` sees each renamed file's three
versions at one path, plus the conflicts renames themselves cause. With
`keep_both`, a rename that conflicts is simply not applied: the path-by-path
merge then keeps the renamed file and the other side's version, each where
its side put it (a rename/delete keeps the renamed file), so nothing is lost.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from dulwich.objects import ObjectID

from core.git.config.merge_config import RenameSettings
from core.git.merge.conflict_copies import ConflictCopy
from core.git.merge.rename_collect import EMPTY_BLOB, SideChanges, collect
from core.git.merge.rename_detect import detect
from core.git.merge.similarity import Similarity
from core.git.merge.tree_view import Entry, PathClash, TreeView
from core.git.objects.path_safety import display

# Merges one file's three versions (base, side 1, side 2); None when they conflict.
MergeEntries = Callable[[bytes, Entry | None, Entry, Entry], Entry | None]
_Stages = list[Entry | None]  # base, side 1, side 2


@dataclass
class RenamePlan:
    trees: tuple[ObjectID | None, ObjectID, ObjectID]  # base, ours, theirs, rewritten
    conflicts: list[bytes] = field(default_factory=list)
    kept: list[ConflictCopy] = field(default_factory=list)  # with keep_both: conflicts resolved


@dataclass(frozen=True)
class _Rename:
    source: bytes
    target: bytes
    side: int  # 1 (ours) or 2 (theirs)


def plan(
    view: TreeView,
    trees: tuple[ObjectID | None, ObjectID, ObjectID],
    settings: RenameSettings,
    merge_entries: MergeEntries,
    *,
    virtual: bool = False,
    keep_both: bool = False,
) -> RenamePlan:
    """How renames change the merge of `trees`; the trees unchanged when nothing was renamed."""
    base, ours, theirs = trees
    if not settings.detect or base is None:
        return RenamePlan(trees)
    sides = collect(view, base, ours, theirs)
    if not (sides[1].wants_detection() or sides[2].wants_detection()):
        return RenamePlan(trees)
    similarity = Similarity(lambda sha: view.objects.blob(sha).data)
    renames: list[_Rename] = []
    counts: dict[int, dict[bytes, dict[bytes, int]]] = {1: {}, 2: {}}
    for side in (1, 2):
        changes = sides[side]
        if changes.wants_detection():
            found = detect(
                [p for p in changes.deleted if p.entry[1] != EMPTY_BLOB],
                [p for p in changes.added if p.entry[1] != EMPTY_BLOB],
                changes.relevant,
                changes.dirs_removed,
                similarity,
                limit=settings.limit,
            )
            renames += [_Rename(source, target, side) for source, target in found.renames]
            counts[side] = found.counts
    if not renames:
        return RenamePlan(trees)
    result = _Process(view, trees, merge_entries, keep_both).run(sorted(renames, key=lambda r: r.source))
    if not virtual and settings.directories != "false" and not keep_both:
        result.conflicts += _directory_conflicts(sides, counts)
    result.conflicts = sorted(set(result.conflicts))
    return result


class _Process:
    def __init__(
        self,
        view: TreeView,
        trees: tuple[ObjectID | None, ObjectID, ObjectID],
        merge_entries: MergeEntries,
        keep_both: bool,
    ) -> None:
        self.view = view
        self.trees = trees
        self.merge_entries = merge_entries
        self.keep_both = keep_both
        self.stages: dict[bytes, _Stages] = {}
        self.original: dict[bytes, tuple[Entry | None, ...]] = {}
        self.sides_matched: set[bytes] = set()  # both sides had the same file there: side 1's wins
        self.resolved: set[bytes] = set()
        self.conflicts: list[bytes] = []
        self.kept: list[ConflictCopy] = []

    def run(self, renames: list[_Rename]) -> RenamePlan:
        i = 0
        while i < len(renames):
            rename = renames[i]
            pair = renames[i + 1] if i + 1 < len(renames) and renames[i + 1].source == rename.source else None
            i += 2 if pair is not None else 1
            if rename.source in self.resolved:
                continue
            if pair is not None:
                self._both_renamed(rename, pair)
            else:
                self._renamed(rename)
        return self._plan()

    def _stage(self, path: bytes) -> _Stages:
        found = self.stages.get(path)
        if found is None:
            found = self.stages[path] = [_file(self.view.lookup(tree, path)) for tree in self.trees]
            self.original[path] = tuple(found)
            if found[1] is not None and found[1] == found[2]:
                self.sides_matched.add(path)
        return found

    def _both_renamed(self, one: _Rename, two: _Rename) -> None:
        if one.target == two.target:
            self._stage(one.target)[0] = self._stage(one.source)[0]
            self._remove(one.source)
            return
        ours, theirs = (one, two) if one.side == 1 else (two, one)
        self._conflict(
            [one.source, one.target, two.target], ConflictCopy(display(theirs.target), display(ours.target))
        )

    def _renamed(self, rename: _Rename) -> None:
        side, other = rename.side, 3 - rename.side
        old, new = self._stage(rename.source), self._stage(rename.target)
        deleted = old[other] is None
        collision = new[other] is not None
        ours_now = new[side]
        assert ours_now is not None and old[0] is not None
        changed_kind = not deleted and _regular(old[other]) != _regular(ours_now)
        if changed_kind and collision:
            collision = False
        if collision and not deleted:
            if side == 2 and rename.target in self.sides_matched:
                # Both sides hold the same file there; ort keeps side 1's whatever the
                # rename's own merge gives (a cherry-picked rename meeting an edit).
                self._remove(rename.source)
                return
            # ort merges the rename's own three versions: the target on the renaming side,
            # the source on the other.
            v1, v2 = (new[1], old[2]) if side == 1 else (old[1], new[2])
            assert v1 is not None and v2 is not None
            merged = self.merge_entries(rename.target, old[0], v1, v2)
            if merged is None:
                self._conflict([rename.target])
                return
            new[side] = merged
        elif deleted:
            # rename/delete; with a collision, rename/add/delete (kept as an add/add)
            kept = None if collision else ConflictCopy(display(rename.target), None, other == 1)
            self._conflict([rename.target], kept)
            return
        elif changed_kind:
            self._conflict([rename.target])
            return
        else:
            new[0] = old[0]
            new[other] = old[other]
        self._remove(rename.source)

    def _remove(self, path: bytes) -> None:
        self.stages[path] = [None, None, None]
        self.resolved.add(path)

    def _conflict(self, paths: list[bytes], kept: ConflictCopy | None = None) -> None:
        """A rename that conflicts: with keep_both it is left out (and noted), else a conflict."""
        if self.keep_both:
            if kept is not None:
                self.kept.append(kept)
            return
        self.conflicts += paths

    def _plan(self) -> RenamePlan:
        edits: list[dict[bytes, Entry | None]] = [{}, {}, {}]
        for path, stages in self.stages.items():
            final = list(stages)
            if path in self.sides_matched:
                final[2] = final[1]
            for k in range(3):
                if final[k] != self.original[path][k]:
                    edits[k][path] = final[k]
        try:
            base = self.view.edit(self.trees[0], edits[0])
            ours = self.view.edit(self.trees[1], edits[1])
            theirs = self.view.edit(self.trees[2], edits[2])
        except PathClash as clash:
            # A renamed file would meet a directory: not reproduced here; a conflict
            # (or, keeping both, the merge without renames).
            return RenamePlan(self.trees, [] if self.keep_both else [clash.path])
        assert ours is not None and theirs is not None
        return RenamePlan((base, ours, theirs), self.conflicts, self.kept)


def _directory_conflicts(
    sides: tuple[SideChanges, ...], counts: dict[int, dict[bytes, dict[bytes, int]]]
) -> list[bytes]:
    """Files one side added under a directory the other side renamed (ort's implicit
    directory renames), and directories split between two new places."""
    conflicts: list[bytes] = []
    renamed: dict[int, dict[bytes, bytes]] = {1: {}, 2: {}}
    for side in (1, 2):
        for old, targets in counts[side].items():
            top = max(targets.values(), default=0)
            if not top:
                continue
            best = [new for new, count in targets.items() if count == top]
            if len(best) > 1:
                conflicts.append(old)
            else:
                renamed[side][old] = best[0]
    for old in renamed[1].keys() & renamed[2].keys():
        del renamed[1][old], renamed[2][old]
    landing: dict[int, set[bytes]] = {1: set(), 2: set()}
    for side in (1, 2):
        for added in sides[side].added:
            found = _renamed_parent(added.path, renamed[3 - side])
            if found is not None:
                landing[side].add(_moved(added.path, *found))
    for side in (1, 2):
        other = 3 - side
        for added in sides[side].added:
            if added.path in landing[other]:
                continue
            found = _renamed_parent(added.path, renamed[other])
            if found is not None and found[1] not in renamed[side]:
                conflicts.append(added.path)
    return conflicts


def _renamed_parent(path: bytes, renamed: dict[bytes, bytes]) -> tuple[bytes, bytes] | None:
    """The nearest directory above `path` that was renamed, and where to."""
    directory = path
    while b"/" in directory:
        directory = directory.rpartition(b"/")[0]
        if directory in renamed:
            return directory, renamed[directory]
    return None


def _moved(path: bytes, old: bytes, new: bytes) -> bytes:
    rest = path[len(old) :]
    return rest[1:] if not new else new + rest


def _file(entry: Entry | None) -> Entry | None:
    return None if entry is None or stat.S_ISDIR(entry[0]) else entry


def _regular(entry: Entry | None) -> bool:
    return entry is not None and stat.S_ISREG(entry[0])
