"""The fixture most integration tests start from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.clones import Clones
from tests.servers import Remote


@pytest.fixture
def world(git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Clones]:
    """`mine` and `theirs`, registered clones of a `git daemon` remote; afterwards, no
    commit lost, fsck clean and no lock left (`Clones.check`)."""
    clones = Clones.make(git_daemon, tmp_path, capsys)
    yield clones
    clones.check()
