"""The trees of one merge: each read and checked once, plus the merge's own edited trees.

Rename handling rewrites the merge's input trees (a renamed file's base and
other-side versions moved to the new path) before the path-by-path merge
runs. Those edited trees live here, not in the object overlay: only the
ones that end up inside the result are added to it (`keep`), so a merge
stores no tree it does not use.
"""

from __future__ import annotations

import stat

from dulwich.objects import ObjectID, Tree

from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.tree_delta import checked_entries

Entry = tuple[int, ObjectID]  # (mode, id)


class PathClash(Exception):
    """An edit would put a file where a directory is, or under a file."""

    def __init__(self, path: bytes) -> None:
        super().__init__(path.decode("utf-8", "replace"))
        self.path = path


class TreeView:
    def __init__(self, objects: ObjectOverlay) -> None:
        self.objects = objects
        self._read: dict[ObjectID, dict[bytes, Entry]] = {}
        self._edited: dict[ObjectID, Tree] = {}

    def entries(self, tree: ObjectID, prefix: bytes) -> dict[bytes, Entry]:
        """The tree's entries, read raw and checked: a parsed tree would let a duplicate
        name collapse silently."""
        found = self._read.get(tree)
        if found is None:
            edited = self._edited.get(tree)
            if edited is not None:
                found = {name: (mode, ObjectID(sha)) for name, mode, sha in edited.iteritems()}
            else:
                found = {name: (mode, sha) for name, mode, sha in checked_entries(self.objects, tree, prefix)}
            self._read[tree] = found
        return found

    def lookup(self, root: ObjectID | None, path: bytes) -> Entry | None:
        """The entry at `path` (a file or a directory), or None."""
        entry: Entry | None = None if root is None else (stat.S_IFDIR, root)
        prefix = b""
        for name in path.split(b"/"):
            if entry is None or not stat.S_ISDIR(entry[0]):
                return None
            entry = self.entries(entry[1], prefix).get(name)
            prefix = prefix + b"/" + name if prefix else name
        return entry

    def edit(self, root: ObjectID | None, files: dict[bytes, Entry | None]) -> ObjectID | None:
        """`root` with the file entries at these paths replaced (None: removed); directories
        left empty disappear. Raises PathClash where a path meets a file or directory."""
        if not files:
            return root
        return self._edit(root, b"", files)

    def _edit(
        self, tree: ObjectID | None, prefix: bytes, files: dict[bytes, Entry | None]
    ) -> ObjectID | None:
        entries = dict(self.entries(tree, prefix)) if tree is not None else {}
        below: dict[bytes, dict[bytes, Entry | None]] = {}
        for path, entry in files.items():
            name, slash, rest = path.partition(b"/")
            full = prefix + b"/" + name if prefix else name
            if slash:
                below.setdefault(name, {})[rest] = entry
                continue
            present = entries.get(name)
            if present is not None and stat.S_ISDIR(present[0]):
                raise PathClash(full)
            if entry is None:
                entries.pop(name, None)
            else:
                entries[name] = entry
        for name, changes in below.items():
            full = prefix + b"/" + name if prefix else name
            present = entries.get(name)
            if present is not None and not stat.S_ISDIR(present[0]):
                raise PathClash(full)
            sub = self._edit(present[1] if present is not None else None, full, changes)
            if sub is None:
                entries.pop(name, None)
            else:
                entries[name] = (stat.S_IFDIR, sub)
        if not entries:
            return None
        edited = Tree()
        for name, (mode, sha) in entries.items():
            edited.add(name, mode, sha)
        if edited.id not in self._edited:
            self._edited[edited.id] = edited
        return edited.id

    def keep(self, entry: Entry) -> None:
        """Add `entry`'s tree to the overlay if it is one of the edited ones (with theirs below)."""
        if not stat.S_ISDIR(entry[0]):
            return
        edited = self._edited.get(entry[1])
        if edited is None:
            return
        for _name, mode, sha in edited.iteritems():
            self.keep((mode, ObjectID(sha)))
        self.objects.add(edited)
