"""An auto-mode repository replaced at its path (moved away, another history cloned in
its place) while `gitferry daemon` runs: its watch went with the old directory; the daemon watches
the new tree and syncs it, so a file saved there is committed and pushed to the new
repository's remote by itself (before, nothing in the new tree was seen until the
interval's sync, an hour here). A real daemon, real `git daemon` remotes, git as referee."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git
from tests.integration.auto_machines import Machine, machine, seeded_remote, wait_until
from tests.servers import Remote


@pytest.fixture
def lone(git_daemon: Remote, tmp_path: Path) -> Iterator[Machine]:
    """One auto-mode machine, its interval sync an hour away."""
    m = machine(tmp_path, "a", seeded_remote(git_daemon, tmp_path), settle=0.3, settle_max=1.0, interval=3600)
    m.start()
    try:
        yield m
    finally:
        m.kill()


@pytest.mark.slow
def test_a_tree_cloned_again_at_its_path_is_watched_and_synced(
    lone: Machine, git_daemon: Remote, tmp_path: Path
) -> None:
    (lone.tree / "first.md").write_text("first\n")  # the old tree's watch works
    old = git_daemon.bare_path("origin")
    wait_until(lambda: "first.md" in git("--git-dir", str(old), "ls-tree", "main"), "first.md pushed", [lone])
    other = git_daemon.create("other")
    seed = tmp_path / "other-seed"
    git("init", "-q", "-b", "main", str(seed))
    commit_file(seed, "other.txt", "another history\n")
    git("push", "-q", str(other), "main", cwd=seed)
    old_refs = git("--git-dir", str(old), "for-each-ref")

    # Moved away (a deletion's events would start a sync of whatever is at the path by
    # then), another history cloned in its place, a file saved there.
    lone.tree.rename(tmp_path / "moved-away")
    git("clone", "-q", git_daemon.url("other"), str(lone.tree))
    (lone.tree / "new.md").write_text("saved in the new tree\n")

    def pushed() -> bool:
        return "new.md" in git("--git-dir", str(other), "ls-tree", "main")

    wait_until(pushed, "new.md committed and pushed to the new tree's remote", [lone])
    # That sync may have come from HEAD's move alone ("main moved outside a sync"), before
    # the daemon's look at its trees (every few seconds) watched the new tree: a file saved
    # now is seen only through that new watch (the old one went with the moved directory).
    (lone.tree / "later.md").write_text("saved once the new tree is watched\n")
    wait_until(
        lambda: "later.md" in git("--git-dir", str(other), "ls-tree", "main"), "later.md pushed", [lone]
    )
    log = lone.stop()
    assert "another repository at" in log, log
    assert "Traceback" not in log, log
    assert git("--git-dir", str(other), "show", "main:new.md") == "saved in the new tree"
    assert git("--git-dir", str(other), "show", "main:other.txt") == "another history"
    assert git("rev-parse", "HEAD", cwd=lone.tree) == git("--git-dir", str(other), "rev-parse", "main")
    assert git("status", "--porcelain", cwd=lone.tree) == ""
    assert git("--git-dir", str(old), "for-each-ref") == old_refs  # nothing went to the old remote
    fsck(lone.tree)
