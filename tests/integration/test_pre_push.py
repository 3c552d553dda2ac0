"""The repository's `pre-push` hook, run as git runs it, against real servers.

The hook gets what `git push` gives it (the same arguments and stdin lines, checked
against `git push` running the same hook); its refusal sends nothing (the remote's
refs and objects as they were, the tracking ref unmoved) and ends the sync `error`
with its first line, on the CLI and in the status store. `core.hooksPath` is honoured
(relative to the worktree's root); a hook that is not executable is not run, as git
does not run it; one that outlives its time is stopped, with what it started.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
from pathlib import Path

import pytest

import core.git.config.hooks as hooks
from core.engine.core import Core
from core.engine.daemon import as_outcome
from core.git.config.hooks import HookRefused
from tests.gitcli import commit_file, fsck, git, refs, rev_parse
from tests.integration.clones import Clones, run, sync_repo
from tests.integration.test_push import push, seed
from tests.servers import Remote

RECORDER = 'printf "%s\\n" "$@" > "$0.args"\ncat > "$0.stdin"\n'
REFUSER = "echo 'checking for secrets...'\necho 'secret.key must not be pushed' >&2\necho more >&2\nexit 1\n"


def write_hook(directory: Path, script: str, *, executable: bool = True, name: str = "pre-push") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    hook = directory / name
    hook.write_text("#!/bin/sh\n" + script)
    if executable:
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return hook


def object_count(bare: Path) -> str:
    return git("count-objects", "-v", cwd=bare)


def recorded(hook: Path) -> tuple[str, list[str]]:
    """What the recording hook was given: its arguments, and its stdin lines (sorted)."""
    return Path(f"{hook}.args").read_text(), sorted(Path(f"{hook}.stdin").read_text().splitlines())


def test_the_hook_gets_what_git_push_gives_it(remote: Remote, tmp_path: Path) -> None:
    _bare, local = seed(remote, tmp_path)
    seeded = rev_parse(local, "refs/remotes/origin/main")
    git("checkout", "-q", "-b", "feature", cwd=local)
    feature = commit_file(local, "f.txt", "feature\n")
    git("checkout", "-q", "main", cwd=local)
    main = commit_file(local, "b.txt", "two\n")
    hook = write_hook(local / ".git" / "hooks", RECORDER)
    referee = None
    if remote.auth is None:  # git itself can push there without asking for a password
        ssh = ["-c", f"core.sshCommand={remote.ssh_command}"] if remote.ssh_command else []
        git(*ssh, "push", "-q", "--dry-run", "origin", "main", "feature", cwd=local)
        referee = recorded(hook)

    result = push(local, remote, "main", "feature")

    assert sorted(result.pushed) == ["feature", "main"]
    ours = recorded(hook)
    assert ours == (
        f"origin\n{remote.url('origin')}\n",
        [
            f"refs/heads/feature {feature} refs/heads/feature {'0' * 40}",
            f"refs/heads/main {main} refs/heads/main {seeded}",
        ],
    )
    assert referee in (None, ours)


def test_a_refusal_sends_nothing(remote: Remote, tmp_path: Path) -> None:
    bare, local = seed(remote, tmp_path)
    commit_file(local, "b.txt", "two\n")
    write_hook(local / ".git" / "hooks", REFUSER)
    before, objects = refs(bare), object_count(bare)
    tracking = rev_parse(local, "refs/remotes/origin/main")

    with pytest.raises(HookRefused) as refused:
        push(local, remote, "main")

    assert (
        refused.value.message == "the pre-push hook refused the push to origin: secret.key must not be pushed"
    )
    assert refs(bare) == before and object_count(bare) == objects
    assert rev_parse(local, "refs/remotes/origin/main") == tracking
    fsck(bare)
    os.unlink(local / ".git" / "hooks" / "pre-push")
    assert push(local, remote, "main").pushed == ["main"]  # nothing left half-done


def test_hooks_path_relative_to_the_worktree_root(git_daemon: Remote, tmp_path: Path) -> None:
    bare, local = seed(git_daemon, tmp_path)
    commit_file(local, "b.txt", "two\n")
    write_hook(local / ".git" / "hooks", "exit 0\n")  # not the one git would run
    write_hook(local / "tools" / "hooks", "echo 'from tools/hooks' >&2\nexit 1\n")
    git("config", "core.hooksPath", "tools/hooks", cwd=local)
    before = refs(bare)
    with pytest.raises(HookRefused, match=r"from tools/hooks$"):
        push(local, git_daemon, "main")
    proc = git("push", "origin", "main", cwd=local, check=False)  # git agrees
    assert refs(bare) == before, proc


def test_a_hook_that_is_not_executable_is_not_run(git_daemon: Remote, tmp_path: Path) -> None:
    bare, local = seed(git_daemon, tmp_path)
    new = commit_file(local, "b.txt", "two\n")
    write_hook(local / ".git" / "hooks", "exit 1\n", executable=False)
    assert push(local, git_daemon, "main").pushed == ["main"]
    assert rev_parse(bare, "refs/heads/main") == new


@pytest.mark.slow  # waits out the hook's (shortened) time: over a second
def test_a_hook_past_its_time_is_stopped_with_what_it_started(
    git_daemon: Remote, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time is cut to 2 s here, ample for the hook to start its child and write
    its pid (which it does first), and that child is gone with the hook."""
    bare, local = seed(git_daemon, tmp_path)
    commit_file(local, "b.txt", "two\n")
    pid_file = tmp_path / "child.pid"
    write_hook(local / ".git" / "hooks", f"sleep 600 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setattr(hooks, "HOOK_TIMEOUT", 2.0)
    before = refs(bare)
    with pytest.raises(HookRefused, match=r"did not finish within 2 s and was stopped$"):
        push(local, git_daemon, "main")
    assert refs(bare) == before
    child = int(pid_file.read_text())
    assert not _running(child)  # killed with the hook, not left sleeping


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1]
    except (OSError, IndexError):
        return False
    return not state.startswith(("Z", "X"))


def test_sync_ends_in_error_with_the_hook_s_words_and_pushes_nothing(world: Clones) -> None:
    write_hook(world.mine / ".git" / "hooks", REFUSER)
    mine = world.commit(world.mine, "c.txt", "mine\n")
    remote_before = world.remote_head()
    said = "the pre-push hook refused the push to origin: secret.key must not be pushed"

    code, out, err = run(world.capsys, "sync", "mine")

    assert code == 1 and out == f"mine: error - {said}\n", (out, err)
    code, report = world.sync(world.mine)
    assert code == 1 and (report["result"], report["message"], report["pushed"]) == ("error", said, []), (
        report
    )
    assert world.remote_head() == remote_before and world.head(world.mine) == mine
    assert asyncio.run(_last_message("mine")) == said
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "error"

    os.unlink(world.mine / ".git" / "hooks" / "pre-push")
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"] and world.remote_head() == mine, report


async def _last_message(name: str) -> str | None:
    core = await Core.open()
    try:
        return (await core.store.runs((await core.store.repo(name)).id))[0].message
    finally:
        await core.close()


def test_a_fetch_says_the_refusal_again_until_a_sync_runs_again(world: Clones) -> None:
    """A trial: the status window's Result column said "main: 1 ahead" after the next
    background fetch, the refusal in History only. The fetch updates the branches and says
    the refusal again, as the sync said it, while the refused commits wait; it is no
    failure of the fetch (the scheduler does not back off); a sync that pushes ends it."""
    write_hook(world.mine / ".git" / "hooks", REFUSER)
    mine = world.commit(world.mine, "c.txt", "mine\n")
    said = "the pre-push hook refused the push to origin: secret.key must not be pushed"
    code, report = world.sync(world.mine)
    assert code == 1 and (report["result"], report["message"]) == ("error", said), report
    world.commit(world.theirs, "t.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)

    fetch = asyncio.run(sync_repo("mine", fetch_only=True))

    fetched = re.fullmatch(rf"fetched origin/main \(\d+ objects\); {re.escape(said)}", fetch.message)
    assert fetch.result == "error" and fetched, fetch.message
    assert as_outcome(fetch).succeeded  # every remote answered: no back-off
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    repo = status["repos"][0]
    assert (repo["last_result"], repo["last_message"]) == ("error", fetch.message)
    behind = int(git("rev-list", "--count", "main..origin/main", cwd=world.mine))
    assert [(b["ahead"], b["behind"]) for b in repo["branches"]] == [(1, behind)] and behind == 1
    assert world.remote_head() != mine

    os.unlink(world.mine / ".git" / "hooks" / "pre-push")
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
    code, fetch_doc = world.background(world.mine, "--fetch-only")
    assert fetch_doc["result"] == "up_to_date", fetch_doc


def test_a_push_the_remote_refused_twice_stays_said(world: Clones) -> None:
    """The server's pre-receive hook declines the push: rejected twice, `error`; a fetch
    says it again while the commit waits (git: ahead of origin/main)."""
    hook = world.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho main is frozen >&2\nexit 1\n")
    hook.chmod(0o755)
    world.commit(world.mine, "c.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "error", report
    assert report["message"].startswith("push rejected twice (main: "), report["message"]

    code, fetch = world.background(world.mine, "--fetch-only")

    assert (fetch["result"], fetch["message"]) == ("error", report["message"]), fetch
    assert git("rev-list", "--count", "origin/main..main", cwd=world.mine) == "1"
    hook.unlink()
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
