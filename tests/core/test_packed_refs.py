"""packed-refs read in one pass into dulwich's own cache, exactly as dulwich reads it.

git writes the files (`git pack-refs --all`, an annotated tag peeled); dulwich's own
parse of the same file, in a fresh `Repo`, is the referee. A file in any other shape is
left to dulwich, and the sync's reads of packed refs (the upstreams, the fetch plan,
the fast-forward's ref move) no longer go through dulwich's line-by-line parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dulwich.refs
import pytest
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.upstreams import tracked_upstreams
from core.git.packed_refs import packed_refs
from core.git.worktree.checkout import switch_branch
from tests.gitcli import commit_file, fsck, git, init_repo, rev_parse


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main with an upstream `origin/main`, release branches, tags (one annotated), all packed."""
    path = tmp_path / "repo"
    init_repo(path)
    commit_file(path, "a.txt", "one\n")
    for name in ("release/1.0", "release/v2.x_y+z", "topic-a"):
        git("branch", name, cwd=path)
    git("tag", "-a", "-m", "v1", "v1.0", cwd=path)
    git("tag", "light", cwd=path)
    git("update-ref", "refs/remotes/origin/main", "HEAD", cwd=path)
    git("config", "branch.main.remote", "origin", cwd=path)
    git("config", "branch.main.merge", "refs/heads/main", cwd=path)
    git("config", "remote.origin.url", str(tmp_path / "nowhere"), cwd=path)
    git("config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*", cwd=path)
    git("pack-refs", "--all", cwd=path)
    return path


def _cache(repo: Repo) -> tuple[object, object, object]:
    refs = repo.refs
    assert isinstance(refs, dulwich.refs.DiskRefsContainer)
    return refs._packed_refs, refs._peeled_refs, refs._packed_refs_key


@pytest.fixture
def dulwich_parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files dulwich's own line-by-line reader parses from now on."""
    parsed: list[str] = []
    original = dulwich.refs.read_packed_refs_with_peeled

    def counted(f):  # type: ignore[no-untyped-def]
        parsed.append(f.name)
        return original(f)

    monkeypatch.setattr(dulwich.refs, "read_packed_refs_with_peeled", counted)
    yield parsed


def test_the_cache_is_dulwichs_own(repo: Path) -> None:
    ours, theirs = Repo(str(repo)), Repo(str(repo))
    found = packed_refs(ours.refs)
    assert found == theirs.refs.get_packed_refs()
    assert _cache(ours) == _cache(theirs)
    assert ours.refs.get_peeled(Ref(b"refs/tags/v1.0")) == ObjectID(rev_parse(repo, "v1.0^{}").encode())
    assert Ref(b"refs/heads/release/v2.x_y+z") in found


def test_a_replaced_file_is_read_again(repo: Path) -> None:
    ours = Repo(str(repo))
    packed_refs(ours.refs)
    git("branch", "later", cwd=repo)
    git("pack-refs", "--all", cwd=repo)
    assert Ref(b"refs/heads/later") in packed_refs(ours.refs)
    theirs = Repo(str(repo))
    theirs.refs.get_packed_refs()
    assert _cache(ours) == _cache(theirs)


@pytest.mark.parametrize(
    "edit",
    [
        lambda data: data.replace(b"\n", b"\r\n"),  # CRLF
        lambda data: data + b"# a comment\n",
        lambda data: data.replace(b"refs/heads/topic-a", "refs/heads/thème".encode()),  # not plain
        lambda data: data.rstrip(b"\n"),  # no newline at the end
        lambda data: b"".join(  # no header (so no peeled lines)
            line for line in data.split(b"\n", 1)[1].splitlines(keepends=True) if not line.startswith(b"^")
        ),
    ],
    ids=["crlf", "comment", "non-ascii-name", "no-final-newline", "no-header"],
)
def test_any_other_shape_is_dulwichs_to_read(repo: Path, edit) -> None:  # type: ignore[no-untyped-def]
    path = repo / ".git" / "packed-refs"
    path.write_bytes(edit(path.read_bytes()))
    ours, theirs = Repo(str(repo)), Repo(str(repo))
    assert packed_refs(ours.refs) == theirs.refs.get_packed_refs()
    assert _cache(ours) == _cache(theirs)


def test_a_bad_file_is_refused_as_dulwich_refuses_it(repo: Path) -> None:
    path = repo / ".git" / "packed-refs"
    path.write_bytes(path.read_bytes() + b"not-an-id refs/heads/x\n")
    with pytest.raises(dulwich.refs.PackedRefsException):
        packed_refs(Repo(str(repo)).refs)


def test_a_fast_forward_reads_packed_refs_in_one_pass(repo: Path, dulwich_parses: list[str]) -> None:
    """The upstreams (the fetch's first read of refs) and the switch's ref move take
    the one-pass read: dulwich's own reader never runs."""
    old = rev_parse(repo, "HEAD")
    git("checkout", "-q", "-b", "ahead", cwd=repo)
    commit_file(repo, "b.txt", "two\n")
    new = rev_parse(repo, "HEAD")
    git("checkout", "-q", "main", cwd=repo)
    git("branch", "-D", "ahead", cwd=repo)
    git("pack-refs", "--all", cwd=repo)
    dulwich_parses.clear()
    opened = Repo(str(repo))
    assert [u.branch for u in tracked_upstreams(opened)] == ["main"]
    fresh = Repo(str(repo))
    switch_branch(fresh, Ref(b"refs/heads/main"), ObjectID(old.encode()), ObjectID(new.encode()))
    assert dulwich_parses == []
    assert rev_parse(repo, "main") == new
    assert git("status", "--porcelain", cwd=repo) == ""
    fsck(repo)
