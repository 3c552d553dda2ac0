"""Watching working trees for changes: the OS's file notifications through watchdog.

watchdog's observer (inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on
Windows) blocks in the kernel until something happens: an idle tree costs no CPU
(`bench.auto_watch`: 50 trees, 100,000 files, 0.0% of a core; watchfiles' `awatch`
polls its Rust watcher every 50 ms and used 1.45% on the same trees). Events come
on watchdog's threads and are handed to `on_change` with the paths relative to the
tree, `.git/` left out (Gitferry's own syncs and the user's git write there);
a change of the repository's state there (`HEAD`, the index, a branch ref, a merge
begun or ended: `GIT_STATE`) goes to `on_git` instead, when given: a conflict the
user resolved with git alone is noticed by it.

A tree that cannot be watched raises `CannotWatch` with a line saying why and what
to do: the inotify limits reached (the sysctl to raise; also part-way through the
tree, which watchdog does not say: `_watch_limit_reached` asks, and the watches taken
are given back; reached later, by a new directory, `on_lost` is told) or a network
file system, whose changes made on other machines no notification reports. The caller then
scans instead (`core.engine.auto_watch`). A port to another OS fills in
`_network_fs` and the limit messages.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

log = logging.getLogger(__name__)
logging.getLogger("watchdog").setLevel(logging.INFO)  # its debug records name every inotify event
_STOPPED_MID_READ = "InotifyEmitter.queue_events() called when the thread is inactive"


def _not_stopped_mid_read(record: logging.LogRecord) -> bool:
    """watchdog 7 logs an ERROR when a watch is removed or the observer stopped while
    its emitter thread is in its read: nothing is lost (the events belong to the watch
    going away), so the log of every stop does not carry a false error."""
    return record.msg != _STOPPED_MID_READ


logging.getLogger("watchdog.observers.inotify").addFilter(_not_stopped_mid_read)

# watchdog 7 warns (RuntimeWarning, from its inotify watch group) when it watches a directory
# it watches already: one removed and re-created quickly (`.git/refs/gitferry/backup`), whose
# IN_CREATE is read after it was watched (by the walk of a new parent, or by the late IN_CREATE
# of the directory it replaced, which found it at that path). Same inode, same watch, the same
# callback set again: nothing is lost, the watch still reports.
# The warning's text is the whole watch group's repr (every watched directory: kilobytes), and
# it comes on watchdog's emitter thread, where no `catch_warnings` can hold it (that swaps the
# process's filters): a filter of that message from that module alone drops it, not the
# daemon's stderr, nor any other warning (`warnings.showwarning` stays Python's).
warnings.filterwarnings(
    "ignore",
    message=r"Callback with id '\d+' already exists for watch ",
    category=RuntimeWarning,
    module=r"watchdog\.observers\.inotify",
)

OnChange = Callable[[list[str]], None]  # paths relative to the tree, on a watcher thread
OnGit = Callable[[], None]  # the repository's HEAD, index or branches changed, on a watcher thread
OnLost = Callable[[str], None]  # a directory made later could not be watched (why), on a watcher thread
GIT_STATE = frozenset({"HEAD", "index", "MERGE_HEAD", "ORIG_HEAD", "packed-refs"})

NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "ceph", "davfs"}
    | {"fuse.sshfs", "fuse.rclone"}
)
WATCH_LIMIT_HINT = "sudo sysctl fs.inotify.max_user_watches=524288"
INSTANCE_LIMIT_HINT = "sudo sysctl fs.inotify.max_user_instances=1024"


class CannotWatch(Exception):
    """The tree cannot be watched; the message says why and how to raise the limit."""


class _Handler(FileSystemEventHandler):
    def __init__(
        self, root: str, on_change: OnChange, on_git: OnGit | None = None, on_lost: OnLost | None = None
    ) -> None:
        self._root = os.path.abspath(root)
        self._on_change = on_change
        self._on_git = on_git
        self._on_lost = on_lost

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        new_directory = event.is_directory and event.event_type in ("created", "moved")
        # watchdog has watched the new directory by now, or silently not: the limit ran out.
        if new_directory and self._on_lost is not None and _watch_limit_reached(self._root):
            self._on_lost(_limit_message(self._root, OSError(errno.ENOSPC, "inotify watch limit reached")))
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "") or "") if p]
        changed = [r for r in (_relative(self._root, p) for p in paths) if r is not None]
        if changed:
            self._on_change(changed)
        if self._on_git is not None and any(_git_state(self._root, p) for p in paths):
            self._on_git()


def _relative(root: str, path: str) -> str | None:
    """`path` relative to `root`, None for the tree itself and for what is under `.git`."""
    rel = os.path.relpath(path, root)
    if rel == "." or rel.startswith(".."):
        return None
    first = rel.split(os.sep, 1)[0]
    if first == ".git":
        return None
    return rel.replace(os.sep, "/")


def _git_state(root: str, path: str) -> bool:
    """`path` is one of `.git`'s files that say where HEAD, the index or a branch are."""
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    if not rel.startswith(".git/"):
        return False
    inside = rel[len(".git/") :]
    return inside in GIT_STATE or inside.startswith("refs/heads/")


class TreeWatch:
    """One observer for every watched tree (a thread per tree inside watchdog)."""

    def __init__(self, observer_factory: Callable[[], BaseObserver] = Observer) -> None:
        self._factory = observer_factory
        # Made and started with the first watch (it opens inotify); None: not running.
        self._observer: BaseObserver | None = None
        self._watches: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def watch(
        self, root: str, on_change: OnChange, on_git: OnGit | None = None, on_lost: OnLost | None = None
    ) -> None:
        """Report changes under `root` (recursively) to `on_change`, and those of the
        repository's state under `root/.git` to `on_git`; `CannotWatch` if not possible.
        A directory made (or moved in) later that the watch limit leaves unwatched is
        told to `on_lost` (the caller unwatches the tree and scans it instead)."""
        network = _network_fs(root)
        if network is not None:
            raise CannotWatch(f"{root} is on a network file system ({network}): changes are not notified")
        with self._lock:
            try:
                observer = self._running_observer()
                handler = _Handler(root, on_change, on_git, on_lost)
                watch = observer.schedule(handler, root, recursive=True)
            except OSError as exc:
                raise CannotWatch(_limit_message(root, exc)) from exc
            if _watch_limit_reached(root):  # part of the tree unwatched: its watches go back
                observer.unschedule(watch)
                raise CannotWatch(_limit_message(root, OSError(errno.ENOSPC, "inotify watch limit reached")))
            self._watches[root] = watch

    def _running_observer(self) -> BaseObserver:
        """The observer, made and started on first use (OSError: no inotify instance left)."""
        if self._observer is None:
            observer = self._factory()
            observer.start()
            self._observer = observer
        return self._observer

    def unwatch(self, root: str) -> None:
        with self._lock:
            watch = self._watches.pop(root, None)
            if watch is not None and self._observer is not None:
                try:
                    self._observer.unschedule(watch)
                except (KeyError, OSError):  # the tree is gone already
                    log.debug("unwatching %s: already gone", root)

    def watched(self) -> Iterable[str]:
        return list(self._watches)

    def stop(self) -> None:
        with self._lock:
            if self._observer is not None:
                self._observer.stop()
                self._observer.join(timeout=5)
                self._observer = None  # a stopped thread cannot start again
            self._watches.clear()


def _watch_limit_reached(root: str) -> bool:
    """Did inotify's watch limit run out while the tree was watched? watchdog (7.1) watches
    what it can below a tree and leaves out the directories it could not watch (only the
    root's failure reaches its caller): a tree past the limit was watched in part, and
    a file saved in the rest woke nothing. One more watch, in an inotify instance of its
    own, tells: refused with ENOSPC, the limit is reached (a tree that took exactly the
    last watch is taken for one past it: its new directories could not be watched).
    Linux only (no instance left for the asking: taken as not reached)."""
    if not sys.platform.startswith("linux"):
        return False
    from watchdog.observers.inotify_c import InotifyConstants, inotify_add_watch, inotify_init

    fd = inotify_init()
    if fd < 0:
        return False
    try:
        refused = inotify_add_watch(fd, os.fsencode(root), InotifyConstants.IN_ATTRIB) < 0
        return refused and ctypes.get_errno() == errno.ENOSPC
    finally:
        os.close(fd)


def _limit_message(root: str, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return f"cannot watch {root}: the inotify watch limit is reached (raise it: {WATCH_LIMIT_HINT})"
    if exc.errno == errno.EMFILE:
        return f"cannot watch {root}: the inotify instance limit is reached (raise it: {INSTANCE_LIMIT_HINT})"
    return f"cannot watch {root}: {exc.strerror or exc}"


def _network_fs(path: str) -> str | None:
    """The network file system type `path` is on, None when local (or unknown)."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as mounts:
            lines = mounts.readlines()
    except OSError:
        return None
    real = os.path.realpath(path)
    best, fstype = "", ""
    for line in lines:
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        mount_point = fields[4].replace("\\040", " ")
        inside = real == mount_point or real.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, fstype = mount_point, line.split(" - ", 1)[1].split()[0]
    return fstype if fstype in NETWORK_FILE_SYSTEMS else None
