"""Submodules in auto-commit: exactly what `git add -A` records, `git add -A` the referee
(compared by `git ls-files -s`: with an ignore setting `git diff --cached` hides a gitlink
`git add -A` did stage); `git submodule status` the referee of the statuses."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.index.read import open_index
from core.git.worktree.autocommit import auto_commit
from core.git.worktree.submodules import statuses
from tests.gitcli import fsck, git


def _commit_in(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    git("add", name, cwd=repo)
    git("commit", "-q", "-m", f"edit {name}", cwd=repo)


@pytest.fixture
def superproject(tmp_path: Path) -> Path:
    sub = tmp_path / "sub"
    git("init", "-q", "-b", "main", str(sub))
    _commit_in(sub, "a.txt", "a\n")
    top = tmp_path / "top"
    git("init", "-q", "-b", "main", str(top))
    _commit_in(top, "x.txt", "x\n")
    git("submodule", "add", "-q", str(sub), "lib/sub", cwd=top)
    git("commit", "-q", "-m", "add the submodule", cwd=top)
    return top


def _move_head(top: Path) -> None:
    _commit_in(top / "lib" / "sub", "b.txt", "b\n")


def _ahead_of_a_branch(top: Path) -> None:
    """Checked out at a commit on another branch of the submodule: not behind, recorded."""
    inner = top / "lib" / "sub"
    git("checkout", "-q", "-b", "topic", cwd=inner)
    _commit_in(inner, "t.txt", "t\n")


def _dirty(top: Path) -> None:
    (top / "lib" / "sub" / "a.txt").write_text("edited\n")


def _ignore_in_gitmodules(top: Path) -> None:
    git("config", "-f", ".gitmodules", "submodule.lib/sub.ignore", "all", cwd=top)
    _move_head(top)


def _ignore_in_config(top: Path) -> None:
    git("config", "submodule.lib/sub.ignore", "all", cwd=top)
    _move_head(top)


def _config_overrides_gitmodules(top: Path) -> None:
    git("config", "submodule.lib/sub.ignore", "none", cwd=top)
    _ignore_in_gitmodules(top)


def _diff_ignore_submodules(top: Path) -> None:
    git("config", "diff.ignoreSubmodules", "all", cwd=top)
    _move_head(top)


def _removed(top: Path) -> None:
    shutil.rmtree(top / "lib" / "sub")


def _uninitialised(top: Path) -> None:
    shutil.rmtree(top / "lib" / "sub")
    (top / "lib" / "sub").mkdir()


def _a_file_in_its_place(top: Path) -> None:
    shutil.rmtree(top / "lib" / "sub")
    (top / "lib" / "sub").write_text("a file now\n")


def _no_repository_left(top: Path) -> None:
    (top / "lib" / "sub" / ".git").unlink()
    (top / "lib" / "sub" / "new.txt").write_text("loose\n")


CASES: dict[str, Callable[[Path], None]] = {
    "moved": _move_head,
    "moved-on-a-branch": _ahead_of_a_branch,
    "dirty": _dirty,
    "ignore-gitmodules": _ignore_in_gitmodules,
    "ignore-config": _ignore_in_config,
    "config-over-gitmodules": _config_overrides_gitmodules,
    "diff-ignore": _diff_ignore_submodules,
    "removed": _removed,
    "uninitialised": _uninitialised,
    "file-in-place": _a_file_in_its_place,
    "no-repository": _no_repository_left,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_auto_commit_records_what_git_add_all_records(superproject: Path, tmp_path: Path, case: str) -> None:
    CASES[case](superproject)
    referee = tmp_path / "referee"
    shutil.copytree(superproject, referee, symlinks=True)
    git("add", "-A", cwd=referee)
    with Repo(str(superproject)) as repo:
        auto_commit(repo, max_file_size=1 << 20, host="test")
    assert git("ls-files", "-s", cwd=superproject) == git("ls-files", "-s", cwd=referee)
    fsck(superproject)


def test_a_moved_submodule_is_recorded_once(superproject: Path) -> None:
    _move_head(superproject)
    with Repo(str(superproject)) as repo:
        first = auto_commit(repo, max_file_size=1 << 20, host="test")
        again = auto_commit(repo, max_file_size=1 << 20, host="test")
    assert first.paths == ["lib/sub"] and again.commit is None
    assert git("rev-parse", "HEAD:lib/sub", cwd=superproject) == git(
        "rev-parse", "HEAD", cwd=superproject / "lib/sub"
    )
    assert git("ls-tree", "HEAD", "lib/sub", cwd=superproject).startswith("160000 commit ")  # still a gitlink


@pytest.mark.parametrize("case", ["moved", "uninitialised", "unchanged"])
def test_statuses_agree_with_git_submodule_status(superproject: Path, case: str) -> None:
    if case == "moved":
        _move_head(superproject)
    elif case == "uninitialised":
        _uninitialised(superproject)
    with Repo(str(superproject)) as repo:
        (found,) = statuses(repo, open_index(repo))
    line = git("submodule", "status", cwd=superproject)
    marks = {"+": "modified", "-": "uninitialised", " ": "ok"}
    assert found.state == marks[git_line_mark(superproject)]
    assert found.recorded == git("rev-parse", ":lib/sub", cwd=superproject)
    assert found.path == "lib/sub" and found.path in line
    if found.checked_out is not None:
        assert found.checked_out in line


def _untracked(top: Path) -> None:
    (top / "lib" / "sub" / "new.txt").write_text("new\n")


def _staged(top: Path) -> None:
    (top / "lib" / "sub" / "a.txt").write_text("staged\n")
    git("add", "a.txt", cwd=top / "lib" / "sub")


def _deleted(top: Path) -> None:
    (top / "lib" / "sub" / "a.txt").unlink()


def _dirty_but_ignored(top: Path) -> None:
    git("config", "-f", ".gitmodules", "submodule.lib/sub.ignore", "dirty", cwd=top)
    _dirty(top)


def _untracked_but_ignored(top: Path) -> None:
    git("config", "-f", ".gitmodules", "submodule.lib/sub.ignore", "untracked", cwd=top)
    _untracked(top)


def _touched(top: Path) -> None:
    """Rewritten with the same bytes, a new mtime: stat differs, content does not."""
    (top / "lib" / "sub" / "a.txt").write_text("a\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edited": _dirty,
    "untracked": _untracked,
    "staged": _staged,
    "deleted": _deleted,
    "ignore=dirty": _dirty_but_ignored,
    "ignore=untracked": _untracked_but_ignored,
    "touched": _touched,
    "clean": lambda _top: None,
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_local_changes_in_a_submodule_agree_with_git_status(superproject: Path, case: str) -> None:
    """At its recorded commit (`git submodule status` says " "), a submodule is `changed`
    exactly when the superproject's `git status` says "modified content" or "untracked
    content" of it (porcelain v2's submodule field `S.M.`/`S..U`)."""
    CHANGES[case](superproject)
    with Repo(str(superproject)) as repo:
        (found,) = statuses(repo, open_index(repo))
    assert git_line_mark(superproject) == " "  # at the recorded commit
    line = git("status", "--porcelain=v2", "lib/sub", cwd=superproject)
    field = line.split()[2] if line.startswith("1 ") else "N..."  # S<commit><modified><untracked>
    changed = field.startswith("S") and (field[2] == "M" or field[3] == "U")
    assert found.state == ("changed" if changed else "ok"), (case, line)
    assert changed == (case in ("edited", "untracked", "staged", "deleted")), (
        line
    )  # the cases do what they say


def git_line_mark(top: Path) -> str:
    import subprocess

    out = subprocess.run(["git", "submodule", "status"], cwd=top, capture_output=True, text=True, check=True)
    return out.stdout[0]


def test_a_submodule_behind_its_recorded_commit_is_not_moved_back(superproject: Path) -> None:
    """The one difference from git add -A, on purpose: the remote moved the pointer, the
    submodule was not updated; git add -A would record the older commit (undoing the move)."""
    inner = superproject / "lib" / "sub"
    old = git("rev-parse", "HEAD", cwd=inner)
    _move_head(superproject)
    git("add", "lib/sub", cwd=superproject)
    git("commit", "-q", "-m", "move the pointer", cwd=superproject)
    git("checkout", "-q", "--detach", old, cwd=inner)  # as a pull without --recurse-submodules leaves it
    recorded = git("rev-parse", "HEAD:lib/sub", cwd=superproject)
    with Repo(str(superproject)) as repo:
        outcome = auto_commit(repo, max_file_size=1 << 20, host="test")
    assert outcome.commit is None
    assert git("rev-parse", "HEAD:lib/sub", cwd=superproject) == recorded != old
    referee = subprocess.run(
        ["git", "add", "-A", "--dry-run"], cwd=superproject, capture_output=True, text=True
    )
    assert "lib/sub" in referee.stdout  # git add -A would have recorded the older commit
