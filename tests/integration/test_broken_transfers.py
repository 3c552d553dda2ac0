"""Transfers that break mid-pack, staged for real between `git daemon` and a sync.

`theirs` fetches a 1 MiB commit through a proxy that hangs up, flips a byte
of the pack, or falls silent; or it refuses a pack over its size limit. Each
time: a non-zero result and a one-line message, every ref, the pack
directory (no `tmp_pack_*`, no `.keep`), the index and the working tree as
they were, `git fsck` clean, no lock left; and the next sync, with the fault
gone, fetches and fast-forwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.engine.core import Core
from core.engine.report import SyncReport
from core.engine.sync import SyncOptions, sync_repository
from core.git.objects.pack_limits import PackLimits
from core.git.transfer.fetch import OversizedPack, fetch_remote
from core.results import ResultKind
from core.settings import APP_PARSERS, DEFAULT_MAX_PACK_SIZE, AppSettings, app_settings, parse_setting
from tests.gitcli import git, refs
from tests.integration.clones import Clones, porcelain
from tests.servers import LOOPBACK
from tests.servers.faults import CorruptingProxy, CuttingProxy, CuttingProxyFactory, StallingProxy

TIMEOUT = 1.0


@pytest.fixture
def world(world: Clones) -> Clones:
    """The shared `world`, with a 1 MiB commit on the remote for `theirs` to fetch."""
    world.push_big_commit(megabytes=1)
    return world


@pytest.fixture
def proxies() -> Iterator[list[CuttingProxy]]:
    started: list[CuttingProxy] = []
    yield started
    for proxy in started:
        proxy.stop()


def direct(world: Clones) -> None:
    git("remote", "set-url", "origin", world.remote.url("origin"), cwd=world.theirs)


def state(repo: Path) -> dict[str, object]:
    git_dir = repo / ".git"
    return {
        "refs": refs(repo),
        "HEAD": (git_dir / "HEAD").read_bytes(),
        "packs": sorted(p.name for p in (git_dir / "objects" / "pack").iterdir()),
        "index": (git_dir / "index").read_bytes(),
        "status": porcelain(repo),
        "files": sorted(p.name for p in repo.iterdir()),
    }


def assert_untouched(world: Clones, before: dict[str, object]) -> None:
    assert state(world.theirs) == before
    leftovers = [p.name for p in (world.theirs / ".git" / "objects" / "pack").iterdir()]
    assert not [name for name in leftovers if name.startswith("tmp_") or name.endswith(".keep")]
    assert not (world.theirs / "big.bin").exists()


def assert_failed(code: int, report: dict[str, object], kind: str, *words: str) -> str:
    message = str(report["message"])
    assert code != 0 and report["result"] == kind, report
    assert "\n" not in message and all(word in message for word in words), message
    return message


def assert_next_sync_integrates(world: Clones) -> None:
    code, report = world.sync(world.theirs)
    assert code == 0 and report["result"] == "ok", report
    assert world.head(world.theirs) == world.remote_head()
    assert (world.theirs / "big.bin").stat().st_size == 1024 * 1024


def pack_size(world: Clones, proxies: list[CuttingProxy]) -> int:
    """The size of the pack this fetch receives, measured by a copy of `theirs` fetching it."""
    measuring = CorruptingProxy(LOOPBACK, world.remote.port or 0, offset=None)
    proxies.append(measuring)
    probe = world.theirs.parent / "probe"
    git("clone", "-q", str(world.theirs), str(probe))
    git("remote", "set-url", "origin", measuring.rewrite(world.remote.url("origin")), cwd=probe)
    with Repo(str(probe)) as repo:
        assert fetch_remote(repo, "origin", timeout=10).objects_received == 3
    return measuring.pack_bytes


@pytest.mark.parametrize("where", ["negotiation", "pack_header", "mid_pack", "trailer"])
def test_hang_up_ends_in_error_and_changes_nothing(
    world: Clones, cutting_proxy: CuttingProxyFactory, proxies: list[CuttingProxy], where: str
) -> None:
    proxy: CuttingProxy
    if where == "negotiation":
        proxy = cutting_proxy(LOOPBACK, world.remote.port, 200)
    else:
        size = pack_size(world, proxies)
        cut = {"pack_header": 8, "mid_pack": size // 2, "trailer": size - 10}[where]
        proxy = CorruptingProxy(LOOPBACK, world.remote.port or 0, offset=None, cut_after_pack_bytes=cut)
        proxies.append(proxy)
    world.theirs_through(proxy)
    before = state(world.theirs)
    code, report = world.sync(world.theirs)
    assert proxy.cuts == 1
    assert_failed(code, report, "error", "fetching from origin failed: the connection closed mid-transfer")
    assert_untouched(world, before)
    direct(world)
    assert_next_sync_integrates(world)


@pytest.mark.parametrize("offset", [30, 600_000])
def test_corrupt_pack_ends_in_error_and_changes_nothing(
    world: Clones, proxies: list[CuttingProxy], offset: int
) -> None:
    """A flipped byte in the first object's header, or deep inside the big blob."""
    proxy = CorruptingProxy(LOOPBACK, world.remote.port or 0, offset)
    proxies.append(proxy)
    world.theirs_through(proxy)
    before = state(world.theirs)
    code, report = world.sync(world.theirs)
    assert proxy.flips == 1
    assert_failed(code, report, "error", "fetching from origin failed: the remote sent a corrupt pack")
    assert_untouched(world, before)
    direct(world)
    assert_next_sync_integrates(world)


def test_pack_over_the_size_limit_is_refused_while_it_arrives(world: Clones) -> None:
    before = state(world.theirs)
    with Repo(str(world.theirs)) as repo, pytest.raises(OversizedPack) as caught:
        fetch_remote(repo, "origin", timeout=10, limits=PackLimits(max_pack_size=256 * 1024))
    error = caught.value
    assert error.result is ResultKind.ERROR and error.limit == 256 * 1024
    assert str(error) == (
        "fetching from origin failed: the pack is larger than the limit of 256 KiB (setting max_pack_size)"
    )
    assert_untouched(world, before)
    with Repo(str(world.theirs)) as repo:  # the default limit (2 GiB) lets it through
        assert fetch_remote(repo, "origin", timeout=10).objects_received == 3
    assert_next_sync_integrates(world)


def test_max_pack_size_setting() -> None:
    assert AppSettings().max_pack_size == DEFAULT_MAX_PACK_SIZE == 2 * 1024**3
    assert parse_setting(APP_PARSERS, "max_pack_size", " 1048576 ") == "1048576"
    assert app_settings({"max_pack_size": "4096"}).max_pack_size == 4096
    assert app_settings({"max_pack_size": "-1"}).max_pack_size == DEFAULT_MAX_PACK_SIZE


@pytest.mark.slow
def test_server_that_stops_sending_mid_pack_times_out(world: Clones, proxies: list[CuttingProxy]) -> None:
    """The proxy holds the connection silent for IO_TIMEOUT (30 s), then hangs up: "timed
    out" says the client's own timeout (1 s) ended the transfer first; how long it took is
    `python -m bench.timeouts`' business."""
    proxy = StallingProxy(LOOPBACK, world.remote.port or 0, 64 * 1024)
    proxies.append(proxy)
    world.theirs_through(proxy)
    before = state(world.theirs)
    report = asyncio.run(_sync(world, SyncOptions(timeout=TIMEOUT)))
    assert proxy.cuts == 1
    assert report.result is ResultKind.OFFLINE and "timed out" in report.message, report.message
    assert "\n" not in report.message
    assert_untouched(world, before)
    proxy.stop()
    direct(world)
    assert_next_sync_integrates(world)


async def _sync(world: Clones, options: SyncOptions) -> SyncReport:
    core = await Core.open()
    try:
        record = await core.store.repo(world.theirs.name)
        return await sync_repository(core, record, options)
    finally:
        await core.close()
