"""Sparse checkouts: the patterns select the paths git selects, and a sync treats paths outside
the checkout as git's pull and `git add -A` do. git is the referee: the skip-worktree tags
`git sparse-checkout set` leaves (`git ls-files -t`), and a copy of `mine` that does the same
with git."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.worktree.sparse_checkout import sparse_checkout
from tests.core.synced_clones import clones_world, listing, publish, referee_copy, synced
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, porcelain, run
from tests.servers import Remote


@pytest.fixture
def world(path_remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Clones]:
    yield from clones_world(path_remote, tmp_path, capsys)


PATHS = [
    "top.txt",
    "notes.md",
    "A/x.txt",
    "A/B/y.txt",
    "A/B/C/z.md",
    "A/BB/w.txt",
    "A/D/w.txt",
    "E/v.md",
    "E/F/u.txt",
    "E/F/G/t.txt",
    "with space/s.txt",
    "A/with space/r.txt",
]
PATTERNS = {
    "cone": ["--cone", "A/B", "E/F", "with space"],
    "cone-top-only": ["--cone"],
    "non-cone": ["--no-cone", "/*.txt", "A/B/", "!A/B/C/", "*.md", "E/F", "!E/F/G"],
}


@pytest.mark.parametrize("patterns", sorted(PATTERNS))
def test_patterns_include_what_git_checks_out(tmp_path: Path, patterns: str) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    for path in PATHS:
        commit_file(repo, path, f"{path}\n")
    git("sparse-checkout", "set", *PATTERNS[patterns], cwd=repo)
    tags = dict(line.split(" ", 1)[::-1] for line in git("ls-files", "-t", cwd=repo).splitlines())
    assert "S" in tags.values() and "H" in tags.values()
    with Repo(str(repo)) as r:
        sparse = sparse_checkout(r)
    assert sparse is not None
    selected = {path: sparse.includes(path.encode()) for path in PATHS}
    assert selected == {path: tags[path] != "S" for path in PATHS}


def in_cone(world: Clones) -> None:
    """`mine` checks out `in/` (and the top) only."""
    publish(world, {"in/a.txt": "a\n", "out/b.txt": "b\n"})
    synced(world)
    git("sparse-checkout", "set", "--cone", "in", cwd=world.mine)
    assert not (world.mine / "out").exists()


def test_a_file_present_outside_the_cone_is_checked_like_any_other(world: Clones, tmp_path: Path) -> None:
    in_cone(world)
    (world.mine / "out").mkdir()
    (world.mine / "out" / "b.txt").write_text("my own b\n")
    publish(world, {"out/b.txt": "b, theirs\n"})
    referee = referee_copy(world, tmp_path)
    assert git("pull", "-q", "--ff-only", cwd=referee, check=False) == ""
    assert git("rev-parse", "HEAD", cwd=referee) == git("rev-parse", "HEAD", cwd=world.mine)  # git refused
    code, report = world.sync(world.mine)
    assert (code, report["result"]) == (1, "dirty"), report
    assert "out/b.txt" in report["message"]
    assert (world.mine / "out" / "b.txt").read_text() == "my own b\n"


def test_auto_commit_leaves_paths_outside_the_checkout_as_git_add_does(world: Clones, tmp_path: Path) -> None:
    in_cone(world)
    run(world.capsys, "set", "mine", "auto_commit", "true")
    (world.mine / "in" / "mine.txt").write_text("inside\n")
    (world.mine / "out").mkdir()
    (world.mine / "out" / "new.txt").write_text("outside\n")
    referee = referee_copy(world, tmp_path)
    git("add", "-A", cwd=referee, check=False)  # refuses out/new.txt, with advice
    staged = git("diff", "--cached", "--name-only", cwd=referee)
    assert staged == "in/mine.txt"
    report = synced(world)
    assert report["committed"] == 1, report
    assert git("show", "--name-only", "--format=", "HEAD", cwd=world.mine) == staged
    assert (world.mine / "out" / "new.txt").read_text() == "outside\n"
    assert porcelain(world.mine) == "?? out/new.txt"


def test_skip_worktree_without_sparse_checkout_as_git_pull_does(world: Clones, tmp_path: Path) -> None:
    publish(world, {"b.txt": "b\n", "c.txt": "c\n"})
    synced(world)
    git("update-index", "--skip-worktree", "a.txt", "b.txt", cwd=world.mine)
    (world.mine / "a.txt").unlink()  # absent by choice, not deleted
    (world.mine / "b.txt").write_text("b, my local setting\n")  # present: checked as any file
    publish(world, {"a.txt": "a, theirs\n", "c.txt": "c, theirs\n"})
    referee = referee_copy(world, tmp_path)
    git("pull", "-q", "--ff-only", cwd=referee)
    assert synced(world)["fast_forwarded"] == ["main"]
    assert listing(world.mine) == listing(referee)
    assert porcelain(world.mine) == porcelain(referee)
    for name in ("a.txt", "b.txt", "c.txt"):
        assert (world.mine / name).read_text() == (referee / name).read_text()
