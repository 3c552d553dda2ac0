"""Repository and app settings: their keys, defaults and validation.

Settings are stored as text in the status store; everything that reads or
writes them goes through `parse_*` here, so a bad key or value is refused with
one message before anything is saved, and a hand-edited row falls back to the
default instead of breaking a sync.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from core.errors import BadInput
from core.lazy_log import LazyLogger
from core.model import SyncReach
from core.phrase import Phrase, as_phrase, phrase, verbatim

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T", int, float)

log = LazyLogger(__name__)  # `logging` at its first use (`core/lazy_log.py`)

# `git`: as `git pull` would integrate here, read from git's config at each sync
# (core.git.config.pull_config); the others are the user's own choice and win over it.
AS_GIT_PULL = "git"
STRATEGIES = (AS_GIT_PULL, "merge", "rebase", "ff-only")
# Where the strategy in effect comes from when no git setting names it (`strategy_in_effect`)
SET_IN_GITFERRY = "set in Gitferry"
NO_PULL_SETTING = "no pull setting in git"
SYNC_MODES = ("manual", "auto")
PAUSED_FOREVER = "always"
DEFAULT_MAX_PACK_SIZE = 2 * 1024**3
# One object, as it inflates (a blob, or what a delta expands to): git's own limit is the
# memory it can get; 2 GiB is far past what git hosts accept (GitHub refuses files over
# 100 MiB) and bounds what one object can cost. Independent of `max_file_size`, which is
# only where auto-commit stops committing local files: a remote may have larger ones.
DEFAULT_MAX_OBJECT_SIZE = 2 * 1024**3
# Every object of one fetch together, inflated: the work (inflating, hashing) a pack can ask
# for, whatever its compressed size. git.git's whole history inflates to 13.1 GiB from a
# 500 MiB pack (measured, `git cat-file --batch-all-objects`); 64 GiB leaves room for a pack
# of `max_pack_size` compressing 32 to 1.
DEFAULT_MAX_INFLATED_SIZE = 64 * 1024**3
DEFAULT_FETCH_DEADLINE = 600


class BadSetting(BadInput):
    """`message` names the setting (the CLI's line); `reason` is what is wrong with the
    value alone, for a form that shows it beside the setting's own field."""

    def __init__(self, key: str, message: str | Phrase, reason: str | Phrase | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.reason_said = self.phrase if reason is None else as_phrase(reason)
        self.reason = self.reason_said.english()


class Unexpected(ValueError):
    """A value a setting's parser refuses: `said` is what was expected, as a phrase."""

    def __init__(self, said: Phrase) -> None:
        super().__init__(said.english())
        self.said = said


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise Unexpected(phrase("expected true or false"))


def _number(value: str, kind: Callable[[str], T], expected: Phrase) -> T:
    """`value` as a number, or ValueError saying what was `expected` (not Python's words)."""
    try:
        return kind(value.strip())
    except ValueError:
        raise Unexpected(expected) from None


# What each parser expected, made once: a refusal's words, not work for every value read.
_WHOLE_NUMBER = phrase("expected a whole number, 1 or more")
_BYTES = phrase("expected a number of bytes, 1 or more, or with a unit as git config takes it (50m, 2g)")
_PAUSE = phrase("expected empty, always, or a time (epoch seconds)")
_SECONDS = phrase("expected seconds, more than 0 and at most 3600")


def _positive_int(value: str) -> int:
    number = _number(value, int, _WHOLE_NUMBER)
    if number < 1:
        raise Unexpected(_WHOLE_NUMBER)
    return number


# As `git config --type=int` reads a size (`core.bigFileThreshold 512m`): k, m or g, in
# either case, times 1024.
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _byte_size(value: str) -> int:
    """A number of bytes, 1 or more: `52428800`, or with a unit as git takes it (`50m`)."""
    raw = value.strip().lower()
    digits = raw.rstrip("kmg")
    unit = _SIZE_UNITS.get(raw[len(digits) :])
    if unit is None:
        raise Unexpected(_BYTES)
    number = _number(digits, int, _BYTES) * unit
    if number < 1:
        raise Unexpected(_BYTES)
    return number


def _strategy(value: str) -> str:
    if value not in STRATEGIES:
        raise Unexpected(phrase("expected one of {choices}", choices=", ".join(STRATEGIES)))
    return value


def _sync_mode(value: str) -> str:
    value = value.strip().lower()
    if value not in SYNC_MODES:
        raise Unexpected(phrase("expected one of {choices}", choices=", ".join(SYNC_MODES)))
    return value


def _paused_until(value: str) -> str:
    """A stored pause: empty (none), `always`, or the UTC epoch second it ends at."""
    value = value.strip().lower()
    if value in ("", PAUSED_FOREVER):
        return value
    if not 0 <= _number(value, float, _PAUSE) < 2**53:  # NaN and infinity too
        raise Unexpected(_PAUSE)
    return str(int(float(value)))


def _seconds(value: str) -> float:
    number = _number(value, float, _SECONDS)
    if not 0 < number <= 3600:  # NaN too
        raise Unexpected(_SECONDS)
    return number


def pause_active(paused_until: str, now: float) -> bool:
    """Whether a stored pause (see `_paused_until`) holds at wall time `now`."""
    if paused_until == PAUSED_FOREVER:
        return True
    return bool(paused_until) and float(paused_until) > now


def pause_until(now: float, seconds: float | None) -> str:
    """The stored form of a pause starting at wall time `now`: for good, or `seconds` long."""
    return PAUSED_FOREVER if seconds is None else str(int(now + seconds + 0.999))


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """`90s`, `30m`, `1h`, `2d`, or plain seconds; BadInput otherwise."""
    raw = text.strip().lower()
    unit = _UNITS.get(raw[-1:])
    number = raw[:-1] if unit is not None else raw
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        raise BadInput(
            phrase("bad duration {text}: expected e.g. 90s, 30m, 1h or 2d", text=repr(text))
        ) from None
    if not 0 < seconds <= 366 * 86400:
        raise BadInput(phrase("bad duration {text}: more than 0 and at most a year", text=repr(text)))
    return seconds


def _tracked(value: str) -> str:
    value = value.strip()
    if value in ("upstreams", "all"):
        return value
    names = [name.strip() for name in value.split(",")]
    if not value or any(not name or " " in name or name.startswith("-") for name in names):
        raise Unexpected(phrase("expected upstreams, all, or a comma-separated list of branch names"))
    return ",".join(names)


@dataclass(frozen=True)
class RepoSettings:
    """A repository's settings (`gitferry set NAME KEY VALUE`), defaults where unset."""

    fetch_interval: int = 300
    strategy: str = AS_GIT_PULL
    auto_commit: bool = False
    max_file_size: int = 50 * 1024 * 1024
    push_all: bool = True
    fast_forward_all: bool = False
    tracked_branches: str = "upstreams"
    # `manual`: background fetch only; `auto`: the whole sync runs by itself (core.engine.auto_sync).
    sync_mode: str = "manual"
    paused_until: str = ""  # this repository's pause: "", "always", or epoch seconds (`pause_active`)

    @property
    def reach(self) -> SyncReach:
        return SyncReach(self.fast_forward_all, self.push_all)

    @property
    def tracked_list(self) -> list[str] | None:
        """The explicit branch list, or None for `upstreams`/`all`."""
        if self.tracked_branches in ("upstreams", "all"):
            return None
        return self.tracked_branches.split(",")


def _default_max_concurrent() -> int:
    return max(1, min((os.cpu_count() or 2) - 1, 4))


@dataclass(frozen=True)
class AppSettings:
    """The app's settings (`gitferry set KEY VALUE`), defaults where unset."""

    max_concurrent: int = _default_max_concurrent()
    memory_budget: int = 256 * 1024 * 1024
    pool_ttl: int = 300
    pause_on_battery: bool = True
    max_pack_size: int = DEFAULT_MAX_PACK_SIZE  # bytes one fetch may receive; larger packs are refused
    max_object_size: int = DEFAULT_MAX_OBJECT_SIZE  # bytes one received object may inflate to
    max_inflated_size: int = DEFAULT_MAX_INFLATED_SIZE  # bytes all of one fetch's objects may inflate to
    # Seconds a background fetch may run before it is stopped (and counts as a failure of
    # the remote in flight); each repository's own deadline is also bounded by its interval
    # (`core.engine.job_limits`). A sync the user asked for has none.
    fetch_deadline: int = DEFAULT_FETCH_DEADLINE
    # Auto mode: a change is synced once the tree has been quiet this long (seconds), and
    # at the latest `settle_max` after the first change (files still changing then: from a
    # verified snapshot).
    settle_time: float = 3.0
    settle_max: float = 30.0
    paused_until: str = ""  # every repository's pause: "", "always", or epoch seconds
    pause_on_metered: bool = True  # a metered network (NetworkManager says so) pauses background work


REPO_PARSERS: dict[str, Callable[[str], Any]] = {
    "fetch_interval": _positive_int,
    "strategy": _strategy,
    "auto_commit": _bool,
    "max_file_size": _byte_size,
    "push_all": _bool,
    "fast_forward_all": _bool,
    "tracked_branches": _tracked,
    "sync_mode": _sync_mode,
    "paused_until": _paused_until,
}

APP_PARSERS: dict[str, Callable[[str], Any]] = {
    "max_concurrent": _positive_int,
    "memory_budget": _byte_size,
    "pool_ttl": _positive_int,
    "pause_on_battery": _bool,
    "max_pack_size": _byte_size,
    "max_object_size": _byte_size,
    "max_inflated_size": _byte_size,
    "fetch_deadline": _positive_int,
    "settle_time": _seconds,
    "settle_max": _seconds,
    "paused_until": _paused_until,
    "pause_on_metered": _bool,
}


def parse_setting(parsers: Mapping[str, Callable[[str], Any]], key: str, value: str) -> str:
    """Validate one setting; returns its canonical text form."""
    parser = parsers.get(key)
    if parser is None:
        known = ", ".join(sorted(parsers))
        raise BadSetting(key, phrase("unknown setting {key} (known: {known})", key=repr(key), known=known))
    try:
        parsed = parser(value)
    except ValueError as exc:
        why = exc.said if isinstance(exc, Unexpected) else verbatim(str(exc))
        message = phrase("bad value {value} for {key}: {why}", value=repr(value), key=key, why=why)
        raise BadSetting(key, message, why) from None
    return str(parsed).lower() if isinstance(parsed, bool) else str(parsed)


def repo_settings(rows: Mapping[str, str]) -> RepoSettings:
    return RepoSettings(**_load(REPO_PARSERS, rows))


def app_settings(rows: Mapping[str, str]) -> AppSettings:
    return AppSettings(**_load(APP_PARSERS, rows))


def _load(parsers: Mapping[str, Callable[[str], Any]], rows: Mapping[str, str]) -> dict[str, Any]:
    """Parse stored rows; an unknown key or a bad (hand-edited) value keeps the default."""
    values: dict[str, Any] = {}
    for key, raw in rows.items():
        parser = parsers.get(key)
        if parser is None:
            log.warning("ignoring the stored setting %r: not a known setting", key)
            continue
        try:
            values[key] = parser(raw)
        except ValueError as exc:
            log.warning("stored %s = %r is not valid (%s): using the default", key, raw, exc)
    return values


def as_text(settings: RepoSettings | AppSettings) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in fields(settings):
        value = getattr(settings, field.name)
        out[field.name] = str(value).lower() if isinstance(value, bool) else str(value)
    return out
