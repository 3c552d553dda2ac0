"""A local bare remote that git gc'd (bare repositories get a pack bitmap) and that
Gitferry then pushed to (a pack without one) still serves fetches: dulwich 1.2.21 fails
there with ENOENT on the second pack's missing `.bitmap` (found by the SIGKILL loop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones
from tests.servers import Remote


@pytest.mark.parametrize("kind", ["path_remote", "file_remote"])
def test_fetch_from_a_local_remote_with_bitmapped_and_plain_packs(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    remote: Remote = request.getfixturevalue(kind)
    world = Clones.make(remote, tmp_path, capsys)
    world.commit(world.mine, "b.txt", "before gc\n")
    assert world.sync(world.mine)[1]["result"] == "ok"
    git("--git-dir", str(world.bare), "repack", "-adq")
    assert list((world.bare / "objects" / "pack").glob("*.bitmap"))
    world.commit(world.mine, "c.txt", "after gc\n")
    assert world.sync(world.mine)[1]["result"] == "ok"  # a pack without a bitmap
    code, report = world.sync(world.theirs)
    assert (code, report["result"], report["fast_forwarded"]) == (0, "ok", ["main"]), report
    assert world.head(world.theirs) == world.remote_head()
    world.check()
