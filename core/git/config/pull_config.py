"""How `git pull` would integrate the checked-out branch, read from the git config as
git's builtin/pull.c reads it; a repository's `strategy` setting starts from it when it
is registered.

- `pull.ff = only` wins over any rebase setting ("ff-only takes precedence over
  rebase"): a diverged branch is refused.
- else `branch.<name>.rebase`, then `pull.rebase`: true, `merges` and `interactive`
  rebase; false merges.
- nothing set: git stops a diverged pull and asks; Gitferry's default (merge) stands.
"""

from __future__ import annotations

from typing import Final

from dulwich.config import Config
from dulwich.repo import Repo

from core.git.config.values import git_bool
from core.git.repository import current_branch

_REBASES: Final = frozenset({"merges", "m", "interactive", "i"})


def pull_strategy(repo: Repo) -> tuple[str, str] | None:
    """(`merge`, `rebase` or `ff-only`, the setting that says so as `key=value`), or None
    when git's config names no way to integrate (or only values git refuses)."""
    config = repo.get_config_stack()
    ff = _value(config, (b"pull",), b"ff")
    if ff == "only":
        return "ff-only", "pull.ff=only"
    branch = current_branch(repo)
    keys: list[tuple[tuple[bytes, ...], str]] = [((b"pull",), "pull.rebase")]
    if branch is not None:
        keys.insert(0, ((b"branch", branch.encode()), f"branch.{branch}.rebase"))
    for section, key in keys:
        value = _value(config, section, b"rebase")
        if value is None:
            continue
        parsed = git_bool(value)
        if parsed is None and value not in _REBASES:
            return None  # git refuses to pull with it: leave the default
        return ("rebase" if parsed is not False else "merge"), f"{key}={value}"
    return None


def _value(config: Config, section: tuple[bytes, ...], name: bytes) -> str | None:
    try:
        raw = config.get(section, name)
    except KeyError:
        return None
    return "true" if raw is None else raw.decode("utf-8", "replace")
