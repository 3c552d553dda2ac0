"""How the CLI shows things: JSON documents on stdout, people's text, progress on stderr."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

from core.cli_json import indented
from core.results import CANCELLED_MESSAGE, TRACEBACK_HINT, ResultKind, counted, no_remote_note

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:  # types only: `--version` imports none of them, `status` not the engine
    from typing import Any, Protocol

    from dulwich.repo import Repo

    from core.engine.report import SyncReport
    from core.git.transfer.signer import SignInRequest
    from core.git.transfer.ssh_questions import SshQuestion
    from core.git.worktree.git_operation import GitOperation
    from core.model import BranchStatus, ConflictRecord, RepoRecord, SkippedFile, SubmoduleStatus, SyncReach
    from core.remote_url import HttpAuth
    from core.settings import RepoSettings


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2  # every command's exit status
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_HELD = 3  # `gitferry daemon`: another engine syncs the data directory (the unit does not restart)


def interrupted() -> int:
    """What a command says when Ctrl-C ends it; its exit status."""
    print("gitferry: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def print_failure(message: str, *, bad_input: bool, as_json: bool, name: str | None = None) -> int:
    """What a command that failed says: its one line on stderr and, when it was asked for
    `--json`, one JSON document on stdout (`{"error"}`, with the `"name"` of the repository
    the command named), so that a script reading stdout always gets JSON; its exit status."""
    if as_json:
        print_json({"error": message} if name is None else {"name": name, "error": message})
    print(f"gitferry: {message}", file=sys.stderr)
    return EXIT_USAGE if bad_input else EXIT_FAILED


def reader_left() -> int:
    """What a command does when the reader of its output left (`gitferry status --json |
    head`): says nothing, as git, its stdout pointed at /dev/null so that the exit reports
    no second error; its exit status."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_FAILED


if TYPE_CHECKING:

    class Progress(Protocol):
        """A transfer's progress as the bars show it: `core.git.progress.TransferProgress`,
        or what the engine sent of one (`core.cli_engine`); a type only."""

        @property
        def phase(self) -> str: ...
        @property
        def current(self) -> int: ...
        @property
        def total(self) -> int | None: ...
        @property
        def bytes(self) -> int: ...


ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return _naive_iso(moment) if moment.tzinfo is None else moment.strftime(ISO_FORMAT)


@lru_cache(maxsize=256)
def _naive_iso(moment: datetime) -> str:
    """`strftime` is about 6 us a call, 1,000 of them in `status --json` of 50 repositories
    of 20 branches: a repository's branches were fetched at one moment, so each moment is
    written once (only naive ones: aware ones equal in two zones would be written alike)."""
    return moment.strftime(ISO_FORMAT)


def print_json(document: dict[str, Any]) -> None:
    """`json.dumps(document, indent=2)`, written by `json`'s C encoder (`core.cli_json`)."""
    sys.stdout.write(indented(document) + "\n")  # one write, not one per token


def repo_json(
    record: RepoRecord,
    branches: list[BranchStatus],
    submodules: Sequence[SubmoduleStatus] = (),
    settings: RepoSettings | None = None,
    app_paused_until: str = "",
    remoteless: bool = False,
    conflicts: Sequence[ConflictRecord] = (),
) -> dict[str, Any]:
    """`app_paused_until`: the pause of every repository (the app setting `paused_until`)."""
    from core.settings import RepoSettings  # not for `sync` (core.cli_engine)

    settings = settings or RepoSettings()
    pause_end = _pause_end(settings.paused_until, app_paused_until)
    reach = settings.reach  # a property making a `SyncReach`: once, not once a branch
    return {
        "name": record.name,
        "path": record.path,
        "state": record.state,
        "sync_mode": settings.sync_mode,
        "paused": pause_end is not None,
        "paused_until": pause_end,
        "last_sync": iso(record.last_sync),
        "last_result": record.last_result,
        "last_message": record.last_message,
        "last_unfinished": record.last_unfinished,
        "branches": [branch_json(b, reach, record.path) for b in branches],
        "unpublished": [b.name for b in branches if b.unpublished],
        "detached": head_detached(branches),
        "in_progress": _in_progress(record, branches),
        "no_remote": remoteless,
        "submodules": [submodule_json(s) for s in submodules],
        "conflicts": [{"branch": c.branch, "path": c.path, "since": iso(c.since)} for c in conflicts],
    }


def conflict_notes(name: str, conflicts: Sequence[ConflictRecord]) -> list[str]:
    """What `status` says of the repository's conflicts, as the window's Conflicts tab lists
    them: an auto-commit repository's copies (kept beside the other side's version until
    you delete them), and the paths a sync without auto-commit stopped on."""
    if not conflicts:
        return []
    from core.git.merge.conflict_copies import is_copy, some_paths

    copies = [c.path for c in conflicts if is_copy(c.path)]
    stopped = [c.path for c in conflicts if not is_copy(c.path)]
    notes = []
    if copies:
        notes.append(
            f"{counted(len(copies), 'conflict copy', 'conflict copies')} kept beside the other side's"
            f" version: {some_paths(copies)} (merge what you need, then delete the copy)"
        )
    if stopped:
        notes.append(
            f"{counted(len(stopped), 'file')} in conflict: {some_paths(stopped)}"
            f" (`gitferry resolve {name}` lists the choices)"
        )
    return notes


DETACHED_NOTE = "HEAD is detached: a sync only fetches; check out a branch (git switch NAME) to sync it"


def head_detached(branches: Sequence[BranchStatus]) -> bool:
    """No branch checked out in the repository's worktree as last measured (at `add`, at
    each sync or fetch): HEAD is detached (or a rebase holds it), so a sync integrates
    and pushes nothing of it (`DetachedHead`); said before the first sync too."""
    return bool(branches) and not any(b.checked_out for b in branches)


def _holding_head(record: RepoRecord, said: Callable[[Repo, GitOperation | None], str | None]) -> str | None:
    """`said` of the worktree's repository and the git command that detached HEAD (a
    rebase, `git am`, a bisect, or None), read from its git dir as `git status` reads it;
    None when the repository is gone or unreadable."""
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    from core.git.worktree.git_operation import operation_in_progress

    try:
        with Repo(record.path) as repo:
            return said(repo, operation_in_progress(repo.controldir()))
    except (OSError, NotGitRepository, KeyError):
        return None  # gone or unreadable: the plain note


def _in_progress(record: RepoRecord, branches: Sequence[BranchStatus]) -> str | None:
    if not head_detached(branches):
        return None
    return _holding_head(record, lambda _repo, operation: None if operation is None else operation.describe())


def detached_note(record: RepoRecord, branches: Sequence[BranchStatus]) -> str | None:
    """What `status` says of a detached HEAD: the command holding it and how to finish it
    (`git rebase --continue` / `--abort`, as `git status` advises), else what a
    submodule's checkout says of it, else `DETACHED_NOTE`."""
    if not head_detached(branches):
        return None

    def said(repo: Repo, operation: GitOperation | None) -> str | None:
        from core.git.worktree.submodules import submodule_checkout_said

        if operation is not None:
            return operation.holding_head()
        checkout = submodule_checkout_said(repo)
        return None if checkout is None else checkout.english()

    return _holding_head(record, said) or DETACHED_NOTE


def submodule_json(s: SubmoduleStatus) -> dict[str, Any]:
    return {"path": s.path, "recorded": s.recorded, "checked_out": s.checked_out, "state": s.state}


def branch_json(b: BranchStatus, reach: SyncReach, path: str) -> dict[str, Any]:
    """`left_alone`: a sync leaves it ahead or behind (`SyncReach.leaves`); `worktree`: the
    other worktree that uses it (null when none does, or when a rebase or bisect stopped in
    the repository's own, at `path`: `worktree_use` says which); `worktree_deleted`: the
    worktree using it lost its folder but still holds it until `git worktree prune` (the
    text's "folder deleted"; null when no other worktree uses it)."""
    from core.model import own_worktree

    worktree = None if own_worktree(b, path) else b.worktree
    return {
        "name": b.name,
        "upstream": b.upstream,
        "ahead": b.ahead,
        "behind": b.behind,
        "head": b.head,
        "upstream_head": b.upstream_head,
        "upstream_gone": b.upstream_gone,
        "state": b.state,
        "unpublished": b.unpublished,
        "last_fetch": iso(b.last_fetch),
        "checked_out": b.checked_out,
        "worktree": worktree,
        "worktree_use": b.worktree_use,
        "worktree_deleted": None if worktree is None else not os.path.isdir(worktree),
        "pushed": b.pushed,
        "left_alone": reach.leaves(b),
    }


def _pause_end(*paused_until: str) -> str | None:
    """When the pauses in effect (the repository's, every repository's) end, for `status
    --json`: None (no pause, or they ran out), "always", or the later time. A pause of all
    repositories until resumed read `"paused_until": null`, as if none."""
    from core.settings import PAUSED_FOREVER, pause_active

    now = time.time()
    active = [value for value in paused_until if pause_active(value, now)]
    if not active:
        return None
    if PAUSED_FOREVER in active:
        return PAUSED_FOREVER
    return iso(datetime.fromtimestamp(max(map(float, active)), UTC).replace(tzinfo=None))


def _failed(record: RepoRecord) -> bool:
    """The last run failed and said why (a cancelled one needs nothing of the user)."""
    failed = (ResultKind.OFFLINE, ResultKind.AUTH_FAILED, ResultKind.ERROR)
    message = record.last_message
    return record.last_result in failed and bool(message) and message != CANCELLED_MESSAGE


def _stopped(record: RepoRecord) -> bool:
    """The last run stopped short of integrating (`dirty`, `conflict`, `diverged`) and
    said on what: the paths, the git command unfinished, the setting (not the result's
    name alone)."""
    stopped = (ResultKind.DIRTY, ResultKind.CONFLICT, ResultKind.DIVERGED)
    return record.last_result in stopped and bool(record.last_message)


def _unpublished_unsaid(record: RepoRecord, branches: Sequence[BranchStatus], remoteless: bool) -> bool:
    """The last run left commits on no remote that neither a branch row (`not published`)
    nor the no-remote note says: a push git refuses (`push.default`), which the message
    names with the setting to change."""
    unpublished = record.last_result == ResultKind.UNPUBLISHED and bool(record.last_message)
    return unpublished and not remoteless and not any(b.unpublished for b in branches)


ENGINE_PAUSED = (
    "background work waits: the running app or daemon paused it, on battery below 20%"
    " (pause_on_battery) or on a metered network (pause_on_metered); `gitferry sync` still runs"
)


def print_status(
    record: RepoRecord,
    branches: list[BranchStatus],
    submodules: Sequence[SubmoduleStatus] = (),
    settings: RepoSettings | None = None,
    app_paused_until: str = "",
    remoteless: bool = False,
    skipped: int = 0,
    conflicts: Sequence[ConflictRecord] = (),
) -> None:
    from core.model import RepoState
    from core.settings import RepoSettings, pause_active

    # A cancelled run (Ctrl-C, Quit, the daemon stopped) is stored `error` but is none: as the window says it
    result = "cancelled" if record.last_message == CANCELLED_MESSAGE else record.last_result
    if result == ResultKind.UP_TO_DATE and (lagging := out_of_step(branches)):
        result = lagging  # that run found nothing to do; a branch behind is not up to date (SPEC)
    last = f"last sync {iso(record.last_sync)}: {result}" if record.last_sync else "never synced"
    settings = settings or RepoSettings()
    mode = f"{settings.sync_mode} sync"
    paused = pause_active(settings.paused_until, time.time()) or pause_active(app_paused_until, time.time())
    if paused:
        mode += ", paused"
    print(f"{record.name}  {record.path}  [{record.state}]  {mode}  {last}")
    if record.state == RepoState.PAUSED and not paused:  # not by a pause of the user's: why then
        print(f"  {ENGINE_PAUSED}")
    if _failed(record):  # what went wrong, and what to do: not the result's name alone
        print(f"  {record.last_message}")
    elif (note := detached_note(record, branches)) is not None:  # before a sync says it (every time)
        print(f"  {note}")
    elif _unpublished_unsaid(record, branches, remoteless) or _stopped(record):
        print(f"  {record.last_message}")
    if remoteless:  # before a sync says it, and after one whose message is not shown (`unpublished`)
        print(f"  {no_remote_note(record.name)}")
    for note in conflict_notes(record.name, conflicts):  # as the window's Conflicts tab
        print(f"  {note}")
    if skipped:  # not synced, though the last sync went well: as the window says it
        print(f"  {counted(skipped, 'file')} skipped (`gitferry skipped {record.name}` says which and why)")
    for b in branches:
        if b.unpublished:
            commits = counted(b.unpublished, "commit")
            where = f"{b.upstream or '(no upstream)'} [not published: {commits} on no remote]"
        elif b.upstream is None:
            where = "(no upstream)"
        elif b.upstream_gone:
            where = f"{b.upstream} [gone]"
        elif b.upstream_head is None:
            where = f"{b.upstream} [not on the remote]"
        elif b.ahead is None:
            where = f"{b.upstream} (not measured)"
        else:
            # counted against the remote-tracking ref this computer has: none fetched it yet
            fetched = "" if b.last_fetch else "  (not fetched yet)"
            alone = _left_alone(b, settings.reach, record.path)
            where = f"{b.upstream}  ahead {b.ahead}, behind {b.behind}{fetched}{alone}"
        print(f"  {b.name:<24} {where}")
    for sub in submodules:
        if sub.state == "modified":
            checked = (sub.checked_out or "")[:12]
            line = f"  submodule {sub.path}: checks out {checked}, the recorded commit is {sub.recorded[:12]}"
            # the way on, as the window says it (a newcomer's trial: the line ended on the hashes)
            print(f"{line} (git submodule update checks out the recorded one)")
        elif sub.state == "changed":
            print(f"  submodule {sub.path}: has local changes (commit or discard them in {sub.path})")
        elif sub.state == "uninitialised":
            print(f"  submodule {sub.path}: not checked out (git submodule update --init checks it out)")


def out_of_step(branches: Sequence[BranchStatus]) -> str | None:
    """'1 branch behind', '2 branches diverged, 1 ahead': the branches not level with their
    upstream (`BranchStatus.lags`), a sync moving them or not; None when every one is."""
    lagging = [b for b in branches if b.lags]
    counts = (
        ("diverged", sum(1 for b in lagging if b.ahead and b.behind)),
        ("behind", sum(1 for b in lagging if b.behind and not b.ahead)),
        ("ahead", sum(1 for b in lagging if not b.behind)),
    )
    said = [(n, kind) for kind, n in counts if n]
    if not said:
        return None
    (n, kind), rest = said[0], said[1:]
    return ", ".join((f"{counted(n, 'branch', 'branches')} {kind}", *(f"{m} {k}" for m, k in rest)))


def _left_alone(b: BranchStatus, reach: SyncReach, path: str) -> str:
    """Why a sync will not move a branch that differs from its upstream ("" if it will);
    held by a git command left unfinished in the repository's own worktree, at `path`: that."""
    from core.model import CHECKED_OUT_USE, held_here_said, in_worktree_said, own_worktree
    from core.phrase import verbatim

    if b.ahead and not b.behind and not b.pending_push:
        return "  (its push remote has it: nothing to push)"
    if not reach.leaves(b):
        return ""
    if own_worktree(b, path):
        return f"  ({held_here_said(b.worktree_use).english()})"
    if b.worktree is not None and (b.behind or b.worktree_use != CHECKED_OUT_USE):
        held = verbatim(f"{b.worktree_use} in the worktree at {b.worktree}: a sync here leaves it as it is")
        return f"  ({in_worktree_said(held, b.worktree).english()})"
    if b.behind:
        return "  (not checked out: a sync leaves it behind, fast_forward_all is off)"
    return "  (not checked out: a sync does not push it, push_all is off)"


def skipped_json(record: RepoRecord, rows: list[SkippedFile]) -> dict[str, Any]:
    return {
        "name": record.name,
        "skipped": [
            {
                "path": s.path,
                "reason": s.reason,
                "size": s.size,
                "since": iso(s.first_seen),
                "failures": s.failures,
                "retry_after": iso(s.retry_after),
            }
            for s in rows
        ],
    }


def print_skipped(record: RepoRecord, rows: list[SkippedFile]) -> None:
    print(f"{record.name}: {len(rows)} skipped" if rows else f"{record.name}: nothing skipped")
    for s in rows:
        size = "" if s.size is None else f"  {s.size} bytes"
        until = f"  until {iso(s.retry_after)}" if s.reason == "failing" and s.retry_after else ""
        print(f"  {s.path}  [{s.reason}]{size}  since {iso(s.first_seen)}{until}")


def strategy_json(setting: str, found: tuple[str, str] | None) -> dict[str, str | None]:
    """The `strategy` of `show --json`: the setting, and the strategy in effect and where it
    comes from as `strategy_at` found them (both null when the repository cannot be read)."""
    effect, source = found if found is not None else (None, None)
    return {"setting": setting, "in_effect": effect, "from": source}


def strategy_line(setting: str, found: tuple[str, str] | None) -> str:
    """`git (now: rebase, pull.rebase=true)`, `rebase (set in Gitferry)`: `show`'s value."""
    from core.settings import AS_GIT_PULL  # `show` only: not on `--version`'s path

    if found is None:
        return setting
    if setting != AS_GIT_PULL:
        return f"{setting} ({found[1]})"
    return f"{setting} (now: {found[0]}, {found[1]})"


def print_report(report: SyncReport) -> None:
    print(f"{report.name}: {report.result} - {report.message}")


NONE_REGISTERED = (
    "gitferry: no repositories yet: add one with `gitferry add PATH` or `gitferry clone URL PATH`"
)


def hint_when_none(count: int, as_json: bool) -> None:
    """On stderr, the way forward when a plain read or a sync found no repository at all
    (stdout stays what scripts read: nothing, or `--json`'s empty list)."""
    if count == 0 and not as_json:
        print(NONE_REGISTERED, file=sys.stderr)


def print_sync(reports: Sequence[dict[str, Any]], crashed: Sequence[str], as_json: bool, log: str) -> int:
    """What `gitferry sync` prints of its reports (`SyncReport.to_json()`, run here or by
    the engine), `crashed` naming those an unexpected error ended (their traceback in
    the log file `log`); returns the exit status."""
    if as_json:
        print_json({"repos": list(reports)})
    else:
        for report in reports:
            print(f"{report['name']}: {report['result']} - {report['message']}")
    hint_when_none(len(reports), as_json)
    for name in crashed:
        print(f"gitferry: {name}: {TRACEBACK_HINT} ({log})", file=sys.stderr)
    return EXIT_OK if all(ResultKind(r["result"]).succeeded for r in reports) else EXIT_FAILED


def progress_line(key: str, p: Progress) -> str:
    """ "notes/origin: receiving 3.2 MiB · 1,234 of 5,000 objects", or during a clone's
    checkout (which moves no bytes) "notes/origin: writing files 120 of 4,000"."""
    if p.phase == "checkout":
        files = f"{p.current:,} of {p.total:,}" if p.total else f"{p.current:,}"
        return f"{key}: writing files {files}"
    line = f"{key}: {p.phase}"
    if p.bytes:
        line += f" {p.bytes / 1048576:.1f} MiB"
    if p.total:
        line += f" · {p.current:,} of {p.total:,} objects"
    elif p.current:
        line += f" · {p.current:,} objects"
    return line


class ProgressView:
    """A progress bar per remote on stderr when it is a terminal; silent otherwise."""

    _shown: ProgressView | None = None  # the one on screen: a sign-in prompt hides it

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> ProgressView:
        if self._progress is not None:
            self._progress.start()
            ProgressView._shown = self
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            ProgressView._shown = None

    @classmethod
    @contextmanager
    def hidden(cls) -> Iterator[None]:
        """The bars off the screen meanwhile (a prompt is being answered)."""
        shown = cls._shown
        if shown is None or shown._progress is None:
            yield
            return
        with shown._lock:
            shown._progress.stop()
            try:
                yield
            finally:
                shown._progress.start()

    def sink(self, repo: str) -> Callable[[str, Progress], None]:
        """The progress callback for one repository's remotes."""
        return lambda remote, p: self.update(repo, remote, p)

    def update(self, repo: str, remote: str, p: Progress) -> None:
        if self._progress is None:
            return
        key = f"{repo}/{remote}" if remote else repo
        with self._lock:
            task = self._tasks.get(key)
            if task is None:
                task = self._tasks[key] = self._progress.add_task(key, total=None)
            self._progress.update(
                task,
                description=progress_line(key, p),
                completed=p.current,
                total=p.total,
            )


def terminal_prompts_allowed() -> bool:
    """git's `GIT_TERMINAL_PROMPT`: set false (`0`, `false`...), git asks for no user name
    or password on the terminal ("terminal prompts disabled"), so a script or an editor
    that sets it never waits on a prompt nobody sees; the askpass program is still run."""
    from core.git.config.values import git_bool

    value = os.environ.get("GIT_TERMINAL_PROMPT")
    return value is None or git_bool(value) is not False


def terminal_sign_in(request: SignInRequest) -> HttpAuth | None:
    """Ask on the terminal, as git asks: a user name (unless one is known), then the
    password or token without echo (unless a credential helper gave it). An empty secret
    or Ctrl-D declines."""
    import getpass  # termios: only for a prompt

    from core.remote_url import HttpAuth

    where = request.url
    with ProgressView.hidden():
        if request.refused:
            print(f"{request.remote}: the saved credentials were refused; sign in again", file=sys.stderr)
        try:
            user = request.username or input(f"Username for '{where}': ").strip()
            if request.password_from is not None:  # the helper's password goes with it
                return HttpAuth(user, "") if user else None
            secret = getpass.getpass(f"Password for '{where}': ")
        except EOFError:
            return None
    return HttpAuth(user, secret) if user and secret else None


def terminal_ssh_prompt(question: SshQuestion) -> str | None:
    """ssh's questions on the terminal: a key's passphrase asked as ssh asks it (without
    echo, the progress bar stopped meanwhile); an unknown host key is never accepted here
    (the sync's line gives its fingerprint and `gitferry trust-host`)."""
    import getpass

    from core.git.transfer.ssh_questions import PassphraseQuestion

    if not isinstance(question, PassphraseQuestion):
        return None
    with ProgressView.hidden():
        try:
            return getpass.getpass(f"Enter passphrase for key '{question.key_file}': ") or None
        except EOFError:
            return None
