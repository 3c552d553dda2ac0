"""Why nothing runs for a repository is its published state: `tripped`, `offline` or
`paused`, in `StateChanged` events and in the status store alike.

The daemon runs on a hand-driven clock (its backoffs and slots would take minutes of
real time); its fetches are real, against a `git daemon` remote.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from core.engine.clock import wall_datetime
from core.engine.core import Core
from core.engine.daemon import SETTINGS_SECONDS, Daemon
from core.engine.registry import add_repository
from core.events import EventBus, RemoteTripped, StateChanged, Subscription, SyncFinished
from core.git.transfer.signer import SignInRequest
from core.model import RepoRecord, RepoState
from core.phrase import Phrase
from core.remote_url import HttpAuth
from core.results import ResultKind
from core.settings import PAUSED_FOREVER, pause_until
from tests.core.scheduler_fakes import FakeClock
from tests.core.test_events import drain
from tests.gitcli import git
from tests.integration.clones import Clones
from tests.servers import HttpRemote, Remote
from tests.servers.ssh import SshServer
from tests.ssh_home import PASSPHRASE, SshHome

ROOT = Path(__file__).resolve().parents[2]
DEADLOCK_CAP = 60.0  # seconds: only a daemon that never gets there takes this long


async def advance_until(clock: FakeClock, done: Callable[[], bool], step: float = 120.0) -> None:
    """Move the daemon's clock on until `done()`, letting its real fetches finish in between."""
    async with asyncio.timeout(DEADLOCK_CAP):
        while not done():
            await clock.advance(step)
            await asyncio.sleep(0.05)


async def next_sync_finished(clock: FakeClock, finished: Subscription, repo_id: int) -> SyncFinished:
    """The first sync of `repo_id` to finish from now on (the events so far dropped), the
    daemon's clock moved on until it does."""
    drain(finished)
    signed: list[SyncFinished] = []

    def fetched_again() -> bool:
        signed.extend(e for e in drain(finished) if isinstance(e, SyncFinished) and e.repo_id == repo_id)
        return bool(signed)

    await advance_until(clock, fetched_again)
    return signed[0]


def published(events: Subscription) -> dict[int, list[RepoState]]:
    """The states each repository moved to, from the events buffered so far."""
    out: dict[int, list[RepoState]] = {}
    while True:
        try:
            event = events.get_nowait()
        except asyncio.QueueEmpty:
            return out
        if isinstance(event, StateChanged):
            out.setdefault(event.repo_id, []).append(event.to_state)


async def stored_state(core: Core, name: str) -> str:
    return (await core.store.repo(name)).state


class Running:
    """The daemon of `core` on `clock`, run until `stop`."""

    def __init__(self, core: Core, clock: FakeClock) -> None:
        self.bus = EventBus()
        self.events = self.bus.subscribe(maxsize=10_000)
        self.daemon = Daemon(core, clock=clock, bus=self.bus)
        self.task = asyncio.ensure_future(self.daemon.run())

    async def started(self) -> Running:
        await asyncio.wait_for(self.daemon.started.wait(), DEADLOCK_CAP)
        return self

    async def stop(self) -> None:
        self.daemon.stop()
        await asyncio.wait_for(self.task, DEADLOCK_CAP)


@contextlib.asynccontextmanager
async def mine_tripped(clock: FakeClock) -> AsyncIterator[tuple[Core, Running, RepoRecord]]:
    """A daemon on `clock` running until `mine`'s remote (a wrong URL) tripped and the store
    says so; stopped, and the store closed, when the block ends."""
    core = await Core.open()
    running = await Running(core, clock).started()
    try:
        mine = await core.store.repo("mine")
        assert running.daemon.engine is not None
        await advance_until(clock, lambda: running.daemon.engine.state(mine.id) is RepoState.TRIPPED)
        await settled(core, "mine", "tripped")
        yield core, running, mine
    finally:
        await running.stop()
        await core.close()


def test_a_remote_that_keeps_failing_trips_and_the_repository_publishes_tripped(
    git_daemon: Remote, world: Clones
) -> None:
    git("remote", "set-url", "origin", git_daemon.url("no-such-repository"), cwd=world.mine)

    async def scenario() -> None:
        core = await Core.open()
        clock = FakeClock()
        running = await Running(core, clock).started()
        try:
            mine = await core.store.repo("mine")
            trips = running.bus.subscribe(kinds=(RemoteTripped,))
            await advance_until(clock, lambda: len(trips) > 0)
            assert running.daemon.engine is not None
            await advance_until(clock, lambda: running.daemon.engine.state(mine.id) is RepoState.TRIPPED)
            assert RepoState.TRIPPED in published(running.events)[mine.id]
            await settled(core, "mine", "tripped")
            assert await stored_state(core, "theirs") == "idle"  # its remote answers
            report = await running.daemon.sync_now(mine.id)  # the user's sync still tries it
            assert "origin" in report.failed_remotes
            assert running.daemon.engine.state(mine.id) is RepoState.TRIPPED
        finally:
            await running.stop()
            await core.close()
        # A restart shows the trip from the start: it lives in the store, not in memory.
        core = await Core.open()
        running = await Running(core, FakeClock(wall=clock.wall())).started()
        try:
            assert running.daemon.engine is not None
            assert running.daemon.engine.state(mine.id) is RepoState.TRIPPED
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())


def test_a_users_sync_that_the_tripped_remote_answers_ends_the_trip(
    git_daemon: Remote, world: Clones
) -> None:
    """A user trial: an HTTP remote refused a background fetch three times (no sign-in
    yet) and tripped; the user pressed Sync now and signed in, the sync went through,
    and the window still said "A remote keeps failing" for the next hour. Here the remote
    is fixed (its URL set right again), the user's sync reaches it: the trip is over."""
    git("remote", "set-url", "origin", git_daemon.url("no-such-repository"), cwd=world.mine)

    async def scenario() -> None:
        clock = FakeClock()
        async with mine_tripped(clock) as (core, running, mine):
            assert running.daemon.engine is not None
            published(running.events)  # what came before
            git("remote", "set-url", "origin", git_daemon.url("origin"), cwd=world.mine)
            report = await running.daemon.sync_now(mine.id)
            assert report.answered_remotes == ["origin"] and report.result.succeeded, report
            assert running.daemon.engine.state(mine.id) is RepoState.IDLE
            assert RepoState.IDLE in published(running.events)[mine.id]  # the window hears it
            await settled(core, "mine", "idle")
            assert running.daemon.scheduler is not None
            assert running.daemon.scheduler.breaker.tripped(mine.id, wall_datetime(clock)) == frozenset()
            assert git("rev-parse", "origin/main", cwd=world.mine) == git("rev-parse", "main", cwd=world.bare)

    asyncio.run(scenario())


def test_every_remote_unreachable_is_offline_once_and_an_answer_ends_it(
    world: Clones, refused_port: int
) -> None:
    urls = {clone: git("remote", "get-url", "origin", cwd=clone) for clone in (world.mine, world.theirs)}
    dead = f"git://127.0.0.1:{refused_port}/gone.git"  # connecting is refused: the machine is offline
    for clone in urls:
        git("remote", "set-url", "origin", dead, cwd=clone)

    async def scenario() -> None:
        core = await Core.open()
        clock = FakeClock()
        running = await Running(core, clock).started()
        engine = running.daemon.engine
        assert engine is not None
        try:
            ids = [(await core.store.repo(name)).id for name in ("mine", "theirs")]

            def all_in(state: RepoState) -> bool:
                return all(engine.state(i) is state for i in ids)

            await advance_until(clock, lambda: all_in(RepoState.OFFLINE))
            seen = published(running.events)
            assert all(RepoState.OFFLINE in seen[i] for i in ids)
            async with asyncio.timeout(DEADLOCK_CAP):
                while {await stored_state(core, n) for n in ("mine", "theirs")} != {"offline"}:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            for clone, url in urls.items():
                git("remote", "set-url", "origin", url, cwd=clone)
            await advance_until(clock, lambda: all_in(RepoState.IDLE))  # one answer ends it for all
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())


def test_pausing_holds_every_repository_paused_and_one_added_later_too(world: Clones, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    git("clone", "-q", str(world.bare), str(extra))

    async def scenario() -> None:
        core = await Core.open()
        running = await Running(core, FakeClock()).started()
        engine = running.daemon.engine
        assert engine is not None
        try:
            running.daemon.pause()
            names = ("mine", "theirs")
            assert {engine.state((await core.store.repo(n)).id) for n in names} == {RepoState.PAUSED}
            mine = await core.store.repo("mine")
            report = await running.daemon.sync_now(mine.id)  # a pause holds background work only
            assert report.result.succeeded and engine.state(mine.id) is RepoState.PAUSED
            record = await add_repository(core, str(extra))
            running.daemon.watch(record, 300.0)
            assert engine.state(record.id) is RepoState.PAUSED
            async with asyncio.timeout(DEADLOCK_CAP):
                while {r.state for r in await core.store.repos()} != {"paused"}:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            running.daemon.resume()
            assert engine.state(record.id) is RepoState.IDLE
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())


def test_a_timed_pause_runs_out_for_its_repository_alone(world: Clones) -> None:
    """The settings loop lets a timed pause go once it ran out (it looks only at the
    repositories with a timed pause or paused now); a pause for good, and the others,
    are left as they were."""

    async def scenario() -> None:
        core = await Core.open()
        clock = FakeClock()
        running = await Running(core, clock).started()
        daemon, engine = running.daemon, running.daemon.engine
        assert engine is not None
        try:
            mine, theirs = (await core.store.repo("mine")).id, (await core.store.repo("theirs")).id
            await daemon.set_pause(mine, pause_until(clock.wall(), 60))
            await daemon.set_pause(theirs, PAUSED_FOREVER)
            assert (engine.state(mine), engine.state(theirs)) == (RepoState.PAUSED, RepoState.PAUSED)
            for _ in range(8):  # rounds of the settings loop while the pause holds, the
                await clock.advance(5)  # registry file's change among them (each round
                await asyncio.sleep(0.1)  # reads its stamp in a thread)
            assert engine.state(mine) is RepoState.PAUSED
            await clock.advance(30)  # the pause runs out: a round with the file unchanged
            async with asyncio.timeout(DEADLOCK_CAP):
                while engine.state(mine) is RepoState.PAUSED:  # noqa: ASYNC110 (its round reads a file in a thread)
                    await asyncio.sleep(0.02)
            assert engine.state(theirs) is RepoState.PAUSED
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())


def cli_sync_in_another_process(name: str) -> subprocess.CompletedProcess[str]:
    """`gitferry sync NAME` as its own process, beside the daemon of this one."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from core.cli import main; sys.exit(main())", "sync", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=DEADLOCK_CAP,
        check=False,
    )


async def settled(core: Core, name: str, state: str) -> None:
    async with asyncio.timeout(DEADLOCK_CAP):
        while await stored_state(core, name) != state:  # noqa: ASYNC110 (a store read)
            await asyncio.sleep(0.02)


def test_a_cli_sync_in_another_process_keeps_the_paused_state_the_daemon_holds(world: Clones) -> None:
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)

    async def scenario() -> None:
        core = await Core.open()
        running = await Running(core, FakeClock()).started()
        engine = running.daemon.engine
        assert engine is not None
        try:
            running.daemon.pause()
            await settled(core, "mine", "paused")
            done = await asyncio.to_thread(cli_sync_in_another_process, "mine")
            assert done.returncode == 0, done.stderr
            record = await core.store.repo("mine")
            assert record.state == "paused" and record.last_result == "ok", record  # the run is recorded
            assert engine.state(record.id) is RepoState.PAUSED
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())
    assert git("rev-parse", "main", cwd=world.mine) == git("rev-parse", "main", cwd=world.theirs)


def test_a_cli_sync_in_another_process_keeps_the_tripped_state_the_daemon_holds(
    git_daemon: Remote, world: Clones
) -> None:
    git("remote", "set-url", "origin", git_daemon.url("no-such-repository"), cwd=world.mine)

    async def scenario() -> None:
        async with mine_tripped(FakeClock()) as (core, _running, _mine):
            done = await asyncio.to_thread(cli_sync_in_another_process, "mine")
            assert done.returncode != 0 and "no-such-repository" in done.stdout + done.stderr, done
            record = await core.store.repo("mine")
            assert record.state == "tripped" and record.last_result == "error", record

    asyncio.run(scenario())


def test_a_cli_sync_in_another_process_that_the_remote_answers_ends_the_trip(
    git_daemon: Remote, world: Clones
) -> None:
    """A user trial: the daemon (started without the user's ssh agent) tripped an ssh
    remote; `gitferry sync` from the user's terminal ran in its own process (another
    environment) and went through, yet the daemon kept the repository `tripped` and its
    remote skipped for the rest of the hour. Within a settings round it follows the store."""
    git("remote", "set-url", "origin", git_daemon.url("no-such-repository"), cwd=world.mine)

    async def scenario() -> None:
        clock = FakeClock()
        async with mine_tripped(clock) as (core, running, mine):
            engine, scheduler = running.daemon.engine, running.daemon.scheduler
            assert engine is not None and scheduler is not None
            [trip] = await core.store.remote_health.failure_states(mine.id)
            assert trip.tripped_until is not None
            git("remote", "set-url", "origin", git_daemon.url("origin"), cwd=world.mine)
            done = await asyncio.to_thread(cli_sync_in_another_process, "mine")
            assert done.returncode == 0, done.stdout + done.stderr
            await advance_until(
                clock, lambda: engine.state(mine.id) is not RepoState.TRIPPED, step=SETTINGS_SECONDS
            )
            assert scheduler.breaker.tripped(mine.id, wall_datetime(clock)) == frozenset()
            assert wall_datetime(clock) < trip.tripped_until - timedelta(minutes=55)  # not the cool-down
            # Its next background fetch reaches the remote (no longer skipped): idle again,
            # in the store the window reads.
            async with asyncio.timeout(DEADLOCK_CAP):
                while await stored_state(core, "mine") != "idle":
                    await clock.advance(60)
                    await asyncio.sleep(0.05)

    asyncio.run(scenario())


def _behind_a_password_no_keyring_keeps(
    server: HttpRemote, world: Clones
) -> tuple[str, str, Callable[[], int]]:
    """mine's origin moved behind `server`'s Basic auth, with no system keyring (the
    autouse memory keyring is put back afterwards): the user name, the password, and how
    many fetches the server has had so far."""
    keyring.set_keyring(fail.Keyring())
    server.create("origin")
    git("push", "-q", str(server.bare_path("origin")), "main", cwd=world.mine)
    git("remote", "set-url", "origin", server.url("origin"), cwd=world.mine)
    user, password = server.auth or ("", "")

    def fetches() -> int:
        return sum(1 for _method, path in server.requests if path.startswith("/origin.git/info/refs"))

    return user, password, fetches


@pytest.mark.slow
def test_a_password_no_keyring_can_keep_is_said_as_such_and_trips_nothing(
    http_auth_server: HttpRemote, world: Clones
) -> None:
    """A user trial: no system keyring, an HTTP remote that wants a password. Background
    fetches cannot sign in (nothing keeps the password, nobody is asked), and after three
    of them the remote was tripped: the window said "A remote keeps failing", hiding the
    cause. Such a fetch is not the remote failing: nothing trips, the message says why and
    what to do, and the user's own sync asks for the password and goes through; the running
    daemon keeps it in memory (saying so), and its next background fetch signs in with it."""
    user, password, fetches = _behind_a_password_no_keyring_keeps(http_auth_server, world)
    asked: list[SignInRequest] = []

    async def scenario() -> None:
        core = await Core.open()
        clock = FakeClock()
        running = await Running(core, clock).started()
        trips = running.bus.subscribe(kinds=(RemoteTripped,))
        finished = running.bus.subscribe(kinds=(SyncFinished,), maxsize=10_000)
        try:
            mine = await core.store.repo("mine")
            engine, scheduler = running.daemon.engine, running.daemon.scheduler
            assert engine is not None and scheduler is not None
            await advance_until(clock, lambda: fetches() >= 4)
            assert len(trips) == 0
            assert RepoState.TRIPPED not in published(running.events).get(mine.id, [])
            assert scheduler.breaker.tripped(mine.id, wall_datetime(clock)) == frozenset()
            assert scheduler.breaker.failures(mine.id, "origin") == 0
            said = [e for e in drain(finished) if isinstance(e, SyncFinished) and e.repo_id == mine.id]
            assert said and said[-1].result is ResultKind.AUTH_FAILED
            assert said[-1].message == (
                "origin: the server requires credentials; there is no system keyring to keep a password"
                " for background fetches: install one (GNOME Keyring, KWallet) or use a git credential"
                " helper (git config --global credential.helper store, or cache); a sync you start asks"
                " for it"
            )
            # made of templates the app translates, down to the keyring's words (core.phrase)
            (part,) = said[-1].parts
            assert part.template == "{remote}: {reason}" and part.english() == said[-1].message
            assert "there is no system keyring" in [p.template for p in _phrases_in(part)]

            def prompt(request: SignInRequest) -> HttpAuth:
                asked.append(request)
                return HttpAuth(user, password)

            core.sign_in_prompt = prompt
            report = await running.daemon.sync_now(mine.id)  # the user's Sync now asks again
            assert report.result.succeeded and report.answered_remotes == ["origin"], report.message
            assert len(asked) == 1
            assert report.notes == [
                "origin: the password is kept in memory only until the daemon quits (there is no system"
                " keyring): background fetches sign in with it until then; to keep it longer, install one"
                " (GNOME Keyring, KWallet) or use a git credential helper (git config --global"
                " credential.helper store, or cache)"
            ]
            assert engine.state(mine.id) is not RepoState.TRIPPED
            assert scheduler.backoff_streak(mine.id) == 0  # the user's sync ended the backoff
            # The daemon kept it: its next background fetch signs in, nobody asked.
            core.sign_in_prompt = None
            signed = await next_sync_finished(clock, finished, mine.id)
            assert signed.result.succeeded, signed.message
            assert len(asked) == 1
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())
    assert git("rev-parse", "origin/main", cwd=world.mine) == git("rev-parse", "main", cwd=world.mine)


@pytest.mark.slow
def test_a_password_handed_over_by_the_cli_ends_the_backoff_of_its_remotes_background_fetches(
    http_auth_server: HttpRemote, world: Clones
) -> None:
    """No system keyring, background fetches of an HTTP remote failing to sign in: their
    retry backoff grows (up to their interval). The CLI's sync is given the password and
    hands it to the running engine (`keep`): before, the daemon kept the failure streak,
    though it now held a password that signs in. The hand-over ends the streak of the
    repositories whose remote it signs in to, as a user's sync does: the next background
    fetch comes on its interval and signs in with it."""
    user, password, _fetches = _behind_a_password_no_keyring_keeps(http_auth_server, world)

    async def scenario() -> None:
        core = await Core.open()
        clock = FakeClock()
        running = await Running(core, clock).started()
        finished = running.bus.subscribe(kinds=(SyncFinished,), maxsize=10_000)
        try:
            mine = await core.store.repo("mine")
            scheduler = running.daemon.scheduler
            assert scheduler is not None
            await advance_until(clock, lambda: scheduler.backoff_streak(mine.id) >= 8)
            interval = scheduler.interval(mine.id)
            # Waiting out the backoff, which never passes the interval.
            assert scheduler.next_due(mine.id) - clock.monotonic() <= interval
            async with handed_over(core, running, http_auth_server, HttpAuth(user, password)):
                # Told once the engine answered: the clock does not move meanwhile.
                await advance_until(clock, lambda: scheduler.backoff_streak(mine.id) == 0, step=0)
                assert scheduler.next_due(mine.id) - clock.monotonic() < 2 * interval  # on its interval
                signed = await next_sync_finished(clock, finished, mine.id)
                assert signed.result.succeeded, signed.message
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())
    assert git("rev-parse", "origin/main", cwd=world.mine) == git("rev-parse", "main", cwd=world.mine)


@contextlib.asynccontextmanager
async def handed_over(
    core: Core, running: Running, server: HttpRemote, auth: HttpAuth
) -> AsyncIterator[None]:
    """`auth` for `server`'s origin handed to the running daemon by the real CLI client
    (`keep`, as a `gitferry sync` in its own process does), over the socket of a CLI
    server started on it for the block."""
    from core.cli_engine import hand_over_password
    from core.cli_socket import run_directory
    from core.engine.cli_server import CliServer
    from core.git.transfer.sign_in import memory_key

    assert core.home is not None and running.daemon.engine is not None
    run_directory(core.home).mkdir(mode=0o700, parents=True, exist_ok=True)  # as `gitferry daemon` makes it
    cli = await CliServer.start(
        core, running.daemon.engine, running.bus, kept=running.daemon.password_handed_over
    )
    assert cli is not None
    try:
        key = memory_key(None, server.url("origin"))
        assert await asyncio.to_thread(hand_over_password, *key, auth) == "the daemon"
        yield
    finally:
        await cli.close()


@pytest.mark.slow
def test_a_password_handed_over_by_the_cli_ends_the_trip_of_its_remote(
    http_auth_server: HttpRemote, world: Clones
) -> None:
    """No system keyring; the password in origin's URL went stale, the server refused three
    background fetches and the remote tripped. The user took the password out of the URL
    and gave the right one to a `gitferry sync` of their own, which handed it to the
    daemon. Before, the hand-over ended the retry backoff but not the trip: background
    fetches skipped the remote for the rest of the hour, the repository held `tripped`.
    Now the trip ends with it, and the next background fetch signs in."""
    user, password, _fetches = _behind_a_password_no_keyring_keeps(http_auth_server, world)
    url = http_auth_server.url("origin")
    git("remote", "set-url", "origin", url.replace("://", f"://{user}:not-{password}@", 1), cwd=world.mine)

    async def scenario() -> None:
        clock = FakeClock()
        async with mine_tripped(clock) as (core, running, mine):
            engine, scheduler = running.daemon.engine, running.daemon.scheduler
            assert engine is not None and scheduler is not None
            finished = running.bus.subscribe(kinds=(SyncFinished,), maxsize=10_000)
            [trip] = await core.store.remote_health.failure_states(mine.id)
            assert trip.tripped_until is not None
            git("remote", "set-url", "origin", url, cwd=world.mine)
            async with handed_over(core, running, http_auth_server, HttpAuth(user, password)):
                # Told once the engine answered: the clock does not move meanwhile.
                await advance_until(clock, lambda: engine.state(mine.id) is not RepoState.TRIPPED, step=0)
                assert scheduler.breaker.tripped(mine.id, wall_datetime(clock)) == frozenset()
                assert await core.store.remote_health.failure_states(mine.id) == []
                signed = await next_sync_finished(clock, finished, mine.id)
                assert signed.result.succeeded, signed.message
            await settled(core, "mine", "idle")

    asyncio.run(scenario())
    assert git("rev-parse", "origin/main", cwd=world.mine) == git("rev-parse", "main", cwd=world.mine)


@pytest.mark.slow
@pytest.mark.sshd
def test_background_fetches_of_a_key_that_needs_its_passphrase_trip_nothing(
    sshd_process: SshServer, sshd_server: Remote, tmp_path: Path
) -> None:
    """A trial: an ssh remote whose key has a passphrase and no agent. After a restart (the
    passphrase typed earlier is gone with the app's memory) background fetches, which ask
    nobody, failed, and three of them tripped the remote: the window said only "A remote
    keeps failing". Nobody gave the passphrase; the server failed nothing: as an HTTP(S)
    sign-in nobody could give, it trips nothing and the message says what to do."""
    home = SshHome.make(sshd_process, sshd_server, Path(os.environ["HOME"]), passphrase=PASSPHRASE)
    home.trust_server()
    _bare, mine = home.seeded_clone(tmp_path)

    async def scenario() -> None:
        core = await Core.open()
        record = await add_repository(core, str(mine))
        clock = FakeClock()
        running = await Running(core, clock).started()
        trips = running.bus.subscribe(kinds=(RemoteTripped,))
        finished = running.bus.subscribe(kinds=(SyncFinished,), maxsize=10_000)
        said: list[SyncFinished] = []

        def fetched_four_times() -> bool:
            said.extend(e for e in drain(finished) if isinstance(e, SyncFinished) and e.repo_id == record.id)
            return len(said) >= 4

        try:
            await advance_until(clock, fetched_four_times)
            scheduler = running.daemon.scheduler
            assert scheduler is not None and len(trips) == 0
            assert scheduler.breaker.failures(record.id, "origin") == 0
            assert RepoState.TRIPPED not in published(running.events).get(record.id, [])
            assert said[-1].result is ResultKind.AUTH_FAILED
            assert f"the key {home.key} needs its passphrase" in said[-1].message
        finally:
            await running.stop()
            await core.close()

    asyncio.run(scenario())


def _phrases_in(part: Phrase) -> list[Phrase]:
    """`part` and every phrase in its fields, however deep."""
    found = [part]
    for _name, value in part.fields:
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, Phrase):
                found += _phrases_in(item)
    return found
