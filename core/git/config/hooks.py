"""The user's git hooks: where git looks for them, and running one as git runs it.

Gitferry runs only the hooks a user relies on to stop something leaving the
machine; today that is `pre-push` (the others, and why, are listed in
docs/ARCHITECTURE.md and the README's "Hooks" section). A hook is
`<dir>/<name>`, where `<dir>` is `core.hooksPath` (`~` expanded; a relative
path is taken from the worktree's root, or the git dir of a bare repository,
which is where git runs hooks) or else the common git dir's `hooks`. As git
does, a file there that is not executable is not run.

The hook runs in that same directory, with the arguments and stdin git gives
it and the environment Gitferry has (git adds no `GIT_DIR`, so git commands
inside the hook find the repository from the directory). It may take long
(a hook that runs tests), so it runs on an offload thread; one that runs past
`HOOK_TIMEOUT` is stopped, with everything it started, and counts as a refusal.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from dulwich.repo import Repo

from core.errors import GitferryError
from core.phrase import Phrase, phrase
from core.platform.process_groups import KILLED, OWN_GROUP, kill_group
from core.results import ResultKind

# git waits for a hook as long as it takes; a sync cannot hold its lock forever.
HOOK_TIMEOUT = 1800.0
_MAX_LINE = 300


class HookRefused(GitferryError):
    """A hook exited non-zero: what it guards did not happen."""

    result = ResultKind.ERROR

    def __init__(self, hook: str, what: str | Phrase, said: str) -> None:
        super().__init__(phrase("the {hook} hook refused {what}: {said}", hook=hook, what=what, said=said))
        self.hook = hook
        self.said = said


@dataclass(frozen=True)
class HookRun:
    status: int  # the exit status; negative: killed by that signal (SIGKILL: it ran too long)
    said: str  # one line: its stderr's first non-empty line, else its stdout's, else the status

    @property
    def passed(self) -> bool:
        return self.status == 0


def hooks_dir(repo: Repo) -> str:
    """Where git looks for `repo`'s hooks."""
    try:
        configured = repo.get_config_stack().get((b"core",), b"hooksPath")
    except KeyError:
        return os.path.join(repo.commondir(), "hooks")
    path = os.path.expanduser(os.fsdecode(configured))
    return os.path.join(_run_dir(repo), path)


def find_hook(repo: Repo, name: str) -> str | None:
    """The hook git would run for `name`, None when there is none (or it is not executable)."""
    path = os.path.join(hooks_dir(repo), name)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def run_hook(repo: Repo, name: str, args: Sequence[str], stdin: bytes = b"") -> HookRun | None:
    """Run hook `name` with `args` and `stdin`; None when `repo` has no such hook."""
    path = find_hook(repo, name)
    if path is None:
        return None
    try:
        hook = subprocess.Popen(
            [path, *args],
            cwd=_run_dir(repo),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **OWN_GROUP,  # so a hook stopped for time goes with whatever it started
        )
    except OSError as exc:  # a bad interpreter line, say: git, too, reports and stops
        return HookRun(126, _one_line(f"could not run {path}: {exc.strerror or exc}"))
    try:
        out, err = hook.communicate(stdin, timeout=HOOK_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill_group(hook)
        return HookRun(KILLED, f"it did not finish within {HOOK_TIMEOUT:.0f} s and was stopped")
    return HookRun(hook.returncode, _said(err, out, hook.returncode))


def _run_dir(repo: Repo) -> str:
    """Where git runs hooks: the worktree's root, or the git dir of a bare repository."""
    return repo.controldir() if repo.bare else repo.path


def _said(err: bytes, out: bytes, status: int) -> str:
    for stream in (err, out):
        for raw in stream.splitlines():
            line = raw.decode("utf-8", "replace").strip()
            if line:
                return _one_line(line)
    return f"exit status {status}" if status >= 0 else f"killed by signal {-status}"


def _one_line(text: str) -> str:
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 3] + "..."
