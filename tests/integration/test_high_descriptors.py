"""A git:// fetch in a process whose descriptor numbers are past 1024 (FD_SETSIZE):
`select.select` would fail there with "filedescriptor out of range in select()"."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.transfer.fetch import fetch_remote
from tests.gitcli import fsck, rev_parse
from tests.integration.test_fetch import local_clone, push_commit, seed
from tests.servers import Remote

FD_SETSIZE = 1024
HELD = FD_SETSIZE + 100


@pytest.fixture
def descriptors_past_fd_setsize() -> Iterator[None]:
    """Open enough descriptors that the next ones opened are numbered above 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = HELD + 256
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} is below {wanted}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(HELD)]
    try:
        yield
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.usefixtures("descriptors_past_fd_setsize")
def test_git_fetch_with_descriptors_above_fd_setsize(git_daemon: Remote, tmp_path: Path) -> None:
    bare, work = seed(git_daemon, tmp_path)
    local = local_clone(git_daemon, bare, tmp_path)
    new = push_commit(work, bare, "b.txt", "two\n")
    probe = os.open(os.devnull, os.O_RDONLY)
    os.close(probe)
    assert probe > FD_SETSIZE  # the fetch's socket gets a number at least this high
    with Repo(str(local)) as repo:
        result = fetch_remote(repo, "origin", timeout=10.0)
    assert result.objects_received == 3
    assert rev_parse(local, "refs/remotes/origin/main") == new
    fsck(local)
