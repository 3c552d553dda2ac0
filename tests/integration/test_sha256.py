"""Repositories with SHA-256 object ids (`git init --object-format=sha256`) are refused,
each time with one line and nothing changed: Gitferry's pack, index and commit-graph
readers take 20-byte ids.

At `add`; at `clone` of a sha256 remote served by `git daemon` or smart HTTP (seeded
or empty),
before any pack comes and leaving no folder behind; at the sync of a registered
repository that is sha256 now; and at the fetch of a SHA-1 clone whose remote
became sha256, before any pack is asked for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git, refs
from tests.integration.clones import Clones, porcelain, run
from tests.servers import Remote

REFUSED = "uses sha256 object ids, which Gitferry does not support yet"


def sha256_work(path: Path) -> Path:
    git("init", "-q", "--object-format=sha256", "-b", "main", str(path))
    commit_file(path, "a.txt", "one\n")
    return path


def sha256_remote(remote: Remote, name: str, *, seeded: bool, tmp_path: Path) -> str:
    """A sha256 bare repository served by `remote`, with one commit on main or none."""
    bare = remote.bare_path(name)
    git("init", "-q", "--bare", "--object-format=sha256", "-b", "main", str(bare))
    if seeded:
        work = sha256_work(tmp_path / f"{name}-seed")
        git("push", "-q", str(bare), "main", cwd=work)
    return remote.url(name)


def one_line(err: str) -> str:
    assert err.startswith("gitferry: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_add_refuses_a_sha256_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = sha256_work(tmp_path / "work")
    before = refs(work)
    code, _out, err = run(capsys, "add", str(work))
    assert code == 2 and f"{work} {REFUSED}" in one_line(err)
    code, listed, _ = run(capsys, "list", "--json")
    assert listed == {"repos": []}
    assert refs(work) == before and porcelain(work) == "" and not (work / ".git" / "gitferry").exists()
    fsck(work)


@pytest.mark.parametrize("server", ["git_daemon", "http_server"])
@pytest.mark.parametrize("seeded", [True, False], ids=["seeded", "empty"])
def test_clone_of_a_sha256_remote_leaves_nothing(
    request: pytest.FixtureRequest,
    server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    seeded: bool,
) -> None:
    remote: Remote = request.getfixturevalue(server)
    url = sha256_remote(remote, "s256", seeded=seeded, tmp_path=tmp_path)
    target = tmp_path / "clone"
    code, _out, err = run(capsys, "clone", url, str(target))
    assert code == 2 and f"{url} {REFUSED}" in one_line(err)
    assert not target.exists()
    target.mkdir()  # an empty folder given: left empty
    code, _out, err = run(capsys, "clone", url, str(target))
    assert code == 2 and REFUSED in one_line(err)
    assert list(target.iterdir()) == []
    code, listed, _ = run(capsys, "list", "--json")
    assert listed == {"repos": []}


def test_sync_of_a_registered_repository_that_is_sha256_now(world: Clones) -> None:
    """`mine` replaced by a sha256 repository at the same path (the user re-created it)."""
    saved = world.mine.with_name("mine-saved")
    shutil.move(world.mine, saved)
    sha256_work(world.mine)
    before = refs(world.mine)
    code, doc, _ = run(world.capsys, "sync", "mine", "--json")  # not world.sync: it would keep
    report = doc["repos"][0]  # this repository's commits among those that must never be lost
    assert code == 1 and report["result"] == "error", report
    assert report["message"] == f"{world.mine} {REFUSED}"
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "error"
    assert refs(world.mine) == before and porcelain(world.mine) == ""
    shutil.rmtree(world.mine)
    shutil.move(saved, world.mine)  # back, for the fixture's checks


def test_fetch_from_a_remote_that_became_sha256(world: Clones, tmp_path: Path) -> None:
    url = sha256_remote(world.remote, "s256", seeded=True, tmp_path=tmp_path)
    git("remote", "set-url", "origin", url, cwd=world.mine)
    before = refs(world.mine)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error", report
    assert report["message"] == f"origin {REFUSED}"
    assert report["objects_received"] == 0 and refs(world.mine) == before
    assert not list((world.mine / ".git" / "objects" / "pack").glob("tmp_pack_*"))
    git("remote", "set-url", "origin", world.remote.url("origin"), cwd=world.mine)
