"""scan_worktree against `git status --porcelain --untracked-files=all`, on real repositories."""

from __future__ import annotations

import builtins
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dulwich.index import IndexEntry
from dulwich.repo import Repo
from hypothesis import given, settings
from hypothesis import strategies as st

from core.git.index.locked import LockedIndex
from core.git.index.read import open_index
from core.git.index.stat_data import cached_view_bytes, current_index_stat
from core.git.objects.blob_stream import hash_file
from core.git.worktree import scan as worktree
from core.git.worktree.scan import WorktreeScan, scan_worktree
from tests.gitcli import git, merge_conflict

Status = set[tuple[str, str]]


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A repository with `files` committed, its index written well after the files (no racy entry)."""
    git("init", "-q", str(root))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    time.sleep(0.02)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "init", "--allow-empty", cwd=root)
    return root


def git_status(root: Path) -> Status:
    """(XY, path) pairs of `git status --porcelain -z --untracked-files=all`."""
    args = ["git", "status", "--porcelain", "-z", "--untracked-files=all"]
    out = subprocess.run(args, cwd=root, capture_output=True, text=True, check=True, timeout=60).stdout
    return {(item[:2], item[3:]) for item in out.split("\0") if item}


def our_status(root: Path, scan: WorktreeScan | None = None) -> Status:
    """The scan's candidates, with the ones whose content and mode equal the index dropped (as git does)."""
    with Repo(str(root)) as repo:
        scan = scan or scan_worktree(repo)
        index = open_index(repo)
        fmt = repo.object_format
    status: Status = set()
    for change in scan.candidates:
        name = change.path.decode()
        if change.kind == "added":
            status.add(("??", name))
        elif change.kind == "deleted":
            status.add((" D", name))
        else:
            assert change.stat is not None and change.mode is not None
            entry = index[change.path]
            assert isinstance(entry, IndexEntry)
            sha = hash_file(os.path.join(bytes(root), change.path), change.stat, object_format=fmt)
            if (sha, change.mode) != (entry.sha, entry.mode):
                status.add((" T" if (change.mode ^ entry.mode) & 0o170000 else " M", name))
    return status


def scan(root: Path) -> WorktreeScan:
    with Repo(str(root)) as repo:
        return scan_worktree(repo)


TREE = {f"d{i}/s{j}/f{k}.txt": f"{i} {j} {k}\n" for i in range(3) for j in range(3) for k in range(4)}


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every path opened through builtins.open, io.open or os.open while the test runs."""
    paths: list[str] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(file: Any, *args: Any, **kwargs: Any) -> Any:
            result = real(file, *args, **kwargs)  # attempts that fail open nothing
            if isinstance(file, (str, bytes, os.PathLike)):
                paths.append(os.fsdecode(file))
            return result

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(io, "open", spy(io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    yield paths


def in_worktree(root: Path, paths: list[str]) -> list[str]:
    top = str(root.resolve())
    git_dir = os.path.join(top, ".git")
    full = [os.path.realpath(os.path.join(top, p)) for p in paths]
    files = [p for p in full if not os.path.isdir(p)]  # directories are opened to be listed
    return [p for p in files if p.startswith(top + os.sep) and not p.startswith(git_dir + os.sep)]


def test_unchanged_tree_opens_no_file(tmp_path: Path, opened: list[str]) -> None:
    root = make_repo(tmp_path / "r", TREE)
    with Repo(str(root)) as repo:
        opened.clear()
        result = scan_worktree(repo)
    assert result.candidates == []
    assert result.unreadable == []
    assert result.files_opened == 0
    assert in_worktree(root, opened) == []
    assert git_status(root) == set()


def test_unchanged_tree_with_ignored_files_opens_only_exclude_files(
    tmp_path: Path, opened: list[str]
) -> None:
    root = make_repo(tmp_path / "r", {**TREE, ".gitignore": "*.o\n", "d1/.gitignore": "tmp/\n"})
    (root / "d0" / "a.o").write_text("obj")
    (root / "d1" / "tmp").mkdir()
    (root / "d1" / "tmp" / "x").write_text("x")
    with Repo(str(root)) as repo:
        opened.clear()
        result = scan_worktree(repo)
    assert result.candidates == []
    assert sorted(os.path.relpath(p, root.resolve()) for p in in_worktree(root, opened)) == [
        ".gitignore",
        "d1/.gitignore",
    ]
    assert result.files_opened == 3  # and .git/info/exclude (core.excludesFile is not there)
    assert [p for p in opened if p.endswith("exclude")] == [str(root / ".git/info/exclude")]


@pytest.fixture(params=[True, False], ids=["fd-walk", "path-walk"])
def walk_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both walks: by directory fd (POSIX) and by path (where lstat takes no dir_fd: Windows)."""
    monkeypatch.setattr(worktree, "FD_WALK", request.param)
    return bool(request.param)


@pytest.mark.usefixtures("walk_kind")
def test_changes_are_found_as_git_status_sees_them(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r", {**TREE, "exe.sh": "#!/bin/sh\n", "link-me": "x\n", "old/name.txt": "moved\n"}
    )
    (root / "d0/s0/f0.txt").write_text("modified, longer\n")
    (root / "d0/s1/f1.txt").write_text("1 1 9\n")  # same size, new content
    (root / "d1/s0/f0.txt").unlink()
    (root / "d2/s2").rename(root / "d2/s3")  # a directory renamed: deletes plus adds
    (root / "old/name.txt").rename(root / "new-name.txt")
    (root / "exe.sh").chmod(0o755)
    (root / "link-me").unlink()
    (root / "link-me").symlink_to("d0/s0/f1.txt")  # file -> symlink
    (root / "sym").symlink_to("nowhere")  # a new dangling symlink
    (root / "d1/s1/f2.txt").touch()  # stat changed, content not
    (root / "brand" / "new").mkdir(parents=True)
    (root / "brand/new/file.bin").write_bytes(b"\x00\x01")
    expected = git_status(root)
    assert (" D", "old/name.txt") in expected and ("??", "new-name.txt") in expected
    assert (" T", "link-me") in expected and (" M", "exe.sh") in expected
    assert our_status(root) == expected


def test_modes_of_candidates(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a": "a\n", "b": "b\n"})
    (root / "a").chmod(0o755)
    (root / "b").unlink()
    (root / "b").symlink_to("a")
    (root / "c").write_text("c\n")
    by_path = {c.path: c for c in scan(root).candidates}
    assert by_path[b"a"].mode == 0o100755 and by_path[b"a"].kind == "modified"
    assert by_path[b"b"].mode == 0o120000 and by_path[b"b"].size == 1
    assert by_path[b"c"].mode == 0o100644 and by_path[b"c"].kind == "added"


@pytest.mark.usefixtures("walk_kind")
def test_tracked_file_replaced_by_directory_and_directory_by_file(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"x": "x\n", "dir/y": "y\n", "dir/z": "z\n"})
    (root / "x").unlink()
    (root / "x").mkdir()
    (root / "x" / "inner").write_text("i\n")
    for name in ("y", "z"):
        (root / "dir" / name).unlink()
    (root / "dir").rmdir()
    (root / "dir").write_text("now a file\n")
    assert our_status(root) == git_status(root)


@pytest.mark.usefixtures("walk_kind")
def test_symlinked_directory_hides_nothing(tmp_path: Path) -> None:
    """A tracked directory replaced by a symlink to a directory: its files are deleted, as git says."""
    root = make_repo(tmp_path / "r", {"real/a": "a\n", "other/a": "a\n"})
    for p in (root / "real").iterdir():
        p.unlink()
    (root / "real").rmdir()
    (root / "real").symlink_to("other")
    assert our_status(root) == git_status(root) == {(" D", "real/a"), ("??", "real")}


def test_nested_repository_is_left_alone(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a": "a\n"})
    make_repo(root / "nested", {"n": "n\n"})
    result = scan(root)
    assert (result.candidates, result.nested) == ([], [b"nested"])  # named, for auto-commit to say


def test_names_git_cannot_store_are_unreadable(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"d/a": "a\n"})
    (root / ".GIT").mkdir()
    (root / ".GIT" / "config").write_text("x")
    (root / "d" / ".git").write_text("gitdir: nowhere\n")  # .git is never an entry, at any level
    (root / "ok.txt").write_text("ok\n")
    result = scan(root)
    assert [c.path for c in result.candidates] == [b"ok.txt"]
    assert [path for path, _ in result.unreadable] == [b".GIT"]
    assert "cannot store" in result.unreadable[0][1]
    refused = subprocess.run(["git", "add", ".GIT/config"], cwd=root, capture_output=True, timeout=60)
    assert refused.returncode != 0


def test_same_result_with_a_dulwich_index(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", TREE)
    (root / "d0/s0/f0.txt").write_text("changed\n")
    (root / "d2/s2/f3.txt").unlink()
    (root / "new").write_text("n\n")
    with Repo(str(root)) as repo, LockedIndex(repo) as locked:
        held = scan_worktree(repo, locked.index)
    assert our_status(root, held) == our_status(root) == git_status(root)


def test_racy_entry_is_a_candidate(tmp_path: Path) -> None:
    """Rewritten in place with the same size and the same mtime: only the racy-git check finds it."""
    root = tmp_path / "r"
    git("init", "-q", str(root))
    git("config", "core.trustctime", "false", cwd=root)  # so that only mtime, size and inode count
    racy, settled = root / "racy.txt", root / "settled.txt"
    for path, offset in ((racy, 5), (settled, -10)):
        path.write_text("before\n")
        when = time.time_ns() + offset * 1_000_000_000
        os.utime(path, ns=(when, when))
    git("add", "-A", cwd=root)
    with Repo(str(root)) as repo:
        index = open_index(repo)
        index_mtime = os.stat(repo.index_path()).st_mtime_ns
    for path in (racy, settled):
        st = os.stat(path)
        entry = index[path.name.encode()]
        assert isinstance(entry, IndexEntry) and entry.size == st.st_size
        with open(path, "r+") as f:  # same inode, same size, then the old mtime back
            f.write("after!\n")
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(racy).st_mtime_ns >= index_mtime > os.stat(settled).st_mtime_ns
    paths = {c.path for c in scan(root).candidates}
    assert b"racy.txt" in paths  # its mtime is not older than the index: hashed, so found
    assert b"settled.txt" not in paths  # git cannot see this one either: stat matches, not racy
    assert ("AM", "racy.txt") in git_status(root)  # git, too, hashes it


def test_core_filemode_false_ignores_the_executable_bit(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"a.sh": "a\n", "b": "b\n"})
    git("config", "core.filemode", "false", cwd=root)
    (root / "a.sh").chmod(0o755)
    (root / "b").write_text("changed\n")
    assert our_status(root) == git_status(root) == {(" M", "b")}


def test_assume_unchanged_and_skip_worktree_entries_are_not_looked_at(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"assumed": "a\n", "sparse": "s\n", "plain": "p\n"})
    git("update-index", "--assume-unchanged", "assumed", cwd=root)
    git("update-index", "--skip-worktree", "sparse", cwd=root)
    (root / "assumed").write_text("changed behind git's back\n")
    (root / "sparse").unlink()
    (root / "plain").unlink()
    assert our_status(root) == git_status(root) == {(" D", "plain")}


def test_unmerged_paths_are_candidates(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"f": "base\n", "g": "g\n"})
    merge_conflict(root, "f")
    assert ("UU", "f") in git_status(root)
    assert [(c.path, c.kind) for c in scan(root).candidates] == [(b"f", "modified")]


SCAN_CHILD = """
import json, sys
from dulwich.repo import Repo
from core.git.worktree.scan import scan_worktree
with Repo(sys.argv[1]) as repo:
    scan = scan_worktree(repo)
print(json.dumps({
    "candidates": sorted([c.path.decode(), c.kind] for c in scan.candidates),
    "unreadable": sorted([p.decode(), why] for p, why in scan.unreadable),
}))
"""


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0, reason="needs root and setpriv")
def test_unlistable_directory_is_unreadable_not_deleted(tmp_path: Path) -> None:
    """Tracked files in a directory the scan cannot list must not look deleted (an auto-commit
    would delete them). Root lists anything; the child drops CAP_DAC_OVERRIDE/READ_SEARCH."""
    tracked = {"open/a": "a\n", "locked/b": "b\n", "locked/deeper/c": "c\n", "no-search/d": "d\n"}
    root = make_repo(tmp_path / "r", tracked)
    (root / "untracked-locked").mkdir()
    (root / "untracked-locked" / "x").write_text("x\n")
    (root / "new.txt").write_text("n\n")
    (root / "locked").chmod(0)
    (root / "untracked-locked").chmod(0)
    (root / "no-search").chmod(0o444)  # listable, but its entries cannot be lstat'ed
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    try:
        proc = subprocess.run(
            [*drop, sys.executable, "-c", SCAN_CHILD, str(root)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
    finally:
        for name in ("locked", "untracked-locked", "no-search"):
            (root / name).chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["candidates"] == [["new.txt", "added"]]
    assert result["unreadable"] == [
        ["locked/", "permission denied"],
        ["locked/b", "permission denied"],
        ["locked/deeper/c", "permission denied"],
        ["no-search/d", "permission denied"],
        ["untracked-locked/", "permission denied"],
    ]


def test_cached_view_is_reused_until_the_index_changes_and_its_memory_is_estimated(tmp_path: Path) -> None:
    files = {f"d{i % 50}/f{i}.txt": f"{i}\n" for i in range(2_000)}
    root = make_repo(tmp_path / "r", files)
    with Repo(str(root)) as repo:
        assert cached_view_bytes(repo) == 0
        gc.collect()
        tracemalloc.start()
        scan_worktree(repo)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        first = current_index_stat(repo)
        assert 0.6 < cached_view_bytes(repo) / held < 1.6
        assert current_index_stat(repo) is first
        (root / "new").write_text("n\n")
        git("add", "new", cwd=root)  # a new index file: read again
        assert current_index_stat(repo) is not first
        assert b"new" in current_index_stat(repo).dirs[b""]


NAMES = st.sampled_from(["a", "b.txt", "c", "d/e", "d/f.txt", "g/h/i", "g/j"])
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["write", "same-size", "delete", "chmod", "symlink", "touch", "mkdir", "rename"]),
        NAMES,
        NAMES,
    ),
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(committed=st.lists(NAMES, min_size=1, max_size=6, unique=True), actions=ACTIONS)
@pytest.mark.slow
def test_random_edits_are_found_as_git_status_sees_them(
    committed: list[str], actions: list[tuple[str, str, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "r"
        files = {}
        for name in committed:  # skip names whose parent is already a file
            if not any(name.startswith(other + "/") or other.startswith(name + "/") for other in files):
                files[name] = f"{name}\n"
        make_repo(root, files)
        for action, name, other in actions:
            _apply(root, action, name, other)
        assert our_status(root) == git_status(root)


def _apply(root: Path, action: str, name: str, other: str) -> None:
    path = root / name
    try:
        if action == "write":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"new {name} {other}\n")
        elif action == "same-size" and path.is_file() and not path.is_symlink():
            path.write_text(path.read_text().upper().swapcase()[::-1])
        elif action == "delete" and path.is_file():
            path.unlink()
        elif action == "chmod" and path.is_file() and not path.is_symlink():
            path.chmod(path.stat().st_mode ^ 0o111)
        elif action == "symlink" and not path.exists() and not path.is_symlink():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(other)
        elif action == "touch" and path.is_file():
            os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
        elif action == "mkdir" and not path.exists():
            (path / "inside").mkdir(parents=True)
            (path / "inside" / "file").write_text("x\n")
        elif action == "rename" and path.exists() and not (root / other).exists():
            (root / other).parent.mkdir(parents=True, exist_ok=True)
            path.rename(root / other)
    except OSError:
        pass  # the tree's shape did not allow it: nothing done
