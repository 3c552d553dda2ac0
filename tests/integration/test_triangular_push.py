"""A triangular workflow: fetch from the project (`origin`), push to a fork
(`remote.pushDefault`, `branch.<name>.pushRemote`). A sync pushes where `git push`
would, with git as the referee (`git push --dry-run --porcelain` finds nothing left
to push, the project's branch is untouched)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.paths import data_dir, store_file
from core.store.status_reader import first_snapshot
from gui.windows.status_window import StatusWindow
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import run
from tests.servers import Remote


def _sync(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code, doc, err = run(capsys, "sync", "mine", "--json")
    assert isinstance(doc, dict), err
    return code, doc["repos"][0]


def _head(bare: Path) -> str:
    return git("--git-dir", str(bare), "rev-parse", "refs/heads/main")


def _git_push_dry_run(work: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "push", "--dry-run", "--porcelain"], cwd=work, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def fork_setup(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path, Path]:
    """The project `origin` and a `fork` of it, both with main at the seed; `mine` cloned
    from the project, the fork added and fetched, registered."""
    origin, fork = git_daemon.create("origin"), git_daemon.create("fork")
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "a.txt", "one\n")
    for bare in (origin, fork):
        git("push", "-q", str(bare), "main", cwd=seed)
    mine = tmp_path / "mine"
    git("clone", "-q", git_daemon.url("origin"), str(mine))
    git("remote", "add", "fork", git_daemon.url("fork"), cwd=mine)
    git("fetch", "-q", "fork", cwd=mine)
    assert run(capsys, "add", str(mine))[0] == 0
    return origin, fork, mine


@pytest.mark.slow
def test_a_branch_goes_to_the_push_remote_not_to_the_project(
    fork_setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the sync pushed main to `origin`, the project the user only fetches from,
    where git (and the user) send it to the fork."""
    origin, fork, mine = fork_setup
    project = _head(origin)
    git("config", "remote.pushDefault", "fork", cwd=mine)
    new = commit_file(mine, "b.txt", "mine\n")
    code, report = _sync(capsys)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert (_head(fork), _head(origin)) == (new, project)
    assert "[up to date]" in _git_push_dry_run(mine).stdout  # git finds nothing left to push
    code, report = _sync(capsys)  # ahead of origin/main, as a fork's branch stays: nothing more to do
    assert (code, report["result"], report["pushed"]) == (0, "up_to_date", []), report
    assert _head(origin) == project

    # branch.<name>.pushRemote comes before remote.pushDefault, as in git.
    git("config", "branch.main.pushRemote", "origin", cwd=mine)
    code, report = _sync(capsys)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert _head(origin) == new
    fsck(mine)


def _main(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code, doc, err = run(capsys, "status", "mine", "--json")
    assert code == 0 and isinstance(doc, dict), err
    (main,) = [b for b in doc["repos"][0]["branches"] if b["name"] == "main"]
    return main


def _window(qtbot: object) -> StatusWindow:
    """The status window as it starts, from the store (its summary: what the status bar says)."""
    snapshot = first_snapshot(store_file(data_dir()))
    window = StatusWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show_repos(snapshot.repos, snapshot.branches, snapshot.conflicts)
    return window


@pytest.mark.slow
def test_a_branch_its_fork_has_is_not_to_sync(
    fork_setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str], qtbot: object
) -> None:
    """Before: after the push to the fork, main stayed 1 ahead of origin/main (as `git
    status` says) and the status bar said "1 to sync" for ever, the Result "main: 1
    ahead", while Sync now had nothing to do."""
    _origin, fork, mine = fork_setup
    git("config", "remote.pushDefault", "fork", cwd=mine)
    commit_file(mine, "b.txt", "mine\n")
    assert _sync(capsys)[1]["pushed"] == ["main"]
    assert "ahead 1" in git("status", "-sb", cwd=mine)  # git's measure: kept in the branch table
    main = _main(capsys)
    assert (main["ahead"], main["behind"], main["pushed"]) == (1, 0, True), main
    assert "ahead 1, behind 0  (its push remote has it: nothing to push)" in run(capsys, "status", "mine")[1]
    window = _window(qtbot)
    assert "all up to date" in window.summary.full_text() and "to sync" not in window.summary.full_text()

    newer = commit_file(mine, "c.txt", "more\n")  # the fork lacks it: to sync again
    assert run(capsys, "sync", "mine", "--fetch-only", "--json")[0] == 0  # measures again
    main = _main(capsys)
    assert (main["ahead"], main["pushed"]) == (2, False), main
    assert "1 to sync" in _window(qtbot).summary.full_text()
    assert _sync(capsys)[1]["pushed"] == ["main"] and _head(fork) == newer
    assert _main(capsys)["pushed"] is True
    assert "all up to date" in _window(qtbot).summary.full_text()


def test_where_git_would_refuse_to_push_to_the_fork_nothing_is_pushed(
    fork_setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    origin, fork, mine = fork_setup
    before = (_head(origin), _head(fork))
    git("config", "remote.pushDefault", "fork", cwd=mine)
    git("config", "push.default", "upstream", cwd=mine)
    commit_file(mine, "b.txt", "mine\n")
    assert _git_push_dry_run(mine).returncode != 0  # git refuses: fork is not main's upstream remote
    code, report = _sync(capsys)
    assert report["pushed"] == [] and (_head(origin), _head(fork)) == before, report
    assert str(report["message"]) == (
        "main: not pushed: push.default is 'upstream' and fork is not the remote main fetches from: "
        "git would refuse to push it there; git config push.default current would push it to fork"
    ), report
    assert code == 1 and report["result"] == "unpublished", report  # its commit is on no remote


def test_a_fork_that_tracks_nothing_there_says_to_push_not_to_publish(
    fork_setup: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The fork's fetch refspecs track no branch where main would go: the sync does not push
    it and says the way on for its push ("to publish main there" was `gitferry publish`'s);
    `gitferry publish` keeps its own words."""
    origin, fork, mine = fork_setup
    before = (_head(origin), _head(fork))
    git("config", "remote.pushDefault", "fork", cwd=mine)
    git("config", "remote.fork.fetch", "+refs/heads/other:refs/remotes/fork/other", cwd=mine)
    commit_file(mine, "b.txt", "mine\n")
    code, report = _sync(capsys)
    untracked = (
        "fork's fetch refspecs do not track refs/heads/main: add one (git config --add remote.fork.fetch ...)"
    )
    assert report["message"] == f"main: not pushed: remote {untracked} to push main there", report
    assert (code, report["pushed"], (_head(origin), _head(fork))) == (1, [], before), report
    git("checkout", "-q", "-b", "feat", cwd=mine)
    code, _out, err = run(capsys, "publish", "mine", "feat")
    assert (
        code == 2
        and err == f"gitferry: remote {untracked.replace('main', 'feat', 1)} to publish feat there\n"
    )


def test_a_fork_that_moved_is_named_in_the_rejection(
    fork_setup: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fork has a commit the clone lacks: the push there is refused twice, as git's
    push is, and the message says it was the fork (it named only the branch)."""
    origin, fork, mine = fork_setup
    other = tmp_path / "other"
    git("clone", "-q", str(fork), str(other))
    commit_file(other, "f.txt", "on the fork\n")
    git("push", "-q", "origin", "main", cwd=other)
    before = (_head(origin), _head(fork))
    git("config", "remote.pushDefault", "fork", cwd=mine)
    commit_file(mine, "b.txt", "mine\n")
    assert _git_push_dry_run(mine).returncode != 0  # git is refused too
    code, report = _sync(capsys)
    assert (code, report["result"]) == (1, "error"), report
    assert (
        report["message"]
        == "push rejected twice (main: non-fast-forward (the remote has new commits), by fork)"
    )
    assert (_head(origin), _head(fork)) == before
