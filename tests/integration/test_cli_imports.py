"""The cold path: `gitferry --version`, `--help`, `list` and `status` import neither
dulwich nor the engine (nor SQLAlchemy), checked in a fresh process's `sys.modules`;
and what `list`/`status` print over plain `sqlite3` is what the store's API gives."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli
from core.cli_parser import COMMANDS, build_parser
from tests.core.test_early_imports import WATCH_IMPORTS
from tests.gitcli import commit_file, git
from tests.integration.clones import Clones, run
from tests.integration.engine_process import PROBE, EngineProcess

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("dulwich", "core.engine", "core.git", "sqlalchemy", "aiosqlite")


def cold_run(*args: str) -> tuple[str, set[str]]:
    """`gitferry ARGS` in a fresh interpreter: its stdout and the modules it imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    *messages, modules = proc.stderr.splitlines()
    assert proc.returncode == 0, messages
    return proc.stdout, set(json.loads(modules))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(("core.engine", "core.git")))


@pytest.fixture
def registered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """One registered repository with a branch tracking its remote's main."""
    remote, mine = tmp_path / "remote.git", tmp_path / "mine"
    git("init", "-q", "--bare", str(remote))
    git("init", "-q", str(mine))
    commit_file(mine, "a.txt", "one\n")
    git("remote", "add", "origin", str(remote), cwd=mine)
    git("push", "-q", "-u", "origin", "main", cwd=mine)
    assert run(capsys, "add", str(mine))[0] == 0
    assert run(capsys, "sync", "--fetch-only")[0] == 0
    return mine


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["list"], ["list", "--json"], ["status"], ["status", "--json", "mine"]],
)
@pytest.mark.usefixtures("registered")
def test_reading_commands_import_neither_dulwich_nor_the_engine(args: list[str]) -> None:
    out, modules = cold_run(*args)
    assert heavy(modules) == []
    if "--help" in args:  # it defines no dataclass: their kept code is not worth reading
        assert {"dataclasses", "core.platform.generated_code"} & modules == set()
    # Nor what only an error or a prompt needs: the rotating log handler, getpass.
    assert {"logging.handlers", "getpass"} & modules == set()
    if args[0] in ("list", "status"):  # read without the parser (`core.cli_simple`)
        assert {"argparse", "gettext", "core.cli_parser", "core.cli_conflicts"} & modules == set()
        # Nor platformdirs (GITFERRY_HOME is set), `atomic_file`'s `tempfile` (nothing is
        # written), `dataclasses`' `inspect` (every class has its docstring) and `typing`
        # (the modules on the path import it for type checking only).
        assert {"platformdirs", "tempfile", "random", "inspect", "ast", "dis", "typing"} & modules == set()
        # Nor `logging` (`core/lazy_log.py`): nothing was logged.
        assert {"logging", "traceback", "core.logs"} & modules == set()
    assert "gitferry" in out or "mine" in out


@pytest.mark.parametrize("args", [["status"], ["status", "--json"], ["list"]])
def test_a_plain_reads_first_record_finds_the_logging_set_up(registered: Path, args: list[str]) -> None:
    """A stored setting a hand edit broke: the warning is dropped as every short command
    drops it (the set-up put off ran first, `core/lazy_log.py`), not printed on stderr by
    `logging`'s last resort; `logging` is imported then."""
    store = Path(os.environ["GITFERRY_HOME"]) / "status.sqlite3"
    with contextlib.closing(sqlite3.connect(store)) as conn, conn:
        broken = "INSERT INTO repo_settings (repo_id, key, value) SELECT id, 'sync_mode', 'bogus' FROM repos"
        conn.execute(broken)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    *messages, modules = proc.stderr.splitlines()
    assert (proc.returncode, messages) == (0, [])
    assert "mine" in proc.stdout
    if args[0] == "status":
        assert "logging" in json.loads(modules)


@pytest.mark.skipif(sys.platform != "linux", reason="platformdirs answers elsewhere")
def test_without_gitferry_home_status_imports_no_platformdirs(
    registered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's usual data directory (`$XDG_DATA_HOME/gitferry` here): `core.paths` knows
    it on Linux as platformdirs does (`tests/core/test_paths.py`)."""
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "gitferry").symlink_to(os.environ["GITFERRY_HOME"], target_is_directory=True)
    monkeypatch.delenv("GITFERRY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(xdg))
    out, modules = cold_run("status", "--json")
    assert [r["name"] for r in json.loads(out)["repos"]] == ["mine"]
    assert {"platformdirs", "tempfile", "random", "typing"} & modules == set()


@pytest.mark.slow
@pytest.mark.usefixtures("registered")
def test_a_sync_the_running_engine_answers_imports_neither_dulwich_asyncio_nor_the_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With `gitferry daemon` running, `sync` asks it (`core.cli_engine`): the client
    loads only the CLI, its printing and the socket's protocol."""
    assert run(capsys, "pause")[0] == 0
    engine = EngineProcess()
    try:
        out, modules = cold_run("sync", "--fetch-only", "mine")
    finally:
        engine.stop()
    assert out == "mine: up_to_date - up to date\n"
    assert heavy(modules) == []
    assert {"asyncio", "sqlite3", "core.store", "logging.handlers", "getpass"} & modules == set()
    # Nor the CLI's parser and logging: the entry point asked the engine first; nor
    # dataclasses and their kept code (`core/platform/generated_code.py`), which only a
    # command the CLI carries out itself loads.
    assert {"argparse", "logging", "core.cli", "core.settings", "core.model"} & modules == set()
    assert {"dataclasses", "core.platform.generated_code"} & modules == set()


@pytest.mark.slow
@pytest.mark.usefixtures("registered")
def test_the_check_sees_the_engine_when_a_command_loads_it() -> None:
    """The probe can fail: `status --refresh` measures through the engine (its store
    reads and writes are plain `sqlite3`: SQLAlchemy is not among them)."""
    out, modules = cold_run("status", "--refresh", "--json")
    assert {"dulwich", "core.engine"} <= set(heavy(modules))
    assert not any(m.split(".")[0] == "sqlalchemy" for m in modules)
    assert json.loads(out)["repos"][0]["name"] == "mine"


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["status", "--json"],
        ["status", "a", "b", "--json"],
        ["status", "--json", "a", "b"],
        ["status", "a", "--refresh"],
        ["status", "a", "--json", "b"],  # names on both sides of a flag: the parser refuses it
        ["status", "--js"],  # an abbreviation the parser takes
        ["status", "--verbose"],
        ["status", "-h"],
        ["status", "--", "a"],
        ["status", "-x"],
        ["status", ""],
        ["list"],
        ["list", "--json", "--json"],
        ["list", "a"],
        ["list", "--refresh"],
        ["lis"],
        ["show", "a"],
    ],
)
def test_a_plain_reads_command_line_read_without_the_parser_is_the_parsers(args: list[str]) -> None:
    """`core.cli_simple.simple_read` reads what the parser reads, when it reads the
    command line at all (the parser decides the rest, its errors and help as before)."""
    from core.cli_simple import simple_read

    simple = simple_read(args)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            parsed = build_parser().parse_args(args)
    except SystemExit:
        assert simple is None
        return
    if simple is not None:
        assert vars(simple) == vars(parsed)
    else:
        assert parsed.verbose or args[0] not in ("status", "list") or "--js" in args or "--" in args


def test_without_a_store_status_opens_it_as_usual(capsys: pytest.CaptureFixture[str]) -> None:
    """No store yet: nothing to read plainly, so the store is created as before."""
    code, doc, err = run(capsys, "status", "--json")
    assert (code, doc, err) == (0, {"repos": []}, "")
    assert (Path(os.environ["GITFERRY_HOME"]) / "status.sqlite3").stat().st_size > 0


@pytest.mark.parametrize("args", [["status", "--json"], ["status"], ["list", "--json"], ["list"]])
def test_plain_reads_print_what_the_store_api_gives(
    registered: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    (registered / "b.txt").write_text("two\n")
    git("checkout", "-q", "-b", "topic", cwd=registered)
    assert run(capsys, "status", "--refresh")[0] == 0
    plain = run(capsys, *args)
    engine = io.StringIO()
    with contextlib.redirect_stdout(engine):
        code = asyncio.run(cli._run(build_parser().parse_args(args)))
    assert plain[:2] == (code, json.loads(engine.getvalue()) if "--json" in args else engine.getvalue())
    assert "mine" in engine.getvalue()


def test_an_unknown_name_is_one_line_from_the_plain_read(
    registered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "status", "mine", "nope")
    assert (code, out) == (cli.EXIT_USAGE, "")
    assert err == "gitferry: no repository named 'nope' (see `gitferry list`)\n"


def test_a_registry_to_rewrite_takes_the_full_open(
    registered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`repositories.json` deleted: `list` rewrites it, as opening the store always did."""
    registry = Path(os.environ["GITFERRY_HOME"]) / "repositories.json"
    registry.unlink()
    code, out, _ = run(capsys, "list")
    assert (code, out.split("\t")[0]) == (0, "mine")
    assert [r["name"] for r in json.loads(registry.read_text())["repositories"]] == ["mine"]


# What a fetch-only sync over git:// must not load: the ORM (a job's store reads and
# writes are plain sqlite3) and its driver, HTTP's urllib3 and trust store, and the
# checkout machinery (a switch to resume, a submodule to update: neither here); nor
# (issue 19, the cold sync) portalocker (the sync lock is `fcntl.flock`), psutil (the
# lock's start time is read from /proc, the leftovers' check runs after a dead sync
# only), the HTTP(S) sign-in chain and git's credential settings, ssh's questions and
# askpass, and the index reader (submodules only).
NOT_FOR_A_FETCH = (
    "sqlalchemy",
    "aiosqlite",
    "urllib3",
    "truststore",
    "core.git.worktree.checkout",
    "portalocker",
    "psutil",
    "core.git.transfer.sign_in",
    "core.git.transfer.credential_helper",
    "core.git.config.credential_config",
    "core.git.config.http_config",
    "core.git.transfer.ssh_questions",
    "core.git.transfer.ssh_identity",
    "core.git.transfer.askpass",
    "core.git.locks.stale_locks",
    "core.git.index.read",
)


# What only a pack coming in (or packs to merge) loads: not a no-change fetch.
PACK_MACHINERY = {"core.git.objects.pack_ingest", "core.git.objects.pack_scan"}
# Nor (issue 19, the cold sync's fourth pass) the received objects' checks and with them
# dulwich's index module, the packs' consolidation, the gone upstreams' walk, the merge
# base (submodules only), git's index lock check (not fetching only), the IDNA codec (an
# ASCII host name goes to getaddrinfo as bytes), the ssh client and git's ssh settings (an
# ssh remote only), and the parser: the entry point read `sync NAME --flags` already.
# Nor ctypes (the fifth pass): `file_identity` imports it at its first call, and a CLI
# sync opens its repository afresh, asking no repository's identity. Nor (the sixth) the
# handlers of `resolve`, `history` and `undo`. Nor (the eighth) the graph's walks, whose
# pairs were all measured before (`ahead_behind`, `unpublished`, the identity of the
# objects directory that a walk checks), the fork's push target (no branch is ahead), a
# clone's first refs, the readiness check of a negotiation, the sync's clock (a type only)
# and the words of an unexpected failure. Nor (the ninth) a remote's failure streak as the
# store hands it out (no streak is read back). git's config values (`core.git.config.values`,
# standard library only) were on this list until a fetch read `fetch.pruneTags`, which decides
# which refs it asks for, so a no-change fetch reads it too. Nor (the eleventh) `ssl` and
# libssl (`_ssl`), nor the other standard-library modules that load at their first use
# (`core/platform/first_use.py`): a `git://` remote asks no TLS, nothing is copied or removed
# with `shutil`, no traceback is printed.
NOT_FOR_NO_CHANGE = {
    "_ssl",
    "ssl",
    "asyncio.sslproto",
    "asyncio.staggered",
    "asyncio.trsock",
    "shutil",
    "bz2",
    "lzma",
    "locale",
    "linecache",
    "textwrap",
    "fnmatch",
    "ntpath",
    "ipaddress",
    "asyncio.format_helpers",
    "core.store.remote_failure",
    "ctypes",
    "core.git.history.ahead_behind",
    "core.git.history.unpublished",
    "core.platform.file_identity",
    "core.git.config.push_target",
    "core.git.transfer.initial_refs",
    "core.platform.readiness",
    "core.engine.clock",
    "core.engine.unexpected",
    "core.cli_conflicts",
    "argparse",
    "gettext",
    "core.cli_parser",
    "core.git.transfer.timed_ssh",
    "core.git.config.ssh_command",
    "shlex",
    "core.git.objects.object_checks",
    "core.git.objects.path_safety",
    "dulwich.index",
    "core.git.objects.pack_consolidation",
    "core.git.history.gone_upstreams",
    "core.git.history.merge_base",
    "core.git.locks.git_locks",
    "encodings.idna",
}


NOT_FOR_A_FAST_FORWARD = {
    "core.git.objects.new_commit",
    "core.git.config.merge_config",
    "core.git.merge.conflict_copies",
    "core.git.content.lfs_driver",
    "core.git.worktree.submodule_update",
    "pickle",
}


def not_for_a_fetch(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m in NOT_FOR_A_FETCH or m.split(".")[0] in NOT_FOR_A_FETCH)


def test_a_cold_fetch_only_sync_over_git_daemon_imports_neither_orm_nor_http(world: Clones) -> None:
    """A no-change `sync --fetch-only` of a git:// remote, then one that brings a commit
    in: both over plain sqlite3, what they record read back through the store's API."""
    out, modules = cold_run("sync", "--fetch-only", "--json", "mine")
    assert json.loads(out)["repos"][0]["result"] == "up_to_date"
    assert not_for_a_fetch(modules) == []
    assert PACK_MACHINERY & modules == set()
    assert NOT_FOR_NO_CHANGE & modules == set()
    assert "core.engine.sync" in modules  # the probe saw the sync run
    assert "core.platform.generated_code" in modules  # its dataclasses built from kept code
    pushed = world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    out, modules = cold_run("sync", "--fetch-only", "--json", "mine")
    assert json.loads(out)["repos"][0]["objects_received"] > 0
    assert not_for_a_fetch(modules) == []
    assert modules >= PACK_MACHINERY  # loaded once a pack came
    assert "core.git.objects.object_checks" in modules  # and its objects checked
    assert world.head(world.mine, "refs/remotes/origin/main") == pushed
    code, doc, _err = run(world.capsys, "status", "--json", "mine")
    (main,) = (b for b in doc["repos"][0]["branches"] if b["name"] == "main")
    assert (code, main["ahead"], main["behind"]) == (0, 0, 1)


def test_a_cold_sync_that_fast_forwards_imports_no_orm(world: Clones) -> None:
    """A full `sync` bringing a commit in: the integration asks the store for the branch's
    conflicts and the skipped files over plain sqlite3, and leaves the ORM unloaded when
    neither changes, and the merge and rebase machinery, which a fast-forward does not
    use, nor HTTP's client or the push's; what it recorded is read back through the
    store's API."""
    pushed = world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    out, modules = cold_run("sync", "--json", "mine")
    report = json.loads(out)["repos"][0]
    assert (report["result"], report["fast_forwarded"]) == ("ok", ["main"])
    assert "core.git.worktree.checkout" in modules  # the probe saw the switch run
    assert {"sqlalchemy", "aiosqlite"} & {m.split(".")[0] for m in modules} == set()
    assert {"core.git.merge.merge_tree", "core.git.merge.rebase_replay"} & modules == set()  # a fast-forward
    # No LFS object to download, nothing to push, a git:// remote: neither HTTP's client
    # (urllib3, the sign-in chain: was loaded by the LFS step's module) nor the push machinery.
    assert not_for_a_fetch(modules) == ["core.git.index.read", "core.git.worktree.checkout"]  # the switch
    assert {"core.git.transfer.lfs_client", "core.git.transfer.push"} & modules == set()
    # Nor (issue 19, the real history's fourth pass) what only a merge, a rebase, a kept
    # copy, an LFS path, a submodule or a pack resolved in worker processes loads.
    assert NOT_FOR_A_FAST_FORWARD & modules == set()
    assert world.head(world.mine, "HEAD") == pushed
    assert git("status", "--porcelain", cwd=world.mine) == ""
    code, doc, _err = run(world.capsys, "status", "--json", "mine")
    (main,) = (b for b in doc["repos"][0]["branches"] if b["name"] == "main")
    assert (code, main["ahead"], main["behind"]) == (0, 0, 0)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_one_commands_parser_is_the_full_parsers(command: str) -> None:
    """A command's arguments go to a parser holding only its sub-parser (`build_parser`):
    the same help and the same parse as with all of them."""
    full, one = build_parser(), build_parser(command)
    assert set(COMMANDS) == set(full._subparsers._group_actions[0].choices)  # type: ignore[union-attr]

    def sub_help(parser: argparse.ArgumentParser) -> str:
        return parser._subparsers._group_actions[0].choices[command].format_help()  # type: ignore[union-attr]

    assert sub_help(one) == sub_help(full)
    argv = [command, *_SAMPLE_ARGS.get(command, [])]
    assert vars(one.parse_args(argv)) == vars(full.parse_args(argv))


_SAMPLE_ARGS = {
    "add": ["/tmp/x", "--name", "n", "--strategy", "rebase"],
    "clone": ["git://h/r", "d"],
    "remove": ["n"],
    "sync": ["a", "b", "--fetch-only", "--json", "--verbose"],
    "status": ["--refresh"],
    "skipped": ["n", "--retry", "p"],
    "publish": ["n", "b", "--remote", "o"],
    "remote": ["set-url", "n", "o", "git://h/r"],
    "credentials": ["set", "n", "o"],
    "trust-host": ["ssh://h/r", "SHA256:x"],
    "log": ["n", "--limit", "3"],
    "set": ["--global", "k", "v"],
    "show": ["n", "--json"],
    "resolve": ["n", "p", "--mine"],
    "history": ["n", "--limit", "2"],
    "undo": ["n"],
    "pause": ["n", "--for", "1h"],
    "resume": ["n"],
}


# The console script with a gc callback: from its start, each collection's generation and
# whether the sync's modules were loaded by then, written at once (it ends by `os._exit`).
COLLECTIONS_PROBE = """
import gc, os, sys
from gui.launch import main
watching = []
def seen(phase, info):
    if phase == "stop" and watching:
        os.write(2, f"collection {info['generation']} {'core.engine.sync' in sys.modules}\\n".encode())
gc.callbacks.append(seen)
sys.argv = ["gitferry", *sys.argv[1:]]
watching.append(True)
main()
"""

# `core.cli.main` in a process whose collector the console script disabled: its state once
# the command is done.
COLLECTOR_PROBE = """
import gc, json, sys
gc.disable()
from core.cli import main
code = main(sys.argv[1:], one_shot=True)
print(json.dumps([code, gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count() > 0]), file=sys.stderr)
"""


def probe(script: str, *args: str) -> tuple[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITFERRY_IN_PROCESS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr.splitlines()


def test_a_cold_sync_collects_no_cycle_while_its_modules_load(world: Clones) -> None:
    """The console script disables the collector while the CLI's modules load (they live
    as long as the process): before, 25 collections ran there (about 5 ms of a cold
    no-change sync); `_sync` starts it once `core.engine.sync` is loaded."""
    out, err = probe(COLLECTIONS_PROBE, "sync", "--fetch-only", "mine")
    assert out == "mine: up_to_date - up to date\n"
    assert [line for line in err if line.startswith("collection") and line.endswith("False")] == []
    out, err = probe(COLLECTOR_PROBE, "sync", "--fetch-only", "mine")
    assert (out, json.loads(err[-1])) == ("mine: up_to_date - up to date\n", [0, True, 20_000, True])
    out, err = probe(COLLECTOR_PROBE, "list")  # every other command: before it runs
    assert out.startswith("mine\t") and json.loads(err[-1]) == [0, True, 20_000, True]


DOCSTRINGS_PROBE = """
import dataclasses, json, sys
import core.cli, core.engine.sync, core.engine.fetch_phase
made = sorted(
    f"{name}.{cls.__qualname__}"
    for name, module in list(sys.modules.items())
    if name.split(".")[0] == "core"
    for cls in vars(module).values()
    if isinstance(cls, type) and cls.__module__ == name and dataclasses.is_dataclass(cls)
    and (cls.__doc__ or "").startswith(cls.__name__ + "(")
)
print(json.dumps(made))
"""


def test_the_dataclasses_a_cold_sync_defines_have_docstrings() -> None:
    """`dataclass` gives a class without a docstring one made with `inspect.signature`
    (about 1 ms of a cold sync's CPU for the 30 that had none): each of Gitferry's on
    that path says what it is instead."""
    out, _err = probe(DOCSTRINGS_PROBE)
    assert json.loads(out) == []


# The console script started as ssh's askpass or as a pack's delta worker (a bundle's two
# other entries), each entry replaced by a report of the collector's state when it runs.
HELPER_PROBE = """
import gc, sys
import core.git.objects.delta_workers as delta_workers
import core.git.transfer.askpass_helper as askpass_helper
def report(*args):
    print(gc.isenabled(), gc.get_threshold()[0])
    return 0
delta_workers.worker_main = report
askpass_helper.main = report
sys.argv = ["gitferry", *sys.argv[1:]]
from gui.launch import main
main()
"""


@pytest.mark.parametrize(
    ("variable", "args"),
    [("GITFERRY_ASKPASS", ["Password for 'https://host': "]), ("GITFERRY_DELTA_WORKER", ["delta-worker"])],
)
def test_the_askpass_and_delta_worker_entries_run_with_the_collector_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, args: list[str]
) -> None:
    """The console script disables the collector for a command's imports; these two
    entries (a worker allocates a pack's worth of objects) get it back, Python's defaults."""
    monkeypatch.setenv("GITFERRY_HOME", str(tmp_path))
    monkeypatch.setenv(variable, "1")
    out, _err = probe(HELPER_PROBE, *args)
    assert out == "True 700\n"


# Which thread looked for the integration's modules first, in a cold `gitferry` command.
EARLY_PROBE = (
    WATCH_IMPORTS
    + """
from gui.launch import main
code = main(sys.argv[1:])
names = ("core.engine.integrate_phase", "core.engine.lfs_phase", "core.git.objects.pack_ingest")
early = [seen.get(name) for name in names]
print(json.dumps([code, *early]), file=sys.stderr)
"""
)


def test_a_cold_full_sync_loads_the_integration_while_it_fetches(world: Clones) -> None:
    """`core.platform.early_imports`: a full sync imports the integration's modules in
    another thread as the fetch starts (about 18 ms of CPU that were between the fetch and
    the switch), and the pack's machinery once a pack is asked for (while the server
    prepares it); a fetch-only sync that brings nothing loads neither."""
    out, err = probe(EARLY_PROBE, "sync", "--fetch-only", "mine")
    assert (out, json.loads(err[-1])) == ("mine: up_to_date - up to date\n", [0, None, None, None])
    pushed = world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    out, err = probe(EARLY_PROBE, "sync", "--json", "mine")
    assert json.loads(out)["repos"][0]["fast_forwarded"] == ["main"]
    assert json.loads(err[-1]) == [0, "early-imports", "early-imports", "early-imports"]
    assert world.head(world.mine, "HEAD") == pushed
