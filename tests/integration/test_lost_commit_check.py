"""`Clones.check`, the lost-commit check after the sync tests, fails when a commit a ref
named once is no longer reachable anywhere, although `remember` only reads the refs'
files (`ref_tips`) and git lists the commits once, in `check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitcli import commit_file, git
from tests.integration.clones import Clones
from tests.servers import Remote


@pytest.fixture
def clones(git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Clones:
    return Clones.make(git_daemon, tmp_path, capsys)


def lost(clones: Clones, *ids: str) -> pytest.RaisesContext[AssertionError]:
    return pytest.raises(AssertionError, match=f"^commits lost: {sorted(ids)!r}".replace("[", r"\["))


def test_a_commit_reset_away_is_lost(clones: Clones) -> None:
    first = commit_file(clones.mine, "b.txt", "two\n")  # never a tip when remembered
    later = clones.commit(clones.mine, "c.txt", "three\n")
    clones.check()
    git("reset", "-q", "--hard", "HEAD~2", cwd=clones.mine)
    with lost(clones, later):  # and `first`, its parent, with it
        clones.check()
    assert git("rev-parse", "HEAD@{1}~1", cwd=clones.mine) == first


def test_a_packed_branch_deleted_is_lost(clones: Clones) -> None:
    git("switch", "-q", "-c", "side", cwd=clones.theirs)
    sha = commit_file(clones.theirs, "side.txt", "side\n")
    git("switch", "-q", "main", cwd=clones.theirs)
    git("pack-refs", "--all", cwd=clones.theirs)
    clones.remember()  # `side` only in packed-refs
    git("branch", "-q", "-D", "side", cwd=clones.theirs)
    with lost(clones, sha):
        clones.check()


def test_an_annotated_tag_keeps_its_commit_until_it_goes(clones: Clones) -> None:
    git("switch", "-q", "-c", "side", cwd=clones.theirs)
    sha = clones.commit(clones.theirs, "side.txt", "side\n")
    git("tag", "-a", "-m", "a tag", "v1", cwd=clones.theirs)  # a loose ref to the tag object
    tag = git("rev-parse", "v1", cwd=clones.theirs)
    git("switch", "-q", "main", cwd=clones.theirs)
    git("branch", "-q", "-D", "side", cwd=clones.theirs)
    clones.remember()
    clones.check()  # the tag's commit is reachable through the tag
    git("tag", "-d", "v1", cwd=clones.theirs)
    with lost(clones, sha, tag):
        clones.check()
