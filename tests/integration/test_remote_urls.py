"""A remote with several URLs (`git remote set-url --add`: a mirror kept beside the
project): git fetches from the first and pushes to each. Gitferry read only the last:
it fetched from the mirror and pushed there alone, so the project never got the
commits and the sync said `ok`. The git CLI (`rev-parse` on each bare repository) is
the referee."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, run


def _mirror(world: Clones, tmp_path: Path) -> Path:
    """A copy of the remote in a folder whose path has a space, added as origin's second URL."""
    mirror = tmp_path / "backup disk" / "notes.git"
    git("clone", "-q", "--bare", str(world.bare), str(mirror))
    git("remote", "set-url", "--add", "origin", mirror.as_uri(), cwd=world.mine)
    return mirror


def test_a_sync_fetches_from_the_first_url_and_pushes_to_each(world: Clones, tmp_path: Path) -> None:
    mirror = _mirror(world, tmp_path)
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    done = (code, report["result"], report["merged"], report["pushed"])
    assert done == (0, "ok", ["main"], ["main"]), report
    head = world.head(world.mine)
    assert world.remote_head() == head  # the project, the first URL
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == head  # and the mirror
    assert git("merge-base", "--is-ancestor", world.head(world.theirs), head, cwd=world.mine) == ""


def test_a_refusal_by_the_mirror_names_it(world: Clones, tmp_path: Path) -> None:
    mirror = _mirror(world, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    git("clone", "-q", str(mirror), str(elsewhere))
    world.commit(elsewhere, "d.txt", "only on the mirror\n")
    git("push", "-q", "origin", "main", cwd=elsewhere)
    mirrored = git("--git-dir", str(mirror), "rev-parse", "refs/heads/main")
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert (code, report["result"]) == (1, "error"), report
    assert f"by {mirror.as_uri()}" in report["message"], report["message"]
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == mirrored  # never forced
    assert world.remote_head() == world.head(world.mine)  # the project took it, as with git push


def test_set_url_on_a_remote_with_several_urls_changes_nothing(world: Clones, tmp_path: Path) -> None:
    """`gitferry remote set-url` replaced both URLs with the one given: the mirror was
    dropped from the config without a word. git refuses ("has multiple values")."""
    mirror = _mirror(world, tmp_path)
    before = git("config", "--get-all", "remote.origin.url", cwd=world.mine)
    refused = subprocess.run(
        ["git", "remote", "set-url", "origin", "/elsewhere.git"],
        cwd=world.mine,
        capture_output=True,
        timeout=60,
    )
    assert refused.returncode != 0  # the referee
    code, _out, err = run(world.capsys, "remote", "set-url", "mine", "origin", str(tmp_path / "other.git"))
    assert code == 2 and "remote.origin.url has several values" in err, err
    assert git("config", "--get-all", "remote.origin.url", cwd=world.mine) == before
    assert mirror.as_uri() in before


def test_a_url_past_the_first_that_cannot_be_reached_is_a_note(world: Clones, tmp_path: Path) -> None:
    """The mirror's disk is not mounted: the project and the other URLs still get the push
    (git pushes to each URL in turn too); the sync said `not pushed: pushing to origin
    failed: …`, which was untrue of the project."""
    mirror = _mirror(world, tmp_path)
    gone = tmp_path / "unmounted" / "notes.git"
    git("remote", "set-url", "--add", "origin", str(gone), cwd=world.mine)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert report["message"].endswith(f"not pushed to origin's URL {gone}: no git repository at {gone}")
    head = world.head(world.mine)
    assert world.remote_head() == head
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == head
