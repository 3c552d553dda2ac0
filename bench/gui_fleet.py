"""The desktop benchmark's world: 50 repositories of 20 tracked branches behind one
loopback `git daemon`, registered in a fresh GITFERRY_HOME and fetched once, so the
status store holds every branch row before the app is launched on it.

The repositories are `bench.background`'s fleet (hard-linked twins of one cached
template); `move()` pushes one new commit to `main` of every server.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

from bench import repos
from bench.background import Fleet
from bench.gitenv import git
from bench.servers import GitDaemon

FETCH_INTERVAL = "86400"  # one day: the scheduler's own slots stay out of the measurements
MOVE_NUMBER = 200_000  # commit number (and date) of the moves: the same commits on every server
MOVED = "main"


class DesktopFleet(Fleet):
    """The fleet plus its GITFERRY_HOME."""

    def __init__(self, work: Path, daemon: GitDaemon, count: int, max_concurrent: int) -> None:
        super().__init__(work / "repos", daemon, count)
        self.home = work / "home"
        self.max_concurrent = max_concurrent

    def prepare(self) -> float:
        """Fresh repositories, registered and fetched once; seconds that took."""
        started = time.perf_counter()
        self.reset()
        self.mark()
        asyncio.run(self._register_and_fetch())
        self.check("setup fetch")
        return time.perf_counter() - started

    async def _register_and_fetch(self) -> None:
        from bench.contenders import fetch_every
        from core.engine.core import Core
        from core.engine.daemon import Daemon
        from core.engine.registry import add_repository

        core = await Core.open(self.home)
        try:
            await core.store.set_app_setting("max_concurrent", str(self.max_concurrent))
            settings = {"fetch_interval": FETCH_INTERVAL}
            ids = [
                (await add_repository(core, str(p), name=p.name, settings=settings)).id for p in self.locals
            ]
            daemon = Daemon(core)
            run = asyncio.ensure_future(daemon.run())
            await asyncio.wait_for(daemon.started.wait(), 30)
            reports, _peak = await fetch_every(daemon, ids)
            daemon.stop()
            await asyncio.wait_for(run, 30)
            check_reports("setup fetch", [r.to_json() for r in reports], moved=False)
            await self._check_rows(core)
        finally:
            await core.close()

    async def _check_rows(self, core: object) -> None:
        from core.engine.core import Core

        assert isinstance(core, Core)
        stored = await core.store.all_branches()
        rows = sum(len(branches) for branches in stored.values())
        want = len(self.locals) * len(repos.FLEET_BRANCHES)
        if rows != want:
            raise RuntimeError(f"the status store holds {rows} branch rows, expected {want}")

    def move(self) -> None:
        """One new commit on `main` of every server."""
        for server in self.servers:
            repos.move_branches(server, [MOVED], MOVE_NUMBER + self.moves)
        self.moves += 1

    def behind(self) -> list[int]:
        """How far each clone's `main` is behind `origin/main`, by git's count."""
        return [
            int(git("rev-list", "--count", f"{MOVED}..origin/{MOVED}", cwd=local)) for local in self.locals
        ]


def check_reports(name: str, reports: Sequence[dict[str, object]], moved: bool) -> None:
    """Every fetch succeeded; a moved fleet fetched exactly `origin/main`."""
    want = "ok" if moved else "up_to_date"
    for report in reports:
        if report["result"] != want:
            raise RuntimeError(f"{name}: {report['name']}: {report['result']} ({report['message']})")
        if moved and report["fetched_refs"] != [f"origin/{MOVED}"]:
            raise RuntimeError(f"{name}: {report['name']} fetched {report['fetched_refs']}")
