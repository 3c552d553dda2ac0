"""Whether a recorded conflict still holds (`core.git.merge.conflict_gone`), and the
watcher reporting the repository's state changing in `.git` (`core.platform.tree_watch`):
what lets auto mode go on after the user resolved a conflict with git alone. git makes
the conflict and resolves it."""

from __future__ import annotations

import threading
from pathlib import Path

from core.git.merge.conflict_gone import conflict_holds
from core.git.repository import in_worktree_repo
from core.platform.tree_watch import TreeWatch
from tests.gitcli import git
from tests.waiting import wait_until


def _diverged(tmp_path: Path) -> Path:
    """A clone whose main and origin/main changed readme.txt differently."""
    origin = tmp_path / "origin"
    git("init", "-q", "-b", "main", str(origin))
    (origin / "readme.txt").write_text("base\n")
    (origin / "other.txt").write_text("other\n")
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "base", cwd=origin)
    clone = tmp_path / "clone"
    git("clone", "-q", str(origin), str(clone))
    (origin / "readme.txt").write_text("theirs\n")
    git("commit", "-q", "-am", "theirs", cwd=origin)
    (clone / "readme.txt").write_text("mine\n")
    git("commit", "-q", "-am", "mine", cwd=clone)
    git("fetch", "-q", cwd=clone)
    return clone


def holds(clone: Path, paths: set[str]) -> bool:
    return in_worktree_repo(clone, lambda repo: conflict_holds(repo, paths))


def test_a_conflict_holds_until_git_merges_it(tmp_path: Path) -> None:
    clone = _diverged(tmp_path)
    assert holds(clone, {"readme.txt"})
    assert not holds(clone, {"other.txt"})  # not a path the merge conflicts on
    git("merge", "-q", "origin/main", cwd=clone, check=False)
    assert holds(clone, {"readme.txt"})  # stopped merge: unmerged paths
    git("checkout", "--theirs", "readme.txt", cwd=clone)
    git("commit", "-q", "-am", "resolved", cwd=clone)
    assert not holds(clone, {"readme.txt"})


def test_a_conflict_no_longer_holds_once_both_sides_agree(tmp_path: Path) -> None:
    clone = _diverged(tmp_path)
    (clone / "readme.txt").write_text("theirs\n")
    git("commit", "-q", "-am", "take theirs by hand", cwd=clone)
    assert not holds(clone, {"readme.txt"})  # diverged still, but the merge is clean


def test_the_watcher_reports_the_repositorys_state_changing(tmp_path: Path) -> None:
    clone = _diverged(tmp_path)
    changes: list[list[str]] = []
    git_changes = threading.Event()
    watch = TreeWatch()
    try:
        watch.watch(str(clone), changes.append, git_changes.set)
        (clone / "notes.txt").write_text("an edit\n")
        wait_until(lambda: any("notes.txt" in c for c in changes), "the edit reported")
        assert not git_changes.is_set()  # a working-tree edit is not a state change
        git("merge", "-q", "origin/main", cwd=clone, check=False)
        wait_until(git_changes.is_set, "the merge reported")
        assert not any(p.startswith(".git") for c in changes for p in c)
    finally:
        watch.stop()
