"""Every index Gitferry writes keeps git's index extensions valid, or drops them as git does.

`mine` and `theirs` are registered clones of one remote; Gitferry syncs `mine` through
the CLI (fetch, fast-forward, auto-commit), and git decides: `git status`, `git ls-files`
(`-f` fsmonitor validity, `-t` skip-worktree, `--resolve-undo`, `--sparse`),
`git write-tree`, `git checkout`, `git fsck`, and a copy of `mine` that does the same with
`git pull --ff-only` or `git add -A && git commit`.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.index import read_index
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.index.cache_tree import CacheTree, parse_cache_tree
from core.git.index.locked import LockedIndex, UnsupportedIndex
from core.git.worktree.checkout import resume_interrupted_switch
from core.git.worktree.switch_intent import SwitchIntent, write_intent
from tests.core.synced_clones import clones_world, listing, publish, referee_copy, synced
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import Clones, porcelain, run
from tests.servers import Remote


@pytest.fixture
def world(path_remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Clones]:
    yield from clones_world(path_remote, tmp_path, capsys)


def extensions(repo: Path) -> dict[bytes, bytes]:
    """The index's extensions by signature (entries skipped with dulwich's reader)."""
    data = (repo / ".git" / "index").read_bytes()
    buffer = io.BytesIO(data)
    for _entry in read_index(buffer):
        pass
    pos, found = buffer.tell(), {}
    while pos + 8 <= len(data) - 20:
        (size,) = struct.unpack_from(">I", data, pos + 4)
        found[data[pos : pos + 4]] = data[pos + 8 : pos + 8 + size]
        pos += 8 + size
    return found


# --- FSMN ---------------------------------------------------------------------------------------

WATCHMAN_HOOK = '''\
"""fsmonitor-watchman protocol v2: print a new token, then every file changed since the token
(a snapshot of the tree's files is kept per token; directories are not reported, as a watchman
query for files and symlinks does not); an unknown token gets "/" (everything may have changed)."""
import json, os, sys

token = sys.argv[2]
state = os.path.join(".git", "fsmonitor-snapshots")
os.makedirs(state, exist_ok=True)
now = {}
for top, dirs, files in os.walk("."):
    dirs[:] = [d for d in dirs if d != ".git"]
    for name in files:
        path = os.path.join(top, name)[2:]
        st = os.lstat(path)
        now[path] = [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode]
number = str(len(os.listdir(state)) + 1)
with open(os.path.join(state, number), "w") as f:
    json.dump(now, f)
out = sys.stdout.buffer
out.write(b"tok:" + number.encode() + b"\\0")
old_path = os.path.join(state, token[4:]) if token.startswith("tok:") else ""
if not os.path.exists(old_path):
    out.write(b"/\\0")
else:
    with open(old_path) as f:
        old = json.load(f)
    for path in sorted(set(old) | set(now)):
        if old.get(path) != now.get(path):
            out.write(path.encode() + b"\\0")
'''


def with_fsmonitor(repo: Path, tmp_path: Path) -> None:
    hook = tmp_path / "fsmonitor-watchman"
    hook.write_text(f"#!{sys.executable}\n{WATCHMAN_HOOK}")
    hook.chmod(0o755)
    git("config", "core.fsmonitor", str(hook), cwd=repo)
    git("config", "core.fsmonitorHookVersion", "2", cwd=repo)


def fsmonitor_flags(repo: Path) -> dict[str, str]:
    """`git ls-files -f`: a lower-case tag is an entry git takes as unchanged without looking."""
    lines = git("ls-files", "-f", cwd=repo).splitlines()
    return {line[2:]: line[0] for line in lines}


INDEX_FORMS = ["plain", "index-v4", "split", "sparse-index"]


def index_form(repo: Path, form: str) -> None:
    if form == "index-v4":
        git("update-index", "--index-version", "4", cwd=repo)
    elif form == "split":
        git("config", "core.splitIndex", "true", cwd=repo)
        git("update-index", "--split-index", cwd=repo)
    elif form == "sparse-index":
        git("sparse-checkout", "init", "--cone", "--sparse-index", cwd=repo)  # the top only: out/ is sparse


@pytest.mark.parametrize("form", INDEX_FORMS)
def test_fsmonitor_edit_survives_a_fast_forward_that_shifts_entries(
    world: Clones, tmp_path: Path, form: str
) -> None:
    publish(world, {"b.txt": "bee\n", "out/x.txt": "x\n"})
    publish(world, {"a.txt": "theirs on other\n"}, branch="other")
    synced(world)
    index_form(world.mine, form)
    with_fsmonitor(world.mine, tmp_path)
    git("status", "--porcelain", cwd=world.mine)
    (world.mine / "a.txt").write_text("my uncommitted edit\n")
    assert porcelain(world.mine) == " M a.txt"
    assert porcelain(world.mine) == " M a.txt"  # the index now holds FSMN with a.txt dirty
    assert b"FSMN" in extensions(world.mine)
    flags = fsmonitor_flags(world.mine)
    assert (flags["a.txt"], flags["b.txt"]) == ("H", "h")
    publish(world, {"0.txt": "sorted before a.txt\n"})
    report = synced(world)
    assert report["fast_forwarded"] == ["main"], report
    if form != "sparse-index":  # expanding a sparse index drops FSMN, as git's expand_index does
        # Each entry keeps its own validity; the new one is not valid: git's own unpack_trees.
        assert fsmonitor_flags(world.mine) == {**flags, "0.txt": "H"}
    assert porcelain(world.mine) == " M a.txt"
    checkout = git("checkout", "other", cwd=world.mine, check=False)
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=world.mine) == "main", checkout
    assert (world.mine / "a.txt").read_text() == "my uncommitted edit\n"
    fsck(world.mine)


# --- TREE ---------------------------------------------------------------------------------------


def cache_tree(repo: Path) -> CacheTree:
    return parse_cache_tree(extensions(repo)[b"TREE"], 20)


def node(tree: CacheTree, path: str) -> CacheTree:
    for name in path.split("/"):
        tree = next(sub for sub in tree.subtrees if sub.name == name.encode())
    return tree


def test_cache_tree_stays_exact_through_a_fast_forward_and_an_auto_commit(world: Clones) -> None:
    files = {"docs/guide.md": "guide\n", "src/lib/x.py": "x = 1\n", "src/main.py": "main\n"}
    publish(world, files)
    synced(world)
    git("write-tree", cwd=world.mine)  # every cache-tree node valid
    publish(world, {"src/lib/x.py": "x = 2\n", "src/lib/y.py": "y = 1\n"})
    synced(world)
    tree = cache_tree(world.mine)
    docs = node(tree, "docs")
    assert docs.entry_count == 1 and docs.oid is not None
    assert docs.oid.hex() == git("rev-parse", "HEAD:docs", cwd=world.mine)  # kept, and exact
    # the fast-forward's directories valid again, each the commit's own tree, as git's checkout leaves them
    for path, count in (("", 5), ("src", 3), ("src/lib", 2)):
        changed = node(tree, path) if path else tree
        assert changed.entry_count == count and changed.oid is not None, path
        commit_tree = git("rev-parse", f"HEAD:{path}" if path else "HEAD^{tree}", cwd=world.mine)
        assert changed.oid.hex() == commit_tree
    assert git("write-tree", cwd=world.mine) == git("rev-parse", "HEAD^{tree}", cwd=world.mine)
    assert porcelain(world.mine) == ""
    run(world.capsys, "set", "mine", "auto_commit", "true")
    (world.mine / "docs" / "guide.md").write_text("guide, edited\n")
    report = synced(world)
    assert report["committed"] == 1, report
    assert node(cache_tree(world.mine), "docs").entry_count == -1
    assert git("write-tree", cwd=world.mine) == git("rev-parse", "HEAD^{tree}", cwd=world.mine)
    assert porcelain(world.mine) == ""


# --- UNTR ---------------------------------------------------------------------------------------


def test_untracked_cache_never_lists_a_file_the_index_now_tracks(world: Clones) -> None:
    git("config", "core.untrackedCache", "true", cwd=world.mine)
    (world.mine / "notes.txt").write_text("same text\n")
    assert git("status", "--porcelain", "-uall", cwd=world.mine) == "?? notes.txt"
    assert git("status", "--porcelain", "-uall", cwd=world.mine) == "?? notes.txt"
    assert b"UNTR" in extensions(world.mine)
    publish(world, {"notes.txt": "same text\n"})  # the very file: left in place, now tracked
    assert synced(world)["fast_forwarded"] == ["main"]
    assert git("status", "--porcelain", "-uall", cwd=world.mine) == ""
    assert git("ls-files", "notes.txt", cwd=world.mine) == "notes.txt"
    (world.mine / "later.txt").write_text("new\n")
    assert git("status", "--porcelain", "-uall", cwd=world.mine) == "?? later.txt"
    assert b"UNTR" in extensions(world.mine)  # git rebuilt its cache


# --- REUC ---------------------------------------------------------------------------------------


def resolved_conflict(world: Clones) -> None:
    """`mine` merges a conflicting change of `theirs` by hand and pushes: the index keeps the
    resolve-undo record, as `git commit` leaves it."""
    publish(world, {"a.txt": "one\nTHEIRS\nthree\n"})
    world.commit(world.mine, "a.txt", "one\nMINE\nthree\n")
    git("fetch", "-q", "origin", cwd=world.mine)
    git("merge", "-q", "origin/main", cwd=world.mine, check=False)
    (world.mine / "a.txt").write_text("one\nBOTH\nthree\n")
    git("add", "a.txt", cwd=world.mine)
    git("commit", "-q", "--no-edit", cwd=world.mine)
    git("push", "-q", "origin", "main", cwd=world.mine)
    world.remember()
    assert git("ls-files", "--resolve-undo", cwd=world.mine)


def test_resolve_undo_kept_by_an_auto_commit_dropped_by_a_checkout(world: Clones, tmp_path: Path) -> None:
    resolved_conflict(world)
    run(world.capsys, "set", "mine", "auto_commit", "true")
    (world.mine / "b.txt").write_text("after the merge\n")
    referee = referee_copy(world, tmp_path)
    git("add", "-A", cwd=referee)
    git("commit", "-q", "-m", "referee", cwd=referee)
    assert synced(world)["committed"] == 1
    undo = git("ls-files", "--resolve-undo", cwd=world.mine)
    assert undo and undo == git("ls-files", "--resolve-undo", cwd=referee)
    publish(world, {"c.txt": "from them\n"})
    shutil.rmtree(referee)
    referee = referee_copy(world, tmp_path)
    git("pull", "-q", "--ff-only", cwd=referee)
    assert synced(world)["fast_forwarded"] == ["main"]
    assert (
        git("ls-files", "--resolve-undo", cwd=world.mine)
        == git("ls-files", "--resolve-undo", cwd=referee)
        == ""
    )
    assert porcelain(world.mine) == ""


# --- split index --------------------------------------------------------------------------------


def test_split_index_is_read_and_written_whole(world: Clones, tmp_path: Path) -> None:
    publish(world, {"b.txt": "bee\n", "c.txt": "sea\n", "d/e.txt": "e\n"})
    synced(world)
    git("config", "core.splitIndex", "true", cwd=world.mine)
    git("update-index", "--split-index", cwd=world.mine)
    (world.mine / "c.txt").write_text("sea, staged\n")
    git("add", "c.txt", cwd=world.mine)  # a replaced entry
    git("rm", "-q", "--cached", "b.txt", cwd=world.mine)  # a deleted one
    (world.mine / "new.txt").write_text("new\n")
    git("add", "new.txt", cwd=world.mine)  # an added one
    assert b"link" in extensions(world.mine)
    before = porcelain(world.mine)
    publish(world, {"d/e.txt": "e, theirs\n", "f.txt": "f\n"})
    referee = referee_copy(world, tmp_path)
    git("pull", "-q", "--ff-only", cwd=referee)
    assert synced(world)["fast_forwarded"] == ["main"]
    assert b"link" not in extensions(world.mine)  # written whole ...
    assert porcelain(world.mine) == before == porcelain(referee)
    assert b"link" in extensions(world.mine)  # ... and split again by git's next write
    assert git("ls-files", "-s", cwd=world.mine) == git("ls-files", "-s", cwd=referee)
    assert (world.mine / "d" / "e.txt").read_text() == "e, theirs\n"
    git("commit", "-q", "-m", "staged", cwd=world.mine)
    run(world.capsys, "set", "mine", "auto_commit", "true")
    (world.mine / "c.txt").write_text("sea, edited\n")
    (world.mine / "g.txt").write_text("g\n")
    referee = referee_copy(world, tmp_path / "auto")
    git("add", "-A", cwd=referee)
    staged = git("diff", "--cached", "--name-only", cwd=referee).splitlines()
    assert synced(world)["committed"] == len(staged) == 3  # b.txt is untracked since the commit
    assert git("ls-files", "-s", cwd=world.mine) == git("ls-files", "-s", cwd=referee)
    assert porcelain(world.mine) == ""


# --- sparse checkout, sparse index --------------------------------------------------------------

CONE_FILES = {"top.txt": "top\n", "in/a.txt": "a\n", "out/b.txt": "b\n", "out/deep/c.txt": "c\n"}
CHANGES: dict[str, str | None] = {
    "in/a.txt": "a, theirs\n",
    "out/b.txt": "b, theirs\n",
    "out/new.txt": "new outside\n",
    "out/deep/c.txt": None,
    "in/new.txt": "new inside\n",
}


@pytest.mark.parametrize("sparse_index", [False, True], ids=["sparse-checkout", "sparse-index"])
def test_sparse_checkout_fast_forward_inside_and_outside_the_cone(
    world: Clones, tmp_path: Path, sparse_index: bool
) -> None:
    publish(world, CONE_FILES)
    synced(world)
    git("sparse-checkout", "set", "--cone", "in", cwd=world.mine)
    if sparse_index:
        git("sparse-checkout", "init", "--cone", "--sparse-index", cwd=world.mine)
        assert "out/" in git("ls-files", "--sparse", cwd=world.mine).splitlines()
        assert b"sdir" in extensions(world.mine)
    assert not (world.mine / "out").exists()
    run(world.capsys, "set", "mine", "auto_commit", "true")
    report = synced(world)  # nothing outside the cone counts as deleted
    assert report["result"] == "up_to_date" and report.get("committed", 0) == 0, report
    publish(world, CHANGES)
    referee = referee_copy(world, tmp_path)
    git("pull", "-q", "--ff-only", cwd=referee)
    assert synced(world)["fast_forwarded"] == ["main"]
    assert b"sdir" not in extensions(world.mine)  # written whole (expanded) ...
    assert listing(world.mine) == listing(referee)
    assert "S out/new.txt" in listing(world.mine)[1].splitlines()
    assert not (world.mine / "out").exists()
    assert (world.mine / "in" / "a.txt").read_text() == "a, theirs\n"
    assert (world.mine / "in" / "new.txt").read_text() == "new inside\n"
    assert porcelain(world.mine) == ""
    assert (b"sdir" in extensions(world.mine)) == sparse_index  # ... made sparse again by git
    assert synced(world).get("committed", 0) == 0


def test_untracked_cache_never_hides_a_file_the_index_no_longer_tracks(tmp_path: Path) -> None:
    """A switch killed midway and resumed: the file deleted upstream was edited since, so it
    stays, untracked now, in a directory whose own stat did not change. git trusts its
    untracked cache for a directory whose stat did not change: kept as it was, the cache
    would hide the file."""
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    git("config", "core.untrackedCache", "true", cwd=repo)
    commit_file(repo, "solo/x.txt", "x\n")
    commit_file(repo, "solo/gone.txt", "bye\n")
    old = git("rev-parse", "HEAD", cwd=repo)
    git("rm", "-q", "solo/gone.txt", cwd=repo)
    git("commit", "-q", "-m", "delete", cwd=repo)
    new = git("rev-parse", "HEAD", cwd=repo)
    git("reset", "-q", "--hard", old, cwd=repo)
    past = time.time() - 60  # older than any index written from now on: git trusts their stat
    for directory in (repo, repo / "solo"):
        os.utime(directory, (past, past))
    assert porcelain(repo) == porcelain(repo) == ""
    assert b"UNTR" in extensions(repo)
    with Repo(str(repo)) as r:
        trees = [r[ObjectID(c.encode())].tree for c in (old, new)]  # type: ignore[attr-defined]
        main = Ref(b"refs/heads/main")
        write_intent(r, SwitchIntent.create(main, ObjectID(old.encode()), ObjectID(new.encode()), *trees))
    (repo / "solo" / "gone.txt").write_text("edited after the crash\n")  # in place: same directory
    with Repo(str(repo)) as r:
        assert resume_interrupted_switch(r)
    assert git("rev-parse", "HEAD", cwd=repo) == new
    assert porcelain(repo) == "?? solo/gone.txt"


# --- extensions git does not know ----------------------------------------------------------------


def with_extension(repo: Path, signature: bytes) -> None:
    """Append an extension to the index file (before its checksum, recomputed)."""
    index = repo / ".git" / "index"
    data = index.read_bytes()[:-20] + signature + struct.pack(">I", 3) + b"xyz"
    index.write_bytes(data + hashlib.sha1(data).digest())


@pytest.mark.parametrize("signature", [b"ABCD", b"abcd"])
def test_an_unknown_extension_as_git_treats_it(tmp_path: Path, signature: bytes) -> None:
    """Upper case: optional, skipped when read and so gone from any rewrite; lower case: required,
    the index is refused, as git refuses it."""
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "a\n")
    with_extension(repo, signature)
    referee = tmp_path / "referee"
    shutil.copytree(repo, referee, symlinks=True)
    if signature.islower():
        listed = subprocess.run(["git", "ls-files"], cwd=referee, capture_output=True, text=True, check=False)
        assert listed.returncode != 0 and "which we do not understand" in listed.stderr
        with Repo(str(repo)) as r, pytest.raises(UnsupportedIndex, match="abcd"):
            LockedIndex(r)
        return
    git("update-index", "--force-write-index", cwd=referee)
    with Repo(str(repo)) as r, LockedIndex(r) as locked:
        locked.commit()
    assert set(extensions(repo)) == set(extensions(referee)) == {b"TREE"}
    assert git("ls-files", "-s", cwd=repo) == git("ls-files", "-s", cwd=referee)
