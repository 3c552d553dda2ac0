"""The three sides of every fetch comparison: the git CLI, stock dulwich, and Gitferry.

Gitferry's functions are loaded lazily: while `core.git.transfer.fetch` or
`core.git.history.ahead_behind` is missing from the tree, `Ours.load()` says why and the
benchmarks print the other columns alone.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulwich import porcelain
from dulwich.refs import Ref
from dulwich.repo import Repo
from dulwich.walk import Walker

from bench.gitenv import CACHE, git

GIT_TIMEOUT = 300.0


def run_git(repo: Path, *args: str) -> bytes:
    """One git command, timed by the caller; returns stderr (where git reports progress)."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace')}")
    return proc.stderr


def git_no_change_sync(repo: Path, *options: str) -> None:
    """`git fetch && git status --porcelain && git rev-list --left-right --count @{u}...HEAD`,
    with `options` (such as `-c protocol.version=0`) given to the fetch."""
    run_git(repo, *options, "fetch", "-q")
    run_git(repo, "status", "--porcelain")
    run_git(repo, "rev-list", "--left-right", "--count", "@{u}...HEAD")


def stock_fetch(repo: Repo | Path, remote: str = "origin") -> bytes:
    """`dulwich.porcelain.fetch` as shipped; returns the progress text it printed."""
    out = io.BytesIO()
    target = repo if isinstance(repo, Repo) else str(repo)
    porcelain.fetch(target, remote, outstream=io.StringIO(), errstream=out)
    return out.getvalue()


def stock_ahead_behind(repo: Repo, local: bytes, upstream: bytes) -> tuple[int, int]:
    """Ahead/behind with dulwich's own building blocks: two `Walker`s."""
    head, up = repo.refs[Ref(local)], repo.refs[Ref(upstream)]
    ahead = sum(1 for _ in Walker(repo.object_store, [head], exclude=[up]))
    behind = sum(1 for _ in Walker(repo.object_store, [up], exclude=[head]))
    return ahead, behind


def stock_no_change_sync(repo: Repo) -> None:
    stock_fetch(repo)
    stock_ahead_behind(repo, b"refs/heads/main", b"refs/remotes/origin/main")


@dataclass
class Ours:
    """Gitferry's engine functions, as they are in the tree right now."""

    fetch_remote: Any = None
    measure_branches: Any = None
    generation_index: Any = None
    missing: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> Ours:
        ours = cls()
        ours.fetch_remote = ours._get("core.git.transfer.fetch", "fetch_remote")
        ours.measure_branches = ours._get("core.git.history.branch_status", "measure_branches")
        ours.generation_index = ours._get("core.git.history.ahead_behind", "GenerationIndex")
        return ours

    def _get(self, module: str, name: str) -> Any:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            self.missing.append(f"{module}.{name} ({exc.__class__.__name__}: {exc})")
            return None

    @property
    def can_fetch(self) -> bool:
        return self.fetch_remote is not None

    @property
    def can_sync(self) -> bool:
        return None not in (self.fetch_remote, self.measure_branches, self.generation_index)

    def no_change_sync(self, repo: Repo) -> Callable[[], object]:
        """The engine's fetch + measure phases on a repository kept open, with its
        generation index kept across syncs (the daemon and GUI case). No cached
        ahead/behind is passed in, so every branch is really measured."""
        index = self.generation_index(repo)

        def sync() -> object:
            result = self.fetch_remote(repo, "origin")
            if result.updated or result.pack_requested:
                raise RuntimeError(f"gitferry fetched on a no-change remote: {result}")
            return self.measure_branches(repo, [], index)

        return sync


def set_origin(repo: Path, url: str) -> None:
    git("remote", "set-url", "origin", url, cwd=repo)


class ColdCli:
    """`gitferry sync --fetch-only NAME` as a fresh process, on a repository registered
    in a throwaway GITFERRY_HOME.

    The code is the checkout at `source` (this one by default; `--before DIR` of a
    bench gives another), and the process may cache its bytecode as an installed app
    has it: with PYTHONDONTWRITEBYTECODE (set in the shared environment) every cold
    run compiled the CLI from source again."""

    ROOT = Path(__file__).resolve().parent.parent
    BIN = ROOT / ".venv" / "bin" / "gitferry"

    def __init__(self, home: Path, name: str, source: Path = ROOT) -> None:
        self.home, self.name, self.source = home, name, source

    @classmethod
    def start(cls, repo: Path, name: str, source: Path = ROOT) -> ColdCli | None:
        """None when the CLI is not there yet (or cannot register `repo`)."""
        if not cls.BIN.exists():
            return None
        cli = cls(Path(tempfile.mkdtemp(prefix="gitferry-home-")), name, source.resolve())
        try:
            cli.run("add", str(repo), "--name", name)
        except RuntimeError as exc:
            print(f"[bench] gitferry CLI not usable yet: {exc}")
            cli.close()
            return None
        return cli

    def run(self, *args: str) -> bytes:
        """One `gitferry` command; returns its stdout."""
        env = {**os.environ, "GITFERRY_HOME": str(self.home), "PYTHONPATH": str(self.source)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        proc = subprocess.run(
            [str(self.BIN), *args], capture_output=True, env=env, timeout=GIT_TIMEOUT, check=False
        )
        if proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"gitferry {' '.join(args)} exited {proc.returncode}: {err}")
        return proc.stdout

    def sync_fetch_only(self) -> None:
        self.run("sync", "--fetch-only", self.name)

    def sync_json(self) -> dict[str, Any]:
        """A full `gitferry sync NAME --json`; the repository's report."""
        document: dict[str, Any] = json.loads(self.run("sync", self.name, "--json"))["repos"][0]
        return document

    @classmethod
    def imports_alone(cls) -> None:
        """The floor under every cold CLI run: the interpreter starting and importing the CLI."""
        python = cls.BIN.with_name("python")
        env = {**os.environ, "PYTHONPATH": str(cls.ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([str(python), "-c", "import core.cli"], check=True, env=env, timeout=GIT_TIMEOUT)

    def close(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


class Engine:
    """Gitferry's engine in this process, one `Core` open across syncs as the desktop
    app and the daemon keep it (and one event loop living as long). With `inline`,
    blocking work runs on the loop's thread instead of the offload pools, so that
    cProfile sees it."""

    def __init__(self, inline: bool = False) -> None:
        from core.engine.core import Core
        from core.engine.registry import add_repository
        from core.engine.sync import SyncOptions, sync_repository

        self._add, self._sync, self._options = add_repository, sync_repository, SyncOptions()
        self.home = Path(tempfile.mkdtemp(prefix="gitferry-home-", dir=CACHE))
        self._runner = asyncio.Runner()
        self.core = self._runner.run(Core.open(self.home, _inline_offload() if inline else None))

    @classmethod
    def start(cls, inline: bool = False) -> tuple[Engine | None, str]:
        """The engine, or None and why not (a module of the engine not written yet)."""
        try:
            return cls(inline), ""
        except ImportError as exc:
            return None, f"{exc.__class__.__name__}: {exc}"

    def add(self, path: Path, name: str) -> Any:
        return self._runner.run(self._add(self.core, str(path), name=name))

    def sync(self, record: Any) -> dict[str, Any]:
        """One full sync; its report as `sync --json` prints it."""
        report = self._runner.run(self._sync(self.core, record, self._options))
        document: dict[str, Any] = report.to_json()
        return document

    def close(self) -> None:
        self._runner.run(self.core.close())
        self._runner.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _inline_offload() -> Any:
    from core.offload import Offload

    class Inline(Offload):
        async def io(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        async def cpu(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

    return Inline(1, 1)


async def fetch_every(daemon: Any, ids: Sequence[int], at_once: int | None = None) -> tuple[list[Any], int]:
    """A background fetch of every repository through the running daemon's engine (the
    job the scheduler starts at a repository's slot), at most `at_once` at a time (None:
    all at once, bounded only by the offload pools). The `SyncReport`s, in `ids`' order,
    and the most fetches that ran together."""
    engine = daemon.engine
    gate = asyncio.Semaphore(at_once or len(ids) or 1)
    running = peak = 0

    async def one(repo_id: int) -> Any:
        nonlocal running, peak
        async with gate:
            running += 1
            peak = max(peak, running)
            try:
                return await engine.fetch(repo_id)
            finally:
                running -= 1

    reports = await asyncio.gather(*(one(repo_id) for repo_id in ids))
    return list(reports), peak


class BackgroundEngine:
    """Gitferry's `gitferry daemon` in this process: the engine (pool, bus, a worker per
    repository) and the fetch scheduler, with one subscriber draining the bus as the
    GUI would. A cycle is a background fetch of every repository, at most
    `max_concurrent` at a time, as the scheduler bounds them (`fetch_every`).

    Repositories are registered with a one-day `fetch_interval`, so the scheduler's
    own slots (spread over the day) do not fire during the benchmark."""

    INTERVAL = "86400"
    START_TIMEOUT = 10.0

    def __init__(self, home: Path, core: Any, daemon: Any, ids: list[int], max_concurrent: int) -> None:
        self.home, self.core, self.daemon, self.ids = home, core, daemon, ids
        self.max_concurrent = max_concurrent
        self.peak_concurrent = 0
        self.events = 0
        self._subscription = daemon.bus.subscribe(maxsize=1024)
        self._drain = asyncio.ensure_future(self._count_events())
        self._run = asyncio.ensure_future(daemon.run())

    @classmethod
    async def open(cls, paths: list[Path], max_concurrent: int) -> BackgroundEngine:
        """Registers `paths` (named after their folders) in a fresh GITFERRY_HOME and starts
        the daemon. Raises ImportError while a module of the engine is not in the tree yet."""
        from core.engine.core import Core
        from core.engine.daemon import Daemon
        from core.engine.registry import add_repository

        home = Path(tempfile.mkdtemp(prefix="gitferry-home-", dir=CACHE))
        core = await Core.open(home)
        await core.store.set_app_setting("max_concurrent", str(max_concurrent))
        settings = {"fetch_interval": cls.INTERVAL}
        ids = [(await add_repository(core, str(p), name=p.name, settings=settings)).id for p in paths]
        engine = cls(home, core, Daemon(core), ids, max_concurrent)
        await engine._scheduled()
        return engine

    async def _scheduled(self) -> None:
        """Wait until the daemon has started the engine and scheduled every repository."""
        from core.engine.scheduler import NotScheduled

        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self._run.done():
                self._run.result()  # raises what stopped the daemon
                raise RuntimeError("the daemon stopped before scheduling the repositories")
            scheduler = self.daemon.scheduler
            try:
                if scheduler is not None and all(scheduler.next_due(i) for i in self.ids):
                    return
            except NotScheduled:
                pass
            await asyncio.sleep(0.01)
        raise RuntimeError("the daemon did not schedule the repositories in time")

    async def _count_events(self) -> None:
        async for _event in self._subscription:
            self.events += 1

    async def cycle(self) -> list[Any]:
        """One background fetch of every repository; the `FetchOutcome`s the scheduler
        would have been handed."""
        from core.engine.daemon import as_outcome

        reports, peak = await fetch_every(self.daemon, self.ids, self.max_concurrent)
        self.peak_concurrent = max(self.peak_concurrent, peak)
        return [as_outcome(report) for report in reports]

    async def last_reports(self) -> list[dict[str, Any]]:
        """Each repository's last recorded run: its report as `sync --json` prints it."""
        runs = [await self.core.store.runs(repo_id, limit=1) for repo_id in self.ids]
        return [dict(last[0].details, result=last[0].result) for last in runs]

    async def close(self, *, keep_home: bool = False) -> None:
        """Stop the daemon; the GITFERRY_HOME is removed unless `keep_home` (the caller's then)."""
        self.daemon.stop()
        await self._run
        self._subscription.close()
        await self._drain
        await self.core.close()
        if not keep_home:
            shutil.rmtree(self.home, ignore_errors=True)
