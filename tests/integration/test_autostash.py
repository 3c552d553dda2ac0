"""`rebase.autoStash` / `merge.autoStash`: local changes in the way of a sync are stashed,
the branch moves, and they are re-applied, as `git pull` does under the same config.

Twin clones behind (or diverged from) the same remote with the same uncommitted changes:
`third` synced by Gitferry, `fourth` by `git pull`. The referee compares HEAD (or its tree
where a rebase made new commits), the files, the index (`git diff --cached`), `git status`,
`git stash list` and `git fsck`. Where git's re-apply would conflict (markers written,
the stash left in `git stash list`), Gitferry changes nothing and says so."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run

pytestmark = pytest.mark.slow

REBASING = [("pull.rebase", "true"), ("rebase.autoStash", "true")]
MERGING = [("pull.rebase", "false"), ("merge.autoStash", "true")]


def _twins(world: Clones, tmp_path: Path, config: list[tuple[str, str]]) -> tuple[Path, Path]:
    """`third` (registered) and `fourth` (git's), with `config`, behind the remote by
    theirs's change of a.txt's first line."""
    clones = []
    for name in ("third", "fourth"):
        clone = tmp_path / name
        git("clone", "-q", world.remote.url("origin"), str(clone))
        for key, value in config:
            git("config", key, value, cwd=clone)
        clones.append(clone)
    assert run(world.capsys, "add", str(clones[0]))[0] == 0
    world.commit(world.theirs, "a.txt", "ONE\ntwo\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.remember()
    return clones[0], clones[1]


def _both(third: Path, fourth: Path, *commands: list[str], files: dict[str, str] | None = None) -> None:
    for clone in (third, fourth):
        for name, text in (files or {}).items():
            (clone / name).write_text(text)
        for command in commands:
            git(*command, cwd=clone)


def _state(repo: Path) -> tuple[str, str, str, str, str]:
    """(HEAD's tree, a.txt, `git diff --cached`, `git status --porcelain`, how many stashes)."""
    return (
        git("rev-parse", "HEAD^{tree}", cwd=repo),
        (repo / "a.txt").read_text(),
        git("diff", "--cached", cwd=repo),
        porcelain(repo),
        str(len(git("stash", "list", cwd=repo).splitlines())),  # its lines name the twin's own commits
    )


def _pull(twin: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "pull"], cwd=twin, capture_output=True, text=True, timeout=60)


def _fsck(repo: Path) -> None:
    subprocess.run(["git", "fsck", "--no-dangling"], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.mark.parametrize(
    ("config", "setting"), [(REBASING, "rebase.autoStash=true"), (MERGING, "merge.autoStash=true")]
)
def test_an_edit_in_the_way_is_stashed_and_reapplied_as_git_pull_does(
    world: Clones, tmp_path: Path, config: list[tuple[str, str]], setting: str
) -> None:
    """Behind: a fast-forward over an edit to the file it changes, a staged edit to another
    and a new file staged: git unstages the edit, keeps the new file added."""
    third, fourth = _twins(world, tmp_path, config)
    _both(
        third,
        fourth,
        ["add", "b.txt", "c.txt"],
        files={"a.txt": "one\ntwo\nTHREE\n", "b.txt": "b\n", "c.txt": "c\n"},
    )
    code, report = world.sync(third)
    assert (code, report["result"], report["fast_forwarded"]) == (0, "ok", ["main"]), report
    said = f"main: local changes stashed and re-applied after the move ({setting}), as git pull does"
    assert f"{said}; what was staged is unstaged" in report["notes"], report
    done = _pull(fourth)
    assert done.returncode == 0 and "Applied autostash" in done.stderr, done.stderr
    assert world.head(third) == world.head(fourth) == world.remote_head()
    assert _state(third) == _state(fourth)
    assert (third / "a.txt").read_text() == "ONE\ntwo\nTHREE\n"
    assert porcelain(third) == " M a.txt\nA  b.txt\nA  c.txt"
    assert git("stash", "list", cwd=third) == ""
    _fsck(third)
    assert git("for-each-ref", "refs/gitferry/backup/main", cwd=third) != ""


def test_an_unstaged_edit_alone_is_not_said_to_be_unstaged(world: Clones, tmp_path: Path) -> None:
    """Nothing staged: the note does not say that what was staged is unstaged (a user
    trial read it after an edit it had never staged)."""
    third, fourth = _twins(world, tmp_path, REBASING)
    _both(third, fourth, files={"a.txt": "one\ntwo\nTHREE\n"})
    code, report = world.sync(third)
    assert (code, report["result"], report["fast_forwarded"]) == (0, "ok", ["main"]), report
    said = (
        "main: local changes stashed and re-applied after the move (rebase.autoStash=true), as git pull does"
    )
    assert said in report["notes"], report
    assert _pull(fourth).returncode == 0
    assert _state(third) == _state(fourth)
    _fsck(third)


def test_a_rebase_over_a_staged_edit_matches_git_pull_rebase(world: Clones, tmp_path: Path) -> None:
    """Diverged, `pull.rebase`: the local commit replayed, the staged overlapping edit
    re-applied unstaged, as `git pull --rebase` with `rebase.autoStash` leaves it."""
    third, fourth = _twins(world, tmp_path, REBASING)
    _both(third, fourth, ["add", "d.txt"], ["commit", "-q", "-m", "local"], files={"d.txt": "d\n"})
    _both(third, fourth, ["stash", "-q"], files={"d.txt": "kept in the stash\n"})  # the user's own
    kept = git("rev-parse", "refs/stash", cwd=third)
    _both(third, fourth, ["add", "a.txt"], files={"a.txt": "one\ntwo\nTHREE\n"})
    assert _pull(fourth).returncode == 0  # first: third's sync pushes its rebased commit
    code, report = world.sync(third)
    assert (code, report["result"], report["rebased"]) == (0, "ok", ["main"]), report
    assert _state(third) == _state(fourth)
    assert porcelain(third) == " M a.txt" and git("diff", "--cached", cwd=third) == ""
    assert git("stash", "list", "--format=%H", cwd=third) == kept  # the user's stash, alone as before
    for twin in (third, fourth):
        assert git("rev-list", "--count", "HEAD", cwd=twin) == "3"
        assert git("rev-list", "--merges", "HEAD", cwd=twin) == ""
        assert git("rev-parse", "HEAD~1", cwd=twin) == world.head(world.theirs)
    _fsck(third)


def test_a_reapply_that_would_conflict_changes_nothing(world: Clones, tmp_path: Path) -> None:
    """Both change a.txt's first line: git's pull moves, writes conflict markers and leaves
    the stash in `git stash list`; Gitferry changes nothing (no markers, no stash) and
    names the path and the setting."""
    third, fourth = _twins(world, tmp_path, REBASING)
    _both(third, fourth, files={"a.txt": "One!\ntwo\nthree\n"})
    before, head = _state(third), world.head(third)
    code, report = world.sync(third)
    assert (code, report["result"], report["dirty"]) == (1, "dirty", ["a.txt"]), report
    assert report["message"] == (
        "local changes would be overwritten: a.txt; rebase.autoStash=true is set, but your changes "
        "would conflict with the upstream's once re-applied (git pull would leave them in git stash "
        "list): commit them, then sync"
    ), report
    assert (_state(third), world.head(third)) == (before, head)
    assert _pull(fourth).returncode == 0  # git's pull succeeds, and then:
    assert "<<<<<<<" in (fourth / "a.txt").read_text()
    assert git("stash", "list", "--format=%gs", cwd=fourth) == "autostash"
    _fsck(third)


def test_without_autostash_an_edit_in_the_way_still_stops_the_sync(world: Clones, tmp_path: Path) -> None:
    third, fourth = _twins(world, tmp_path, [("pull.rebase", "false")])
    _both(third, fourth, files={"a.txt": "one\ntwo\nTHREE\n"})
    before, head = _state(third), world.head(third)
    code, report = world.sync(third)
    assert (code, report["result"], report["message"]) == (
        1,
        "dirty",
        "local changes would be overwritten: a.txt; commit or stash the changes (git status lists them), "
        "then sync again",
    ), report
    assert (_state(third), world.head(third)) == (before, head)
    done = _pull(fourth)
    assert done.returncode != 0 and "would be overwritten" in done.stderr  # git refuses too


def test_an_untracked_file_in_the_way_is_not_stashed_and_stops_the_sync(
    world: Clones, tmp_path: Path
) -> None:
    """git's autostash leaves untracked files where they are, and its pull then fails on
    one the upstream brings: the sync stops `dirty` instead, nothing changed, no stash."""
    third, fourth = _twins(world, tmp_path, REBASING)
    world.commit(world.theirs, "n.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    _both(third, fourth, files={"a.txt": "one\ntwo\nTHREE\n", "n.txt": "mine\n"})
    before, head = _state(third), world.head(third)
    code, report = world.sync(third)
    assert (code, report["result"], report["dirty"]) == (1, "dirty", ["a.txt", "n.txt"]), report
    assert (_state(third), world.head(third), (third / "n.txt").read_text()) == (before, head, "mine\n")
    done = _pull(fourth)
    assert done.returncode != 0 and "untracked working tree files would be overwritten" in done.stderr
    assert (fourth / "n.txt").read_text() == "mine\n"
