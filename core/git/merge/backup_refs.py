"""Backup refs: a branch's head kept before an integration moves it (the sync contract,
step 4, in docs/ARCHITECTURE.md).

`refs/gitferry/backup/<branch>/<stamp>`, the stamp being UTC to the
microsecond (`20261121T100000.123456Z`), so names sort by age. Only names
whose last component is a stamp belong to a branch: the backups of `a` and of
`a/b` live side by side and never mix. The newest `KEEP` per branch stay.
They get no reflog (git logs only heads and remote-tracking refs), so a
pruned backup leaves nothing behind.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Final

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

BACKUP_PREFIX: Final = "refs/gitferry/backup/"
KEEP: Final = 5
_STAMP_FORMAT: Final = "%Y%m%dT%H%M%S.%fZ"
_STAMP: Final = re.compile(rb"\d{8}T\d{6}\.\d{6}Z")


def backup_refs(repo: Repo, branch: str) -> list[tuple[Ref, ObjectID]]:
    """The backups of `branch`, newest first."""
    base = _branch_base(branch)
    refs = repo.refs.as_dict(Ref(base))
    stamps = sorted((name for name in refs if _STAMP.fullmatch(name)), reverse=True)
    return [(Ref(base + stamp), refs[Ref(stamp)]) for stamp in stamps]


def backup_head(repo: Repo, branch: str, head: ObjectID, *, now: float | None = None) -> None:
    """Keep `head` as `branch`'s newest backup, unless it already is; prune to the newest `KEEP`."""
    existing = backup_refs(repo, branch)
    if existing and existing[0][1] == head:
        return
    when = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    if existing:
        # Never older than the newest backup (a clock set back, two backups in one microsecond).
        newest = datetime.strptime(_stamp_of(existing[0][0]), _STAMP_FORMAT).replace(tzinfo=UTC)
        when = max(when, newest + timedelta(microseconds=1))
    while not repo.refs.add_if_new(Ref(_branch_base(branch) + _stamp(when)), head):
        when += timedelta(microseconds=1)
    for name, sha in backup_refs(repo, branch)[KEEP:]:
        repo.refs.remove_if_equals(name, sha)


def _branch_base(branch: str) -> bytes:
    return f"{BACKUP_PREFIX}{branch}/".encode()


def _stamp(when: datetime) -> bytes:
    return when.strftime(_STAMP_FORMAT).encode()


def _stamp_of(ref: Ref) -> str:
    return ref.rsplit(b"/", 1)[1].decode()
