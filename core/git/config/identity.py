"""Who makes a new commit, and when, read the way git reads it.

Name and email, as git's ident.c: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL` (or
`GIT_COMMITTER_*`), then `author.name`/`author.email` (or `committer.*`), then
`user.name`/`user.email` (the repository's config over the global one); with
`user.useConfigOnly` a name or email none of those gave stops the commit
(`IdentityUnknown`), as git refuses it; else the email `$EMAIL`, then dulwich's
guess from the system. Time: `GIT_AUTHOR_DATE` (or
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

from dulwich.config import StackedConfig
from dulwich.objects import Commit
from dulwich.repo import Repo, get_user_identity

from core.errors import GitferryError
from core.phrase import phrase
from core.results import ResultKind

_RAW_DATE = re.compile(r"^@?(\d+)(?:\s+([+-])(\d\d):?(\d\d))?$")


@dataclass(frozen=True)
class Signature:
    identity: bytes  # b"Name <email>"
    time: int
    timezone: int  # seconds east of UTC


class IdentityUnknown(GitferryError):
    """`user.useConfigOnly` is set and no name or email was given: git refuses to commit."""

    result = ResultKind.ERROR

    def __init__(self, missing: str) -> None:
        super().__init__(
            phrase(
                "no {missing} is configured and user.useConfigOnly forbids guessing one: git would not "
                "commit either; set it (git config user.{missing} ...)",
                missing=missing,
            )
        )


def signature(repo: Repo, kind: Literal["AUTHOR", "COMMITTER"], now: float | None = None) -> Signature:
    identity = _identity(repo.get_config_stack(), kind)
    parsed = parse_date(os.environ.get(f"GIT_{kind}_DATE", ""))
    if parsed is not None:
        return Signature(identity, *parsed)
    stamp = int(time.time() if now is None else now)
    return Signature(identity, stamp, local_offset(stamp))


def _identity(config: StackedConfig, kind: Literal["AUTHOR", "COMMITTER"]) -> bytes:
    given: dict[str, bytes] = {}
    for field in ("name", "email"):
        from_env = os.environ.get(f"GIT_{kind}_{field.upper()}")
        if from_env is not None:
            given[field] = from_env.encode("utf-8", "surrogateescape")
            continue
        for section in (kind.lower().encode(), b"user"):
            try:
                given[field] = config.get((section,), field.encode())
                break
            except KeyError:
                continue
    if len(given) < 2 and config.get_boolean((b"user",), b"useConfigOnly", False):
        raise IdentityUnknown("email" if "email" not in given else "name")  # $EMAIL does not count
    if "email" not in given and os.environ.get("EMAIL"):
        given["email"] = os.environ["EMAIL"].encode("utf-8", "surrogateescape")
    if len(given) == 2:
        return given["name"] + b" <" + given["email"] + b">"
    guessed = get_user_identity(config, kind)  # dulwich's guess for what is missing
    name, _, rest = guessed.partition(b" <")
    return given.get("name", name) + b" <" + given.get("email", rest.removesuffix(b">")) + b">"


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
