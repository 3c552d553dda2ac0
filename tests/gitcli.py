"""The git CLI, the referee of every test."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(*args: str, cwd: Path | str | None = None, check: bool = True, input: str | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, input=input, timeout=120
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout.strip()


def init_repo(path: Path) -> None:
    """`git init -b main` at `path`, with a committer of its own (a test's HOME may have none)."""
    git("init", "-q", "-b", "main", str(path))
    git("config", "user.name", "T", cwd=path)
    git("config", "user.email", "t@example.com", cwd=path)


def rev_parse(repo: Path, rev: str) -> str:
    return git("rev-parse", rev, cwd=repo)


def ahead_behind(repo: Path, local: str, upstream: str) -> tuple[int, int]:
    out = git("rev-list", "--left-right", "--count", f"{local}...{upstream}", cwd=repo)
    ahead, behind = out.split()
    return int(ahead), int(behind)


def fsck(repo: Path) -> None:
    git("fsck", "--strict", "--no-progress", cwd=repo)


def commit_file(repo: Path, name: str, content: str, message: str | None = None) -> str:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    git("add", name, cwd=repo)
    git("commit", "-q", "-m", message or f"edit {name}", cwd=repo)
    return rev_parse(repo, "HEAD")


def seeded_clone(origin: Path, clone: Path, name: str, content: str) -> None:
    """A new repository at `origin` (branch main) holding one commit of `name`, and `clone` of it."""
    git("init", "-q", "-b", "main", str(origin))
    commit_file(origin, name, content)
    git("clone", "-q", str(origin), str(clone))


def merge_conflict(repo: Path, name: str) -> None:
    """Leaves the tracked file `name` unmerged: `side` and `main` each change it, then main merges side."""
    git("checkout", "-q", "-b", "side", cwd=repo)
    commit_file(repo, name, "side\n")
    git("checkout", "-q", "main", cwd=repo)
    commit_file(repo, name, "main\n")
    git("merge", "-q", "side", cwd=repo, check=False)


def refs(repo: Path) -> dict[str, str]:
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=repo)
    pairs = (line.split(" ", 1) for line in out.splitlines() if line)
    return {name: sha for name, sha in pairs}
