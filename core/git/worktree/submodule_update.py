"""`submodule.recurse`: initialised submodules brought to the commits the superproject
records, as `git pull --recurse-submodules` leaves them (its `git submodule update
--recursive`).

Only with `submodule.recurse` true. A submodule is updated when it is
initialised (its repository in the superproject's `.git/modules/<name>`, its
directory checked out), its update mode is `checkout` (git's default:
`submodule.<name>.update` in the config, then `.gitmodules`; `none` and the
others are left alone, with a note), and its checked-out commit is not the
recorded one. The update is the submodule's own switch (checkout.py, on its
detached HEAD): files are written as any switch writes them, and local work in
the way stops it, untouched, as `git checkout` would refuse. The commit comes
from the submodule's own repository; the engine fetches it first when it is
missing (core/engine/submodule_phase.py). A HEAD on a branch is detached at its
commit first, as git's update does; a detached HEAD holding commits no ref has
is never moved (they would be left to the reflog).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dulwich.config import StackedConfig
from dulwich.errors import NotGitRepository
from dulwich.file import GitFile
from dulwich.objects import Commit, ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.history.merge_base import fresh_index, merge_bases
from core.git.index.read import open_index
from core.git.worktree.checkout import switch_branch
from core.git.worktree.submodules import Declared, checked_out, declared, gitlinks
from core.phrase import Phrase, phrase

DETACHED = Ref(b"HEAD")


@dataclass(frozen=True)
class Outdated:
    """A submodule to bring to `recorded` (now at `head`)."""

    path: str
    full: str
    recorded: ObjectID
    head: ObjectID


@dataclass(frozen=True)
class LeftAlone:
    path: str
    why: Phrase


class SubmoduleNotUpdated(GitferryError):
    """The submodule stays where it is, for the reason given."""

    def __init__(self, path: str, why: Phrase) -> None:
        super().__init__(phrase("submodule {path} not updated: {why}", path=path, why=why))
        self.path = path
        self.why_said = why
        self.why = why.english()


def recurses(repo: Repo) -> bool:
    config = repo.get_config_stack()
    try:
        value = config.get(b"submodule", b"recurse")
    except KeyError:
        return False
    return isinstance(value, bytes) and value.lower() in (b"true", b"yes", b"on", b"1")


def outdated(repo: Repo) -> tuple[list[Outdated], list[LeftAlone]]:
    """The initialised submodules whose checked-out commit is not the recorded one, and the
    ones left alone with the reason (an update mode other than checkout)."""
    if not repo.has_index():
        return [], []
    index = open_index(repo)
    root = os.fsencode(repo.path)
    modules = declared(root)
    config = repo.get_config_stack()
    common = os.fsencode(repo.commondir())
    todo, left = [], []
    for path, recorded in sorted(gitlinks(index).items()):
        module = modules.get(path)
        full = os.path.join(root, path)
        if module is None or not _initialised(common, module, full):
            continue
        head = checked_out(full)
        if head is None or head == recorded:
            continue
        mode = _update_mode(config, module)
        shown = os.fsdecode(path)
        if mode != b"checkout":
            left.append(
                LeftAlone(shown, phrase("its update mode is {mode}", mode=mode.decode(errors="replace")))
            )
            continue
        todo.append(Outdated(shown, os.fsdecode(full), recorded, head))
    return todo, left


def _initialised(common: bytes, module: Declared, full: bytes) -> bool:
    """Cloned into the superproject's `.git/modules` and checked out (git submodule update
    without --init touches nothing else)."""
    return os.path.isdir(os.path.join(common, b"modules", module.name)) and os.path.lexists(
        os.path.join(full, b".git")
    )


def _update_mode(config: StackedConfig, module: Declared) -> bytes:
    try:
        value: bytes | None = config.get((b"submodule", module.name), b"update")
    except KeyError:
        value = module.update
    return (value or b"checkout").lower()


def has_commit(sub: Repo, sha: ObjectID) -> bool:
    try:
        return isinstance(sub.object_store[sha], Commit)
    except KeyError:
        return False


def update(sub: Repo, item: Outdated) -> None:
    """Check `item.recorded` out in the submodule, HEAD detached there. Raises
    SubmoduleNotUpdated (commit missing, HEAD moved meanwhile, commits only HEAD holds) or
    the switch's own refusals (WorktreeInTheWay: local work in the way)."""
    if not has_commit(sub, item.recorded):
        raise SubmoduleNotUpdated(
            item.path,
            phrase("its repository does not have commit {commit}", commit=item.recorded.decode()[:12]),
        )
    chain, head = sub.refs.follow(DETACHED)
    if head != item.head:
        raise SubmoduleNotUpdated(item.path, phrase("its HEAD moved meanwhile"))
    if len(chain) == 1 and not _held_elsewhere(sub, item.head):
        raise SubmoduleNotUpdated(item.path, phrase("its detached HEAD holds commits no branch has"))
    if len(chain) > 1:
        _detach(sub, item.head)
    switch_branch(sub, DETACHED, item.head, item.recorded, message=b"gitferry: submodule update")


def _held_elsewhere(sub: Repo, head: ObjectID) -> bool:
    """Some branch or remote-tracking branch contains `head`."""
    index = fresh_index(sub)
    for name, tip in sub.refs.as_dict(Ref(b"refs/")).items():
        if not name.startswith((b"heads/", b"remotes/")) or name.endswith(b"/HEAD"):
            continue
        if tip == head or merge_bases(sub, head, ObjectID(tip), index) == [head]:
            return True
    return False


def _detach(sub: Repo, head: ObjectID) -> None:
    """HEAD made to hold `head` itself (git checkout --detach), under HEAD's lock."""
    with GitFile(os.path.join(sub.controldir(), "HEAD"), "wb") as f:
        f.write(head + b"\n")


def open_submodule(full: str) -> Repo:
    try:
        return Repo(full)
    except NotGitRepository:
        raise SubmoduleNotUpdated(full, phrase("no repository there")) from None
