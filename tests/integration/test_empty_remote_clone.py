"""A clone of an empty remote, synced once the remote or the clone gets its first commit;
`git pull` and `git push` on a twin clone are the referee."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gitcli import commit_file, fsck, git, refs, rev_parse
from tests.integration.clones import porcelain, run
from tests.integration.test_clone import clone as clone_with_gitferry
from tests.servers import Remote


def _empty_clones(
    remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], *, ours: bool = False
) -> tuple[Path, Path]:
    """`mine` (registered) and its `twin`, `git clone`s of a remote with no commit yet
    (`ours`: `mine` made by `gitferry clone`)."""
    remote.create("origin")
    mine, twin = tmp_path / "mine", tmp_path / "twin"
    git("clone", "-q", remote.url("origin"), str(twin))
    if ours:
        code, _out, err = run(capsys, "clone", remote.url("origin"), str(mine), "--name", "mine")
        assert code == 0, err
    else:
        git("clone", "-q", remote.url("origin"), str(mine))
        code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
        assert code == 0, err
    for clone in (mine, twin):
        assert git("symbolic-ref", "HEAD", cwd=clone) == "refs/heads/main"
    assert git("config", "--get-regexp", "^branch[.]", cwd=mine) == git(
        "config", "--get-regexp", "^branch[.]", cwd=twin
    )
    return mine, twin


def _first_commit(remote: Remote, tmp_path: Path) -> str:
    """Another machine pushes the remote's first commit (a file in a folder, and a.txt)."""
    other = tmp_path / "other"
    git("clone", "-q", remote.url("origin"), str(other))
    commit_file(other, "dir/b.txt", "two\n")
    sha = commit_file(other, "a.txt", "one\n")
    git("push", "-q", "origin", "main", cwd=other)
    return sha


def _sync(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, doc, err = run(capsys, "sync", "mine", "--json")
    assert isinstance(doc, dict), err
    return code, doc["repos"][0]


def _unborn(repo: Path) -> bool:
    return git("rev-parse", "-q", "--verify", "main", cwd=repo, check=False) == ""


def _branches(repo: Path) -> dict[str, str]:
    return {name: sha for name, sha in refs(repo).items() if not name.startswith("refs/gitferry/")}


@pytest.mark.parametrize("ours", [False, True], ids=["git_clone", "gitferry_clone"])
def test_the_first_commit_of_the_remote_is_checked_out_as_git_pull_does(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], ours: bool
) -> None:
    mine, twin = _empty_clones(git_daemon, tmp_path, capsys, ours=ours)
    (mine / "notes.txt").write_text("mine, not in the way\n")
    (twin / "notes.txt").write_text("mine, not in the way\n")
    first = _first_commit(git_daemon, tmp_path)
    git("pull", "-q", cwd=twin)
    code, report = _sync(capsys)
    assert code == 0, report
    assert report["result"] == "ok" and report["fast_forwarded"] == ["main"], report
    assert git("symbolic-ref", "HEAD", cwd=mine) == "refs/heads/main"
    assert rev_parse(mine, "main") == rev_parse(twin, "main") == first
    assert git("rev-parse", "--abbrev-ref", "main@{upstream}", cwd=mine) == "origin/main"
    assert _branches(mine) == _branches(twin)
    assert porcelain(mine) == porcelain(twin) == "?? notes.txt"
    assert (mine / "dir" / "b.txt").read_text() == "two\n"
    assert git("log", "-g", "--format=%H", "main", cwd=mine) == first  # the branch's reflog starts there
    fsck(mine)
    code, report = _sync(capsys)  # from then on it syncs
    assert code == 0 and report["result"] == "up_to_date", report
    commit_file(mine, "c.txt", "three\n")
    code, report = _sync(capsys)
    assert code == 0, report
    assert git("ls-remote", git_daemon.url("origin"), "main").split()[0] == rev_parse(mine, "main")


@pytest.mark.parametrize("staged", [False, True], ids=["untracked", "staged"])
def test_a_file_in_the_way_stops_it_as_git_pull_stops(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], staged: bool
) -> None:
    mine, twin = _empty_clones(git_daemon, tmp_path, capsys)
    for clone in (mine, twin):
        (clone / "a.txt").write_text("my own a.txt\n")
        if staged:
            git("add", "a.txt", cwd=clone)
    _first_commit(git_daemon, tmp_path)
    git("pull", "-q", cwd=twin, check=False)  # "... would be overwritten by merge"
    assert _unborn(twin)
    code, report = _sync(capsys)
    assert code != 0 and report["result"] == "dirty", report
    assert "\n" not in report["message"] and "a.txt" in report["message"], report
    assert _unborn(mine)
    assert (mine / "a.txt").read_text() == "my own a.txt\n"
    assert porcelain(mine) == porcelain(twin) == ("A  a.txt" if staged else "?? a.txt")
    git("rm", "-q", "--cached", "--ignore-unmatch", "a.txt", cwd=mine)
    (mine / "a.txt").unlink()  # the user moves it away: the next sync checks the branch out
    code, report = _sync(capsys)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert (mine / "a.txt").read_text() == "one\n"


def test_a_clone_of_a_remote_still_empty_says_so(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, _twin = _empty_clones(git_daemon, tmp_path, capsys)
    _code, report = _sync(capsys)
    assert report["result"] == "error" and "no commit yet" in report["message"], report
    assert "\n" not in report["message"]
    assert _unborn(mine)


def test_a_first_commit_made_in_the_empty_clone_is_pushed(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, twin = _empty_clones(git_daemon, tmp_path, capsys)
    first = commit_file(mine, "a.txt", "mine first\n")
    code, report = _sync(capsys)
    assert code == 0, report
    assert git("ls-remote", git_daemon.url("origin"), "refs/heads/main").split()[0] == first
    assert rev_parse(mine, "origin/main") == first
    git("pull", "-q", cwd=twin)  # the twin, still empty, gets it as git gets it
    assert rev_parse(twin, "main") == first
    assert git("rev-parse", "--abbrev-ref", "main@{upstream}", cwd=mine) == "origin/main"


def test_a_clone_of_an_empty_remote_over_every_transport_tracks_its_branch_as_git_clone_does(
    remote: Remote, tmp_path: Path
) -> None:
    """`git clone` configures the unborn branch's upstream (its name the remote's HEAD's,
    or init.defaultBranch): what lets the first pull, and the first sync, check it out."""
    remote.create("origin")
    target = tmp_path / "empty"
    clone_with_gitferry(remote, target)
    assert git("symbolic-ref", "HEAD", cwd=target) == "refs/heads/main"
    assert git("config", "branch.main.remote", cwd=target) == "origin"
    assert git("config", "branch.main.merge", cwd=target) == "refs/heads/main"
