"""Config values as git reads them: one boolean parser for every `core.git.config` reader,
a value as text (`config_text`) and a boolean setting (`config_flag`).

git's `git_parse_maybe_bool`: true/yes/on, false/no/off and the empty value
(`key =`), or an integer (non-zero is true; git reads it with strtol's base 0, so
`0x10` is a number too). A key with no `=` at all is true; callers that see the
raw value handle that case (dulwich hands it over as None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dulwich.config import Config

GIT_TRUE = frozenset({"true", "yes", "on"})
GIT_FALSE = frozenset({"false", "no", "off", ""})


def git_bool(text: str) -> bool | None:
    """`text` as git's boolean, or None when git would not take it as one."""
    lowered = text.strip().lower()
    if lowered in GIT_TRUE:
        return True
    if lowered in GIT_FALSE:
        return False
    for base in (0, 10):  # base 0 refuses "010", which git's strtol reads
        try:
            return int(lowered, base) != 0
        except ValueError:
            continue
    return None


def config_text(
    config: Config | None, section: tuple[bytes, ...], name: bytes, errors: str = "replace"
) -> str | None:
    """`name` in `section` as text (bytes that are not UTF-8 decoded with `errors`); None
    when it is not set, or there is no `config`."""
    if config is None:
        return None
    try:
        return config.get(section, name).decode("utf-8", errors)
    except KeyError:
        return None


def config_flag(config: Config | None, section: tuple[bytes, ...], name: bytes) -> bool | None:
    """`name` in `section` as git's boolean (a key with no `=` is true); None when it is
    not set, or not a boolean git would take."""
    if config is None:
        return None
    try:
        raw = config.get(section, name)
    except KeyError:
        return None
    return True if raw is None else git_bool(raw.decode("utf-8", "replace"))


_INT_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def git_int(text: str) -> int | None:
    """`text` as git's integer (`git_parse_int`: strtol's base 0 and a k/m/g unit);
    None when git would refuse it."""
    stripped = text.strip()
    unit = stripped[-1:].lower() if stripped[-1:].lower() in _INT_UNITS else ""
    number = stripped[: len(stripped) - len(unit)]
    for base in (0, 10):  # base 0 refuses "010", which git's strtol reads
        try:
            return int(number, base) * _INT_UNITS[unit]
        except ValueError:
            continue
    return None
