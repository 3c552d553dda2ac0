"""Why a remote, or the push itself, refused a branch (`PushResult.rejected`) comes as a
phrase from where it is made, so the app says it in German with no table from the
English back to its phrase; the CLI's English is what it was. Against `git daemon`."""

from __future__ import annotations

from pathlib import Path

from dulwich.repo import Repo

from core.git.config.upstreams import Upstream
from core.git.transfer.push import PushResult, push_branches
from gui.models.engine_words import in_language
from tests.gitcli import commit_file, git
from tests.integration.test_push import TIMEOUT, add_hook, pushed_from_another_clone, seed, upstream
from tests.servers import Remote


def _push(local: Path, *upstreams: Upstream) -> PushResult:
    with Repo(str(local)) as repo:
        return push_branches(repo, "origin", list(upstreams), timeout=TIMEOUT)


def test_the_push_s_own_reasons_are_said_in_german(git_daemon: Remote, tmp_path: Path, german: None) -> None:
    bare, local = seed(git_daemon, tmp_path)
    commit_file(local, "b.txt", "two\n")
    git("branch", "topic", cwd=local)
    onto_main = Upstream("topic", "origin", "refs/heads/main", "refs/remotes/origin/main")

    result = _push(local, upstream("main"), onto_main)

    said = result.rejected["topic"]
    assert said.english() == "another branch is pushed to refs/heads/main"  # the CLI's words
    assert in_language([said]) == "ein anderer Branch wird nach refs/heads/main gepusht"
    pushed_from_another_clone(git_daemon, bare, tmp_path)
    commit_file(local, "c.txt", "three\n")
    moved = _push(local, upstream("main")).rejected["main"]
    assert moved.english() == "non-fast-forward (the remote has new commits)"
    assert in_language([moved]) == "kein Fast-Forward (das Remote hat neue Commits)"


def test_a_server_s_words_stay_as_it_said_them(git_daemon: Remote, tmp_path: Path, german: None) -> None:
    bare, local = seed(git_daemon, tmp_path)
    add_hook(bare, "pre-receive", "echo 'main is frozen' >&2\nexit 1\n")
    commit_file(local, "b.txt", "two\n")

    said = _push(local, upstream("main")).rejected["main"]

    assert said.english().startswith("pre-receive hook declined") and "main is frozen" in said.english()
    assert in_language([said]) == said.english()


def test_a_push_url_past_the_first_that_cannot_be_reached_says_why_in_german(
    git_daemon: Remote, tmp_path: Path, german: None
) -> None:
    """`PushResult.unreached` carries the error's phrase, not its English."""
    _bare, local = seed(git_daemon, tmp_path)
    gone = tmp_path / "unmounted" / "notes.git"
    git("remote", "set-url", "--add", "--push", "origin", git_daemon.url("origin"), cwd=local)
    git("remote", "set-url", "--add", "--push", "origin", str(gone), cwd=local)
    commit_file(local, "b.txt", "two\n")

    result = _push(local, upstream("main"))

    assert result.pushed == ["main"]
    why = result.unreached[str(gone)]
    assert why.english() == f"no git repository at {gone}"  # the CLI's words
    assert in_language([why]) == f"kein git-Repository unter {gone}"
