"""Desktop-app benchmarks, side by side with the git CLI (issue 5; targets: README.md).

Set-up: 50 repositories of 20 tracked branches behind one loopback `git daemon`,
registered in a fresh GITFERRY_HOME and fetched once (1,000 branch rows in the
status store). Then:

1. First paint: the real app (`python -m gui`) launched N times; from just before
   `Popen` to the status window's first paint (the app writes the time and quits:
   `GITFERRY_FIRST_PAINT_FILE`, gui/app.py). Beside it: `git for-each-ref` with
   `%(upstream:track)` over the 50 repositories (what a git-CLI-based status window
   would run for the same numbers), and the bare interpreter and imports the launch
   stands on (what is Python and Qt, and what is ours).
2. Event-loop lag: the desktop in this process, window shown; a 10 ms Qt timer
   records how late it fires while every repository is fetched once (1 new commit
   each), by the engine's background fetch all at once and max_concurrent at a
   time (as the scheduler bounds it), against `git fetch` of the 50
   (max_concurrent, and the offload's io_workers, at a time). See bench/gui_lag.py.
3. (`--only user`, not in the default run) a user's sync of one repository while the
   others fetch in the background, all at once, against `git pull --ff-only` while
   `git fetch` runs for the others; and each alone. See bench/gui_user_sync.py.

Runs offscreen (`QT_QPA_PLATFORM=offscreen` unless set). `python -m bench gui` runs
it with the defaults below.

    .venv/bin/python -m bench.gui [--launches N] [--rounds N] [--repos N]
                                  [--concurrency N] [--profile] [--only paint lag user]
                                  [--before CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from statistics import median

from bench import repos
from bench.background import default_concurrency
from bench.gitenv import isolate, scratch
from bench.gui_fleet import DesktopFleet
from bench.gui_lag import (
    ALL_AT_ONCE,
    BOUNDED,
    GIT,
    GIT_WIDE,
    IDLE,
    Lag,
    lag_rounds,
)
from bench.gui_launch import (
    APP,
    APP_BEFORE,
    BARE,
    IMPORTS,
    QT_ONLY,
    Launcher,
    import_breakdown,
    launches,
    profile_launch,
)
from bench.gui_launch import GIT as GIT_REFS
from bench.gui_user_sync import user_rounds, user_table
from bench.servers import git_daemon
from bench.stats import Summary, Table, add_phase_rows, ms, percentile, ratio, yes_no

PAINT_TARGET = 0.200
LAG_TARGET = 0.050


def paint_table(results: dict[str, Summary], apps: dict[str, Launcher], repo_count: int) -> Table:
    table = Table(
        f"1. Launch to the status window's first paint: {repo_count} repositories x "
        f"{len(repos.FLEET_BRANCHES)} branches from the status store",
        ["", "runs", "p50", "p95", "max", "min", "vs git", "CPU p50", "CPU p95", "target", "met"],
    )
    base = results[GIT_REFS].median
    for name, s in results.items():
        is_app = name in (APP, APP_BEFORE)
        met = yes_no(s.p(95) < PAINT_TARGET) if is_app else ""
        target = f"p95 < {PAINT_TARGET * 1000:g}" if is_app else ""
        row = (ms(s.p(50)), ms(s.p(95)), ms(max(s.samples)), ms(min(s.samples)))
        cpus = apps[name].cpus if name in apps else []
        cpu = (ms(percentile(cpus, 50)), ms(percentile(cpus, 95))) if cpus else ("", "")
        table.add(name, s.n, *row, ratio(s.median, base), *cpu, target, met)
    app, imports, bare = (results[n].median for n in (APP, IMPORTS, BARE))
    table.note(
        "ms from just before Popen (python -m gui, python -c, the first git) to the first paint, "
        "the end of the imports, or the last git's exit; CPU: the app's CPU time by its first paint "
        "(every thread; what a loaded machine's waiting does not stretch)"
    )
    qt = results[QT_ONLY].median
    table.note(
        f"of the app's median {ms(app)}: interpreter {ms(bare)}, PySide6.QtWidgets {ms(qt - bare)}, "
        f"the app's own imports {ms(imports - qt)}, after the imports {ms(app - imports)} "
        "(QApplication, the store read in a thread, window, show, paint; the engine comes after)"
    )
    launcher = apps[APP]
    table.note(f"the app quits right after the paint; launch to exit median {ms(median(launcher.exits))} ms")
    aborted = sum(a.aborted for a in apps.values())
    if aborted:
        table.note(
            f"{aborted} of {sum(a.launched for a in apps.values())} launches painted, then aborted at exit "
            "('Fatal Python error: bool_dealloc', PySide6 6.12.0 on CPython 3.11; see section 2's note)"
        )
    return table


def imports_table(rows: list[tuple[str, float]]) -> Table:
    table = Table(
        "1b. Where the imports before the first paint go (python -X importtime, one run)", ["package", "ms"]
    )
    for name, own in rows:
        table.add(name, f"{own:,.0f}")
    table.add("total", f"{sum(own for _name, own in rows):,.0f}")
    table.note("each module's own import time, summed by top-level package; -X importtime adds overhead")
    return table


def lag_table(lag: Lag, concurrency: int) -> Table:
    table = Table(
        "2. Event-loop lag with the status window open while the repositories fetch (1 new commit each)",
        [
            "",
            "cycles",
            "wall ms",
            "CPU s",
            "vs git",
            "vs wide",
            "lag n",
            "p50",
            "p95",
            "p99",
            "max",
            "target",
            "met",
        ],
    )
    git, wide = median(lag.walls[GIT]), median(lag.walls[GIT_WIDE])
    for name in (IDLE, ALL_AT_ONCE, GIT_WIDE, BOUNDED, GIT):
        walls = lag.walls.get(name)
        cycle: tuple[object, ...] = ("", "", "", "", "")
        if walls:
            cycle = (
                len(walls),
                ms(median(walls)),
                f"{median(lag.cpus[name]):.2f}",
                ratio(median(walls), git),
                ratio(median(walls), wide),
            )
        samples = lag.lag.get(name)
        probe: tuple[object, ...] = ("",) * 7
        if samples is not None:
            p99 = percentile(samples.values, 99)
            met = yes_no(p99 < LAG_TARGET) if name != IDLE else ""
            probe = (
                len(samples.values),
                samples.ms(50),
                samples.ms(95),
                samples.ms(99),
                samples.max_ms(),
                f"p99 < {LAG_TARGET * 1000:g}",
                met,
            )
        table.add(name, *cycle, *probe)
    table.note(
        f"lag: how late a 10 ms PreciseTimer fired on the GUI thread, in ms; max_concurrent {concurrency}; "
        "vs git = against git at max_concurrent, vs wide = against git at the offload's io_workers"
    )
    table.note(
        "background fetch: the job the scheduler starts at a repository's slot; all at once (bounded by "
        "the offload pools) or max_concurrent at a time"
    )
    table.note(f"this process's open file descriptors, window open then after each cycle: {lag.fds}")
    table.note(
        "checked: reports ok with origin/main fetched, tracking refs = servers' branches, "
        "the window shows main behind"
    )
    return table


def phase_table(lag: Lag, title: str = "2b. Where a repository's fetch goes") -> Table:
    """Median ms per phase of one repository's fetch, from the reports' `timings_ms`."""
    table = Table(f"{title} (gitferry's own phase timings)", ["phase", *lag.phases])
    add_phase_rows(table, lag.phases)
    table.note("median ms over every repository and cycle")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gui", description=__doc__)
    parser.add_argument("--launches", type=int, default=15, help="app launches (and runs of each other row)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="fetch cycles of each contender (descriptors stay bounded: see the table's note)",
    )
    parser.add_argument("--repos", type=int, default=50, help="repositories")
    parser.add_argument("--concurrency", type=int, default=default_concurrency(), help="max_concurrent")
    parser.add_argument("--profile", action="store_true", help="cProfile one launch and one fetch cycle")
    parser.add_argument("--only", nargs="+", choices=("paint", "lag", "user"), default=["paint", "lag"])
    parser.add_argument(
        "--before", type=Path, help="another checkout (an older commit) whose app is launched beside it"
    )
    args = parser.parse_args(argv)
    isolate()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    load = os.getloadavg()[0]
    print(f"[bench] load average (1 min) {load:.2f} before the set-up", flush=True)
    with scratch("gui") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv") as daemon:
            fleet = DesktopFleet(tmp, daemon, args.repos, args.concurrency)
            print(f"[bench] set-up (register + first fetch) {fleet.prepare():.1f} s", flush=True)
            if "paint" in args.only:
                before = args.before.resolve() if args.before else None
                results, apps = launches(fleet.home, fleet.locals, args.launches, before)
                print(paint_table(results, apps, args.repos).render(), end="\n\n", flush=True)
                print(imports_table(import_breakdown()).render(), end="\n\n", flush=True)
                if args.profile:
                    print(profile_launch(fleet.home), flush=True)
            if "lag" in args.only:
                lag = lag_rounds(fleet, args.rounds, args.profile)
                print(lag_table(lag, args.concurrency).render(), end="\n\n", flush=True)
                print(phase_table(lag).render(), end="\n\n", flush=True)
                if lag.profile:
                    print(lag.profile, flush=True)
            if "user" in args.only:
                user = user_rounds(fleet, args.rounds)
                print(user_table(user).render(), end="\n\n", flush=True)
                print(
                    phase_table(Lag(phases=user.phases), "3b. Where the user's sync goes").render(),
                    flush=True,
                )


if __name__ == "__main__":
    main()
