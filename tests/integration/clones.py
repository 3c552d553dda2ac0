"""Two clones of one remote taking turns, and the checks that no work was lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import pytest

from core.cli import main
from core.cli_engine import tell_engine_to_look
from core.engine.core import Core
from core.engine.registry import add_repository
from core.engine.report import SyncReport
from core.engine.sync import SyncOptions, sync_repository
from tests.gitcli import commit_file, fsck, git
from tests.seeded import seeded_copies
from tests.servers import Remote
from tests.servers.faults import CuttingProxy


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    """Run the CLI in-process: (exit status, parsed JSON or text stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, out, err


def type_lines(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    """What the user types at the CLI's prompts: `lines`, on a stdin that is not a terminal."""
    monkeypatch.setattr(sys, "stdin", _Typed([f"{line}\n" for line in lines]))


class _Typed:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""


def unpublished_branches(repo: Path) -> dict[str, int]:
    """Local branches holding commits no remote-tracking ref has, and how many (git's count:
    `git rev-list --count <branch> --not --remotes`): what a sync names as `unpublished`."""
    names = git("for-each-ref", "--format=%(refname:short)", "refs/heads/", cwd=repo).split()
    counts = {name: int(git("rev-list", "--count", name, "--not", "--remotes", cwd=repo)) for name in names}
    return {name: n for name, n in counts.items() if n}


def all_commits(repo: Path) -> set[str]:
    """Every commit reachable from any ref (branches, tracking refs, backups) or HEAD."""
    return set(git("rev-list", "--all", cwd=repo).split())


def ref_tips(repo: Path) -> set[str]:
    """What `git rev-list --all` starts from in `repo`, read from its files as git reads
    them: the ids HEAD and every ref name, loose or packed, in the repository and in each
    linked worktree (packed-refs' peeled lines add an annotated tag's commit). No git run:
    the sync tests take this before and after every sync."""
    git_dir = str(repo / ".git") if (repo / ".git").is_dir() else str(repo)
    if not os.path.isfile(os.path.join(git_dir, "HEAD")) or os.path.exists(os.path.join(git_dir, "reftable")):
        return all_commits(repo)  # a `.git` file, or refs not in files
    roots = [git_dir]
    with contextlib.suppress(FileNotFoundError):
        roots += [entry.path for entry in os.scandir(os.path.join(git_dir, "worktrees")) if entry.is_dir()]
    tips: set[str] = set()
    with contextlib.suppress(FileNotFoundError), open(os.path.join(git_dir, "packed-refs")) as packed:
        tips |= {line.lstrip("^").split()[0] for line in packed if line[:1] not in ("#", "")}
    for root in roots:
        _loose(os.path.join(root, "HEAD"), tips)
        _loose_under(os.path.join(root, "refs"), tips)
    return tips


def _loose_under(folder: str, tips: set[str]) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                _loose_under(entry.path, tips)
            elif not entry.name.endswith(".lock"):
                _loose(entry.path, tips)


def _loose(path: str, tips: set[str]) -> None:
    with contextlib.suppress(FileNotFoundError), open(path) as ref:
        value = ref.read().strip()
    if value and not value.startswith("ref:"):
        tips.add(value)


@dataclass
class Clones:
    """A bare remote seeded with one commit, and the clones `mine` and `theirs`.

    Both clones are registered with Gitferry under their names. `tips` grows with
    every id a ref or HEAD ever named anywhere (`seen`: commits a test adds itself);
    `check()` proves each is still reachable, and so, fsck clean, its history.
    """

    remote: Remote
    bare: Path
    mine: Path
    theirs: Path
    capsys: pytest.CaptureFixture[str]
    seen: set[str] = field(default_factory=set)
    tips: set[str] = field(default_factory=set)

    @classmethod
    def make(cls, remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Self:
        bare = remote.bare_path("origin")
        mine, theirs = tmp_path / "mine", tmp_path / "theirs"
        seeded_copies(bare, remote.url("origin"), (("a.txt", "one\ntwo\nthree\n"),), mine, theirs)
        world = cls(remote, bare, mine, theirs, capsys)
        asyncio.run(register_clones(mine, theirs))
        tell_engine_to_look()  # as `gitferry add` does: a running app takes them in now
        world.remember()
        return world

    def remember(self) -> None:
        for repo in (self.bare, self.mine, self.theirs):
            self.tips |= ref_tips(repo)

    def commit(self, clone: Path, name: str, content: str) -> str:
        sha = commit_file(clone, name, content)
        self.remember()
        return sha

    def shallow_clone(self, path: Path) -> Path:
        """`git clone --depth 1` of the remote at `path`, registered under its name, once
        `theirs` pushed a second commit: the clone's history starts above the first."""
        self.commit(self.theirs, "b.txt", "two\n")
        git("push", "-q", cwd=self.theirs)
        git("clone", "-q", "--depth", "1", self.remote.url("origin"), str(path))
        code, _out, err = run(self.capsys, "add", str(path))
        assert code == 0, err
        return path

    def push_big_commit(self, megabytes: int = 6) -> None:
        """A commit of incompressible data pushed from `mine`: a pack slow enough to cancel
        when `theirs` fetches it through a paced proxy."""
        (self.mine / "big.bin").write_bytes(os.urandom(megabytes * 1024 * 1024))
        git("add", "big.bin", cwd=self.mine)
        git("commit", "-q", "-m", "big", cwd=self.mine)
        git("push", "-q", "origin", "main", cwd=self.mine)
        self.remember()

    def theirs_through(self, proxy: CuttingProxy) -> None:
        """From now on `theirs` reaches the remote through `proxy`."""
        git("remote", "set-url", "origin", proxy.rewrite(self.remote.url("origin")), cwd=self.theirs)

    def sync(self, clone: Path, *extra: str) -> tuple[int, dict[str, Any]]:
        """`gitferry sync <clone> --json`: (exit status, that repository's report)."""
        self.remember()
        code, doc, err = run(self.capsys, "sync", clone.name, "--json", *extra)
        assert isinstance(doc, dict), err
        self.remember()
        return code, doc["repos"][0]

    def background(self, clone: Path, *extra: str) -> tuple[int, dict[str, Any]]:
        """A run nobody asked for (auto mode's backstop sync; `--fetch-only`: the background
        fetch), through the engine as the daemon runs it: (the exit status `sync` would
        give, its report as `sync --json` says it)."""
        self.remember()
        report = asyncio.run(sync_repo(clone.name, fetch_only="--fetch-only" in extra))
        self.remember()
        return int(not report.result.succeeded), report.to_json()

    def head(self, repo: Path, ref: str = "HEAD") -> str:
        return git("rev-parse", ref, cwd=repo)

    def remote_head(self, branch: str = "main") -> str:
        return git("--git-dir", str(self.bare), "rev-parse", f"refs/heads/{branch}")

    def check(self) -> None:
        """fsck clean everywhere, no sync lock left, and every commit ever seen still reachable."""
        reachable: set[str] = set()
        for repo in (self.bare, self.mine, self.theirs):
            fsck(repo)
            reachable |= all_commits(repo)
        for clone in (self.mine, self.theirs):
            lock = clone / ".git" / "gitferry" / "sync.lock"
            assert not lock.exists(), f"{clone.name}'s sync lock is still there: {_read(lock)!r}"
            assert not list((clone / ".git").rglob("*.lock"))
        lost = self.seen - reachable
        lost |= {tip for tip in self.tips - reachable if not self._peels_to(tip, reachable)}
        assert not lost, f"commits lost: {sorted(lost)}"

    def _peels_to(self, tip: str, reachable: set[str]) -> bool:
        """Whether `tip`, an annotated tag (a ref's id that is no reachable commit), names a
        commit in `reachable` in some repository that still holds the tag."""
        for repo in (self.bare, self.mine, self.theirs):
            if git("rev-parse", "-q", "--verify", f"{tip}^{{commit}}", cwd=repo, check=False) in reachable:
                return True
        return False


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        return str(exc)


def porcelain(repo: Path) -> str:
    """`git status --porcelain` exactly (the leading space of " M" matters)."""
    proc = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True, timeout=60
    )
    return proc.stdout.rstrip("\n")


async def register_repo(path: Path, name: str, settings: dict[str, str]) -> None:
    """Register `path` through a core of its own (as a separate CLI run would)."""
    core = await Core.open()
    try:
        await add_repository(core, str(path), name=name, settings=settings)
    finally:
        await core.close()


async def register_clones(*clones: Path) -> None:
    """Register each clone under its folder's name as `gitferry add` does, through one core
    of its own for all of them: a CLI run each would open and close the store once per clone
    (the tests' most common set-up; `add` itself is tested through the CLI elsewhere)."""
    core = await Core.open()
    try:
        for clone in clones:
            await add_repository(core, str(clone), name=clone.name)
    finally:
        await core.close()


async def sync_repo(name: str, *, fetch_only: bool = False) -> SyncReport:
    """One sync of `name` through a core of its own, as the background runs it (nobody asked)."""
    core = await Core.open()
    try:
        options = SyncOptions(fetch_only=fetch_only, timeout=10)
        return await sync_repository(core, await core.store.repo(name), options)
    finally:
        await core.close()


def many_files(remote: Remote, tmp_path: Path, count: int, noise: int = 0) -> Path:
    """A remote `origin` whose main holds `count` small files (and `noise` random bytes)."""
    bare = remote.create("origin")
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    for n in range(count):
        folder = work / f"d{n // 200:03}"
        folder.mkdir(exist_ok=True)
        (folder / f"f{n:05}.txt").write_text(f"file {n}\n" * 3)
    if noise:
        (work / "noise.bin").write_bytes(os.urandom(noise))
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "many files", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    return work
