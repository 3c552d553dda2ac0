"""What a dead sync left in its local remotes and at the top of `objects/` is cleaned up.

A push to a local path or `file://` remote runs in-process, so a sync killed
mid-push leaves `refs/heads/<branch>.lock` (every later push then fails) and
`objects/tmp_pack_*` in the remote's repository (found by the SIGKILL loop of
tests/integration/test_sync_crash.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.git.locks.stale_locks import local_remote_git_dirs, remove_stale_leftovers
from tests.gitcli import git


def _repo_with_remotes(tmp_path: Path) -> tuple[Path, Path, Path]:
    mine = tmp_path / "mine"
    bare = tmp_path / "remotes" / "origin.git"
    other = tmp_path / "other"
    git("init", "-q", str(mine))
    git("init", "-q", "--bare", str(bare))
    git("init", "-q", str(other))
    git("remote", "add", "origin", "../remotes/origin.git", cwd=mine)  # relative to the work tree
    git("remote", "add", "mirror", "https://example.invalid/x.git", cwd=mine)
    git("remote", "set-url", "--push", "mirror", other.as_uri(), cwd=mine)
    git("remote", "add", "gone", str(tmp_path / "missing.git"), cwd=mine)
    return mine / ".git", bare, other / ".git"


def test_the_local_remotes_are_found_by_fetch_and_push_url(tmp_path: Path) -> None:
    git_dir, bare, other = _repo_with_remotes(tmp_path)
    assert local_remote_git_dirs(git_dir) == [bare.resolve(), other.resolve()]


def test_leftovers_in_local_remotes_and_top_level_temporary_objects_are_removed(tmp_path: Path) -> None:
    git_dir, bare, other = _repo_with_remotes(tmp_path)
    old = bare / "refs" / "heads" / "old.lock"
    old.write_text("")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    since = time.time()
    made = [
        bare / "refs" / "heads" / "main.lock",
        bare / "objects" / "tmp_pack_Xy12",  # dulwich's add_thin_pack
        bare / "objects" / "pack" / "tmpab3kq9.pack",  # dulwich's add_pack
        other / "packed-refs.lock",
        git_dir / "objects" / "tmp_obj_k2j3",  # blob_stream's large-file writer
    ]
    for path in made:
        path.write_text("x")
    kept = bare / "objects" / "pack" / "pack-1.pack"
    kept.write_text("x")
    removed = remove_stale_leftovers(git_dir, since)
    assert removed == sorted(os.path.relpath(path, git_dir) for path in made)
    assert not any(path.exists() for path in made)
    assert old.exists() and kept.exists()


def test_a_linked_worktrees_own_locks_are_removed_with_the_common_ones(tmp_path: Path) -> None:
    """The sync lock is the common dir's: the dead sync may have been syncing a linked
    worktree, whose index and HEAD live under `worktrees/<id>/`."""
    main = tmp_path / "main"
    git("init", "-q", "-b", "main", str(main))
    git("commit", "-q", "--allow-empty", "-m", "start", cwd=main)
    git("worktree", "add", "-q", "-b", "topic", str(tmp_path / "linked"), cwd=main)
    git_dir = main / ".git"
    since = time.time()
    made = [git_dir / "worktrees" / "linked" / "index.lock", git_dir / "refs" / "heads" / "topic.lock"]
    for path in made:
        path.write_text("")
    assert remove_stale_leftovers(git_dir, since) == sorted(os.path.relpath(p, git_dir) for p in made)
    assert git("status", "--porcelain", cwd=tmp_path / "linked") == ""


def test_a_local_remote_that_is_a_linked_worktree_is_cleaned_in_its_common_dir(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    git("init", "-q", "-b", "main", str(upstream))
    git("commit", "-q", "--allow-empty", "-m", "start", cwd=upstream)
    git("worktree", "add", "-q", "-b", "topic", str(tmp_path / "upstream-linked"), cwd=upstream)
    mine = tmp_path / "mine"
    git("init", "-q", str(mine))
    git("remote", "add", "origin", str(tmp_path / "upstream-linked"), cwd=mine)
    assert local_remote_git_dirs(mine / ".git") == [(upstream / ".git").resolve()]
