"""`url.<base>.insteadOf` and `url.<base>.pushInsteadOf`, applied as git's remote.c does.

A URL starting with an `insteadOf` value is rewritten to `<base>` plus the
rest; of several that match, the longest value wins (the first one read, on a
tie). A fetch uses `remote.<name>.url` rewritten by `insteadOf`. A push uses
`remote.<name>.pushurl` rewritten by `insteadOf` when there is one; without
one, the `url` rewritten by `pushInsteadOf` if any matches, else by
`insteadOf`. A URL given by hand (a clone) is rewritten as a fetch URL. The
config keeps the URLs as written: the rewrite applies at connection time only.

dulwich's `apply_instead_of(push=True)` pools both kinds in one longest-match
and applies `pushInsteadOf` to an explicit `pushurl` too, which git does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.config import Config
from dulwich.repo import Repo

from core.git.config.remote_config import find_remote
from core.git.config.urlmatch import entries

INSTEAD_OF = "insteadof"
PUSH_INSTEAD_OF = "pushinsteadof"


@dataclass(frozen=True)
class Rewrite:
    """One URL as configured and as connected to (`effective`, the same when no rule applies)."""

    configured: str
    effective: str

    @property
    def rewritten(self) -> bool:
        return self.configured != self.effective


def rewrite(config: Config | None, url: str, kind: str = INSTEAD_OF) -> str | None:
    """`url` rewritten by the longest matching rule of `kind`, or None when none matches."""
    if config is None:
        return None
    best: tuple[int, str] | None = None
    for entry in entries(config):
        if entry.section != b"url" or entry.subsection is None or entry.name != kind:
            continue
        prefix = entry.value.decode("utf-8", "replace")
        if url.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), entry.subsection.decode("utf-8", "replace"))
    if best is None:
        return None
    return best[1] + url[best[0] :]


def fetch_url(config: Config | None, url: str) -> Rewrite:
    """Where a fetch (or a clone, or Test connection) of `url` connects."""
    return Rewrite(url, rewrite(config, url) or url)


def push_url(config: Config | None, url: str, push_url: str | None) -> Rewrite:
    """Where a push connects: `push_url` (the remote's `pushurl`) when set, else `url`."""
    if push_url:
        return Rewrite(push_url, rewrite(config, push_url) or push_url)
    return Rewrite(url, rewrite(config, url, PUSH_INSTEAD_OF) or rewrite(config, url) or url)


def push_rewrites(repo: Repo, name: str) -> list[Rewrite]:
    """Where a push of the remote `name` connects, each URL git pushes to (every `pushurl`,
    else every `url`), the first being `remote_rewrite(push=True)`."""
    config = repo.get_config_stack()
    remote = find_remote(repo, name)
    return [
        push_url(config, remote.url, url) if is_push_url else push_url(config, url, None)
        for url, is_push_url in remote.push_targets
    ]


def remote_rewrite(repo: Repo, name: str, *, push: bool = False) -> Rewrite:
    """Where a fetch (or with `push`, a push) of the remote `name` connects."""
    config = repo.get_config_stack()
    remote = find_remote(repo, name)
    return push_url(config, remote.url, remote.push_url) if push else fetch_url(config, remote.url)
