"""Registering repositories and editing their remotes and credentials."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dulwich.repo import Repo

from core.credentials import HttpAuth, split_url_secret
from core.engine.core import Core
from core.errors import BadInput, NotARepository
from core.git import remote_config
from core.git.clone import clone_repository as clone_into
from core.git.probe import probe_remote
from core.git.progress import TransferProgress
from core.git.remote_url import check_url
from core.git.repository import canonical_path, open_worktree_repo
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


def _check_worktree(path: str) -> None:
    if not Path(path).exists():
        raise NotARepository(path, "does not exist")
    open_worktree_repo(path).close()


async def add_repository(
    core: Core, path: str, *, name: str | None = None, settings: dict[str, str] | None = None
) -> RepoRecord:
    path = canonical_path(path)
    name = name or _default_name(path)
    _validate_name(name)
    checked = {key: parse_setting(REPO_PARSERS, key, value) for key, value in (settings or {}).items()}
    await core.offload.io(_check_worktree, path)
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

    if auth is not None and url is not None:
        await _accept_credentials(core, remote, url, auth)
    await core.offload.io(apply)
    await mirror_remotes(core, record.id, record.path)


async def _accept_credentials(core: Core, remote: str, url: str, auth: HttpAuth) -> None:
    """Save a typed secret only once the remote has accepted it."""
    await core.offload.io(probe_remote, remote, url, auth=auth)
    await core.offload.io(core.credentials.save, url, auth)


async def set_credentials(core: Core, name: str, remote: str, username: str, secret: str) -> None:
    record = await core.store.repo(name)

    def url_of() -> str:
        with open_worktree_repo(record.path) as repo:
            return remote_config.remote_url(repo, remote)

    url = await core.offload.io(url_of)
    if not url.startswith(("http://", "https://")):
        raise BadInput(f"{remote} uses {url.split(':', 1)[0]}, not HTTP(S): ssh uses your agent and keys")
    if not username or not secret:
        raise BadInput("a user name and a token or password are both needed")
    await _accept_credentials(core, remote, url, HttpAuth(username, secret))


def _check_clone_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BadInput(f"{target} exists and is not an empty folder")


async def clone_repository(
    core: Core,
    url: str,
    path: str,
    *,
    name: str | None = None,
    progress: Callable[[str, TransferProgress], None] | None = None,
) -> RepoRecord:
    """Clone `url` into a new folder at `path` and register it."""
    target = Path(canonical_path(path))
    await core.offload.io(_check_clone_target, target)
    name = name or _default_name(str(target))
    _validate_name(name)
    await core.store.repos()  # fail early on a broken store, before any download
    url, auth = split_url_secret(url)
    check_url(url)
    if auth is None and url.startswith(("http://", "https://")):
        auth = await core.offload.io(core.credentials.get, url)
    sink = None if progress is None else (lambda p: progress("origin", p))
    await core.offload.io(clone_into, url, target, auth=auth, progress=sink)
    if auth is not None:
        await core.offload.io(core.credentials.save, url, auth)
    return await add_repository(core, str(target), name=name)


def _apply_remote_edit(repo: Repo, action: str, remote: str, url: str | None) -> None:
    if action == "add" and url:
        remote_config.add_remote(repo, remote, url)
    elif action == "set-url" and url:
        remote_config.set_remote_url(repo, remote, url)
    elif action == "remove":
        remote_config.remove_remote(repo, remote)
    else:
        raise BadInput(f"unknown remote action {action!r}")
