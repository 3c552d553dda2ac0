"""switch_branch / check_switch / resume_interrupted_switch against the git CLI.

Every refusal is checked against a byte-for-byte snapshot of the repository
(work tree, index, refs, everything under .git) taken before the call.
"""

from __future__ import annotations

import gc
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.objects import Blob, Commit, ObjectID, ShaFile, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.locks.stale_locks import remove_stale_leftovers
from core.git.objects.tree_delta import PathChange
from core.git.worktree.checkout import (
    BranchMoved,
    IndexLocked,
    UnsafePath,
    WorktreeInTheWay,
    check_switch,
    resume_interrupted_switch,
    switch_branch,
)
from core.git.worktree.switch_intent import SwitchIntent, intent_path, read_intent, write_intent
from core.git.worktree.write import WorktreeWriter
from core.results import ResultKind
from tests.gitcli import fsck, git, init_repo, rev_parse

MAIN = Ref(b"refs/heads/main")
ROOT = Path(__file__).resolve().parents[2]


class Link(str):
    """A symlink whose target is the string."""


class Exe(str):
    """An executable file whose content is the string."""


Files = dict[str, str]


def build(repo: Path, files: Files) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(content)
        else:
            path.write_text(content)
            path.chmod(0o755 if isinstance(content, Exe) else 0o644)


def two_commits(tmp_path: Path, old: Files, new: Files) -> tuple[Path, str, str]:
    """A repository on `main` at a commit holding `old`, with a child commit holding `new`."""
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    build(repo, old)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "old", cwd=repo)
    git("checkout", "-q", "-b", "next", cwd=repo)
    git("rm", "-rq", "--ignore-unmatch", ".", cwd=repo)
    build(repo, new)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "new", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    return repo, rev_parse(repo, "main"), rev_parse(repo, "next")


def switch(repo: Path, old: str, new: str) -> None:
    r = Repo(str(repo))
    try:
        switch_branch(r, MAIN, ObjectID(old.encode()), ObjectID(new.encode()))
    finally:
        r.close()


def resume(repo: Path) -> bool:
    r = Repo(str(repo))
    try:
        return resume_interrupted_switch(r)
    finally:
        r.close()


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every file, symlink and directory under `root`, with content, mode, inode and mtime."""
    state: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            st = path.lstat()
            key = str(path.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                state[key] = ("link", os.readlink(path), "", st.st_ino)
            elif stat.S_ISDIR(st.st_mode):
                state[key] = ("dir", st.st_mode)
            else:
                state[key] = ("file", path.read_bytes(), st.st_mode, st.st_ino, st.st_mtime_ns)
    return state


def content_snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """The work tree's content and modes only (files rewritten in place get new inodes)."""
    full = snapshot(root)
    return {k: v[:3] for k, v in full.items() if not k.startswith(".git")}


def assert_clean_at(repo: Path, commit: str) -> None:
    assert rev_parse(repo, "HEAD") == commit
    assert git("diff-files", "--name-only", cwd=repo) == ""  # fresh stat: no refresh needed
    assert git("status", "--porcelain", "--ignored", cwd=repo) == ""
    assert git("diff", "HEAD", "--stat", cwd=repo) == ""
    assert git("ls-files", "-s", cwd=repo) == ls_tree(repo, commit)
    fsck(repo)
    assert not Path(intent_path_of(repo)).exists()
    assert not (repo / ".git" / "index.lock").exists()


def ls_tree(repo: Path, commit: str) -> str:
    """`git ls-tree -r` in the format of `git ls-files -s`."""
    out = git("ls-tree", "-r", "--format=%(objectmode) %(objectname) 0\t%(path)", commit, cwd=repo)
    return out


def intent_path_of(repo: Path) -> str:
    r = Repo(str(repo))
    try:
        return intent_path(r)
    finally:
        r.close()


OLD = {
    "keep.txt": "unchanged\n",
    "mod.txt": "one\n",
    "gone.txt": "bye\n",
    "move.txt": "moving\n",
    "f2d": "a file that becomes a directory\n",
    "d2f/a.txt": "in a directory that becomes a file\n",
    "d2f/deep/b.txt": "deeper\n",
    "prune/only/c.txt": "the only file of two directories\n",
    "exec.sh": "#!/bin/sh\n",
    "link": Link("keep.txt"),
    "link2file": Link("mod.txt"),
    "file2link": "plain\n",
}
NEW = {
    "keep.txt": "unchanged\n",
    "mod.txt": "two\n",
    "sub/dir/move.txt": "moving\n",
    "f2d/inside.txt": "now a directory\n",
    "d2f": "now a file\n",
    "exec.sh": Exe("#!/bin/sh\n"),
    "link": Link("mod.txt"),
    "link2file": "a file now\n",
    "file2link": Link("keep.txt"),
    "added/new.txt": "new\n",
}


def test_fast_forward_of_every_kind_of_change(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    keep_inode = (repo / "keep.txt").stat().st_ino

    switch(repo, old, new)

    assert_clean_at(repo, new)
    assert (repo / "keep.txt").stat().st_ino == keep_inode  # untouched
    assert not (repo / "prune").exists() and not (repo / "gone.txt").exists()
    assert (repo / "exec.sh").stat().st_mode & 0o777 == 0o755
    assert (repo / "mod.txt").stat().st_mode & 0o777 == 0o644
    assert os.readlink(repo / "file2link") == "keep.txt"
    assert git("reflog", "-1", "--format=%H", "main", cwd=repo) == new
    assert git("reflog", "-1", "--format=%H", "HEAD", cwd=repo) == new
    assert not list(repo.rglob(".gitferry-tmp-*"))


def test_a_switch_leaves_no_cycle_behind_and_the_collector_on(tmp_path: Path) -> None:
    """Everything a switch made (the index read, the attributes, the plans) is freed when it
    returns, not kept by a reference cycle until a full collection; the collector it pauses
    runs again afterwards."""
    repo, old, new = two_commits(
        tmp_path, {**OLD, ".gitattributes": "*.txt text\n"}, {**NEW, ".gitattributes": "*.txt text\n"}
    )
    r = Repo(str(repo))
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        switch_branch(r, MAIN, ObjectID(old.encode()), ObjectID(new.encode()))
        left = gc.collect()
    finally:
        if enabled:
            gc.enable()
        r.close()
    assert left == 0
    assert_clean_at(repo, new)
    switch(repo, new, old)
    assert gc.isenabled() == enabled
    assert_clean_at(repo, old)


def test_unrelated_staged_unstaged_untracked_and_ignored_work_is_preserved(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, {**OLD, ".gitignore": "*.log\n"}, {**NEW, ".gitignore": "*.log\n"})
    (repo / "keep.txt").write_text("staged\n")
    git("add", "keep.txt", cwd=repo)
    (repo / "keep.txt").write_text("staged, then edited\n")
    (repo / "stagednew.txt").write_text("a new staged file\n")
    git("add", "stagednew.txt", cwd=repo)
    (repo / "untracked.txt").write_text("mine\n")
    (repo / "build.log").write_text("ignored\n")
    (repo / "f2d.log").write_text("ignored too\n")
    before_status = git("status", "--porcelain", "--ignored", cwd=repo)
    before_cached = git("diff", "--cached", "keep.txt", cwd=repo)
    before_files = {n: (repo / n).read_bytes() for n in ("keep.txt", "untracked.txt", "build.log", "f2d.log")}

    switch(repo, old, new)

    assert git("status", "--porcelain", "--ignored", cwd=repo) == before_status
    assert git("diff", "--cached", "keep.txt", cwd=repo) == before_cached
    assert {n: (repo / n).read_bytes() for n in before_files} == before_files
    assert rev_parse(repo, "HEAD") == new
    fsck(repo)


def _modify_tracked(repo: Path) -> None:
    (repo / "mod.txt").write_text("my edit\n")


def _stage_tracked(repo: Path) -> None:
    (repo / "mod.txt").write_text("my staged edit\n")
    git("add", "mod.txt", cwd=repo)
    (repo / "mod.txt").write_text("one\n")


def _delete_tracked(repo: Path) -> None:
    (repo / "mod.txt").unlink()


def _chmod_tracked(repo: Path) -> None:
    (repo / "mod.txt").chmod(0o755)


def _symlink_tracked(repo: Path) -> None:
    (repo / "mod.txt").unlink()
    (repo / "mod.txt").symlink_to("keep.txt")


def _edit_in_deleted_dir(repo: Path) -> None:
    (repo / "d2f" / "deep" / "b.txt").write_text("edited\n")


@pytest.mark.parametrize(
    ("make_dirty", "path"),
    [
        (_modify_tracked, "mod.txt"),
        (_stage_tracked, "mod.txt"),
        (_delete_tracked, "mod.txt"),
        (_chmod_tracked, "mod.txt"),
        (_symlink_tracked, "mod.txt"),
        (_edit_in_deleted_dir, "d2f/deep/b.txt"),
    ],
)
def test_local_change_in_the_way_touches_nothing(tmp_path: Path, make_dirty: object, path: str) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    make_dirty(repo)  # type: ignore[operator]
    before = snapshot(repo)

    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)

    assert err.value.dirty == [path] and err.value.untracked == []
    assert err.value.result is ResultKind.DIRTY and path in str(err.value)
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("setup", "untracked"),
    [
        ({"added/new.txt": "someone else's\n"}, ["added/new.txt"]),
        ({"d2f/deep/mine.txt": "mine\n"}, ["d2f/deep/mine.txt"]),
        ({"d2f/mydir/x": "mine\n"}, ["d2f/mydir"]),
        ({"sub": "a file where a directory must go\n"}, ["sub"]),
        ({"added": Link("/")}, ["added"]),
        ({"sub/dir/move.txt/x": "a directory where a file must go\n"}, ["sub/dir/move.txt/x"]),
    ],
)
def test_untracked_file_in_the_way_touches_nothing(
    tmp_path: Path, setup: Files, untracked: list[str]
) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    build(repo, setup)
    before = snapshot(repo)

    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)

    assert err.value.untracked == untracked and err.value.dirty == []
    assert snapshot(repo) == before


def test_ignored_file_in_the_way_touches_nothing(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    (repo / ".git" / "info" / "exclude").write_text("*.log\nsub/\n")
    build(repo, {"sub/dir/move.txt": "ignored, still mine\n", "f2d.log": "ignored, not in the way\n"})
    assert git("status", "--porcelain", "--ignored", cwd=repo) == "!! f2d.log\n!! sub/"
    before = snapshot(repo)

    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)

    assert err.value.untracked == ["sub/dir/move.txt"]
    assert snapshot(repo) == before


def test_all_offending_paths_are_reported_sorted(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    build(repo, {"mod.txt": "edit\n", "exec.sh": "edit\n", "sub/dir/move.txt": "x", "added/new.txt": "y"})
    (repo / "gone.txt").write_text("edited before its deletion\n")

    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)

    assert err.value.dirty == ["exec.sh", "gone.txt", "mod.txt"]
    assert err.value.untracked == ["added/new.txt", "sub/dir/move.txt"]


def test_identical_untracked_file_staged_change_and_shared_deletion_are_allowed(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    build(repo, {"added/new.txt": "new\n"})  # exactly the incoming file
    (repo / "mod.txt").write_text("two\n")
    git("add", "mod.txt", cwd=repo)  # exactly the incoming change, staged
    (repo / "gone.txt").unlink()  # deleted here and upstream

    switch(repo, old, new)

    assert_clean_at(repo, new)


def test_check_switch_reports_without_touching(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    r = Repo(str(repo))
    old_tree, new_tree = r[ObjectID(old.encode())].tree, r[ObjectID(new.encode())].tree  # type: ignore[attr-defined]
    check_switch(r, old_tree, new_tree)
    _modify_tracked(repo)
    before = snapshot(repo)
    with pytest.raises(WorktreeInTheWay) as err:
        check_switch(r, old_tree, new_tree)
    r.close()
    assert err.value.dirty == ["mod.txt"]
    assert snapshot(repo) == before


def test_racily_clean_file_is_hashed_not_trusted(tmp_path: Path) -> None:
    """Same size, same inode, mtime put back, in the index's own second: only hashing sees it."""
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("config", "core.trustctime", "false", cwd=repo)
    target = repo / "mod.txt"
    st = target.stat()
    with open(target, "r+b") as f:
        f.write(b"One\n")
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.utime(repo / ".git" / "index", ns=(st.st_mtime_ns, st.st_mtime_ns))

    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)
    assert err.value.dirty == ["mod.txt"]


def test_symlinks_as_files_when_core_symlinks_is_off(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, {"a": "a\n"}, {"a": "a\n", "l": Link("a")})
    git("config", "core.symlinks", "false", cwd=repo)
    switch(repo, old, new)
    assert (repo / "l").read_text() == "a" and not (repo / "l").is_symlink()
    assert git("status", "--porcelain", cwd=repo) == ""


def test_gitlink_becomes_an_empty_directory(tmp_path: Path) -> None:
    repo, old, _ = two_commits(tmp_path, {"a": "a\n"}, {"a": "a\n"})
    git("update-index", "--add", "--cacheinfo", f"160000,{old},mod", cwd=repo)
    git("commit", "-q", "-m", "submodule", cwd=repo)
    new = rev_parse(repo, "HEAD")
    git("reset", "-q", "--hard", old, cwd=repo)

    switch(repo, old, new)

    assert (repo / "mod").is_dir() and not any((repo / "mod").iterdir())
    assert git("status", "--porcelain", cwd=repo) == ""
    assert git("ls-files", "-s", cwd=repo) == ls_tree(repo, new)


def test_index_lock_held_is_busy_and_touches_nothing(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    (repo / ".git" / "index.lock").write_bytes(b"")
    before = snapshot(repo)

    with pytest.raises(IndexLocked) as err:
        switch(repo, old, new)

    held = repo / ".git" / "index.lock"
    assert err.value.result is ResultKind.BUSY
    assert str(err.value) == f"{held} is locked by another git process; nothing was changed"
    assert snapshot(repo) == before


def test_branch_moved_before_the_switch_touches_nothing(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("commit", "-q", "--allow-empty", "-m", "meanwhile", cwd=repo)
    before = snapshot(repo)
    with pytest.raises(BranchMoved):
        switch(repo, old, new)
    assert snapshot(repo) == before


def test_branch_moved_during_the_switch_rolls_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git moves the branch between our file writes and our compare-and-swap."""
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    git("commit", "-q", "--allow-empty", "-m", "elsewhere", cwd=repo)
    elsewhere = rev_parse(repo, "HEAD")
    git("update-ref", "refs/heads/main", old, cwd=repo)
    build(repo, {"added/new.txt": "new\n"})  # an identical untracked file survives the rollback
    files, index = content_snapshot(repo), git("ls-files", "-s", cwd=repo)
    r = Repo(str(repo))
    real = r.refs.set_if_equals

    def racing(name: Ref, old_ref: ObjectID | None, new_ref: ObjectID, **kw: object) -> bool:
        git("update-ref", "refs/heads/main", elsewhere, cwd=repo)
        return real(name, old_ref, new_ref, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(r.refs, "set_if_equals", racing)
    with pytest.raises(BranchMoved):
        switch_branch(r, MAIN, ObjectID(old.encode()), ObjectID(new.encode()))
    r.close()

    assert rev_parse(repo, "main") == elsewhere
    assert content_snapshot(repo) == files
    assert git("ls-files", "-s", cwd=repo) == index
    assert not Path(intent_path_of(repo)).exists() and not (repo / ".git" / "index.lock").exists()


def test_edit_saved_during_the_switch_is_kept_and_the_switch_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves mod.txt after the check passed, before the switch reaches it."""
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    files, index = content_snapshot(repo), git("ls-files", "-s", cwd=repo)
    real_put = WorktreeWriter.put

    def put_after_an_edit(self: WorktreeWriter, change: PathChange, *, trusted: bool) -> object:
        if change.path == b"mod.txt" and trusted:
            (repo / "mod.txt").write_text("saved meanwhile\n")
        return real_put(self, change, trusted=trusted)

    monkeypatch.setattr(WorktreeWriter, "put", put_after_an_edit)
    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)

    assert err.value.dirty == ["mod.txt"]
    assert (repo / "mod.txt").read_text() == "saved meanwhile\n"
    files["mod.txt"] = content_snapshot(repo)["mod.txt"]
    assert content_snapshot(repo) == files
    assert git("ls-files", "-s", cwd=repo) == index
    assert rev_parse(repo, "HEAD") == old
    assert git("status", "--porcelain", cwd=repo) == "M mod.txt"
    assert not Path(intent_path_of(repo)).exists()


FAIL_WRITE = """
import resource, signal, sys
from dulwich.repo import Repo
from core.git.worktree.checkout import switch_branch
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
try:
    switch_branch(Repo(sys.argv[1]), b"refs/heads/main", sys.argv[2].encode(), sys.argv[3].encode())
except OSError as exc:
    print(type(exc).__name__, exc.errno)
"""


def test_write_failure_midway_rolls_back(tmp_path: Path) -> None:
    """A file too large to write (RLIMIT_FSIZE, as on a full disk) after others were written."""
    new_files: Files = {f"f{i:02}.txt": f"new {i}\n" for i in range(20)}
    repo, old, new = two_commits(tmp_path, {f"f{i:02}.txt": f"old {i}\n" for i in range(20)}, new_files)
    git("checkout", "-q", "next", cwd=repo)
    (repo / "m_big.bin").write_bytes(os.urandom(3 << 20))
    git("add", "m_big.bin", cwd=repo)
    git("commit", "-q", "-m", "big", cwd=repo)
    new = rev_parse(repo, "HEAD")
    git("checkout", "-q", "main", cwd=repo)
    files, index = content_snapshot(repo), git("ls-files", "-s", cwd=repo)

    out = subprocess.run(
        [sys.executable, "-c", FAIL_WRITE, str(repo), old, new],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert out.split()[0] == "OSError" and int(out.split()[1]) == 27  # EFBIG

    assert content_snapshot(repo) == files
    assert git("ls-files", "-s", cwd=repo) == index
    assert_clean_at(repo, old)


# --- unsafe trees -------------------------------------------------------------------------


def _blob(r: Repo, data: bytes) -> ObjectID:
    blob = Blob.from_string(data)
    r.object_store.add_object(blob)
    return blob.id


def _raw_tree(r: Repo, entries: list[tuple[bytes, int, ObjectID]]) -> ObjectID:
    raw = b"".join(b"%o %s\x00%s" % (mode, name, bytes.fromhex(sha.decode())) for name, mode, sha in entries)
    tree = ShaFile.from_raw_string(Tree.type_num, raw)
    r.object_store.add_object(tree)
    return tree.id


def _commit_on(r: Repo, parent: ObjectID, tree: ObjectID) -> ObjectID:
    commit = Commit()
    commit.tree, commit.parents = tree, [parent]
    commit.author = commit.committer = b"T <t@example.invalid>"
    commit.author_time = commit.commit_time = 0
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"evil"
    r.object_store.add_object(commit)
    return commit.id


def _evil_entries(r: Repo, case: str, outside: Path) -> list[tuple[bytes, int, ObjectID]]:
    payload = _blob(r, b"pwned\n")
    sub = _raw_tree(r, [(b"evil", 0o100644, payload)])
    link_out = _blob(r, os.fsencode(outside))
    cases: dict[str, list[tuple[bytes, int, ObjectID]]] = {
        "dotdot": [(b"..", 0o40000, sub)],
        "dot": [(b".", 0o40000, sub)],
        "dotgit": [(b".git", 0o40000, _raw_tree(r, [(b"config", 0o100644, payload)]))],
        "dotGIT": [(b".GIT", 0o40000, sub)],
        "dotGit": [(b".Git", 0o40000, sub)],
        "nested_dotgit": [(b"a", 0o40000, _raw_tree(r, [(b".git", 0o40000, sub)]))],
        "ntfs_short": [(b"GIT~1", 0o40000, sub)],
        "ntfs_trailing_dot": [(b".git. ", 0o40000, sub)],
        "hfs_ignorable": [(".g\u200cit".encode(), 0o40000, sub)],
        "slash_in_name": [(b"a/../../evil", 0o100644, payload)],
        "empty_name": [(b"", 0o100644, payload)],
        "symlinked_gitmodules": [(b".gitmodules", 0o120000, link_out)],
        "symlinked_gitattributes_short_name": [(b"GITATT~1", 0o120000, link_out)],
        "symlink_then_through_it": [(b"link", 0o120000, link_out), (b"link", 0o40000, sub)],
    }
    return cases[case]


UNSAFE_CASES = [
    "dotdot",
    "dot",
    "dotgit",
    "dotGIT",
    "dotGit",
    "nested_dotgit",
    "ntfs_short",
    "ntfs_trailing_dot",
    "hfs_ignorable",
    "slash_in_name",
    "empty_name",
    "symlinked_gitmodules",
    "symlinked_gitattributes_short_name",
    "symlink_then_through_it",
]


@pytest.mark.parametrize("case", UNSAFE_CASES)
def test_unsafe_tree_is_refused_before_anything_is_written(tmp_path: Path, case: str) -> None:
    repo, old, _ = two_commits(tmp_path, {"a.txt": "a\n", "b.txt": "b\n"}, {})
    outside = tmp_path / "outside"
    outside.mkdir()
    r = Repo(str(repo))
    base = r[ObjectID(old.encode())].tree  # type: ignore[attr-defined]
    fine = [(b"a.txt", 0o100644, _blob(r, b"changed\n")), (b"zz.txt", 0o100644, _blob(r, b"new\n"))]
    evil = _commit_on(r, ObjectID(old.encode()), _raw_tree(r, fine + _evil_entries(r, case, outside)))
    before, before_outside = snapshot(repo), snapshot(outside)

    with pytest.raises(UnsafePath) as err:
        check_switch(r, base, r[evil].tree)  # type: ignore[attr-defined]
    with pytest.raises(UnsafePath):
        switch_branch(r, MAIN, ObjectID(old.encode()), evil)
    r.close()

    assert err.value.result is ResultKind.ERROR and err.value.why
    assert snapshot(repo) == before
    assert snapshot(outside) == before_outside == {}


def test_symlink_replaced_by_directory_writes_inside_the_work_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo, old, new = two_commits(tmp_path, {"link": Link(str(outside))}, {"link/evil": "inside\n"})
    switch(repo, old, new)
    assert (repo / "link").is_dir() and not (repo / "link").is_symlink()
    assert (repo / "link" / "evil").read_text() == "inside\n"
    assert list(outside.iterdir()) == []
    assert_clean_at(repo, new)


def test_untracked_symlink_where_a_directory_must_go_is_in_the_way(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo, old, new = two_commits(tmp_path, {"a": "a\n"}, {"a": "a\n", "link/evil": "x\n"})
    build(repo, {"link": Link(str(outside))})
    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)
    assert err.value.untracked == ["link"]
    assert list(outside.iterdir()) == []


# --- interrupted switches -----------------------------------------------------------------


def _write_intent(repo: Path, old: str, new: str) -> None:
    r = Repo(str(repo))
    try:
        trees = [r[ObjectID(c.encode())].tree for c in (old, new)]  # type: ignore[attr-defined]
        write_intent(r, SwitchIntent.create(MAIN, ObjectID(old.encode()), ObjectID(new.encode()), *trees))
    finally:
        r.close()


def test_resume_finishes_a_half_done_switch_and_keeps_later_edits(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    _write_intent(repo, old, new)
    (repo / "mod.txt").write_text("edited after the crash\n")  # neither old nor new: kept
    (repo / "link").unlink()
    (repo / "link").symlink_to("mod.txt")  # already the new content
    (repo / ".gitferry-tmp-0123456789abcdef").write_text("a dead switch's temp file")

    assert resume(repo) is True
    assert resume(repo) is False

    assert rev_parse(repo, "HEAD") == new
    assert (repo / "mod.txt").read_text() == "edited after the crash\n"
    assert git("status", "--porcelain", cwd=repo) == "M mod.txt"  # unstaged (the CLI helper strips)
    assert git("diff", "--name-only", cwd=repo) == "mod.txt"
    assert git("diff", "--cached", "--name-only", cwd=repo) == ""
    assert not (repo / ".gitferry-tmp-0123456789abcdef").exists()
    fsck(repo)


@pytest.mark.parametrize("message", [b"gitferry: merge with origin/main, conflicts resolved", None])
def test_resume_moves_the_branch_with_the_switch_s_own_reflog_message(
    tmp_path: Path, message: bytes | None
) -> None:
    """A switch killed while its files were written leaves its record; finished from it,
    the branch's and HEAD's reflog entry is the one the switch would have written (a record
    from before the message was kept: a line of its own)."""
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    r = Repo(str(repo))
    try:
        trees = [r[ObjectID(c.encode())].tree for c in (old, new)]  # type: ignore[attr-defined]
        ids = ObjectID(old.encode()), ObjectID(new.encode())
        write_intent(r, SwitchIntent.create(MAIN, *ids, *trees, message=message))
    finally:
        r.close()

    assert resume(repo) is True

    said = (message or b"gitferry: finish an interrupted update").decode()
    assert git("reflog", "-1", "--format=%H %gs", "main", cwd=repo) == f"{new} {said}"
    assert git("reflog", "-1", "--format=%H %gs", "HEAD", cwd=repo) == f"{new} {said}"
    fsck(repo)


def test_resume_leaves_files_alone_when_the_branch_moved_elsewhere(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    _write_intent(repo, old, new)
    git("commit", "-q", "--allow-empty", "-m", "elsewhere", cwd=repo)
    before = content_snapshot(repo)
    assert resume(repo) is True
    assert content_snapshot(repo) == before
    r = Repo(str(repo))
    assert read_intent(r) is None
    r.close()


def test_resume_finishes_an_interrupted_rollback_without_moving_the_branch(tmp_path: Path) -> None:
    """Killed while undoing a switch: half the files are new, the branch never moved."""
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    build(repo, {"added/new.txt": "new\n"})  # the user's own identical copy, kept by the rollback
    r = Repo(str(repo))
    old_tree, new_tree = (r[ObjectID(c.encode())].tree for c in (old, new))  # type: ignore[attr-defined]
    back = SwitchIntent.create(
        MAIN,
        ObjectID(new.encode()),
        ObjectID(old.encode()),
        new_tree,
        old_tree,
        move_ref=False,
        keep={b"added/new.txt"},
    )
    write_intent(r, back)
    r.close()
    (repo / "mod.txt").write_text("two\n")  # already switched before the kill
    (repo / "gone.txt").unlink()

    assert resume(repo) is True

    assert (repo / "added" / "new.txt").read_text() == "new\n"
    (repo / "added" / "new.txt").unlink()
    assert_clean_at(repo, old)


def test_resume_leaves_files_alone_when_another_branch_is_checked_out(tmp_path: Path) -> None:
    repo, old, new = two_commits(tmp_path, OLD, NEW)
    _write_intent(repo, old, new)
    git("checkout", "-q", "-b", "other", cwd=repo)
    before = content_snapshot(repo)
    assert resume(repo) is True
    assert content_snapshot(repo) == before
    assert rev_parse(repo, "main") == old


def test_names_that_are_not_utf8(tmp_path: Path) -> None:
    latin1 = os.fsdecode(b"caf\xe9.txt")
    repo, old, new = two_commits(tmp_path, {latin1: "old\n", "a": "a\n"}, {latin1: "new\n", "a": "a\n"})
    (repo / latin1).write_text("mine\n")
    with pytest.raises(WorktreeInTheWay) as err:
        switch(repo, old, new)
    assert err.value.dirty == ["caf\\xe9.txt"]
    (repo / latin1).write_text("old\n")
    switch(repo, old, new)
    assert (repo / latin1).read_text() == "new\n"
    assert_clean_at(repo, new)


KILLABLE = """
import sys
from dulwich.repo import Repo
from core.git.worktree.checkout import switch_branch
repo = Repo(sys.argv[1])
repo.open_index()
print("ready", flush=True)
switch_branch(repo, b"refs/heads/main", sys.argv[2].encode(), sys.argv[3].encode())
"""


def _kill_during_switch(repo: Path, old: str, new: str, delay: float) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, str(repo), old, new], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        assert proc.stdout is not None
        proc.stdout.close()


@pytest.fixture
def many_changes(tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    old = {f"d{i % 7}/f{i:03}.txt": f"old {i}\n" * 40 for i in range(160)}
    new = {f"d{i % 7}/f{i:03}.txt": f"new {i}\n" * 40 for i in range(0, 160, 2)}
    new.update({f"e{i % 5}/g{i:03}.txt": f"added {i}\n" for i in range(60)})
    yield two_commits(tmp_path, old, new)


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_is_always_consistent(
    many_changes: tuple[Path, str, str],
) -> None:
    repo, a, b = many_changes
    started = time.monotonic()
    switch(repo, a, b)
    duration = time.monotonic() - started
    switch(repo, b, a)
    rng = random.Random(1234)
    # A kill as the switch starts (before its record) and one random point in each of 11
    # equal slices of a switch and a fifth past its end, in random order: kills before the
    # record, inside it (resumed) and after it, spread over the whole switch (30 points
    # drawn at will found the same three outcomes, at twice the CPU).
    slices = 11
    delays = [0.0, *((k + rng.random()) / slices * duration * 1.2 for k in range(slices))]
    rng.shuffle(delays)
    stale_locks: list[str] = []
    outcomes = {"before": 0, "resumed": 0, "finished": 0}
    head = a
    for delay in delays:
        target = b if head == a else a
        since = time.time()
        _kill_during_switch(repo, head, target, delay)
        # What the sync lock's recovery does after a dead sync (core/git/locks/stale_locks.py).
        stale_locks += remove_stale_leftovers(repo / ".git", since)
        had_intent = Path(intent_path_of(repo)).exists()
        resumed = resume(repo)
        assert resumed == had_intent
        now = rev_parse(repo, "HEAD")
        assert now in (head, target)
        assert_clean_at(repo, now)
        assert not list(repo.rglob(".gitferry-tmp-*"))
        outcomes["resumed" if resumed else "finished" if now == target else "before"] += 1
        head = now
    print(f"kill outcomes {outcomes}, stale locks left: {sorted(stale_locks)}")
    assert outcomes["resumed"] > 0


@pytest.mark.parametrize("untracked_rules", [False, True])
def test_gitattributes_added_and_removed_in_the_same_switch_rule_as_in_git(
    tmp_path: Path, untracked_rules: bool
) -> None:
    """The files a fast-forward writes take the attributes git's checkout gives them: a
    `.gitattributes` the switch adds, none from one it removes (git removes files before it
    writes any), and an untracked one where the index has none; a switch touching no
    `.gitattributes` writes with what its check worked out. Git's own fast-forward of a
    twin clone is the referee, byte for byte."""
    origin = tmp_path / "origin"
    init_repo(origin)
    for directory in ("added", "removed", "plain", "untracked"):
        (origin / directory).mkdir()
        (origin / directory / "f.txt").write_bytes(b"one\ntwo\n")
    (origin / "removed" / ".gitattributes").write_bytes(b"*.txt eol=crlf\n")
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "old", cwd=origin)
    old = rev_parse(origin, "HEAD")
    for directory in ("added", "removed", "plain", "untracked"):
        (origin / directory / "f.txt").write_bytes(b"three\nfour\n")
    (origin / "added" / ".gitattributes").write_bytes(b"*.txt eol=crlf\n")
    if not untracked_rules:  # the second run's switch touches no .gitattributes
        git("rm", "-q", "removed/.gitattributes", cwd=origin)
    else:
        (origin / "added" / ".gitattributes").unlink()
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "new", cwd=origin)
    new = rev_parse(origin, "HEAD")
    clones = {}
    for who in ("git", "ours"):
        clone = tmp_path / who
        git("clone", "-q", str(origin), str(clone))
        git("reset", "-q", "--hard", old, cwd=clone)
        (clone / "untracked" / ".gitattributes").write_bytes(b"*.txt eol=crlf\n")
        clones[who] = clone
    git("merge", "-q", "--ff-only", new, cwd=clones["git"])
    with Repo(str(clones["ours"])) as repo:
        switch_branch(repo, Ref(b"refs/heads/main"), ObjectID(old.encode()), ObjectID(new.encode()))
    for directory in ("added", "removed", "plain", "untracked"):
        path = f"{directory}/f.txt"
        assert (clones["ours"] / path).read_bytes() == (clones["git"] / path).read_bytes(), path
    assert (clones["ours"] / "untracked" / "f.txt").read_bytes() == b"three\r\nfour\r\n"
    assert git("status", "--porcelain", cwd=clones["ours"]) == "?? untracked/.gitattributes"


# --- a branch with no commit yet (a clone of a remote that was empty) ----------------------------


def _unborn(tmp_path: Path) -> tuple[Path, str]:
    """A repository on `main`, unborn, empty index, whose `next` holds NEW."""
    repo, _old, new = two_commits(tmp_path, OLD, NEW)
    git("checkout", "-q", "--orphan", "unborn", cwd=repo)
    git("rm", "-rqf", ".", cwd=repo)
    git("branch", "-D", "main", cwd=repo)
    git("symbolic-ref", "HEAD", "refs/heads/main", cwd=repo)
    return repo, new


def test_a_switch_from_an_unborn_branch_creates_it_and_checks_everything_out(tmp_path: Path) -> None:
    repo, new = _unborn(tmp_path)
    build(repo, {"mine.txt": "untracked, not in the way\n"})
    r = Repo(str(repo))
    try:
        switch_branch(r, MAIN, None, ObjectID(new.encode()), message=b"initial pull")
    finally:
        r.close()
    assert (repo / "mine.txt").read_text() == "untracked, not in the way\n"
    (repo / "mine.txt").unlink()
    assert_clean_at(repo, new)
    assert git("reflog", "-1", "--format=%gs", "main", cwd=repo) == "initial pull"


def test_a_branch_created_during_a_switch_from_unborn_rolls_the_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git creates the branch between our file writes and our create-if-new: nothing stays."""
    repo, new = _unborn(tmp_path)
    elsewhere = rev_parse(repo, "next~1")
    r = Repo(str(repo))
    real = r.refs.add_if_new

    def racing(name: Ref, ref: ObjectID, **kw: object) -> bool:
        git("update-ref", "refs/heads/main", elsewhere, cwd=repo)
        return real(name, ref, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(r.refs, "add_if_new", racing)
    with pytest.raises(BranchMoved, match="expected nothing"):
        switch_branch(r, MAIN, None, ObjectID(new.encode()))
    r.close()
    assert rev_parse(repo, "main") == elsewhere
    assert content_snapshot(repo) == {} and git("ls-files", cwd=repo) == ""
    assert not Path(intent_path_of(repo)).exists()


def test_resume_finishes_a_switch_from_an_unborn_branch(tmp_path: Path) -> None:
    repo, new = _unborn(tmp_path)
    r = Repo(str(repo))
    try:
        tree = r[ObjectID(new.encode())].tree  # type: ignore[attr-defined]
        write_intent(r, SwitchIntent.create(MAIN, None, ObjectID(new.encode()), None, tree))
    finally:
        r.close()
    build(repo, {"mod.txt": "two\n"})  # written before the kill
    assert resume(repo) is True
    assert_clean_at(repo, new)
