"""How `git pull` would integrate the checked-out branch, read from the git config as
git's builtin/pull.c reads it; a repository's `strategy` setting `git` (the default)
follows it at each sync.

- `pull.ff = only` wins over any rebase setting ("ff-only takes precedence over
  rebase"): a diverged branch is refused.
- else `branch.<name>.rebase`, then `pull.rebase`: true, `merges` and `interactive`
  rebase; false merges.
- else `merge.ff = only` (read by the `git merge` a pull runs when it does not rebase):
  a diverged branch is refused too.
- nothing set: git stops a diverged pull and asks; Gitferry's default (merge) stands.

A branch only behind its upstream is fast-forwarded, unless the pull merges (no rebase
setting) and `pull.ff = false`, or else `merge.ff = false`, says otherwise: then git's
pull makes a merge commit (`no_ff_setting`; a rebasing pull fast-forwards whatever
`merge.ff` says).
"""

from __future__ import annotations

from typing import Final

from dulwich.config import Config
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.values import git_bool
from core.git.repository import current_branch, open_worktree_repo
from core.settings import AS_GIT_PULL, NO_PULL_SETTING, SET_IN_GITFERRY

_REBASES: Final = frozenset({"merges", "m", "interactive", "i"})


def strategy_in_effect(repo: Repo, setting: str) -> tuple[str, str]:
    """The strategy a sync integrates the checked-out branch with (`merge`, `rebase` or
    `ff-only`) and where it comes from: the repository's `strategy` setting when it names
    one, else git's pull settings as they are now (`pull.rebase=true`), else merge."""
    if setting != AS_GIT_PULL:
        return setting, SET_IN_GITFERRY
    return pull_strategy(repo) or ("merge", NO_PULL_SETTING)


def strategy_at(path: str, setting: str) -> tuple[str, str] | None:
    """`strategy_in_effect` in the repository at `path`; None when it cannot be read now
    (gone, no repository, a damaged config): a listing says nothing, the sync says why."""
    try:
        repo = open_worktree_repo(path)
    except (GitferryError, OSError):
        return None
    try:
        return strategy_in_effect(repo, setting)
    except (OSError, ValueError):
        return None
    finally:
        repo.close()


def pull_strategy(repo: Repo) -> tuple[str, str] | None:
    """(`merge`, `rebase` or `ff-only`, the setting that says so as `key=value`), or None
    when git's config names no way to integrate (or only values git refuses)."""
    config = repo.get_config_stack()
    ff = _value(config, (b"pull",), b"ff")
    if ff == "only":
        return "ff-only", "pull.ff=only"
    rebase = _rebase_setting(repo, config)
    if rebase is not None and rebase[0] == "rebase":
        return rebase
    if ff is None and _value(config, (b"merge",), b"ff") == "only":
        return "ff-only", "merge.ff=only"
    return rebase


def no_ff_setting(repo: Repo, setting: str) -> str | None:
    """The setting (`pull.ff=false`, `merge.ff=false`) under which `git pull` gives a branch
    only behind its upstream a merge commit instead of fast-forwarding it; None when it
    fast-forwards (or the repository's `strategy` is set in Gitferry: git's pull settings
    are not followed then)."""
    if setting != AS_GIT_PULL:
        return None
    pulls_with = pull_strategy(repo)
    if pulls_with is not None and pulls_with[0] != "merge":
        return None  # a rebase, or ff-only: fast-forwards
    config = repo.get_config_stack()
    for section, key in (((b"pull",), "pull.ff"), ((b"merge",), "merge.ff")):
        value = _value(config, section, b"ff")
        if value is not None:
            return f"{key}={value}" if git_bool(value) is False else None
    return None


def autostash_setting(repo: Repo, setting: str) -> str | None:
    """`rebase.autoStash=true` or `merge.autoStash=true` when the `git pull` this sync stands
    for would stash local changes in the way, re-apply them after and go on (git 2.39's
    pull.c: a pull that rebases reads `rebase.autoStash`, even one `pull.ff = only` turns
    into a fast-forward; the `git merge` of any other pull reads `merge.autoStash`); None
    otherwise. The sync then stashes and re-applies them as git does (`core.git.merge.autostash`)."""
    config = repo.get_config_stack()
    if setting == AS_GIT_PULL:
        found = _rebase_setting(repo, config)
        rebases = found is not None and found[0] == "rebase"
    else:
        rebases = setting == "rebase"
    key = "rebase.autoStash" if rebases else "merge.autoStash"
    value = _value(config, (key.split(".")[0].encode(),), b"autoStash")
    return f"{key}={value}" if value is not None and git_bool(value) else None


def _rebase_setting(repo: Repo, config: Config) -> tuple[str, str] | None:
    """`branch.<name>.rebase`, then `pull.rebase`: (`rebase` or `merge`, `key=value`);
    None when neither is set, or the value is one git refuses."""
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
