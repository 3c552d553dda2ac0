"""A commit read by its id, or one line saying what the id names instead.

A ref or an id given to a switch, a clone's checkout, a push's walk or an auto-commit must
name a commit; a repository whose ref names a blob or a tree (a hand-edited ref, a tag
object left where a branch was) ends the sync with one line, never an `AssertionError`.
"""

from __future__ import annotations

from typing import Protocol

from dulwich.objects import Commit, ObjectID, ShaFile

from core.errors import GitferryError

__all__ = ["commit_at", "commit_tree"]


class Objects(Protocol):
    def __getitem__(self, sha: ObjectID, /) -> ShaFile: ...


def commit_at(source: Objects, sha: ObjectID, named: str | None = None) -> Commit:
    """The commit `sha` names; `named` (e.g. "HEAD") says where the id came from in the message."""
    found = source[sha]
    if not isinstance(found, Commit):
        kind = found.type_name.decode()
        where = named if named is not None else sha.decode()
        raise GitferryError(f"{where} names a {kind}, not a commit")
    return found


def commit_tree(source: Objects, sha: ObjectID) -> ObjectID:
    """The tree of the commit `sha` names."""
    return ObjectID(commit_at(source, sha).tree)
