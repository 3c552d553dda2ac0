"""Property: a switch over arbitrary local edits never loses a byte.

Two random commits A and B over a small universe of paths (with file <->
directory swaps), a checkout of A, random local edits (modify, delete,
create, chmod), then switch A -> B. Either it refuses and the work tree is
exactly as it was, or the result is B with every local edit still there;
and it may refuse only if an edit touches a path the switch changes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit, ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from core.git.worktree.checkout import WorktreeInTheWay, switch_branch
from tests.gitcli import fsck, git

pytestmark = pytest.mark.slow  # over a second a test (README, "Tests")

MAIN = Ref(b"refs/heads/main")
# Files, and the files that would sit where their directories are.
UNIVERSE = ["a", "b", "c/x", "c/y", "d/e/f", "d/g"]
DIR_SWAPS = ["c", "d/e"]
CONTENTS = ["one\n", "two\n"]

Tree = dict[str, tuple[str, bool]]  # path -> (content, executable)


def _valid(tree: Tree) -> Tree:
    """Drop files under a path that is itself a file (no D/F conflict inside one tree)."""
    return {p: v for p, v in tree.items() if not any(p.startswith(f + "/") for f in tree)}


trees = st.dictionaries(
    st.sampled_from(UNIVERSE + DIR_SWAPS), st.tuples(st.sampled_from(CONTENTS), st.booleans()), max_size=8
).map(_valid)
edits = st.lists(
    st.tuples(
        st.sampled_from(["write", "write", "delete", "chmod"]),
        st.sampled_from(UNIVERSE + DIR_SWAPS),
        st.sampled_from([*CONTENTS, "mine\n"]),
    ),
    max_size=4,
)


def _commit(r: Repo, tree: Tree, parents: list[ObjectID]) -> ObjectID:
    blobs = []
    for path, (content, exe) in tree.items():
        blob = Blob.from_string(content.encode())
        r.object_store.add_object(blob)
        blobs.append((path.encode(), blob.id, 0o100755 if exe else 0o100644))
    commit = Commit()
    commit.tree = commit_tree(r.object_store, blobs)
    commit.parents = parents
    commit.author = commit.committer = b"T <t@example.invalid>"
    commit.author_time = commit.commit_time = 0
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"c"
    r.object_store.add_object(commit)
    return commit.id


def _work_tree(root: Path) -> Tree:
    found: Tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            path = Path(dirpath, name)
            mode = path.lstat().st_mode
            found[str(path.relative_to(root))] = (path.read_text(), bool(mode & stat.S_IXUSR))
    return found


def _apply(root: Path, edits: list[tuple[str, str, str]]) -> Tree:
    """Apply the edits that are possible; the expected overlay of each touched path."""
    for op, name, content in edits:
        path = root / name
        blocked = any((root / p).is_file() for p in _parents(name))
        if op == "write" and not blocked and not path.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        elif op == "delete" and path.is_file():
            path.unlink()
        elif op == "chmod" and path.is_file():
            path.chmod(path.stat().st_mode ^ 0o111)
    return _work_tree(root)


def _parents(name: str) -> list[str]:
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


@settings(
    max_examples=int(os.environ.get("CHECKOUT_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(old=trees, new=trees, local=edits)
@example(old={}, new={"a": ("one\n", False)}, local=[("write", "a", "two\n")])
@example(old={"c/x": ("one\n", False)}, new={"c": ("one\n", False)}, local=[("write", "c/y", "mine\n")])
@example(old={"c": ("one\n", False)}, new={"c/x": ("one\n", False)}, local=[("write", "c", "mine\n")])
@example(old={"a": ("one\n", False)}, new={}, local=[("chmod", "a", "")])
def test_switch_over_local_edits_never_loses_work(
    tmp_path_factory: object, old: Tree, new: Tree, local: list[tuple[str, str, str]]
) -> None:
    root = Path(tmp_path_factory.mktemp("prop"))  # type: ignore[attr-defined]
    git("init", "-q", "-b", "main", str(root))
    r = Repo(str(root))
    try:
        empty = _commit(r, {}, [])
        a = _commit(r, old, [empty])
        b = _commit(r, new, [a])
        r.refs[MAIN] = empty
        switch_branch(r, MAIN, empty, a)
        assert _work_tree(root) == old
        edited = _apply(root, local)
        touched = {p for p in set(edited) | set(old) if edited.get(p) != old.get(p)}
        changed = {p for p in set(old) | set(new) if old.get(p) != new.get(p)}
        try:
            switch_branch(r, MAIN, a, b)
        except WorktreeInTheWay as exc:
            assert _work_tree(root) == edited
            blamed = exc.dirty + exc.untracked
            assert all(any(_related(p, t) for t in touched) for p in blamed), (blamed, touched)
            assert any(_related(t, c) for t in touched for c in changed)
            event("refused")
            return
    finally:
        r.close()
    expected = dict(new)
    for t in touched:
        if t in edited:
            expected[t] = edited[t]
        else:
            expected.pop(t, None)
    assert _work_tree(root) == expected
    fsck(root)
    event("switched over local edits" if touched else "switched")
