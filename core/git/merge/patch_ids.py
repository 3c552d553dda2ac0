"""Which local commits the upstream already has under another id, as `git rebase` skips them.

`git rebase <upstream>` leaves out a local commit whose patch equals one of
the upstream's commits since the fork (`git rev-list --cherry-pick
--right-only <upstream>...HEAD`): a commit cherry-picked or rebased there.
Two commits have the same patch when `git patch-id --stable` gives them the
same id: for each changed file (no rename detection), the paths, the mode
lines, and the diff (three lines of context, no line numbers, every blank
removed), or both blob ids for a binary file. A merge commit has no patch,
and an empty commit is never left out.

Here the patches are compared, not hashed. An upstream commit is diffed only
as far as it could match: a change outside the directories the local commits
touch rules it out without reading further, so a long upstream history costs
a couple of tree reads per commit.
"""

from __future__ import annotations

import io
import stat
from collections.abc import Sequence
from dataclasses import dataclass

from dulwich.objects import Commit, ObjectID
from dulwich.repo import Repo
from dulwich.walk import Walker

from core.errors import GitferryError
from core.git.merge.line_diff import diff_hunks
from core.git.merge.tree_view import Entry, TreeView

_CONTEXT = 3
_BINARY_PROBE = 8000
_NULL = b"0" * 40
_BLANKS = b" \t\n\v\f\r"

_Change = tuple[bytes, Entry | None, Entry | None]  # path, before, after (files only)


@dataclass(frozen=True)
class _Commit:
    commit: Commit
    paths: frozenset[bytes]
    changes: list[_Change]


def already_upstream(
    repo: Repo, view: TreeView, commits: Sequence[Commit], upstream: ObjectID, head: ObjectID
) -> set[ObjectID]:
    """Those of `commits` (local, to replay onto `upstream`) whose patch an upstream
    commit not reachable from `head` has."""
    local = [found for commit in commits if (found := _local(view, commit)) is not None]
    if not local:
        return set()
    by_paths: dict[frozenset[bytes], list[_Commit]] = {}
    for found in local:
        by_paths.setdefault(found.paths, []).append(found)
    reach = _prefixes(by_paths)
    patches: dict[ObjectID, bytes | None] = {}
    skipped: set[ObjectID] = set()
    for entry in Walker(repo.object_store, [upstream], exclude=[head]):
        theirs = entry.commit
        if len(theirs.parents) > 1:
            continue
        changes = _changes(view, _parent_tree(view, theirs), theirs.tree, reach)
        if not changes:
            continue
        candidates = by_paths.get(frozenset(path for path, _old, _new in changes), [])
        waiting = [c for c in candidates if c.commit.id not in skipped]
        if not waiting:
            continue
        patch = _patch(view, changes)
        for mine in waiting:
            if mine.commit.id not in patches:
                patches[mine.commit.id] = _patch(view, mine.changes)
            if patch is not None and patches[mine.commit.id] == patch:
                skipped.add(mine.commit.id)
    return skipped


def _local(view: TreeView, commit: Commit) -> _Commit | None:
    if len(commit.parents) > 1:
        return None
    changes = _changes(view, _parent_tree(view, commit), commit.tree, None)
    if not changes:  # empty (or unreadable): never left out
        return None
    return _Commit(commit, frozenset(path for path, _old, _new in changes), changes)


def _parent_tree(view: TreeView, commit: Commit) -> ObjectID | None:
    return view.objects.commit(commit.parents[0]).tree if commit.parents else None


def _prefixes(by_paths: dict[frozenset[bytes], list[_Commit]]) -> set[bytes]:
    """Every path the local commits change, and every directory above one."""
    reach: set[bytes] = set()
    for paths in by_paths:
        for path in paths:
            while path and path not in reach:
                reach.add(path)
                path = path.rpartition(b"/")[0]
    return reach


def _changes(
    view: TreeView, old: ObjectID | None, new: ObjectID | None, reach: set[bytes] | None
) -> list[_Change] | None:
    """The files that differ, path order; None when one lies outside `reach` (or a tree is
    unreadable: such a commit is simply not matched)."""
    out: list[_Change] = []
    try:
        if not _walk(view, old, new, b"", reach, out):
            return None
    except GitferryError:
        return None
    return sorted(out, key=lambda change: change[0])


def _walk(
    view: TreeView,
    old: ObjectID | None,
    new: ObjectID | None,
    prefix: bytes,
    reach: set[bytes] | None,
    out: list[_Change],
) -> bool:
    if old == new:
        return True
    before = view.entries(old, prefix) if old is not None else {}
    after = view.entries(new, prefix) if new is not None else {}
    for name in before.keys() | after.keys():
        one, two = before.get(name), after.get(name)
        if one == two:
            continue
        path = prefix + b"/" + name if prefix else name
        if reach is not None and path not in reach:
            return False
        files = [_file(one), _file(two)]
        if files[0] != files[1]:
            out.append((path, files[0], files[1]))
        dirs = [_dir(one), _dir(two)]
        if dirs[0] != dirs[1] and not _walk(view, dirs[0], dirs[1], path, reach, out):
            return False
    return True


def _file(entry: Entry | None) -> Entry | None:
    return None if entry is None or stat.S_ISDIR(entry[0]) else (_canonical(entry[0]), entry[1])


def _dir(entry: Entry | None) -> ObjectID | None:
    return entry[1] if entry is not None and stat.S_ISDIR(entry[0]) else None


def _canonical(mode: int) -> int:
    if stat.S_ISLNK(mode) or stat.S_IFMT(mode) == 0o160000:
        return stat.S_IFMT(mode)
    return 0o100755 if mode & 0o100 else 0o100644


def _patch(view: TreeView, changes: list[_Change]) -> bytes | None:
    """The text git's patch id hashes, file by file (files in path order); None when a
    file cannot be diffed (the commit is then replayed, never left out)."""
    try:
        return _patch_text(view, changes)
    except Exception:  # a diff that gives up, an unreadable blob: no patch id
        return None


def _patch_text(view: TreeView, changes: list[_Change]) -> bytes:
    out = io.BytesIO()
    for path, old, new in changes:
        bare = _unblank(path)
        out.write(b"diff--gita/" + bare + b"b/" + bare)
        if old is None and new is not None:
            out.write(b"newfilemode%06o" % new[0])
        elif new is None and old is not None:
            out.write(b"deletedfilemode%06o" % old[0])
        elif old is not None and new is not None and old[0] != new[0]:
            out.write(b"oldmode%06o" % old[0] + b"newmode%06o" % new[0])
        a, b = _content(view, old), _content(view, new)
        if b"\0" in a[:_BINARY_PROBE] or b"\0" in b[:_BINARY_PROBE]:
            out.write((old[1] if old else _NULL) + (new[1] if new else _NULL))
        else:
            out.write(b"---/dev/null" if old is None else b"---a/" + bare)
            out.write(b"+++/dev/null" if new is None else b"+++b/" + bare)
            _diff(out, _lines(a), _lines(b))
        out.write(b"\0")  # between files (a hash per file in git)
    return out.getvalue()


def _content(view: TreeView, entry: Entry | None) -> bytes:
    if entry is None:
        return b""
    if stat.S_IFMT(entry[0]) == 0o160000:
        return b"Subproject commit " + entry[1] + b"\n"
    return view.objects.blob(entry[1]).data


def _diff(out: io.BytesIO, a: list[bytes], b: list[bytes]) -> None:
    """Changed lines with three lines of context, hunks as xdiff groups them, blanks removed."""
    hunks = diff_hunks(a, b)
    group: list[tuple[int, int, int, int]] = []
    for hunk in hunks:
        if group and hunk[0] - group[-1][1] > 2 * _CONTEXT:
            _emit(out, a, b, group)
            group = []
        group.append(hunk)
    if group:
        _emit(out, a, b, group)


def _emit(out: io.BytesIO, a: list[bytes], b: list[bytes], group: list[tuple[int, int, int, int]]) -> None:
    at = max(group[0][0] - _CONTEXT, 0)
    for i1, i2, j1, j2 in group:
        for line in a[at:i1]:
            out.write(b" " + _unblank(line))
        for line in a[i1:i2]:
            out.write(b"-" + _unblank(line))
        for line in b[j1:j2]:
            out.write(b"+" + _unblank(line))
        at = i2
    for line in a[at : min(at + _CONTEXT, len(a))]:
        out.write(b" " + _unblank(line))


def _lines(data: bytes) -> list[bytes]:
    return io.BytesIO(data).readlines()


def _unblank(text: bytes) -> bytes:
    return text.translate(None, _BLANKS)
