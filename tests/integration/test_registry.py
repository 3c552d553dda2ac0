"""The registry's remote and credential edits, checked with the git CLI and the keyring backend."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.engine import registry
from core.engine.core import Core
from core.errors import BadInput
from core.git.transfer.errors import AuthFailed
from core.model import RemoteRecord
from tests.gitcli import git
from tests.integration.test_fetch import seed
from tests.memory_keyring import MemoryKeyring
from tests.servers import HttpRemote, Remote


@pytest.fixture
async def core() -> AsyncIterator[Core]:
    opened = await Core.open()
    yield opened
    await opened.close()


def a_repo(tmp_path: Path, url: str) -> Path:
    repo = tmp_path / "mine"
    git("init", "-q", "-b", "main", str(repo))
    git("remote", "add", "origin", url, cwd=repo)
    return repo


async def test_push_url_is_set_then_dropped(core: Core, tmp_path: Path) -> None:
    repo = a_repo(tmp_path, "git://127.0.0.1/fetch.git")
    record = await registry.add_repository(core, str(repo))
    await registry.edit_remote(core, "mine", "set-push-url", "origin", "ssh://git@127.0.0.1/push.git")
    assert git("config", "remote.origin.pushurl", cwd=repo) == "ssh://git@127.0.0.1/push.git"
    assert git("config", "remote.origin.url", cwd=repo) == "git://127.0.0.1/fetch.git"
    assert await core.store.remotes(record.id) == [
        RemoteRecord("origin", "git://127.0.0.1/fetch.git", "ssh://git@127.0.0.1/push.git")
    ]
    await registry.edit_remote(core, "mine", "set-push-url", "origin", None)
    assert git("config", "--get", "remote.origin.pushurl", cwd=repo, check=False) == ""
    assert await core.store.remotes(record.id) == [RemoteRecord("origin", "git://127.0.0.1/fetch.git")]


async def test_bad_push_url_or_action_changes_nothing(core: Core, tmp_path: Path) -> None:
    repo = a_repo(tmp_path, "git://127.0.0.1/fetch.git")
    await registry.add_repository(core, str(repo))
    before = (repo / ".git" / "config").read_bytes()
    with pytest.raises(BadInput):
        await registry.edit_remote(core, "mine", "set-push-url", "origin", "ht!tp://bad url")
    with pytest.raises(BadInput):
        await registry.edit_remote(core, "mine", "rename", "origin", "git://127.0.0.1/x.git")
    with pytest.raises(BadInput):
        await registry.edit_remote(core, "mine", "set-push-url", "nope", "git://127.0.0.1/x.git")
    assert (repo / ".git" / "config").read_bytes() == before


async def test_credentials_are_checked_at_the_url_given_and_saved_only_when_accepted(
    core: Core, tmp_path: Path, http_auth_server: HttpRemote, memory_keyring: MemoryKeyring
) -> None:
    seed(http_auth_server, tmp_path)
    repo = a_repo(tmp_path, "git://127.0.0.1/elsewhere.git")
    await registry.add_repository(core, str(repo))
    url = http_auth_server.url("origin")
    user, secret = http_auth_server.auth or ("", "")
    with pytest.raises(AuthFailed):
        await registry.set_credentials(core, "mine", "origin", user, "wrong-password-42", url=url)
    assert memory_keyring.secrets == {}
    accepted = await registry.check_credentials(core, "origin", url, user, secret)
    assert memory_keyring.secrets == {}  # checked, not saved
    await registry.save_credentials(core, accepted)
    assert [secret in blob for blob in memory_keyring.secrets.values()] == [True]
    assert await registry.saved_username(core, url) == user


async def test_a_cancelled_clone_keeps_nothing(core: Core, tmp_path: Path, git_daemon: Remote) -> None:
    seed(git_daemon, tmp_path)
    cancel = threading.Event()
    cancel.set()
    target = tmp_path / "clone"
    with pytest.raises(registry.CloneCancelled):
        await registry.clone_repository(core, git_daemon.url("origin"), str(target), cancel=cancel)
    assert not target.exists()
    assert await core.store.repos() == []


async def test_clone_reports_progress_and_registers(core: Core, tmp_path: Path, git_daemon: Remote) -> None:
    seed(git_daemon, tmp_path)
    seen: list[str] = []
    record = await registry.clone_repository(
        core,
        git_daemon.url("origin"),
        str(tmp_path / "clone"),
        progress=lambda remote, p: seen.append(f"{remote}:{p.phase}"),
        cancel=threading.Event(),
    )
    assert record.name == "clone" and "origin:connecting" in seen
    assert git("rev-parse", "HEAD", cwd=tmp_path / "clone") == git("rev-parse", "main", cwd=tmp_path / "work")
