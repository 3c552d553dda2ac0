"""A push git would refuse by `push.default` on the branch's own remote: `nothing`, or
`simple` (git's default) with an upstream of another name. The sync ended `ok`/
`up_to_date`, exit 0 (and pushed the branch where git would not: `feat` onto the
remote's `main`), while `git push` exits non-zero and the commits stay unpushed. Now
nothing is pushed, the result is `unpublished` (exit 1) with one line naming the
setting, a fetch says it again, `status` shows it; once the setting allows it, the
next sync pushes. `git push --dry-run` is the referee."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, run


def _git_push_refuses(work: Path) -> bool:
    done = subprocess.run(["git", "push", "--dry-run"], cwd=work, capture_output=True, text=True, timeout=60)
    return done.returncode != 0


def test_push_default_nothing_is_not_up_to_date(world: Clones) -> None:
    git("config", "push.default", "nothing", cwd=world.mine)
    world.commit(world.mine, "b.txt", "mine\n")
    before = world.remote_head()
    assert _git_push_refuses(world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["pushed"]) == (1, "unpublished", []), report
    assert report["message"] == (
        "main: not pushed: push.default is 'nothing': git would not push main without a refspec either; "
        "set push.default to push it (git config push.default simple)"
    )
    assert world.remote_head() == before
    code, fetched = world.sync(world.mine, "--fetch-only")  # the next sync would say it again
    assert (code, fetched["result"], fetched["message"]) == (1, "unpublished", report["message"])
    code, text, err = run(world.capsys, "status", "mine")
    assert code == 0 and f"  {report['message']}\n" in text and "ahead 1, behind 0" in text, err

    git("config", "push.default", "simple", cwd=world.mine)  # the fix the message names
    assert not _git_push_refuses(world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert world.remote_head() == world.head(world.mine)


def test_what_the_sync_did_comes_before_the_push_it_would_not_make(world: Clones) -> None:
    """Done, then the problem (as a push URL that cannot be reached says it): what was
    fetched and merged first, then why main stays unpushed; the CLI and the window show
    this one message."""
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("config", "push.default", "nothing", cwd=world.mine)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["merged"], report["pushed"]) == (1, "unpublished", ["main"], [])
    assert report["message"].endswith(
        "merged main; main: not pushed: push.default is 'nothing': git would not push main without a "
        "refspec either; set push.default to push it (git config push.default simple)"
    ), report["message"]
    assert git("rev-list", "--count", "origin/main..main", cwd=world.mine) == "2"  # git's view: both wait
    world.check()


def test_simple_with_an_upstream_of_another_name_pushes_nothing(world: Clones) -> None:
    """`git switch -c feat origin/main` sets main as feat's upstream (autoSetupMerge):
    the sync pushed feat's commits onto the remote's main, which `git push` refuses."""
    git("switch", "-q", "-c", "feat", "origin/main", cwd=world.mine)
    assert git("rev-parse", "--abbrev-ref", "feat@{upstream}", cwd=world.mine) == "origin/main"
    world.commit(world.mine, "f.txt", "feature\n")
    before = world.remote_head()
    assert _git_push_refuses(world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["pushed"]) == (1, "unpublished", []), report
    assert report["message"].startswith(
        "feat: not pushed: push.default is 'simple' and the upstream of feat (refs/heads/main) has another "
        "name: git would refuse to push it; git config push.default upstream would push it to origin's main"
    ), report
    assert world.remote_head() == before
    assert "refs/heads/feat" not in git("--git-dir", str(world.bare), "for-each-ref", "--format=%(refname)")

    git("config", "push.default", "upstream", cwd=world.mine)
    assert not _git_push_refuses(world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["pushed"]) == (0, ["feat"]), report
    assert world.remote_head() == world.head(world.mine, "feat")
