"""The status store on a real SQLite file in WAL mode."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, inspect

from core.errors import BadInput
from core.model import BranchStatus, RemoteRecord
from core.offload import Offload
from core.store.migrations import LATEST, MIGRATIONS, SchemaTooNew, migrate
from core.store.schema import Base, BranchStatusRow
from core.store.status_reader import UnknownRepository
from core.store.status_store import StatusStore, utcnow
from tests.waiting import CAP


@pytest.fixture
async def store(tmp_path: Path) -> StatusStore:
    offload = Offload()
    s = await StatusStore.open(tmp_path / "status.sqlite3", offload)
    yield s  # type: ignore[misc]
    await s.close()
    offload.shutdown()


def test_migrated_schema_matches_models(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    assert migrate(path) == 0
    assert migrate(path) == LATEST  # idempotent
    inspector = inspect(create_engine(f"sqlite:///{path}"))
    for table in Base.metadata.sorted_tables:
        pk = {c.name for c in table.primary_key.columns}
        got = {c["name"]: c["nullable"] or c["name"] in pk for c in inspector.get_columns(table.name)}
        want = {c.name: c.nullable or c.name in pk for c in table.columns}
        assert got == want, table.name
        want_indexes = {i.name for i in table.indexes}
        assert want_indexes <= {i["name"] for i in inspector.get_indexes(table.name)}


def at_version(path: Path, version: int) -> sqlite3.Connection:
    """A store at schema `version`, as an older Gitferry left it (WAL, as `migrate` sets)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for number, statements in enumerate(MIGRATIONS[:version], start=1):
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    return conn


def test_an_older_store_is_upgraded_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    conn = at_version(path, 5)
    conn.execute("INSERT INTO repos (id, name, path, added_at) VALUES (1, 'r', '/tmp/r', '2026-01-01')")
    conn.execute(
        "INSERT INTO branch_status (repo_id, name, head, updated_at, checked_out)"
        " VALUES (1, 'main', 'abc', '2026-01-01', 1)"
    )
    conn.close()
    assert migrate(path) == 5
    assert (path.parent / "s.sqlite3.v5.bak").exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    row = conn.execute("SELECT name, checked_out, worktree, worktree_use FROM branch_status").fetchall()
    assert row == [("main", 1, None, None)]
    conn.close()


def test_two_processes_upgrading_at_once_both_open_it(tmp_path: Path) -> None:
    """One upgrades the store while the other, which read the old version, waits for the
    write lock: the second finds the work done instead of applying it again ('duplicate
    column name': its start failed with the store unavailable). The second is a thread with a
    connection of its own: SQLite's locks between connections are those between processes."""
    path = tmp_path / "s.sqlite3"
    first = at_version(path, LATEST - 1)
    first.execute("BEGIN IMMEDIATE")  # the first process's upgrade, under way
    outcome: list[object] = []
    second = threading.Thread(target=lambda: outcome.append(_migrated(path)))
    second.start()
    backup = path.parent / f"s.sqlite3.v{LATEST - 1}.bak"  # made after the version is read
    deadline = time.monotonic() + CAP
    while not backup.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert backup.exists()
    for statement in MIGRATIONS[LATEST - 1]:
        first.execute(statement)
    first.execute(f"PRAGMA user_version = {LATEST}")
    first.execute("COMMIT")
    first.close()
    second.join(CAP)
    assert outcome == [LATEST - 1]


def _migrated(path: Path) -> object:
    try:
        return migrate(path)
    except sqlite3.Error as exc:
        return exc


def test_wal_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    migrate(path)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew):
        migrate(path)


async def test_repositories_and_settings(store: StatusStore) -> None:
    repo = await store.add_repo("notes", "/tmp/notes", {"strategy": "rebase"})
    assert (await store.repo("notes")).path == "/tmp/notes"
    assert (await store.repo_settings(repo.id)).strategy == "rebase"
    with pytest.raises(BadInput):
        await store.add_repo("notes", "/elsewhere", {})
    await store.set_repo_setting(repo.id, "push_all", "false")
    assert (await store.repo_settings(repo.id)).push_all is False
    await store.set_repo_setting(repo.id, "fetch_interval", "garbage")  # hand-edited row
    assert (await store.repo_settings(repo.id)).fetch_interval == 300
    await store.replace_remotes(repo.id, [RemoteRecord("origin", "git://x/y")])
    assert [r.name for r in await store.remotes(repo.id)] == ["origin"]
    await store.remove_repo("notes")
    with pytest.raises(UnknownRepository):
        await store.repo("notes")
    with pytest.raises(UnknownRepository):
        await store.repos(["notes"])


async def test_branches_keep_gone_since(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    b = BranchStatus("main", "origin/main", "a" * 40, "b" * 40, 1, 2)
    await store.save_branches(repo.id, [b, BranchStatus("x", None, "c" * 40, None, None, None)])
    assert [s.name for s in await store.branches(repo.id)] == ["main", "x"]
    gone = BranchStatus("main", "origin/main", "a" * 40, None, None, None, upstream_gone=True)
    await store.save_branches(repo.id, [gone])
    first = (await store.branches(repo.id))[0]
    assert first.upstream_gone and first.gone_since is not None
    await store.save_branches(repo.id, [gone])
    assert (await store.branches(repo.id))[0].gone_since == first.gone_since
    assert list((await store.all_branches()).keys()) == [repo.id]


async def test_run_lifecycle(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    run_id = await store.create_run(repo.id, "fetch")
    assert (await store.runs(repo.id))[0].state == "pending"
    await store.start_run(run_id, repo.id, "fetching")
    assert (await store.repo("r")).state == "fetching"
    await store.finish_run(
        run_id,
        repo.id,
        result="ok",
        message="fine",
        failed=False,
        details={"a": 1},
        timings_ms={"connect": 1.5},
    )
    run = (await store.runs(repo.id))[0]
    assert (run.state, run.result, run.details, run.timings_ms) == (
        "done",
        "ok",
        {"a": 1},
        {"connect": 1.5},
    )
    assert (await store.repo("r")).last_result == "ok"


async def test_reads_do_not_wait_for_a_long_write(store: StatusStore) -> None:
    """WAL: a reader sees the last committed state while a write transaction is open.
    The write ends only after the reads: a read that waited for it would deadlock (and
    SQLite's busy timeout would then fail it)."""
    repo = await store.add_repo("r", "/tmp/r", {})
    written, release = asyncio.Event(), asyncio.Event()

    async def long_writer() -> None:
        async with store.db.write() as s:
            await s.execute(insert(BranchStatusRow).values(repo_id=repo.id, name="w", updated_at=utcnow()))
            await s.flush()
            written.set()
            await release.wait()

    task = asyncio.create_task(long_writer())
    await asyncio.wait_for(written.wait(), CAP)
    assert (await asyncio.wait_for(store.repo("r"), CAP)).name == "r"
    assert await asyncio.wait_for(store.branches(repo.id), CAP) == []  # not committed yet
    assert not task.done()
    release.set()
    await task
    assert [b.name for b in await store.branches(repo.id)] == ["w"]


async def test_remote_failure_counts_survive_reopen(tmp_path: Path) -> None:
    offload = Offload()
    path = tmp_path / "status.sqlite3"
    store = await StatusStore.open(path, offload)
    repo = await store.add_repo("r", "/tmp/r", {})
    assert await store.remote_health.record(repo.id, "origin", "connection refused") == 1
    assert await store.remote_health.record(repo.id, "origin", "connection refused") == 2
    await store.close()
    store = await StatusStore.open(path, offload)
    assert await store.remote_health.failures(repo.id) == {"origin": 2}
    assert await store.remote_health.record(repo.id, "origin", None) == 0
    assert await store.remote_health.failures(repo.id) == {}
    await store.close()
    offload.shutdown()


async def test_upkeep_prunes_long_gone_branches_and_old_runs(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    other = await store.add_repo("o", "/tmp/o", {})
    long_gone = BranchStatus(
        "old",
        "origin/old",
        "a" * 40,
        None,
        None,
        None,
        upstream_gone=True,
        gone_since=utcnow() - timedelta(days=31),
    )
    recently_gone = BranchStatus(
        "new",
        "origin/new",
        "b" * 40,
        None,
        None,
        None,
        upstream_gone=True,
        gone_since=utcnow() - timedelta(days=2),
    )
    fine = BranchStatus("main", "origin/main", "c" * 40, "c" * 40, 0, 0)
    await store.save_branches(repo.id, [long_gone, recently_gone, fine])
    for owner in (repo, other):
        for _ in range(5):
            run_id = await store.create_run(owner.id, "fetch")
            await store.finish_run(
                run_id, owner.id, result="ok", message="", failed=False, details={}, timings_ms={}
            )
    pending = await store.create_run(repo.id, "sync")
    done = await store.upkeep(runs_kept=3)
    assert (done.branches_pruned, done.runs_pruned) == (1, 4)
    assert [b.name for b in await store.branches(repo.id)] == ["main", "new"]
    runs = await store.runs(repo.id)
    assert [r.state for r in runs] == ["pending", "done", "done", "done"] and runs[0].id == pending
    assert len(await store.runs(other.id)) == 3


async def _finished(
    store: StatusStore, repo_id: int, result: str, kind: str = "sync", message: str | None = None
) -> tuple[int, bool]:
    """A run that ended `result`; it did something only when it is `ok`."""
    run_id = await store.create_run(repo_id, kind)
    quiet = await store.finish_run(
        run_id,
        repo_id,
        result=result,
        message=message or ("up to date" if result == "up_to_date" else result),
        failed=False,
        details={},
        timings_ms={},
        idle=result != "ok",
    )
    return run_id, quiet


async def test_a_run_that_changed_nothing_after_one_that_went_well_is_quiet(store: StatusStore) -> None:
    """Auto mode's backstop syncs (and background fetches) that find nothing are no news:
    quiet, left out of the history, so they never push out what happened. The first run,
    and the first up to date after a failure (back online), are news."""
    repo = await store.add_repo("r", "/tmp/r", {})
    first, quiet = await _finished(store, repo.id, "up_to_date")
    assert not quiet
    assert [(await _finished(store, repo.id, "up_to_date", kind))[1] for kind in ("sync", "fetch")] == [
        True,
        True,
    ]
    pushed, quiet = await _finished(store, repo.id, "ok")
    assert not quiet
    assert (await _finished(store, repo.id, "up_to_date"))[1]
    offline, quiet = await _finished(store, repo.id, "offline")
    assert not quiet
    assert (await _finished(store, repo.id, "offline"))[1]  # still offline: a state, said once
    refused, quiet = await _finished(store, repo.id, "offline", message="origin: refused")
    assert not quiet  # other words: news
    back, quiet = await _finished(store, repo.id, "up_to_date")
    assert not quiet
    assert (await _finished(store, repo.id, "up_to_date"))[1]
    eventful = [r.id for r in await store.runs(repo.id, eventful=True)]
    assert eventful == [back, refused, offline, pushed, first]
    assert len(await store.runs(repo.id, 50)) == 10
    # Up to date with something to say (a file left out): news once, then a state.
    left_out = "up to date; left out x (too large)"
    assert not (await _finished(store, repo.id, "up_to_date", message=left_out))[1]
    assert (await _finished(store, repo.id, "up_to_date", message=left_out))[1]
    assert not (await _finished(store, repo.id, "ok", message="pushed main; left out x (too large)"))[1]
    assert (await _finished(store, repo.id, "up_to_date", message=left_out))[1]  # said by the push
    other = "up to date; left out y (too large)"
    assert not (await _finished(store, repo.id, "up_to_date", message=other))[1]
    # A run that did something is news, whatever came before it.
    assert not (await _finished(store, repo.id, "ok"))[1]
    assert not (await _finished(store, repo.id, "ok"))[1]


async def test_upkeep_keeps_the_eventful_runs_however_many_quiet_ones_came_after(store: StatusStore) -> None:
    repo = await store.add_repo("r", "/tmp/r", {})
    eventful = [(await _finished(store, repo.id, "ok"))[0] for _ in range(3)]
    for _ in range(6):
        await _finished(store, repo.id, "up_to_date")
    done = await store.upkeep(runs_kept=3)
    assert done.runs_pruned == 3  # the oldest quiet ones
    assert [r.id for r in await store.runs(repo.id, eventful=True)] == eventful[::-1]
    assert len(await store.runs(repo.id, 50)) == 6


def test_an_older_store_counts_its_up_to_date_runs_as_quiet(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    conn = at_version(path, 6)
    conn.execute("INSERT INTO repos (id, name, path, added_at) VALUES (1, 'r', '/tmp/r', '2026-01-01')")
    for result in ("ok", "up_to_date", "offline", "up_to_date"):
        conn.execute(
            "INSERT INTO sync_runs (repo_id, kind, state, result, requested_at)"
            " VALUES (1, 'sync', 'done', ?, '2026-01-01')",
            (result,),
        )
    conn.close()
    assert migrate(path) == 6
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT result, quiet FROM sync_runs ORDER BY id").fetchall() == [
        ("ok", 0),
        ("up_to_date", 1),
        ("offline", 0),
        ("up_to_date", 1),
    ]
    conn.close()


async def test_the_unfinished_git_command_is_kept_beside_the_result(tmp_path: Path) -> None:
    """A store from before schema 9 opens, its repository's `dirty` row kept (no command
    known); a run that stopped on a rebase keeps `rebase` beside its message, and the next
    run's result replaces both."""
    path = tmp_path / "status.sqlite3"
    conn = at_version(path, 8)
    conn.execute(
        "INSERT INTO repos (id, name, path, added_at, last_result, last_message)"
        " VALUES (1, 'r', '/tmp/r', '2026-01-01', 'dirty', 'local changes would be overwritten: a.txt')"
    )
    conn.close()
    offload = Offload()
    store = await StatusStore.open(path, offload)
    try:
        old = await store.repo("r")
        assert (old.last_result, old.last_unfinished) == ("dirty", None)
        for result, unfinished in (("dirty", "rebase"), ("ok", None)):
            run_id = await store.create_run(1, "sync")
            await store.finish_run(
                run_id, 1, result=result, message="m", failed=False, details={}, timings_ms={},
                unfinished=unfinished,
            )  # fmt: skip
            assert (await store.repo("r")).last_unfinished == unfinished
            assert (await store.repo_by_id(1)).last_unfinished == unfinished
            assert (await store.snapshot()).repos[0].last_unfinished == unfinished
    finally:
        await store.close()
        offload.shutdown()


def test_branch_rows_are_in_the_records_field_order() -> None:
    from dataclasses import fields

    from core.store.status_reader import _BRANCH_ROWS

    columns = _BRANCH_ROWS.removeprefix("SELECT ").split(" FROM ")[0].split(", ")
    assert [c.strip() for c in columns] == ["repo_id", *(f.name for f in fields(BranchStatus))]


async def test_plain_writes_read_back_through_the_orm(store: StatusStore) -> None:
    """The job's writes (plain sqlite3) and SQLAlchemy's mapping agree on every column."""
    from sqlalchemy import select

    from core.store.schema import BranchStatusRow, SyncRunRow

    repo = await store.add_repo("a", "/tmp/a", {})
    when = utcnow() - timedelta(days=3)
    fetched = utcnow()
    await store.save_branches(
        repo.id,
        [
            BranchStatus("main", "origin/main", "a" * 40, "b" * 40, 1, 2, last_fetch=fetched, unpublished=0),
            BranchStatus(
                "gone", "origin/gone", "c" * 40, None, None, None, upstream_gone=True, gone_since=when
            ),
        ],
    )
    run_id = await store.create_run(repo.id, "fetch")
    await store.finish_run(
        run_id, repo.id, result="ok", message="done", failed=False, details={"x": 1}, timings_ms={"y": 2.0}
    )
    async with store.db.read() as s:
        rows = {r.name: r for r in (await s.execute(select(BranchStatusRow))).scalars()}
        run = await s.get(SyncRunRow, run_id)
    assert (rows["main"].last_fetch, rows["main"].ahead, rows["main"].upstream_gone) == (fetched, 1, False)
    assert (rows["gone"].gone_since, rows["gone"].upstream_gone) == (when, True)
    assert run is not None and (run.state, run.result, run.details) == ("done", "ok", '{"x": 1}')
    assert (await store.repo("a")).last_result == "ok"


async def test_all_branches_reads_the_same_rows_as_the_orm(store: StatusStore) -> None:
    when = utcnow() - timedelta(days=3)
    for name in ("a", "b"):
        repo = await store.add_repo(name, f"/tmp/{name}", {})
        await store.save_branches(
            repo.id,
            [
                BranchStatus("main", "origin/main", "a" * 40, "b" * 40, 1, 2, last_fetch=utcnow()),
                BranchStatus(
                    "gone", "origin/gone", "c" * 40, None, None, None, upstream_gone=True, gone_since=when
                ),
                BranchStatus("local", None, "d" * 40, None, None, None),
            ],
        )
    everything = await store.all_branches()
    assert sorted(everything) == [r.id for r in await store.repos()]
    for repo_id, branches in everything.items():
        assert branches == await store.branches(repo_id)
    gone = next(b for b in everything[1] if b.name == "gone")
    assert gone.gone_since == when and gone.upstream_gone is True
