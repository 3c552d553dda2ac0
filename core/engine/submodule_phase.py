"""Submodules in a sync: updated with `submodule.recurse`, measured always.

After the checked-out branch was integrated (or found up to date), a repository
with `submodule.recurse=true` has its initialised submodules brought to the
recorded commits, as `git pull --recurse-submodules` does: each is a sync of
its own, its commit fetched from the submodule's remote when its repository
lacks it (with the same sign-in, timeout and stop as the superproject's fetch),
then checked out on its detached HEAD when nothing of the user's is in the way
(core/git/worktree/submodule_update.py), nested submodules after it. A
submodule that cannot be updated stays as it is, with one note in the report.

Whatever the setting, the submodules' states as `git submodule status` shows
them go to the report and the status store (`status --json`, the status
window); a working tree without `.gitmodules` costs one lstat. The updating
machinery (`submodule_update.py`, and the checkout under it) is imported by the
update only, so measuring, in every sync, does not load it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.report import SyncReport
from core.errors import GitferryError
from core.git.transfer.fetch import TrackedBranches, fetch_remote
from core.git.transfer.stop import TransferStop
from core.git.worktree.submodules import has_submodules, measured
from core.git.worktree.worktrees import branch_uses
from core.model import SubmoduleStatus
from core.phrase import Phrase, phrase

if TYPE_CHECKING:
    from core.git.worktree.submodule_update import Outdated

MAX_DEPTH = 8  # nested submodules followed this deep


async def update_submodules(
    core: Core,
    repo: Repo,
    report: SyncReport,
    *,
    network_timeout: float,
    stop: TransferStop | None,
    ask: bool = False,
) -> None:
    """`git submodule update --recursive` for a repository with `submodule.recurse`."""
    if not await core.offload.io(has_submodules, repo):
        return
    from core.git.worktree.submodule_update import recurses

    if not await core.offload.io(recurses, repo):
        return
    updater = _Updater(core, report, network_timeout, stop, ask)
    await updater.run(repo, "", 0)


def _not_updated(path: str, why: str | Phrase) -> Phrase:
    return phrase("submodule {path} not updated: {why}", path=path, why=why)


class _Updater:
    def __init__(
        self, core: Core, report: SyncReport, timeout: float, stop: TransferStop | None, ask: bool
    ) -> None:
        self.core, self.report, self.timeout, self.stop, self.ask = core, report, timeout, stop, ask

    async def run(self, repo: Repo, prefix: str, depth: int) -> None:
        from core.git.worktree.submodule_update import outdated

        todo, left = await self.core.offload.io(outdated, repo)
        for alone in left:
            self.report.note(_not_updated(prefix + alone.path, alone.why))
        for item in todo:
            await self._one(item, prefix, depth)

    async def _one(self, item: Outdated, prefix: str, depth: int) -> None:
        from core.git.worktree.submodule_update import SubmoduleNotUpdated, has_commit, open_submodule, update

        shown = prefix + item.path
        try:
            sub = await self.core.offload.io(open_submodule, item.full)
        except GitferryError as exc:
            self.report.note(_not_updated(shown, exc.phrase))
            return
        try:
            if not await self.core.offload.io(has_commit, sub, item.recorded):
                await self._fetch(sub)
            await self.core.offload.io(update, sub, item)
            self.report.submodules_updated.append(shown)
            if depth + 1 < MAX_DEPTH and await self.core.offload.io(has_submodules, sub):
                await self.run(sub, shown + "/", depth + 1)
        except GitferryError as exc:
            # its own refusal says the reason alone
            why = (
                exc.why_said if isinstance(exc, SubmoduleNotUpdated) and exc.path == item.path else exc.phrase
            )
            self.report.note(_not_updated(shown, why))
        finally:
            await self.core.offload.io(sub.close)

    async def _fetch(self, sub: Repo) -> None:
        sections = sub.get_config().sections()
        remotes = [s[1].decode() for s in sections if len(s) == 2 and s[0] == b"remote"]
        remote = "origin" if "origin" in remotes or not remotes else remotes[0]
        held = (await self.core.offload.io(branch_uses, sub)).held_refs()
        await self.core.offload.io(
            partial(
                fetch_remote,
                sub,
                remote,
                tracked=TrackedBranches.all(),
                signer=self.core.signer(ask=self.ask),
                timeout=self.timeout,
                stop=self.stop,
                held=held,
            )
        )


async def measure_submodules(core: Core, repo: Repo, report: SyncReport) -> list[SubmoduleStatus]:
    """The submodules' states, into the report; the caller stores them."""
    found = await core.offload.io(measured, repo)
    report.submodules = [
        {"path": s.path, "recorded": s.recorded, "checked_out": s.checked_out, "state": s.state}
        for s in found
    ]
    return found
