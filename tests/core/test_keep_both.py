"""Keeping both sides of a conflict (auto-commit repositories), with the git CLI as the referee.

A bare remote and two clones: `theirs` pushes, `mine` commits and fetches with
git, then `integrate_current(..., keep_both=...)` merges. Each conflict kind
the merge knows must end in a merge commit whose tree holds the remote's entry
at the path and ours, unchanged (same mode, same object), beside it as a
conflict copy; the working tree matches it and `git fsck` is clean.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.merge.conflict_copies import ConflictCopy, KeepBoth, copies_present, copy_name, is_copy
from core.git.merge.integrate import Conflict, Strategy, integrate_current
from tests.gitcli import fsck, git, rev_parse

WHEN = datetime(2026, 11, 21, 17, 4)
HOST = "testhost"
STAMP = "(conflict testhost 2026-11-21 1704)"

Change = str | bytes | tuple[str, str] | None  # text, binary, ("link"|"exec", text), deleted


def test_copy_names() -> None:
    def name(n: str, counter: int = 1, is_dir: bool = False) -> str:
        return copy_name(n.encode(), HOST, WHEN, counter=counter, is_dir=is_dir).decode()

    assert name("notes.txt") == f"notes {STAMP}.txt"
    assert name("archive.tar.gz") == f"archive.tar {STAMP}.gz"
    assert name("Makefile") == f"Makefile {STAMP}"
    assert name(".env") == f".env {STAMP}"
    assert name(".config.yml") == f".config {STAMP}.yml"
    assert name("v1.0", is_dir=True) == f"v1.0 {STAMP}"
    assert name("notes.txt", counter=3) == "notes (conflict testhost 2026-11-21 1704 3).txt"
    long = name("é" * 200 + ".md")
    assert len(long.encode()) <= 255 and long.endswith(f"{STAMP}.md")  # cut on a character boundary
    assert all(is_copy(f"dir/{name(n, c)}") for n in ("a.txt", ".env", "x") for c in (1, 2))
    # A copy of a copy is named from the original name (a label, not a label after a label).
    assert name(f"notes {STAMP}.txt", counter=2) == "notes (conflict testhost 2026-11-21 1704 2).txt"
    older = "notes (conflict vm 2026-11-20 0731) (conflict vm 2026-11-20 0731 2).txt"
    assert name(older) == f"notes {STAMP}.txt"
    assert name(f".env {STAMP}") == f".env {STAMP}" and name(f"v1.0 {STAMP}", is_dir=True) == f"v1.0 {STAMP}"
    assert name(f"x {STAMP}.d", is_dir=True) == f"x {STAMP}.d {STAMP}"  # a directory's label is at its end
    assert name(f"{STAMP}.txt") == f"{STAMP} {STAMP}.txt"  # nothing before the label: kept as it is
    assert not is_copy("a.txt") and not is_copy("notes (conflict).txt")


def test_copies_present_lists_only_copies_still_in_the_worktree(tmp_path: Path) -> None:
    (tmp_path / f"a {STAMP}.txt").write_text("x")
    listed = [f"a {STAMP}.txt", f"b {STAMP}.txt", "a.txt"]
    (tmp_path / "a.txt").write_text("x")
    assert copies_present(str(tmp_path), listed) == [f"a {STAMP}.txt"]


@dataclass
class World:
    bare: Path
    mine: Path
    theirs: Path

    def push_theirs(self, changes: dict[str, Change]) -> str:
        """`theirs` commits `changes` and pushes them to the remote."""
        sha = apply(self.theirs, changes, "theirs")
        git("push", "-q", "origin", "main", cwd=self.theirs)
        return sha

    def integrate(self, strategy: Strategy = Strategy.MERGE, *, keep_both: bool = True) -> list[ConflictCopy]:
        git("fetch", "-q", "origin", cwd=self.mine)
        with Repo(str(self.mine)) as repo:
            keep = KeepBoth.in_worktree(str(self.mine), host=HOST) if keep_both else None
            if keep is not None:
                keep = KeepBoth(keep.host, WHEN, keep.taken)
            done = integrate_current(repo, strategy, keep_both=keep)
        return done.copies


def apply(repo: Path, changes: dict[str, Change], message: str) -> str:
    """Write `changes` into the working tree and commit them all with git."""
    for name, value in changes.items():
        path = repo / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        if value is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, tuple):
            kind, text = value
            if kind == "link":
                os.symlink(text, path)
            else:
                path.write_text(text)
                path.chmod(0o755)
        elif isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_text(value)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", message, cwd=repo)
    return rev_parse(repo, "HEAD")


def entry(repo: Path, rev: str, path: str) -> tuple[str, str] | None:
    """(mode, object id) of `path` in `rev`'s tree, as `git ls-tree` shows it."""
    out = git("ls-tree", "-z", rev, "--", path, cwd=repo).rstrip("\0")
    if not out:
        return None
    mode, _kind, rest = out.split(" ", 2)
    return mode, rest.split("\t", 1)[0]


def make_world(tmp_path: Path, base: dict[str, Change]) -> World:
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    git("init", "-q", "-b", "main", str(seed))
    apply(seed, {"seed.txt": "seed\n", **base}, "base")
    git("push", "-q", str(bare), "main", cwd=seed)
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for clone in (mine, theirs):
        git("clone", "-q", str(bare), str(clone))
    return World(bare, mine, theirs)


@dataclass(frozen=True)
class Kind:
    name: str
    base: dict[str, Change]
    mine: dict[str, Change]
    theirs: dict[str, Change]
    copies: dict[str, str | None]  # conflicted path -> its copy (None: the modified side kept)
    extra: dict[str, Change] = field(default_factory=dict)


KINDS = [
    Kind(
        "content",
        {"a.txt": "one\ntwo\nthree\n"},
        {"a.txt": "one\nMINE\nthree\n"},
        {"a.txt": "one\nTHEIRS\nthree\n"},
        {"a.txt": f"a {STAMP}.txt"},
    ),
    Kind(
        "binary",
        {"img.bin": b"\0base\x89"},
        {"img.bin": b"\0mine\xff"},
        {"img.bin": b"\0theirs\xfe"},
        {"img.bin": f"img {STAMP}.bin"},
    ),
    Kind("add/add", {}, {"new.txt": "mine\n"}, {"new.txt": "theirs\n"}, {"new.txt": f"new {STAMP}.txt"}),
    Kind("dotfile", {".env": "A=1\n"}, {".env": "A=2\n"}, {".env": "A=3\n"}, {".env": f".env {STAMP}"}),
    Kind(
        "nested, no extension",
        {"docs/README": "x\n"},
        {"docs/README": "mine\n"},
        {"docs/README": "theirs\n"},
        {"docs/README": f"docs/README {STAMP}"},
    ),
    Kind("modify/delete", {"a.txt": "one\n"}, {"a.txt": "one\nmine\n"}, {"a.txt": None}, {"a.txt": None}),
    Kind("delete/modify", {"a.txt": "one\n"}, {"a.txt": None}, {"a.txt": "one\ntheirs\n"}, {"a.txt": None}),
    Kind("file/directory", {}, {"d": "a file\n"}, {"d/x.txt": "in a directory\n"}, {"d": f"d {STAMP}"}),
    Kind(
        "directory/file",
        {"v1.0/old.txt": "old\n"},
        {"v1.0/old.txt": "old, edited here\n", "v1.0/new.txt": "new\n"},
        {"v1.0/old.txt": None, "v1.0": "now a file\n"},
        {"v1.0": f"v1.0 {STAMP}"},
    ),
    Kind(
        "symlink targets",
        {"link": ("link", "a.txt")},
        {"link": ("link", "b.txt")},
        {"link": ("link", "c.txt")},
        {"link": f"link {STAMP}"},
    ),
    Kind(
        "symlink against file",
        {"s.txt": "text\n"},
        {"s.txt": ("link", "seed.txt")},
        {"s.txt": "text, edited\n"},
        {"s.txt": f"s {STAMP}.txt"},
    ),
    Kind(
        "mode", {}, {"run.sh": ("exec", "echo hi\n")}, {"run.sh": "echo hi\n"}, {"run.sh": f"run {STAMP}.sh"}
    ),
    Kind(
        "mode and content",
        {"run.sh": "echo\n"},
        {"run.sh": ("exec", "echo mine\n")},
        {"run.sh": "echo theirs\n"},
        {"run.sh": f"run {STAMP}.sh"},
    ),
    Kind(
        "copy name taken in the tree",
        {f"a {STAMP}.txt": "an earlier copy\n", "a.txt": "one\n"},
        {"a.txt": "mine\n"},
        {"a.txt": "theirs\n"},
        {"a.txt": "a (conflict testhost 2026-11-21 1704 2).txt"},
    ),
    # Two clones on one host made the same copy in the same minute: the copy of that copy
    # is numbered from the original name, not labelled twice.
    Kind(
        "copy of a copy",
        {"a.txt": "one\n"},
        {f"a {STAMP}.txt": "mine's copy\n"},
        {f"a {STAMP}.txt": "their copy\n"},
        {f"a {STAMP}.txt": "a (conflict testhost 2026-11-21 1704 2).txt"},
    ),
    Kind(
        "copy of an older copy",
        {"a.txt": "one\n"},
        {"a (conflict vm 2026-11-20 0731).txt": "mine's copy\n"},
        {"a (conflict vm 2026-11-20 0731).txt": "their copy\n"},
        {"a (conflict vm 2026-11-20 0731).txt": f"a {STAMP}.txt"},
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_conflict_kind_keeps_both_sides(tmp_path: Path, kind: Kind) -> None:
    world = make_world(tmp_path, kind.base)
    theirs = world.push_theirs({**kind.theirs, "theirs-only.txt": "clean\n"})
    mine = apply(world.mine, {**kind.mine, "mine-only.txt": "clean\n"}, "mine")

    copies = world.integrate()

    head = rev_parse(world.mine, "HEAD")
    assert git("rev-list", "--parents", "-n1", "HEAD", cwd=world.mine).split()[1:] == [mine, theirs]
    assert sorted((c.path, c.copy) for c in copies) == sorted(kind.copies.items())
    for path, copy in kind.copies.items():
        if copy is None:  # modify/delete: whichever side modified it is at the path
            modified = mine if kind.mine[path] is not None else theirs
            assert entry(world.mine, head, path) == entry(world.mine, modified, path)
            continue
        assert entry(world.mine, head, path) == entry(world.mine, theirs, path)
        assert entry(world.mine, head, copy) == entry(world.mine, mine, path)
    for name in ("mine-only.txt", "theirs-only.txt", "seed.txt"):
        assert entry(world.mine, head, name) is not None
    assert git("status", "--porcelain", cwd=world.mine) == ""
    assert "conflict" in git("log", "-1", "--format=%B", cwd=world.mine) or None in kind.copies.values()
    fsck(world.mine)


def test_worktree_holds_both_versions(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"notes/a.md": "one\n"})
    world.push_theirs({"notes/a.md": "theirs\n"})
    apply(world.mine, {"notes/a.md": "mine\n"}, "mine")
    world.integrate()
    assert (world.mine / "notes/a.md").read_text() == "theirs\n"
    assert (world.mine / f"notes/a {STAMP}.md").read_text() == "mine\n"


def test_untracked_file_at_the_copy_name_gets_a_counter(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"a.txt": "one\n"})
    world.push_theirs({"a.txt": "theirs\n"})
    apply(world.mine, {"a.txt": "mine\n"}, "mine")
    (world.mine / f"a {STAMP}.txt").write_text("someone's untracked file\n")
    copies = world.integrate()
    assert [c.copy for c in copies] == ["a (conflict testhost 2026-11-21 1704 2).txt"]
    assert (world.mine / f"a {STAMP}.txt").read_text() == "someone's untracked file\n"
    assert git("show", "HEAD:a (conflict testhost 2026-11-21 1704 2).txt", cwd=world.mine) == "mine"


def test_rebase_that_would_conflict_merges_keeping_both(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"a.txt": "one\n"})
    world.push_theirs({"a.txt": "theirs\n"})
    apply(world.mine, {"b.txt": "clean change first\n"}, "mine 1")
    mine = apply(world.mine, {"a.txt": "mine\n"}, "mine 2")
    copies = world.integrate(Strategy.REBASE)
    assert [c.copy for c in copies] == [f"a {STAMP}.txt"]
    assert git("rev-parse", "HEAD^1", cwd=world.mine) == mine  # a merge: local commits kept as they were
    assert git("show", "HEAD:a.txt", cwd=world.mine) == "theirs"
    fsck(world.mine)


def test_rebase_without_conflict_still_rebases(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"a.txt": "one\n"})
    world.push_theirs({"a.txt": "theirs\n"})
    apply(world.mine, {"b.txt": "mine\n"}, "mine")
    assert world.integrate(Strategy.REBASE) == []
    assert git("rev-list", "--count", "--merges", "HEAD", cwd=world.mine) == "0"


def test_without_keep_both_a_conflict_changes_nothing(tmp_path: Path) -> None:
    world = make_world(tmp_path, {"a.txt": "one\n"})
    world.push_theirs({"a.txt": "theirs\n"})
    mine = apply(world.mine, {"a.txt": "mine\n"}, "mine")
    with pytest.raises(Conflict) as caught:
        world.integrate(keep_both=False)
    assert caught.value.paths == ["a.txt"]
    assert rev_parse(world.mine, "HEAD") == mine and git("status", "--porcelain", cwd=world.mine) == ""


def test_submodules_changed_on_both_sides_still_conflict(tmp_path: Path) -> None:
    world = make_world(tmp_path, {})
    for clone, target in ((world.theirs, "1" * 40), (world.mine, "2" * 40)):
        git("update-index", "--add", "--cacheinfo", f"160000,{target},sub", cwd=clone)
        git("commit", "-q", "-m", "submodule", cwd=clone)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    head = rev_parse(world.mine, "HEAD")
    with pytest.raises(Conflict) as caught:
        world.integrate()
    assert caught.value.paths == ["sub"]
    assert rev_parse(world.mine, "HEAD") == head
