"""What git's config asks of the checks a received pack's objects get (`fetch.fsckObjects`,
`transfer.fsckObjects`, `fetch.fsck.<id>`), and the errors they raise. Apart from the
checks themselves (`object_checks.py`) so that a fetch reads the policy before it
connects, as git does, without loading the checks (nor dulwich's index module under
`path_safety`) when no pack comes in: a cold no-change fetch (issue 19)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dulwich.config import Config

from core.errors import GitferryError
from core.phrase import phrase


class Severity(StrEnum):
    ERROR = "error"
    WARN = "warn"
    IGNORE = "ignore"


# Gitferry's default: what breaks a checkout, a merge or the store's readers.
DEFAULT_ERRORS = frozenset(
    {
        "badTree",
        "duplicateEntries",
        "treeNotSorted",
        "hasDot",
        "hasDotdot",
        "hasDotgit",
        "fullPathname",
        "largePathname",
        "badFilemode",
        "gitmodulesSymlink",
        "nulInHeader",
        "unterminatedHeader",
        "missingTree",
        "badTreeSha1",
        "badParentSha1",
        "missingAuthor",
        "multipleAuthors",
        "missingCommitter",
        "missingObject",
        "badObjectSha1",
        "missingTypeEntry",
        "badType",
        "missingTagEntry",
    }
)
# Added by `fsckObjects = true`: git's strict mode (its warnings become errors).
IDENT_IDS = frozenset(
    {
        "missingNameBeforeEmail",
        "badName",
        "missingEmail",
        "missingSpaceBeforeEmail",
        "badEmail",
        "missingSpaceBeforeDate",
        "badDate",
        "zeroPaddedDate",
        "badDateOverflow",
        "badTimezone",
    }
)
STRICT_ERRORS = DEFAULT_ERRORS | IDENT_IDS | {"nullSha1", "zeroPaddedFilemode", "nulInCommit"}
_IDS = {msg_id.lower(): msg_id for msg_id in STRICT_ERRORS}


class BadConfigValue(GitferryError):
    def __init__(self, key: str, value: str, expected: str) -> None:
        super().__init__(
            phrase(
                "{key} = {value} in the git config: expected {expected}",
                key=key,
                value=repr(value),
                expected=expected,
            )
        )


class Malformed(Exception):
    """One problem of an object, by git's fsck message id."""

    def __init__(self, msg_id: str, detail: str) -> None:
        super().__init__(f"{detail} ({msg_id})")
        self.msg_id = msg_id
        self.detail = detail

    def __reduce__(self) -> tuple[type[Malformed], tuple[str, str]]:
        return Malformed, (self.msg_id, self.detail)  # pickled whole: `delta_workers` sends it back


class BadObject(Exception):
    """A received object that the checks refuse; the message names it and the problem."""

    def __init__(self, kind: str, name: str, problem: Malformed) -> None:
        super().__init__(f"the remote sent a bad {kind} {name}: {problem}: refused, nothing was kept")
        self.kind = kind
        self.name = name
        self.problem = problem

    def __reduce__(self) -> tuple[type[BadObject], tuple[str, str, Malformed]]:
        return BadObject, (self.kind, self.name, self.problem)


@dataclass(frozen=True)
class CheckPolicy:
    """Each message id's level; ids not listed are ignored."""

    severities: Mapping[str, Severity]

    @classmethod
    def default(cls) -> CheckPolicy:
        return cls(dict.fromkeys(DEFAULT_ERRORS, Severity.ERROR))

    @classmethod
    def strict_policy(cls) -> CheckPolicy:
        return cls(dict.fromkeys(STRICT_ERRORS, Severity.ERROR))

    @classmethod
    def from_config(cls, config: Config) -> CheckPolicy | None:
        """From `fetch.fsckObjects` (else `transfer.fsckObjects`) and `fetch.fsck.<id>`;
        None when the checks are switched off."""
        switch = _boolean(config, b"fetch") if _is_set(config, b"fetch") else None
        if switch is None and _is_set(config, b"transfer"):
            switch = _boolean(config, b"transfer")
        if switch is False:
            return None
        policy = cls.strict_policy() if switch else cls.default()
        levels = dict(policy.severities)
        for lowered, msg_id in _IDS.items():
            try:
                value = config.get((b"fetch", b"fsck"), lowered.encode())
            except KeyError:
                continue
            text = value.decode("utf-8", "replace").strip().lower()
            if text not in {s.value for s in Severity}:
                raise BadConfigValue(f"fetch.fsck.{msg_id}", text, "error, warn or ignore")
            levels[msg_id] = Severity(text)
        return cls(levels)

    def level(self, msg_id: str) -> Severity:
        return self.severities.get(msg_id, Severity.IGNORE)

    def wants(self, *msg_ids: str) -> bool:
        """Whether any of these messages is reported at all (their checks are made)."""
        return any(self.level(msg_id) is not Severity.IGNORE for msg_id in msg_ids)


def _is_set(config: Config, section: bytes) -> bool:
    try:
        config.get((section,), b"fsckobjects")
    except KeyError:
        return False
    return True


def _boolean(config: Config, section: bytes) -> bool:
    try:
        return bool(config.get_boolean((section,), b"fsckobjects", False))
    except ValueError:
        value = config.get((section,), b"fsckobjects").decode("utf-8", "replace")
        raise BadConfigValue(f"{section.decode()}.fsckObjects", value, "true or false") from None
