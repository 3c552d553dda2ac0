"""A fetch-only sync that changed nothing, recorded for a cold `gitferry sync --fetch-only`
to answer again without the engine (`core/cli_replay.py`).

A cold process spends most of such a sync importing the engine and dulwich (issue
19: 4x `git fetch`, against 2x asked). Its outcome, though, is a function of what it
read: the repository's files and git's settings (`core.git.sync_inputs`), the
store's rows for the repository (`core.store.replay_rows.standing`) and each remote's
advertised refs. So after a fetch-only sync that was up to date and did nothing, with
every remote reached over protocol v0 (`git://`, ssh, or HTTP(S) as a replay can say its
request again: `core/git/transfer/http_advertisement.py`), the engine records those
facts, how it dialled each remote and what it reported, in
`<data dir>/cache/fetch-replay/<repo id>.json`. A later cold fetch-only sync of the
repository that finds the same facts, the same store rows and, from each remote, the
same refs, records and prints the same outcome; anything else (a record missing or
from another version, one fact different, a remote that does not answer the same)
and the engine's sync runs, as it would have. The record is only a cache: deleting
it costs one engine sync.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.git.sync_inputs import sync_inputs
from core.paths import store_file
from core.results import ResultKind
from core.store.replay_rows import standing
from core.version import __version__

if TYPE_CHECKING:
    from core.engine.core import Core
    from core.engine.fetch_phase import RemotesFetched
    from core.engine.report import SyncReport
    from core.model import RepoRecord

FORMAT = 1


def record_path(data: Path, repo_id: int) -> Path:
    return _records(data) / f"{repo_id}.json"


def _records(data: Path) -> Path:
    return data / "cache" / "fetch-replay"


def load_record(data: Path, repo_id: int) -> dict[str, Any] | None:
    """The repository's record when this version of Gitferry wrote it, else None."""
    try:
        found = json.loads(record_path(data, repo_id).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("format") != FORMAT or found.get("gitferry") != __version__:
        return None
    return found


async def facts_now(core: Core, record: RepoRecord) -> dict[str, Any] | None:
    """The facts a fetch-only sync of `record` reads, as they are now (under its lock,
    before the run is recorded): what a record is made with, once they are the same at
    the end; None when they would not cover the repository (`sync_inputs`)."""
    return None if core.home is None else await core.offload.io(_facts, core.home, record)


async def keep_record(
    core: Core,
    record: RepoRecord,
    report: SyncReport,
    fetched: RemotesFetched | None,
    *,
    before: dict[str, Any] | None,
    idle: bool,
    said: str | None,
    notes: str | None,
    network_timeout: float,
) -> None:
    """After a fetch-only sync (under its lock, its run recorded): its record written when
    it was up to date, `idle`, every remote dialled over v0, and the facts it read
    `before` the same now (a commit made meanwhile, or a setting changed, would have the
    record replay what this run did not see); else removed."""
    if core.home is None:
        return
    kept = _replayable(record, report, fetched, idle=idle, said=said, notes=notes, timeout=network_timeout)
    if kept is None or before is None:
        await core.offload.io(_remove, core.home, record.id)
    else:
        await core.offload.io(_write, core.home, record, {**kept, **before})


def _replayable(
    record: RepoRecord,
    report: SyncReport,
    fetched: RemotesFetched | None,
    *,
    idle: bool,
    said: str | None,
    notes: str | None,
    timeout: float,
) -> dict[str, Any] | None:
    if fetched is None or not idle or report.result != ResultKind.UP_TO_DATE or report.crashed:
        return None
    if fetched.failures or not fetched.fetched or set(fetched.fetched) != set(fetched.dialled):
        return None
    details = report.to_json()
    details["timings_ms"] = {}
    return {
        "format": FORMAT,
        "gitferry": __version__,
        "repo_id": record.id,
        "path": record.path,
        "remotes": [{"name": name, **fetched.dialled[name]} for name in fetched.fetched],
        "timeout": timeout,
        "report": details,
        "said": said,
        "notes": notes,  # `RunEnd.notes`: a branch left behind, said again, is no news
    }


def facts(conn: sqlite3.Connection, path: str, repo_id: int) -> dict[str, Any] | None:
    """What a fetch-only sync of the repository at `path` depends on, as a record holds it
    (after a JSON round trip, so that a record read back compares equal): its files and
    git's setup (`sync_inputs`) and its rows in the store (`standing`); None when they
    would not cover it."""
    inputs = sync_inputs(path)
    if inputs is None:
        return None
    found: dict[str, Any] = json.loads(json.dumps({"inputs": inputs, "standing": standing(conn, repo_id)}))
    return found


def _facts(home: Path, record: RepoRecord) -> dict[str, Any] | None:
    conn = sqlite3.connect(f"{store_file(home).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return facts(conn, record.path, record.id)
    finally:
        conn.close()


def _write(home: Path, record: RepoRecord, kept: dict[str, Any]) -> None:
    from core.atomic_file import write_atomically  # `tempfile`: the engine's, not a replay's

    if _facts(home, record) != recorded_facts(kept):
        _remove(home, record.id)
        return
    path = record_path(home, record.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Only the user's, as the store is: the environment's `GIT_*` values may hold a secret.
    write_atomically(path, json.dumps(kept).encode(), mode=0o600)


def recorded_facts(record: dict[str, Any]) -> dict[str, Any]:
    """The facts `record` was made with, as `facts` gives them."""
    return {"inputs": record["inputs"], "standing": record["standing"]}


def forget_records(home: Path) -> None:
    """Every repository's record removed (each costs one engine sync)."""
    for record in _records(home).glob("*.json"):
        with contextlib.suppress(FileNotFoundError):
            record.unlink()


def _remove(home: Path, repo_id: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(record_path(home, repo_id))
