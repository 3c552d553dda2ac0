"""The fetch's "have" lines (core/git/transfer/haves.py) over a real history made by git:
tips first, newest first; the history behind a tip the server advertised is not walked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.transfer.haves import HavesWalker
from tests.gitcli import git


@pytest.fixture
def line(tmp_path: Path) -> tuple[Path, list[str]]:
    """60 commits in a line (oldest first), `main` at the last, `topic-NN` at the 19 below it."""
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    stream = []
    for n in range(60):
        data, message = f"version {n}\n", f"commit {n}\n"
        stream.append(
            f"commit refs/heads/main\ncommitter A <a@example.invalid> {1_600_000_000 + n * 60} +0000\n"
            f"data {len(message)}\n{message}M 100644 inline file.txt\ndata {len(data)}\n{data}\n"
        )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True)
    commits = git("rev-list", "--reverse", "main", cwd=repo).split()
    for n in range(1, 20):
        git("branch", f"topic-{n:02d}", commits[-1 - n], cwd=repo)
    return repo, commits


def _haves(repo: Path, tips: list[str], advertised: list[str] = ()) -> list[str]:
    with Repo(str(repo)) as r:
        walker = HavesWalker(r.object_store, [t.encode() for t in tips])
        walker.advertised(t.encode() for t in advertised)
        out = []
        while (have := walker.next()) is not None:
            out.append(have.decode())
        return out


def test_without_acknowledgements_the_whole_line_is_offered(line: tuple[Path, list[str]]) -> None:
    repo, commits = line
    tips = commits[-20:]
    assert _haves(repo, tips) == list(reversed(commits))  # the tips newest first, then the rest


def test_history_behind_an_advertised_tip_is_not_walked(line: tuple[Path, list[str]]) -> None:
    """The server moved `main` (our tip of it is no longer listed) and lists every topic as
    we have it: each tip is offered (the one the server lacks first), the 40 commits under
    them are not."""
    repo, commits = line
    tips = commits[-20:]
    topics = commits[-20:-1]
    assert _haves(repo, tips, advertised=topics) == [commits[-1], *topics]
    # Only some of them listed: the walk goes on below the newest tip the server lacks,
    # and stops under the first listed one.
    assert _haves(repo, [commits[-1], commits[-10]], advertised=[commits[-10]]) == [
        commits[-1],
        commits[-10],
        *reversed(commits[-9:-1]),
    ]
