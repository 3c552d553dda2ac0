"""Auto mode end to end: two machines (two clones, each with its own GITFERRY_HOME and
its own `gitferry daemon` process) of one `git daemon` remote on loopback.

The bound an edit takes to reach the other machine's disk: the settle time, plus the
saving machine's sync (commit and push), plus the other machine's `fetch_interval`
(its backstop sync is what brings it; 1 s here). The tests wait for the thing itself,
with a generous cap, and never time it (`python -m bench.auto_sync` does)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import string
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gitcli import commit_file, fsck, git
from tests.integration.auto_machines import (
    Machine,
    lone_machine,
    machine,
    remote_head,
    seeded_remote,
    wait_until,
)
from tests.servers import Remote
from tests.waiting import CAP


@pytest.fixture
def pair(git_daemon: Remote, tmp_path: Path) -> Iterator[tuple[Machine, Machine]]:
    url = seeded_remote(git_daemon, tmp_path)
    a, b = machine(tmp_path, "a", url), machine(tmp_path, "b", url)
    a.start()
    b.start()
    try:
        yield a, b
    finally:
        for m in (a, b):
            m.kill()
    for m in (a, b):
        fsck(m.tree)


def clean(m: Machine) -> bool:
    return git("status", "--porcelain", "--untracked-files=all", cwd=m.tree) == ""


def converged(a: Machine, b: Machine) -> bool:
    """Both trees committed, equal, and at the remote's head."""
    if not (clean(a) and clean(b)):
        return False
    heads = {git("rev-parse", "HEAD", cwd=m.tree) for m in (a, b)}
    remote = {git("ls-remote", "origin", "refs/heads/main", cwd=a.tree).split()[0]}
    return len(heads) == 1 and heads == remote and a.files() == b.files()


@pytest.mark.slow
def test_an_edit_saved_on_one_machine_reaches_the_other_by_itself(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    (a.tree / "todo.md").write_text("buy milk\n")
    wait_until(lambda: (b.tree / "todo.md").exists(), "A's new file on B's disk", [a, b])
    assert (b.tree / "todo.md").read_text() == "buy milk\n"
    (b.tree / "todo.md").write_text("buy milk\nand bread\n")
    os.remove(b.tree / "readme.txt")
    wait_until(lambda: not (a.tree / "readme.txt").exists(), "B's deletion on A's disk", [a, b])
    wait_until(lambda: converged(a, b), "both machines equal", [a, b])
    assert (a.tree / "todo.md").read_text() == "buy milk\nand bread\n"
    for m in (a, b):
        err = m.stop()
        assert "stopped" in err


NAMES = ["n1.md", "n2.md", "sub/n3.md"]

_edit = st.tuples(st.just("write"), st.sampled_from(NAMES))
_delete = st.tuples(st.just("delete"), st.sampled_from(NAMES))
_rename = st.tuples(st.just("rename"), st.sampled_from(NAMES), st.sampled_from(NAMES))
_ops = st.lists(st.one_of(_edit, _edit, _delete, _rename), min_size=1, max_size=4)


def apply(m: Machine, ops: list[tuple[str, ...]], round_no: int, expected: dict[str, str]) -> None:
    """Carry `ops` out on `m`'s tree; `expected` gets, per path, the content this side
    leaves there (each write is a unique line): what must survive the sync somewhere."""
    for n, op in enumerate(ops):
        path = m.tree / op[1]
        if op[0] == "write":
            tail = "".join(reversed(string.ascii_lowercase[: n + 3]))
            content = f"{m.name} round {round_no} op {n} {tail}\n"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            expected[op[1]] = content
        elif op[0] == "delete" and path.exists():
            path.unlink()
            expected.pop(op[1], None)
        elif op[0] == "rename" and path.exists() and op[1] != op[2]:
            target = m.tree / op[2]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved = expected.pop(op[1], None)
            expected.pop(op[2], None)
            if moved is not None:
                expected[op[2]] = moved


@pytest.mark.slow
def test_random_edits_on_both_machines_end_equal_with_nothing_lost(pair: tuple[Machine, Machine]) -> None:
    """Each round both machines edit at once (same files, different ones, deletes,
    renames), then their daemons sync by themselves: both trees end equal, and every
    version a side left is there, at its path or in a conflict copy."""
    a, b = pair
    wait_until(lambda: converged(a, b), "both machines start equal", [a, b])
    rounds = iter(range(1000))

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(ops_a=_ops, ops_b=_ops)
    def round_of_edits(ops_a: list[tuple[str, ...]], ops_b: list[tuple[str, ...]]) -> None:
        number = next(rounds)
        left: dict[str, str] = {}
        left_b: dict[str, str] = {}
        apply(a, ops_a, number, left)
        apply(b, ops_b, number, left_b)
        wait_until(lambda: converged(a, b), f"round {number}: both machines equal", [a, b])
        contents = "".join(data.decode() for data in a.files().values())
        for side, written in (("a", left), ("b", left_b)):
            for path, content in written.items():
                assert content in contents, f"round {number}: {side}'s {path} ({content!r}) lost"

    round_of_edits()
    for m in (a, b):
        m.stop()
    assert converged(a, b)


@pytest.fixture
def lone(git_daemon: Remote, tmp_path: Path) -> Iterator[Machine]:
    yield from lone_machine(git_daemon, tmp_path)


def pushed_all(m: Machine) -> bool:
    return clean(m) and remote_head(m) == git("rev-parse", "HEAD", cwd=m.tree)


RECORD = re.compile(r"BEGIN (\d+) \.\.\. END \1")


@pytest.mark.slow
def test_a_file_being_appended_to_is_never_committed_torn(lone: Machine) -> None:
    """A writer appends records in two writes each (a half record between them, for a few
    milliseconds) for longer than the longest settle delay: the syncs meanwhile commit the
    log from verified snapshots (a state that stood still through the read), and every
    version of it ever committed holds whole records."""
    m = lone
    wait_until(lambda: m.results() and pushed_all(m), "the start-up sync", [m])
    start = remote_head(m)
    (m.tree / "other.txt").write_text("synced while the log is written\n")
    log_path = m.tree / "log.txt"
    n = 0
    with log_path.open("a") as log:
        deadline = time.monotonic() + CAP
        moved_at: int | None = None
        while moved_at is None or n < moved_at + 40:  # on until a sync went out, then 40 more
            log.write(f"BEGIN {n} ")
            log.flush()
            time.sleep(0.002)  # a half record stands far less than a snapshot's `STILL`
            log.write(f"... END {n}\n")
            log.flush()
            time.sleep(0.048)
            n += 1
            if moved_at is None and n % 10 == 0 and remote_head(m) != start:
                moved_at = n
            assert time.monotonic() < deadline, "no sync while the log was being written"
    wait_until(lambda: pushed_all(m), "the log synced once still", [m])
    versions = git("log", "--format=%H", "origin/main", "--", "log.txt", cwd=m.tree).split()
    assert versions
    for sha in versions:
        text = git("show", f"{sha}:log.txt", cwd=m.tree) + "\n"
        lines = text.splitlines()
        assert all(RECORD.fullmatch(line) for line in lines), (sha, lines[-2:])
    assert git("show", "origin/main:log.txt", cwd=m.tree).count("END") == n


@pytest.mark.slow
def test_a_thousand_files_written_at_once_are_one_or_two_commits(lone: Machine) -> None:
    m = lone
    wait_until(lambda: m.results() and pushed_all(m), "the start-up sync", [m])
    before = int(git("rev-list", "--count", "HEAD", cwd=m.tree))
    for i in range(1000):
        folder = m.tree / f"batch{i % 10}"
        folder.mkdir(exist_ok=True)
        (folder / f"file{i}.txt").write_text(f"file {i}\n")
    wait_until(lambda: pushed_all(m), "the burst synced", [m], cap=2 * CAP)
    made = int(git("rev-list", "--count", "HEAD", cwd=m.tree)) - before
    assert 1 <= made <= 2, made
    assert int(git("ls-tree", "-r", "--name-only", "HEAD", cwd=m.tree).count("\n")) + 1 == 1001


@pytest.mark.slow
def test_a_conflict_without_auto_commit_stops_integrating_but_not_fetching(
    git_daemon: Remote, tmp_path: Path
) -> None:
    """B is in auto mode without auto-commit: its own commit conflicting with A's stops
    its integration (fetches go on, nothing merged), until its user resolves it and
    syncs; then it syncs by itself again."""
    url = seeded_remote(git_daemon, tmp_path)
    a = machine(tmp_path, "a", url)
    b = machine(tmp_path, "b", url)
    b.cli("set", "b", "auto_commit", "false")
    b.cli("set", "b", "sync_mode", "auto")
    machines = [a, b]
    try:
        a.start()
        (b.tree / "readme.txt").write_text("B's version\n")
        git("commit", "-q", "-am", "B edits the readme", cwd=b.tree)
        b_head = git("rev-parse", "HEAD", cwd=b.tree)
        (a.tree / "readme.txt").write_text("A's version\n")
        wait_until(lambda: pushed_all(a), "A's edit pushed", [a])
        b.start()
        wait_until(lambda: "conflict" in b.results(), "B meets the conflict", machines)
        (a.tree / "later.txt").write_text("pushed after the conflict\n")
        wait_until(lambda: pushed_all(a), "A's later file pushed", machines)
        a_head = git("rev-parse", "HEAD", cwd=a.tree)
        wait_until(lambda: git("rev-parse", "origin/main", cwd=b.tree) == a_head, "B still fetches", machines)
        assert git("rev-parse", "HEAD", cwd=b.tree) == b_head  # nothing integrated
        assert not (b.tree / "later.txt").exists()
        # Then fetches only: no sync meets the conflict again; the fetch that brought A's
        # later file says so, and that the conflict stands (never "up_to_date").
        conflicts = lambda: [e for e in b.entries() if e["result"] == "conflict"]  # noqa: E731
        wait_until(lambda: len(conflicts()) == 2, "B's fetch tells what came in", machines)
        met, fetched = conflicts()
        assert fetched["fetched_refs"] == ["origin/main"], fetched
        assert fetched["message"].startswith("fetched origin/main (") and fetched["message"].endswith(
            f"; {met['message']}"
        )
        assert "up_to_date" not in b.results()[b.results().index("conflict") :]
        assert "have diverged" in git("status", cwd=b.tree)
        git("merge", "-q", "origin/main", cwd=b.tree, check=False)  # the user resolves it
        git("checkout", "--theirs", "readme.txt", cwd=b.tree)
        git("commit", "-q", "-am", "resolved", cwd=b.tree)
        wait_until(lambda: b.try_cli("sync", "b"), "the user's sync", machines)
        (b.tree / "after.txt").write_text("B again\n")
        git("add", "after.txt", cwd=b.tree)
        git("commit", "-q", "-m", "B goes on", cwd=b.tree)
        wait_until(lambda: (a.tree / "after.txt").exists(), "B syncs by itself again", machines)
    finally:
        killed(machines)
    for m in machines:
        fsck(m.tree)


@pytest.mark.slow
def test_a_commit_made_with_git_is_pushed_without_waiting_for_the_interval(
    git_daemon: Remote, tmp_path: Path
) -> None:
    """A user trial: auto mode without auto-commit, a commit made with git (the editor's
    git integration): the tree is clean again at once, so the watcher's change cost no
    sync (nothing pending) and the commit waited for the interval backstop (5 minutes by
    default), the window saying "Up to date" of a branch git called 1 ahead. Now the
    branch that moved outside a sync is synced at once."""
    url = seeded_remote(git_daemon, tmp_path)
    m = machine(tmp_path, "a", url, settle=0.3, settle_max=1.0, interval=3600)  # no backstop here
    m.cli("set", "a", "auto_commit", "false")
    m.cli("set", "a", "sync_mode", "auto")
    try:
        m.start()
        wait_until(lambda: m.results() != [], "the start-up sync", [m])
        commit_file(m.tree, "note.md", "written in an editor, committed with git\n")
        assert clean(m)
        wait_until(lambda: pushed_all(m), "the commit pushed", [m], cap=30)
    finally:
        m.kill()
    fsck(m.tree)


@pytest.mark.slow
def test_a_change_staged_with_git_is_pushed_without_waiting_for_the_interval(
    git_daemon: Remote, tmp_path: Path
) -> None:
    """A user trial: `git mv` (and `git rm`) in an auto-commit notes folder: git updates
    the index with the tree, so the working tree agrees with the index and the stat look
    before a sync found nothing to commit: the rename waited for the interval backstop
    (5 minutes by default; `git status` said "renamed" meanwhile). Now what is staged
    counts."""
    url = seeded_remote(git_daemon, tmp_path)
    m = machine(tmp_path, "a", url, settle=0.3, settle_max=1.0, interval=3600)  # no backstop here
    try:
        m.start()
        wait_until(lambda: m.results() != [], "the start-up sync", [m])
        git("mv", "readme.txt", "README.txt", cwd=m.tree)
        assert git("status", "--porcelain", cwd=m.tree) == "R  readme.txt -> README.txt"
        wait_until(lambda: pushed_all(m), "the rename pushed", [m], cap=30)
        assert git("ls-tree", "--name-only", "HEAD", cwd=m.tree) == "README.txt"  # = the remote's
    finally:
        m.kill()
    fsck(m.tree)


def state_of(m: Machine) -> str:
    """The repository's published state, as `gitferry status --json` reads it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        m.cli("status", "--json")
    return str(json.loads(out.getvalue())["repos"][0]["state"])


@pytest.mark.slow
def test_a_pause_from_the_command_line_reaches_the_running_daemon(lone: Machine) -> None:
    """`gitferry pause NAME`, run beside the daemon, holds the daemon's repository (it
    publishes `paused`); `gitferry resume NAME` lets it go, and what was written during
    the pause is synced."""
    m = lone
    wait_until(lambda: m.results() and pushed_all(m), "the start-up sync", [m])
    m.cli("pause", "a", "--for", "2h")
    wait_until(lambda: state_of(m) == "paused", "the daemon holds it paused", [m])
    (m.tree / "while-paused.txt").write_text("written during the pause\n")
    before = remote_head(m)
    m.cli("resume", "a")
    wait_until(lambda: state_of(m) == "idle" and pushed_all(m), "synced once resumed", [m])
    assert remote_head(m) != before
    assert git("show", "origin/main:while-paused.txt", cwd=m.tree) == "written during the pause"


@pytest.mark.slow
def test_a_new_fetch_interval_from_the_command_line_reaches_the_running_daemon(
    git_daemon: Remote, tmp_path: Path
) -> None:
    """`gitferry set NAME fetch_interval 1`, run beside a daemon that fetches that
    repository once a day, applies within seconds: what another machine pushed arrives
    by the new interval's fetch, without a restart (before, only at the old day's slot)."""
    url = seeded_remote(git_daemon, tmp_path)
    m = machine(tmp_path, "a", url, interval=86400)
    m.start()
    try:
        wait_until(lambda: m.results(), "the start-up sync", [m])
        elsewhere = tmp_path / "elsewhere"
        git("clone", "-q", url, str(elsewhere))
        commit_file(elsewhere, "from-elsewhere.txt", "pushed by another machine\n")
        git("push", "-q", "origin", "main", cwd=elsewhere)
        m.cli("set", "a", "fetch_interval", "1")
        pushed = git("rev-parse", "HEAD", cwd=elsewhere)
        wait_until(lambda: git("rev-parse", "HEAD", cwd=m.tree) == pushed, "the new interval's fetch", [m])
        assert (m.tree / "from-elsewhere.txt").read_text() == "pushed by another machine\n"
    finally:
        m.kill()
    fsck(m.tree)


@pytest.mark.slow
def test_the_daemon_stopping_syncs_what_changed_one_last_time(git_daemon: Remote, tmp_path: Path) -> None:
    """A settle time of a minute, so only the last sync at SIGTERM can send the file
    saved just before it (whether or not the watcher had reported it yet)."""
    url = seeded_remote(git_daemon, tmp_path)
    m = machine(tmp_path, "a", url, settle=60, settle_max=60, interval=3600)
    m.start()
    try:
        wait_until(lambda: m.results(), "the start-up sync", [m])
        saved = m.tree / "before-quit.txt"
        saved.write_text("saved just before the daemon stops\n")
        os.utime(saved, (time.time() - 2, time.time() - 2))  # older than the last sync's 1 s hold
        err = m.stop()
    finally:
        m.kill()
    assert "final auto sync of 1 repositories" in err
    pushed = git("show", f"{remote_head(m)}:before-quit.txt", cwd=m.tree)
    assert pushed == "saved just before the daemon stops"
    fsck(m.tree)


def killed(machines: list[Machine]) -> None:
    for m in machines:
        m.kill()


def _conflicted_pair(git_daemon: Remote, tmp_path: Path) -> tuple[Machine, Machine, str]:
    """A started, B (auto mode, no auto-commit) started and stopped by a conflict with A's
    edit; A's head."""
    url = seeded_remote(git_daemon, tmp_path)
    a = machine(tmp_path, "a", url)
    b = machine(tmp_path, "b", url)
    b.cli("set", "b", "auto_commit", "false")
    b.cli("set", "b", "sync_mode", "auto")
    a.start()
    (b.tree / "readme.txt").write_text("B's version\n")
    git("commit", "-q", "-am", "B edits the readme", cwd=b.tree)
    (a.tree / "readme.txt").write_text("A's version\n")
    wait_until(lambda: pushed_all(a), "A's edit pushed", [a])
    b.start()
    wait_until(lambda: "conflict" in b.results(), "B meets the conflict", [a, b])
    return a, b, git("rev-parse", "HEAD", cwd=a.tree)


def _resolve_with_git(b: Machine) -> None:
    git("merge", "-q", "origin/main", cwd=b.tree, check=False)
    git("checkout", "--theirs", "readme.txt", cwd=b.tree)
    git("commit", "-q", "-am", "resolved with git", cwd=b.tree)


def _resolve_with_gitferry(b: Machine) -> None:
    b.cli("resolve", "b", "readme.txt", "--theirs")
    b.cli("resolve", "b", "--finish", "--no-push")


@pytest.mark.slow
@pytest.mark.parametrize("resolve", [_resolve_with_git, _resolve_with_gitferry], ids=["git", "gitferry"])
def test_a_conflict_resolved_outside_a_sync_lets_auto_sync_go_on(
    git_daemon: Remote, tmp_path: Path, resolve: Any
) -> None:
    """B's user resolves the conflict with git alone (a merge and a commit), or with
    `gitferry resolve --finish --no-push`, and syncs nothing: B notices (its HEAD and
    index moved, the conflict no longer holds), clears it and syncs by itself again."""
    a, b, a_head = _conflicted_pair(git_daemon, tmp_path)
    machines = [a, b]
    try:
        resolve(b)
        merge = git("rev-parse", "HEAD", cwd=b.tree)
        wait_until(lambda: remote_head(b) == merge, "B pushes the resolution by itself", machines)
        git("merge-base", "--is-ancestor", a_head, merge, cwd=b.tree)
        (b.tree / "after.txt").write_text("B again\n")
        git("add", "after.txt", cwd=b.tree)
        git("commit", "-q", "-m", "B goes on", cwd=b.tree)
        wait_until(lambda: (a.tree / "after.txt").exists(), "B syncs by itself again", machines)
        assert (a.tree / "readme.txt").read_text() == "A's version\n"
        assert not state_of(b).startswith("conflict")
    finally:
        killed(machines)
    for m in machines:
        fsck(m.tree)
