"""Who Gitferry's commits are by, as git decides it. With `user.useConfigOnly = true` (set
by people with several identities, so that a repository without its own `user.email`
never gets a guessed one) and no email configured, `git commit` refuses; the auto-commit
went ahead as `root <root@host>` and pushed it. `author.email` (git 2.22) was ignored.
`git commit` and `git log --format` are the referees."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run


def _git_commit_refuses(repo: Path) -> str:
    done = subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", "x"], cwd=repo, capture_output=True, text=True
    )
    assert done.returncode != 0
    return done.stderr


def test_use_config_only_without_an_email_commits_nothing(world: Clones) -> None:
    assert run(world.capsys, "set", "mine", "auto_commit", "true")[0] == 0
    git("config", "--global", "--unset", "user.email", cwd=world.mine)
    git("config", "--global", "user.useConfigOnly", "true", cwd=world.mine)
    assert "auto-detection is disabled" in _git_commit_refuses(world.mine)
    (world.mine / "new.txt").write_text("work\n")
    before, remote = world.head(world.mine), world.remote_head()

    code, report = world.sync(world.mine)

    assert (code, report["result"], report["committed"]) == (1, "error", 0), report
    assert report["message"] == (
        "no email is configured and user.useConfigOnly forbids guessing one: git would not commit either; "
        "set it (git config user.email ...)"
    )
    assert (world.head(world.mine), world.remote_head()) == (before, remote)
    assert porcelain(world.mine) == "?? new.txt"

    git("config", "user.email", "me@work.example", cwd=world.mine)  # what the line says
    git("config", "author.email", "author@work.example", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["committed"]) == (0, "ok", 1), report
    said = git("log", "-1", "--format=%an <%ae>|%cn <%ce>", cwd=world.mine)
    assert said == "Test User <author@work.example>|Test User <me@work.example>"
