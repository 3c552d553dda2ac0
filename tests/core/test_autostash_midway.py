"""The autostash's way back when its switch is refused after the stash was made: a save
landing in a stashed file between the stash and the switch. The switch finds it and
refuses; the index is put back as it was, the stash entry dropped, the branch left, and
both the stashed edit and the later save are in the file. The save is made by wrapping
the real `switch_branch` (it lands at the very moment a real editor's could)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.merge import integrate as integrate_module
from core.git.merge.integrate import Strategy, integrate_current
from core.git.worktree.checkout import WorktreeInTheWay, switch_branch
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import porcelain


def test_a_save_after_the_stash_puts_everything_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare, seed, mine = tmp_path / "remote.git", tmp_path / "seed", tmp_path / "mine"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "a.txt", "one\ntwo\nthree\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    git("clone", "-q", str(bare), str(mine))
    commit_file(seed, "a.txt", "ONE\ntwo\nthree\n")
    git("push", "-q", str(bare), "main", cwd=seed)
    git("fetch", "-q", cwd=mine)
    (mine / "a.txt").write_text("one\ntwo\nTHREE\n")
    (mine / "new.txt").write_text("new\n")
    git("add", "new.txt", cwd=mine)
    head, staged = git("rev-parse", "HEAD", cwd=mine), git("diff", "--cached", cwd=mine)

    def saved_meanwhile(*args: object, **kwargs: object) -> object:
        if kwargs.get("trees") is not None:  # the autostash's switch, not the first try
            with (mine / "a.txt").open("a") as f:
                f.write("saved meanwhile\n")
        return switch_branch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(integrate_module, "switch_branch", saved_meanwhile)
    with Repo(str(mine)) as repo, pytest.raises(WorktreeInTheWay) as stopped:
        integrate_current(repo, Strategy.MERGE, stash=lambda _refused: "merge.autoStash=true")
    assert stopped.value.dirty == ["a.txt"]
    assert (mine / "a.txt").read_text() == "one\ntwo\nTHREE\nsaved meanwhile\n"
    assert git("rev-parse", "HEAD", cwd=mine) == head
    assert git("diff", "--cached", cwd=mine) == staged
    assert porcelain(mine) == " M a.txt\nA  new.txt"
    assert git("stash", "list", cwd=mine) == ""
    fsck(mine)
