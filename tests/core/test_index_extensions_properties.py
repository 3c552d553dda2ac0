"""Property: whatever a switch inserts, removes or rewrites, the index it writes keeps git's
file-system monitor bits and cache tree exact.

Two random commits A and B over nested directories, a checkout of A by git (full cache
tree), a file-system monitor hook (watchman protocol v2), random edits to files the switch
does not change (git records them dirty in `FSMN`), then a switch A -> B. git decides:
`git ls-files -f` tags every changed or edited path as not valid and every other as valid
(entries keep their own validity, as git's `unpack_trees` keeps it), `git write-tree`
(which trusts every valid cache-tree node) gives B's tree, and `git status` shows exactly
the edits.
"""

from __future__ import annotations

import os

import pytest
from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit, ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.git.worktree.checkout import switch_branch
from tests.core.test_index_extensions import extensions, fsmonitor_flags, with_fsmonitor
from tests.gitcli import fsck, git

pytestmark = pytest.mark.slow  # several git and hook runs an example

MAIN = Ref(b"refs/heads/main")
UNIVERSE = ["0", "a", "m/0", "m/a", "m/n/x", "m/n/y", "m/o/z", "q/r/s/t", "z"]
trees = st.dictionaries(st.sampled_from(UNIVERSE), st.sampled_from(["one\n", "two\n"]), max_size=9)


def _commit(r: Repo, tree: dict[str, str], parents: list[ObjectID]) -> ObjectID:
    blobs = []
    for path, content in tree.items():
        blob = Blob.from_string(content.encode())
        r.object_store.add_object(blob)
        blobs.append((path.encode(), blob.id, 0o100644))
    commit = Commit()
    commit.tree = commit_tree(r.object_store, blobs)
    commit.parents = parents
    commit.author = commit.committer = b"T <t@example.invalid>"
    commit.author_time = commit.commit_time = 0
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"c"
    r.object_store.add_object(commit)
    return commit.id


@settings(
    max_examples=int(os.environ.get("INDEX_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(old=trees, new=trees, edit_picks=st.sets(st.sampled_from(UNIVERSE)))
def test_switch_keeps_fsmonitor_bits_and_cache_tree_exact(
    tmp_path_factory: pytest.TempPathFactory, old: dict[str, str], new: dict[str, str], edit_picks: set[str]
) -> None:
    root = tmp_path_factory.mktemp("prop")
    git("init", "-q", "-b", "main", str(root))
    with Repo(str(root)) as r:
        a = _commit(r, old, [])
        b = _commit(r, new, [a])
        r.refs[MAIN] = a
    git("reset", "-q", "--hard", "main", cwd=root)
    git("write-tree", cwd=root)
    with_fsmonitor(root, tmp_path_factory.mktemp("hook"))
    git("status", "--porcelain", cwd=root)
    edited = {p for p in edit_picks if p in old and new.get(p) == old[p]}
    for path in edited:
        (root / path).write_text("my edit\n")
    git("status", "--porcelain", cwd=root)
    assert b"FSMN" in extensions(root)
    before = fsmonitor_flags(root)  # racily clean entries may be dirty too
    assert all(before[p] == "H" for p in edited)
    with Repo(str(root)) as r:
        switch_branch(r, MAIN, a, b)
    changed = {p for p in set(old) | set(new) if old.get(p) != new.get(p)}
    assert fsmonitor_flags(root) == {p: "H" if p in changed or before[p] == "H" else "h" for p in new}
    assert git("write-tree", cwd=root) == git("rev-parse", f"{b.decode()}^{{tree}}", cwd=root)
    assert sorted(git("diff", "--name-only", cwd=root).splitlines()) == sorted(edited)
    fsck(root)
