"""Registering repositories and editing their remotes and credentials."""

from __future__ import annotations

from pathlib import Path

from dulwich.repo import Repo

from core.credentials import HttpAuth, split_url_secret
from core.engine.core import Core
from core.errors import BadInput
from core.git import remote_config
from core.git.repository import canonical_path, open_worktree_repo
from core.git.transport import check_url
from core.settings import REPO_PARSERS, parse_setting
from core.store.records import RemoteRecord, RepoRecord


def _default_name(path: str) -> str:
    return Path(path).name or "repository"


def _validate_name(name: str) -> None:
    if not name or name.startswith("-") or any(c.isspace() or c in "/\\" for c in name):
        raise BadInput(f"bad repository name {name!r}: no spaces or slashes, not starting with '-'")


async def mirror_remotes(core: Core, repo_id: int, path: str) -> None:
    """Copy the repository's remotes from its git config into the status store."""

    def read() -> list[remote_config.RemoteConfig]:
        with open_worktree_repo(path) as repo:
            return remote_config.list_remotes(repo)

    remotes = await core.offload.io(read)
    await core.store.replace_remotes(repo_id, [RemoteRecord(r.name, r.url, r.push_url) for r in remotes])


async def add_repository(
    core: Core, path: str, *, name: str | None = None, settings: dict[str, str] | None = None
) -> RepoRecord:
    path = canonical_path(path)
    name = name or _default_name(path)
    _validate_name(name)
    checked = {key: parse_setting(REPO_PARSERS, key, value) for key, value in (settings or {}).items()}
    await core.offload.io(lambda: open_worktree_repo(path).close())
    record = await core.store.add_repo(name, path, checked)
    await mirror_remotes(core, record.id, path)
    return record


async def remove_repository(core: Core, name: str) -> None:
    """Forget a repository; its files are never touched."""
    await core.store.remove_repo(name)


async def set_repo_setting(core: Core, name: str, key: str, value: str) -> None:
    text = parse_setting(REPO_PARSERS, key, value)
    record = await core.store.repo(name)
    await core.store.set_repo_setting(record.id, key, text)


async def edit_remote(core: Core, name: str, action: str, remote: str, url: str | None) -> None:
    """`remote add|set-url|remove`; a URL's secret goes to the keyring, never the config."""
    record = await core.store.repo(name)
    auth: HttpAuth | None = None
    if action in ("add", "set-url"):
        if not url:
            raise BadInput(f"remote {action} needs a URL")
        url, auth = split_url_secret(url)
        check_url(url)

    def apply() -> None:
        with open_worktree_repo(record.path) as repo:
            _apply_remote_edit(repo, action, remote, url)

    await core.offload.io(apply)
    if auth is not None and url is not None:
        await core.offload.io(core.credentials.save, url, auth)
    await mirror_remotes(core, record.id, record.path)


def _apply_remote_edit(repo: Repo, action: str, remote: str, url: str | None) -> None:
    if action == "add" and url:
        remote_config.add_remote(repo, remote, url)
    elif action == "set-url" and url:
        remote_config.set_remote_url(repo, remote, url)
    elif action == "remove":
        remote_config.remove_remote(repo, remote)
    else:
        raise BadInput(f"unknown remote action {action!r}")
