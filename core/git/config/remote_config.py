"""A repository's remotes, read from and written to its git config.

The git config is the source of truth (people use the git CLI on the same
repositories); the status store keeps a mirror for the GUI.
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.config import ConfigFile
from dulwich.repo import Repo

from core.errors import BadInput
from core.phrase import phrase


@dataclass(frozen=True)
class RemoteConfig:
    """A remote as `.git/config` names it: its fetch URL and push URL (the first `url` and
    `pushurl`, as git fetches from the first), and every one of them: git pushes to each
    `pushurl`, or without one to each `url`."""

    name: str
    url: str
    push_url: str | None = None
    urls: tuple[str, ...] = ()
    push_urls: tuple[str, ...] = ()

    @property
    def push_targets(self) -> list[tuple[str, bool]]:
        """Each URL `git push` sends to, in order, and whether it is a `pushurl`."""
        if self.push_urls:
            return [(url, True) for url in self.push_urls]
        return [(url, False) for url in self.urls or (self.url,)]


class UnknownRemote(BadInput):
    def __init__(self, name: str) -> None:
        super().__init__(phrase("no remote named {name}", name=repr(name)))
        self.name = name


def _check_name(name: str) -> None:
    if not name or name.startswith("-") or any(c in name for c in ' \t\n/\\:"[]*?~^'):
        raise BadInput(phrase("bad remote name {name}", name=repr(name)))


def list_remotes(repo: Repo) -> list[RemoteConfig]:
    config = repo.get_config()
    remotes: list[RemoteConfig] = []
    for section in config.sections():
        if len(section) != 2 or section[0] != b"remote":
            continue
        urls = _values(config, section, b"url")
        if not urls:
            continue
        push_urls = _values(config, section, b"pushurl")
        push_url = push_urls[0] if push_urls else None
        remotes.append(RemoteConfig(section[1].decode(), urls[0], push_url, urls, push_urls))
    return sorted(remotes, key=lambda r: r.name)


def _values(config: ConfigFile, section: tuple[bytes, bytes], name: bytes) -> tuple[str, ...]:
    """Every value of a multi-valued key, in the file's order (dulwich's `get` gives the last)."""
    try:
        return tuple(value.decode() for value in config.get_multivar(section, name))
    except KeyError:
        return ()


def find_remote(repo: Repo, name: str) -> RemoteConfig:
    for remote in list_remotes(repo):
        if remote.name == name:
            return remote
    raise UnknownRemote(name)


def remote_url(repo: Repo, name: str, *, push: bool = False) -> str:
    """The remote's fetch URL, or with `push` its push URL (`pushurl`, else `url`), as
    configured (`url_rewrite` says where a transfer connects)."""
    remote = find_remote(repo, name)
    return (remote.push_url or remote.url) if push else remote.url


def add_remote(repo: Repo, name: str, url: str) -> None:
    _check_name(name)
    config = repo.get_config()
    section = (b"remote", name.encode())
    if config.has_section(section):
        raise BadInput(phrase("remote {name} already exists", name=repr(name)))
    config.set(section, b"url", url.encode())
    config.set(section, b"fetch", f"+refs/heads/*:refs/remotes/{name}/*".encode())
    config.write_to_path()


def set_remote_url(repo: Repo, name: str, url: str, *, push: bool = False) -> None:
    config = repo.get_config()
    section = (b"remote", name.encode())
    if not config.has_section(section):
        raise UnknownRemote(name)
    key = b"pushurl" if push else b"url"
    if len(_values(config, section, key)) > 1:  # git refuses too: the others would be lost
        command = f"git remote set-url {'--push ' if push else ''}--add/--delete {name} URL"
        raise BadInput(
            phrase(
                "{setting} has several values (git pushes to each): "
                "change them with {command}; nothing changed",
                setting=f"remote.{name}.{key.decode()}",
                command=command,
            )
        )
    config.set(section, key, url.encode())
    config.write_to_path()


def remove_remote(repo: Repo, name: str) -> None:
    """Drop the remote's config section and its tracking refs (as `git remote remove`)."""
    config = repo.get_config()
    section = (b"remote", name.encode())
    if not config.has_section(section):
        raise UnknownRemote(name)
    del config[section]
    config.write_to_path()
    prefix = f"refs/remotes/{name}/".encode()
    for ref in [r for r in repo.refs.allkeys() if r.startswith(prefix)]:
        repo.refs.remove_if_equals(ref, None)
