"""Clone like `git clone`: init, an `origin` remote, fetch every branch, check out.

The new repository has `remote.origin.url` (never with a password in it)
and `remote.origin.fetch = +refs/heads/*:refs/remotes/origin/*`, a local
default branch whose upstream is `origin/<branch>`, `refs/remotes/origin/HEAD`,
every tag the remote has (`refs/tags/*`), and a checked-out working tree and
index (`git status` is clean). A clone that fails removes what it created; one
killed part-way leaves a marker, and the same clone again starts it over
(`clone_marker.py`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.upstreams import set_upstream
from core.git.config.url_rewrite import fetch_url
from core.git.content.filters import UNSUPPORTED_FILTER, ContentSkipped
from core.git.content.first_checkout import check_out_fresh
from core.git.content.lfs_driver import LFS_MISSING
from core.git.objects.commit_read import commit_tree
from core.git.objects.pack_limits import PackLimits
from core.git.progress import ProgressSink, ProgressThrottle, TransferProgress
from core.git.repository import UnsupportedObjectFormat
from core.git.transfer.clone_marker import CloneMarker, check_folder, claim_folder, clone_finished
from core.git.transfer.errors import RemoteError, named_by_address
from core.git.transfer.fetch import FetchResult, TagMode, fetch_remote
from core.git.transfer.fetch_plan import TrackedBranches
from core.git.transfer.lfs_fetch import fetch_for_checkout
from core.git.transfer.signer import Signer
from core.git.transfer.stop import TransferStop
from core.phrase import Phrase, phrase
from core.remote_url import HttpAuth, Kind, RemoteUrl, parse_remote_url, url_without_secret

ORIGIN = "origin"


def clone_repository(
    url: str,
    path: Path,
    *,
    auth: HttpAuth | None = None,
    progress: ProgressSink | None = None,
    timeout: float = 30.0,
    ssh_command: str | None = None,
    limits: PackLimits | None = None,
    signer: Signer | None = None,
    keep_marker: bool = False,
    stop: TransferStop | None = None,
) -> FetchResult:
    """Clone `url` into `path` (which must not exist, or be an empty directory), the pack
    held to `limits` (the app settings) and its objects checked as any fetch's. The
    transfer goes where git's `url.<base>.insteadOf` sends `url`; `remote.origin.url`
    keeps `url` as given (without a password), as git's clone does. `keep_marker`: the
    caller has more to do (register it) and calls `clone_finished` itself. `stop` cuts
    the transfer from another thread (a Cancel: `TransferStopped`, nothing kept)."""
    remote = parse_remote_url(url)
    path = Path(path)
    created = claim_folder(path, _stored_url(remote))  # the marker is written first
    tried = remote  # where the transfer goes: said in an error instead of `origin`
    try:
        # `.git` exists (it holds the marker): dulwich's init without its mkdir
        with Repo._init_maybe_bare(str(path), str(path / ".git"), False) as repo:
            _add_origin(repo, remote)
            effective = fetch_url(repo.get_config_stack(), url)
            tried = parse_remote_url(effective.effective) if effective.rewritten else remote
            result = fetch_remote(
                repo,
                ORIGIN,
                url=tried,
                tracked=TrackedBranches.all(),
                tags=TagMode.ALL,  # every tag, as git's clone brings them
                auth=auth,
                progress=progress,
                timeout=timeout,
                ssh_command=ssh_command,
                limits=limits,
                signer=signer,
                stop=stop,
                initial=True,
            )
            _check_stop(stop)
            missing = _fetch_lfs(repo, result, auth=auth, signer=signer, timeout=timeout)
            lfs = _lfs_notes(missing)
            result = replace(
                result,
                notes=result.notes + [note.english() for note in lfs],
                notes_said={**result.notes_said, **{note.english(): note for note in lfs}},
                lfs_missing=missing,
            )
            _check_stop(stop)
            started = time.perf_counter()
            skipped = _check_out_default(repo, remote, result, _checkout_progress(progress, stop))
            checkout_ms = (time.perf_counter() - started) * 1000.0
        if not keep_marker:
            clone_finished(path)
    except UnsupportedObjectFormat as exc:  # refused before any pack came
        _discard(path, created)
        raise UnsupportedObjectFormat(url_without_secret(url), exc.object_format) from None
    except RemoteError as exc:
        _discard(path, created)
        said = named_by_address(exc, tried.netloc if tried.host else tried.text)
        try:
            if said is exc:
                raise
            raise said from None
        finally:
            del said  # the error's traceback holds this frame: kept in a name, a cycle
    except BaseException:
        _discard(path, created)
        raise
    notes = result.notes + [_skipped_note(skip) for skip in skipped if skip.reason != LFS_MISSING]
    unconverted = [os.fsdecode(skip.path) for skip in skipped if skip.reason == UNSUPPORTED_FILTER]
    timings = {**result.timings_ms, "checkout": checkout_ms}
    return replace(result, timings_ms=timings, notes=notes, unconverted=unconverted)


def _lfs_notes(missing: dict[str, str]) -> list[Phrase]:
    """One line per reason the LFS objects of files are missing: each file named, or past
    three the count and the first (a clone of thousands with the server down says it once)."""
    by_reason: dict[str, list[str]] = {}
    for path, why in sorted(missing.items()):
        by_reason.setdefault(why, []).append(path)
    notes = []
    for why, paths in by_reason.items():
        if len(paths) <= 3:
            notes += [
                phrase(
                    "{path}: Git LFS object missing ({why}); its pointer is checked out", path=path, why=why
                )
                for path in paths
            ]
        else:
            notes.append(
                phrase(
                    "%n files' Git LFS objects missing (first: {first}; {why});"
                    " their pointers are checked out, and the next sync fills them in",
                    len(paths),
                    first=paths[0],
                    why=why,
                )
            )
    return notes


def _skipped_note(skip: ContentSkipped) -> str:
    """A path the checkout did not convert: left unwritten, or (an LFS pointer it cannot
    fill: said by the LFS notes when its object is missing) written as it is."""
    return skip.message if skip.write_blob else f"{skip.message}: left unwritten (git checkout writes it)"


def _check_stop(stop: TransferStop | None) -> None:
    if stop is not None:
        stop.check(ORIGIN)


def _checkout_progress(progress: ProgressSink | None, stop: TransferStop | None) -> ProgressSink | None:
    """The checkout's report of every file: a stop (a Cancel) ends it at the next file,
    and `progress` hears of it at most ten times a second (and of the last file)."""
    if progress is None and stop is None:
        return None
    throttle = ProgressThrottle(progress) if progress is not None else None

    def report(update: TransferProgress) -> None:
        _check_stop(stop)
        if throttle is not None:
            throttle(update)
            if update.total is not None and update.current == update.total:
                throttle.flush()

    return report


def discard_unfinished(path: Path) -> None:
    """Remove what an unfinished clone (its marker still there) made in `path`, and only
    that: the folder when the clone made it, else what is inside it."""
    marker = CloneMarker.read(Path(path))
    if marker is not None:
        _discard(Path(path), marker.made_folder)


def _fetch_lfs(
    repo: Repo, result: FetchResult, *, auth: HttpAuth | None, signer: Signer | None, timeout: float
) -> dict[str, str]:
    """Download the Git LFS objects of the branch about to be checked out, so the checkout
    writes their content; the files whose object could not be had (their pointer is
    checked out), and why."""
    branch = _default_branch(repo, result)
    if branch is None:
        return {}
    tree = commit_tree(repo, ObjectID(repo.refs[Ref(f"refs/remotes/{ORIGIN}/{branch}".encode())]))
    fetched = fetch_for_checkout(repo, ORIGIN, tree, auth=auth, signer=signer, timeout=timeout)
    return fetched.missing_paths()


def check_clone_folder(path: Path, url: str) -> None:
    """Refuse, with one line, a folder a clone of `url` cannot take: a file, a folder with
    anything in it but a dead clone of the same URL (`clone_marker`)."""
    remote = parse_remote_url(url)
    if remote.kind in (Kind.PATH, Kind.FILE):
        source, target = os.path.realpath(remote.path), os.path.realpath(path)
        if source == target or target.startswith(source.rstrip("/") + "/"):
            raise BadInput(
                f"cannot clone {url} into {path}: the folder is the repository itself or inside it"
            )
    check_folder(Path(path), _stored_url(remote))


def _discard(path: Path, created: bool) -> None:
    if created:
        shutil.rmtree(path, ignore_errors=True)
        return
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                child.unlink()


def _stored_url(remote: RemoteUrl) -> str:
    if remote.kind is Kind.PATH:
        return remote.path  # git stores a local clone's source as an absolute path
    if remote.password is not None:
        user = f"{remote.user}@" if remote.user else ""
        return f"{remote.kind}://{user}{remote.netloc}{remote.path}"
    return remote.text


def _add_origin(repo: Repo, remote: RemoteUrl) -> None:
    config = repo.get_config()
    section = (b"remote", ORIGIN.encode())
    config.set(section, b"url", _stored_url(remote).encode())
    config.set(section, b"fetch", f"+refs/heads/*:refs/remotes/{ORIGIN}/*".encode())
    config.write_to_path()


def _default_branch(repo: Repo, result: FetchResult) -> str | None:
    fetched = {name.decode() for name in repo.refs.keys(base=Ref(f"refs/remotes/{ORIGIN}/".encode()))}
    fetched.discard("HEAD")
    if result.default_branch in fetched:
        return result.default_branch
    for fallback in ("main", "master"):
        if fallback in fetched:
            return fallback
    return min(fetched) if fetched else None


def _check_out_default(
    repo: Repo, remote: RemoteUrl, result: FetchResult, progress: ProgressSink | None
) -> list[ContentSkipped]:
    """Check out the default branch, files converted as git's checkout converts them; the
    paths that could not be (a filter Gitferry does not run), left unwritten."""
    branch = _default_branch(repo, result)
    message = f"clone: from {remote.text}".encode()
    if branch is None:  # an empty remote: an unborn branch named like the remote's
        if result.default_branch:
            repo.refs.set_symbolic_ref(Ref(b"HEAD"), Ref(f"refs/heads/{result.default_branch}".encode()))
            set_upstream(repo, result.default_branch, ORIGIN, f"refs/heads/{result.default_branch}")
        return []
    local = Ref(f"refs/heads/{branch}".encode())
    tracking = Ref(f"refs/remotes/{ORIGIN}/{branch}".encode())
    repo.refs.set_if_equals(local, None, ObjectID(repo.refs[tracking]), message=message)
    repo.refs.set_symbolic_ref(Ref(b"HEAD"), local, message=message)
    # the remote's branches are packed (`initial_refs`): dulwich's symbolic ref makes no folder
    os.makedirs(os.path.join(repo.commondir(), "refs", "remotes", ORIGIN), exist_ok=True)
    repo.refs.set_symbolic_ref(Ref(f"refs/remotes/{ORIGIN}/HEAD".encode()), tracking)
    set_upstream(repo, branch, ORIGIN, f"refs/heads/{branch}")
    return check_out_fresh(repo, commit_tree(repo, ObjectID(repo.refs[local])), progress)
