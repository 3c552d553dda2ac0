"""The command line's way forward from a conflict, and the history: `gitferry resolve`,
`gitferry history`, `gitferry undo` (the engine's `resolve` and `history` modules,
imported by the handlers only: see `core/cli.py` on the cold path)."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from core.cli_output import EXIT_FAILED, EXIT_OK, ProgressView, iso, print_json, print_report
from core.errors import BadInput
from core.results import counted

if TYPE_CHECKING:
    import argparse

    from core.engine.core import Core
    from core.engine.history import BranchChange, HistoryEntry
    from core.git.merge.resolution import ConflictedPath, Resolution, Version
    from core.model import RepoRecord

_CHOICE_FLAGS = ("mine", "theirs", "both", "tool", "edit")

Handler = Callable[["Core", "argparse.Namespace"], Awaitable[int]]


def _resolve_args(resolve: argparse.ArgumentParser) -> None:
    resolve.add_argument("name")
    resolve.add_argument("path", nargs="?", help="the conflicted path to resolve")
    how = resolve.add_mutually_exclusive_group()
    how.add_argument("--mine", action="store_true", help="keep my version of PATH")
    how.add_argument("--theirs", action="store_true", help="take the upstream's version of PATH")
    how.add_argument("--both", action="store_true", help="theirs at PATH, mine beside it as a conflict copy")
    how.add_argument("--tool", action="store_true", help="merge PATH with git's merge.tool")
    how.add_argument(
        "--edit", action="store_true", help="print a file with conflict markers to edit for PATH"
    )
    how.add_argument("--finish", action="store_true", help="commit the merge and sync")
    how.add_argument("--abort", action="store_true", help="forget every choice (nothing else changed)")
    resolve.add_argument("--diff", action="store_true", help="show each side against the base")
    resolve.add_argument("--no-push", action="store_true", help="with --finish: commit, do not sync")
    resolve.add_argument("--json", action="store_true")


def _history_args(past: argparse.ArgumentParser) -> None:
    past.add_argument("name")
    past.add_argument("--limit", type=int, default=10)
    past.add_argument("--json", action="store_true")


def _undo_args(undo: argparse.ArgumentParser) -> None:
    undo.add_argument("name")


# `resolve`, `history` and `undo` among the CLI's commands (`core.cli.COMMANDS`).
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "resolve": ("resolve a conflict: list, choose per path, finish or abort", _resolve_args),
    "history": ("recent syncs: what came in and went out", _history_args),
    "undo": ("undo the last integration, if it was not pushed", _undo_args),
}


async def resolve(core: Core, args: argparse.Namespace) -> int:
    """Exit status as the README's table: 0 done (a listing with nothing to resolve too:
    that is its answer), 1 failed, 2 bad input (a choice, `--edit`, `--tool` or `--finish`
    where nothing is conflicted). With `--json`, stdout is one JSON document whatever
    happens (a refusal: `{"name", "error"}` as every `--json` command's, `core.cli.main`)."""
    from core.engine import resolve as resolve_ops
    from core.git.merge.resolution import NothingToResolve

    record = await core.store.repo(args.name)
    chosen = [flag for flag in _CHOICE_FLAGS if getattr(args, flag)]
    if (chosen and not args.path) or (args.path and not chosen):
        raise BadInput("give a PATH with one of --mine, --theirs, --both, --tool, --edit")
    if args.abort:
        had = await resolve_ops.abort(core, record)
        said = "resolution aborted; nothing was changed" if had else "no resolution under way"
        _say(args, {"name": record.name, "aborted": had}, f"{record.name}: {said}")
        return EXIT_OK
    try:
        return await _choose(core, args, record, chosen)
    except NothingToResolve as exc:
        if chosen or args.finish:
            raise BadInput(f"{record.name}: {exc.message}") from None  # nothing to choose for
        nothing = {"name": record.name, "nothing_to_resolve": exc.message, "paths": [], "unresolved": []}
        _say(args, nothing, f"{record.name}: {exc.message}")
        return EXIT_OK


async def _choose(core: Core, args: argparse.Namespace, record: RepoRecord, chosen: list[str]) -> int:
    from core.engine import resolve as resolve_ops
    from core.engine.sync import SyncOptions, sync_repository

    if args.finish:
        done = await resolve_ops.finish(core, record)
        merged = {
            "name": record.name,
            "branch": done.branch,
            "new_head": done.new_head,
            "old_head": done.old_head,
        }
        stopped = done.stopped
        if stopped is not None:  # a later commit of the rebase stopped on its own conflicts
            step = stopped.replaying.step if stopped.replaying is not None else 0
            _say(
                args,
                {**merged, "stopped": resolution_json(stopped)},
                f"{record.name}: the commits before commit {step} are replayed; it stops on conflicts "
                f"of its own ({done.branch} moves once the last is replayed)",
            )
            if not args.json:
                print_resolution(stopped, record.name, diff=False)
            return EXIT_OK
        line = (
            f"{record.name}: {done.branch} {'rebased' if done.rebased else 'merged'} as {done.new_head[:10]} "
            f"(was {done.old_head[:10]}, kept as a backup ref)"
        )
        if args.no_push:
            _say(args, merged, line)
            return EXIT_OK
        if not args.json:
            print(line)
        with ProgressView() as view:
            report = await sync_repository(core, record, SyncOptions(ask=True), view.sink(record.name))
        if args.json:
            print_json({**merged, "sync": report.to_json()})
        else:
            print_report(report)
        return EXIT_OK if report.result.succeeded else EXIT_FAILED
    if chosen == ["edit"]:
        edit = await resolve_ops.merge_file(core, record, args.path)
        _say(args, {"name": record.name, "path": args.path, "merge_file": edit}, edit)
        return EXIT_OK
    if chosen == ["tool"]:
        found = await resolve_ops.merge_tool(core, record, args.path)
    elif chosen:
        found = await resolve_ops.resolve_path(core, record, args.path, chosen[0])
    else:
        found = await resolve_ops.resolution(core, record)
    if args.json:
        print_json(resolution_json(found))
    else:
        print_resolution(found, record.name, diff=args.diff)
    return EXIT_OK


def _say(args: argparse.Namespace, document: dict[str, Any], line: str) -> None:
    if args.json:
        print_json(document)
    else:
        print(line)


async def history(core: Core, args: argparse.Namespace) -> int:
    from core.engine import history as history_ops

    if args.limit < 1:
        raise BadInput("--limit must be 1 or more")
    record = await core.store.repo(args.name)
    entries = await history_ops.history(core, record, args.limit)
    if args.json:
        print_json({"name": record.name, "runs": [_entry_json(e) for e in entries]})
    else:
        for entry in entries:
            _print_entry(entry)
    return EXIT_OK


async def undo(core: Core, args: argparse.Namespace) -> int:
    from core.engine import history as history_ops

    record = await core.store.repo(args.name)
    done, _branches = await history_ops.undo_last_integration(core, record)
    print(
        f"{record.name}: {done.branch} is back at {done.restored[:10]}; "
        f"{done.undone[:10]} is kept as a backup ref"
    )
    return EXIT_OK


HANDLERS: dict[str, Handler] = {"resolve": resolve, "history": history, "undo": undo}


def resolution_json(found: Resolution) -> dict[str, Any]:
    return {
        "branch": found.branch,
        "upstream": found.upstream,
        "ours": found.ours,
        "theirs": found.theirs,
        "unresolved": found.unresolved,
        "replaying": None if found.replaying is None else vars(found.replaying),
        "paths": [
            {
                "path": p.path,
                "choice": p.choice,
                "binary": p.binary,
                "merge_file": p.merge_file,
                **{
                    name: _version_json(v)
                    for name, v in (("base", p.base), ("ours", p.ours), ("theirs", p.theirs))
                },
            }
            for p in found.paths
        ],
    }


def print_resolution(found: Resolution, name: str, *, diff: bool) -> None:
    left = len(found.unresolved)
    replaying = found.replaying
    if replaying is not None:  # git's "Could not apply 1a2b3c4... subject"
        print(
            f"{found.branch} onto {found.upstream}: replaying commit {replaying.step} of {replaying.steps}, "
            f"{replaying.commit[:10]} {replaying.subject}"
        )
    print(f"{found.branch} with {found.upstream}: {len(found.paths)} conflicted, {left} still to resolve")
    for p in found.paths:
        print(f"  {p.choice or 'unresolved':<10} {p.path}  ({_describe(p)})")
        if diff and not p.binary:
            for side in ("ours", "theirs"):
                for line in p.diff(side):
                    print(f"    {line}")
    command = f"gitferry resolve {shlex.quote(name)}"
    if left:
        # --both is refused for a file one side deleted (`OneVersion`): not offered where all are
        both = any(p.deleted_by is None for p in found.paths if p.choice is None)
        print(
            f"choose for each: {command} PATH --mine, --theirs, {'--both, ' if both else ''}--tool or --edit"
        )
    finish = "commit and sync"
    if replaying is not None and replaying.step < replaying.steps:
        finish = "replay it and the commits after it, then sync"
    print(f"then: {command} --finish ({finish}) or --abort (change nothing)")


def _describe(p: ConflictedPath) -> str:
    kind = "binary" if p.binary else "text"
    said = f"{kind}; mine {_size(p.ours)}, theirs {_size(p.theirs)}"
    if p.deleted_by == "theirs":
        return f"{said}: --mine keeps it, --theirs deletes it"
    if p.deleted_by == "ours":
        return f"{said}: --theirs takes it back, --mine leaves it deleted"
    return said


def _size(version: Version) -> str:
    return (
        "deleted"
        if not version.present
        else f"{version.size} bytes"
        if version.size is not None
        else "present"
    )


def _version_json(version: Version) -> dict[str, Any]:
    return {
        "oid": version.oid,
        "mode": f"{version.mode:06o}" if version.mode is not None else None,
        "size": version.size,
        "binary": version.binary,
        "when": iso(version.when),
    }


def _entry_json(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "run": entry.run_id,
        "kind": entry.kind,
        "result": entry.result,
        "message": entry.message,
        "when": iso(entry.when),
        "came_in": [_change_json(c) for c in entry.came_in],
        "went_out": [_change_json(c) for c in entry.went_out],
        "committed": entry.committed,
        "skipped": entry.skipped,
        "conflicts": entry.conflicts,
    }


def _change_json(change: BranchChange) -> dict[str, Any]:
    return {
        "branch": change.branch,
        "from": change.old,
        "to": change.new,
        "commits": [
            {"sha": c.sha, "subject": c.subject, "author": c.author, "when": iso(c.when)}
            for c in change.commits
        ],
        "more": change.more,
        "files": change.files,
        "made_here": change.made_here,
    }


def _print_entry(entry: HistoryEntry) -> None:
    print(f"{iso(entry.when)}  {entry.kind}: {entry.result} - {entry.message}")
    for label, changes in (("in", entry.came_in), ("out", entry.went_out)):
        for change in changes:
            files = counted(len(change.files), "file")
            commits = counted(len(change.commits) + change.more, "commit")
            print(f"  {label} {change.branch}: {commits}, {files}")
            for c in change.commits:
                print(f"    {c.sha[:10]} {c.subject} ({c.author}, {iso(c.when)})")
            if change.made_here:
                print(f"  made here {change.branch}: {counted(len(change.made_here), 'file')}")
    for path in entry.skipped:
        print(f"  skipped {path}")
    for path in entry.conflicts:
        print(f"  conflict {path}")
