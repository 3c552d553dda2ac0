"""A sync's one-line message says what the sync did first, then its notes: the
branches left unpublished (0ba7a35), a push git refuses by push.default (472295d), a
repository with no remote, an upstream the remote deleted. The last two came first:
a sync that committed a change in a repository with no remote said "no remote to sync
with: …; add one …; committed 1 file", what it did trailing after the advice. The
CLI, the history (`gitferry log`) and the window's "Last sync" show this one message."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.results import no_remote_note
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, run


def test_a_sync_with_no_remote_says_what_it_committed_before_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = tmp_path / "alone"
    git("init", "-q", "-b", "main", str(alone))
    commit_file(alone, "a.txt", "one\n")
    assert git("remote", cwd=alone) == ""  # git's referee: no remote
    assert run(capsys, "add", str(alone))[0] == 0
    code, _out, err = run(capsys, "set", "alone", "auto_commit", "true")
    assert code == 0, err
    (alone / "a.txt").write_text("two\n")

    code, text, err = run(capsys, "sync", "alone")

    assert code == 1, (text, err)
    assert text.strip() == f"alone: unpublished - committed 1 file; {no_remote_note('alone')}", text
    assert git("status", "--porcelain", cwd=alone) == ""  # git's referee: the change was committed
    assert git("show", "HEAD:a.txt", cwd=alone) == "two"
    code, log, err = run(capsys, "log", "alone", "--json")
    assert code == 0, err
    assert log["entries"][-1]["message"] == f"committed 1 file; {no_remote_note('alone')}", log


def test_a_sync_whose_upstream_was_deleted_says_what_it_committed_before_the_note(world: Clones) -> None:
    git("--git-dir", str(world.bare), "config", "receive.denyDeleteCurrent", "ignore")
    git("config", "fetch.prune", "true", cwd=world.mine)  # origin/main pruned, as git's fetch would
    git("push", "-q", "origin", "--delete", "main", cwd=world.theirs)
    git("remote", "set-head", "origin", "--delete", cwd=world.theirs)  # git left it dangling there
    code, _out, err = run(world.capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    (world.mine / "notes.md").write_text("mine\n")
    before = git("for-each-ref", cwd=world.bare)

    code, report = world.sync(world.mine)

    assert code == 1 and report["result"] == "diverged", report
    n = int(git("rev-list", "--count", "main", "--not", "--remotes", cwd=world.mine))
    assert n == 2  # git's referee: the seed commit and the auto-commit are on no remote now
    assert report["message"] == (
        "committed 1 file; origin/main was deleted on the remote: "
        f"{n} local commits on main are published nowhere"
        "; gitferry publish mine main pushes it again, or git branch -u sets another upstream"
    ), report
    assert git("status", "--porcelain", cwd=world.mine) == ""
    assert git("for-each-ref", cwd=world.bare) == before  # nothing pushed
    code, log, err = run(world.capsys, "log", "mine", "--json")
    assert code == 0, err
    assert log["entries"][-1]["message"] == report["message"], log
