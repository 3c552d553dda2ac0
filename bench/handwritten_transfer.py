"""`bench.handwritten`'s sections on talking to remotes: negotiation haves, what a push sends,
a server that never answers, and the config a fetch reads."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dulwich.client import TCPGitClient
from dulwich.config import ConfigFile
from dulwich.object_store import MissingObjectFinder
from dulwich.objects import ObjectID
from dulwich.pack import write_pack_data
from dulwich.repo import Repo

from bench import repos
from bench.contenders import Ours, run_git
from bench.gitenv import git, scratch
from bench.stats import Table, interleaved, versus
from core.git.global_config import RACY_SECONDS
from core.git.parsed_config import ParsedConfigRepo
from core.git.transfer.push_objects import ObjectsToSend
from core.git.transfer.push_pack import OutgoingPack
from core.git.transfer.timed_clients import TimedTCPGitClient

# 1. Negotiation haves: bench.fetch's "2,000 behind" case ---------------------------


def bench_haves(runs: int) -> list[Table]:
    from bench.fetch import bench_behind  # starts a git daemon

    return [bench_behind(Ours.load(), max(1, runs // 2))]


# 2. What a push sends ---------------------------------------------------------------


def one_commit_ahead(tmp: Path) -> tuple[Path, ObjectID, ObjectID]:
    """A twin of repository A's server with one new commit on main: (path, old tip, new tip)."""
    server = tmp / "server.git"
    repos.twin(repos.repo_a().server, server)
    old = git("rev-parse", "main", cwd=server)
    new = repos.add_commit(server, "d000/f00000.txt", "one new line\n", number=30_000)
    return server, ObjectID(old.encode()), ObjectID(new.encode())


def bench_push(runs: int) -> list[Table]:
    with scratch("push") as tmp:
        server, old, new = one_commit_ahead(tmp)
        with Repo(str(server)) as repo:
            store = repo.object_store
            git_ids = {
                line.split()[0]
                for line in git(
                    "rev-list", "--objects", new.decode(), "--not", old.decode(), cwd=server
                ).splitlines()
            }

            def ours_ids() -> set[str]:
                return {oid.decode() for oid in ObjectsToSend(store, [new], [old]).ids}

            def dulwich_ids() -> set[str]:
                return {oid.decode() for oid, _hint in MissingObjectFinder(store, haves=[old], wants=[new])}

            finding: dict[str, Callable[[], object]] = {
                "gitferry transfer.push_objects.ObjectsToSend": ours_ids,
                "dulwich MissingObjectFinder": dulwich_ids,
                "git rev-list --objects NEW --not OLD": lambda: run_git(
                    server, "rev-list", "--objects", new.decode(), "--not", old.decode()
                ),
            }
            found = interleaved(finding, runs, warmup=1)
            if ours_ids() != git_ids or dulwich_ids() != git_ids:
                raise AssertionError("the object sets differ from git's")

            def ours_pack() -> int:
                pack = OutgoingPack(repo, lambda _p: None)
                total, records = pack({old}, {new})
                write_pack_data(io.BytesIO().write, records, repo.object_format, num_records=total)
                return pack.objects_sent

            def dulwich_pack() -> int:
                total, records = store.generate_pack_data([old], [new])
                write_pack_data(io.BytesIO().write, records, repo.object_format, num_records=total)
                return total

            packing = {
                "gitferry transfer.push_pack.OutgoingPack": ours_pack,
                "dulwich generate_pack_data (reuse_deltas)": dulwich_pack,
                "git pack-objects --revs --stdout": lambda: subprocess.run(
                    ["git", "pack-objects", "--revs", "--stdout", "-q"],
                    cwd=server,
                    input=f"{new.decode()}\n^{old.decode()}\n".encode(),
                    capture_output=True,
                    check=True,
                ),
            }
            packed = interleaved(packing, runs, warmup=1)
            if ours_pack() != len(git_ids) or dulwich_pack() != len(git_ids):
                raise AssertionError("a pack holds a different number of objects than git's")
        commits = git("rev-list", "--count", old.decode(), cwd=server)
    first = versus(
        f"objects a one-commit push sends: {len(git_ids)}, {int(commits):,} commits (repository A)",
        found,
        dulwich="dulwich MissingObjectFinder",
        git_row="git rev-list --objects NEW --not OLD",
    )
    first.note("all three sets checked equal")
    second = versus(
        "the pack of that push, written to memory",
        packed,
        dulwich="dulwich generate_pack_data (reuse_deltas)",
        git_row="git pack-objects --revs --stdout",
    )
    second.note("gitferry reuses stored deltas only when a push sends 1/20 of the packed objects or more")
    return [first, second]


# 3. A remote that accepts the connection and never answers --------------------------


def bench_timed_client(_runs: int, timeout: float = 1.0, patience: float = 3.0) -> list[Table]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        port = server.getsockname()[1]
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    held.append(server.accept()[0])  # accepted, never answered
                except OSError:
                    return

        threading.Thread(target=accept, daemon=True).start()
        stock = _waits(lambda: TCPGitClient("127.0.0.1", port).get_refs(b"/repo.git"), patience)
        ours = _waits(
            lambda: TimedTCPGitClient("127.0.0.1", port, timeout=timeout).get_refs(b"/repo.git"), patience
        )
        git_side = _waits(
            lambda: subprocess.run(
                ["git", "ls-remote", f"git://127.0.0.1:{port}/repo.git"], capture_output=True, check=False
            ),
            patience,
        )
        stop.set()
        for conn in held:
            conn.close()
    table = Table("git:// server that accepts and never answers", ["", "returned after", "how"])
    for name, (seconds, how) in (
        (f"gitferry TimedTCPGitClient (timeout {timeout:g} s)", ours),
        ("dulwich TCPGitClient", stock),
        ("git ls-remote", git_side),
    ):
        table.add(
            name, f"{seconds:.2f} s" if seconds is not None else f"still waiting after {patience:g} s", how
        )
    return [table]


def _waits(call: Callable[[], object], patience: float) -> tuple[float | None, str]:
    """How long `call` took to return or raise, or None if it still waits after `patience`."""
    outcome: list[str] = []
    started = time.perf_counter()

    def run() -> None:
        try:
            call()
            outcome.append("returned")
        except Exception as exc:  # the point is what it raises
            outcome.append(type(exc).__name__)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(patience)
    return (time.perf_counter() - started, outcome[0]) if outcome else (None, "blocked in a read")


# 4. `.git/config` read as a fetch reads it ------------------------------------------

CONFIG_READS = 10  # about what one fetch asks dulwich for (bench.gui's py-spy profile)


def bench_config(runs: int) -> list[Table]:
    """Ten reads of a fleet clone's `.git/config` (20 tracked branches): dulwich parses the
    file at each, `ParsedConfigRepo` once per version of its bytes; git reads it once a
    process (`git config --list`)."""
    root = repos.fleet_template().local
    path = str(root)

    def reads(repo: Repo) -> Callable[[], object]:
        return lambda: [repo.get_config() for _ in range(CONFIG_READS)]

    with Repo(path) as plain, ParsedConfigRepo(path) as parsed:
        contenders: dict[str, Callable[[], object]] = {
            f"gitferry ParsedConfigRepo.get_config x{CONFIG_READS}": reads(parsed),
            f"dulwich Repo.get_config x{CONFIG_READS}": reads(plain),
            "git config --list (one process)": lambda: run_git(root, "config", "--list"),
        }
        results = interleaved(contenders, max(runs, 20), warmup=2)
        ours, theirs = parsed.get_config(), plain.get_config()
        if list(ours.sections()) != list(theirs.sections()) or any(
            list(ours.items(section)) != list(theirs.items(section)) for section in theirs.sections()
        ):
            raise AssertionError("ParsedConfigRepo and dulwich read different configs")
    table = versus(
        f"`.git/config` read {CONFIG_READS} times (a fleet clone: {len(list(theirs.sections()))} sections)",
        results,
        dulwich=f"dulwich Repo.get_config x{CONFIG_READS}",
        git_row="git config --list (one process)",
    )
    table.note("each read of ours: the file's bytes read and compared, a copy of the parse handed out")
    return [table, _config_stack(root, runs)]


STACK_READS = 5  # what a background fetch asks `get_config_stack()` for (1,100 for 250 jobs)
USER_GITCONFIG = (
    "[user]\n\tname = A Developer\n\temail = dev@example.invalid\n"
    "[core]\n\teditor = vim\n\tautocrlf = input\n\texcludesFile = ~/.gitignore_global\n"
    "[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n[push]\n\tdefault = simple\n"
    "[fetch]\n\tprune = true\n[merge]\n\ttool = meld\n\tconflictStyle = diff3\n"
    "[diff]\n\ttool = meld\n\tcolorMoved = zebra\n[color]\n\tui = auto\n"
    "[credential]\n\thelper = cache --timeout=3600\n"
    '[url "git@github.com:"]\n\tpushInsteadOf = https://github.com/\n'
    + "".join(f"[alias]\n\ta{n} = log --oneline --graph --decorate -n {n}\n" for n in range(20))
    + "[include]\n\tpath = ~/.gitconfig-work\n"
)
WORK_GITCONFIG = (
    '[includeIf "gitdir:~/work/"]\n\tpath = ~/.gitconfig-work-id\n[http]\n\tpostBuffer = 524288000\n'
)
SYSTEM_GITCONFIG = "[core]\n\tfsmonitor = false\n[safe]\n\tdirectory = *\n[http]\n\tsslVerify = true\n"


BEFORE_STACK = "ParsedConfigRepo, dulwich's stack"  # `.git/config` kept, the user's and system's parsed


def _config_stack(root: Path, runs: int) -> Table:
    """`get_config_stack()` as a fetch asks it, with a user's `~/.gitconfig` (30 sections,
    an include) and a system file: dulwich parses both at every call, `ParsedConfigRepo`
    once per version of each file (`core/git/global_config.py`); `git config --list` reads
    them once a process."""
    keys = ("HOME", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM")
    saved = {key: os.environ.get(key) for key in keys}
    with scratch("config-home") as home:
        files = {".gitconfig": USER_GITCONFIG, ".gitconfig-work": WORK_GITCONFIG, "system": SYSTEM_GITCONFIG}
        for name, text in files.items():
            (home / name).write_text(text)
            os.utime(home / name, (time.time() - 86400,) * 2)  # a user's files are old
        time.sleep(RACY_SECONDS + 0.1)  # and their change time (now, by utime) settled, as a user's is
        os.environ.update(HOME=str(home), GIT_CONFIG_SYSTEM=str(home / "system"))
        os.environ.pop("GIT_CONFIG_NOSYSTEM", None)
        try:
            return _stack_reads(root, runs)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _stack_reads(root: Path, runs: int) -> Table:
    def reads(repo: Repo) -> Callable[[], object]:
        return lambda: [repo.get_config_stack() for _ in range(STACK_READS)]

    path = str(root)
    with Repo(path) as plain, ParsedConfigRepo(path) as parsed:
        contenders: dict[str, Callable[[], object]] = {
            f"gitferry ParsedConfigRepo.get_config_stack x{STACK_READS}": reads(parsed),
            f"before: {BEFORE_STACK} x{STACK_READS}": lambda: [
                Repo.get_config_stack(parsed) for _ in range(STACK_READS)
            ],
            f"dulwich Repo.get_config_stack x{STACK_READS}": reads(plain),
            "git config --list (one process)": lambda: run_git(root, "config", "--list"),
        }
        results = interleaved(contenders, max(runs, 20), warmup=2)
        ours, theirs = parsed.get_config_stack(), plain.get_config_stack()
        if [_items(c) for c in ours.backends] != [_items(c) for c in theirs.backends]:
            raise AssertionError("ParsedConfigRepo and dulwich read different config stacks")
    table = versus(
        f"`get_config_stack()` {STACK_READS} times with a user's and a system config "
        f"({sum(len(list(c.sections())) for c in theirs.backends)} sections in {len(theirs.backends)} files)",
        results,
        dulwich=f"dulwich Repo.get_config_stack x{STACK_READS}",
        git_row="git config --list (one process)",
    )
    table.note("ours: each file stat-ed and compared, copies of the kept parses handed out")
    table.note(f"before: {BEFORE_STACK}, what a pooled repository read before core/git/global_config.py")
    return table


def _items(config: ConfigFile) -> list[tuple[object, list[tuple[bytes, bytes]]]]:
    return [(section, list(config.items(section))) for section in config.sections()]
