"""Two registered clones of one remote (`Clones` on a path remote): `theirs` publishes with
the git CLI, Gitferry syncs `mine` through the CLI, and a copy of `mine` does the same with
git for reference."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones
from tests.servers import Remote


def clones_world(path_remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Clones]:
    """The body of a test module's `world` fixture: the clones, checked afterwards (`Clones.check`)."""
    clones = Clones.make(path_remote, tmp_path, capsys)
    yield clones
    clones.check()


def publish(world: Clones, files: dict[str, str | None], branch: str = "main") -> str:
    """`theirs` writes (None: deletes) `files`, commits and pushes `branch` (new: from main)."""
    git("fetch", "-q", "origin", cwd=world.theirs)
    exists = git("rev-parse", "-q", "--verify", f"origin/{branch}", cwd=world.theirs, check=False)
    git("checkout", "-q", "-B", branch, f"origin/{branch}" if exists else "origin/main", cwd=world.theirs)
    for name, content in files.items():
        path = world.theirs / name
        if content is None:
            git("rm", "-q", name, cwd=world.theirs)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        git("add", name, cwd=world.theirs)
    git("commit", "-q", "-m", f"publish {sorted(files)}", cwd=world.theirs)
    git("push", "-q", "origin", branch, cwd=world.theirs)
    git("fetch", "-q", "origin", cwd=world.theirs)
    git("checkout", "-q", "main", cwd=world.theirs)
    sha = git("rev-parse", branch, cwd=world.theirs)
    world.remember()
    return sha


def synced(world: Clones) -> dict[str, object]:
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] in ("ok", "up_to_date"), report
    return report


def referee_copy(world: Clones, tmp_path: Path) -> Path:
    copy = tmp_path / "referee"
    shutil.copytree(world.mine, copy, symlinks=True)
    return copy


def listing(repo: Path) -> tuple[str, str]:
    """Every entry (modes and ids) and its tag (`S`: skip-worktree), as git expands them."""
    return git("ls-files", "-s", cwd=repo), git("ls-files", "-t", cwd=repo)
