"""A registered repository deleted and cloned again (another history) at the same path
while the engine runs: the engine's next sync works on the new repository, not on what
it kept open of the old one (`core/pool.py` checks `repository_identity` at each lease).

A real `gitferry daemon`, real `git daemon` remotes, git as referee. Before the check,
the pool handed out the old `Repo`: its mapped packs still "had" a commit the new
clone lacks, so the fetch did not ask for it and the branch moved to an object that
is not on disk (`git fsck`: missing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import Clones, run
from tests.integration.engine_process import EngineProcess, gitferry
from tests.waiting import wait_until


def _refs(bare: Path) -> dict[str, str]:
    lines = git("--git-dir", str(bare), "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
    return {name: sha for name, sha in (line.split(" ", 1) for line in lines)}


@pytest.mark.slow
def test_a_repository_cloned_again_at_its_path_is_synced_as_the_new_one(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = world.remote_head()
    # Remote B: the seed, plus a branch of its own. Remote A then gets commit X.
    other = world.remote.create("other")
    git("push", "-q", str(other), "main", cwd=world.theirs)
    scratch = tmp_path / "scratch"
    git("clone", "-q", str(other), str(scratch))
    git("switch", "-q", "-c", "only-here", cwd=scratch)
    only_here = commit_file(scratch, "b.txt", "b\n")
    git("push", "-q", "origin", "only-here", cwd=scratch)
    elsewhere = tmp_path / "elsewhere"
    git("clone", "-q", str(world.bare), str(elsewhere))
    x = commit_file(elsewhere, "x.txt", "x\n")
    git("push", "-q", "origin", "main", cwd=elsewhere)

    # The old `mine`: a fresh clone of A (X in its pack), main one commit behind, and a
    # branch of work never published.
    shutil.rmtree(world.mine)
    git("clone", "-q", world.remote.url("origin"), str(world.mine))
    git("reset", "-q", "--hard", seed, cwd=world.mine)
    git("switch", "-q", "-c", "old-work", cwd=world.mine)
    old_work = commit_file(world.mine, "w.txt", "old work\n")
    git("switch", "-q", "main", cwd=world.mine)
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    try:
        ran = gitferry("sync", "mine")  # the engine's pool opens it and reads X from the pack
        assert ran.in_engine, ran
        assert ran.out.startswith(
            "mine: unpublished - fast-forwarded main; 1 branch not published: old-work"
        ), ran
        assert git("rev-parse", "main", cwd=world.mine) == x
        a_refs = _refs(world.bare)

        # Deleted and cloned again from B, which then gets X too.
        shutil.rmtree(world.mine)
        git("clone", "-q", world.remote.url("other"), str(world.mine))
        assert git("cat-file", "-t", x, cwd=world.mine, check=False) == ""
        git("--git-dir", str(world.bare), "push", "-q", str(other), "main")
        b_refs = _refs(other)

        ran = gitferry("sync", "--json", "mine")
        assert (ran.code, ran.in_engine) == (0, True), ran
        # The new repository's truth: X fetched and fast-forwarded onto, on disk.
        fsck(world.mine)
        assert git("cat-file", "-t", x, cwd=world.mine) == "commit"
        assert git("rev-parse", "main", "origin/main", "origin/only-here", cwd=world.mine).split() == [
            x,
            x,
            only_here,
        ]
        assert git("for-each-ref", "--format=%(refname:short)", "refs/heads/", cwd=world.mine) == "main"
        assert git("status", "--porcelain", cwd=world.mine) == ""
        # Nothing of the old repository pushed anywhere.
        assert _refs(other) == b_refs and _refs(world.bare) == a_refs
        for bare in (other, world.bare):
            assert git("--git-dir", str(bare), "cat-file", "-t", old_work, check=False) == ""
        code, doc, _err = run(capsys, "status", "--json", "mine")
        assert code == 0
        branches = {b["name"]: b for b in doc["repos"][0]["branches"]}
        assert set(branches) == {"main"}
        assert (branches["main"]["head"], branches["main"]["ahead"], branches["main"]["behind"]) == (x, 0, 0)
    finally:
        log = engine.stop()
    assert "Traceback" not in log, log


def _main_row(capsys: pytest.CaptureFixture[str]) -> tuple[str, int, int] | None:
    code, doc, _err = run(capsys, "status", "--json", "mine")
    assert code == 0
    rows = [(b["head"], b["ahead"], b["behind"]) for b in doc["repos"][0]["branches"] if b["name"] == "main"]
    return rows[0] if rows else None


@pytest.mark.slow
def test_a_repository_cloned_again_at_its_path_is_measured_again_without_a_sync(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The branch table follows a repository cloned again at the path while nothing syncs
    (background fetches paused), though HEAD names the same branch as before (before,
    the old repository's rows stayed until the next sync)."""
    other = world.remote.create("other")
    seed = tmp_path / "other-seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "other.txt", "another history\n")
    git("push", "-q", str(other), "main", cwd=seed)
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    try:
        old_head = git("rev-parse", "main", cwd=world.mine)
        wait_until(lambda: _main_row(capsys) == (old_head, 0, 0), "the old repository measured at the start")
        shutil.rmtree(world.mine)
        git("clone", "-q", world.remote.url("other"), str(world.mine))
        head = commit_file(world.mine, "local.txt", "not pushed yet\n")
        wait_until(lambda: _main_row(capsys) == (head, 1, 0), "the new repository's main measured")
    finally:
        log = engine.stop()
    assert "Traceback" not in log, log
    assert git("--git-dir", str(other), "rev-parse", "main") != head  # measured, not pushed
