"""The index's stat data only, read for a working-tree scan.

A scan compares every tracked file's lstat with its index entry and needs
nothing else: not the object ids, not `IndexEntry` objects. dulwich parses an
entry into a dataclass (about 7 microseconds each; 69 ms for 10,000 entries
even through `index_read.open_index`); here one `struct` call per entry reads
only the fields the comparison uses, about ten times faster. Versions 2, 3
and 4 (path prefix compression) are read here; a split index (whose entries are
partly in the shared index) and a sparse index (whose directories stand for
files) are read in full by `read.open_index` instead.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from functools import cached_property
from weakref import WeakKeyDictionary

from dulwich.index import FLAG_EXTENDED, Index, IndexEntry
from dulwich.object_format import ObjectFormat
from dulwich.repo import Repo

from core.git.index.parse import IndexFormatError, check_trailer
from core.git.index.read import KNOWN_REQUIRED, UnsupportedIndex, open_index
from core.git.index.serialize import no_gc
from core.git.objects.pack_reader import offset_varint

_FLAGS = struct.Struct(">H")
_HEADER = struct.Struct(">4sII")
_FLAG_VALID = 0x8000
_FLAG_STAGE = 0x3000
_NAME_MASK = 0x0FFF
_EXT_SKIP_WORKTREE = 0x4000
_GITLINK = 0o160000
_SYMLINK = 0o120000

# One tracked path as a scan compares it, in the order of `stat_key`:
# (mtime_ns, ctime_ns, size, ino, type and owner-exec bits, uid, gid); 32-bit fields as git stores them.
StatKey = tuple[int, int, int, int, int, int, int]
KEY_MODE_BITS = 0o170100
_NS = 1_000_000_000


def stat_key(st: os.stat_result) -> StatKey:
    """The key of a file's lstat; equal to its index entry's key when git would find it unchanged."""
    return (
        st.st_mtime_ns,
        st.st_ctime_ns,
        st.st_size,
        st.st_ino,
        st.st_mode & KEY_MODE_BITS,
        st.st_uid,
        st.st_gid,
    )


def key_git_mode(key: StatKey) -> int:
    """The git mode (0o100644, 0o100755, 0o120000) an index entry's key was made from."""
    bits = key[4]
    if bits & 0o170000 == 0o120000:
        return 0o120000
    return 0o100755 if bits & 0o100 else 0o100644


def _key_mode_bits(mode: int) -> int:
    """Symlinks' permission bits are all set on Linux; git records none."""
    return mode & KEY_MODE_BITS if mode & 0o170000 != 0o120000 else 0o120100


Stamp = tuple[int, int, int, int, int]  # the index file's (dev, ino, size, mtime_ns, ctime_ns)


@dataclass
class IndexStat:
    """Stat keys by directory and name, plus the entries the scan must treat specially."""

    dirs: dict[bytes, dict[bytes, StatKey]]  # directory ("" or "a/b/") -> name -> key
    mtime_ns: int  # of the index file: entries not older than this are racy
    trusted: set[bytes]  # gitlinks, assume-unchanged and skip-worktree entries: not looked at
    unmerged: set[bytes]  # paths with conflict stages
    stamp: Stamp | None = None  # of the file it was read from
    gitlinks: dict[bytes, bytes] = field(default_factory=dict)  # submodules (also trusted): path -> hex id

    def add(self, path: bytes, key: StatKey) -> None:
        cut = path.rfind(b"/") + 1
        self.dirs.setdefault(path[:cut], {})[path[cut:]] = key

    def paths(self) -> list[bytes]:
        return [parent + name for parent, names in self.dirs.items() for name in names]

    @cached_property
    def tracked_dirs(self) -> frozenset[bytes]:
        """Every directory that holds a tracked path, with a trailing slash ("" for the top)."""
        parents = {*self.dirs, *(path[: path.rfind(b"/") + 1] for path in self.trusted | self.unmerged)}
        dirs: set[bytes] = set()
        for parent in parents:
            while parent not in dirs:
                dirs.add(parent)
                parent = parent[: parent.rfind(b"/", 0, -1) + 1]
        return frozenset(dirs)


# The last view read per open repository, reused while the index file keeps its stamp
# (git replaces the index by renaming a new file over it, so any rewrite changes it).
_LAST_READ: WeakKeyDictionary[Repo, IndexStat] = WeakKeyDictionary()


def current_index_stat(repo: Repo) -> IndexStat:
    """The view of `repo`'s index file, read again only when the file changed since the last call."""
    path = repo.index_path()
    stamp = index_file_stamp(path)
    if stamp is None:
        return IndexStat({}, 0, set(), set())
    last = _LAST_READ.get(repo)
    if last is not None and last.stamp == stamp:
        return last
    try:
        view = read_index_stat(path, repo.object_format)
    except NeedsFullRead:
        view = _full_view(repo, stamp)
    _LAST_READ[repo] = view
    return view


def has_unmerged(repo: Repo) -> bool:
    """Whether `repo`'s index has unmerged paths: the current view's answer when one is
    cached, else read from the entries' flags alone, the view made only for an index that
    has some (or that this reader leaves to it: split, sparse, damaged).

    A cold sync asks this once before the switch reads the whole index anyway: making the
    view of every entry's stat data for it took 17 ms of 12,661 entries (the flags alone:
    about 4). The trailer and extensions are checked as the view's read checks them."""
    path = repo.index_path()
    stamp = index_file_stamp(path)
    if stamp is None:
        return False
    last = _LAST_READ.get(repo)
    if last is not None and last.stamp == stamp:
        return bool(last.unmerged)
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return False
    end = end_of_merged_entries(data, repo.object_format.oid_length)
    if end is not None:
        try:
            _check_extensions(path, data, end, repo.object_format)
            return False
        except NeedsFullRead:
            pass
    return bool(current_index_stat(repo).unmerged)


def end_of_merged_entries(data: bytes, oid_length: int) -> int | None:
    """The offset past the entries of an index none of whose entries has a conflict stage,
    read from their flags and name lengths alone; None otherwise (a stage, a version 2 or 3
    name too long for its length field, another version, a short file)."""
    try:
        signature, version, count = _HEADER.unpack_from(data, 0)
        if signature != b"DIRC" or version not in (2, 3, 4):
            return None
        unpack = _FLAGS.unpack_from
        flags_at, head = 40 + oid_length, 42 + oid_length
        pos = 12
        if version == 4:  # a varint and a NUL-terminated suffix, no padding
            for _ in range(count):
                (flags,) = unpack(data, pos + flags_at)
                if flags & _FLAG_STAGE:
                    return None
                _drop, name_at = offset_varint(data, pos + head + (2 if flags & FLAG_EXTENDED else 0))
                pos = data.index(b"\x00", name_at) + 1
            return pos if pos <= len(data) else None
        for _ in range(count):
            (flags,) = unpack(data, pos + flags_at)
            length = flags & _NAME_MASK
            if flags & _FLAG_STAGE or length == _NAME_MASK:
                return None
            name_at = head + 2 if flags & FLAG_EXTENDED else head
            pos += (name_at + length + 8) & ~7
    except (struct.error, ValueError, IndexError):
        return None
    return pos if pos <= len(data) else None


class NeedsFullRead(Exception):
    """A split or sparse index: its entries cannot be read from this file alone."""


def _full_view(repo: Repo, stamp: Stamp) -> IndexStat:
    """The view of a split or sparse index, read in full. The index file's mtime is taken
    from before the read (an older mtime only makes more entries racy); a file replaced
    meanwhile leaves no stamp, so the next call reads again."""
    path = repo.index_path()
    view = index_stat_of(open_index(repo), path)
    view.mtime_ns = stamp[3]
    view.stamp = stamp if index_file_stamp(path) == stamp else None
    return view


VIEW_BYTES_PER_ENTRY = 320
"""Memory of a view per index entry (Python 3.11): tracemalloc counts 3.15 MB for 10,000 entries
in 500 directories (the key tuples, the names, the dictionaries)."""


def cached_view_bytes(repo: Repo) -> int:
    """Memory held for `repo` by its reused index view: for a pool's memory budget."""
    view = _LAST_READ.get(repo)
    if view is None:
        return 0
    entries = sum(len(names) for names in view.dirs.values()) + len(view.trusted) + len(view.unmerged)
    return entries * VIEW_BYTES_PER_ENTRY


def index_file_stamp(path: str) -> Stamp | None:
    """The index file's identity, None when there is none: git and dulwich replace the
    index by renaming a new file over it, so any rewrite changes it."""
    try:
        return _stamp(os.stat(path))
    except FileNotFoundError:
        return None


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_index_stat(path: str, object_format: ObjectFormat) -> IndexStat:
    """The stat view of the index file at `path`; an absent index is an empty one.
    Raises NeedsFullRead for a split or sparse index."""
    try:
        with open(path, "rb") as file:
            st = os.fstat(file.fileno())
            data = file.read()
    except FileNotFoundError:
        return IndexStat({}, 0, set(), set())
    view = IndexStat({}, st.st_mtime_ns, set(), set(), _stamp(st))
    with no_gc():
        end = _parse_entries(data, object_format.oid_length, view)
    _check_extensions(path, data, end, object_format)
    return view


def index_stat_of(index: Index, index_path: str) -> IndexStat:
    """The same view of a dulwich `Index` already in memory (e.g. `LockedIndex.index`)."""
    view = IndexStat({}, index_mtime_ns(index_path), set(), set())
    for path, entry in index.items():
        if not isinstance(entry, IndexEntry):
            view.unmerged.add(path)
        elif entry.flags & _FLAG_VALID or entry.extended_flags & _EXT_SKIP_WORKTREE:
            view.trusted.add(path)
        elif entry.mode == _GITLINK:
            view.trusted.add(path)
            view.gitlinks[path] = bytes(entry.sha)
        else:
            mtime, ctime = entry_time_ns(entry.mtime), entry_time_ns(entry.ctime)
            view.add(
                path, (mtime, ctime, entry.size, entry.ino, _key_mode_bits(entry.mode), entry.uid, entry.gid)
            )
    return view


def index_mtime_ns(index_path: str) -> int:
    """The index file's mtime (0 when there is none): entries not older than it are racy."""
    try:
        return os.stat(index_path).st_mtime_ns
    except FileNotFoundError:
        return 0


def entry_time_ns(value: int | float | tuple[int, int]) -> int:
    """A dulwich `IndexEntry` timestamp as nanoseconds (seconds are stored in 32 bits, as git does)."""
    if isinstance(value, tuple):
        return value[0] * _NS + value[1]
    return int(value * _NS)


def _parse_entries(data: bytes, oid_length: int, view: IndexStat) -> int:
    """Fill `view` from the entries; return the offset just past the last entry.

    The loop's fast path is the common entry (version 2 or 3, a regular file, stage 0, no
    special flag); anything else goes through `_entry`.
    """
    signature, version, count = _HEADER.unpack_from(data, 0)
    if signature != b"DIRC" or version not in (2, 3, 4):
        raise IndexFormatError(f"not an index file (signature {signature!r}, version {version})")
    unpack = struct.Struct(f">4I4x5I{oid_length}xH").unpack_from
    head = 42 + oid_length  # stat fields, object id, flags
    dirs = view.dirs
    parent: bytes | None = None
    names: dict[bytes, StatKey] = {}
    slow_versions = version == 4
    bits = KEY_MODE_BITS
    pos = 12
    name = b""
    for _ in range(count):
        fields = unpack(data, pos)
        flags = fields[9]
        length = flags & _NAME_MASK
        if slow_versions or flags & 0xF000 or fields[5] & 0o170000 != 0o100000 or length == _NAME_MASK:
            name, pos = _entry(data, pos, head, fields, version, name, view)
            continue
        start = pos + head
        path = data[start : start + length]
        cut = path.rfind(b"/") + 1
        if path[:cut] != parent:  # entries are sorted: most share the previous one's directory
            parent = path[:cut]
            names = dirs.setdefault(parent, {})
        mtime, ctime = fields[2] * _NS + fields[3], fields[0] * _NS + fields[1]
        names[path[cut:]] = (mtime, ctime, fields[8], fields[4], fields[5] & bits, fields[6], fields[7])
        pos += (head + length + 8) & ~7
    return pos


def _entry(
    data: bytes, pos: int, head: int, fields: tuple[int, ...], version: int, previous: bytes, view: IndexStat
) -> tuple[bytes, int]:
    """Any entry: extended flags, version 4 names, long names, stages, symlinks and gitlinks."""
    ctime_s, ctime_ns, mtime_s, mtime_ns, ino, mode, uid, gid, size, flags = fields
    start = pos + head
    extended = 0
    if flags & FLAG_EXTENDED:
        (extended,) = _FLAGS.unpack_from(data, start)
        start += 2
    if version == 4:
        name, end = _v4_name(data, start, previous)
    else:
        length = flags & _NAME_MASK
        name_end = start + length if length < _NAME_MASK else data.index(b"\x00", start)
        name = data[start:name_end]
        end = pos + ((name_end - pos + 8) & ~7)
    if flags & _FLAG_STAGE:
        view.unmerged.add(name)
    elif flags & _FLAG_VALID or extended & _EXT_SKIP_WORKTREE:
        view.trusted.add(name)
    elif mode == _GITLINK:
        view.trusted.add(name)
        view.gitlinks[name] = data[pos + 40 : pos + head - 2].hex().encode("ascii")
    else:
        mtime, ctime = mtime_s * _NS + mtime_ns, ctime_s * _NS + ctime_ns
        view.add(name, (mtime, ctime, size, ino, _key_mode_bits(mode), uid, gid))
    return name, end


def _v4_name(data: bytes, pos: int, previous: bytes) -> tuple[bytes, int]:
    """Version 4 names: a varint of bytes to drop from the previous name, then a NUL-terminated suffix."""
    drop, pos = offset_varint(data, pos)
    end = data.index(b"\x00", pos)
    keep = previous[: len(previous) - drop]
    return keep + data[pos:end], end + 1


def _check_extensions(path: str, data: bytes, pos: int, fmt: ObjectFormat) -> None:
    """Refuse what only a full read can see, and check the trailer like `index_read` does."""
    trailer_at = len(data) - fmt.oid_length
    while pos + 8 <= trailer_at:
        signature = data[pos : pos + 4]
        if signature in KNOWN_REQUIRED:
            raise NeedsFullRead(signature)
        if not b"A" <= signature[:1] <= b"Z":
            raise UnsupportedIndex(path, signature)
        (size,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8 + size
        if pos > trailer_at:
            raise IndexFormatError(f"{path}: the index extension {signature!r} runs past the end of the file")
    check_trailer(data, pos, fmt)
