"""Start syncing a folder that is not a git repository yet, as a new user would by hand:
`git init`, a first commit of what is there, `origin` set to an (empty) remote, the
branch published there with its upstream (`git push -u`), and the folder registered.

The folder's files are never touched: everything this writes is inside the `.git` it
creates. Anything that fails (bad input, the remote refusing, unreachable or holding
history already) undoes all of it: the `.git` it made goes and nothing stays
registered, so the same command can be given again once the cause is fixed.
"""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from dulwich.refs import Ref
from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.publish import Published, publish_branch
from core.engine.registry import add_repository, record_first_run, remove_repository
from core.errors import BadInput
from core.git.config import remote_config
from core.git.repository import canonical_path
from core.git.worktree.autocommit import auto_commit
from core.model import RepoRecord
from core.phrase import phrase
from core.remote_url import check_url
from core.settings import RepoSettings

ORIGIN = "origin"


@dataclass(frozen=True)
class Started:
    record: RepoRecord
    published: Published
    committed: int  # files in the first commit
    skipped: list[str]  # left out of it (too large, unreadable), with the reason


async def start_syncing(core: Core, path: str, url: str, *, name: str | None = None) -> Started:
    folder = Path(canonical_path(path))
    remote = check_url(url)
    if remote.password is not None:
        raise BadInput(phrase("leave the password out of the URL: Gitferry asks for it when the remote does"))
    await core.offload.io(_check_folder, folder)
    branch = await core.offload.io(_init, folder, url)
    record: RepoRecord | None = None
    try:
        committed, skipped = await core.offload.io(_first_commit, folder)
        record = await add_repository(core, str(folder), name=name, measure=False)  # publish measures
        published = await publish_branch(core, record, branch, remote=ORIGIN, to_empty=True)
    except BaseException:
        if record is not None:
            await remove_repository(core, record.name)
        await core.offload.io(shutil.rmtree, folder / ".git", True)
        raise
    # Published: from here nothing undoes the start (the remote has its history now).
    record = await record_first_run(core, record, "start", [published.said()])
    return Started(record, published, committed, skipped)


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise BadInput(phrase("{folder}: no such folder", folder=str(folder)))
    if (folder / ".git").exists():
        raise BadInput(phrase("{folder} is a git repository already: add it instead", folder=str(folder)))
    if not any(child.name != ".git" for child in folder.iterdir()):
        raise BadInput(phrase("{folder} is empty: put the files to sync in it first", folder=str(folder)))


def _init(folder: Path, url: str) -> str:
    """`git init` with the user's `init.defaultBranch` (else main) and `origin`; the branch."""
    with Repo.init(str(folder)) as repo:
        try:
            configured = repo.get_config_stack().get(b"init", b"defaultBranch")
        except KeyError:
            configured = b""
        branch = configured.decode() or "main"
        repo.refs.set_symbolic_ref(Ref(b"HEAD"), Ref(f"refs/heads/{branch}".encode()))
        remote_config.add_remote(repo, ORIGIN, url)
    return branch


def _first_commit(folder: Path) -> tuple[int, list[str]]:
    with Repo(str(folder)) as repo:
        outcome = auto_commit(repo, max_file_size=RepoSettings().max_file_size, host=socket.gethostname())
    skipped = [f"{skip.path}: {skip.detail or skip.reason}" for skip in outcome.skipped]
    if outcome.commit is None:
        why = "; ".join(skipped) or phrase("no files")
        raise BadInput(phrase("{folder}: nothing could be committed ({why})", folder=str(folder), why=why))
    return outcome.files, skipped
