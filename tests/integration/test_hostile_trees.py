"""A remote whose newest commit holds tree entries that must never be written.

Each commit is built with dulwich's object API from raw tree bytes (names
with `/`, NUL, `..`, `.git`, duplicates), pushed into the bare repository by
hand and served by `git daemon`. With the fetch's own checks switched off
(`fetch.fsckObjects=false`), `gitferry sync` fetches it, then refuses it
with `error`, for a fast-forward and for a merge or rebase (diverged clone): the
branch, index and working tree are as they were, nothing appears outside the
working tree, no lock is left, and once the remote publishes a fix on top
the next sync integrates it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from tests.gitcli import commit_file, git
from tests.integration.clones import porcelain, run
from tests.seeded import seeded_copies
from tests.servers import Remote

Entry = tuple[bytes, int, ObjectID]
FILE, EXEC, LINK, DIR = 0o100644, 0o100755, 0o120000, 0o40000

# The fsck messages a hostile tree earns by design; anything else is a real fault.
HOSTILE_FSCK = (
    "hasDot",
    "hasDotdot",
    "hasDotgit",
    "fullPathname",
    "duplicateEntries",
    "emptyName",
    "badTree",
    "treeNotSorted",
    "zeroPaddedFilemode",
)


class Objects:
    """Write objects straight into a (bare) repository."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo

    def blob(self, data: bytes) -> ObjectID:
        blob = Blob.from_string(data)
        self.repo.object_store.add_object(blob)
        return blob.id

    def tree(self, entries: list[Entry]) -> ObjectID:
        """A tree from raw entries, in git's order, with no validation at all."""
        ordered = sorted(entries, key=lambda e: e[0] + (b"/" if e[1] == DIR else b""))
        raw = b"".join(
            b"%o %s\x00%s" % (mode, name, bytes.fromhex(sha.decode())) for name, mode, sha in ordered
        )
        written = subprocess.run(
            ["git", "hash-object", "--literally", "-t", "tree", "-w", "--stdin"],
            cwd=self.repo.path,
            input=raw,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return ObjectID(written.stdout.strip())

    def entries(self, tree_id: ObjectID) -> list[Entry]:
        tree = self.repo[tree_id]
        assert isinstance(tree, Tree)
        return [(e.path, e.mode, e.sha) for e in tree.items()]

    def commit(self, parent: ObjectID, tree: ObjectID, message: bytes) -> ObjectID:
        commit = Commit()
        commit.tree, commit.parents = tree, [parent]
        commit.author = commit.committer = b"Mallory <m@example.invalid>"
        commit.author_time = commit.commit_time = 1_700_000_000
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = message
        self.repo.object_store.add_object(commit)
        return commit.id


def hostile_entries(objects: Objects, case: str, outside: Path) -> list[Entry]:
    payload = objects.blob(b"pwned\n")
    evil_dir = objects.tree([(b"evil", FILE, payload)])
    to_outside = objects.blob(os.fsencode(outside))
    cases: dict[str, list[Entry]] = {
        "dotdot": [(b"..", DIR, evil_dir)],
        "dotdot_x": [(b"../x", FILE, payload)],
        "deep_dotdot": [(b"../../" + os.fsencode(outside.name) + b"/evil", FILE, payload)],
        "dotgit_config": [(b".git", DIR, objects.tree([(b"config", FILE, payload)]))],
        "DOTGIT_hooks": [
            (b".GIT", DIR, objects.tree([(b"hooks", DIR, objects.tree([(b"x", EXEC, payload)]))]))
        ],
        "absolute": [(os.fsencode(outside / "evil"), FILE, payload)],
        "nul": [(b"evil\x00name", FILE, payload)],
        "slash": [(b"sub/evil", FILE, payload)],
        "symlink_then_dir": [(b"link", LINK, to_outside), (b"link", DIR, evil_dir)],
        "symlink_then_path": [(b"link", LINK, to_outside), (b"link/evil", FILE, payload)],
    }
    return cases[case]


# git's upload-pack refuses to pack a tree that does not parse ("possible repository
# corruption on the remote side"), so such a tree is put into the clone beforehand, as if
# an earlier server had sent it: the fetch then has nothing to receive, moves the tracking
# ref, and integration meets the tree.
UNSERVABLE = {"nul"}

CASES = [
    "dotdot",
    "dotdot_x",
    "deep_dotdot",
    "dotgit_config",
    "DOTGIT_hooks",
    "absolute",
    "nul",
    "slash",
    "symlink_then_dir",
    "symlink_then_path",
]


@dataclass
class World:
    bare: Path
    mine: Path
    outside: Path
    root: Path
    capsys: pytest.CaptureFixture[str]

    def sync(self) -> tuple[int, dict[str, object]]:
        code, doc, err = run(self.capsys, "sync", "mine", "--json")
        assert isinstance(doc, dict), err
        report = doc["repos"][0]
        assert isinstance(report, dict)
        return code, report


@pytest.fixture
def world(git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[World]:
    bare, mine = git_daemon.bare_path("origin"), tmp_path / "mine"
    seeded_copies(bare, git_daemon.url("origin"), (("a.txt", "one\n"), ("keep/b.txt", "two\n")), mine)
    # The fetch would refuse these trees before they reach the store (object_checks,
    # tests/integration/test_hostile_remote.py); with the checks off as git's default
    # has them, these tests reach the working-tree writer's own refusal behind them.
    git("config", "fetch.fsckObjects", "false", cwd=mine)
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    outside = tmp_path / "outside"
    outside.mkdir()
    yield World(bare, mine, outside, tmp_path, capsys)


def publish_hostile(world: World, case: str) -> tuple[ObjectID, list[Entry]]:
    """The remote's main gains a commit with harmless changes and the hostile entries."""
    with Repo(str(world.bare)) as bare:
        objects = Objects(bare)
        head = bare.refs[Ref(b"refs/heads/main")]
        base = [e for e in objects.entries(bare[head].tree) if e[0] != b"a.txt"]  # type: ignore[attr-defined]
        fine = [(b"a.txt", FILE, objects.blob(b"changed\n")), (b"zz.txt", FILE, objects.blob(b"new\n"))]
        hostile = hostile_entries(objects, case, world.outside)
        evil = objects.commit(head, objects.tree(base + fine + hostile), b"hostile\n")
        bare.refs.set_if_equals(Ref(b"refs/heads/main"), head, evil)
    if case in UNSERVABLE:
        copy_objects(world.bare, world.mine, evil)
    return evil, base + fine


def copy_objects(source: Path, target: Path, commit: ObjectID) -> None:
    """Every object of `commit` and its tree, copied loose, unparsed."""
    listed = git("ls-tree", "-r", "-t", "--full-tree", commit.decode(), cwd=source, check=False)
    ids = {commit.decode(), git("rev-parse", f"{commit.decode()}^{{tree}}", cwd=source)}
    ids |= {line.split()[2] for line in listed.splitlines() if len(line.split()) > 2}
    for oid in ids:
        kind = git("cat-file", "-t", oid, cwd=source)
        data = subprocess.run(
            ["git", "cat-file", kind, oid], cwd=source, capture_output=True, check=True, timeout=60
        ).stdout
        subprocess.run(
            ["git", "hash-object", "--literally", "-t", kind, "-w", "--stdin"],
            cwd=target,
            input=data,
            check=True,
            capture_output=True,
            timeout=60,
        )


def publish_fix(world: World, evil: ObjectID, clean: list[Entry], case: str) -> ObjectID:
    """Someone repairs the remote: a commit on top without the hostile entries. A tree
    that git cannot pack at all is deleted and the branch forced past it instead."""
    with Repo(str(world.bare)) as bare:
        objects = Objects(bare)
        parent = evil if case not in UNSERVABLE else bare[evil].parents[0]  # type: ignore[attr-defined]
        fixed = objects.commit(parent, objects.tree(clean), b"remove the hostile entries\n")
        if case in UNSERVABLE:
            for oid in (evil, bare[evil].tree):  # type: ignore[attr-defined]
                (world.bare / "objects" / oid[:2].decode() / oid[2:].decode()).unlink()
        bare.refs.set_if_equals(Ref(b"refs/heads/main"), evil, fixed)
        return fixed


def snapshot(top: Path, skip: tuple[Path, ...] = ()) -> dict[str, object]:
    """Every path under `top` (not following symlinks): file bytes, link targets, modes."""
    seen: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d not in skip]
        for name in dirnames + filenames:
            path = here / name
            if path in skip:
                continue
            key = str(path.relative_to(top))
            if path.is_symlink():
                seen[key] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[key] = ("dir", path.stat().st_mode & 0o777)
            else:
                seen[key] = ("file", path.read_bytes(), path.stat().st_mode & 0o777)
    return seen


def local_state(world: World) -> dict[str, object]:
    """What a refused integration must not change: branches, HEAD, index, working tree, config, hooks."""
    git_dir = world.mine / ".git"
    refs = git(
        "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/gitferry", cwd=world.mine
    )
    return {
        "refs": refs,
        "HEAD": (git_dir / "HEAD").read_bytes(),
        "index": (git_dir / "index").read_bytes(),
        "config": (git_dir / "config").read_bytes(),
        "hooks": snapshot(git_dir / "hooks"),
        "worktree": snapshot(world.mine, skip=(git_dir,)),
        "status": porcelain(world.mine),
    }


def outside_state(world: World) -> dict[str, object]:
    """Everything in the test's directory that is neither the repository's own `.git` nor the seed."""
    return snapshot(world.root, skip=(world.mine, world.root / "seed"))


def fsck_tolerating_hostile_objects(repo: Path) -> None:
    """`git fsck` clean but for the complaints the hostile objects themselves earn."""
    quiet = [arg for msg in HOSTILE_FSCK for arg in ("-c", f"fsck.{msg}=ignore")]
    proc = subprocess.run(
        ["git", *quiet, "fsck", "--no-progress", "--no-dangling"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def assert_no_lock(repo: Path) -> None:
    assert not (repo / ".git" / "gitferry" / "sync.lock").exists()
    assert not list((repo / ".git").rglob("*.lock"))


# Rebase replays local commits with the same tree merger as a merge: a few cases suffice.
REBASE_CASES = ["dotdot", "nul", "symlink_then_dir"]
SCENARIOS = [(case, how) for case in CASES for how in ("fast_forward", "merge")]
SCENARIOS += [(case, "rebase") for case in REBASE_CASES]


@pytest.mark.parametrize(("case", "how"), SCENARIOS)
def test_hostile_tree_is_refused_and_nothing_is_written(world: World, case: str, how: str) -> None:
    if how == "rebase":
        assert run(world.capsys, "remove", "mine")[0] == 0
        assert run(world.capsys, "add", str(world.mine), "--name", "mine", "--strategy", "rebase")[0] == 0
    if how != "fast_forward":
        commit_file(world.mine, "mine.txt", "local work\n")  # diverged: merged or replayed at the root
    evil, clean = publish_hostile(world, case)
    before, before_outside = local_state(world), outside_state(world)

    code, report = world.sync()

    assert code != 0 and report["result"] == "error", report
    message = str(report["message"])
    assert "\n" not in message and ("refusing" in message or "cannot be checked out" in message), message
    assert local_state(world) == before
    assert outside_state(world) == before_outside
    assert list(world.outside.iterdir()) == []
    assert git("rev-parse", "refs/remotes/origin/main", cwd=world.mine) == evil.decode()  # fetched only
    fsck_tolerating_hostile_objects(world.mine)
    assert_no_lock(world.mine)

    fixed = publish_fix(world, evil, clean, case)
    code, report = world.sync()
    assert code == 0 and report["result"] == "ok", report
    assert git("rev-parse", "refs/remotes/origin/main", cwd=world.mine) == git(
        "rev-parse", "HEAD", cwd=world.mine
    )
    upstream = {"fast_forward": "HEAD", "merge": "HEAD^2", "rebase": "HEAD^"}[how]
    assert git("rev-parse", upstream, cwd=world.mine) == fixed.decode()
    if how != "fast_forward":
        assert (world.mine / "mine.txt").read_text() == "local work\n"
    assert (world.mine / "a.txt").read_text() == "changed\n" and (world.mine / "zz.txt").exists()
    assert porcelain(world.mine) == ""
    assert list(world.outside.iterdir()) == []
    fsck_tolerating_hostile_objects(world.mine)
    assert_no_lock(world.mine)


@pytest.mark.parametrize("case", [c for c in CASES if c not in UNSERVABLE])
def test_cloning_a_hostile_tree_is_refused_and_leaves_nothing(
    world: World, git_daemon: Remote, case: str
) -> None:
    publish_hostile(world, case)
    target = world.root / "fresh"
    before_outside = outside_state(world)
    code, _out, err = run(world.capsys, "clone", git_daemon.url("origin"), str(target))
    assert code != 0 and err.strip() and "\n" not in err.strip(), err
    assert not target.exists()  # the clone removed what it had made
    assert outside_state(world) == before_outside and list(world.outside.iterdir()) == []
    code, doc, _err = run(world.capsys, "list", "--json")
    assert isinstance(doc, dict) and [r["name"] for r in doc["repos"]] == ["mine"]  # nothing registered
