"""Who makes a new commit, and when, read the way git reads it.

Name and email: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` (or `GIT_COMMITTER_*`),
then `user.name`/`user.email` from the repository's config, then the global
one, then dulwich's guess from the system. Time: `GIT_AUTHOR_DATE` (or
`GIT_COMMITTER_DATE`) when set and readable, else the given time or now, in
the machine's time zone at that moment.
"""

from __future__ import annotations

import email.utils
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from dulwich.objects import Commit
from dulwich.repo import Repo, get_user_identity

_RAW_DATE = re.compile(r"^@?(\d+)(?:\s+([+-])(\d\d):?(\d\d))?$")


@dataclass(frozen=True)
class Signature:
    identity: bytes  # b"Name <email>"
    time: int
    timezone: int  # seconds east of UTC


def signature(repo: Repo, kind: Literal["AUTHOR", "COMMITTER"], now: float | None = None) -> Signature:
    identity = get_user_identity(repo.get_config_stack(), kind)
    parsed = parse_date(os.environ.get(f"GIT_{kind}_DATE", ""))
    if parsed is not None:
        return Signature(identity, *parsed)
    stamp = int(time.time() if now is None else now)
    return Signature(identity, stamp, local_offset(stamp))


def stamp_commit(commit: Commit, *, author: Signature | None, committer: Signature) -> None:
    """Set `commit`'s committer and, when given, its author."""
    if author is not None:
        commit.author = author.identity
        commit.author_time = author.time
        commit.author_timezone = author.timezone
    commit.committer = committer.identity
    commit.commit_time = committer.time
    commit.commit_timezone = committer.timezone


def local_offset(stamp: float) -> int:
    return time.localtime(stamp).tm_gmtoff


def parse_date(text: str) -> tuple[int, int] | None:
    """(seconds, offset) from git's raw (`@123 +0100`), RFC 2822 or ISO 8601 date formats."""
    text = text.strip()
    if not text:
        return None
    raw = _RAW_DATE.match(text)
    if raw is not None:
        seconds, sign, hours, minutes = raw.groups()
        offset = 0 if sign is None else (int(hours) * 3600 + int(minutes) * 60) * (-1 if sign == "-" else 1)
        return int(seconds), offset
    when = _parse_rfc2822(text) or _parse_iso(text)
    if when is None:
        return None
    seconds = int(when.timestamp())
    delta = when.utcoffset()
    return seconds, int(delta.total_seconds()) if delta is not None else local_offset(seconds)


def _parse_rfc2822(text: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(re.sub(r"\s+(?=[+-]\d\d:?\d\d$)", "", text))
    except ValueError:
        return None
