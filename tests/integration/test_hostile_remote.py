"""A remote that sends what no git server would, to `gitferry clone` and `gitferry sync`.

`HostileServer` (tests/servers/hostile.py) speaks git:// and answers every fetch
with a pack built here byte by byte (tests/hostile_packs.py): a blob of 4 GiB of
zeros (4 MiB on the wire), the same under a header that says 1 KiB, a delta whose
header says it makes 8 GiB, a delta that says 1 KiB and copies 8 GiB, objects
that together pass `max_inflated_size`, a tree with a duplicate entry (a delta
on the clone's own tree), a mode of no file type, a `.git` entry, a commit with
no author; and a ref named `refs/heads/a..b`.

Each runs the real CLI in a child process and reads its peak RSS from `wait4`:
every refusal ends with exit status 1 and one line, under `RSS_LIMIT`, within the
test's timeout (pytest-timeout, not a duration assertion), and nothing moves: the
clone leaves no folder and registers nothing; the sync leaves refs, `objects/`
(no pack, no `tmp_*`) and the working tree byte-identical and `git fsck` clean.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.gitcli import commit_file, git, rev_parse
from tests.hostile_packs import (
    BLOB,
    COMMIT,
    GIB,
    MIB,
    TREE,
    PackWriter,
    commit_bytes,
    copy,
    delta,
    object_id,
    tree_bytes,
    zero_blob_id,
    zeros_stream,
)
from tests.integration.clones import porcelain, run
from tests.seeded import seeded_copies
from tests.servers.hostile import HostileServer, Stall

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())"]
RSS_LIMIT = 256 * MIB  # the CLI alone peaks at about 65 MiB (imports, store)
PLACEHOLDER = "e" * 40  # an id the pack names but never completes: its refusal comes first
TYPE_NAMES = {COMMIT: "commit", TREE: "tree", BLOB: "blob"}


@dataclass(frozen=True)
class Seed:
    """The remote's history before the hostile commit: every object, and the head's tree."""

    head: str
    tree: str
    objects: tuple[tuple[int, bytes], ...]
    entries: tuple[tuple[bytes, bytes, str], ...]


@dataclass
class PackPlan:
    """Objects in pack order; `write` makes the pack. Deltas name their base by its index."""

    items: list[tuple[Any, ...]] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # where each item landed in the pack

    def whole(self, type_num: int, data: bytes) -> str:
        self.items.append(("whole", type_num, data))
        return object_id(type_num, data)

    def raw(self, type_num: int, size: int, stream: Callable[[], Iterable[bytes]]) -> None:
        self.items.append(("raw", type_num, size, stream))

    def ofs_delta(self, base_index: int, instructions: bytes) -> None:
        self.items.append(("ofs", base_index, instructions))

    def ref_delta(self, base_id: str, instructions: bytes) -> None:
        self.items.append(("ref", base_id, instructions))

    def write(self, path: Path) -> Path:
        writer = PackWriter(path, len(self.items))
        offsets = self.offsets
        for kind, *args in self.items:
            if kind == "whole":
                offsets.append(writer.whole(args[0], args[1]))
            elif kind == "raw":
                offsets.append(writer.raw(args[0], args[1], args[2]()))
            elif kind == "ofs":
                offsets.append(writer.ofs_delta(offsets[args[0]], args[1]))
            else:
                offsets.append(writer.ref_delta(args[0], args[1]))
        return writer.close()


SEED = (("a.txt", "one\n"), ("b.txt", "two\n"))
_read: dict[str, Seed] = {}


def read_seed(path: Path) -> Seed:
    """The history of the repository at `path` (a `seeded_copies` copy: the same in a
    process, read once)."""
    head = rev_parse(path, "HEAD")
    if head not in _read:
        _read[head] = _read_history(path, head)
    return _read[head]


def _read_history(path: Path, head: str) -> Seed:
    tree = git("rev-parse", "HEAD^{tree}", cwd=path)
    listed = git("rev-list", "--objects", "--reverse", "HEAD", cwd=path).splitlines()
    objects = []
    for line in listed:
        oid = line.split()[0]
        kind = git("cat-file", "-t", oid, cwd=path)
        data = subprocess.run(
            ["git", "cat-file", kind, oid], cwd=path, capture_output=True, check=True
        ).stdout
        objects.append(({"commit": COMMIT, "tree": TREE, "blob": BLOB}[kind], data))
    entries = []
    for line in git("ls-tree", "HEAD", cwd=path).splitlines():
        meta, name = line.split("\t")
        mode, _kind, oid = meta.split()
        entries.append((mode.encode(), name.encode(), oid))
    return Seed(head, tree, tuple(objects), tuple(entries))


def hostile_commit(plan: PackPlan, seed: Seed, tree: str, message: bytes = b"hostile\n") -> str:
    return plan.whole(COMMIT, commit_bytes(tree, [seed.head], message))


def with_entry(seed: Seed, entry: tuple[bytes, bytes, str]) -> bytes:
    """The seed's tree and `entry`, in git's order."""
    return tree_bytes(
        sorted([*seed.entries, entry], key=lambda e: e[1] + (b"/" if e[0] == b"40000" else b""))
    )


# Each case: the pack after the seed's objects, and the refs the server advertises.
Build = Callable[[PackPlan, Seed], dict[bytes, str]]


def zlib_bomb(declared: int) -> Build:
    def build(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
        tree = plan.whole(TREE, with_entry(seed, (b"100644", b"zeros.bin", PLACEHOLDER)))
        head = hostile_commit(plan, seed, tree)
        plan.raw(BLOB, declared, lambda: zeros_stream(4 * GIB))
        return {b"refs/heads/main": head}

    return build


def delta_bomb(declared: int) -> Build:
    def build(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
        tree = plan.whole(TREE, with_entry(seed, (b"100644", b"zeros.bin", PLACEHOLDER)))
        head = hostile_commit(plan, seed, tree)
        base = bytes(range(256)) * 256
        plan.whole(BLOB, base)
        at = len(plan.items) - 1
        plan.ofs_delta(at, delta(len(base), declared, [copy(0, 0x10000)] * (8 * GIB // 0x10000)))
        return {b"refs/heads/main": head}

    return build


def many_zeros(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    """Four blobs of 30 MiB of zeros: 120 MiB in all, past a max_inflated_size of 64 MiB."""
    entries = list(seed.entries)
    for n in range(4):
        plan.raw(BLOB, 30 * MIB + n, lambda n=n: zeros_stream(30 * MIB + n))  # type: ignore[misc]
        entries.append((b"100644", b"zeros-%d.bin" % n, PLACEHOLDER))
    tree = plan.whole(TREE, tree_bytes(sorted(entries, key=lambda e: e[1])))
    return {b"refs/heads/main": hostile_commit(plan, seed, tree)}


def bad_tree(entry: tuple[bytes, bytes, str]) -> Build:
    def build(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
        tree = plan.whole(TREE, with_entry(seed, entry))
        return {b"refs/heads/main": hostile_commit(plan, seed, tree)}

    return build


def duplicate_entry(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    """The seed's tree with its first entry twice, sent as a delta on the seed's tree (a
    REF_DELTA, as a thin pack would send it)."""
    original = tree_bytes(seed.entries)
    first = tree_bytes(seed.entries[:1])
    twice = first + original
    tree = object_id(TREE, twice)
    plan.ref_delta(seed.tree, delta(len(original), len(twice), [copy(0, len(first)), copy(0, len(original))]))
    return {b"refs/heads/main": hostile_commit(plan, seed, tree)}


def no_author(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    data = b"tree %s\nparent %s\ncommitter %s\n\nno author\n" % (
        seed.tree.encode(),
        seed.head.encode(),
        b"Mallory <m@example.invalid> 1700000000 +0000",
    )
    return {b"refs/heads/main": plan.whole(COMMIT, data)}


@dataclass(frozen=True)
class Case:
    build: Build
    message: str  # the one line, with {tree} / {commit} for the refused object's id
    settings: tuple[tuple[str, str], ...] = ()


CASES = {
    "zlib bomb": Case(
        zlib_bomb(4 * GIB),
        "the remote sent an object that inflates to 4 GiB, past the limit of 2 GiB "
        "(setting max_object_size): refused, nothing was kept",
    ),
    "zlib bomb lying about its size": Case(
        zlib_bomb(1024),
        "the remote sent a corrupt pack (object at {offset} inflates past its declared 1024 bytes); "
        "nothing was kept",
    ),
    "delta bomb by its header": Case(
        delta_bomb(8 * GIB),
        "the remote sent a delta that expands to 8 GiB, past the limit of 2 GiB (setting max_object_size): "
        "refused, nothing was kept",
    ),
    "delta bomb by its copies": Case(
        delta_bomb(1024),
        "the remote sent a corrupt pack (delta at {offset} does not apply ({reason})); nothing was kept",
    ),
    "objects past max_inflated_size": Case(
        many_zeros,
        "the remote's objects inflate to more than 64 MiB in all (setting max_inflated_size): "
        "refused, nothing was kept",
        (("max_inflated_size", str(64 * MIB)),),
    ),
    "duplicate tree entries": Case(
        duplicate_entry,
        'the remote sent a bad tree {tree}: entry "a.txt" is there twice (duplicateEntries): '
        "refused, nothing was kept",
    ),
    "bad mode": Case(
        bad_tree((b"170000", b"odd", PLACEHOLDER)),
        'the remote sent a bad tree {tree}: entry "odd" has mode 170000, of no file type git knows '
        "(badFilemode): refused, nothing was kept",
    ),
    ".git in a tree": Case(
        bad_tree((b"40000", b".git", PLACEHOLDER)),
        "the remote sent a bad tree {tree}: entry \".git\" is or aliases '.git' (hasDotgit): "
        "refused, nothing was kept",
    ),
    "commit without an author": Case(
        no_author,
        "the remote sent a bad commit {commit}: it has no author line (missingAuthor): "
        "refused, nothing was kept",
    ),
}


@dataclass
class Ran:
    code: int
    out: str
    err: str
    max_rss: int  # bytes


# Starts the CLI and writes its peak RSS once it has exited. A process's peak counts the
# memory it had before exec (Linux keeps the larger of the two), so the CLI must not be
# forked from the test run itself (over 100 MiB); from this small launcher it starts at
# the launcher's size (about 10 MiB), which the figure includes.
LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def run_cli(tmp_path: Path, *args: str) -> Ran:
    """The CLI in a child process, and its peak RSS."""
    out, err, peak = tmp_path / "cli.out", tmp_path / "cli.err", tmp_path / "cli.peak"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(peak), *CLI, *args],
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        code = proc.wait()
    finally:
        if proc.returncode is None:  # the test's timeout interrupted the wait: leave nothing running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return Ran(code, out.read_text(), err.read_text(), int(peak.read_text()) * 1024)


@dataclass
class World:
    tmp_path: Path
    server: HostileServer
    seed: Seed
    mine: Path
    capsys: pytest.CaptureFixture[str]

    def publish(self, case: Case) -> tuple[PackPlan, dict[bytes, str]]:
        plan = PackPlan()
        for type_num, data in self.seed.objects:
            plan.whole(type_num, data)
        refs = case.build(plan, self.seed)
        pack = plan.write(self.tmp_path / "hostile.pack")
        self.server.serve(refs, pack)
        return plan, refs

    def state(self) -> dict[str, object]:
        """Everything a refused fetch must leave as it was."""
        git_dir = self.mine / ".git"
        return {
            "refs": git("for-each-ref", "--format=%(refname) %(objectname) %(symref)", cwd=self.mine),
            "files": {
                str(p.relative_to(git_dir)): p.read_bytes()
                for p in sorted(git_dir.rglob("*"))
                if p.is_file()
                and (p.relative_to(git_dir).parts[0] in ("objects", "refs") or p.parent == git_dir)
            },
            "status": porcelain(self.mine),
        }


@pytest.fixture
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    yield server
    server.stop()


@pytest.fixture
def world(hostile_server: HostileServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> World:
    mine = tmp_path / "mine"
    seeded_copies(tmp_path / "seed.git", hostile_server.url(), SEED, mine)
    seed = read_seed(tmp_path / "seed.git")
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    return World(tmp_path, hostile_server, seed, mine, capsys)


def expected(case: Case, plan: PackPlan, refs: dict[bytes, str], got: str) -> str:
    """The case's line for this pack: the refused tree or commit, the bomb's offset (the
    last object), and for a delta dulwich's own words on why it does not apply."""
    reason = ""
    if "{reason}" in case.message and "does not apply (" in got:
        reason = got.split("does not apply (", 1)[1].rsplit(")); nothing", 1)[0]
    return case.message.format(
        tree=git_tree_of(plan), commit=refs[b"refs/heads/main"], offset=plan.offsets[-1], reason=reason
    )


def git_tree_of(plan: PackPlan) -> str:
    """The id of the tree the commit names (the duplicate case sends it as a delta)."""
    commit = next(item[2] for item in reversed(plan.items) if item[0] == "whole" and item[1] == COMMIT)
    return commit.split(b"\n", 1)[0].removeprefix(b"tree ").decode()


def assert_fsck_clean(repo: Path) -> None:
    git("fsck", "--strict", "--no-progress", "--no-dangling", cwd=repo)


@pytest.mark.parametrize("name", list(CASES))
def test_sync_refuses_and_nothing_moves(world: World, name: str) -> None:
    case = CASES[name]
    for key, value in case.settings:
        assert run(world.capsys, "set", "--global", key, value)[0] == 0
    plan, refs = world.publish(case)
    before = world.state()

    ran = run_cli(world.tmp_path, "sync", "mine", "--json")

    assert ran.code == 1, ran.err
    report = json.loads(ran.out)["repos"][0]
    message = report["message"]
    assert report["result"] == "error"
    assert message == "fetching from origin failed: " + expected(case, plan, refs, message), message
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
    assert world.state() == before
    assert not list((world.mine / ".git" / "objects").rglob("tmp_*"))
    assert not (world.mine / ".git" / "gitferry" / "sync.lock").exists()
    assert_fsck_clean(world.mine)
    assert world.server.fetches == 1


@pytest.mark.parametrize("name", list(CASES))
def test_clone_refuses_and_leaves_nothing(world: World, name: str) -> None:
    case = CASES[name]
    for key, value in case.settings:
        assert run(world.capsys, "set", "--global", key, value)[0] == 0
    plan, refs = world.publish(case)
    target = world.tmp_path / "fresh"

    ran = run_cli(world.tmp_path, "clone", world.server.url(), str(target))

    assert ran.code == 1 and ran.out == "", ran.out
    line = ran.err.strip()
    assert "\n" not in line, ran.err
    # a clone names where it fetched from (the user never named a remote 'origin')
    prefix = f"fetching from {urlsplit(world.server.url()).netloc} failed: "
    message = line.split(prefix, 1)[-1]
    assert line.endswith(prefix + expected(case, plan, refs, message)), line
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
    assert not target.exists()
    code, doc, _err = run(world.capsys, "list", "--json")
    assert code == 0 and [r["name"] for r in doc["repos"]] == ["mine"]


def bad_ref_name(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    tree = plan.whole(TREE, with_entry(seed, (b"100644", b"c.txt", plan.whole(BLOB, b"three\n"))))
    head = hostile_commit(plan, seed, tree, b"a fine commit\n")
    return {b"refs/heads/main": head, b"refs/heads/a..b": head, b"refs/heads/tab\tname": head}


def test_refs_with_invalid_names_are_ignored_with_one_line_each(world: World) -> None:
    """git drops such names from what a remote advertises; so does Gitferry, and says so for
    each name it would have tracked (every branch here), the rest of the fetch going on."""
    assert run(world.capsys, "set", "mine", "tracked_branches", "all")[0] == 0
    _plan, refs = world.publish(Case(bad_ref_name, ""))
    notes = [
        'the remote advertised a ref with an invalid name "refs/heads/a..b": ignored',
        'the remote advertised a ref with an invalid name "refs/heads/tab\\tname": ignored',
    ]

    ran = run_cli(world.tmp_path, "sync", "mine", "--json")

    assert ran.code == 0, ran.err
    report = json.loads(ran.out)["repos"][0]
    assert report["result"] == "ok" and report["notes"] == notes, report
    assert report["message"].endswith("; " + "; ".join(notes)), report["message"]
    head = refs[b"refs/heads/main"]
    assert git("for-each-ref", "--format=%(refname)", "refs/remotes", cwd=world.mine).split() == [
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
    ]
    assert git("rev-parse", "HEAD", "origin/main", cwd=world.mine).split() == [head, head]
    assert porcelain(world.mine) == ""
    assert_fsck_clean(world.mine)

    target = world.tmp_path / "fresh"
    ran = run_cli(world.tmp_path, "clone", world.server.url(), str(target))
    assert ran.code == 0, ran.err
    assert ran.out.strip() == "; ".join([f"cloned {world.server.url()} into {target} as fresh", *notes])
    assert git("for-each-ref", "--format=%(refname)", "refs/remotes", cwd=target).split() == [
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
    ]
    assert_fsck_clean(target)


def large_delta(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    """A 1 GiB blob made by 1,024 copies of a 1 MiB base: within every limit."""
    base = bytes(MIB)
    blob = zero_blob_id(GIB)
    tree = plan.whole(TREE, with_entry(seed, (b"100644", b"large.bin", blob)))
    head = hostile_commit(plan, seed, tree)
    plan.whole(BLOB, base)
    plan.ofs_delta(len(plan.items) - 1, delta(len(base), GIB, [copy(0, MIB - 1), copy(MIB - 1, 1)] * 1024))
    return {b"refs/heads/main": head}


def test_a_large_object_within_the_limits_is_fetched_in_bounded_memory(world: World) -> None:
    plan, refs = world.publish(Case(large_delta, ""))

    ran = run_cli(world.tmp_path, "sync", "mine", "--fetch-only", "--json")

    assert ran.code == 0, ran.err
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
    assert git("rev-parse", "origin/main", cwd=world.mine) == refs[b"refs/heads/main"]
    assert git("cat-file", "-s", zero_blob_id(GIB), cwd=world.mine) == str(GIB)
    assert plan.items[-1][0] == "ofs"


# Servers that never finish (tests/servers/hostile.py `Stall`), against deadlines lowered in
# git's config (the defaults are a minute and more): each transfer is cut within the test's
# timeout, ends 'offline' with one line, and leaves nothing behind.
STALL_LIMITS = {
    "http.lowSpeedLimit": "1000",
    "http.lowSpeedTime": "2",
    "gitferry.advertiseDeadline": "2",
    "gitferry.prepareDeadline": "2",
}
STALL_REASONS = {  # the stalls of a fetch (Stall.PUSH_CHATTER stalls a push: test_quit_final_sync)
    Stall.TRICKLE_PACK: "under 1,000 bytes a second received for 2 s "
    "(git config http.lowSpeedLimit/http.lowSpeedTime)",
    Stall.CHATTER_LINES: "it did not start sending the pack within 2 s",
    Stall.CHATTER_ENDLESS: "it did not start sending the pack within 2 s",
    Stall.ENDLESS_REFS: "it did not list its refs within 2 s",
}


def fine_commit(plan: PackPlan, seed: Seed) -> dict[bytes, str]:
    tree = plan.whole(TREE, with_entry(seed, (b"100644", b"c.txt", plan.whole(BLOB, b"three\n"))))
    return {b"refs/heads/main": hostile_commit(plan, seed, tree, b"a fine commit\n")}


@pytest.mark.timeout(90)
@pytest.mark.parametrize("stall", list(STALL_REASONS))
def test_a_stalling_server_is_cut_and_the_sync_ends_offline(world: World, stall: Stall) -> None:
    for key, value in STALL_LIMITS.items():
        git("config", key, value, cwd=world.mine)
    world.publish(Case(fine_commit, ""))
    world.server.stall = stall
    before = world.state()

    ran = run_cli(world.tmp_path, "sync", "mine", "--json")

    assert ran.code == 1, ran.err
    report = json.loads(ran.out)["repos"][0]
    assert report["result"] == "offline", report
    assert report["message"] == f"origin is too slow: {STALL_REASONS[stall]}; nothing was kept"
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
    assert world.state() == before
    assert not list((world.mine / ".git" / "objects").rglob("tmp_*"))
    assert not (world.mine / ".git" / "gitferry" / "sync.lock").exists()
    assert_fsck_clean(world.mine)


@pytest.mark.timeout(90)
def test_keep_alive_packets_while_the_server_prepares_are_not_a_slow_pack(world: World) -> None:
    """`git daemon` compressing large files sends nothing but upload-pack's keep-alive (an
    empty side-band 1 packet every 5 s) for minutes: the server is still preparing, under
    its phase deadline, not sending a pack below the low-speed limit (a 160 MiB commit of
    scans never reached the other machine: every try was cut after 60 s)."""
    for key, value in STALL_LIMITS.items():
        if key != "gitferry.prepareDeadline":
            git("config", key, value, cwd=world.mine)
    _plan, refs = world.publish(Case(fine_commit, ""))
    world.server.stall = Stall.KEEPALIVE
    world.server.keepalive_for = 4.0  # twice the low-speed window

    ran = run_cli(world.tmp_path, "sync", "mine", "--fetch-only", "--json")

    assert ran.code == 0, ran.out + ran.err
    assert git("rev-parse", "origin/main", cwd=world.mine) == refs[b"refs/heads/main"]
    assert_fsck_clean(world.mine)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("stall", list(STALL_REASONS))
def test_a_stalling_server_is_cut_and_the_clone_leaves_nothing(world: World, stall: Stall) -> None:
    for key, value in STALL_LIMITS.items():
        git("config", "--global", key, value)
    world.publish(Case(fine_commit, ""))
    world.server.stall = stall
    target = world.tmp_path / "fresh"

    ran = run_cli(world.tmp_path, "clone", world.server.url(), str(target))

    assert ran.code == 1 and ran.out == "", ran.out
    assert ran.err.count("\n") == 1, ran.err
    assert ran.err.strip().endswith(f"origin is too slow: {STALL_REASONS[stall]}; nothing was kept"), ran.err
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
    assert not target.exists()
    code, doc, _err = run(world.capsys, "list", "--json")
    assert code == 0 and [r["name"] for r in doc["repos"]] == ["mine"]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("size", [0, 32 * MIB])
def test_a_push_the_server_never_reads_or_answers_is_cut(world: World, size: int) -> None:
    """The server lists its refs and then neither reads the pack nor answers: a small pack
    fits in the socket's buffers and waits for a verdict (the verdict deadline), a large
    one stops moving (the low-speed limit)."""
    for key, value in {**STALL_LIMITS, "gitferry.verdictDeadline": "2"}.items():
        git("config", key, value, cwd=world.mine)
    world.server.serve({b"refs/heads/main": world.seed.head}, None)
    (world.mine / "big.bin").write_bytes(os.urandom(size))  # incompressible
    commit_file(world.mine, "c.txt", "local\n")
    git("add", "big.bin", cwd=world.mine)
    git("commit", "-q", "--amend", "--no-edit", cwd=world.mine)
    local = git("rev-parse", "HEAD", cwd=world.mine)

    ran = run_cli(world.tmp_path, "sync", "mine", "--json")

    assert ran.code == 1, ran.err
    report = json.loads(ran.out)["repos"][0]
    reason = (
        "under 1,000 bytes a second sent for 2 s (git config http.lowSpeedLimit/http.lowSpeedTime); "
        "nothing was pushed"
        if size
        else "it did not answer the push within 2 s; the next sync sees whether the remote took the push"
    )
    assert report["result"] == "offline", report
    assert report["message"] == f"not pushed: origin is too slow: {reason}", report
    assert world.server.pushes == 1
    assert git("rev-parse", "HEAD", "origin/main", cwd=world.mine).split() == [local, world.seed.head]
    assert porcelain(world.mine) == ""
    assert not (world.mine / ".git" / "gitferry" / "sync.lock").exists()
    assert ran.max_rss < RSS_LIMIT, f"peak RSS {ran.max_rss / MIB:.0f} MiB"
