"""gc.auto followed: an auto-commit sync packs the loose objects once `objects/17`
says there are more than gc.auto of them (git's estimate), leaves them alone below
it or with gc.auto=0, and every object stays readable by git throughout."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.config.values import git_int
from core.git.objects.loose_packing import pack_loose_objects, too_many_loose_objects
from tests.gitcli import fsck, git
from tests.integration.clones import Clones, run

SMALL_GC_AUTO = 512  # ceil(512 / 256) = 2: a third object in objects/17 is too many


def write_loose_blobs(repo: Path, scratch: Path, in_17: int, others: int) -> None:
    """Blobs written loose by git: `in_17` whose ids start with 17, `others` that do not."""
    scratch.mkdir(exist_ok=True)
    paths: list[str] = []
    wanted = {True: in_17, False: others}
    n = 0
    while wanted[True] or wanted[False]:
        content = f"loose object {n} of {repo.name}\n".encode()
        n += 1
        in_fanout = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest().startswith("17")
        if wanted[in_fanout]:
            wanted[in_fanout] -= 1
            path = scratch / f"{n}.txt"
            path.write_bytes(content)
            paths.append(str(path))
    git("hash-object", "-w", "--stdin-paths", cwd=repo, input="\n".join(paths) + "\n")


def loose_files(repo: Path) -> set[str]:
    objects = repo / ".git" / "objects"
    return {f"{d.name}{f.name}" for d in objects.iterdir() if len(d.name) == 2 for f in d.iterdir()}


def count_objects(repo: Path) -> dict[str, int]:
    out = git("count-objects", "-v", cwd=repo)
    return {k: int(v) for k, v in (line.split(": ") for line in out.splitlines()) if v.isdigit()}


def all_objects(repo: Path) -> list[str]:
    return git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)", cwd=repo).split()


@pytest.fixture
def world(world: Clones, capsys: pytest.CaptureFixture[str]) -> Clones:
    code, _out, err = run(capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    return world


@pytest.mark.slow
@pytest.mark.parametrize("gc_auto", [str(SMALL_GC_AUTO), "0", None])
def test_an_auto_commit_sync_packs_loose_objects_as_gc_auto_says(
    world: Clones, tmp_path: Path, gc_auto: str | None
) -> None:
    if gc_auto is not None:
        git("config", "gc.auto", gc_auto, cwd=world.mine)
    write_loose_blobs(world.mine, tmp_path / "blobs", in_17=3, others=40)
    before_loose, before = loose_files(world.mine), all_objects(world.mine)
    (world.mine / "saved.txt").write_text("saved by an editor\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["committed"] == 1, report
    after = count_objects(world.mine)
    if gc_auto == str(SMALL_GC_AUTO):
        assert after["count"] < SMALL_GC_AUTO / 256 and not before_loose & loose_files(world.mine)
        assert after["in-pack"] >= len(before)
    else:  # gc.auto=0, or below git's default 6700: nothing moved
        assert before_loose <= loose_files(world.mine)
    fsck(world.mine)
    checked = git("cat-file", "--batch-check", cwd=world.mine, input="\n".join(before) + "\n")
    assert "missing" not in checked and len(checked.splitlines()) == len(before)
    assert git("rev-parse", "HEAD", cwd=world.mine) == world.remote_head()


def test_a_corrupt_loose_object_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    write_loose_blobs(path, tmp_path / "blobs", in_17=1, others=5)
    good = loose_files(path)
    bad = "ab" + "0" * 38
    (path / ".git" / "objects" / "ab").mkdir(exist_ok=True)
    (path / ".git" / "objects" / "ab" / bad[2:]).write_bytes(b"not zlib at all")
    assert not too_many_loose_objects(str(path / ".git" / "objects"), 256)  # one in 17: not above 1
    with Repo(str(path)) as repo:
        packed = pack_loose_objects(repo.object_store)  # type: ignore[arg-type]
    assert packed is not None and packed.objects == len(good) and packed.skipped == 1
    assert loose_files(path) == {bad}
    checked = git("cat-file", "--batch-check", cwd=path, input="\n".join(sorted(good)) + "\n")
    assert "missing" not in checked and len(checked.splitlines()) == len(good)
    git("verify-pack", str(path / ".git" / "objects" / "pack" / f"{packed.name}.idx"), cwd=path)


def test_git_integers() -> None:
    assert [git_int(t) for t in ("6700", "0", "-1", "1k", "2M", "0x10", "010", "lots")] == [
        6700,
        0,
        -1,
        1024,
        2 << 20,
        16,
        10,
        None,
    ]


def test_git_finds_every_object_while_the_loose_files_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As each loose file is removed (the first, and every 50th after), a concurrent git
    finds every object: the pack and its index are in place before any file goes."""
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    write_loose_blobs(path, tmp_path / "blobs", in_17=1, others=120)
    ids = sorted(loose_files(path))
    real_unlink = os.unlink
    looked: list[str] = []

    def unlink_after_git_looked(target: str | os.PathLike[str], *args: object, **kw: object) -> None:
        name = Path(target)
        if len(name.parent.name) == 2 and name.parent.parent.name == "objects" and len(looked) % 50 == 0:
            looked.append(git("cat-file", "--batch-check", cwd=path, input="\n".join(ids) + "\n"))
        elif len(name.parent.name) == 2 and name.parent.parent.name == "objects":
            looked.append("")
        real_unlink(target, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", unlink_after_git_looked)
    with Repo(str(path)) as repo:
        packed = pack_loose_objects(repo.object_store)  # type: ignore[arg-type]
    monkeypatch.undo()
    assert packed is not None and packed.objects == len(ids) == len(looked) and not loose_files(path)
    checks = [out for out in looked if out]
    assert len(checks) == 3
    for out in checks:
        assert "missing" not in out and len(out.splitlines()) == len(ids)
    fsck(path)
