"""A user's sync while the background fetches every other repository (issue 19: the
offload pools' queue; "background work yields to a sync that the user asked for").

In this process, as `bench/gui_lag.py` sets it up: the desktop app with its window
open. Each round, one new commit on `main` of every server, then:
- gitferry: a background fetch of every repository but the last, all at once (the
  engine's job, `bench.contenders.fetch_every`), and once they are under way the
  user's sync of the last one (`Api.sync`: fetch, fast-forward, measure); its wall
  time from the click to its report, and the background's until the last fetch ends;
- git: `git fetch` of the same repositories, io_workers at a time, and `git pull
  --ff-only` of the last one started with them;
- then one more commit on the last server only, and the same sync (and pull) with
  nothing else running.
Checked: the background reports fetched `origin/main`, the user's sync reports `ok`
and its `main` is the server's (git's referee: `rev-parse`), every clone's tracking
refs are its server's branches.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from bench import repos
from bench.contenders import fetch_every, run_git
from bench.gitenv import git
from bench.gui_fleet import MOVE_NUMBER, MOVED, DesktopFleet, check_reports
from bench.gui_lag import OpenDesktop
from bench.stats import Table, ms, percentile, ratio

OURS_BUSY = "gitferry: the user's sync, background fetching the others"
OURS_ALONE = "gitferry: the user's sync, nothing else running"
GIT_BUSY = "git pull --ff-only, git fetching the others"
GIT_ALONE = "git pull --ff-only, nothing else running"
BACKGROUND = "gitferry: the background fetches of the others (until the last)"
GIT_BACKGROUND = "git fetch of the others, io_workers at a time"
SOLO_NUMBER = MOVE_NUMBER + 100_000  # the last server's own commits: numbers the fleet's moves never use
START_AFTER = 0.05  # s after the background fetches start: under way, holding the pools


@dataclass
class UserSync:
    walls: dict[str, list[float]] = field(default_factory=dict)
    phases: dict[str, list[dict[str, float]]] = field(default_factory=dict)

    def keep(self, name: str, wall: float) -> None:
        self.walls.setdefault(name, []).append(wall)


def user_rounds(fleet: DesktopFleet, rounds: int) -> UserSync:
    result = UserSync()
    app = OpenDesktop(fleet.home)
    solo = 0
    try:
        for _round in range(rounds):
            for busy in (True, False):
                for ours in (True, False):
                    if busy:
                        fleet.move()
                    else:
                        solo += 1
                        repos.move_branches(fleet.servers[-1], [MOVED], SOLO_NUMBER + solo)
                    fleet.mark()
                    if ours:
                        _ours(fleet, app, result, busy)
                    else:
                        _git(fleet, result, busy)
                    if busy:
                        fleet.check("user sync round")
                    _check_user_repo(fleet)
    finally:
        app.close()
    return result


def _ours(fleet: DesktopFleet, app: OpenDesktop, result: UserSync, busy: bool) -> None:
    async def cycle() -> tuple[float, float, dict[str, Any], list[dict[str, Any]]]:
        started = time.perf_counter()
        background = None
        if busy:
            background = asyncio.ensure_future(fetch_every(app.api.daemon, app.ids[:-1]))
            await asyncio.sleep(START_AFTER)
        clicked = time.perf_counter()
        report = (await app.api.sync(app.ids[-1])).to_json()
        user_wall = time.perf_counter() - clicked
        others: list[dict[str, Any]] = []
        if background is not None:
            reports, _peak = await background
            others = [r.to_json() for r in reports]
        return user_wall, time.perf_counter() - started, report, others

    user_wall, all_wall, report, others = app.run(cycle())
    name = OURS_BUSY if busy else OURS_ALONE
    if report["result"] != "ok":
        raise RuntimeError(f"{name}: {report['name']}: {report['result']} ({report['message']})")
    result.keep(name, user_wall)
    result.phases.setdefault(name, []).append(report["timings_ms"])
    if busy:
        check_reports(BACKGROUND, others, moved=True)
        result.keep(BACKGROUND, all_wall)


def _git(fleet: DesktopFleet, result: UserSync, busy: bool) -> None:
    from core.offload import default_io_workers

    user = fleet.locals[-1]
    if not busy:
        started = time.perf_counter()
        run_git(user, "pull", "--ff-only", "-q")
        result.keep(GIT_ALONE, time.perf_counter() - started)
        return
    with ThreadPoolExecutor(default_io_workers() + 1) as pool:
        started = time.perf_counter()
        pulled = pool.submit(_timed_pull, user)
        list(pool.map(lambda repo: run_git(repo, "fetch", "-q"), fleet.locals[:-1]))
        result.keep(GIT_BACKGROUND, time.perf_counter() - started)
        result.keep(GIT_BUSY, pulled.result())


def _timed_pull(repo: Any) -> float:
    started = time.perf_counter()
    run_git(repo, "pull", "--ff-only", "-q")
    return time.perf_counter() - started


def _check_user_repo(fleet: DesktopFleet) -> None:
    server = repos.refs(fleet.servers[-1], "refs/heads/")[MOVED]
    local = git("rev-parse", MOVED, cwd=fleet.locals[-1])
    if local != server:
        raise RuntimeError(f"{fleet.locals[-1].name}: {MOVED} is {local}, the server's is {server}")


def user_table(result: UserSync) -> Table:
    table = Table(
        "3. A user's sync (fetch and fast-forward 1 new commit) while the others fetch in the background",
        ["", "runs", "median ms", "p95 ms", "max ms", "vs git"],
    )
    against = {OURS_BUSY: GIT_BUSY, OURS_ALONE: GIT_ALONE, BACKGROUND: GIT_BACKGROUND}
    for name in (OURS_BUSY, GIT_BUSY, OURS_ALONE, GIT_ALONE, BACKGROUND, GIT_BACKGROUND):
        walls = result.walls.get(name, [])
        if not walls:
            continue
        git = result.walls.get(against.get(name, name), walls)
        table.add(
            name,
            len(walls),
            ms(median(walls)),
            ms(percentile(walls, 95)),
            ms(max(walls)),
            ratio(median(walls), median(git)),
        )
    table.note(
        f"the user's sync starts {START_AFTER * 1000:g} ms after the background fetches (the app's engine, "
        "all at once); git's pull starts with git's fetches"
    )
    table.note(
        "checked: background reports fetched origin/main, the sync's report ok and its main the server's"
    )
    return table
