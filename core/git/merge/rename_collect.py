"""What each side of a merge deleted and added, and which deletions matter, as merge-ort collects them.

merge-ort walks the three trees together, skipping whatever both sides left
alone, and for each side notes the files it deleted (rename sources) and
added (rename destinations). A deletion is *relevant* when its rename would
change the result: the other side modified or deleted the file (CONTENT), or
it lies in a directory this side removed while the other side added files to
it, so the directory's new location is wanted (LOCATION). A side with no
relevant deletion needs no rename detection at all: whatever it renamed
merges the same as a deletion plus an addition.

A directory only one side changed (the other left it as in the base) cannot
hold a relevant deletion, so it is walked only if that side turns out to have
relevant deletions elsewhere (its files are then candidates, exact renames
first). This is ort's deferred traversal; a merge where one side changed
thousands of files and the other a few walks little more than the paths both
changed.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field

from dulwich.objects import ObjectID

from core.git.merge.git_hashmap import iteration_order
from core.git.merge.rename_detect import CONTENT, FOR_ANCESTOR, FOR_SELF, LOCATION, NOT_RELEVANT, Path
from core.git.merge.tree_view import Entry, TreeView

EMPTY_BLOB = ObjectID(b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")  # never a rename's source or target

_Triple = tuple[Entry | None, Entry | None, Entry | None]  # base, side 1 (ours), side 2 (theirs)
_Ids = tuple[ObjectID | None, ObjectID | None, ObjectID | None]


@dataclass
class SideChanges:
    """One side's deletions and additions of files (not directories), as rename candidates."""

    deleted: list[Path] = field(default_factory=list)
    added: list[Path] = field(default_factory=list)
    relevant: dict[bytes, int] = field(default_factory=dict)  # deleted path -> CONTENT or LOCATION
    dirs_removed: dict[bytes, int] = field(default_factory=dict)  # directory -> relevance
    deferred: list[tuple[bytes, _Ids, int]] = field(default_factory=list)  # walked only if needed

    def wants_detection(self) -> bool:
        return bool(self.relevant) and bool(self.deleted or self.added)


def collect(
    view: TreeView, base: ObjectID | None, ours: ObjectID, theirs: ObjectID
) -> tuple[SideChanges, ...]:
    """(unused, side 1, side 2): the changes of each side against `base`, each list in
    git's order: path order, then each deferred directory's files (path order within
    it), the directories in the order git's string map iterates them."""
    walk = _Walk(view)
    walk.directory(b"", (base, ours, theirs), 0)
    walk.deferring = False
    for changes in walk.sides[1:]:
        changes.deleted.sort(key=_by_path)
        changes.added.sort(key=_by_path)
        if changes.relevant:
            deferred = {path: (ids, mask) for path, ids, mask in changes.deferred}
            for path in iteration_order(deferred):
                start = (len(changes.deleted), len(changes.added))
                walk.directory(path, *deferred[path])
                changes.deleted[start[0] :] = sorted(changes.deleted[start[0] :], key=_by_path)
                changes.added[start[1] :] = sorted(changes.added[start[1] :], key=_by_path)
        changes.deferred = []
    return walk.sides


def _by_path(path: Path) -> bytes:
    return path.path


class _Walk:
    def __init__(self, view: TreeView) -> None:
        self.view = view
        self.sides = (SideChanges(), SideChanges(), SideChanges())
        self.deferring = True

    def directory(self, path: bytes, ids: _Ids, mask: int) -> None:
        listed = [self.view.entries(i, path) if i is not None else {} for i in ids]
        names = sorted(listed[0].keys() | listed[1].keys() | listed[2].keys())
        triples = [(name, (listed[0].get(name), listed[1].get(name), listed[2].get(name))) for name in names]
        if mask in (2, 4) and any(_masks(t)[0] == mask for _name, t in triples):
            mask = 7  # a file added into a directory the other side removed
        for name, triple in triples:
            self.entry(path, name, triple, mask)

    def entry(self, dirname: bytes, name: bytes, triple: _Triple, mask: int) -> None:
        path = dirname + b"/" + name if dirname else name
        filemask, dirmask = _masks(triple)
        base, one, two = triple
        one_is_base = one is not None and one == base
        two_is_base = two is not None and two == base
        sides_match = one is not None and one == two
        if one_is_base and two_is_base:
            return
        if filemask == 7 and (sides_match or one_is_base or two_is_base):
            return
        match = 3 if one_is_base else 5 if two_is_base else 6 if sides_match else 0
        if mask != 7 and dirmask in (3, 5):
            mask = dirmask & ~1
        if dirmask in (1, 3, 5):
            relevance = FOR_ANCESTOR if mask == 7 else NOT_RELEVANT
            for side in (1, 2):
                if not dirmask & (1 << side):
                    self.sides[side].dirs_removed[path] = relevance
        if mask == 7 and filemask in (2, 4):
            self.sides[3 - (filemask >> 1)].dirs_removed[dirname] = FOR_SELF
        if filemask not in (0, 7):
            self._files(path, triple, filemask, match, mask)
        if dirmask:
            self._subdirectory(path, triple, filemask, dirmask, match, mask)

    def _files(self, path: bytes, triple: _Triple, filemask: int, match: int, mask: int) -> None:
        for side in (1, 2):
            bit = 1 << side
            changes = self.sides[side]
            if filemask & 1 and not filemask & bit:
                base = triple[0]
                assert base is not None
                if not match & filemask:
                    changes.relevant[path] = CONTENT
                elif mask == 7:
                    changes.relevant[path] = LOCATION
                changes.deleted.append(Path(path, base))
            elif not filemask & 1 and filemask & bit:
                added = triple[side]
                assert added is not None
                changes.added.append(Path(path, added))

    def _subdirectory(
        self, path: bytes, triple: _Triple, filemask: int, dirmask: int, match: int, mask: int
    ) -> None:
        ids = (_dir_id(triple[0]), _dir_id(triple[1]), _dir_id(triple[2]))
        side = 2 if match == 3 else 1 if match == 5 else 0
        if filemask == 0 and dirmask in (2, 4):
            side = dirmask // 2
        if self.deferring and mask != 7 and side:
            self.sides[side].deferred.append((path, ids, mask))
            return
        self.directory(path, ids, mask)


def _dir_id(entry: Entry | None) -> ObjectID | None:
    return entry[1] if entry is not None and stat.S_ISDIR(entry[0]) else None


def _masks(triple: _Triple) -> tuple[int, int]:
    """(filemask, dirmask): bit 0 base, bit 1 side 1, bit 2 side 2."""
    filemask = dirmask = 0
    for i, entry in enumerate(triple):
        if entry is None:
            continue
        if stat.S_ISDIR(entry[0]):
            dirmask |= 1 << i
        else:
            filemask |= 1 << i
    return filemask, dirmask
