"""`~/.gitconfig` edited between two syncs of one process: the second sync reads the
edit (core/git/global_config.py keeps the parse of a file that has not changed).
The merge commit each sync makes carries the identity `git log` shows."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.git import global_config
from tests.gitcli import git
from tests.integration.clones import Clones

RACY = 0.05


@pytest.fixture
def world(
    git_daemon: object, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Clones]:
    monkeypatch.setattr(global_config, "RACY_SECONDS", RACY)  # 2 s would make the test wait
    clones = Clones.make(git_daemon, tmp_path, capsys)  # type: ignore[arg-type]
    yield clones
    clones.check()


def _settle(*paths: Path) -> None:
    """Last modified an hour ago, changed a racy window ago: a parse now is kept."""
    old = time.time() - 3600
    for path in paths:
        os.utime(path, (old, old))
    time.sleep(RACY * 1.2)


def _merge_by(world: Clones, n: int) -> str:
    """Diverge `mine` and the remote by a commit each, sync `mine`: its merge commit's
    author and committer, as git reads them."""
    git("pull", "-q", "--ff-only", cwd=world.theirs)
    world.commit(world.theirs, f"theirs{n}.txt", f"{n}\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, f"mine{n}.txt", f"{n}\n")
    code, report = world.sync(world.mine)
    assert code == 0, report
    parents = git("rev-list", "--parents", "-n", "1", "HEAD", cwd=world.mine).split()
    assert len(parents) == 3, report  # a merge
    assert world.head(world.mine) == world.remote_head()  # and pushed
    return git("log", "-1", "--format=%an <%ae> / %cn <%ce>", cwd=world.mine)


@pytest.mark.slow
@pytest.mark.parametrize("edited", ["gitconfig", "included"])
def test_an_edit_between_two_syncs_is_read_by_the_second(world: Clones, clean_env: Path, edited: str) -> None:
    gitconfig, included = clean_env / ".gitconfig", clean_env / "identity.gitconfig"
    included.write_text("[user]\n\tname = Included Name\n")
    with gitconfig.open("a") as f:
        f.write("[include]\n\tpath = ~/identity.gitconfig\n")
    _settle(gitconfig, included)
    first = _merge_by(world, 1)
    assert first == "Included Name <test@example.invalid> / Included Name <test@example.invalid>"
    assert global_config._cache[str(gitconfig)].config is not None  # kept: the next sync reuses it

    if edited == "gitconfig":
        git("config", "--global", "user.email", "edited@example.invalid")
        want = "Included Name <edited@example.invalid>"
    else:
        included.write_text("[user]\n\tname = Edited Name\n")
        _settle(included)
        want = "Edited Name <test@example.invalid>"
    assert _merge_by(world, 2) == f"{want} / {want}"
