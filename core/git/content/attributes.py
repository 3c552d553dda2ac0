"""git's attributes of a path, read from where git reads them, in git's precedence.

Frames, lowest first (git's attr.c): the built-in macro `binary` (`-diff -merge
-text`), `/etc/gitattributes` (unless `GIT_ATTR_NOSYSTEM`), `core.attributesFile`
(default `$XDG_CONFIG_HOME/git/attributes`), the root `.gitattributes`, each
deeper directory's `.gitattributes` down to the path's own, and on top
`info/attributes` (in the common directory: linked worktrees share it). The
highest frame with a matching line decides an attribute, the last matching line
of a frame first, and within a line the last mention of an attribute; a macro
(`[attr]name ...`, only in the root file, `info/attributes` and the global and
system files) that is set expands at the precedence of the line that set it,
filling only what is still undecided. Lines git rejects are dropped as git drops
them: a negative pattern, an invalid attribute name, a macro outside the files
that may define one. A pattern may be C-quoted.

Where a directory's `.gitattributes` comes from depends on the direction, as in
git: checking in (hashing or committing a working-tree file) reads the working
tree's file and falls back to the index's; checking out reads the index's (the
index the checkout produces) and falls back to the working tree's. A
`.gitattributes` that is a symlink is not followed. Files are read once per
`Attributes` object, only for directories holding a path that is asked about.

Patterns are compiled by dulwich (`dulwich.attrs.Pattern`, wildmatch with git's
anchoring); what dulwich's `GitAttributes` does not do (macros, `binary`, quoted
patterns, git's source order per direction) is done here.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from dulwich.attrs import AttributeValue, Pattern
from dulwich.config import StackedConfig
from dulwich.wildmatch import MalformedPattern

FILE_NAME = b".gitattributes"
_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_SKIPPED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR, errno.EACCES, errno.EMLINK)
_BUILTIN = b"[attr]binary -diff -merge -text\n"
_SYSTEM_FILE = b"/etc/gitattributes"

BlobLookup = Callable[[bytes], bytes | None]
"""The content of the blob the index (or the tree being checked out) has at a path."""

State = tuple[bytes, AttributeValue]  # name, value (True set, False unset with -, None !, bytes =)


@dataclass(frozen=True)
class Rule:
    """One line: a pattern (or a macro's name) and the states it sets, in line order."""

    states: tuple[State, ...]
    pattern: Pattern | None = None
    macro: bytes | None = None


@dataclass
class Frame:
    rules: list[Rule] = field(default_factory=list)

    def macros(self) -> Iterable[Rule]:
        return (rule for rule in reversed(self.rules) if rule.macro is not None)


def parse_rules(data: bytes, *, base: bytes = b"", macros_ok: bool, skip_bom: bool = True) -> Frame:
    """The lines of one attributes file, as git's parse_attr_line keeps them."""
    frame = Frame()
    for number, line in enumerate(data.split(b"\n")):
        if number == 0 and skip_bom and line.startswith(_BOM):
            line = line[len(_BOM) :]
        rule = _parse_line(line, base, macros_ok)
        if rule is not None:
            frame.rules.append(rule)
    return frame


def _parse_line(line: bytes, base: bytes, macros_ok: bool) -> Rule | None:
    line = line.lstrip(_BLANK)
    if not line or line.startswith(b"#"):
        return None
    quoted = _unquote(line) if line.startswith(b'"') else None
    if quoted is not None:
        name, rest = quoted
    else:
        end = _first_blank(line)
        name, rest = line[:end], line[end:]
    macro = None
    if name.startswith(b"[attr]") and len(name) > len(b"[attr]"):
        if not macros_ok:
            return None
        macro = name[len(b"[attr]") :]
        if not _valid_name(macro):
            return None
    states = _parse_states(rest)
    if states is None:
        return None
    if macro is not None:
        return Rule(states, macro=macro)
    if name.startswith(b"!"):
        return None  # git: negative patterns are ignored in attributes files
    try:
        return Rule(states, pattern=Pattern(name, base))
    except MalformedPattern:
        return None


def _first_blank(data: bytes) -> int:
    positions = [i for i in (data.find(bytes([c])) for c in _BLANK) if i >= 0]
    return min(positions) if positions else len(data)


def _parse_states(rest: bytes) -> tuple[State, ...] | None:
    states: list[State] = []
    for word in rest.split():
        value: AttributeValue
        if word.startswith(b"-"):
            name, value = word[1:], False
        elif word.startswith(b"!"):
            name, value = word[1:], None
        elif b"=" in word:
            name, _eq, value = word.partition(b"=")
        else:
            name, value = word, True
        if not _valid_name(name):
            return None  # git drops the whole line
        states.append((name, value))
    return tuple(states)


def _valid_name(name: bytes) -> bool:
    if not name or name.startswith(b"-"):
        return False
    return all(c in b"-._" or 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 for c in name)


_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("v"): 11}


def _unquote(line: bytes) -> tuple[bytes, bytes] | None:
    """git's unquote_c_style: the pattern and what follows it, or None (not a valid quote)."""
    out = bytearray()
    i = 1
    while i < len(line):
        c = line[i]
        if c == ord('"'):
            return bytes(out), line[i + 1 :]
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(line):
            return None
        c = line[i]
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif c in b'\\"':
            out.append(c)
        elif 48 <= c <= 51 and i + 2 < len(line) and all(48 <= d <= 55 for d in line[i + 1 : i + 3]):
            out.append(int(line[i : i + 3], 8))
            i += 2
        else:
            return None
        i += 1
    return None


def read_file(path: bytes) -> bytes | None:
    """A file's bytes, never through a symlink; None when absent or unreadable (git warns)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno in _SKIPPED_ERRNOS:
            return None
        raise
    with os.fdopen(fd, "rb") as file:
        return file.read()


def global_attributes_file(config: StackedConfig) -> bytes:
    """`core.attributesFile`, or git's default `$XDG_CONFIG_HOME/git/attributes`."""
    try:
        value = config.get(b"core", b"attributesFile")
    except KeyError:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return os.fsencode(os.path.join(xdg, "git", "attributes"))
    return os.fsencode(os.path.expanduser(os.fsdecode(value)))


class Attributes:
    """The attributes of paths of one working tree in one direction (`checkout` or not).

    `index_blob` gives the bytes of `<dir>/.gitattributes` as the index holds it
    (for a checkout: the index the checkout produces); None when it has none.
    `worktree=False`: the working tree has no file the index lacks (a clone's first
    checkout), so no `.gitattributes` is looked for there (5,245 failed opens, one per
    directory, in a clone of `bench.real_history`)."""

    def __init__(
        self,
        root: bytes,
        common_dir: bytes,
        config: StackedConfig,
        *,
        index_blob: BlobLookup,
        checkout: bool,
        worktree: bool = True,
    ) -> None:
        self._root = root
        self._worktree = worktree  # False: the working tree holds no file but the checkout's
        self._index_blob = index_blob
        self._checkout = checkout
        lower = [parse_rules(_BUILTIN, macros_ok=True)]
        if not _env_true("GIT_ATTR_NOSYSTEM"):
            lower.append(parse_rules(read_file(_SYSTEM_FILE) or b"", macros_ok=True))
        lower.append(parse_rules(read_file(global_attributes_file(config)) or b"", macros_ok=True))
        self._lower = lower  # builtin, system, global: lowest first
        info = read_file(os.path.join(common_dir, b"info", b"attributes")) or b""
        self._info = parse_rules(info, macros_ok=True)
        self._dirs: dict[bytes, Frame] = {}
        self._rules: dict[bytes, list[Rule]] = {}  # by directory: the lines `of` tries
        self._macros: dict[bytes, Rule] | None = None

    def of(self, path: bytes) -> Mapping[bytes, AttributeValue]:
        """The attributes git's `check-attr --all` gives `path` (unset ones left out)."""
        rules = self._rules_for(path)
        if not rules:
            return {}
        values: dict[bytes, AttributeValue] = {}
        macros = self._macro_rules()
        for rule in rules:
            if rule.pattern is not None and rule.pattern.match(path):
                _fill(rule.states, values, macros)
        return {name: value for name, value in values.items() if value is not None}

    def _rules_for(self, path: bytes) -> list[Rule]:
        """The pattern lines that may apply to `path`, in the order they are tried: the
        frames depend on its directory alone, so they are put together once a directory
        (a switch asks about hundreds of paths, most in a directory without any)."""
        directory = path.rpartition(b"/")[0]
        rules = self._rules.get(directory)
        if rules is None:
            rules = [
                rule
                for frame in self._frames(path)
                for rule in reversed(frame.rules)
                if rule.pattern is not None
            ]
            self._rules[directory] = rules
        return rules

    def _frames(self, path: bytes) -> list[Frame]:
        """Highest precedence first: info, the path's directory up to the root, then the rest."""
        dirs = [b""]
        slash = path.find(b"/")
        while slash != -1:
            dirs.append(path[:slash])
            slash = path.find(b"/", slash + 1)
        frames = [self._info]
        frames.extend(self._dir_frame(d) for d in reversed(dirs))
        frames.extend(reversed(self._lower))
        return frames

    def _dir_frame(self, directory: bytes) -> Frame:
        frame = self._dirs.get(directory)
        if frame is None:
            name = directory + b"/" + FILE_NAME if directory else FILE_NAME
            from_file = read_file(os.path.join(self._root, name)) if self._worktree else None
            data, from_index = from_file, False
            if self._checkout or data is None:
                from_blob = self._index_blob(name)
                if from_blob is not None or data is None:
                    data, from_index = from_blob, True
            frame = parse_rules(data or b"", base=directory, macros_ok=not directory, skip_bom=not from_index)
            self._dirs[directory] = frame
        return frame

    def _macro_rules(self) -> dict[bytes, Rule]:
        """Each macro's definition: the one in the highest frame (the last in that file) wins."""
        if self._macros is None:
            macros: dict[bytes, Rule] = {}
            for frame in (self._info, self._dir_frame(b""), *reversed(self._lower)):
                for rule in frame.macros():
                    assert rule.macro is not None
                    macros.setdefault(rule.macro, rule)
            self._macros = macros
        return self._macros


def _fill(
    states: tuple[State, ...], values: dict[bytes, AttributeValue], macros: Mapping[bytes, Rule]
) -> None:
    """git's fill_one: the line's states, last first, into what is still undecided; a macro
    set here expands here."""
    for name, value in reversed(states):
        if name in values:
            continue
        values[name] = value
        macro = macros.get(name)
        if value is True and macro is not None:
            _fill(macro.states, values, macros)


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")
