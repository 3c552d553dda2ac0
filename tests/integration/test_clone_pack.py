"""A clone's pack holds what git's clone of the same remote holds, byte for byte: the
deltas as OFS_DELTA (dulwich's protocol v2 request never asked for them, so every
delta came as a REF_DELTA, 18 bytes longer). `git clone` over file:// is the referee."""

from __future__ import annotations

import collections
import subprocess
from pathlib import Path

import pytest

from core.git.transfer.clone import clone_repository
from tests.gitcli import commit_file, fsck, git
from tests.integration.test_fetch import TIMEOUT, auth_of
from tests.servers import Remote

OFS_DELTA, REF_DELTA = 6, 7


def _entry_types(repo: Path) -> collections.Counter[int]:
    """How many entries of each pack type the repository's one pack holds."""
    (pack,) = (repo / ".git" / "objects" / "pack").glob("*.pack")
    data = pack.read_bytes()
    with pack.with_suffix(".idx").open("rb") as idx:
        listing = subprocess.run(
            ["git", "show-index"], stdin=idx, capture_output=True, check=True, timeout=60
        )
    offsets = [int(line.split()[0]) for line in listing.stdout.splitlines()]
    return collections.Counter((data[offset] >> 4) & 7 for offset in offsets)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind", ["git_daemon", "http_server", pytest.param("sshd_server", marks=pytest.mark.sshd)]
)
def test_clone_pack_is_gits(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    remote: Remote = request.getfixturevalue(kind)
    bare = remote.create("origin")
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    lines = [f"line {n} of a file that changes a little every commit\n" for n in range(200)]
    for revision in range(12):
        lines[revision * 7] = f"revision {revision}\n"
        commit_file(work, "big.txt", "".join(lines))
        commit_file(work, f"dir/sub/f{revision % 3}.txt", "".join(lines[revision:]))
    git("push", "-q", str(bare), "main", cwd=work)
    git("gc", "-q", "--aggressive", cwd=bare)

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    clone_repository(
        remote.url("origin"), ours, auth=auth_of(remote), ssh_command=remote.ssh_command, timeout=TIMEOUT
    )
    git("clone", "-q", "--no-local", f"file://{bare}", str(theirs))

    types = _entry_types(ours)
    assert types[REF_DELTA] == 0 and types[OFS_DELTA] > 10
    assert types == _entry_types(theirs)
    (our_pack,) = (ours / ".git" / "objects" / "pack").glob("*.pack")
    (their_pack,) = (theirs / ".git" / "objects" / "pack").glob("*.pack")
    assert our_pack.stat().st_size == their_pack.stat().st_size
    fsck(ours)
