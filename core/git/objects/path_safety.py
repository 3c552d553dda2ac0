"""Which tree entry names may be written to a working tree.

A tree from a remote is untrusted input: a name like `..`, `.git` (in any
case, or as NTFS/HFS+ spell it: `.git.`, `git~1`, `.g\u200cit`) or one with a
`/` inside would let a checkout write outside the working tree or into the
repository's own control directory. dulwich's element validators cover the
dot names and the NTFS aliases; what they let through (a `/` or NUL inside a
raw tree entry's name, HFS+ ignorables in names that are not valid UTF-8, a
symlinked `.gitmodules`) is checked here.
"""

from __future__ import annotations

import functools
import stat

from dulwich.index import validate_path_element_default, validate_path_element_ntfs

from core.errors import GitferryError
from core.results import ResultKind

# Zero-width characters that HFS+ ignores when it compares names (git's utf8.c).
_HFS_IGNORABLE = frozenset(
    {0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E}
    | {0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF}
)
# Files git reads from the working tree itself: never symlinks (CVE-2018-11235 and later).
# With their NTFS 8.3 short names, as git's verify_path lists them.
_NO_SYMLINK_NAMES = frozenset(
    {b".gitmodules", b".gitattributes", b".gitignore", b".mailmap"}
    | {b"gitmod~1", b"gitatt~1", b"gitign~1", b"mailma~1"}
)


class UnsafePath(GitferryError):
    """A tree entry whose path could escape the working tree or reach `.git`."""

    result = ResultKind.ERROR

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"refusing to check out {path!r}: {why}")
        self.path = path
        self.why = why


def display(path: bytes) -> str:
    return path.decode("utf-8", "backslashreplace")


def quoted(name: bytes) -> str:
    """`name` for a one-line message: in double quotes, control characters escaped."""
    text = display(name)
    return '"' + "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text) + '"'


def aliases_dotgit(name: bytes) -> bool:
    """Whether `name` is `.git` or a spelling some file system reads as `.git` (NTFS's
    trailing dots and spaces, streams and short name, HFS+'s ignorable characters)."""
    if name in (b"", b".", b"..") or b"/" in name or _element_problem(name) is None:
        return False
    return _ntfs_folded(name) not in (b"", b".", b"..")


def is_gitmodules(name: bytes) -> bool:
    """Whether `name` is `.gitmodules` as git reads it (case, NTFS trailing dots, short name)."""
    return _ntfs_folded(name) in (b".gitmodules", b"gitmod~1")


def check_entry_name(parent: bytes, name: bytes, mode: int) -> None:
    """Raise UnsafePath unless `name` is a safe single path element under `parent`."""
    why = _element_problem(name)
    if why is None and stat.S_ISLNK(mode) and _ntfs_folded(name) in _NO_SYMLINK_NAMES:
        why = "a symlink in place of a file git reads"
    if why is not None:
        raise UnsafePath(display(parent + b"/" + name if parent else name), why)


@functools.lru_cache(maxsize=8192)
def _element_problem(name: bytes) -> str | None:
    """Why `name` may not be a path element (None: it may). Cached: a tree walk meets the
    same names (directories, a project's file names) over and over."""
    if name in (b"", b".", b".."):
        return "an empty, '.' or '..' path element"
    if b"/" in name or b"\x00" in name:
        return "a '/' or NUL inside a name"
    if not validate_path_element_default(name) or not validate_path_element_ntfs(name):
        return "a name that is, or on some file systems aliases, '.git'"
    if _is_hfs_dotgit(name):
        return "a name that HFS+ reads as '.git'"
    return None


def _ntfs_folded(name: bytes) -> bytes:
    return name.rstrip(b". ").lower()


def _is_hfs_dotgit(name: bytes) -> bool:
    """HFS+ drops zero-width characters and folds case: `.G\u200dit` is `.git` there.

    Works on code points decoded leniently, so a name that is not valid UTF-8
    (legal on Linux) is still checked rather than rejected outright.
    """
    if name.isascii():  # no ignorable character: only the case folds
        return name.lower() == b".git"
    text = name.decode("utf-8", "surrogateescape")
    folded = "".join(ch for ch in text if ord(ch) not in _HFS_IGNORABLE).lower()
    return folded == ".git"
