"""Cold CLI processes side by side with git (issue 19, item 1; targets: README.md).

Set-up: `bench.gui`'s world, 50 repositories of 20 tracked branches behind one
loopback `git daemon`, registered in a fresh GITFERRY_HOME and fetched once. Then,
each a fresh process, contenders interleaved run by run:

- `gitferry --version` and `--help` against `git --version` and `git --help`;
- `gitferry list --json` and `status --json` against `git for-each-ref` with
  `%(upstream:track)` in each of the repositories, one after the other (what a
  status built on the git CLI would run for the same numbers);
- a no-change `gitferry sync --fetch-only NAME` against `git fetch -q` in the same
  repository (over `git://`), twice: in the command's own process
  (`GITFERRY_IN_PROCESS=1`, as with no engine running: the CLI then does not even
  look for one) and handed to a running `gitferry daemon` that the bench starts on
  the same data directory, its background work paused (`core.cli_engine`; its row's
  CPU adds the daemon's own, read from `/proc`, to the client's);
- the same no-change sync of one more clone whose remote is HTTPS (`git http-backend`
  behind the tests' TLS bridge, `tests/servers/tls.py`, a CA of its own in the clone's
  `http.sslCAInfo`), replayed and with no record, against `git fetch -q` in it (git's
  default protocol v2 over HTTP: two requests, Gitferry's v0 one; both pay the bridge,
  a Python server starting `git http-backend` for each request), registered in a data
  directory of its own (the fleet's rows count 50 repositories);
- `git -c protocol.version=0 fetch -q` beside it: git's default protocol v2 over git://
  stalls about 40 ms on loopback in the ref advertisement, v0 does not;
- the bare interpreter, the floor under every Gitferry row; and, to say where a
  cold sync's time goes, two more floors run the same way: the standard library
  and dulwich modules any Python client of this design loads (`STDLIB_AND_DULWICH`),
  and importing what a fetch-only sync imports without running it
  (`core.cli` and `core.engine.sync`, then the phases the handler imports, the
  dataclasses built from the code the CLI keeps: `core/platform/generated_code.py`);
- `gitferry status --refresh --json` (every branch measured again from local refs,
  then printed) against the same `git for-each-ref` per repository, twice as the sync:
  in its own process and measured by the running daemon, the client printing from the
  store.

Every run is checked: the version line, 50 repositories of 20 measured branches in
`status`, `up_to_date` with nothing received from the sync, every clone's tracking
refs its server's branches, and `git fsck` of the synced clone clean. `--source DIR`
runs the Gitferry of another checkout (a `git worktree` at an older commit) for
before/after figures. `--python PY` runs the Gitferry rows and the floors with another
interpreter, a virtual environment's (`site` and its `.pth` files included, as the
`gitferry` console script runs them), to measure an install layout: the development
install's (`make`, `pip install -e .`), a compat editable one, or a wheel's;
`--before-python PY` does the same for the `(before)` rows (without `--before` they run
the same checkout). `--bundle DIR` (repeatable) adds rows `(bundle N)` of the commands
run by a PyInstaller bundle (`make bundle`'s `dist/gitferry`: what a user of the bundle
runs). Each Gitferry row
also says how many modules the command imported and whether dulwich or the engine
was among them (one `-X importtime` run). Beside wall time, each row has the CPU
time of its processes (user + system, the waited-for children's rusage), which a
loaded machine inflates far less than wall time. The Gitferry processes run with
bytecode caching on (`PYTHONDONTWRITEBYTECODE` removed, as an installed package has
its `.pyc` files; the warm-up run writes them).

    .venv/bin/python -m bench.cold_start [--runs N] [--repos N] [--source DIR] [--before DIR]
        [--python PY] [--before-python PY] [--bundle DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from bench import repos
from bench.gitenv import isolate, scratch
from bench.gui_fleet import DesktopFleet
from bench.gui_launch import git_status_window
from bench.servers import git_daemon
from bench.stats import Summary, Table, interleaved, ms, ratio, yes_no
from core.cli_socket import socket_path
from core.engine.fetch_replay import forget_records

if TYPE_CHECKING:
    from tests.servers.tls import TlsSmartHttpServer

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120.0
# As the `gitferry` console script runs it (`main()` reads sys.argv, and a CLI command
# ends its own process, `core.cli.end_process`).
ENTRY = "import sys\nfrom gui.launch import main\nsys.exit(main())"
HEAVY = ("dulwich", "sqlalchemy", "core.engine", "core.git")
# Medians under these (seconds), issue 19's targets.
TARGETS = {
    "gitferry --version": 0.060,  # seconds, absolute (issue 19)
    "gitferry status --json": 0.120,
}
SYNC_RATIO_TARGET, SYNC_RATIO_MILESTONE = 2.0, 3.0
RESIDENT_OF = "gitferry sync --fetch-only"  # in the command's own process
RESIDENT = "gitferry sync --fetch-only (engine)"  # handed to a running `gitferry daemon`
# In the command's own process with no record of the last no-change fetch: the engine's sync
# (`core/cli_replay.py` answers the plain row from the record the run before left).
NO_RECORD = "gitferry sync --fetch-only (no record)"
# The same two over HTTPS, against `git fetch` over the same server.
HTTPS = "gitferry sync --fetch-only (https)"
HTTPS_NO_RECORD = "gitferry sync --fetch-only (https, no record)"
GIT_FETCH_HTTPS = "git fetch -q (https)"
GIT_FETCH_HTTPS_V0 = "git -c protocol.version=0 fetch -q (https)"  # one request, as Gitferry's
REFRESH = "gitferry status --refresh --json"  # the measure, in the command's own process
# Each command a running engine carries out, and its row when it does.
RESIDENTS = {RESIDENT_OF: RESIDENT, REFRESH: f"{REFRESH} (engine)"}
# git's default protocol v2 over git:// stalls about 40 ms on loopback in the ref
# advertisement (`bench.fetch`'s note); v0 does not: the stricter reference, shown beside.
GIT_FETCH_V0 = "git -c protocol.version=0 fetch -q"
# What any Python client that syncs over asyncio, logs, parses its arguments, keeps
# dataclasses in SQLite and talks git through dulwich imports before its own code.
STDLIB_AND_DULWICH = (
    "import argparse, asyncio, concurrent.futures, dataclasses, datetime, json, logging, "
    "socket, sqlite3, platformdirs, dulwich.repo, dulwich.client"
)
# What a fetch-only sync imports, without running it (its handler's lazy imports too),
# its dataclasses built from the code the CLI keeps (`core/platform/generated_code.py`,
# in the data directory's `cache/`; a checkout without it compiles them).
SYNC_IMPORTS = "import core.cli, core.engine.sync, core.engine.fetch_phase"
KEPT_CODE = """try:
    from core.platform.generated_code import install
    install({cache!r}, "sync")
except ImportError:
    pass
"""


class Cli:
    """`gitferry ARGS` as a fresh process of the checkout at `source`, on `home`."""

    def __init__(
        self, source: Path, home: Path, *, in_process: bool = True, python: str = sys.executable
    ) -> None:
        self.source, self.home, self.python = source, home, python
        self.env = {**os.environ, "GITFERRY_HOME": str(home), "PYTHONPATH": str(source)}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        if in_process:  # never hands a sync to the daemon the bench runs
            self.env["GITFERRY_IN_PROCESS"] = "1"
        self.last = b""

    def command(self, *args: str) -> list[str]:
        return [self.python, "-c", ENTRY, *args]

    def __call__(self, *args: str) -> Callable[[], None]:
        def run() -> None:
            proc = subprocess.run(
                self.command(*args), env=self.env, cwd=self.source, capture_output=True, timeout=TIMEOUT
            )
            if proc.returncode != 0:
                raise RuntimeError(f"gitferry {' '.join(args)} exited {proc.returncode}: {proc.stderr!r}")
            self.last = proc.stdout

        return run

    def imports(self, *args: str) -> tuple[int, float, list[str]]:
        """Modules one run imported, their summed import time (ms), and the heavy ones."""
        proc = subprocess.run(
            [self.python, "-X", "importtime", *self.command(*args)[1:]],
            env=self.env,
            cwd=self.source,
            capture_output=True,
            timeout=TIMEOUT,
            check=True,
        )
        names, total = [], 0.0
        for line in proc.stderr.decode().splitlines():
            if line.startswith("import time:") and "cumulative" not in line:
                own, _cumulative, name = line.removeprefix("import time:").split("|")
                names.append(name.strip())
                total += int(own) / 1000
        heavy = sorted(
            {prefix for prefix in HEAVY for n in names if n == prefix or n.startswith(f"{prefix}.")}
        )
        return len(names), total, heavy


class Bundle(Cli):
    """`gitferry ARGS` as the PyInstaller bundle in `folder` runs it (`make bundle`'s
    dist/gitferry: its own interpreter and modules, no PYTHONPATH)."""

    def __init__(self, folder: Path, home: Path) -> None:
        super().__init__(folder, home)
        self.env.pop("PYTHONPATH")

    def command(self, *args: str) -> list[str]:
        return [str(self.source / "gitferry"), *args]

    def imports(self, *args: str) -> tuple[int, float, list[str]]:
        return 0, 0.0, []  # frozen: -X importtime does not reach its interpreter


class Daemon:
    """`gitferry daemon` on the bench's data directory, answering the CLI, its background
    work paused (`gitferry pause`: the runs measure the CLI, not a fetch it started)."""

    def __init__(self, cli: Cli, log: Path) -> None:
        cli("pause")()
        with log.open("wb") as out:
            self.proc = subprocess.Popen(cli.command("daemon"), env=cli.env, cwd=cli.source, stderr=out)
        self.socket = str(socket_path(cli.home))
        deadline = time.monotonic() + TIMEOUT
        while not self.answering():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gitferry daemon never answered: {log.read_text()}")
            time.sleep(0.05)

    def answering(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(self.socket)
            except OSError:
                return False
        return True

    def cpu(self) -> float:
        """The daemon's CPU seconds so far (user + system, `/proc/PID/stat`)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def with_cpu(self, fn: Callable[[], object], into: list[float]) -> Callable[[], object]:
        """`fn`, adding the daemon's CPU during it to the last figure `with_cpu` put in `into`."""

        def run() -> object:
            before = self.cpu()
            out = fn()
            into[-1] += self.cpu() - before
            if self.proc.poll() is not None:
                raise RuntimeError("gitferry daemon died")
            return out

        return run

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def https_clone(tmp: Path, bare: Path, cli: Cli) -> tuple[Path, TlsSmartHttpServer]:
    """A clone of `bare` whose origin is HTTPS (a TLS bridge to `git http-backend` serving
    `bare`'s directory, its CA in the clone's `http.sslCAInfo`), registered with `cli` and
    fetched until its no-change fetch is recorded; the server, started (the caller stops it)."""
    from tests.servers.tls import ScratchCa, TlsSmartHttpServer  # as bench.clone's http row

    ca = ScratchCa.make(tmp / "ca")
    server = TlsSmartHttpServer(bare.parent, ca).start()
    clone = tmp / "https-clone"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True, timeout=TIMEOUT)
    url = f"https://127.0.0.1:{server.port}/{bare.name}"
    for key, value in (("remote.origin.url", url), ("http.sslCAInfo", str(ca.ca_cert))):
        subprocess.run(["git", "config", key, value], cwd=clone, check=True, timeout=TIMEOUT)
    cli("add", str(clone))()
    for _ in range(2):  # the first sync after the add is news to the history: not recorded
        cli("sync", "--fetch-only", clone.name)()
    return clone, server


def forgetting(home: Path, run: Callable[[], None]) -> Callable[[], None]:
    """`run` with no record to replay: the engine's sync runs (the unlinks, a few microseconds, timed too)."""

    def forgotten() -> None:
        forget_records(home)
        run()

    return forgotten


def git_run(*args: str, cwd: Path | None = None) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True, timeout=TIMEOUT)

    return run


def describe(python: str) -> str:
    """The interpreter, its version and the installation it runs from (a venv's base):
    the same version runs a cold command in measurably different CPU from one build to
    another (a distribution's, built with PGO and LTO, against pyenv's default)."""
    code = "import sys; print(sys.version.split()[0], sys.base_prefix)"
    version, base = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True, timeout=TIMEOUT
    ).stdout.split(maxsplit=1)
    return f"{python} (Python {version}, from {base.strip()})"


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def with_cpu(fn: Callable[[], object], into: list[float]) -> Callable[[], object]:
    """`fn`, also adding the CPU seconds of the processes it ran to `into`."""

    def run() -> object:
        before = child_cpu()
        out = fn()
        into.append(child_cpu() - before)
        return out

    return run


def bare_python(python: str) -> Callable[[], None]:
    def run() -> None:
        subprocess.run([python, "-c", "pass"], check=True, timeout=TIMEOUT)

    return run


def python_importing(code: str, source: Path, python: str) -> Callable[[], None]:
    """A fresh interpreter running `code` with `source` first on the path (bytecode cached),
    then ending as the `gitferry` command does, without the interpreter's teardown (which
    would count freeing what was imported as importing it)."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = f"{code}\nimport os\nos._exit(0)"

    def run() -> None:
        subprocess.run([python, "-c", script], check=True, timeout=TIMEOUT, env=env, cwd=source)

    return run


def check(name: str, cli: Cli | None, fleet: DesktopFleet) -> None:
    """What each Gitferry run printed is right (git's runs are checked by their exit status)."""
    if cli is None:
        return
    out = cli.last
    count = len(fleet.locals)
    if name == "gitferry --version" and not out.startswith(b"gitferry "):
        raise RuntimeError(f"--version printed {out!r}")
    if name == "gitferry list --json" and len(json.loads(out)["repos"]) != count:
        raise RuntimeError(f"list: {out[:200]!r}")
    if name in ("gitferry status --json", REFRESH):
        listed = json.loads(out)["repos"]
        branches = [b for r in listed for b in r["branches"]]
        if len(listed) != count or len(branches) != count * len(repos.FLEET_BRANCHES):
            raise RuntimeError(f"status: {len(listed)} repositories, {len(branches)} branches")
        if any(b["ahead"] is None for b in branches):
            raise RuntimeError("status: a branch without ahead/behind")
    if name.startswith("gitferry sync --fetch-only"):
        report = json.loads(out)["repos"][0]
        if (report["result"], report["objects_received"]) != ("up_to_date", 0):
            raise RuntimeError(f"sync: {report}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="runs of each contender")
    parser.add_argument("--repos", type=int, default=50, help="repositories")
    parser.add_argument("--source", type=Path, default=ROOT, help="the Gitferry checkout to run")
    parser.add_argument(
        "--before", type=Path, help="another checkout (an older commit) run beside it, rows marked (before)"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the interpreter of the Gitferry rows and the floors (a venv's python: an install layout)",
    )
    parser.add_argument("--before-python", help="the interpreter of the (before) rows (default: --python's)")
    parser.add_argument(
        "--bundle",
        type=Path,
        action="append",
        default=[],
        help="a PyInstaller bundle's folder: (bundle N) rows",
    )
    args = parser.parse_args(argv)
    isolate()
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f} before the set-up", flush=True)
    with scratch("cold") as tmp:
        (tmp / "srv").mkdir()
        with git_daemon(tmp / "srv") as daemon:
            fleet = DesktopFleet(tmp, daemon, args.repos, 1)
            print(f"[bench] set-up (register + first fetch) {fleet.prepare():.1f} s", flush=True)
            cli = Cli(args.source.resolve(), fleet.home, python=args.python)
            first = fleet.locals[0]
            fetch = git_run("fetch", "-q", cwd=first)
            https_cli = Cli(args.source.resolve(), tmp / "https-home", python=args.python)
            secure, tls = https_clone(tmp, fleet.servers[0], https_cli)
            synced_https = ["sync", "--fetch-only", "--json", secure.name]
            pairs: list[tuple[str, list[str], str, Callable[[], object]]] = [
                ("gitferry --version", ["--version"], "git --version", git_run("--version")),
                ("gitferry --help", ["--help"], "git --help", git_run("--help")),
                (
                    "gitferry list --json",
                    ["list", "--json"],
                    "git for-each-ref x N",
                    git_status_window(fleet.locals),
                ),
                (
                    "gitferry status --json",
                    ["status", "--json"],
                    "git for-each-ref x N",
                    git_status_window(fleet.locals),
                ),
                (
                    REFRESH,
                    ["status", "--refresh", "--json"],
                    "git for-each-ref x N",
                    git_status_window(fleet.locals),
                ),
                (
                    "gitferry sync --fetch-only",
                    ["sync", "--fetch-only", "--json", first.name],
                    "git fetch -q",
                    fetch,
                ),
                (NO_RECORD, ["sync", "--fetch-only", "--json", first.name], "git fetch -q", fetch),
            ]
            contenders: dict[str, Callable[[], object]] = {
                GIT_FETCH_V0: git_run("-c", "protocol.version=0", "fetch", "-q", cwd=first),
                "python -c pass": bare_python(args.python),
                "stdlib + dulwich imports": python_importing(
                    STDLIB_AND_DULWICH, args.source.resolve(), args.python
                ),
                "sync's imports": python_importing(
                    KEPT_CODE.format(cache=str(fleet.home / "cache")) + SYNC_IMPORTS,
                    args.source.resolve(),
                    args.python,
                ),
            }
            before = None
            if args.before or args.before_python:
                before_python = args.before_python or args.python
                before = Cli((args.before or args.source).resolve(), fleet.home, python=before_python)
                if args.before_python:
                    contenders["python -c pass (before)"] = bare_python(before_python)
            resident = Cli(args.source.resolve(), fleet.home, in_process=False, python=args.python)
            marks: dict[str, Cli | None] = {" (before)": before, " (engine)": resident}
            marks |= {f" (bundle {n})": Bundle(d.resolve(), fleet.home) for n, d in enumerate(args.bundle, 1)}
            bundles = {mark: c for mark, c in marks.items() if isinstance(c, Bundle)}
            for name, cli_args, git_name, git_fn in pairs:
                contenders[name] = cli(*cli_args)
                if name == NO_RECORD:
                    contenders[name] = forgetting(fleet.home, contenders[name])
                    continue
                if before is not None:
                    contenders[f"{name} (before)"] = before(*cli_args)
                for mark, bundle in bundles.items():
                    contenders[f"{name}{mark}"] = bundle(*cli_args)
                if name in RESIDENTS:
                    contenders[RESIDENTS[name]] = resident(*cli_args)
                contenders.setdefault(git_name, git_fn)
            contenders[HTTPS] = https_cli(*synced_https)
            contenders[HTTPS_NO_RECORD] = forgetting(https_cli.home, https_cli(*synced_https))
            contenders[GIT_FETCH_HTTPS] = git_run("fetch", "-q", cwd=secure)
            contenders[GIT_FETCH_HTTPS_V0] = git_run("-c", "protocol.version=0", "fetch", "-q", cwd=secure)
            cpu: dict[str, list[float]] = {name: [] for name in contenders}
            contenders = {name: with_cpu(fn, cpu[name]) for name, fn in contenders.items()}
            engine = Daemon(resident, tmp / "daemon.log")
            for handed in RESIDENTS.values():
                contenders[handed] = engine.with_cpu(contenders[handed], cpu[handed])

            def checked(name: str) -> None:
                if name in (HTTPS, HTTPS_NO_RECORD):
                    check(name, https_cli, fleet)
                    return
                mark = next((m for m in marks if name.endswith(m)), "")
                check(name.removesuffix(mark) if mark else name, marks[mark] if mark else cli, fleet)

            requests = daemon.requests()
            started = time.perf_counter()
            try:
                results = interleaved(
                    contenders,
                    args.runs,
                    check=checked,
                )
            finally:
                engine.stop()
            asked = daemon.requests() - requests
            if asked < 4 * (args.runs + 1):  # both git fetches and both syncs asked the server every run
                raise RuntimeError(f"{asked} requests to the daemon for {args.runs + 1} rounds")
            if repos.refs(first, "refs/remotes/origin/") != repos.refs(fleet.servers[0], "refs/heads/"):
                raise RuntimeError(f"{first.name}'s tracking refs are not its server's branches")
            fsck = subprocess.run(["git", "fsck", "--no-progress"], cwd=first, capture_output=True, text=True)
            if fsck.returncode != 0 or fsck.stderr.strip():
                raise RuntimeError(f"git fsck in {first.name}: {fsck.stderr.strip()}")
            print(f"[bench] {time.perf_counter() - started:.1f} s of runs", flush=True)
            imports = {name: cli.imports(*cli_args) for name, cli_args, _g, _f in pairs if name != NO_RECORD}
            forget_records(fleet.home)
            imports[NO_RECORD] = cli.imports("sync", "--fetch-only", "--json", first.name)
            imports[HTTPS] = https_cli.imports(*synced_https)
            forget_records(https_cli.home)
            imports[HTTPS_NO_RECORD] = https_cli.imports(*synced_https)
            tls.stop()
            engine = Daemon(resident, tmp / "daemon.log")  # the client's imports, the engine answering
            try:
                for name, cli_args, _g, _f in pairs:
                    if name in RESIDENTS:
                        imports[RESIDENTS[name]] = resident.imports(*cli_args)
            finally:
                engine.stop()
            if before is not None:
                imports |= {
                    f"{name} (before)": before.imports(*cli_args)
                    for name, cli_args, _g, _f in pairs
                    if name != NO_RECORD
                }
            for mark, bundle in bundles.items():
                imports |= {f"{name}{mark}": bundle.imports(*cli_args) for name, cli_args, _g, _f in pairs}
            cpu = {name: values[1:] for name, values in cpu.items()}  # the warm-up run left out
            print(table(results, cpu, pairs, imports, args).render(), flush=True)


def table(
    results: dict[str, Summary],
    cpu: dict[str, list[float]],
    pairs: list[tuple[str, list[str], str, Callable[[], object]]],
    imports: dict[str, tuple[int, float, list[str]]],
    args: argparse.Namespace,
) -> Table:
    out = Table(
        f"Cold processes, {args.repos} repositories of {len(repos.FLEET_BRANCHES)} branches "
        f"({args.source.resolve()})",
        [
            "",
            "median ms",
            "p95 ms",
            "p99 ms",
            "CPU ms",
            "git",
            "git median ms",
            "git CPU ms",
            "ratio",
            "CPU ratio",
            "modules",
            "import ms",
            "heavy",
        ],
    )
    floors = (
        GIT_FETCH_V0,
        GIT_FETCH_HTTPS_V0,
        "python -c pass",
        "python -c pass (before)",
        "stdlib + dulwich imports",
        "sync's imports",
    )
    for name in (floor for floor in floors if floor in results):
        floor = results[name]
        out.add(name, ms(floor.median), ms(floor.p(95)), ms(floor.p(99)), ms(median(cpu[name])), *[""] * 8)
    handed = [(RESIDENTS[n], g) for n, _a, g, _f in pairs if n in RESIDENTS]
    rows = [(n, g) for n, _a, g, _f in pairs] + [(HTTPS, GIT_FETCH_HTTPS), (HTTPS_NO_RECORD, GIT_FETCH_HTTPS)]
    rows += handed + [(f"{n} (before)", g) for n, _a, g, _f in pairs]
    rows += [(f"{n} (bundle {b})", g) for b in range(1, len(args.bundle) + 1) for n, _a, g, _f in pairs]
    for name, git_name in rows:
        if name not in results:
            continue
        mine, git = results[name], results[git_name]
        count, import_ms, heavy = imports[name]
        mine_cpu, git_cpu = median(cpu[name]), median(cpu[git_name])
        out.add(
            name,
            ms(mine.median),
            ms(mine.p(95)),
            ms(mine.p(99)),
            ms(mine_cpu),
            git_name,
            ms(git.median),
            ms(git_cpu),
            ratio(mine.median, git.median),
            ratio(mine_cpu, git_cpu),
            count,
            f"{import_ms:.0f}",
            ",".join(heavy) or "none",
        )
    for name, target in TARGETS.items():
        out.note(
            f"{name}: median {ms(results[name].median)} ms, target {ms(target)} ms: "
            f"{yes_no(results[name].median < target)}"
        )
    for name, how, git_name in (
        (RESIDENT_OF, "no engine running (replayed from the last one's record)", "git fetch -q"),
        (NO_RECORD, "no engine running, no record (the engine's sync in the process)", "git fetch -q"),
        (RESIDENT, "gitferry daemon running", "git fetch -q"),
        (HTTPS, "HTTPS, no engine running (replayed)", GIT_FETCH_HTTPS),
        (HTTPS_NO_RECORD, "HTTPS, no engine running, no record", GIT_FETCH_HTTPS),
    ):
        sync = results[name].median / results[git_name].median
        v0 = (
            results[name].median
            / results[GIT_FETCH_HTTPS_V0 if git_name == GIT_FETCH_HTTPS else GIT_FETCH_V0].median
        )
        out.note(
            f"cold no-change sync --fetch-only, {how}: {sync:.2f}x git fetch; target {SYNC_RATIO_TARGET}x: "
            f"{yes_no(sync <= SYNC_RATIO_TARGET)}, milestone {SYNC_RATIO_MILESTONE}x: "
            f"{yes_no(sync <= SYNC_RATIO_MILESTONE)}; {v0:.2f}x git's fetch over protocol v0"
        )
    out.note(
        f"{GIT_FETCH_V0}: git's default protocol v2 over git:// stalls about 40 ms on loopback "
        "in the ref advertisement (bench.fetch); v0 does not"
    )
    out.note(
        "(https) rows: git http-backend behind the tests' TLS bridge (Python, in the bench's process); "
        "CPU ms counts the http-backend each request starts (a child of the bench): git's default "
        "v2 fetch sends two requests, its v0 fetch and Gitferry's one"
    )
    out.note(f"stdlib + dulwich imports: python -c '{STDLIB_AND_DULWICH}'")
    out.note(f"sync's imports: python -c '{SYNC_IMPORTS}', dataclasses from the code the CLI keeps")
    out.note("CPU ms: median user + system CPU of the run's processes (getrusage of the waited-for children)")
    out.note(
        "(engine) rows: handed to a running `gitferry daemon`; CPU adds the daemon's during the run "
        "(/proc, 10 ms ticks); modules: the client's"
    )
    out.note("ratio = Gitferry's median / git's; import ms = -X importtime's own times summed, one run")
    out.note(f"interpreter: {describe(args.python)}")
    for n, folder in enumerate(args.bundle, 1):
        out.note(f"(bundle {n}): {folder.resolve()}/gitferry (modules not counted: frozen)")
    if args.before_python:
        out.note(f"(before) rows' interpreter: {describe(args.before_python)}")
    return out


if __name__ == "__main__":
    main()
