"""An isolated git environment for the benchmarks, and the `git` runner they share.

Both sides of every comparison (the git CLI and dulwich in-process) read the
same scrubbed configuration: a bench-only HOME with gc and maintenance off, so
neither side is slowed or sped up by the developer's own settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "home"

GITCONFIG = """\
[user]
\tname = Bench
\temail = bench@example.invalid
[init]
\tdefaultBranch = main
[gc]
\tauto = 0
[maintenance]
\tauto = false
[advice]
\tdetachedHead = false
"""


def isolate() -> None:
    """Point this process (and every child it starts) at the bench-only git config."""
    for key in list(os.environ):
        if key.startswith(("GIT_", "XDG_", "GITFERRY_", "SSH_")):
            del os.environ[key]
    HOME.mkdir(parents=True, exist_ok=True)
    (HOME / ".gitconfig").write_text(GITCONFIG)
    os.environ["HOME"] = str(HOME)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"
    os.environ["LC_ALL"] = "C"


def git(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
) -> str:
    """Run git, fail loudly, return stdout."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"git {' '.join(args)} failed ({proc.returncode}): {err}")
    return proc.stdout.decode(errors="replace").strip()


def rev_parse(repo: Path, ref: str) -> str:
    return git("rev-parse", ref, cwd=repo)


@contextmanager
def scratch(name: str) -> Iterator[Path]:
    """A scratch directory beside the cache (same disk as the repositories), removed after."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=CACHE))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def object_count(repo: Path) -> int:
    """Loose plus packed objects, as `git count-objects -v` reports them."""
    fields = dict(line.split(": ", 1) for line in git("count-objects", "-v", cwd=repo).splitlines())
    return int(fields["count"]) + int(fields["in-pack"])
