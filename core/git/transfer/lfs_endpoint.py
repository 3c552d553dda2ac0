"""Where a repository's Git LFS server is, found as git-lfs finds it (lfsapi/endpoint_finder.go).

For a download from remote R (an upload reads the `push` keys first):
`lfs.pushurl` (upload), `lfs.url`, then R's own `remote.R.lfspushurl` (upload),
`remote.R.lfsurl`, then R's git URL (its `pushurl` for an upload), and the same
for `origin` when R gave none. A URL found in a `lfs.*`/`lfsurl` key is the
server itself; a git URL becomes `<url>.git/info/lfs` (`<url>/info/lfs` when it
already ends in `.git`), an ssh URL (`ssh://`, `user@host:path`) its `https://host/path`
twin and a `git://` one its `lfs.gitprotocol` (https) twin; `url.<base>.insteadOf`
(and `pushInsteadOf` for an upload) rewrite each URL first, as git-lfs's aliases do.

Settings come from git's configuration, then from the repository's `.lfsconfig`
(the working tree's file, else the index's, else HEAD's) for the keys git-lfs
takes from it (`lfs.url`, `lfs.pushurl`, `remote.<name>.lfsurl`, `lfs.fetchinclude`,
`lfs.fetchexclude`); git's own configuration wins where both say something.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlsplit

from dulwich.config import ConfigFile, StackedConfig
from dulwich.ignore import IgnoreFilter
from dulwich.index import IndexEntry
from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.url_rewrite import INSTEAD_OF, PUSH_INSTEAD_OF, rewrite
from core.git.config.values import config_text
from core.git.index.read import open_index

ORIGIN = "origin"
LFSCONFIG = ".lfsconfig"
_SAFE_LFS_KEYS = frozenset({b"url", b"pushurl", b"fetchinclude", b"fetchexclude"})
_BARE_SSH = re.compile(r"(?:[^@/:]+@)?\[?([^/:\]]+)(?::\d+)?\]?:(.*)")


@dataclass(frozen=True)
class LfsEndpoint:
    url: str  # the LFS server: batch requests go to `<url>/objects/batch`
    source: str  # the setting it came from, for messages ("lfs.url", "remote.origin.url", ...)

    @property
    def batch_url(self) -> str:
        return self.url.rstrip("/") + "/objects/batch"


def lfs_endpoint(
    repo: Repo, remote: str, *, upload: bool = False, tree: ObjectID | None = None
) -> LfsEndpoint | None:
    """The LFS server for transfers with `remote`; None when nothing names one. `tree`:
    the one about to be checked out, whose `.lfsconfig` stands for HEAD's (a clone's,
    HEAD not born yet)."""
    settings = _Settings(repo, tree)
    if upload and (url := settings.get(b"lfs", None, b"pushurl")):
        return _endpoint(settings, url, "lfs.pushurl", upload)
    if url := settings.get(b"lfs", None, b"url"):
        return _endpoint(settings, url, "lfs.url", upload)
    if remote != ORIGIN and (found := _remote_endpoint(settings, remote, upload)) is not None:
        return found
    return _remote_endpoint(settings, ORIGIN, upload)


def _remote_endpoint(settings: _Settings, remote: str, upload: bool) -> LfsEndpoint | None:
    name = remote.encode()
    if upload and (url := settings.get(b"remote", name, b"lfspushurl")):
        return _endpoint(settings, url, f"remote.{remote}.lfspushurl", upload)
    if url := settings.get(b"remote", name, b"lfsurl"):
        return _endpoint(settings, url, f"remote.{remote}.lfsurl", upload)
    key = b"pushurl" if upload and settings.get(b"remote", name, b"pushurl") else b"url"
    git_url = settings.get(b"remote", name, key)
    if not git_url:
        return None
    server = _server_url(settings, git_url, upload)
    if not server.startswith("file://"):
        server = server.rstrip("/")
        server += "/info/lfs" if posixpath.splitext(server)[1] == ".git" else ".git/info/lfs"
    return LfsEndpoint(server, f"remote.{remote}.{key.decode()}")


def fetched_paths(repo: Repo) -> Callable[[bytes], bool] | None:
    """Which paths' objects a checkout downloads, by `lfs.fetchinclude` and `lfs.fetchexclude`
    (comma-separated gitignore patterns, a directory taking its contents, as git-lfs's
    filepathfilter reads them); None when neither is set (all of them). The others keep
    their pointer, as git-lfs's smudge leaves them, unless the object is already here."""
    settings = _Settings(repo)
    include, exclude = (
        _path_patterns(settings.get(b"lfs", None, key)) for key in (b"fetchinclude", b"fetchexclude")
    )
    if include is None and exclude is None:
        return None

    def fetched(path: bytes) -> bool:
        if include is not None and not include.is_ignored(path):
            return False
        return exclude is None or not exclude.is_ignored(path)

    return fetched


def _path_patterns(value: str | None) -> IgnoreFilter | None:
    """git-lfs's `CleanPaths`: split on commas, trimmed, one trailing slash dropped."""
    parts = [part.strip() for part in (value or "").strip().split(",")] if (value or "").strip() else []
    patterns = [part[:-1] if part.endswith(("/", "\\")) else part for part in parts]
    return IgnoreFilter([os.fsencode(p) for p in patterns if p]) if patterns else None


def _endpoint(settings: _Settings, url: str, source: str, upload: bool) -> LfsEndpoint:
    return LfsEndpoint(_server_url(settings, url, upload), source)


def _server_url(settings: _Settings, url: str, upload: bool) -> str:
    """`url` after git-lfs's aliases and scheme rules: what an HTTP client can reach."""
    pushed = rewrite(settings.git, url, PUSH_INSTEAD_OF) if upload else None
    url = pushed or rewrite(settings.git, url, INSTEAD_OF) or url
    if url.startswith("/"):
        return "file://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "file"):
        return url
    if scheme in ("ssh", "git+ssh", "ssh+git"):
        return f"https://{parts.hostname or ''}{parts.path}"
    if scheme == "git":
        protocol = settings.get(b"lfs", None, b"gitprotocol") or "https"
        return f"{protocol}://{parts.netloc}{parts.path}"
    if "://" not in url and (match := _BARE_SSH.fullmatch(url)) is not None and not os.path.exists(url):
        path = match.group(2)
        return f"https://{match.group(1)}/{path.lstrip('/')}"
    return url


class _Settings:
    """git's configuration over the repository's `.lfsconfig` (its safe keys only)."""

    def __init__(self, repo: Repo, tree: ObjectID | None = None) -> None:
        self.git: StackedConfig = repo.get_config_stack()
        self._file = _lfsconfig(repo, tree)

    def get(self, section: bytes, name: bytes | None, key: bytes) -> str | None:
        where = (section,) if name is None else (section, name)
        value = config_text(self.git, where, key)
        if value is not None or not _safe(section, name, key):
            return value
        return config_text(self._file, where, key)


def _safe(section: bytes, name: bytes | None, key: bytes) -> bool:
    """The `.lfsconfig` keys git-lfs reads (config/git_fetcher.go's safe keys)."""
    if section == b"lfs" and name is None:
        return key.lower() in _SAFE_LFS_KEYS
    return section == b"remote" and key.lower() == b"lfsurl"


def _lfsconfig(repo: Repo, tree: ObjectID | None = None) -> ConfigFile | None:
    """The `.lfsconfig` git-lfs would read: the working tree's, else the index's, else HEAD's
    (`tree`'s, when given)."""
    try:
        with open(os.path.join(repo.path, LFSCONFIG), "rb") as f:
            return ConfigFile.from_file(f)
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        return None
    data = _index_blob(repo) or _head_blob(repo, tree)
    if data is None:
        return None
    try:
        return ConfigFile.from_file(BytesIO(data))
    except ValueError:
        return None


def _index_blob(repo: Repo) -> bytes | None:
    if not repo.has_index():
        return None
    try:
        entry = open_index(repo)[LFSCONFIG.encode()]
        if not isinstance(entry, IndexEntry):  # conflicted
            return None
        blob = repo.object_store[entry.sha]
    except (KeyError, OSError, ValueError):
        return None
    return blob.as_raw_string() if isinstance(blob, Blob) else None


def _head_blob(repo: Repo, tree_id: ObjectID | None) -> bytes | None:
    try:
        if tree_id is None:
            commit = repo[repo.refs[Ref(b"HEAD")]]
            if not isinstance(commit, Commit):
                return None
            tree_id = commit.tree
        tree = repo[tree_id]
        if not isinstance(tree, Tree):
            return None
        _mode, sha = tree[LFSCONFIG.encode()]
        blob = repo[sha]
    except KeyError:
        return None
    return blob.as_raw_string() if isinstance(blob, Blob) else None
