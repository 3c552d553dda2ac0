"""An upstream that shares no commit with the branch is not integrated, as `git pull`
refuses it ("refusing to merge unrelated histories"): the remote's history replaced by
an orphan branch force-pushed in its place, or a shallow clone whose history ends
before the common commit of a rewritten upstream. A sync merged the two histories and
pushed the merge, joining projects nobody meant to join.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git, refs
from tests.integration.clones import Clones, porcelain, run

REFUSED = "refusing to merge unrelated histories, as git pull does; main is left as it is"


def force_push_orphan(world: Clones, tmp_path: Path) -> str:
    """The remote's main replaced by a history of its own; its head."""
    other = tmp_path / "other"
    git("init", "-q", "-b", "main", str(other))
    head = commit_file(other, "other.txt", "another project\n")
    git("push", "-q", "-f", str(world.bare), "main", cwd=other)
    world.remember()
    return head


def assert_git_merge_refuses(repo: Path, tmp_path: Path) -> None:
    """The referee: git itself, merging the upstream in a copy."""
    copy = tmp_path / "referee"
    shutil.copytree(repo, copy, symlinks=True)
    proc = subprocess.run(
        ["git", "merge", "--no-edit", "origin/main"], cwd=copy, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0 and "refusing to merge unrelated histories" in proc.stderr, proc.stderr


@pytest.mark.parametrize("strategy", ["merge", "rebase"])
def test_an_upstream_replaced_by_an_unrelated_history_is_not_merged(
    world: Clones, tmp_path: Path, strategy: str
) -> None:
    assert run(world.capsys, "set", "mine", "strategy", strategy)[0] == 0
    world.commit(world.mine, "mine.txt", "mine\n")
    orphan = force_push_orphan(world, tmp_path)
    main_before = world.head(world.mine, "main")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "diverged", report
    assert report["message"] == (
        f"main and origin/main have no commit in common (its history was replaced on the remote?): {REFUSED}"
    )
    assert report["pushed"] == [] and world.remote_head() == orphan
    assert world.head(world.mine, "main") == main_before and world.head(world.mine, "origin/main") == orphan
    assert porcelain(world.mine) == ""
    assert git("merge-base", "--all", "main", "origin/main", cwd=world.mine, check=False) == ""
    assert_git_merge_refuses(world.mine, tmp_path)
    code, fetched = world.background(world.mine, "--fetch-only")  # says it again, never "up to date"
    assert code == 1 and (fetched["result"], fetched["message"]) == ("diverged", report["message"]), fetched


def test_a_shallow_clone_whose_upstream_was_rewritten_before_its_history(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shallow = world.shallow_clone(tmp_path / "shallow")
    commit_file(shallow, "mine.txt", "mine\n")
    rewriter = tmp_path / "rewriter"  # the remote rewritten under the clone's history
    git("clone", "-q", str(world.bare), str(rewriter))
    git("reset", "-q", "--hard", "HEAD~1", cwd=rewriter)
    commit_file(rewriter, "c.txt", "rewritten\n")
    git("push", "-q", "-f", cwd=rewriter)
    world.remember()
    before = refs(shallow)
    code, doc, _ = run(capsys, "sync", "shallow", "--json")
    report = doc["repos"][0]
    assert code == 1 and report["result"] == "diverged", report
    assert report["message"] == (
        "main and origin/main have no commit in common "
        f"(or this shallow clone's history ends before it: git fetch --unshallow): {REFUSED}"
    )
    assert {k: v for k, v in refs(shallow).items() if not k.startswith("refs/remotes/")} == {
        k: v for k, v in before.items() if not k.startswith("refs/remotes/")
    }
    assert git("rev-parse", "origin/main", cwd=shallow) == world.remote_head()
    assert porcelain(shallow) == "" and (shallow / ".git" / "shallow").exists()
    fsck(shallow)
    assert_git_merge_refuses(shallow, tmp_path)
