"""The status store's copy of each repository's remotes, read from its git config.

git's config is the source of truth for remotes (people edit them with the git
CLI too); the store keeps a copy, without secrets, for the GUI and the CLI to
show. After the store was rebuilt from the registry file, every copy is read again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import GitferryError
from core.git.config import remote_config
from core.git.config.url_rewrite import fetch_url, push_rewrites
from core.git.repository import open_worktree_repo
from core.model import RemoteRecord
from core.remote_url import url_without_secret

if TYPE_CHECKING:
    from core.engine.core import Core

log = logging.getLogger(__name__)


def remote_records(remotes: Sequence[remote_config.RemoteConfig]) -> list[RemoteRecord]:
    """The remotes as the store keeps them: a password the user's own git put into the
    config stays there, out of the store. A sync and a refresh save them with the branches
    (`save_remotes`: only when they changed), so a `git remote add` is seen."""
    return [
        RemoteRecord(
            r.name,
            url_without_secret(r.url),
            r.push_url and url_without_secret(r.push_url),
            tuple(url_without_secret(url) for url in r.urls[1:]),
            tuple(url_without_secret(url) for url in r.push_urls[1:]),
        )
        for r in remotes
    ]


def remotes_at(path: str) -> list[RemoteRecord]:
    """The remotes of the repository at `path` as its git config has them now, every URL
    of each (the store keeps the first fetch and push URL only)."""
    with open_worktree_repo(path) as repo:
        return remote_records(remote_config.list_remotes(repo))


@dataclass(frozen=True)
class RemoteUrls:
    """Where a remote's transfers connect, as `git remote -v` says it: each `url` after
    `url.<base>.insteadOf` (a fetch uses the first) and each URL a push sends to after
    `pushInsteadOf` or `insteadOf` (`url_rewrite`), secrets left out."""

    fetch: tuple[str, ...]
    push: tuple[str, ...]


def remotes_connecting_at(path: str) -> tuple[list[RemoteRecord], dict[str, RemoteUrls]]:
    """The remotes of the repository at `path` (`remotes_at`) and each one's `RemoteUrls`,
    by name, from one read of its config."""
    with open_worktree_repo(path) as repo:
        config = repo.get_config_stack()
        remotes = remote_config.list_remotes(repo)
        connects = {
            r.name: RemoteUrls(
                tuple(url_without_secret(fetch_url(config, url).effective) for url in r.urls or (r.url,)),
                tuple(url_without_secret(w.effective) for w in push_rewrites(repo, r.name)),
            )
            for r in remotes
        }
        return remote_records(remotes), connects


async def mirror_remotes(core: Core, repo_id: int, path: str) -> list[RemoteRecord]:
    """Copy the repository's remotes from its git config into the status store; returns
    them with every URL (`remotes_at`)."""
    records = await core.offload.io(remotes_at, path)
    await core.store.replace_remotes(repo_id, records)
    return records


async def mirror_all_remotes(core: Core) -> None:
    """Every registered repository's remotes, read again; one that cannot be opened now
    keeps none until its next edit or rebuild."""
    for record in await core.store.repos():
        try:
            await mirror_remotes(core, record.id, record.path)
        except (GitferryError, OSError, ValueError) as exc:
            log.warning("%s: remotes not read from its git config: %s", record.name, exc)
