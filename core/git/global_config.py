"""The user's and the system's git config files, parsed once per version of the files.

Dulwich's `get_config_stack()` (and `StackedConfig.default()`) opens and parses
`~/.gitconfig`, `$XDG_CONFIG_HOME/git/config` and `/etc/gitconfig` again at every
call, and a job calls it about five times (the remote's URL and rewrites, the
identity, the checks, the hooks): 250 parses for a cycle of 50 repositories.
`global_backends()` reads the same files, in the same order, as
`StackedConfig.default_backends()` does (`GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM`
and `GIT_CONFIG_NOSYSTEM` honoured), and keeps each parse with the identity of
every file it read: the file itself and every `include.path` / `includeIf` file it
pulled in or tried to (one that was missing is remembered as missing). A parse is
reused while each of those files has the same (device, inode, size, mtime_ns,
ctime_ns) and `HOME` (which `~/` in an include path names) is the same; an edit by
git, by the user or by an editor that replaces the file is seen at the next call.

A file changed within the same tick of the file system's clock as the parse could
keep its size and times (git's "racy" index entries): a parse is kept only when every
file it read was last changed more than `RACY_SECONDS` before it started, so a file
just written is parsed again at every call until it has settled.

The parses are shared: `ParsedConfigRepo.get_config_stack()` hands each caller
copies (`core/git/parsed_config.py`), so a change never written stays with its caller.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from dulwich.config import ConfigFile, get_win_system_paths, get_xdg_config_home_path

RACY_SECONDS = 2.0
FileId = tuple[int, int, int, int, int] | None  # (dev, ino, size, mtime_ns, ctime_ns); None: missing


@dataclass(frozen=True)
class _Parsed:
    """One parse of the global config: the files it read and what they said."""

    home: str | None
    files: tuple[tuple[str, FileId], ...]  # every file the parse opened or tried to, in order
    config: ConfigFile | None  # None: the file itself is missing


_cache: dict[str, _Parsed] = {}
_lock = threading.Lock()


def config_paths() -> list[str]:
    """The global and system config files, in `StackedConfig.default_backends()`'s order."""
    paths: list[str] = []
    if "GIT_CONFIG_GLOBAL" in os.environ:
        paths.append(os.environ["GIT_CONFIG_GLOBAL"])
    else:
        paths.append(os.path.expanduser("~/.gitconfig"))
        paths.append(get_xdg_config_home_path("git", "config"))
    if "GIT_CONFIG_SYSTEM" in os.environ:
        paths.append(os.environ["GIT_CONFIG_SYSTEM"])
    elif "GIT_CONFIG_NOSYSTEM" not in os.environ:
        paths.append("/etc/gitconfig")
        if sys.platform == "win32":  # pragma: no cover - Linux and macOS only
            paths.extend(get_win_system_paths())
    return paths


def global_configs() -> list[ConfigFile]:
    """What `StackedConfig.default_backends()` returns, as kept parses: shared, so a
    caller that may change one copies it first."""
    return [config for config in map(_parsed, config_paths()) if config is not None]


def _parsed(path: str) -> ConfigFile | None:
    home = os.environ.get("HOME")
    kept = _cache.get(path)
    if kept is not None and kept.home == home and all(file_id(p) == fid for p, fid in kept.files):
        return kept.config
    started = time.time_ns()
    files: list[tuple[str, FileId]] = []
    config = _parse(path, files)
    settled = started - int(RACY_SECONDS * 1e9)
    if all(fid is None or max(fid[3], fid[4]) < settled for _p, fid in files):
        with _lock:
            _cache[path] = _Parsed(home, tuple(files), config)
    return config


def _parse(path: str, files: list[tuple[str, FileId]]) -> ConfigFile | None:
    """`ConfigFile.from_path(path)` (includes expanded as dulwich does), noting every
    file it opens or tries to open in `files`; None when `path` itself is missing."""
    try:
        return ConfigFile.from_path(path, file_opener=_noting(files))
    except FileNotFoundError:
        return None


def _noting(files: list[tuple[str, FileId]]) -> Callable[[str | os.PathLike[str]], IO[bytes]]:
    def opener(path: str | os.PathLike[str]) -> IO[bytes]:
        name = os.fspath(path)
        try:
            f = open(name, "rb")  # noqa: SIM115 - dulwich closes it
        except OSError:
            files.append((name, None))
            raise
        files.append((name, _id_of(os.fstat(f.fileno()))))
        return f

    return opener


def file_id(path: str) -> FileId:
    """The identity of the regular file at `path` as it is now; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _id_of(st) if stat.S_ISREG(st.st_mode) else None


def _id_of(st: os.stat_result) -> FileId:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
