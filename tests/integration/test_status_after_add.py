"""`gitferry status` right after `gitferry add` or `gitferry clone` lists the branches,
measured from local refs as the repository registers (no fetch): it said "never synced"
and no branch at all until the first sync or `status --refresh`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gitcli import commit_file, git
from tests.integration.clones import run
from tests.servers import Remote


def _branches(capsys: pytest.CaptureFixture[str], name: str) -> dict[str, dict[str, Any]]:
    code, doc, err = run(capsys, "status", name, "--json")
    assert code == 0, err
    (repo,) = doc["repos"]
    assert repo["last_sync"] is None  # never synced: true, and its branches are known
    return {b["name"]: b for b in repo["branches"]}


def _counts(repo: Path, branch: str) -> tuple[int, int]:
    """git's ahead/behind of `branch` against its upstream."""
    left, right = git("rev-list", "--left-right", "--count", f"{branch}...{branch}@{{u}}", cwd=repo).split()
    return int(left), int(right)


def _seeded(remote: Remote, tmp_path: Path, commits: int) -> tuple[Path, Path]:
    """A `git daemon` remote whose main has `commits` commits: (its bare folder, the seed)."""
    bare = remote.create("origin")
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    for n in range(commits):
        commit_file(seed, "a.txt", f"{n}\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    return bare, seed


def test_status_lists_the_branches_of_a_repository_just_added(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare, seed = _seeded(git_daemon, tmp_path, 3)
    mine = tmp_path / "mine"
    git("clone", "-q", git_daemon.url("origin"), str(mine))
    git("reset", "-q", "--hard", "HEAD~1", cwd=mine)
    commit_file(mine, "b.txt", "mine\n")  # main: 1 ahead, 1 behind
    git("branch", "-q", "old", "origin/main~2", cwd=mine)
    git("branch", "-q", "--set-upstream-to", "origin/main", "old", cwd=mine)  # old: 2 behind
    git("switch", "-q", "-c", "draft", cwd=mine)
    commit_file(mine, "c.txt", "draft\n")  # draft: no upstream, 2 commits on no remote (b and c)
    git("switch", "-q", "main", cwd=mine)
    commit_file(seed, "a.txt", "pushed after\n")
    git("push", "-q", str(bare), "main", cwd=seed)  # on the remote only: add must not fetch it
    tracking = git("rev-parse", "origin/main", cwd=mine)

    code, _out, err = run(capsys, "add", str(mine))
    assert code == 0, err
    branches = _branches(capsys, "mine")

    assert git("rev-parse", "origin/main", cwd=mine) == tracking  # nothing fetched
    assert sorted(branches) == ["draft", "main", "old"]
    for name in ("main", "old"):
        row = branches[name]
        assert (row["ahead"], row["behind"]) == _counts(mine, name)
        assert row["upstream"] == "origin/main" and row["upstream_head"] == tracking
    assert (branches["main"]["ahead"], branches["main"]["behind"]) == (1, 1)
    assert (branches["old"]["ahead"], branches["old"]["behind"]) == (0, 2)
    assert [n for n, b in branches.items() if b["checked_out"]] == ["main"]
    unpublished = int(git("rev-list", "--count", "draft", "--not", "--remotes", cwd=mine))
    assert branches["draft"]["state"] == "unpublished"
    assert branches["draft"]["unpublished"] == unpublished == 2
    code, text, err = run(capsys, "status", "mine")
    assert code == 0, err
    assert "never synced" in text and "ahead 1, behind 1" in text and "ahead 0, behind 2" in text
    # counted against what this computer has of origin/main, which nothing fetched yet
    assert "ahead 1, behind 1  (not fetched yet)" in text and "ahead 0, behind 2  (not fetched yet)" in text


def test_status_lists_the_branches_of_a_repository_just_cloned(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seeded(git_daemon, tmp_path, 1)
    target = tmp_path / "cloned"
    code, _out, err = run(capsys, "clone", git_daemon.url("origin"), str(target))
    assert code == 0, err
    code, doc, err = run(capsys, "status", "cloned", "--json")
    assert code == 0, err
    (repo,) = doc["repos"]
    rows = {b["name"]: (b["upstream"], b["ahead"], b["behind"]) for b in repo["branches"]}
    assert rows == {"main": ("origin/main", *_counts(target, "main"))} == {"main": ("origin/main", 0, 0)}
    text = run(capsys, "status", "cloned")[1]  # the clone fetched it: level, and said so
    assert "origin/main  ahead 0, behind 0" in text and "not fetched yet" not in text


def test_status_says_a_detached_head_before_the_first_sync(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`git checkout --detach main`, `gitferry add`, `gitferry status`: "never synced" and
    main "ahead 0, behind 0", nothing of the detached HEAD, although every sync of it
    fetches only and fails "HEAD is detached"; only a sync said it."""
    _seeded(git_daemon, tmp_path, 2)
    mine = tmp_path / "mine"
    git("clone", "-q", git_daemon.url("origin"), str(mine))
    git("checkout", "-q", "--detach", "main", cwd=mine)
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=mine) == "HEAD"  # git: detached
    code, _out, err = run(capsys, "add", str(mine))
    assert code == 0, err
    code, doc, err = run(capsys, "status", "mine", "--json")
    assert code == 0, err
    assert doc["repos"][0]["detached"] is True and doc["repos"][0]["last_sync"] is None
    code, text, err = run(capsys, "status", "mine")
    assert code == 0, err
    assert "never synced" in text and "HEAD is detached: a sync only fetches" in text
    git("checkout", "-q", "main", cwd=mine)
    code, text, err = run(capsys, "status", "mine", "--refresh")
    assert code == 0, err
    assert "HEAD is detached" not in text
    code, doc, err = run(capsys, "status", "mine", "--json")
    assert doc["repos"][0]["detached"] is False


def test_status_during_a_rebase_says_the_rebase_not_git_switch(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """git detaches HEAD while it rebases: `gitferry status` said "HEAD is detached: ...
    check out a branch (git switch NAME)", advice that would leave the rebase half done,
    and a fetch then said the branch's state as if nothing stopped the sync. As `git
    status` does, it names the rebase and `git rebase --continue` / `--abort`; a fetch
    says the sync's stop again; once the rebase is aborted the note is gone."""
    _seeded(git_daemon, tmp_path, 1)
    mine = tmp_path / "mine"
    git("clone", "-q", git_daemon.url("origin"), str(mine))
    git("checkout", "-q", "-b", "topic", cwd=mine)
    commit_file(mine, "a.txt", "topic\n")
    git("checkout", "-q", "main", cwd=mine)
    commit_file(mine, "a.txt", "main\n")
    git("rebase", "main", "topic", cwd=mine, check=False)  # stops on the conflict in a.txt
    assert "rebase in progress" in git("status", cwd=mine)  # the referee: rebasing, HEAD detached
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=mine) == "HEAD"
    assert run(capsys, "add", str(mine))[0] == 0
    code, text, err = run(capsys, "status", "mine")
    assert code == 0, err
    rebasing = "a rebase of topic is in progress (rebase-merge): a sync only fetches; "
    assert f"{rebasing}resolve any conflict and run git rebase --continue, or git rebase --abort" in text
    assert "git switch" not in text and "HEAD is detached" not in text
    doc = run(capsys, "status", "mine", "--json")[1]["repos"][0]
    assert (doc["detached"], doc["in_progress"]) == (True, "a rebase of topic is in progress (rebase-merge)")
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    stopped = doc["repos"][0]
    assert (code, stopped["result"]) == (1, "dirty") and "git rebase --continue" in stopped["message"]
    code, doc, _err = run(capsys, "sync", "mine", "--fetch-only", "--json")
    fetched = doc["repos"][0]  # said again, not the branch table's "unpublished" or "up to date"
    assert (code, fetched["result"], fetched["message"]) == (1, "dirty", stopped["message"])
    assert stopped["unfinished"] == fetched["unfinished"] == "rebase"  # which command, as a field
    git("rebase", "--abort", cwd=mine)
    code, text, err = run(capsys, "status", "mine", "--refresh")
    assert code == 0 and "a sync only fetches" not in text, text
    assert run(capsys, "status", "mine", "--json")[1]["repos"][0]["in_progress"] is None


def test_status_says_no_remote_and_sees_one_added_with_git(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository with no remote: `gitferry status` said only "main (no upstream)"; and
    after `git remote add origin URL` the store's copy of its remotes stayed empty
    (`gitferry show` listed none) whatever synced. Status says there is no remote; the
    next sync (or `status --refresh`) reads the remotes from the git config again."""
    mine = tmp_path / "mine"
    git("init", "-q", "-b", "main", str(mine))
    commit_file(mine, "a.txt", "mine\n")
    assert git("remote", cwd=mine) == ""  # the referee: no remote
    assert run(capsys, "add", str(mine))[0] == 0
    code, text, err = run(capsys, "status", "mine")
    assert code == 0, err
    assert "no remote to sync with" in text and "gitferry remote add mine origin URL" in text
    assert run(capsys, "status", "mine", "--json")[1]["repos"][0]["no_remote"] is True
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    assert (code, doc["repos"][0]["result"]) == (1, "unpublished")
    assert "gitferry remote add mine origin URL" in doc["repos"][0]["message"]

    git_daemon.create("origin")
    git("remote", "add", "origin", git_daemon.url("origin"), cwd=mine)
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    assert code == 1 and "no remote" not in doc["repos"][0]["message"], doc  # main: on no remote yet
    assert doc["repos"][0]["message"].startswith("1 branch not published: main")
    shown = run(capsys, "show", "mine", "--json")[1]["remotes"]
    url = git_daemon.url("origin")
    assert shown == [{"name": "origin", "url": url, "push_url": None, "urls": [url], "push_urls": [url]}]
    code, text, err = run(capsys, "status", "mine")
    assert code == 0 and "no remote to sync with" not in text, text
    assert run(capsys, "status", "mine", "--json")[1]["repos"][0]["no_remote"] is False

    git("remote", "remove", "origin", cwd=mine)  # and gone again: a refresh sees it
    code, text, err = run(capsys, "status", "mine", "--refresh")
    assert code == 0 and "no remote to sync with" in text, err
    assert run(capsys, "show", "mine", "--json")[1]["remotes"] == []
