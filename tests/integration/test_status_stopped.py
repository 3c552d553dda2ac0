"""`gitferry status` says why the last sync stopped short of integrating (`dirty`,
`conflict`, `diverged`): the paths, the git command unfinished, the setting. It said
the result's name alone (`last sync …: dirty`), so someone who left a `git stash pop`
conflict behind learnt nothing from it of what to do.
"""

from __future__ import annotations

import pytest

from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, run


@pytest.mark.parametrize("stop", ["dirty", "conflict", "diverged", "unmerged"])
def test_status_says_why_the_last_sync_stopped(world: Clones, stop: str) -> None:
    world.commit(world.theirs, "a.txt", "theirs\n")
    git("push", "-q", cwd=world.theirs)
    if stop == "dirty":
        (world.mine / "a.txt").write_text("my edit, not committed\n")
    elif stop == "unmerged":  # a `git stash pop` that conflicts leaves no MERGE_HEAD behind
        (world.mine / "a.txt").write_text("stashed\n")
        git("stash", "-q", cwd=world.mine)
        commit_file(world.mine, "a.txt", "committed since\n")
        git("stash", "pop", cwd=world.mine, check=False)
    else:
        world.commit(world.mine, "a.txt", "mine\n")
    if stop == "diverged":
        git("config", "pull.ff", "only", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == ("dirty" if stop == "unmerged" else stop), report
    code, out, _ = run(world.capsys, "status", "mine")
    lines = out.splitlines()
    assert lines[0].endswith(f": {report['result']}") and lines[1] == f"  {report['message']}", out
