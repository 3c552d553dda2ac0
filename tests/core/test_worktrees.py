"""Worktrees and unfinished git commands, as git itself sees them.

The referees: `git branch -f <branch> <branch>` refuses exactly the branches some
worktree uses ("cannot force update the branch ... used by worktree at ..."), and
`git status` names the command a worktree is in the middle of.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.git_dirs import UNFINISHED_COMMAND_MARKERS, common_git_dir
from core.git.merge.integrate import fast_forward_others
from core.git.worktree.autocommit import AutoCommitRefused, auto_commit
from core.git.worktree.git_operation import STOPPED_COMMAND_MARKERS, operation_in_progress
from core.git.worktree.scan import scan_worktree
from core.git.worktree.worktrees import Use, branch_uses, list_worktrees
from tests.git_operations import UNFINISHED, Unfinished, unfinished_id
from tests.gitcli import commit_file, git, refs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """`main` with three commits and the branches `free`, `topic`, `feature`, `bis`,
    `stacked`, `gone` at its first commit."""
    path = tmp_path / "main-tree"
    git("init", "-q", "-b", "main", str(path))
    commit_file(path, "a.txt", "one\n")
    for name in ("free", "topic", "feature", "bis", "stacked", "gone"):
        git("branch", name, cwd=path)
    commit_file(path, "a.txt", "two\n")
    commit_file(path, "a.txt", "three\n")
    return path


def git_refuses_to_move(repo: Path) -> set[str]:
    """The branches `git branch -f` refuses to touch, asked from `repo` (setting each to
    where it already is: nothing moves either way)."""
    refused = set()
    for name in git("for-each-ref", "--format=%(refname:short)", "refs/heads/", cwd=repo).split():
        proc = subprocess.run(
            ["git", "branch", "-f", name, name], cwd=repo, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            assert "cannot force update" in proc.stderr, proc.stderr
            refused.add(name)
    return refused


def uses_seen_from(path: Path) -> set[str]:
    with Repo(str(path)) as opened:
        return {use.branch for use in branch_uses(opened).uses}


def test_branches_in_use_are_those_git_refuses_to_move(repo: Path, tmp_path: Path) -> None:
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", str(wt / "topic"), "topic", cwd=repo)
    git("worktree", "add", "-q", str(wt / "rebasing"), "feature", cwd=repo)
    commit_file(wt / "rebasing", "f.txt", "one\n")
    commit_file(wt / "rebasing", "f.txt", "two\n")
    git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "HEAD~1", cwd=wt / "rebasing")
    git("worktree", "add", "-q", str(wt / "bisecting"), "bis", cwd=repo)
    commit_file(wt / "bisecting", "b.txt", "one\n")
    commit_file(wt / "bisecting", "b.txt", "two\n")
    git("bisect", "start", "HEAD", "HEAD~2", cwd=wt / "bisecting")
    git("worktree", "add", "-q", str(wt / "deleted"), "gone", cwd=repo)
    shutil.rmtree(wt / "deleted")  # not pruned: git still counts it

    for seen_from in (repo, wt / "topic"):
        assert uses_seen_from(seen_from) == git_refuses_to_move(seen_from)
    assert {"main", "topic", "feature", "bis", "gone"} <= uses_seen_from(repo)
    assert "free" not in uses_seen_from(repo)

    git("worktree", "prune", cwd=repo)
    assert "gone" not in git_refuses_to_move(repo) and "gone" not in uses_seen_from(repo)


def test_update_refs_of_a_rebase_hold_the_branches_it_will_move(repo: Path, tmp_path: Path) -> None:
    """`rebase --update-refs` in a linked worktree: git refuses to move `stacked` meanwhile."""
    wt = tmp_path / "stacking"
    git("worktree", "add", "-q", "-b", "top", str(wt), "stacked", cwd=repo)
    commit_file(wt, "s.txt", "one\n")
    git("branch", "-f", "stacked", "HEAD", cwd=wt)
    commit_file(wt, "s.txt", "two\n")
    git("-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-q", "-i", "--update-refs", "main", cwd=wt)
    assert (
        Path(common_git_dir(wt) or "") / "worktrees" / "stacking" / "rebase-merge" / "update-refs"
    ).exists()
    assert "stacked" in git_refuses_to_move(repo)
    with Repo(str(repo)) as opened:
        held = branch_uses(opened).by_operations()
    assert held["stacked"].use is Use.UPDATE_REFS and held["top"].use is Use.REBASE


def test_a_bare_main_worktree_uses_no_branch(tmp_path: Path, repo: Path) -> None:
    bare = tmp_path / "bare.git"
    git("clone", "-q", "--bare", str(repo), str(bare))
    linked = tmp_path / "linked"
    git("worktree", "add", "-q", str(linked), "topic", cwd=bare)
    assert uses_seen_from(linked) == git_refuses_to_move(linked) == {"topic"}
    with Repo(str(linked)) as opened:
        worktrees = list_worktrees(opened)
    assert [w.bare for w in worktrees] == [True, False]
    assert [w.current for w in worktrees] == [False, True]


def test_fast_forward_others_leaves_a_branch_used_elsewhere_alone(repo: Path, tmp_path: Path) -> None:
    """`topic` and `free` are both strictly behind their upstream; only `free` moves."""
    clone = tmp_path / "clone"
    git("clone", "-q", str(repo), str(clone))
    for name in ("topic", "free"):
        git("branch", "-q", "--track", name, f"origin/{name}", cwd=clone)
        git("push", "-q", "origin", f"main:{name}", cwd=clone)  # both upstreams move ahead
    git("fetch", "-q", cwd=clone)
    linked = tmp_path / "linked"
    git("worktree", "add", "-q", str(linked), "topic", cwd=clone)
    before = refs(clone)

    with Repo(str(clone)) as opened:
        others = fast_forward_others(opened)

    assert others.moved == ["free"]
    assert {b: why.english() for b, why in others.left_alone.items()} == {
        "topic": f"checked out in the worktree at {linked}"
    }
    assert refs(clone)["refs/heads/topic"] == before["refs/heads/topic"]
    assert git("status", "--porcelain", cwd=linked) == ""


@pytest.mark.parametrize("operation", UNFINISHED, ids=unfinished_id)
@pytest.mark.parametrize("where", ["main", "linked"])
def test_an_unfinished_command_is_found_where_git_status_finds_it(
    repo: Path, tmp_path: Path, operation: Unfinished, where: str
) -> None:
    path = repo
    if where == "linked":
        path = tmp_path / "linked"
        git("worktree", "add", "-q", "-b", "work", str(path), "main", cwd=repo)
    with Repo(str(path)) as opened:
        assert operation_in_progress(opened.controldir()) is None
    operation.start(path)
    assert operation.status in git("status", cwd=path)
    with Repo(str(path)) as opened:
        found = operation_in_progress(opened.controldir())
        assert found is not None and found.marker == operation.marker
        assert found.marker in UNFINISHED_COMMAND_MARKERS  # what a replayed fetch's facts hold
        assert found.what.english() == operation.name.replace(
            " main", " work" if where == "linked" else " main"
        )
    if where == "linked":  # the other worktree is not in the middle of anything
        with Repo(str(repo)) as opened:
            assert operation_in_progress(opened.controldir()) is None
        assert "You are currently" not in git("status", cwd=repo)
    operation.finish(path)
    with Repo(str(path)) as opened:
        assert operation_in_progress(opened.controldir()) is None


def test_a_command_stopped_on_a_conflict_is_an_unfinished_one() -> None:
    assert set(STOPPED_COMMAND_MARKERS) <= set(UNFINISHED_COMMAND_MARKERS)


@pytest.mark.parametrize("operation", UNFINISHED, ids=unfinished_id)
def test_auto_commit_never_commits_in_the_middle_of_a_git_command(repo: Path, operation: Unfinished) -> None:
    operation.start(repo)
    (repo / "new.txt").write_text("a change auto-commit would take\n")
    head = git("rev-parse", "HEAD", cwd=repo)
    index = (repo / ".git" / "index").read_bytes()
    with Repo(str(repo)) as opened, pytest.raises(AutoCommitRefused) as refused:
        auto_commit(opened, max_file_size=1 << 20, host="testhost")
    assert f"({operation.marker})" in refused.value.message
    assert git("rev-parse", "HEAD", cwd=repo) == head
    assert (repo / ".git" / "index").read_bytes() == index


def test_a_linked_worktree_obeys_the_shared_info_exclude(repo: Path, tmp_path: Path) -> None:
    """`info/` is one of the common dir's: git reads `.git/info/exclude` for every worktree."""
    linked = tmp_path / "linked"
    git("worktree", "add", "-q", str(linked), "topic", cwd=repo)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("secret.txt\n")
    (linked / "secret.txt").write_text("not for the remote\n")
    (linked / "note.txt").write_text("for the remote\n")
    assert git("status", "--porcelain", cwd=linked) == "?? note.txt"
    with Repo(str(linked)) as opened:
        assert [c.path for c in scan_worktree(opened).candidates] == [b"note.txt"]
