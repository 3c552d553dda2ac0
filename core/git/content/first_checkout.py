"""The first checkout of a new clone: every file of a tree written, as git clone writes it.

The working tree is empty and nobody else's, so there is nothing to check or
race with (a switch, core/git/worktree, does that). What matters is the
content: each file goes through its attributes' conversions (smudge.py),
decided with the `.gitattributes` of the tree being checked out, as git's
checkout reads them from the index it is building. A path whose conversion
Gitferry cannot run is not written; its index entry gets a stat that never
matches, so git sees it as changed until it checks it out itself, and the path
is returned as skipped. The index is written last, under `index.lock`.
Each file written is reported (`Phase.CHECKOUT`, files written of the total) to
the caller's sink, which may raise to stop the checkout (a Cancel): the clone
then removes what it made.

dulwich's `reset_index` (what clone used before) applies dulwich's own blob
normaliser, which disagrees with git in cases docs/ARCHITECTURE.md lists.
"""

from __future__ import annotations

import contextlib
import os
import stat

from dulwich.index import IndexEntry, index_entry_from_stat
from dulwich.objects import Blob, ObjectID, TreeEntry
from dulwich.repo import Repo

from core.git.content.checkout_writer import FileWriter, create_file, make_parents
from core.git.content.filters import ContentFilters, ContentSkipped, PathConversion
from core.git.content.smudge import write_worktree_content
from core.git.index.locked import LockedIndex
from core.git.objects.blob_read import StreamedBlob, blob_content
from core.git.objects.pack_reader import PackReader
from core.git.objects.path_safety import quoted
from core.git.objects.tree_delta import CorruptTree, tree_delta
from core.git.progress import Phase, ProgressSink, TransferProgress

_GITLINK = 0o160000


def check_out_fresh(
    repo: Repo, tree_id: ObjectID, progress: ProgressSink | None = None
) -> list[ContentSkipped]:
    """Write the files of `tree_id` into `repo`'s empty working tree and its index to match,
    `progress` told of every entry written (it may raise to stop; the index is not written).

    Every name of the tree is checked (`tree_delta`) before anything is written: one walk
    (the clone walked the tree a second time for that, 0.4 s of a 251,539-object clone)."""
    store = repo.object_store
    # Trees and blobs are read through PackReader (a bounded delta base cache): dulwich's own
    # reads filled its per-pack cache with every tree and blob of the checkout (55 MiB of a
    # 251,539-object clone's peak).
    reader = PackReader(store)
    entries = [
        TreeEntry(change.path, change.new.mode, change.new.sha)
        for change in tree_delta(store, None, tree_id)
        if change.new is not None
    ]
    regular = {e.path: ObjectID(e.sha) for e in entries if e.path and e.sha and stat.S_ISREG(e.mode or 0)}
    filters = ContentFilters(repo, index_sha=regular.get, fresh_worktree=True)
    config = repo.get_config_stack()
    symlinks = config.get_boolean(b"core", b"symlinks", True)
    root = os.fsencode(repo.path)
    skipped: list[ContentSkipped] = []
    made: set[bytes] = set()
    total = len(entries)
    with LockedIndex(repo) as locked:

        def written_file(path: bytes, mode: int, st: os.stat_result) -> None:
            locked.index[path] = index_entry_from_stat(st, regular[path], mode=mode)

        writer = FileWriter(root, made, written_file)
        try:
            for written, entry in enumerate(entries):
                if progress is not None:
                    progress(TransferProgress(Phase.CHECKOUT, written, total))
                assert entry.path is not None and entry.sha is not None and entry.mode is not None
                path, sha, mode = entry.path, ObjectID(entry.sha), entry.mode
                if stat.S_IFMT(mode) == _GITLINK:
                    writer.drain()
                    full = os.path.join(root, path)
                    make_parents(root, path, made)
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(full, 0o777)
                    locked.index[path] = index_entry_from_stat(os.lstat(full), sha, mode=mode)
                    continue
                blob = blob_content(store, sha, reader)  # a large one streamed, never whole
                if not isinstance(blob, (Blob, StreamedBlob)):  # a hostile tree: a file naming a tree
                    raise CorruptTree(tree_id, f"the file {quoted(path)} is not a blob")
                is_link = stat.S_ISLNK(mode)
                conversion = filters.to_worktree(path) if stat.S_ISREG(mode) else None
                if isinstance(blob, Blob) and conversion is not None and conversion.identity:
                    writer.write(path, mode, blob.as_raw_chunks())  # created by the writer's thread
                    continue
                writer.drain()
                full = os.path.join(root, path)
                make_parents(root, path, made)
                if is_link and symlinks:
                    os.symlink(b"".join(blob.as_raw_chunks()), full)
                    locked.index[path] = index_entry_from_stat(os.lstat(full), sha, mode=mode)
                    continue
                try:
                    st, skip = _write(full, blob, mode, conversion)
                except ContentSkipped as not_written:
                    skipped.append(not_written)
                    locked.index[path] = IndexEntry(0, 0, 0, 0, mode, 0, 0, 0, sha)
                    continue
                if skip is not None:
                    skipped.append(skip)
                locked.index[path] = index_entry_from_stat(st, sha, mode=mode)
            writer.drain()
        finally:
            writer.close()
        if progress is not None:
            progress(TransferProgress(Phase.CHECKOUT, total, total))
        locked.commit(keep_resolve_undo=False)
    return skipped


def _write(
    full: bytes, blob: Blob | StreamedBlob, mode: int, conversion: PathConversion | None
) -> tuple[os.stat_result, ContentSkipped | None]:
    if conversion is not None and conversion.unsupported is not None:
        raise conversion.skipped()
    fd = create_file(full, mode)
    try:
        with os.fdopen(fd, "w+b") as file:
            skip = None
            if conversion is None or conversion.identity:
                for chunk in blob.as_raw_chunks():
                    file.write(chunk)
            else:
                skip = write_worktree_content(file, blob, conversion)
            file.flush()
            return os.fstat(file.fileno()), skip
    except ContentSkipped:
        os.unlink(full)
        raise
