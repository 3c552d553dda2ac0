"""A sync killed while it wrote the working tree (`kill -9` mid fast-forward) left its
switch's intent; the next sync finishes the switch and says so: the branch it moved, in
the message, `sync --json` and the History. Before, it said `up_to_date - up to date`
and no run anywhere told of the 2,000 files that had come in (found by a user trial)."""

from __future__ import annotations

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.worktree.switch_intent import SwitchIntent, write_intent
from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run


def test_the_sync_after_a_killed_switch_tells_what_came_in(world: Clones) -> None:
    old = world.head(world.mine)
    world.commit(world.theirs, "came.txt", "came in\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    new = world.head(world.theirs)
    git("fetch", "-q", "origin", cwd=world.mine)  # what the killed sync had fetched
    repo = Repo(str(world.mine))
    try:  # ... and the intent it wrote before its first file (then SIGKILL)
        trees = [repo[ObjectID(c.encode())].tree for c in (old, new)]  # type: ignore[attr-defined]
        ref = Ref(b"refs/heads/main")
        write_intent(repo, SwitchIntent.create(ref, ObjectID(old.encode()), ObjectID(new.encode()), *trees))
    finally:
        repo.close()

    code, report = world.sync(world.mine)

    assert code == 0 and report["result"] == "ok" and report["fast_forwarded"] == ["main"], report
    assert f"finished updating main to {new[:12]}, which a sync stopped part-way began" in report["message"]
    assert report["came_in"] == [{"branch": "main", "from": old, "to": new, "arrived": None}], report
    assert world.head(world.mine) == new and porcelain(world.mine) == ""
    assert (world.mine / "came.txt").read_text() == "came in\n"
    code, doc, err = run(world.capsys, "history", "mine", "--json")
    assert code == 0, err
    [latest] = [r for r in doc["runs"] if r["came_in"]][:1]
    assert [c["subject"] for c in latest["came_in"][0]["commits"]] == ["edit came.txt"], latest
