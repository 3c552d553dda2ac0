"""Resolving, path by path, a merge that stopped on a conflict, then committing it.

A conflict leaves branch, index and working tree as they were (the sync
contract), so resolving one touches none of them until it finishes: the
merge of the checked-out branch with its upstream is computed again in
memory, and what the user chose for each conflicted path is kept in
`.git/gitferry/resolve/` (`state.json`, and under `files/` the files being
merged by hand or by a merge tool). Choices:

- `mine`: our version (a deletion, if we deleted it); `theirs`: the upstream's;
- `both`: theirs at the path and ours beside it under the conflict copy's name
  an auto-commit repository gives it (`conflict_copies`); refused for a path one
  side deleted (git's modify/delete: one version, not two to keep, `OneVersion`;
  the window does not offer it there), where `mine` or `theirs` keeps the file
  and the other deletes it (a `both` chosen for one before, kept in the state,
  still keeps the present side);
- `merged`: the content of the file edited by hand or by the merge tool; it must
  hold no conflict marker any more when the merge finishes.

`finish_resolution` makes the merge commit (parents: our head, the upstream
commit the resolution started from) with `CommitMaker` (signed when the user's
git signs) and hands it to `switch_branch`, as an integration does: local work
in the way refuses it before anything is stored (the commit, made again at the
next Finish, would otherwise be left dangling); else it stores what the commit
reaches, keeps the old head as a backup ref and moves branch, index and
working tree; then the state is removed.

Under the rebase strategy (`rebase=True`, as the sync's rebase would have integrated) the
resolution goes as `git pull --rebase` and `git rebase --continue` go, commit by commit:
the local commits (those the sync's rebase replays, `rebase_replay`) are replayed in order
on the upstream until one conflicts, and the conflicts listed are that commit's (`Replaying`:
which one, n of m; mine is the commit's version, theirs the upstream's with the commits
before it replayed). Finish replays it with the resolutions (its author, date and message,
a new committer, signed where git signs; left out, as git leaves it out, when the
resolutions leave it changing nothing), then the commits after it, up to the last: then
branch, index and working tree move, as above. A later commit that conflicts stops there
instead (`Finished.stopped`): the commits replayed so far are stored and `state.json`
names the last of them (`tip`) and how many are done, nothing else is touched, and the
same choices and Finish go on from it. A state naming a replayed tip goes on as a rebase
whatever the strategy says now. Where the sync's rebase merges instead (a local commit is
published), Finish merges too.
`abort_resolution` removes the state: nothing else was ever changed (the commits a step
stored are left unreachable, as `git rebase --abort` leaves them), so branch, index and
working tree are as the sync's conflict left them.
When our branch moved meanwhile the choices no longer apply
(`ResolutionStale`): abort and start again. An upstream that moved on is not
followed: the resolution stays on the commit it started from, the next sync
integrates the rest.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import posixpath
import shutil
import stat
import subprocess
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Final, Literal

from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.repo import Repo

from core.atomic_file import write_atomically
from core.errors import BadInput, GitferryError
from core.git.config.builtin_merge_tools import ToolFiles, ToolRun, ToolUnavailable
from core.git.config.identity import signature
from core.git.config.merge_config import conflict_style, rename_settings
from core.git.config.merge_tool_config import configured_merge_tool
from core.git.config.upstreams import Upstream, upstream_of
from core.git.content.filters import UNSUPPORTED_FILTER
from core.git.history.merge_base import merge_bases
from core.git.merge.backup_refs import backup_head
from core.git.merge.conflict_copies import KeepBoth
from core.git.merge.integrate import (
    branch_ref,
    checked_out,
    ensure_unlocked,
    merge_message,
    pull_url,
    short_name,
    tracking_head,
    translate_locks,
)
from core.git.merge.merge_file import MergeOptions, is_binary, merge_file
from core.git.merge.merge_tree import TreeMerge, merge_commits
from core.git.merge.rebase_replay import (
    linearizable,
    local_commits,
    not_upstream,
    published,
    recommit,
    replay,
)
from core.git.merge.tree_view import Entry, PathClash, TreeView
from core.git.objects.lfs_pointer import parse_pointer
from core.git.objects.new_commit import CommitMaker
from core.git.objects.object_overlay import ObjectOverlay
from core.git.repository import current_branch
from core.git.worktree.checkout import WorktreeInTheWay, switch_branch
from core.git.worktree.git_operation import refuse_in_progress
from core.phrase import Phrase, phrase, some

Choice = Literal["mine", "theirs", "both", "merged"]
Side = Literal["ours", "theirs"]
CHOICES: Final = ("mine", "theirs", "both")
TEXT_LIMIT: Final = 1024 * 1024  # larger sides are shown by size and date, as binary ones
_STATE_DIR: Final = ("gitferry", "resolve")
_MARKERS: Final = (b"<<<<<<< ", b">>>>>>> ")
_FINISHED: Final = b", conflicts resolved"  # how Finish's reflog entry ends


class NothingToResolve(GitferryError):
    def __init__(self, why: Phrase) -> None:
        super().__init__(why)


class ResolutionStale(GitferryError):
    def __init__(self, branch: str) -> None:
        super().__init__(
            phrase(
                "{branch} moved since its conflicts were being resolved: "
                "abort the resolution and start again",
                branch=branch,
            )
        )


class Unresolved(BadInput):
    def __init__(self, paths: list[str]) -> None:
        super().__init__(phrase("%n path(s) still to resolve: {paths}", len(paths), paths=some(paths, 3)))
        self.paths = paths


class OneVersion(BadInput):
    """`both` for a path one side deleted: there is nothing to keep beside it."""

    def __init__(self, path: str, deleted_by: Side) -> None:
        if deleted_by == "theirs":
            how = phrase(
                "the remote deleted it, so there is one version, not two to keep: "
                "--mine keeps the file, --theirs deletes it"
            )
        else:
            how = phrase(
                "this computer deleted it, so there is one version, not two to keep: "
                "--theirs takes the remote's back, --mine leaves it deleted"
            )
        super().__init__(phrase("{path}: {how}; nothing was chosen", path=path, how=how))
        self.path = path
        self.deleted_by = deleted_by


class MergeToolFailed(GitferryError):
    def __init__(self, path: str, why: str | Phrase) -> None:
        super().__init__(phrase("{path}: {why}; nothing was chosen for it", path=path, why=why))


@dataclass(frozen=True)
class Version:
    """One side of a conflicted path: absent (`oid` None), text (`data`) or binary."""

    oid: str | None = None
    mode: int | None = None
    size: int | None = None
    binary: bool = False
    data: bytes | None = None  # text up to TEXT_LIMIT
    when: datetime | None = None  # the commit on this side that last changed it (binary files)

    @property
    def present(self) -> bool:
        return self.oid is not None


@dataclass(frozen=True)
class ConflictedPath:
    path: str
    base: Version
    ours: Version
    theirs: Version
    choice: Choice | None = None
    merge_file: str | None = None  # the file being merged by hand or by the tool
    # chosen `merged` and its file still holds git's conflict markers (as Finish would see
    # it now): not resolved yet, whatever the choice says (an editor still open on it)
    markers_left: bool = False

    @property
    def binary(self) -> bool:
        return any(side.binary or (side.present and side.data is None) for side in self.sides)

    @property
    def deleted_by(self) -> Side | None:
        """The side that deleted the path the other changed (git's modify/delete): one
        version, not two, so `both` is neither offered nor taken (`OneVersion`)."""
        if not self.theirs.present:
            return "theirs"
        if not self.ours.present:
            return "ours"
        return None

    @property
    def sides(self) -> tuple[Version, Version, Version]:
        return self.base, self.ours, self.theirs

    def diff(self, side: Literal["ours", "theirs"]) -> list[str]:
        """`side` against the base, as unified diff lines (empty for binary files)."""
        version = self.ours if side == "ours" else self.theirs
        if self.binary:
            return []
        return list(
            difflib.unified_diff(
                _lines(self.base.data),
                _lines(version.data),
                fromfile=f"base/{self.path}",
                tofile=f"{side}/{self.path}",
                lineterm="",
            )
        )


@dataclass(frozen=True)
class Replaying:
    """Under the rebase strategy, the local commit whose conflicts are listed: `step` of `steps`."""

    commit: str
    subject: str
    step: int  # from 1
    steps: int


@dataclass(frozen=True)
class Resolution:
    branch: str
    upstream: str  # remote/branch
    ours: str  # the branch's head
    theirs: str  # the upstream's head the resolution started from
    paths: list[ConflictedPath] = field(default_factory=list)
    replaying: Replaying | None = None  # None: a merge of the two

    @property
    def unresolved(self) -> list[str]:
        return [p.path for p in self.paths if p.choice is None]


@dataclass(frozen=True)
class Finished:
    branch: str
    old_head: str
    new_head: str
    choices: dict[str, str]
    arrived: str  # the upstream's head merged in: what came in is what it has that old_head had not
    rebased: bool = False  # the local commits replayed on the upstream, not merged with it
    # a later local commit stopped on its own conflicts: the branch is not moved yet (new_head
    # is the last commit replayed so far) and these are the next to resolve
    stopped: Resolution | None = None
    unconverted: tuple[str, ...] = ()  # paths the switch left unwritten (a filter not run here)


@dataclass
class _State:
    branch: str
    ours: str
    theirs: str
    choices: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> file under the state dir
    # a rebase under way: local commits replayed so far, the last of them (stored), the
    # choices of the commits they resolved, and the conflicted paths of the one stopped on
    done: int = 0
    tip: str | None = None
    resolved: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Step:
    """The rebase strategy's replay, stopped on `picks[index]` going onto `onto`."""

    picks: list[Commit]
    index: int
    onto: ObjectID

    @property
    def pick(self) -> Commit:
        return self.picks[self.index]

    def replaying(self) -> Replaying:
        subject = self.pick.message.decode("utf-8", "replace").strip().split("\n", 1)[0]
        return Replaying(self.pick.id.decode(), subject, self.index + 1, len(self.picks))


@dataclass(frozen=True)
class _Plan:
    repo: Repo
    branch: str
    upstream: Upstream
    local: ObjectID
    remote: ObjectID
    bases: list[ObjectID]  # of the two sides merged
    objects: ObjectOverlay
    view: TreeView
    merged: TreeMerge
    state: _State
    step: _Step | None = None  # the rebase strategy's: its commit merged with the tip so far

    @property
    def sides(self) -> tuple[ObjectID, ObjectID]:
        """The commits merged: ours (mine) and theirs."""
        return (self.step.pick.id, self.step.onto) if self.step is not None else (self.local, self.remote)

    @cached_property
    def trees(self) -> tuple[tuple[ObjectID | None, ObjectID | None], ...]:
        """(tree, commit) of the base, ours and theirs (the base's both None when there is none).
        The trees as the merge saw them: a file one side renamed has the other side's version
        at its new path (the commits' own trees said "deleted" there, and Use theirs deleted it)."""
        base = self.bases[0] if self.bases else None
        heads = (base, *self.sides)
        if self.merged.sides is not None:
            return tuple(zip(self.merged.sides, heads, strict=True))
        return tuple((self.objects.commit(head).tree if head is not None else None, head) for head in heads)


def conflicts_to_resolve(repo: Repo, *, rebase: bool = False) -> Resolution:
    """The checked-out branch's conflicts with its upstream (`rebase`: those of the local
    commit the rebase strategy stops on), each side's version, and what was chosen so far.
    `NothingToResolve` when the branch has not diverged."""
    return _resolution(_plan(repo, rebase=rebase))


def choose(repo: Repo, path: str, choice: str, *, rebase: bool = False) -> Resolution:
    """Resolve `path` by `choice` (`mine`, `theirs`, `both`)."""
    if choice not in CHOICES:
        raise BadInput(
            phrase("{choice} is not a choice: {choices}", choice=choice, choices=", ".join(CHOICES))
        )
    plan = _plan(repo, rebase=rebase)
    conflicted = _ensure_conflicted(plan, path)
    if choice == "both" and conflicted.deleted_by is not None:
        raise OneVersion(path, conflicted.deleted_by)
    plan.state.choices[path] = choice
    _save(repo, plan.state)
    return _resolution(plan)


def merge_file_path(repo: Repo, path: str, *, rebase: bool = False) -> str:
    """The file to merge `path` in by hand (written with conflict markers the first
    time); from now on the path is resolved by its content."""
    plan = _plan(repo, rebase=rebase)
    _ensure_mergeable(plan, path)
    target = _merge_file(plan, path)
    plan.state.choices[path] = "merged"
    _save(repo, plan.state)
    return target


def run_merge_tool(repo: Repo, path: str, *, rebase: bool = False) -> Resolution:
    """Run the merge tool git's config names on `path` as `git mergetool` does
    (`$BASE $LOCAL $REMOTE $MERGED`, from the top of the working tree); what it leaves in
    `$MERGED` resolves the path, unless it failed (a non-zero exit it is trusted for)
    or left conflict markers."""
    tool = configured_merge_tool(repo)
    plan = _plan(repo, rebase=rebase)
    conflicted = _ensure_mergeable(plan, path)
    merged = _merge_file(plan, path)
    folder, name = os.path.split(merged)
    stem, ext = os.path.splitext(name)
    env = dict(os.environ, MERGED=merged)
    temporary = []
    for label, version in (
        ("BASE", conflicted.base),
        ("LOCAL", conflicted.ours),
        ("REMOTE", conflicted.theirs),
    ):
        side = os.path.join(folder, f"{stem}_{label}_{os.getpid()}{ext}")
        _write(side, _data(plan, version))
        temporary.append(side)
        env[label] = side
    with open(merged, "rb") as f:
        before = f.read()
    try:
        if tool.command is not None:
            run = ToolRun(["/bin/sh", "-c", tool.command])
        else:
            files = ToolFiles(env["BASE"], env["LOCAL"], env["REMOTE"], merged, path, conflicted.base.present)
            run = tool.builtin(files)
        done = subprocess.run(run.argv, cwd=run.cwd or repo.path, env=env, check=False)
        if run.result_from is not None and done.returncode == 0:
            shutil.copyfile(run.result_from, merged)  # as git's vimdiff1 takes LOCAL's window
    except ToolUnavailable as exc:
        raise MergeToolFailed(path, exc.phrase) from None
    except OSError as exc:
        unrun = phrase("could not run {tool}: {error}", tool=tool.name, error=str(exc.strerror or exc))
        raise MergeToolFailed(path, unrun) from None
    finally:
        for side in temporary:
            with contextlib.suppress(FileNotFoundError):
                os.remove(side)
    with open(merged, "rb") as f:
        after = f.read()
    why = _tool_failure(
        tool.name, done.returncode if tool.trust_exit_code else 0, before, after, conflicted.binary
    )
    if why is not None:
        _write(merged, before)  # as git mergetool restores its backup: the next try starts over
        raise MergeToolFailed(path, why)
    plan.state.choices[path] = "merged"
    _save(repo, plan.state)
    return _resolution(plan)


def _tool_failure(name: str, status: int, before: bytes, after: bytes, binary: bool) -> Phrase | None:
    """Why the tool's merge is not taken (None: it is)."""
    if status != 0:
        return phrase("{tool} exited with {status}", tool=name, status=status)
    if has_markers(after) and not binary:
        return phrase("{tool} left conflict markers in it", tool=name)
    if binary and after == before:
        return phrase("{tool} left it unchanged", tool=name)
    return None


def finish_resolution(repo: Repo, *, now: float | None = None, rebase: bool = False) -> Finished:
    """Commit the merge with every conflicted path resolved (`rebase`: the local commit
    replayed with them, then the commits after it), keep the old head as a backup ref, and
    move branch, index and working tree to it; or store what was replayed up to a later
    commit's conflicts (see the module docstring)."""
    maker = CommitMaker.for_repo(repo, now)
    plan = _plan(repo, rebase=rebase, maker=maker)
    missing = [path for path in plan.merged.conflicts if path not in plan.state.choices]
    if missing:
        raise Unresolved(missing)
    tree = _resolved_tree(plan, now)
    if plan.step is not None:
        step = plan.step
        commit = step.onto  # left out, as git's rebase --continue leaves out a commit changing nothing
        if tree != plan.objects.commit(step.onto).tree:
            commit = recommit(plan.objects, step.pick, tree, step.onto, maker)
        rest = replay(
            plan.objects, step.picks[step.index + 1 :], commit, maker, renames=rename_settings(repo)
        )
        if rest.conflicts:
            return _stop(plan, step.index + 1 + rest.applied, rest.head)
        commit = rest.head
    else:
        message = merge_message(plan.upstream, [], pull_url(repo, plan.upstream.remote))
        if plan.merged.conflicts:
            lines = [f"  {path}: {plan.state.choices[path]}" for path in plan.merged.conflicts]
            message += ("\nConflicts resolved:\n" + "\n".join(lines) + "\n").encode()
        commit = plan.objects.add(maker.make(tree=tree, parents=[plan.local, plan.remote], message=message))
    ensure_unlocked(repo, [branch_ref(plan.branch)], index=True)
    how = "rebase onto" if plan.step is not None else "merge with"
    with translate_locks():
        try:
            switched = switch_branch(
                repo,
                branch_ref(plan.branch),
                plan.local,
                commit,
                message=f"gitferry: {how} {short_name(plan.upstream)}".encode() + _FINISHED,
                on_checked=lambda: backup_head(repo, plan.branch, plan.local, now=now),
                objects=plan.objects,
            )
        except WorktreeInTheWay as refused:
            raise refused.again("finish") from None  # the way back is Finish, not a sync
    abort_resolution(repo)
    return Finished(
        plan.branch,
        plan.local.decode(),
        commit.decode(),
        {**plan.state.resolved, **plan.state.choices},
        plan.remote.decode(),
        rebased=plan.step is not None,
        unconverted=tuple(os.fsdecode(s.path) for s in switched.skipped if s.reason == UNSUPPORTED_FILTER),
    )


def _resolved_tree(plan: _Plan, now: float | None) -> ObjectID:
    """The merged tree with every conflicted path as chosen."""
    edits: dict[bytes, Entry | None] = {}
    for path in plan.merged.conflicts:
        edits.update(_edits(plan, path, plan.state.choices[path], now))
    try:
        tree = plan.view.edit(plan.merged.tree, edits)
    except PathClash as exc:
        raise BadInput(
            phrase("{clash}: a file against a directory cannot be resolved here; use git", clash=str(exc))
        ) from None
    if tree is None:  # every file resolved away: an empty tree, as git would commit it
        tree = plan.objects.add(Tree())
    plan.view.keep((stat.S_IFDIR, tree))
    return tree


def _stop(plan: _Plan, done: int, tip: ObjectID) -> Finished:
    """The replay stopped again, on the conflicts of the commit after the `done` first:
    the commits replayed so far stored first, then the state naming them (a kill between
    leaves the state as it was: the step is done again), then the finished step's merge
    files removed."""
    plan.objects.write(only_from=tip)
    finished_files = list(plan.state.files.values())
    state = _State(
        plan.branch,
        plan.state.ours,
        plan.state.theirs,
        done=done,
        tip=tip.decode(),
        resolved={**plan.state.resolved, **plan.state.choices},
    )
    following = _plan(plan.repo, rebase=True, state=state)
    state.paths = list(following.merged.conflicts)
    _save(plan.repo, state)
    for relative in finished_files:
        shutil.rmtree(os.path.join(_state_dir(plan.repo), os.path.dirname(relative)), ignore_errors=True)
    return Finished(
        plan.branch,
        plan.local.decode(),
        tip.decode(),
        dict(state.resolved),
        plan.remote.decode(),
        rebased=True,
        stopped=_resolution(following),
    )


def finished_already(repo: Repo) -> Finished | None:
    """The resolution a killed Finish completed: the branch moved from the head the
    resolution started at by Finish's switch (its reflog says so), the state left behind;
    the state is removed (None: no resolution, or one still to finish)."""
    try:
        state = _load(repo)
        branch, head = checked_out(repo)
    except GitferryError:
        return None
    if state is None or state.branch != branch or state.ours == head.decode():
        return None
    entries = deque(repo.read_reflog(branch_ref(branch)), maxlen=1)
    last = entries[0] if entries else None
    if last is None or (last.old_sha, last.new_sha) != (state.ours.encode(), head):
        return None
    if not last.message.startswith(b"gitferry: ") or not last.message.endswith(_FINISHED):
        return None
    abort_resolution(repo)
    rebased = len(repo[head].parents) == 1  # type: ignore[attr-defined]
    return Finished(
        branch, state.ours, head.decode(), {**state.resolved, **state.choices}, state.theirs, rebased
    )


def replay_stopped_on(repo: Repo) -> list[str] | None:
    """The conflicted paths of the local commit a rebase resolution of the checked-out
    branch stopped on after replaying others (None: no such resolution, or the branch
    moved since): a sync lists those, not the first commit's, while the resolution goes on."""
    try:
        state = _load(repo)
        if state is None or state.tip is None:
            return None
        branch, head = checked_out(repo)
    except GitferryError:
        return None
    return list(state.paths) if state.branch == branch and state.ours == head.decode() else None


def abort_resolution(repo: Repo) -> bool:
    """Forget the resolution under way (choices and files being merged); False when there
    was none. Nothing else was changed by it."""
    folder = _state_dir(repo)
    if not os.path.isdir(folder):
        return False
    shutil.rmtree(folder)
    return True


def has_markers(data: bytes) -> bool:
    """Whether `data` still holds a conflict marker line as git writes them."""
    return any(line.startswith(_MARKERS) or line.rstrip(b"\r\n") == b"=======" for line in data.splitlines())


# The plan ---------------------------------------------------------------------------


def _plan(
    repo: Repo, *, rebase: bool = False, maker: CommitMaker | None = None, state: _State | None = None
) -> _Plan:
    """`rebase`: the rebase strategy's step, its commits replayed by `maker` (listing and
    choosing replay unsigned, in memory: the conflicts are the same); `state`: this one,
    not the stored one."""
    refuse_in_progress(repo, current_branch(repo))
    branch, local = checked_out(repo)
    upstream = upstream_of(repo, branch)
    state = _load(repo) if state is None else state
    if state is not None and (state.branch != branch or state.ours != local.decode()):
        raise ResolutionStale(state.branch)
    if upstream is None:
        raise NothingToResolve(phrase("{branch} has no upstream: there is nothing to merge", branch=branch))
    remote = ObjectID(state.theirs.encode()) if state is not None else tracking_head(repo, upstream)
    if remote is None:
        raise NothingToResolve(
            phrase("{upstream} is gone: there is nothing to merge", upstream=short_name(upstream))
        )
    bases = merge_bases(repo, local, remote)
    if remote in bases or local in bases:
        raise NothingToResolve(
            phrase(
                "{branch} has not diverged from {upstream}: there is nothing to resolve",
                branch=branch,
                upstream=short_name(upstream),
            )
        )
    objects = ObjectOverlay(repo.object_store)
    view = TreeView(objects)
    if state is None:
        state = _State(branch, local.decode(), remote.decode())
    step = None
    if rebase or state.tip is not None:
        step = _step(repo, objects, local, remote, state, maker or _listing_maker(repo))
    if step is not None:
        pick = step.pick
        bases = list(pick.parents)
        merged = merge_commits(repo, objects, pick.id, step.onto, bases, view=view)
    else:
        merged = merge_commits(repo, objects, local, remote, bases, view=view)
    return _Plan(repo, branch, upstream, local, remote, bases, objects, view, merged, state, step)


def _step(
    repo: Repo, objects: ObjectOverlay, local: ObjectID, remote: ObjectID, state: _State, maker: CommitMaker
) -> _Step | None:
    """Where the rebase strategy's replay stops, from the commits replayed so far (None:
    where the sync's rebase merges instead: a local commit is published, or a merge among
    them carries changes of its own). The commits are those the sync replays, merges left out."""
    commits = local_commits(repo, local, remote)
    if state.tip is None and (published(repo, commits, remote) or not linearizable(repo, objects, commits)):
        return None
    picks = [c for c in not_upstream(repo, objects, commits, remote, local) if len(c.parents) < 2]
    onto = ObjectID(state.tip.encode()) if state.tip is not None else remote
    replayed = replay(objects, picks[state.done :], onto, maker, renames=rename_settings(repo))
    if not replayed.conflicts:
        raise NothingToResolve(
            phrase(
                "{local}'s commits replay on {remote} without conflict now: sync it",
                local=local.decode()[:10],
                remote=remote.decode()[:10],
            )
        )
    return _Step(picks, state.done + replayed.applied, replayed.head)


def _listing_maker(repo: Repo) -> CommitMaker:
    """Who replays the commits before the one listed, unsigned: only their trees are read."""
    return CommitMaker(signature(repo, "AUTHOR"), signature(repo, "COMMITTER"), None)


def _resolution(plan: _Plan) -> Resolution:
    paths = [_conflicted(plan, path) for path in plan.merged.conflicts]
    return Resolution(
        plan.branch,
        short_name(plan.upstream),
        plan.local.decode(),
        plan.remote.decode(),
        paths,
        plan.step.replaying() if plan.step is not None else None,
    )


def _conflicted(plan: _Plan, path: str) -> ConflictedPath:
    """One conflicted path's three versions and what was chosen for it so far."""
    raw = path.encode()
    file = plan.state.files.get(path)
    base, ours, theirs = (_version(plan, tree, raw, head) for tree, head in plan.trees)
    choice = _choice(plan.state.choices.get(path))
    merge_file = os.path.join(_state_dir(plan.repo), file) if file else None
    return ConflictedPath(
        path,
        base,
        ours,
        theirs,
        choice,
        merge_file,
        markers_left=choice == "merged" and merge_file is not None and _markers_in(merge_file),
    )


def _markers_in(file: str) -> bool:
    """Whether a merged file still holds conflict markers (a binary one never does)."""
    try:
        with open(file, "rb") as f:
            content = f.read()
    except OSError:
        return False  # gone: Finish says so
    return has_markers(content) and not is_binary(content)


def _version(plan: _Plan, tree: ObjectID | None, path: bytes, head: ObjectID | None) -> Version:
    entry = plan.view.lookup(tree, path)
    if entry is None or not (stat.S_ISREG(entry[0]) or stat.S_ISLNK(entry[0])):
        return Version() if entry is None else Version(entry[1].decode(), entry[0])
    data = plan.objects.blob(entry[1]).data
    # a Git LFS pointer stands for the file, whose size it gives: said as a binary file of
    # that size, as the user has it (not as 130 bytes of pointer text to merge line by line)
    pointer = parse_pointer(data)
    binary = pointer is not None or is_binary(data)
    when = _last_change(plan, head, path) if binary and head is not None else None
    shown = data if not binary and len(data) <= TEXT_LIMIT else None
    size = pointer.size if pointer is not None else len(data)
    return Version(entry[1].decode(), entry[0], size, binary, shown, when)


def _last_change(plan: _Plan, head: ObjectID, path: bytes) -> datetime | None:
    """When the commit on `head`'s side that last changed `path` was made (one the listing
    replayed in memory: its author date, which the rebase keeps)."""
    objects = plan.objects
    while objects.made(head) is not None:
        commit = objects.commit(head)
        parent = commit.parents[0]
        if plan.view.lookup(commit.tree, path) != plan.view.lookup(objects.commit(parent).tree, path):
            return datetime.fromtimestamp(commit.author_time, UTC)
        head = parent
    for walked in plan.repo.get_walker(include=[head], paths=[path], max_entries=1):
        return datetime.fromtimestamp(walked.commit.commit_time, UTC)
    return None


def _ensure_conflicted(plan: _Plan, path: str) -> ConflictedPath:
    if path not in plan.merged.conflicts:
        raise BadInput(phrase("{path} is not a conflicted path of {branch}", path=path, branch=plan.branch))
    return _conflicted(plan, path)


def _ensure_mergeable(plan: _Plan, path: str) -> ConflictedPath:
    """A path whose sides are files (or absent): one a file can be merged into."""
    conflicted = _ensure_conflicted(plan, path)
    for side in conflicted.sides:
        if (
            side.present
            and side.mode is not None
            and not (stat.S_ISREG(side.mode) or stat.S_ISLNK(side.mode))
        ):
            raise BadInput(
                phrase(
                    "{path} is a directory or a submodule on one side: use mine, theirs or keep both",
                    path=path,
                )
            )
    return conflicted


def _merge_file(plan: _Plan, path: str) -> str:
    """The file `path` is merged in (created with git's conflict markers, or ours for a
    binary file, the first time)."""
    relative = plan.state.files.get(path)
    if relative is None:
        # a rebase's later commits' files apart from those of the commits before
        number = (
            str(len(plan.state.files) + 1)
            if plan.state.tip is None
            else f"{plan.state.done}-{len(plan.state.files) + 1}"
        )
        relative = os.path.join("files", number, posixpath.basename(path))
        plan.state.files[path] = relative
    target = os.path.join(_state_dir(plan.repo), relative)
    if not os.path.exists(target):
        _write(target, _marked(plan, _conflicted(plan, path)))
        _save(plan.repo, plan.state)
    return target


def _data(plan: _Plan, version: Version) -> bytes:
    """The content of one side's version (empty when the path is absent there)."""
    return plan.objects.blob(ObjectID(version.oid.encode())).data if version.oid else b""


def _marked(plan: _Plan, conflicted: ConflictedPath) -> bytes:
    ours, theirs = _data(plan, conflicted.ours), _data(plan, conflicted.theirs)
    if conflicted.binary:
        return ours
    base = _data(plan, conflicted.base) if conflicted.base.present else None
    labels = (b"mine", b"base", f"theirs ({short_name(plan.upstream)})".encode())
    options = MergeOptions(style=conflict_style(plan.repo), labels=labels)
    return merge_file(base, ours, theirs, options).content


def _edits(plan: _Plan, path: str, choice: str, now: float | None) -> dict[bytes, Entry | None]:
    raw = path.encode()
    _, (ours_tree, _), (theirs_tree, _) = plan.trees
    ours = plan.view.lookup(ours_tree, raw)
    theirs = plan.view.lookup(theirs_tree, raw)
    if choice == "mine":
        return {raw: ours}
    if choice == "theirs":
        return {raw: theirs}
    if choice == "both":
        if ours is None or theirs is None:
            return {raw: ours or theirs}
        parent, _slash, name = raw.rpartition(b"/")
        folder = plan.view.lookup(plan.merged.tree, parent) if parent else (stat.S_IFDIR, plan.merged.tree)
        used = set(plan.view.entries(folder[1], parent)) if folder is not None else set()
        keep = KeepBoth.in_worktree(plan.repo.path, now=now)
        copy = keep.name_for(parent, name, is_dir=False, used=used)
        return {raw: theirs, (parent + b"/" + copy if parent else copy): ours}
    file = plan.state.files.get(path)
    if file is None:
        raise BadInput(phrase("{path}: its merged file is missing; choose again", path=path))
    with open(os.path.join(_state_dir(plan.repo), file), "rb") as f:
        content = f.read()
    sides = [e for e in (ours, theirs) if e is not None and stat.S_ISREG(e[0])]
    if has_markers(content) and not is_binary(content):
        merged = os.path.join(_state_dir(plan.repo), file)
        raise BadInput(phrase("{path} still has conflict markers (in {file})", path=path, file=merged))
    mode = sides[0][0] if sides else stat.S_IFREG | 0o644
    return {raw: (mode, plan.objects.add(Blob.from_string(content)))}


# The state file ---------------------------------------------------------------------


def _state_dir(repo: Repo) -> str:
    return os.path.join(repo.controldir(), *_STATE_DIR)


def _load(repo: Repo) -> _State | None:
    try:
        with open(os.path.join(_state_dir(repo), "state.json"), encoding="utf-8") as f:
            raw = json.load(f)
        return _State(
            raw["branch"],
            raw["ours"],
            raw["theirs"],
            dict(raw["choices"]),
            dict(raw["files"]),
            int(raw.get("done", 0)),
            raw.get("tip"),
            dict(raw.get("resolved", {})),
            list(raw.get("paths", [])),
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        raise GitferryError(
            phrase("{folder}/state.json is damaged: abort the resolution", folder=_state_dir(repo))
        ) from None


def _save(repo: Repo, state: _State) -> None:
    document: dict[str, object] = {
        "branch": state.branch,
        "ours": state.ours,
        "theirs": state.theirs,
        "choices": state.choices,
        "files": state.files,
    }
    if state.tip is not None:  # a rebase that replayed commits already
        document |= {"done": state.done, "tip": state.tip, "resolved": state.resolved, "paths": state.paths}
    _write(os.path.join(_state_dir(repo), "state.json"), json.dumps(document, indent=1).encode())


def _write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_atomically(path, data)


def _choice(text: str | None) -> Choice | None:
    for known in ("mine", "theirs", "both", "merged"):
        if text == known:
            return known
    return None


def _lines(data: bytes | None) -> list[str]:
    return [] if data is None else data.decode("utf-8", "replace").splitlines()
