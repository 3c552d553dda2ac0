"""A branch the remote deleted: its tracking ref stays, stale, unless `fetch.prune` or
`remote.<name>.prune` is on, as `git fetch` on a twin clone keeps or prunes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitcli import ahead_behind, git, refs
from tests.integration.clones import Clones, run


def _both_track_topic(world: Clones, tmp_path: Path) -> Path:
    """`mine` and its `twin` (a plain git clone) track origin/topic, which `theirs` pushed."""
    git("push", "-q", "origin", "main:topic", cwd=world.theirs)
    twin = tmp_path / "twin"
    git("clone", "-q", world.remote.url("origin"), str(twin))
    for clone in (world.mine, twin):
        git("fetch", "-q", "origin", cwd=clone)
        git("branch", "-q", "--track", "topic", "origin/topic", cwd=clone)
    return twin


def _topic_deleted_on_the_remote(world: Clones, tmp_path: Path) -> Path:
    """`_both_track_topic`, then `theirs` deletes origin/topic."""
    twin = _both_track_topic(world, tmp_path)
    git("push", "-q", "origin", "--delete", "topic", cwd=world.theirs)
    return twin


def _tracking(repo: Path) -> dict[str, str]:
    return {name: sha for name, sha in refs(repo).items() if name.startswith("refs/remotes/origin/")}


def _topic(world: Clones) -> dict[str, object]:
    code, doc, err = run(world.capsys, "status", "mine", "--json")
    assert code == 0, err
    found: dict[str, object] = next(b for b in doc["repos"][0]["branches"] if b["name"] == "topic")
    return found


def test_a_fetch_keeps_the_tracking_ref_of_a_deleted_branch_as_git_fetch_does(
    world: Clones, tmp_path: Path
) -> None:
    twin = _topic_deleted_on_the_remote(world, tmp_path)
    world.commit(world.mine, "t.txt", "on main\n")  # something to measure against the stale ref
    git("fetch", "-q", "origin", cwd=twin)
    code, report = world.sync(world.mine, "--fetch-only")
    assert code == 0, report
    assert "refs/remotes/origin/topic" in _tracking(world.mine)
    assert _tracking(world.mine) == _tracking(twin)
    topic = _topic(world)  # compared with the stale ref, as git status compares
    assert topic["upstream_gone"] is False
    assert (topic["ahead"], topic["behind"]) == ahead_behind(world.mine, "topic", "origin/topic")


@pytest.mark.parametrize("setting", ["fetch.prune", "remote.origin.prune"])
def test_prune_set_in_git_config_prunes_it_as_git_fetch_does(
    world: Clones, tmp_path: Path, setting: str
) -> None:
    twin = _topic_deleted_on_the_remote(world, tmp_path)
    for clone in (world.mine, twin):
        git("config", setting, "true", cwd=clone)
    git("fetch", "-q", "origin", cwd=twin)
    code, report = world.sync(world.mine, "--fetch-only")
    assert code == 0, report
    assert "refs/remotes/origin/topic" not in _tracking(world.mine)
    assert _tracking(world.mine) == _tracking(twin)
    assert _topic(world)["upstream_gone"] is True


def test_a_sync_never_pushes_a_branch_whose_upstream_was_deleted_though_its_ref_stays(
    world: Clones, tmp_path: Path
) -> None:
    _topic_deleted_on_the_remote(world, tmp_path)
    git("checkout", "-q", "topic", cwd=world.mine)
    world.commit(world.mine, "t.txt", "more on topic\n")
    code, report = world.sync(world.mine)
    assert code != 0 and report["result"] == "diverged", report
    assert "origin/topic was deleted on the remote" in report["message"], report
    assert git("ls-remote", world.remote.url("origin"), "refs/heads/topic") == ""  # not made again
    assert "refs/remotes/origin/topic" in _tracking(world.mine)


@pytest.mark.parametrize("checked_out", [True, False], ids=["checked_out", "another_branch"])
def test_a_branch_behind_the_stale_ref_is_not_moved_as_git_pull_moves_nothing(
    world: Clones, tmp_path: Path, checked_out: bool
) -> None:
    twin = _both_track_topic(world, tmp_path)
    git("fetch", "-q", "origin", cwd=world.theirs)
    git("checkout", "-q", "-b", "topic", "origin/topic", cwd=world.theirs)
    world.commit(world.theirs, "t.txt", "theirs on topic\n")
    git("push", "-q", "origin", "topic", cwd=world.theirs)
    for clone in (world.mine, twin):
        git("fetch", "-q", "origin", cwd=clone)  # origin/topic ahead of topic
    git("push", "-q", "origin", "--delete", "topic", cwd=world.theirs)
    git("checkout", "-q", "main", cwd=world.theirs)
    if checked_out:
        for clone in (world.mine, twin):
            git("checkout", "-q", "topic", cwd=clone)
    else:  # the setting that fast-forwards the other branches
        code, _out, err = run(world.capsys, "set", "mine", "fast_forward_all", "true")
        assert code == 0, err
    before = git("rev-parse", "topic", cwd=world.mine)
    git("pull", "-q", cwd=twin, check=False)  # "... no such ref was fetched": nothing moves
    assert git("rev-parse", "topic", cwd=twin) == before
    world.sync(world.mine)
    assert git("rev-parse", "topic", cwd=world.mine) == before
    assert git("rev-parse", "origin/topic", cwd=world.mine) == git("rev-parse", "origin/topic", cwd=twin)
