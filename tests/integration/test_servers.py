"""The server fixtures themselves, with the git CLI as the client."""

from __future__ import annotations

from pathlib import Path

from tests.gitcli import commit_file, git, rev_parse
from tests.servers import Remote


def test_clone_push_fetch(remote: Remote, tmp_path: Path) -> None:
    bare = remote.create("origin")
    url = remote.url("origin")

    first = tmp_path / "first"
    git("clone", "-q", url, str(first))
    sha = commit_file(first, "a.txt", "one\n")
    git("push", "-q", "origin", "main", cwd=first)
    assert rev_parse(bare, "refs/heads/main") == sha

    second = tmp_path / "second"
    git("clone", "-q", url, str(second))
    assert rev_parse(second, "HEAD") == sha

    newer = commit_file(first, "b.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=first)
    git("fetch", "-q", "origin", cwd=second)
    assert rev_parse(second, "refs/remotes/origin/main") == newer
