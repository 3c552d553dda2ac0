"""Which file is at a path (`core.platform.file_identity`), and which repository
(`core.git.repository.repository_identity`): the same while it is used, different once
it is deleted and made again, whatever inode number the file system hands back."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from core.git.repository import repository_identity
from core.platform import file_identity as file_identity_module
from core.platform.file_identity import file_identity
from tests.gitcli import commit_file, git, seeded_clone


def test_identity_is_the_stat_device_and_inode_and_none_when_missing(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    for name, directory in (("f", False), ("", True)):
        found = file_identity(str(tmp_path / name))
        st = os.stat(tmp_path / name)
        assert found is not None
        assert (found.device, found.inode, found.directory) == (st.st_dev, st.st_ino, directory)
    assert file_identity(str(tmp_path / "missing")) is None


def test_a_directory_made_again_at_its_path_is_another_one(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    seen = set()
    for _ in range(5):  # ext4 tends to hand the freed inode straight back
        folder.mkdir()
        found = file_identity(str(folder))
        assert found is not None and found not in seen
        seen.add(found)
        # Birth times come from the kernel's coarse clock (a tick of 1 to 10 ms): one
        # made and replaced within its first tick could look the same (a repository the
        # engine synced is older than that).
        time.sleep(0.03)
        folder.rmdir()


def test_a_repository_keeps_its_identity_while_used_and_loses_it_when_cloned_again(tmp_path: Path) -> None:
    origin, clone = tmp_path / "origin", tmp_path / "clone"
    seeded_clone(origin, clone, "a.txt", "a\n")
    first = repository_identity(str(clone))
    assert first is not None and first.common_dir == str(clone / ".git")
    commit_file(clone, "b.txt", "b\n")  # locks, loose objects, a new ref: the same repository
    git("gc", "-q", cwd=clone)
    assert repository_identity(str(clone)) == first
    shutil.rmtree(clone)
    git("clone", "-q", str(origin), str(clone))
    again = repository_identity(str(clone))
    assert again is not None and again != first
    worktree = tmp_path / "linked"  # a linked worktree: `.git` is a file naming its git dir
    git("worktree", "add", "-q", str(worktree), "-b", "side", cwd=clone)
    linked = repository_identity(str(worktree))
    assert linked is not None and linked.objects == again.objects
    assert Path(linked.common_dir).resolve() == (clone / ".git").resolve()
    assert repository_identity(str(tmp_path / "nowhere")) is None


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's statx")
def test_a_statx_the_system_refuses_falls_back_to_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seccomp filter that forbids statx (EPERM, as older container runtimes' default
    profiles did) or a kernel without it (ENOSYS): the identity is stat's device and
    inode, the same at every call, not None (with None every lease of the pool would open
    the repository again). Here the refusal is made by a stand-in for libc's function."""
    import ctypes

    file_identity(str(tmp_path))  # the real function looked up first
    for refusal in (errno.EPERM, errno.ENOSYS):

        def refused(*_args: object, refusal: int = refusal) -> int:
            ctypes.set_errno(refusal)
            return -1

        monkeypatch.setattr(file_identity_module, "_statx", refused)
        st = os.stat(tmp_path)
        assert file_identity(str(tmp_path)) == (st.st_dev, st.st_ino, None, True)
        assert file_identity(str(tmp_path)) == file_identity(str(tmp_path))
        assert file_identity(str(tmp_path / "missing")) is None
