"""Clean up after a sync that died (SIGKILL, power loss) while writing.

dulwich writes the index, refs and config the way git does: into
`<name>.lock`, then a rename. A process killed between the two leaves the
`.lock` file, and git (and Gitferry) then refuse to touch that file until a
person deletes it; dulwich writes loose objects the same way
(`objects/ab/<rest>.lock`). A fetch killed mid-pack leaves `tmp_pack_*` files.

A push to a local path or `file://` remote runs in-process (dulwich's
`LocalGitClient`), so a sync killed mid-push leaves the same kinds of files in
the remote's repository: `refs/heads/<branch>.lock`, which then refuses every
later push, and `objects/tmp_pack_*`.

When a sync takes the sync lock over from a dead owner, it removes exactly
these leftovers, in the repository and in its local remotes: files of those
kinds created since the dead sync began that no running process has open. A
git command that started after the crash and still holds its lock has it open,
so it is never disturbed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from dulwich.config import ConfigFile, Section

from core.errors import GitferryError
from core.git.git_dirs import common_git_dir
from core.platform.processes import held_open
from core.remote_url import Kind, parse_remote_url

_LOOSE_DIR = re.compile(r"[0-9a-f]{2}")
# A little slack for file systems whose timestamps are coarser than time.time().
CLOCK_SLACK_SECONDS = 2.0


def remove_stale_leftovers(git_dir: str | Path, since: float) -> list[str]:
    """Delete lock and temporary pack files made since `since` that nobody holds open.

    Returns their paths relative to `git_dir`.
    """
    git_dir = Path(git_dir)
    candidates = [
        path
        for directory in (git_dir, *local_remote_git_dirs(git_dir))
        for path in _leftovers(directory)
        if _modified_since(path, since - CLOCK_SLACK_SECONDS)
    ]
    if not candidates:
        return []
    held = held_open({str(p) for p in candidates})
    removed = []
    for path in candidates:
        if str(path) in held:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(os.path.relpath(path, git_dir))
    return sorted(removed)


def local_remote_git_dirs(git_dir: Path) -> list[Path]:
    """The repositories of the remotes (fetch and push URLs) that are local paths."""
    try:
        config = ConfigFile.from_path(str(git_dir / "config"))
    except (OSError, ValueError):
        return []
    found: list[Path] = []
    for section in config.sections():
        if len(section) != 2 or section[0] != b"remote":
            continue
        for key in (b"url", b"pushurl"):
            target = _local_git_dir(config, section, key, git_dir.parent)
            if target is not None and target != git_dir and target not in found:
                found.append(target)
    return found


def _local_git_dir(config: ConfigFile, section: Section, key: bytes, base: Path) -> Path | None:
    try:
        url = parse_remote_url(config.get(section, key).decode("utf-8", "replace"), base=base)
    except (KeyError, GitferryError):
        return None
    if url.kind not in (Kind.PATH, Kind.FILE):
        return None
    path = Path(url.path)
    if (path / ".git").exists():
        common = common_git_dir(path)  # a linked worktree's refs and objects are the common dir's
        return None if common is None else Path(common).resolve()
    return path.resolve() if (path / "objects").is_dir() and (path / "refs").is_dir() else None


def _leftovers(git_dir: Path) -> Iterator[Path]:
    for name in ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock"):
        yield git_dir / name
    # Linked worktrees' own index and HEAD: the sync lock is the common dir's, so the
    # dead sync may have been syncing any worktree of the repository.
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for worktree in os.scandir(git_dir / "worktrees"):
            for name in ("index.lock", "HEAD.lock"):
                yield Path(worktree.path, name)
    for root, _dirs, files in os.walk(git_dir / "refs"):
        for name in files:
            if name.endswith(".lock"):
                yield Path(root, name)
    objects = git_dir / "objects"
    yield from _temporary_files(objects)  # dulwich's objects/tmp_pack_*, our tmp_obj_*
    with contextlib.suppress(FileNotFoundError):
        for directory in os.scandir(objects):
            if directory.name == "pack" or _LOOSE_DIR.fullmatch(directory.name):
                yield from _temporary_files(Path(directory.path))


def _temporary_files(directory: Path) -> Iterator[Path]:
    """`*.lock` and `tmp*` files: a loose object or a pack being written (dulwich's
    `add_pack` names its temporary pack `tmpXXXXXXXX.pack`)."""
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(directory):
            if entry.is_file(follow_symlinks=False) and (
                entry.name.startswith("tmp") or entry.name.endswith(".lock")
            ):
                yield Path(entry.path)


def _modified_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except FileNotFoundError:
        return False
