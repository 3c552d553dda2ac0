"""Objects an integration creates, held in memory until it has succeeded.

Merging and replaying commits make new blobs, trees and commits. They live
here, in front of the repository's object store, so an integration that ends
in a conflict leaves the object store exactly as it was; `write` stores them
once the result is known to be used. Until then the overlay stands in for the
store wherever the result is read: a switch checks the working tree against
it (`switch_branch`'s `objects`) and writes it only once nothing is in the way.
"""

from __future__ import annotations

from typing import TypeVar

from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, Commit, ObjectID, ShaFile, Tree

_T = TypeVar("_T", Blob, Tree, Commit)

# Above this many new objects, one pack is cheaper than that many loose files.
_PACK_THRESHOLD = 256


class ObjectOverlay:
    def __init__(self, store: BaseObjectStore) -> None:
        self.store = store
        self._new: dict[ObjectID, ShaFile] = {}

    def __len__(self) -> int:
        return len(self._new)

    def __getitem__(self, sha: ObjectID) -> ShaFile:
        obj = self._new.get(sha)
        return obj if obj is not None else self.store[sha]

    def get(self, sha: ObjectID, kind: type[_T]) -> _T:
        obj = self[sha]
        if not isinstance(obj, kind):
            raise TypeError(f"{sha.decode()} is a {obj.type_name.decode()}, not a {kind.__name__.lower()}")
        return obj

    def commit(self, sha: ObjectID) -> Commit:
        return self.get(sha, Commit)

    def tree(self, sha: ObjectID) -> Tree:
        return self.get(sha, Tree)

    def blob(self, sha: ObjectID) -> Blob:
        return self.get(sha, Blob)

    def made(self, sha: ObjectID) -> ShaFile | None:
        """The object if it was made here and is not stored yet (None: look in the store)."""
        return self._new.get(sha)

    def add(self, obj: ShaFile) -> ObjectID:
        sha = obj.id
        self._new.setdefault(sha, obj)
        return sha

    def write(self, only_from: ObjectID | None = None, and_from: ObjectID | None = None) -> int:
        """Store every new object the repository lacks (with `only_from`: only those that
        commit or tree reaches, through trees and parents, and those `and_from` reaches,
        leaving out what a merge made and did not use, such as a conflicted file's merge
        with markers); the number stored."""
        if only_from is None:
            wanted = self._new
        else:
            wanted = self._reachable(only_from)
            wanted.update(self._reachable(and_from) if and_from is not None else {})
        missing = [obj for sha, obj in wanted.items() if sha not in self.store]
        if len(missing) > _PACK_THRESHOLD:
            self.store.add_objects([(obj, None) for obj in missing])
        else:
            for obj in missing:
                self.store.add_object(obj)
        self._new.clear()
        return len(missing)

    def _reachable(self, root: ObjectID) -> dict[ObjectID, ShaFile]:
        """The new objects `root` reaches; the walk stops at objects already stored, whose
        own objects are stored with them."""
        found: dict[ObjectID, ShaFile] = {}
        pending = [root]
        while pending:
            obj = self._new.get(pending.pop())
            if obj is None or obj.id in found:
                continue
            found[obj.id] = obj
            if isinstance(obj, Commit):
                pending.append(obj.tree)
                pending.extend(obj.parents)  # replayed commits; stored ones end the walk
            elif isinstance(obj, Tree):
                pending.extend(ObjectID(sha) for _name, _mode, sha in obj.iteritems())
        return found
