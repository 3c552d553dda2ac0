"""Git LFS in a sync: objects fetched before the integration, missing ones listed after it.

Before the checked-out branch is integrated, the LFS objects of the files the
switch to its upstream will write are downloaded from the upstream's remote
(`core/git/transfer/lfs_fetch.py`), with the remote's credentials and the sync's
timeout and stop. The checkout then reads them from `.git/lfs/objects`; a path
whose object could not be had keeps its pointer and is listed as skipped with the
reason `lfs_missing` once the integration ran (the status store, `skipped`,
`sync --json`'s `lfs_missing`). Each later sync that integrates asks for the listed
objects again and writes the files still holding their pointer
(`core/git/worktree/lfs_fill.py`); a row goes once its object is here. Repositories
that do not use LFS cost one look at the upstream tree's `.gitattributes`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial

from dulwich.errors import ObjectFormatException
from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.report import SyncReport
from core.git.locks.git_locks import IndexLocked
from core.git.repository import open_worktree_repo
from core.git.transfer.lfs_fetch import (
    LfsFetched,
    fetch_for_paths,
    fetch_for_switch,
    missing_now,
    switch_target,
)
from core.git.transfer.stop import TransferStop
from core.model import SkippedFile, utcnow

LFS_MISSING = "lfs_missing"


@dataclass
class LfsPhase:
    """What the LFS step of one sync fetched, kept until the integration has run."""

    fetched: list[LfsFetched] = field(default_factory=list)
    network: tuple[float, TransferStop | None, bool] | None = None  # the fetch's timeout, stop, ask

    async def fetch(
        self,
        core: Core,
        repo: Repo,
        report: SyncReport,
        *,
        network_timeout: float,
        stop: TransferStop | None,
        ask: bool = False,
    ) -> None:
        """Download the objects the coming switch needs (nothing when it needs none),
        signing in as the fetch did (`ask`: the prompt may be used)."""
        self.network = (network_timeout, stop, ask)
        try:
            target = await core.offload.io(switch_target, repo)
            if target is None:
                return
            signer = core.signer(ask=ask)
            fetched = await core.offload.io(
                partial(fetch_for_switch, repo, target, signer=signer, timeout=network_timeout, stop=stop)
            )
        except ObjectFormatException:
            return  # a malformed tree: the integration refuses it, with its own message
        report.lfs_downloaded += fetched.downloaded
        self.fetched.append(fetched)

    async def record(
        self, core: Core, repo_id: int, repo: Repo, report: SyncReport, *, fill: bool = False
    ) -> None:
        """List the paths now holding a pointer whose object is missing; forget listed
        paths that no longer do. With `fill` (the integration went through), the paths
        earlier syncs listed are tried again: their objects downloaded, and each file still
        holding its pointer written with its content (`git lfs pull` is not needed)."""
        stored = [row for row in await core.store.skipped(repo_id) if row.reason == LFS_MISSING]
        if fill and stored and self.network is not None:
            await self._fill(core, repo, report, [row.path for row in stored], *self.network)
        candidates: dict[str, str] = {}  # path -> why its object is missing, when this sync knows
        for fetched in self.fetched:
            candidates.update(fetched.missing_paths())
        for row in stored:
            candidates.setdefault(row.path, "")
        if not candidates:
            return
        still = await core.offload.io(missing_now, repo, list(candidates))
        now = utcnow()
        known = {row.path: row for row in stored}
        rows = [
            SkippedFile(path, LFS_MISSING, size, 0, known[path].first_seen if path in known else now, now)
            for path, size in still.items()
        ]
        gone = [row.path for row in stored if row.path not in still]
        if gone:
            await core.store.clear_skipped(repo_id, gone)
        if rows:
            await core.store.record_skipped(repo_id, rows)
        report.lfs_missing = [
            {"path": path, "reason": candidates.get(path) or "the object is not in .git/lfs/objects"}
            for path in sorted(still)
        ]

    async def _fill(
        self,
        core: Core,
        repo: Repo,
        report: SyncReport,
        paths: list[str],
        network_timeout: float,
        stop: TransferStop | None,
        ask: bool,
    ) -> None:
        from core.git.worktree.lfs_fill import fill_lfs_files  # only where files were left as pointers

        signer = core.signer(ask=ask)
        fetched = await core.offload.io(
            partial(fetch_for_paths, repo, paths, signer=signer, timeout=network_timeout, stop=stop)
        )
        report.lfs_downloaded += fetched.downloaded
        self.fetched.append(fetched)  # why those still missing are
        with contextlib.suppress(IndexLocked):  # git holds the index: the next sync writes them
            await core.offload.io(fill_lfs_files, repo, paths)


async def record_left_as_pointers(core: Core, repo_id: int, path: str, missing: Mapping[str, str]) -> None:
    """A clone's files whose LFS object could not be had (`missing`: path -> why), listed as
    a sync lists them, so `gitferry skipped` shows them and the next sync fills them in."""

    def sizes() -> dict[str, int]:
        with open_worktree_repo(path) as repo:
            return missing_now(repo, list(missing))

    now = utcnow()
    rows = [
        SkippedFile(p, LFS_MISSING, size, 0, now, now) for p, size in (await core.offload.io(sizes)).items()
    ]
    if rows:
        await core.store.record_skipped(repo_id, rows)
