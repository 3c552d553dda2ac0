"""Partial clones (`git clone --filter=blob:none`) are refused, with one line and
nothing changed: such a clone lacks blobs that git fetches from its promisor remote
when it needs one, which Gitferry cannot do. Synced anyway, a fast-forward bringing a
blob the clone never fetched failed with a `KeyError`, and the pack consolidation
merged the clone's `.promisor` pack into a plain one, after which `git fsck` reported
every filtered blob as a broken link.

At `add`, with git's own partial clone; at the sync of a registered repository that
became one (`remote.<name>.promisor`, or `extensions.partialClone` as older git wrote
it), before anything is fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git, refs
from tests.integration.clones import Clones, porcelain, run

REFUSED = (
    "is a partial clone ({}, made by git clone --filter), which Gitferry does not support: "
    "clone it again without --filter"
)


def partial_clone(tmp_path: Path) -> Path:
    """A blob:none clone of a remote whose first version of `a.txt` only its history has."""
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin))
    git("config", "uploadpack.allowFilter", "true", cwd=origin)
    seed = tmp_path / "seed"
    git("clone", "-q", str(origin), str(seed))
    commit_file(seed, "a.txt", "first\n")
    commit_file(seed, "a.txt", "second\n")
    git("push", "-q", "origin", "main", cwd=seed)
    clone = tmp_path / "partial"
    git("clone", "-q", "--filter=blob:none", f"file://{origin}", str(clone))
    assert git("rev-list", "--objects", "--missing=print", "--all", cwd=clone).count("?") == 1
    return clone


def test_add_refuses_a_partial_clone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clone = partial_clone(tmp_path)
    before = refs(clone)
    code, _out, err = run(capsys, "add", str(clone))
    assert code == 2 and err.startswith("gitferry: ") and err.count("\n") == 1, err
    assert f"{clone} {REFUSED.format('remote.origin.promisor')}" in err
    code, listed, _ = run(capsys, "list", "--json")
    assert listed == {"repos": []}
    assert refs(clone) == before and porcelain(clone) == "" and not (clone / ".git" / "gitferry").exists()
    fsck(clone)


@pytest.mark.parametrize(
    "marker",
    [("remote.origin.promisor", "true"), ("extensions.partialClone", "origin")],
    ids=["promisor", "extension"],
)
def test_sync_of_a_registered_repository_that_became_partial(world: Clones, marker: tuple[str, str]) -> None:
    commit_file(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", cwd=world.theirs)
    git("config", *marker, cwd=world.mine)
    before = refs(world.mine)
    packs = sorted((world.mine / ".git" / "objects").rglob("*"))
    code, doc, _ = run(world.capsys, "sync", "mine", "--json")
    report = doc["repos"][0]
    assert code == 1 and report["result"] == "error", report
    assert report["message"] == f"{world.mine} {REFUSED.format(marker[0])}"
    assert refs(world.mine) == before and sorted((world.mine / ".git" / "objects").rglob("*")) == packs
    git("config", "--unset", marker[0], cwd=world.mine)
    assert world.sync(world.mine)[1]["result"] == "ok"
