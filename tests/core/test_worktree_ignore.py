"""Exclude rules in scan_worktree: untracked files exactly as `git status -uall` lists them."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from dulwich.repo import Repo
from hypothesis import given, settings
from hypothesis import strategies as st

from core.git.worktree.scan import scan_worktree
from tests.gitcli import git

FILES = [
    "a.log",
    "keep.log",
    "rootonly.txt",
    "sub/rootonly.txt",
    "sub/a.log",
    "sub/x.bak",
    "sub/local/file",
    "sub/deeper/y.bak",
    "sub/deeper/x.bak",
    "build/out.bin",
    "src/build/nested.bin",
    "src/cache",  # a file: `cache/` names directories only
    "src/cache.d/cache/inner",
    "out/keep",
    "out/other",
    "logs/keep.txt",
    "logs/drop.txt",
    "doc/x/y/z.tmp",
    "doc/z.tmp",
    "a/b",
    "a/x/y/b",
    "a/x/b/c",
    "#hash",
    "x.secret",
    "editor.swp",
    "special.swp",
    "plain.txt",
    "deep/er/plain.txt",
]

ROOT_RULES = """\
# comment
*.log
!keep.log
/rootonly.txt
build/
cache/
out/
!out/keep
logs/*
!logs/keep.txt
doc/**/*.tmp
a/**/b
\\#hash
"""


def setup_repo(root: Path) -> Path:
    git("init", "-q", str(root))
    files = {
        ".gitignore": ROOT_RULES,
        "sub/.gitignore": "!*.log\nlocal/\n*.bak\n",
        "sub/deeper/.gitignore": "!x.bak\n",
        "tracked.txt": "t\n",
        "build/tracked.txt": "inside an ignored directory, tracked\n",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    time.sleep(0.02)
    git("add", "-A", cwd=root)
    git("add", "-f", "build/tracked.txt", cwd=root)
    git("commit", "-q", "-m", "rules", cwd=root)
    (root / ".git/info/exclude").write_text("*.secret\n!special.swp\n")
    excludes = root.parent / "global-ignore"
    excludes.write_text("*.swp\n")
    git("config", "core.excludesFile", str(excludes), cwd=root)
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


def git_untracked(root: Path) -> set[str]:
    args = ["git", "status", "--porcelain", "-z", "--untracked-files=all"]
    out = subprocess.run(args, cwd=root, capture_output=True, text=True, check=True, timeout=60).stdout
    return {item[3:] for item in out.split("\0") if item.startswith("??")}


def our_added(root: Path) -> set[str]:
    with Repo(str(root)) as repo:
        scan = scan_worktree(repo)
    return {c.path.decode() for c in scan.candidates if c.kind == "added"}


def test_untracked_files_as_git_lists_them(tmp_path: Path) -> None:
    root = setup_repo(tmp_path / "r")
    expected = git_untracked(root)
    assert {
        "keep.log",
        "sub/a.log",
        "sub/deeper/x.bak",
        "logs/keep.txt",
        "special.swp",
        "src/cache",
    } <= expected
    # out/keep: a file below an excluded directory cannot be re-included
    assert expected.isdisjoint({"a.log", "out/keep", "editor.swp", "x.secret", "#hash", "sub/x.bak"})
    assert our_added(root) == expected
    ignored = set(FILES) - expected
    checked = git("check-ignore", "--no-index", *sorted(ignored), cwd=root, check=False).splitlines()
    assert set(checked) == ignored  # git agrees that every file left out is ignored


def test_tracked_file_in_ignored_directory_is_still_checked(tmp_path: Path) -> None:
    root = setup_repo(tmp_path / "r")
    (root / "build/tracked.txt").write_text("changed\n")
    with Repo(str(root)) as repo:
        scan = scan_worktree(repo)
    modified = {c.path for c in scan.candidates if c.kind == "modified"}
    assert modified == {b"build/tracked.txt"}
    assert b"build/out.bin" not in {c.path for c in scan.candidates}


NAMES = st.sampled_from(["a", "b", "c.txt", "d.log", "e.tmp", "x"])
PATTERNS = st.sampled_from(
    [
        "*.log",
        "!*.log",
        "a",
        "a/",
        "/a",
        "b/",
        "!b/",
        "*.tmp",
        "!x",
        "x/*",
        "!x/c.txt",
        "**/c.txt",
        "a/**",
        "a/**/x",
        "b/*.txt",
        "!d.log",
        "[ab]",
        "?.tmp",
        "*",
        "!*/",
    ]
)


@settings(max_examples=40, deadline=None)
@given(
    paths=st.lists(st.lists(NAMES, min_size=1, max_size=4).map("/".join), min_size=1, max_size=12),
    root_rules=st.lists(PATTERNS, max_size=5),
    nested_rules=st.lists(PATTERNS, max_size=3),
)
@pytest.mark.slow
def test_random_rules_agree_with_git(
    paths: list[str], root_rules: list[str], nested_rules: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "r"
        git("init", "-q", str(root))
        written = _write_tree(root, paths)
        if not written:
            return
        (root / ".gitignore").write_text("\n".join(root_rules) + "\n")
        for directory in {p.rsplit("/", 1)[0] for p in written if "/" in p}:
            (root / directory / ".gitignore").write_text("\n".join(nested_rules) + "\n")
            break
        assert our_added(root) == git_untracked(root)


def _write_tree(root: Path, paths: list[str]) -> list[str]:
    """Write each path as a file unless a file or directory is already in its way."""
    written = []
    for path in paths:
        target = root / path
        if any(parent.is_file() for parent in target.parents) or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path)
        written.append(path)
    return written
