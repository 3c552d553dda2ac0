"""The status window's hot read, all branches of all repositories, off the event loop.

Through SQLAlchemy's async session a thousand rows cost the calling loop about
6 ms of CPU (rows are adapted on the loop thread), which is lag for everything
else on that loop. Here the query and the row building run in an offload
thread over plain read-only `sqlite3` connections (WAL: readers never wait for
the writer); the loop only awaits the result.
"""

from __future__ import annotations

import queue
import sqlite3
from datetime import datetime
from pathlib import Path

from core.store.records import BranchStatus

_ALL_BRANCHES = (
    "SELECT repo_id, name, upstream, head, upstream_head, ahead, behind, last_fetch,"
    " upstream_gone, gone_since FROM branch_status ORDER BY repo_id, name"
)
BUSY_TIMEOUT_SECONDS = 5.0


class BranchReader:
    """Read-only connections, one per concurrent reader thread, reused."""

    def __init__(self, path: Path) -> None:
        self._uri = f"{path.resolve().as_uri()}?mode=ro"
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()

    def all_branches(self) -> dict[int, list[BranchStatus]]:
        conn = self._connection()
        try:
            out: dict[int, list[BranchStatus]] = {}
            for repo_id, name, up, head, up_head, ahead, behind, fetched, gone, since in conn.execute(
                _ALL_BRANCHES
            ):
                out.setdefault(repo_id, []).append(
                    BranchStatus(
                        name, up, head, up_head, ahead, behind, _time(fetched), bool(gone), _time(since)
                    )
                )
            return out
        finally:
            self._idle.put(conn)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    def _connection(self) -> sqlite3.Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return sqlite3.connect(self._uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
