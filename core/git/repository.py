"""Opening a registered repository, with the errors a person can act on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from dulwich.errors import NotGitRepository
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo, UnsupportedExtension

from core.errors import BadInput, GitferryError, NotARepository
from core.git.git_dirs import common_git_dir
from core.git.parsed_config import ParsedConfigRepo
from core.phrase import Phrase, phrase

if TYPE_CHECKING:
    from core.platform.file_identity import FileIdentity

SUPPORTED_OBJECT_FORMAT = "sha1"
_T = TypeVar("_T")


class RepositoryMissing(GitferryError):
    """A registered repository whose folder was deleted or moved."""

    def __init__(self, path: str) -> None:
        super().__init__(phrase("repository not found at {path} (moved or deleted?)", path=path))
        self.path = path


class UnreadableConfig(GitferryError):
    """The repository's `.git/config` cannot be parsed; nothing was touched."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(
            phrase(
                "{path}: .git/config cannot be read ({why}); fix it with a text editor", path=path, why=why
            )
        )
        self.path = path


class UnsupportedObjectFormat(BadInput):
    """A repository or a remote whose object ids are not SHA-1 (`git init
    --object-format=sha256`): Gitferry's own pack, index and commit-graph readers
    take 20-byte ids, so it is refused before anything is read or written."""

    def __init__(self, where: str, object_format: str) -> None:
        super().__init__(
            phrase(
                "{where} uses {format} object ids, which Gitferry does not support yet",
                where=where,
                format=object_format,
            )
        )
        self.where = where
        self.object_format = object_format


class UnsupportedPartialClone(BadInput):
    """A partial clone (`git clone --filter=blob:none`, a promisor remote): it lacks
    objects that git fetches from the remote the moment it needs one. Gitferry cannot
    fetch them so, and its packs are not promisor packs: syncing one ends in a missing
    blob, or merges the clone's promisor pack away so that `git fsck` reports every
    filtered blob as a broken link. Refused before anything is read or written."""

    def __init__(self, path: str, setting: str) -> None:
        super().__init__(
            phrase(
                "{path} is a partial clone ({setting}, made by git clone --filter), "
                "which Gitferry does not support: clone it again without --filter",
                path=path,
                setting=setting,
            )
        )
        self.path = path
        self.setting = setting


def partial_clone_setting(repo: Repo) -> str | None:
    """The `remote.<name>.promisor` that makes `repo` a partial clone for git; None for
    a complete repository (`extensions.partialClone`, as older git wrote it, is refused
    by dulwich's `Repo` itself: `open_worktree_repo`)."""
    config = repo.get_config()
    for section in config.sections():
        if len(section) == 2 and section[0] == b"remote":
            try:
                promisor = config.get_boolean(section, b"promisor", False)
            except ValueError:  # not a boolean: git refuses the config too
                promisor = True
            if promisor:
                return f"remote.{section[1].decode(errors='replace')}.promisor"
    return None


def open_worktree_repo(path: str | Path) -> Repo:
    """Open a non-bare repository at exactly `path` (not a parent of it)."""
    path = Path(path)
    if not path.exists():
        raise RepositoryMissing(str(path))
    if not path.is_dir():
        raise NotARepository(str(path), phrase("{path} is not a directory", path=str(path)))
    try:
        repo = ParsedConfigRepo(str(path))
    except NotGitRepository:
        raise NotARepository(str(path), _not_a_repository(path)) from None
    except ValueError as exc:  # dulwich's config parser: a hand-edited or damaged .git/config
        raise UnreadableConfig(str(path), str(exc)) from None
    except UnsupportedExtension as exc:
        raise _unsupported_extension(str(path), str(exc.extension)) from None
    if repo.bare:
        repo.close()
        raise NotARepository(
            str(path), phrase("{path} is a bare repository (Gitferry syncs working trees)", path=str(path))
        )
    if repo.object_format.name != SUPPORTED_OBJECT_FORMAT:
        repo.close()
        raise UnsupportedObjectFormat(str(path), repo.object_format.name)
    partial = partial_clone_setting(repo)
    if partial is not None:
        repo.close()
        raise UnsupportedPartialClone(str(path), partial)
    return repo


def _unsupported_extension(path: str, extension: str) -> BadInput:
    """A repository whose `extensions.*` dulwich cannot open, in one line."""
    if extension.lower() == "partialclone":
        return UnsupportedPartialClone(path, "extensions.partialClone")
    return BadInput(
        phrase(
            "{path} uses the git extension extensions.{extension}, which Gitferry does not support",
            path=path,
            extension=extension,
        )
    )


def _not_a_repository(path: Path) -> Phrase | None:
    """Why `path` is not a repository, naming the one it is a folder of, where it is one
    (git would find that one from here; Gitferry syncs a repository from its top)."""
    for parent in path.absolute().parents:
        if (parent / ".git").exists():
            return phrase(
                "{path} is not a git repository: it is a folder of the one at {parent}, which can be added",
                path=str(path),
                parent=str(parent),
            )
    return None


def in_worktree_repo(path: str | Path, work: Callable[[Repo], _T]) -> _T:
    """`work` on the repository at `path`, opened for it and closed after (blocking)."""
    with open_worktree_repo(path) as repo:
        return work(repo)


class RepositoryIdentity(NamedTuple):
    """Which repository is at a working tree's path: the same while it is used, changed
    when it is deleted and cloned again or another one is moved there."""

    dot_git: FileIdentity
    """`.git` itself (the directory, or the file naming a linked worktree's git dir)."""
    common_dir: str
    objects: FileIdentity | None


def repository_identity(worktree: str) -> RepositoryIdentity | None:
    """The identity of the repository at `worktree` (a few stats, about 5 us); None
    when there is no readable `.git`."""
    from core.platform.file_identity import file_identity  # the pool's leases: not a CLI sync

    path = os.path.join(worktree, ".git")
    dot_git = file_identity(path)
    if dot_git is None:
        return None
    common = path if dot_git.directory else common_git_dir(worktree)
    if common is None:
        return None
    return RepositoryIdentity(dot_git, common, file_identity(os.path.join(common, "objects")))


def repository_identities(worktrees: list[str]) -> list[RepositoryIdentity | None]:
    """`repository_identity` of each, in order (one trip to the I/O pool for many)."""
    return [repository_identity(worktree) for worktree in worktrees]


def canonical_path(path: str | Path) -> str:
    return os.path.realpath(os.path.expanduser(str(path)))


def ref_value(repo: Repo, ref: Ref) -> ObjectID | None:
    """The id `ref` points at (symbolic refs followed); None when it does not exist."""
    try:
        return repo.refs[ref]
    except KeyError:
        return None


def current_branch(repo: Repo) -> str | None:
    """The checked-out branch's short name, or None for a detached HEAD."""
    chain, _sha = repo.refs.follow(Ref(b"HEAD"))
    if len(chain) < 2 or not chain[-1].startswith(b"refs/heads/"):
        return None
    return chain[-1][len(b"refs/heads/") :].decode()
