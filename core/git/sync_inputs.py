"""What a fetch-only sync reads of a repository and of git's setup, as comparable facts.

A no-change `gitferry sync --fetch-only` is recorded with these facts
(`core/engine/fetch_replay.py`) and answered again from that record
(`core/cli_replay.py`) while they are the same and the remote advertises the same
refs: the sync's outcome is a function of them. They are:

- each file the fetch, the measure of the branches and git's settings read, by its
  identity (inode, size, modification time in nanoseconds; a ref or config that git
  rewrites gets a new inode, its lock file renamed over it): `HEAD`, `config`,
  `config.worktree`, `packed-refs`, `shallow`, every loose ref, the linked worktrees'
  `HEAD` and `gitdir`, the markers of a git command left unfinished, Gitferry's own
  files in `.git/gitferry` (a switch's journal), and the user's and the system's git
  config files;
- the environment git and ssh read (`GIT_*`, `HOME`, `XDG_CONFIG_HOME`, `PATH`).

`None` (not recorded, never replayed) for what these facts would not cover: a config
file with `include` or `includeIf` (the files it names could change unseen), a
repository with submodules (their checkouts are measured too), a bare repository,
Windows.
"""

from __future__ import annotations

import os
import sys
import zlib

from core.git.git_dirs import UNFINISHED_COMMAND_MARKERS, common_git_dir, worktree_git_dir
from core.git.locks.sync_lock import LOCK_NAME  # there while a sync runs, this one's too

Facts = list[list[object]]
"""`[[what, identity...], ...]`: JSON as it is, compared whole."""

_GIT_DIR_FILES = ("HEAD", "config.worktree", *UNFINISHED_COMMAND_MARKERS)
_COMMON_FILES = ("config", "packed-refs", "shallow", "commondir")

_ENV_NAMES = ("HOME", "XDG_CONFIG_HOME", "PATH")


def sync_inputs(worktree: str) -> Facts | None:
    """The facts a fetch-only sync of the repository at `worktree` depends on, or None
    when they would not cover it (see the module's doc)."""
    if sys.platform == "win32" or os.path.lexists(os.path.join(worktree, ".gitmodules")):
        return None
    found, common = worktree_git_dir(worktree), common_git_dir(worktree)
    if found is None or common is None:
        return None
    facts: Facts = [["worktree", os.path.realpath(worktree)]]
    facts += [identity(os.path.join(found, name), name) for name in _GIT_DIR_FILES]
    facts += [identity(os.path.join(common, name), name) for name in _COMMON_FILES]
    facts += _tree(os.path.join(common, "refs"), "refs")
    facts += _linked_worktrees(os.path.join(common, "worktrees"))
    facts += _tree(os.path.join(found, "gitferry"), "gitferry", skip=LOCK_NAME)
    configs = _configs(found, common)
    if any(_includes(_config_text(path) or b"") for path in configs):
        return None
    facts += [identity(path, path) for path in configs[2:]]
    facts += _environment()
    return facts


def settings_inputs(worktree: str) -> Facts | None:
    """What git's settings for the repository at `worktree` are read from: its config
    files and the user's and the system's, by their content (a copy of the repository
    has the same settings), and the environment git reads; None when there is no
    repository or a config file includes others."""
    found, common = worktree_git_dir(worktree), common_git_dir(worktree)
    if found is None or common is None:
        return None
    facts: Facts = []
    for path in _configs(found, common):
        text = _config_text(path)
        if text is None:
            facts.append([path])
        elif _includes(text):
            return None
        else:
            facts.append([path, len(text), zlib.crc32(text)])
    return [*facts, *_environment()]


def _configs(found: str, common: str) -> list[str]:
    return [os.path.join(common, "config"), os.path.join(found, "config.worktree"), *_global_configs()]


def _environment() -> Facts:
    return sorted([name, value] for name, value in os.environ.items() if _read_by_git(name))


def _global_configs() -> list[str]:
    """Every file git may read as the user's or the system's config (what is unset in
    the environment included: a missing file is a fact too)."""
    home = os.environ.get("HOME", "")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths = [os.path.join(xdg, "git", "config"), os.path.join(home, ".gitconfig"), "/etc/gitconfig"]
    paths += [os.environ[name] for name in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM") if os.environ.get(name)]
    return paths


def _config_text(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _includes(text: bytes) -> bool:
    """Whether a config file's text may include another (`include`, `includeIf`), whose
    changes its own identity would not show."""
    return b"include" in text.lower()


def _read_by_git(name: str) -> bool:
    return name.startswith("GIT_") or name in _ENV_NAMES


def identity(path: str, what: str) -> list[object]:
    """`[what, inode, size, mtime_ns]` of the file at `path`; `[what]` when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return [what]
    return [what, st.st_ino, st.st_size, st.st_mtime_ns]


def _linked_worktrees(root: str) -> Facts:
    """Each linked worktree's `HEAD`, `gitdir` and unfinished git command (not its index,
    which `git status` rewrites)."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    found: Facts = []
    for name in names:
        for part in ("gitdir", *_GIT_DIR_FILES):
            found.append(identity(os.path.join(root, name, part), f"worktrees/{name}/{part}"))
    return found


def _tree(root: str, what: str, *, skip: str = "") -> Facts:
    """Every file under `root` by its identity, sorted (a directory's own times change
    with the lock files git makes in it: not facts)."""
    found: Facts = []
    for here, _dirs, files in os.walk(root):
        rel = os.path.relpath(here, root)
        for name in files:
            if name != skip and not name.endswith(".lock"):
                found.append(identity(os.path.join(here, name), os.path.join(what, rel, name)))
    return sorted(found, key=lambda fact: str(fact[0]))
