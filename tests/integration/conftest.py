"""The fixtures most integration tests start from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.clones import Clones, run
from tests.integration.engine_process import EngineProcess
from tests.servers import Remote


@pytest.fixture
def world(git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Clones]:
    """`mine` and `theirs`, registered clones of a `git daemon` remote; afterwards, no
    commit lost, fsck clean and no lock left (`Clones.check`)."""
    clones = Clones.make(git_daemon, tmp_path, capsys)
    yield clones
    clones.check()


@pytest.fixture
def engine(world: Clones, capsys: pytest.CaptureFixture[str]) -> Iterator[EngineProcess]:
    """A real `gitferry daemon` on the world's two clones, its background fetches paused
    (a user's sync still runs), so that only the syncs of the test move anything."""
    assert run(capsys, "pause")[0] == 0
    process = EngineProcess()
    yield process
    log = process.stop()
    assert "Traceback" not in log, log
