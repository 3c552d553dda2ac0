"""Submodules seen from the superproject, as git sees them.

A submodule is a gitlink (mode 160000) in the superproject's index and tree,
named in `.gitmodules`; its own repository lives in `.git/modules/<name>` (or
in the submodule's directory) and its working tree in the gitlink's directory.
The superproject's sync never writes that working tree (the switch creates
only an empty directory for a new gitlink), except the update
`submodule.recurse` asks for (submodule_update.py).

What `git add -A` does with a gitlink, and so auto-commit (scan.py): a
submodule whose checked-out commit moved is recorded at that commit (whatever
`submodule.<name>.ignore` and `diff.ignoreSubmodules` say: they hide the change
from `git status` and `git diff`, not from `git add`, as git 2.39 shows); one
whose directory is gone is deleted; a file in its place replaces it; one that
is not checked out (an empty directory, or no repository there) is left as
recorded. Local edits inside a submodule are the submodule's business, never
the superproject's. One difference, on purpose: a submodule *behind* its
recorded commit (checked out at an ancestor of it, or its repository does not
even have it) is a submodule not updated since the remote moved its pointer,
not work of the user's: `git add -A` would record the older commit and so undo
the remote's move; auto-commit leaves the pointer where it is.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dulwich.config import ConfigFile
from dulwich.errors import NotGitRepository
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.model import SubmoduleStatus

if TYPE_CHECKING:
    from dulwich.index import Index

    from core.phrase import Phrase

# dulwich's index module and the merge-base walk are imported by what reads submodules: a
# sync of a repository without `.gitmodules` only asks `has_submodules` (a cold sync).

GITLINK = 0o160000
MODULES_FILE = b".gitmodules"


@dataclass(frozen=True)
class Declared:
    """A `.gitmodules` entry."""

    name: bytes
    path: bytes
    url: bytes | None
    ignore: bytes | None
    update: bytes | None


def declared(root: bytes) -> dict[bytes, Declared]:
    """The working tree's `.gitmodules`, by path (an unreadable one declares nothing)."""
    full = os.path.join(root, MODULES_FILE)
    try:
        if not stat.S_ISREG(os.lstat(full).st_mode):
            return {}
        config = ConfigFile.from_path(os.fsdecode(full))
    except (OSError, ValueError):
        return {}
    found: dict[bytes, Declared] = {}
    for section in config.sections():
        if len(section) != 2 or section[0] != b"submodule":
            continue
        values = {key.lower(): value for key, value in config.items(section) if isinstance(value, bytes)}
        path = values.get(b"path")
        if path:
            path = path.rstrip(b"/")
            url, ignore, update = values.get(b"url"), values.get(b"ignore"), values.get(b"update")
            found[path] = Declared(section[1], path, url, ignore, update)
    return found


def checked_out(full: bytes) -> ObjectID | None:
    """The commit the repository at `full` (a submodule's directory, holding `.git`) has
    checked out; None when there is no repository there or its HEAD names no commit (git's
    resolve_gitlink_ref fails, and git leaves the gitlink as it is)."""
    if not os.path.lexists(os.path.join(full, b".git")):
        return None
    try:
        with Repo(os.fsdecode(full)) as sub:
            _chain, sha = sub.refs.follow(Ref(b"HEAD"))
    except (NotGitRepository, OSError, KeyError, ValueError):
        return None
    return None if sha is None else ObjectID(sha)


def behind(full: bytes, head: ObjectID, recorded: ObjectID) -> bool:
    """The submodule at `full`, at `head`, has not caught up with `recorded` yet: `head` is an
    ancestor of it, or its repository lacks `recorded` altogether."""
    from core.git.history.merge_base import merge_bases

    try:
        with Repo(os.fsdecode(full)) as sub:
            if recorded not in sub.object_store:
                return True
            return merge_bases(sub, head, recorded) == [head]
    except (NotGitRepository, OSError, KeyError, ValueError):
        return False


def gitlinks(index: Index) -> dict[bytes, ObjectID]:
    """The index's submodules: path -> recorded commit (stage 0)."""
    from dulwich.index import IndexEntry

    return {
        path: ObjectID(entry.sha)
        for path, entry in index.items()
        if isinstance(entry, IndexEntry) and stat.S_IFMT(entry.mode) == GITLINK
    }


def statuses(repo: Repo, index: Index) -> list[SubmoduleStatus]:
    """Each submodule of the index, as `git submodule status` shows it: `uninitialised`
    (nothing checked out in its directory, `-`), `modified` (another commit checked out
    than the one recorded, `+`), and past it, as the superproject's `git status` says
    "modified content": `changed` (at the recorded commit, with local changes inside:
    `submodule_changes.py`), `ok`. The one source of what the CLI's status and the
    window say of a submodule."""
    from core.git.worktree.submodule_changes import local_changes  # it imports the scan, which imports this

    root = os.fsencode(repo.path)
    settings = declared(root)
    found = []
    for path, recorded in sorted(gitlinks(index).items()):
        full = os.path.join(root, path)
        head = checked_out(full)
        if head is None:
            state = "uninitialised"
        elif head != recorded:
            state = "modified"
        else:
            entry = settings.get(path)
            state = "changed" if local_changes(full, entry.ignore if entry else None) else "ok"
        found.append(
            SubmoduleStatus(
                os.fsdecode(path), recorded.decode(), None if head is None else head.decode(), state
            )
        )
    return found


def measured(repo: Repo) -> list[SubmoduleStatus]:
    """`statuses` of the checked-out index; none without `.gitmodules` (one lstat) or an
    index."""
    if not has_submodules(repo) or not repo.has_index():
        return []
    from core.git.index.read import open_index  # the index reader only where there are submodules

    return statuses(repo, open_index(repo))


def has_submodules(repo: Repo) -> bool:
    """A cheap look first: a working tree without `.gitmodules` is taken to have none."""
    return os.path.lexists(os.path.join(os.fsencode(repo.path), MODULES_FILE))


def superproject_of(path: str) -> str | None:
    """The working tree whose index records the repository at `path` as a submodule (a
    gitlink at its folder), as `git rev-parse --show-superproject-working-tree` finds it:
    the nearest repository above it; None when that one records no submodule there."""
    here = os.path.realpath(path)
    above = os.path.dirname(here)
    while not os.path.lexists(os.path.join(above, ".git")):
        if os.path.dirname(above) == above:
            return None
        above = os.path.dirname(above)
    from core.git.index.read import open_index

    try:
        with Repo(above) as superproject:
            if not superproject.has_index():
                return None
            links = gitlinks(open_index(superproject))
    except (NotGitRepository, OSError, ValueError):
        return None
    where = os.fsencode(os.path.relpath(here, above).replace(os.sep, "/"))
    return above if where in links else None


def submodule_checkout_said(repo: Repo) -> Phrase | None:
    """Why the detached HEAD of a submodule's checkout (`superproject_of`) is not
    integrated, and what moves it; None when `repo` is no submodule's checkout. What a
    sync and `gitferry status` say of it."""
    from core.phrase import phrase

    superproject = superproject_of(repo.path)
    if superproject is None:
        return None
    return phrase(
        "HEAD is detached at {commit}, a submodule checkout of {superproject}: nothing to integrate; "
        "`git submodule update` there moves it (as its sync does, with submodule.recurse), "
        "or `git switch NAME` here syncs a branch",
        commit=repo.head().decode()[:7],
        superproject=superproject,
    )
