"""Disk faults staged for real: a full disk during a fetch and
during an auto-commit (the clone on a small tmpfs), a read-only repository (a
read-only bind mount: root ignores `chmod a-w`), a repository folder deleted or
moved while registered. Each ends with its result and one-line message, the
repository as it was (refs, index, working tree, `git fsck`), no lock left, and a
sync that succeeds once the fault is repaired.

A locked index (`index.lock` held by another git) is in `test_sync.py`
(`test_a_locked_index_ends_busy_and_touches_nothing`).

Mounting needs root (CAP_SYS_ADMIN): the mount tests skip where it is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.gitcli import git, refs
from tests.integration.clones import Clones, porcelain, run
from tests.servers import Remote


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30, check=False)


def _umount(target: Path) -> None:
    if subprocess.run(["umount", str(target)], capture_output=True, timeout=30, check=False).returncode:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=30, check=False)


class Mounts:
    """Mounts made by one test, undone (innermost first) when it ends."""

    def __init__(self) -> None:
        self.targets: list[Path] = []

    def tmpfs(self, target: Path, size: str) -> None:
        target.mkdir(parents=True, exist_ok=True)
        proc = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target))
        if proc.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        self.targets.append(target)

    def resize(self, target: Path, size: str) -> None:
        proc = _mount("-o", f"remount,size={size}", str(target))
        assert proc.returncode == 0, proc.stderr

    def read_only(self, target: Path) -> None:
        proc = _mount("--bind", str(target), str(target))
        if proc.returncode:
            pytest.skip(f"cannot bind-mount here: {proc.stderr.strip()}")
        self.targets.append(target)
        proc = _mount("-o", "remount,bind,ro", str(target))
        assert proc.returncode == 0, proc.stderr

    def undo(self, target: Path) -> None:
        self.targets.remove(target)
        _umount(target)

    def undo_all(self) -> None:
        while self.targets:
            _umount(self.targets.pop())


@pytest.fixture
def mounts() -> Iterator[Mounts]:
    made = Mounts()
    try:
        yield made
    finally:
        made.undo_all()


@dataclass(frozen=True)
class Snapshot:
    """What must not change: refs, HEAD, the index's entries, the working tree."""

    refs: dict[str, str]
    head: str
    index: str
    tree: dict[str, str]
    status: str

    @classmethod
    def of(cls, repo: Path) -> Snapshot:
        return cls(
            refs(repo),
            (repo / ".git" / "HEAD").read_text(),
            git("ls-files", "--stage", cwd=repo),
            _worktree(repo),
            porcelain(repo),
        )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _worktree(repo: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo)
        if rel.parts[0] == ".git" or path.is_dir():
            continue
        files[str(rel)] = _digest(path.read_bytes())
    return files


def leftovers(repo: Path) -> list[str]:
    """Temporary pack or object files and lock files a failed write left in `.git`."""
    git_dir = repo / ".git"
    found = [p for p in git_dir.rglob("*") if p.name.endswith(".lock")]
    found += list((git_dir / "objects" / "pack").glob("tmp_*"))
    found += [p for p in (git_dir / "objects").rglob("tmp_*")]
    found += [p for p in (git_dir / "objects" / "pack").glob("*.keep")]
    return sorted(str(p.relative_to(git_dir)) for p in set(found))


def assert_unchanged(repo: Path, before: Snapshot) -> None:
    after = Snapshot.of(repo)
    assert after == before
    git("fsck", "--strict", "--no-progress", cwd=repo)
    assert leftovers(repo) == []


def publish_random(world: Clones, name: str, megabytes: float) -> str:
    """`theirs` pushes a commit of incompressible data (a pack that size)."""
    (world.theirs / name).write_bytes(os.urandom(int(megabytes * 1024 * 1024)))
    git("add", name, cwd=world.theirs)
    git("commit", "-q", "-m", f"add {name}", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.remember()
    return git("rev-parse", "HEAD", cwd=world.theirs)


def one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message, message


def sync_mine_fails(world: Clones) -> dict[str, Any]:
    """`gitferry sync mine`, which must end in `error` with a one-line message: its report."""
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error", {k: v for k, v in report.items() if k != "timings_ms"}
    one_line(report["message"])
    return report


@pytest.fixture
def small_disk(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], mounts: Mounts
) -> Iterator[Clones]:
    """`mine` cloned onto a 3 MiB tmpfs."""
    mounts.tmpfs(tmp_path / "mine", "3m")
    world = Clones.make(git_daemon, tmp_path, capsys)
    yield world
    world.check()


@pytest.mark.slow
def test_full_disk_during_fetch_changes_nothing(small_disk: Clones, mounts: Mounts) -> None:
    world = small_disk
    before = Snapshot.of(world.mine)
    new = publish_random(world, "big.bin", 10)
    report = sync_mine_fails(world)
    # Where, as the checkout says it (not the raw "[Errno 28] No space left on device").
    pack_dir = world.mine / ".git" / "objects" / "pack"
    said = f"fetching from origin failed: {pack_dir}: No space left on device; nothing was kept"
    assert report["message"] == said, report
    assert_unchanged(world.mine, before)
    mounts.resize(world.mine, "64m")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new


def test_full_disk_during_auto_commit_changes_nothing(small_disk: Clones, mounts: Mounts) -> None:
    world = small_disk
    code, _out, err = run(world.capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    (world.mine / "photo.raw").write_bytes(os.urandom(2 * 1024 * 1024))  # fits; its blob does not
    before = Snapshot.of(world.mine)
    report = sync_mine_fails(world)
    assert "no space left" in report["message"].lower(), report
    assert report["committed"] == 0 and world.remote_head() == before.refs["refs/heads/main"]
    assert_unchanged(world.mine, before)
    mounts.resize(world.mine, "64m")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["committed"] == 1, report
    assert porcelain(world.mine) == "" and world.remote_head() == world.head(world.mine)
    assert git("--git-dir", str(world.bare), "cat-file", "-s", "main:photo.raw") == str(2 * 1024 * 1024)


def test_read_only_repository_changes_nothing(world: Clones, mounts: Mounts) -> None:
    new = publish_random(world, "b.bin", 0.01)
    before = Snapshot.of(world.mine)
    mounts.read_only(world.mine)
    report = sync_mine_fails(world)
    assert "read-only" in report["message"].lower(), report
    assert_unchanged(world.mine, before)
    mounts.undo(world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new


def test_read_only_folder_in_the_working_tree_stops_the_fast_forward(world: Clones, mounts: Mounts) -> None:
    """The repository is writable but one folder the fast-forward writes into is not."""
    (world.theirs / "docs").mkdir()
    git("mv", "a.txt", "docs/a.txt", cwd=world.theirs)
    (world.theirs / "docs" / "b.txt").write_text("new\n")
    git("add", "docs", cwd=world.theirs)
    git("commit", "-q", "-m", "docs", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    new = git("rev-parse", "HEAD", cwd=world.theirs)
    world.remember()
    (world.mine / "docs").mkdir()
    (world.mine / "docs" / ".keep-untracked").write_text("")
    mounts.read_only(world.mine / "docs")
    report = sync_mine_fails(world)
    # The file it could not write, by its path in the tree as git names it (before, the
    # repository's folder: no way to tell which folder is read-only).
    assert report["message"] == "docs/a.txt: Read-only file system", report
    assert world.head(world.mine) != new and porcelain(world.mine) == "?? docs/", report
    git("fsck", "--strict", "--no-progress", cwd=world.mine)
    mounts.undo(world.mine / "docs")
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new and (world.mine / "docs" / "b.txt").read_text() == "new\n"


def sync_missing(world: Clones) -> tuple[int, dict[str, Any]]:
    """`gitferry sync mine --json` while its folder is gone (`Clones.sync` reads it with git)."""
    code, doc, err = run(world.capsys, "sync", "mine", "--json")
    assert isinstance(doc, dict), err
    return code, doc["repos"][0]


def _registered(world: Clones) -> dict[str, str]:
    code, doc, err = run(world.capsys, "list", "--json")
    assert code == 0, err
    return {r["name"]: r["path"] for r in doc["repos"]}


def test_moved_repository_is_not_found_until_added_at_its_new_path(world: Clones, tmp_path: Path) -> None:
    publish_random(world, "b.bin", 0.01)
    code, _out, err = run(world.capsys, "set", "mine", "strategy", "rebase")
    assert code == 0, err
    moved = tmp_path / "elsewhere" / "mine"
    moved.parent.mkdir()
    before = Snapshot.of(world.mine)
    shutil.move(world.mine, moved)
    code, report = sync_missing(world)
    assert code == 1 and report["result"] == "error" and "not found" in report["message"], report
    one_line(report["message"])
    # What to do, not only what happened (before: "(moved or deleted?)" and nothing more).
    assert report["message"] == (
        f"repository not found at {world.mine} (moved or deleted?): if it moved,"
        " `gitferry add NEWPATH --name mine` follows it (its settings kept);"
        " if it was deleted, `gitferry remove mine` forgets it"  # a trial: deleted said nothing
    ), report
    assert _registered(world)["mine"] == str(world.mine)
    code, out, err = run(world.capsys, "add", str(moved), "--name", "mine")
    assert code == 0, err
    assert _registered(world)["mine"] == str(moved)
    # Said as what it did (a README trial: "added mine at …", as if a new registration).
    assert out.splitlines()[0] == f"mine is now at {moved} (was {world.mine}; its settings kept)", out
    code, doc, err = run(world.capsys, "show", "mine", "--json")
    assert code == 0 and doc["settings"]["strategy"] == "rebase", err  # its settings kept
    assert Snapshot.of(moved) == before
    world.mine = moved
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report


def test_re_adding_a_name_whose_folder_still_exists_is_refused(world: Clones, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git("clone", "-q", str(world.bare), str(other))
    code, _out, err = run(world.capsys, "add", str(other), "--name", "mine")
    assert code == 2 and "already" in err, err
    assert _registered(world)["mine"] == str(world.mine)


def test_deleted_repository_is_not_found_and_stays_registered(world: Clones) -> None:
    shutil.rmtree(world.mine)
    code, report = sync_missing(world)
    assert code == 1 and report["result"] == "error" and "not found" in report["message"], report
    one_line(report["message"])
    assert "mine" in _registered(world)
    git("clone", "-q", str(world.bare), str(world.mine))
    git("remote", "set-url", "origin", world.remote.url("origin"), cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "up_to_date", report


def test_full_disk_during_the_fast_forward_checkout(small_disk: Clones, mounts: Mounts) -> None:
    """The pack fits; writing its files into the working tree does not."""
    world = small_disk
    for name in ("one.bin", "two.bin", "three.bin"):
        (world.theirs / name).write_bytes(os.urandom(600 * 1024))
    git("add", ".", cwd=world.theirs)
    git("commit", "-q", "-m", "two files", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    new = git("rev-parse", "HEAD", cwd=world.theirs)
    world.remember()
    before = Snapshot.of(world.mine)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error" and report["fetched_refs"] == ["origin/main"], report
    one_line(report["message"])
    # The file whose writing found the disk full (before: the repository's folder).
    assert re.fullmatch(r"(one|two|three)\.bin: No space left on device", report["message"]), report
    after = Snapshot.of(world.mine)
    assert after.refs.pop("refs/remotes/origin/main") == new  # the fetch itself succeeded
    assert after.refs.pop("refs/remotes/origin/HEAD") == new
    assert [r for r in after.refs if r.startswith("refs/gitferry/backup/")]  # the pre-merge backup
    assert {k: v for k, v in after.refs.items() if not k.startswith("refs/gitferry/")} == {
        "refs/heads/main": before.refs["refs/heads/main"]
    }
    assert (after.head, after.index, after.tree, after.status) == (
        before.head,
        before.index,
        before.tree,
        before.status,
    )
    git("fsck", "--strict", "--no-progress", cwd=world.mine)
    assert leftovers(world.mine) == []
    mounts.resize(world.mine, "64m")
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok" and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new and porcelain(world.mine) == ""


def test_full_disk_under_the_status_store_changes_nothing(
    git_daemon: Remote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mounts: Mounts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The data directory (store, registry, activity log) is full; the repositories are not."""
    data = tmp_path / "data"
    mounts.tmpfs(data, "1m")
    monkeypatch.setenv("GITFERRY_HOME", str(data))
    world = Clones.make(git_daemon, tmp_path, capsys)
    new = publish_random(world, "b.bin", 0.01)
    before = Snapshot.of(world.mine)
    filler = data / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 65536)
    for command in (("sync", "mine", "--json"), ("set", "mine", "strategy", "rebase"), ("list",)):
        code, out, err = run(capsys, *command)
        assert err.startswith("gitferry: cannot ") and err.count("\n") == 1, err
        assert err.endswith("the disk holding it is full\n"), err
        said = {"error": err.removeprefix("gitferry: ").rstrip("\n")}
        assert code == 1 and out == (said if "--json" in command else ""), (command, out)
    assert_unchanged(world.mine, before)
    filler.unlink()
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(world.mine) == new
    world.check()
