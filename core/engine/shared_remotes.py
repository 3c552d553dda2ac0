"""Registered repositories that share a remote: when one pushes, the others fetch soon.

Two clones of one remote on one machine (`~/notes` and a second checkout of it), both
registered: a push from one moves the remote, and the other said "up to date" until its
next background fetch, up to its fetch interval (300 s) later, although this engine had
moved the remote itself. So after a sync that pushed (the user's, auto mode's, one the
CLI asked of this engine: `Engine.on_pushed`), every other registered repository with a
remote that reaches the same repository (`remote_identity`: after insteadOf, a local path
by its real path) gets an early background fetch (`FetchScheduler.fetch_soon`: one pending
per repository, spaced from its last fetch, so a storm of pushes is no storm of fetches).

Opening a repository to read its remotes takes about 1.5 ms, which every push would pay
for every registered repository; so each repository's identities are kept while its
`.git/config` and the user's and system's config files keep their identity (a file one
of them includes is not looked at: its change is seen with theirs; a file changed less
than `RACY_SECONDS` ago is not trusted yet, as `global_config` does).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence

from core.errors import GitferryError
from core.git.config.remote_identity import remote_identities
from core.git.global_config import RACY_SECONDS, FileId, config_paths, file_id
from core.git.repository import in_worktree_repo

_KEPT_AT_MOST = 4096  # working trees whose identities are kept (past it, all are read again)
_kept: dict[str, tuple[tuple[FileId, ...], dict[str, str]]] = {}  # by working tree


def sharing_a_remote(pusher: str, remotes: Sequence[str], others: Mapping[int, str]) -> list[int]:
    """Of `others` (working trees by repository id), those with a remote that reaches what
    the `remotes` of the working tree `pusher` reach (blocking). A repository that cannot
    be read now is left out: its own fetch comes on its interval."""
    try:
        pushed = _identities(pusher)
    except (GitferryError, OSError, ValueError):
        return []
    wanted = {pushed[name] for name in remotes if name in pushed}
    if not wanted:
        return []
    found = []
    for repo_id, path in others.items():
        try:
            theirs = _identities(path)
        except (GitferryError, OSError, ValueError):
            continue
        if wanted & set(theirs.values()):
            found.append(repo_id)
    return found


def _identities(path: str) -> dict[str, str]:
    """`remote_identities` of the working tree at `path`, kept while its config files stay."""
    stamp = _config_stamp(path)
    kept = _kept.get(path)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    found = in_worktree_repo(path, remote_identities)
    if stamp is not None:
        if len(_kept) >= _KEPT_AT_MOST:
            _kept.clear()
        _kept[path] = (stamp, found)
    return found


def _config_stamp(path: str) -> tuple[FileId, ...] | None:
    """The identities of the config files a remote's identity is read from; None when they
    are not to be trusted for keeping it (no `.git/config` of its own, a file just changed)."""
    own = file_id(os.path.join(path, ".git", "config"))
    if own is None:
        return None
    stamp = (own, *map(file_id, config_paths()))
    settled = time.time_ns() - int(RACY_SECONDS * 1e9)
    if any(f is not None and max(f[3], f[4]) >= settled for f in stamp):
        return None
    return stamp
