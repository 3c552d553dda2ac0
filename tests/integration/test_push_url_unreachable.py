"""A remote whose push URL cannot be reached while its fetch URL can (`git remote
set-url --push origin git://127.0.0.1:<refused>/x`): the sync says what it did (merged)
and that the push could not reach the push URL; a later fetch never says "up to date"
while the merge waits to go out (git: ahead of origin/main)."""

from __future__ import annotations

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones, run

pytestmark = pytest.mark.slow

NOT_PUSHED = "not pushed: origin's push URL is unreachable: connection refused"


def _last(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    code, doc, err = run(capsys, "status", "mine", "--json")
    assert code == 0, err
    return doc["repos"][0]["last_result"], doc["repos"][0]["last_message"]


def test_a_merge_that_could_not_be_pushed_is_said_and_stays_said(
    world: Clones, refused_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "from mine\n")
    url = git("remote", "get-url", "--push", "origin", cwd=world.mine)
    git("remote", "set-url", "--push", "origin", f"git://127.0.0.1:{refused_port}/x", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 1 and report["merged"] == ["main"] and not report["pushed"], report
    assert report["message"].endswith(f"merged main; {NOT_PUSHED}"), report["message"]
    waiting = git("rev-list", "--count", "origin/main..main", cwd=world.mine)
    assert waiting == "2"  # the merge and mine: git's view, nothing went out
    code, doc, err = run(capsys, "history", "mine", "--json")
    assert code == 0 and isinstance(doc, dict), err
    assert doc["runs"][0]["message"] == report["message"]

    code, fetch = world.background(world.mine, "--fetch-only")
    assert (fetch["result"], fetch["message"]) == ("unpublished", NOT_PUSHED), fetch
    assert _last(capsys) == ("unpublished", NOT_PUSHED)  # not "up to date" while 2 commits wait
    assert git("rev-list", "--count", "origin/main..main", cwd=world.mine) == waiting

    git("remote", "set-url", "--push", "origin", url, cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
    assert git("rev-list", "--count", "origin/main..main", cwd=world.mine) == "0"
    assert world.remote_head() == world.head(world.mine)
    code, fetch = world.background(world.mine, "--fetch-only")
    assert fetch["result"] == "up_to_date", fetch
