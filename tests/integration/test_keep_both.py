"""`gitferry sync` of an auto-commit repository keeps both sides of a conflict.

Two clones of one `git daemon` remote: `theirs` pushes with git, `mine`
commits with git and syncs with Gitferry. An auto-commit repository ends `ok`
with the remote's version at the path and its own beside it (`git show` is the
referee), the copies listed in the status store, the merge pushed; a repository
without auto-commit still stops on the conflict and changes nothing.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from core.engine.core import Core
from core.git.merge.conflict_copies import machine_name
from tests.core.test_keep_both import KINDS, STAMP, Kind, apply, entry
from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run

_SAMPLE = ("content", "binary", "delete/modify", "directory/file", "symlink against file", "dotfile")


def listed(name: str) -> list[tuple[str, str]]:
    """(branch, path) the status store lists as conflicts of the named repository."""

    async def read() -> list[tuple[str, str]]:
        core = await Core.open()
        try:
            repo = await core.store.repo(name)
            return [(c.branch, c.path) for c in await core.store.conflicts(repo.id)]
        finally:
            await core.close()

    return asyncio.run(read())


def diverge(world: Clones, kind: Kind) -> tuple[str, str]:
    """Both clones start from `kind.base`; theirs pushes its side, mine commits its own."""
    apply(world.theirs, kind.base, "base")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("pull", "-q", "--ff-only", cwd=world.mine)
    theirs = apply(world.theirs, kind.theirs, "theirs")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = apply(world.mine, kind.mine, "mine")
    world.remember()
    return mine, theirs


def copy_pattern(copy: str) -> re.Pattern[str]:
    """A copy's expected name, with this machine's name and any date and time."""
    stamp = rf"\(conflict {re.escape(machine_name())} \d{{4}}-\d\d-\d\d \d{{4}}\)"
    return re.compile(re.escape(copy).replace(re.escape(STAMP), stamp) + "$")


@pytest.mark.parametrize("kind", [k for k in KINDS if k.name in _SAMPLE], ids=lambda k: k.name)
def test_conflict_keeps_both_sides_commits_lists_and_pushes(world: Clones, kind: Kind) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    mine, theirs = diverge(world, kind)

    code, report = world.sync(world.mine)

    assert code == 0 and report["result"] == "ok", report
    assert report["merged"] == ["main"] and report["pushed"] == ["main"]
    head = world.head(world.mine)
    assert world.remote_head() == head
    kept = {k["path"]: k["copy"] for k in report["kept_both"]}
    assert kept.keys() == kind.copies.keys()
    for path, copy in kept.items():
        expected = kind.copies[path]
        if expected is None:
            assert copy is None
            modified = mine if kind.mine[path] is not None else theirs
            assert entry(world.mine, head, path) == entry(world.mine, modified, path)
            # the message says which side deleted it: here, the file is back
            said = (
                f"brought back {path} as the other side modified it (deleted here)"
                if kind.mine[path] is None
                else f"kept {path} as modified (deleted on the other side)"
            )
            assert said in report["message"], report
            continue
        assert copy is not None and copy_pattern(expected).match(copy), copy
        assert entry(world.mine, head, path) == entry(world.mine, theirs, path)
        assert entry(world.mine, head, copy) == entry(world.mine, mine, path)
        assert "kept both sides" in report["message"]
    copies = sorted(c for c in kept.values() if c is not None)
    assert report["conflicts"] == copies
    assert listed("mine") == [("main", c) for c in copies]
    assert porcelain(world.mine) == ""

    code, report = world.sync(world.theirs)  # the colleague gets both versions too
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.theirs) == head and porcelain(world.theirs) == ""
    for copy in copies:
        assert (world.theirs / copy).is_symlink() or (world.theirs / copy).exists()


def test_copies_stay_listed_until_the_user_removes_them(world: Clones) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    diverge(world, next(k for k in KINDS if k.name == "content"))
    code, report = world.sync(world.mine)
    assert code == 0 and len(report["conflicts"]) == 1, report
    copy = report["conflicts"][0]
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date" and report["conflicts"] == [], report
    assert listed("mine") == [("main", copy)]
    # `gitferry status` says so as the window's Conflicts tab does, not a bare "up_to_date"
    _code, text, _err = run(world.capsys, "status", "mine")
    assert f"1 conflict copy kept beside the other side's version: {copy}" in text, text
    _code, doc, _err = run(world.capsys, "status", "mine", "--json")
    assert [(c["branch"], c["path"]) for c in doc["repos"][0]["conflicts"]] == [("main", copy)], doc
    git("rm", "-q", copy, cwd=world.mine)
    git("commit", "-q", "-m", "reconciled", cwd=world.mine)
    world.remember()
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
    assert listed("mine") == []


def test_without_auto_commit_conflict_changes_nothing_until_auto_commit_is_on(world: Clones) -> None:
    mine, _theirs = diverge(world, next(k for k in KINDS if k.name == "content"))
    index_before = (world.mine / ".git" / "index").read_bytes()
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "conflict" and report["conflicts"] == ["a.txt"], report
    assert report["kept_both"] == [] and world.head(world.mine) == mine
    assert (world.mine / ".git" / "index").read_bytes() == index_before and porcelain(world.mine) == ""
    assert world.remote_head() != mine
    assert listed("mine") == [("main", "a.txt")]
    _code, text, _err = run(world.capsys, "status", "mine")
    assert "1 file in conflict: a.txt (`gitferry resolve mine` lists the choices)" in text, text

    run(world.capsys, "set", "mine", "auto_commit", "true")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["pushed"] == ["main"], report
    assert world.remote_head() == world.head(world.mine)
    assert git("show", "HEAD:a.txt", cwd=world.mine) == "one\nTHEIRS\nthree"
    assert git("show", f"HEAD:{report['conflicts'][0]}", cwd=world.mine) == "one\nMINE\nthree"
    assert listed("mine") == [("main", report["conflicts"][0])]


def test_rebase_strategy_merges_keeping_both_where_the_rebase_would_conflict(world: Clones) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    run(world.capsys, "set", "mine", "strategy", "rebase")
    mine, theirs = diverge(world, next(k for k in KINDS if k.name == "content"))
    code, report = world.sync(world.mine)
    assert code == 0 and report["merged"] == ["main"] and report["rebased"] == [], report
    assert git("rev-list", "--parents", "-n1", "HEAD", cwd=world.mine).split()[1:] == [mine, theirs]
    assert world.remote_head() == world.head(world.mine)


def test_copies_are_listed_even_when_the_push_after_the_merge_fails(world: Clones) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    diverge(world, next(k for k in KINDS if k.name == "content"))
    hook = world.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho refused by a test hook >&2\nexit 1\n")
    hook.chmod(0o755)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error" and report["merged"] == ["main"], report
    copy = report["conflicts"][0]
    assert listed("mine") == [("main", copy)]
    assert git("show", f"HEAD:{copy}", cwd=world.mine) == "one\nMINE\nthree"
    hook.unlink()
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"] and report["kept_both"] == [], report
    assert listed("mine") == [("main", copy)]
    assert world.remote_head() == world.head(world.mine)
