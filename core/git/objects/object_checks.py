"""Trees, commits and tags checked on their way in, as git's `transfer.fsckObjects` checks them.

A fetched pack is untrusted input: a tree with two entries of one name, a
`.git` or `..` entry, a `/` inside a name or entries out of git's order, or a
commit without its tree, author or committer line, would reach the object
store and then every reader (checkout, merge, `git fsck`). Each tree and
commit of a pack is checked while the pack is indexed, before it is moved in;
the first problem refuses the whole pack with one line naming the object.

What is checked follows git's fsck messages (`fetch.fsck.<id>` names them),
at one of two levels:

- by default (neither `fetch.fsckObjects` nor `transfer.fsckObjects` set):
  what would break Gitferry or the user's working tree: a tree that does not
  parse, duplicate or unsorted entries, empty, `.`, `..`, `.git`-like or
  over-4096-byte names, a `/` inside a name, a symlinked `.gitmodules`, a
  mode whose file type is none of file, directory, symlink or submodule (git
  only notes such a mode), and a commit whose header is not terminated or
  holds a NUL, or lacks a well-formed tree line, parent lines, one author or
  a committer;
- with `fetch.fsckObjects` (or else `transfer.fsckObjects`) true: also what
  git's strict mode refuses: identity lines (name, email, date, time zone),
  zero-padded modes, null ids, a NUL in a commit's message;
- set to false: nothing is checked (the working-tree writer still refuses
  unsafe names, `path_safety`).

An annotated tag (fetched with the tags that follow) is held to git's header
checks: an `object` line with a well-formed id, a `type` line naming an object
type, a `tag` line, and, strict, a well-formed `tagger`. `fetch.fsck.<id> =
error | warn | ignore` changes one message's level as in git (`warn` is
logged). git's checks that need other objects (`.gitmodules` contents, a tag's
type against its object) are not made.

Memory does not follow an object's size: a tree is checked in slices of
complete entries, a commit line by line, and nothing longer than the longest
entry name or header line is held.

Why on by default, when git's default is off: a usual fetch brings a handful
of trees and commits, and the one large fetch measured (`bench.fetch --only
checks`, 80,048 objects) costs 721 ms more with them, 1.96x git's fetch (within
the 3x the initial fetch is allowed) where git's own `transfer.fsckObjects`
costs git 1.29x.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from itertools import repeat
from operator import add
from typing import Protocol

from dulwich.errors import ObjectFormatException
from dulwich.objects import parse_tree

from core.git.objects.check_policy import IDENT_IDS, BadObject, CheckPolicy, Malformed, Severity
from core.git.objects.path_safety import aliases_dotgit, is_gitmodules, quoted

log = logging.getLogger(__name__)

COMMIT, TREE, TAG = 1, 2, 4  # pack type numbers
_KIND = {COMMIT: "commit", TREE: "tree", TAG: "tag"}
CHECKED_TYPES = frozenset(_KIND)
_DIR, _LINK, _FILE, _EXEC, _GITLINK = 0o40000, 0o120000, 0o100644, 0o100755, 0o160000
_STANDARD_MODES = frozenset({_FILE, _EXEC, _LINK, _DIR, _GITLINK})
_KNOWN_TYPES = frozenset({0o100000, _LINK, _DIR, _GITLINK})
_KEY_SUFFIX = {_DIR: b"/"}
_MODE_TEXT = {
    mode: len(f"{mode:o}") for mode in (_FILE, _EXEC, _LINK, _DIR, _GITLINK)
}  # git orders a directory as if its name ended in '/'
_MAX_NAME = 4096  # git's fsck.largePathname default
_SLICE = 1 << 20  # a large tree is checked in slices of about this many bytes
_LINE_LIMIT = 1 << 20  # header lines longer than this are not held whole
_NAME_CACHE_LIMIT = 1 << 16
_HEX40 = re.compile(rb"[0-9a-fA-F]{40}")
# A name of these characters that does not start with a dot is no spelling of '.git' on any
# file system git guards (NTFS's needs a '~', ':' or leading dot; HFS+'s a leading dot or a
# non-ASCII character): most of a project's names, checked by one match. On Windows every
# name goes through the full rules, which also look for device names there (`aux.c`).
_PLAIN_NAME = None if os.name == "nt" else re.compile(rb"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*")
_NULL_ID = b"0" * 40


class ObjectCheck(Protocol):
    """One object's check, fed its inflated bytes in order."""

    def feed(self, data: bytes) -> None: ...

    def finish(self) -> list[Malformed]:
        """Raise the first problem whose level is error; return those to warn about."""
        ...


class ObjectChecks:
    """The checks of one received pack: hands out a check per tree and commit."""

    def __init__(self, policy: CheckPolicy) -> None:
        self.policy = policy
        self._good_names: set[bytes] = set()  # names already found fine in this pack
        self._tree_extras = policy.wants("nullSha1", "zeroPaddedFilemode")
        self._idents = policy.wants(*IDENT_IDS)
        self._message_nul = policy.wants("nulInCommit")

    def start(self, type_num: int) -> ObjectCheck | None:
        if type_num == TREE:
            return TreeCheck(self._report, self._good_names, self._tree_extras)
        if type_num == COMMIT:
            return CommitCheck(self._report, self._idents, self._message_nul)
        if type_num == TAG:
            return TagCheck(self._report, self._idents)
        return None

    def _report(self, problem: Malformed, warnings: list[Malformed]) -> None:
        level = self.policy.level(problem.msg_id)
        if level is Severity.ERROR:
            raise problem
        if level is Severity.WARN:
            warnings.append(problem)

    def feed(self, check: ObjectCheck, data: bytes, type_num: int, where: str) -> None:
        """`check.feed(data)`, a problem found on the way named after where the object is."""
        try:
            check.feed(data)
        except Malformed as problem:
            raise BadObject(_KIND[type_num], where, problem) from None

    def verify(self, check: ObjectCheck, type_num: int, name: str) -> None:
        """`check.finish()`, its problems named after the object (`name`: its id, or where it is)."""
        try:
            warnings = check.finish()
        except Malformed as problem:
            raise BadObject(_KIND[type_num], name, problem) from None
        for warning in warnings:
            log.warning("the remote sent a %s %s with a problem: %s", _KIND[type_num], name, warning)

    def check_whole(self, type_num: int, data: bytes, name: str) -> None:
        """Check a whole object (small enough to hold): the same checks, without the slicing."""
        if type_num == TREE:
            tree = TreeCheck(self._report, self._good_names, self._tree_extras)
            try:
                tree.check_slice(data, last=True)
            except Malformed as problem:
                raise BadObject("tree", name, problem) from None
            for warning in tree.warnings:
                log.warning("the remote sent a tree %s with a problem: %s", name, warning)
        elif type_num in (COMMIT, TAG):
            check = self.start(type_num)
            assert check is not None
            self.feed(check, data, type_num, name)
            self.verify(check, type_num, name)


Report = Callable[[Malformed, list[Malformed]], None]


class TreeCheck:
    """A tree's entries: parsed by dulwich's C parser one slice of whole entries at a time
    (the whole tree when it is small), checked with set and list operations rather than
    entry by entry in Python (`bench.fetch` measures what the checks cost)."""

    __slots__ = ("_buffer", "_extras", "_good_names", "_last_key", "_open_files", "_report", "warnings")

    def __init__(self, report: Report, good_names: set[bytes], extras: bool) -> None:
        self._report = report
        self._good_names = good_names
        self._extras = extras  # null ids and zero-padded modes looked for
        self.warnings: list[Malformed] = []
        self._buffer = bytearray()
        self._last_key: bytes | None = None
        self._open_files: set[bytes] = set()  # files a directory in a later slice may duplicate

    def feed(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= _SLICE:
            cut = _whole_entries(self._buffer)
            if cut == 0 and len(self._buffer) > _MAX_NAME + 32:
                self._problem("largePathname", f"an entry name is over {_MAX_NAME} bytes")
            if cut:
                self.check_slice(bytes(self._buffer[:cut]), last=False)
                del self._buffer[:cut]

    def finish(self) -> list[Malformed]:
        self.check_slice(bytes(self._buffer), last=True)
        self._buffer = bytearray()
        return self.warnings

    def _problem(self, msg_id: str, detail: str) -> None:
        self._report(Malformed(msg_id, detail), self.warnings)

    def check_slice(self, raw: bytes, *, last: bool) -> None:
        """Check whole entries `raw`: the rest of the tree when `last`."""
        try:
            entries = parse_tree(raw, 20)
        except ObjectFormatException as exc:
            self._problem("badTree", f"it cannot be parsed as a tree ({exc})")
            return
        if not entries:
            return
        names, modes, ids = zip(*entries, strict=True)
        unique = set(names)
        if self._extras:
            self._extra_entries(raw, names, modes, ids)
        if not _STANDARD_MODES.issuperset(modes):
            self._check_modes(names, modes)
        if not unique <= self._good_names:
            self._check_names(unique)
        if _LINK in modes:
            self._check_links(names, modes)
        self._check_order(names, modes, len(unique) != len(names))
        if not last:
            self._carry_open_files(names, modes)

    def _extra_entries(
        self, raw: bytes, names: tuple[bytes, ...], modes: tuple[int, ...], ids: tuple[bytes, ...]
    ) -> None:
        if _NULL_ID in ids:
            self._problem("nullSha1", "an entry points to the null id")
        # The parser reads a mode's leading zeros without a word: written without them,
        # the entries would be exactly this long.
        if _STANDARD_MODES.issuperset(modes):
            mode_text = sum(map(_MODE_TEXT.__getitem__, modes))
        else:
            mode_text = sum(len(f"{mode:o}") for mode in modes)
        if len(raw) != mode_text + sum(map(len, names)) + 22 * len(names):
            self._problem("zeroPaddedFilemode", "an entry's mode is zero-padded")

    def _check_modes(self, names: tuple[bytes, ...], modes: tuple[int, ...]) -> None:
        for name, mode in zip(names, modes, strict=True):
            if mode & 0o170000 not in _KNOWN_TYPES:
                why = f"entry {quoted(name)} has mode {mode:o}, of no file type git knows"
                self._problem("badFilemode", why)

    def _check_names(self, unique: set[bytes]) -> None:
        good = self._good_names
        for name in sorted(unique - good):
            problem = _name_problem(name)
            if problem is not None:
                self._problem(*problem)
            elif len(good) < _NAME_CACHE_LIMIT:
                good.add(name)

    def _check_links(self, names: tuple[bytes, ...], modes: tuple[int, ...]) -> None:
        for name, mode in zip(names, modes, strict=True):
            if mode == _LINK and is_gitmodules(name):
                self._problem("gitmodulesSymlink", f"{quoted(name)} is a symbolic link")

    def _check_order(self, names: tuple[bytes, ...], modes: tuple[int, ...], repeats: bool) -> None:
        if _DIR in modes:
            keys: list[bytes] | tuple[bytes, ...] = list(
                map(add, names, map(_KEY_SUFFIX.get, modes, repeat(b"")))
            )
        else:
            keys = names  # no directory: a name is its own key
        previous = self._last_key
        if previous is not None:
            if previous == keys[0]:
                self._problem("duplicateEntries", f"entry {quoted(names[0])} is there twice")
            elif previous > keys[0]:
                self._problem("treeNotSorted", f"entry {quoted(names[0])} is out of git's order")
        if repeats:
            self._problem("duplicateEntries", f"entry {quoted(_first_repeat(names))} is there twice")
        if self._open_files:
            dirs = {name for name, mode in zip(names, modes, strict=True) if mode == _DIR}
            for name in sorted(self._open_files & dirs):
                self._problem("duplicateEntries", f"entry {quoted(name)} is there twice")
        if list(keys) != sorted(keys):
            at = next(i for i in range(1, len(keys)) if keys[i - 1] > keys[i])
            self._problem("treeNotSorted", f"entry {quoted(names[at])} is out of git's order")
        self._last_key = keys[-1]

    def _carry_open_files(self, names: tuple[bytes, ...], modes: tuple[int, ...]) -> None:
        """Files of this slice or earlier ones that a directory in a later slice could still
        duplicate: in git's order, every entry between a file `x` and a directory `x` is named
        `x` followed by a character that sorts before '/'. So only files whose name prefixes
        the last key that way stay open."""
        files = {name for name, mode in zip(names, modes, strict=True) if mode != _DIR} | self._open_files
        last = self._last_key or b""
        self._open_files = {
            last[:end] for end in range(1, len(last) + 1) if (end == len(last) or last[end] < 0x2F)
        } & files


def _first_repeat(names: tuple[bytes, ...]) -> bytes:
    seen: set[bytes] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    raise ValueError("no name repeats")


def _name_problem(name: bytes) -> tuple[str, str] | None:
    if not name:
        return "badTree", "an entry has an empty name"  # git's tree parser refuses it
    if name == b".":
        return "hasDot", "an entry is named '.'"
    if name == b"..":
        return "hasDotdot", "an entry is named '..'"
    if b"/" in name:
        return "fullPathname", f"entry {quoted(name)} has a '/' in its name"
    if len(name) > _MAX_NAME:
        return "largePathname", f"an entry name is over {_MAX_NAME} bytes"
    if _PLAIN_NAME is not None and _PLAIN_NAME.fullmatch(name) is not None:
        return None
    if aliases_dotgit(name):
        return "hasDotgit", f"entry {quoted(name)} is or aliases '.git'"
    return None


def _whole_entries(buffer: bytearray) -> int:
    """How many leading bytes of `buffer` are whole entries."""
    pos = 0
    while True:
        nul = buffer.find(b"\0", pos)
        if nul < 0 or nul + 21 > len(buffer):
            return pos
        pos = nul + 21


class CommitCheck:
    """A commit's header, line by line as it streams: tree, parents, author(s), committer,
    then only a NUL or the blank line that ends the header is looked for. A commit that
    comes whole (the usual case) has its header split at once."""

    _TREE, _PARENTS, _AUTHORS, _REST, _BODY = range(5)

    def __init__(self, report: Report, idents: bool, message_nul: bool) -> None:
        self._report = report
        self._idents = idents  # identity lines checked
        self._message_nul = message_nul
        self.warnings: list[Malformed] = []
        self._state = self._TREE
        self._line = bytearray()
        self._line_cut = False  # the current line passed _LINE_LIMIT: only its start is kept
        self._authors = 0
        self._last = b""  # the last byte seen, to find a blank line split between chunks
        self._body_nul = False
        self._seen = False  # any byte at all

    def feed(self, data: bytes) -> None:
        if not self._seen and data:
            self._seen = True
            header_end = data.find(b"\n\n")
            if header_end >= 0:
                self._whole_header(data[: header_end + 1])
                self._body_nul = b"\0" in data[header_end + 2 :]
                return
        if self._state == self._BODY:
            self._body_nul = self._body_nul or b"\0" in data
            return
        pos = 0
        while pos < len(data) and self._state != self._BODY:
            if self._state == self._REST:
                pos = self._scan_rest(data, pos)
                continue
            newline = data.find(b"\n", pos)
            end = len(data) if newline < 0 else newline
            self._take(data[pos:end])
            if newline < 0:
                return
            line, self._line = bytes(self._line), bytearray()
            cut, self._line_cut = self._line_cut, False
            self._end_line(line, cut)
            pos = newline + 1
        if self._state == self._BODY and pos < len(data):
            self._body_nul = b"\0" in data[pos:]

    def _whole_header(self, header: bytes) -> None:
        """The header up to its closing newline, at once."""
        if b"\0" in header:
            self._problem("nulInHeader", "its header holds a NUL byte")
        lines = header.split(b"\n")
        del lines[-1]
        for line in lines:
            self._end_line(line, len(line) > _LINE_LIMIT)
            if self._state == self._REST:
                break
        if self._state != self._REST:
            self._missing_line()
        self._state = self._BODY

    def finish(self) -> list[Malformed]:
        if self._state == self._REST and self._last == b"\n":
            self._state = self._BODY  # no message: the header ends with the object
        elif self._state != self._BODY:
            if self._state != self._REST and not self._line and not self._line_cut and self._seen:
                self._missing_line()  # whole lines, but not all of those a commit needs
            self._problem("unterminatedHeader", "its header does not end with a newline")
        if self._body_nul and self._message_nul:
            self._problem("nulInCommit", "its message holds a NUL byte")
        return self.warnings

    def _problem(self, msg_id: str, detail: str) -> None:
        self._report(Malformed(msg_id, detail), self.warnings)

    def _take(self, piece: bytes) -> None:
        if b"\0" in piece:
            self._problem("nulInHeader", "its header holds a NUL byte")
        room = _LINE_LIMIT - len(self._line)
        if len(piece) > room:
            self._line_cut = True
            piece = piece[: max(room, 0)]
        self._line += piece

    def _scan_rest(self, data: bytes, pos: int) -> int:
        """After the committer line: find the header's end, refuse a NUL before it."""
        if self._last == b"\n" and data[pos : pos + 1] == b"\n":
            end = pos
        else:
            found = data.find(b"\n\n", pos)
            end = -1 if found < 0 else found + 1
        header = data[pos:] if end < 0 else data[pos:end]
        if b"\0" in header:
            self._problem("nulInHeader", "its header holds a NUL byte")
        if end < 0:
            self._last = data[-1:]
            return len(data)
        self._state = self._BODY
        return end + 1

    def _end_line(self, line: bytes, cut: bool) -> None:
        state = self._state
        if state == self._TREE:
            if not line.startswith(b"tree "):
                self._problem("missingTree", "it has no tree line")
            elif cut or not _HEX40.fullmatch(line, 5):
                self._problem("badTreeSha1", "its tree line is not a 40-digit id")
            self._state = self._PARENTS
        elif state == self._PARENTS and line.startswith(b"parent "):
            if cut or not _HEX40.fullmatch(line, 7):
                self._problem("badParentSha1", "a parent line is not a 40-digit id")
        elif line.startswith(b"author "):
            self._authors += 1
            if self._authors > 1:
                self._problem("multipleAuthors", "it has more than one author line")
            self._ident(line[7:], cut)
            self._state = self._AUTHORS
        else:
            if self._authors == 0:
                self._problem("missingAuthor", "it has no author line")
            if not line.startswith(b"committer "):
                self._problem("missingCommitter", "it has no committer line")
            self._ident(line[10:], cut)
            self._state = self._REST
            self._last = b"\n"

    def _missing_line(self) -> None:
        """The header ended early: name the first line that never came."""
        if self._state == self._TREE:
            self._problem("missingTree", "it has no tree line")
        elif self._state in (self._PARENTS, self._AUTHORS) and self._authors == 0:
            self._problem("missingAuthor", "it has no author line")
        elif self._state in (self._PARENTS, self._AUTHORS):
            self._problem("missingCommitter", "it has no committer line")

    def _ident(self, ident: bytes, cut: bool) -> None:
        if not self._idents:
            return
        if cut:
            self._problem("badName", f"an identity line is over {_LINE_LIMIT} bytes")
            return
        problem = ident_problem(ident)
        if problem is not None:
            self._problem(*problem)


class TagCheck:
    """An annotated tag's header (git's `fsck_tag_standalone`): `object`, `type`, `tag`
    and, when there, `tagger`. Only the header is held, up to `_LINE_LIMIT` bytes."""

    _TYPES = (b"commit", b"tree", b"blob", b"tag")

    def __init__(self, report: Report, idents: bool) -> None:
        self._report = report
        self._idents = idents
        self.warnings: list[Malformed] = []
        self._header = bytearray()
        self._ended = False

    def feed(self, data: bytes) -> None:
        if self._ended or len(self._header) > _LINE_LIMIT:
            return
        self._header += data
        end = self._header.find(b"\n\n")
        if end >= 0:
            del self._header[end + 1 :]
            self._ended = True

    def finish(self) -> list[Malformed]:
        header = bytes(self._header)
        if not self._ended and not header.endswith(b"\n"):
            self._problem("unterminatedHeader", "its header is not terminated")
        if b"\0" in header:
            self._problem("nulInHeader", "its header holds a NUL byte")
        lines = header.split(b"\n")
        first = lines[0] if lines else b""
        if not first.startswith(b"object "):
            self._problem("missingObject", "it has no object line")
        elif not _HEX40.fullmatch(first[7:]):
            self._problem("badObjectSha1", "its object line holds no valid id")
        second = lines[1] if len(lines) > 1 else b""
        if not second.startswith(b"type "):
            self._problem("missingTypeEntry", "it has no type line")
        elif second[5:] not in self._TYPES:
            self._problem("badType", "its type is not an object type")
        if not (lines[2] if len(lines) > 2 else b"").startswith(b"tag "):
            self._problem("missingTagEntry", "it has no tag line")
        tagger = lines[3] if len(lines) > 3 else b""
        if self._idents and tagger.startswith(b"tagger "):
            problem = ident_problem(tagger[7:])
            if problem is not None:
                self._problem(*problem)
        return self.warnings

    def _problem(self, msg_id: str, detail: str) -> None:
        self._report(Malformed(msg_id, detail), self.warnings)


_DATE_OVERFLOW = 2**63


def ident_problem(ident: bytes) -> tuple[str, str] | None:
    """What git's fsck finds wrong with `Name <email> 1700000000 +0000`, by its message ids."""
    if ident.startswith(b"<"):
        return "missingNameBeforeEmail", "an identity has no name before its email"
    opening = ident.find(b"<")
    closing_early = ident.find(b">")
    if opening < 0:
        if closing_early >= 0:
            return "badName", "an identity's name holds a '>'"
        return "missingEmail", "an identity has no email"
    if 0 <= closing_early < opening:
        return "badName", "an identity's name holds a '>'"
    if ident[opening - 1 : opening] != b" ":
        return "missingSpaceBeforeEmail", "an identity has no space before its email"
    closing = ident.find(b">", opening + 1)
    if closing < 0 or b"<" in ident[opening + 1 : closing]:
        return "badEmail", "an identity's email is malformed"
    rest = ident[closing + 1 :]
    if not rest.startswith(b" "):
        return "missingSpaceBeforeDate", "an identity has no space before its date"
    rest = rest[1:].lstrip(b" \t")
    digits = len(rest) - len(rest.lstrip(b"0123456789"))
    if digits == 0:
        return "badDate", "an identity's date is malformed"
    if rest.startswith(b"0") and rest[1:2] != b" ":
        return "zeroPaddedDate", "an identity's date is zero-padded"
    if int(rest[:digits]) >= _DATE_OVERFLOW:
        return "badDateOverflow", "an identity's date overflows"
    zone = rest[digits:]
    if not zone.startswith(b" "):
        return "badDate", "an identity's date is malformed"
    zone = zone[1:]
    if len(zone) != 5 or zone[:1] not in (b"+", b"-") or not zone[1:].isdigit():
        return "badTimezone", "an identity's time zone is malformed"
    return None
