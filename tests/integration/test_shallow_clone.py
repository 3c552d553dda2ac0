"""A shallow clone (`git clone --depth`) pushed to a remote that lacks the history below
its boundary: the remote refuses, as it refuses `git push` ("shallow update not
allowed"), and the sync or publish says so in those words, not in the remote's
"missing necessary objects (error: Could not read <sha>; fatal: Failed to traverse
parents of commit <sha>)". Nothing changes on either side.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.gitcli import commit_file, fsck, git, refs
from tests.integration.clones import Clones, run


def test_publishing_from_a_shallow_clone_to_an_empty_remote(
    world: Clones, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shallow = world.shallow_clone(tmp_path / "shallow")
    backup = world.remote.create("backup")
    git("remote", "add", "backup", world.remote.url("backup"), cwd=shallow)
    git("switch", "-q", "-c", "notes", cwd=shallow)
    commit_file(shallow, "mine.txt", "mine\n")
    referee = subprocess.run(
        ["git", "push", "backup", "notes:referee"], cwd=shallow, capture_output=True, text=True, timeout=60
    )
    assert referee.returncode != 0 and "shallow update not allowed" in referee.stderr, referee.stderr
    before = refs(shallow)
    code, _out, err = run(capsys, "publish", "shallow", "notes", "--remote", "backup")
    assert code == 1 and err.count("\n") == 1, err
    assert err == (
        "gitferry: publishing notes to backup was rejected: shallow update not allowed: this shallow clone "
        "lacks history the remote lacks too (git fetch --unshallow first); nothing changed\n"
    )
    assert refs(shallow) == before and refs(backup) == {}
    fsck(shallow)
