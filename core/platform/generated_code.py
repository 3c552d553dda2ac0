"""The compiled code of what `dataclasses` and `collections.namedtuple` generate from
source (a dataclass's methods, a named tuple's `__new__`), and the programs `re` compiles
regular expressions into, kept in a file between commands.

Python 3.11 and 3.12 build each method of a dataclass (`__init__`, `__repr__`, `__eq__`,
a frozen class's `__setattr__`, `__delattr__` and `__hash__`) by writing its source and
passing it to `exec`, one `compile` a method: a cold `gitferry sync --fetch-only` makes
307 of them for the 54 dataclasses it imports (Gitferry's, dulwich's, the standard
library's), 21 of the 27 ms of CPU that building those classes takes. Python keeps no
bytecode for them, as it does for modules (`__pycache__`). So a CLI command sends
`dataclasses`' calls to `exec` through `_exec` here, which looks the source text up in
a dictionary of code objects read from one `marshal` file before compiling it, and
adds what it had to compile to that file when the command ends (written atomically:
a reader sees the old file or the new one). Each command keeps its own file (`sync`,
`status`, `daemon`...): reading the code objects is most of the cost of a hit (about 5 us
each, unmarshalled), and a sync used 313 of the 522 a shared file had gathered
(`_read` 2.7 -> 2.2 ms of CPU).

`collections.namedtuple` (and so `typing.NamedTuple`) does the same for each named
tuple's `__new__`: one `eval` of a `lambda` written for its fields, 27 of them in a cold
sync (the standard library's, dulwich's and Gitferry's; 19 defined after `install`:
making the 27 took 2.4 ms of CPU, 1.7 with the kept code). Its calls to `eval` go
through `_eval` here, kept in the same file under the source text with `EVAL` before
it (a NUL, which no source `compile` accepts, so never a dataclass's key).

`re` compiles each regular expression anew in every process too (its cache, `re._cache`,
lives as long as the process): its parser and code generator (`re._parser`, `re._compiler`,
pure Python) turn the pattern into a program for `_sre.compile`, 30 of them in a cold
sync (the standard library's `textwrap`, `string`, `logging`, `tokenize`..., dulwich's,
Gitferry's), 3% of its instructions (`valgrind --tool=callgrind`: 15 million of 470). So
the file keeps that program too (the flags, the code, the groups: what `re._compiler.compile`
hands `_sre.compile`) under the pattern, with `REGEX` before it (`REGEX_BYTES` for a `bytes`
pattern) and its flags: `install` makes each kept pattern with `_sre.compile` and puts it in
`re._cache`, where `re.compile` finds it as it finds one it compiled itself (the same
`re.Pattern`), and the exit keeps the program of each pattern in that cache that the file
lacks. A pattern whose parse may warn (a `FutureWarning` on a possible nested set) is not
kept: compiled each time, it warns each time as before.

The key is the whole source text and the value what `compile(text, "<string>", "exec")`
(or `"eval"`) made of it, so a hit runs exactly the code a miss would (compiled with
`dont_inherit`: code compiled here would otherwise inherit this module's `from __future__ import
annotations` and `__init__`'s annotations would become strings); the class's globals
and locals are passed to `exec` as `dataclasses` passes them. The file is named for the
interpreter's build (`cache_file`) and holds `sys.version` too: another
Python's file is never read. A file that cannot be read or is not such a dictionary
is ignored (and replaced at the end). Python 3.13 and later compile a class's methods
in one go (its `_FuncBuilder`); there `install` does nothing. The file is trusted as
much as the interpreter's own `__pycache__` and lives in the user's data directory; its
name still starts `dataclass-code.` (the module's name before it kept named tuples too),
so the files written before are read, not left behind.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import atexit
import builtins
import collections
import marshal
import re
import sys
import types
import zlib
from pathlib import Path
from re import _compiler as re_compiler  # type: ignore[attr-defined]
from re import _parser as re_parser  # type: ignore[attr-defined]

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any

MAX_ENTRIES = 1500
MAX_FILES = 32
"""Files of one interpreter build (one a command) at the most: a new command's file is not
written past it (the CLI has about 20 commands; an unknown word is `other`)."""
"""Past this many, the file keeps only what the command writing it used: every class the
CLI and the engine can define is about 1,000 sources (the sync's 307 read in about 1 ms), so
more means sources of classes an earlier version had, which only slow the read."""

EVAL = "eval\0"
"""Before the source text of an `eval`'s key (a named tuple's `__new__`)."""
REGEX, REGEX_BYTES = "re\0", "rb\0"
"""Before a kept regular expression's flags and pattern (a `bytes` one as Latin-1 text)."""
_SET_OPERATORS = ("--", "&&", "~~", "||")
"""In a pattern, what `re`'s parser may warn about (a `FutureWarning`, with a set that opens
with `[`, `_may_warn`): such a pattern is not kept."""

Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
"""What `_sre.compile` takes after the pattern: flags, code, groups, group index, index group."""
Kept = types.CodeType | Program

_code: dict[str, Kept] = {}
_path: list[Path] = []  # the file `install` read
_used: dict[str, Kept] = {}
_new: list[str] = []


def cache_file(directory: Path, version: str = sys.version, command: str = "") -> Path:
    """The file of the interpreter whose `sys.version` is `version`, named for its build
    (a checksum of that text), not only for its minor version (`cache_tag`): two builds of
    one version sharing a data directory (a distribution's python3.11 and pyenv's, say)
    keep one file each, where each rewrote the other's at every command (its code is not
    theirs) and compiled every class anew. `command` (lowercase letters and dashes; any
    other word is `other`) names the command's own file."""
    name = _build_prefix(version)
    if command:
        plain = command.replace("-", "")
        word = plain.isascii() and plain.isalpha() and plain.islower() and command[0] != "-"
        name += f"-{command if word and len(command) <= 32 else 'other'}"
    return directory / f"{name}.marshal"


def _build_prefix(version: str = sys.version) -> str:
    return f"dataclass-code.{sys.implementation.cache_tag}-{zlib.crc32(version.encode()):08x}"


def install(directory: str | Path, command: str = "") -> bool:
    """Send `dataclasses`' `exec` calls and `collections.namedtuple`'s `eval` calls through
    the kept code from now on (`command`'s file: `cache_file`), and save what was compiled
    anew at exit. Call it before the dataclasses and named tuples are defined. False
    (nothing done) on Python 3.13 and later."""
    if sys.version_info >= (3, 13):
        return False
    path = cache_file(Path(directory), command=command)
    _path[:] = [path]
    _code.update(_read(path))
    collections.eval = _eval  # type: ignore[attr-defined]  # before `dataclasses` imports `inspect`'s
    _load_regexes()
    import dataclasses

    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(_save, path)
    return True


def _read(path: Path) -> dict[str, Kept]:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not (isinstance(data, tuple) and len(data) == 2 and data[0] == sys.version):
        return {}
    code = data[1]
    if not isinstance(code, dict):
        return {}
    return {k: v for k, v in code.items() if isinstance(k, str) and isinstance(v, types.CodeType | tuple)}


def _exec(source: str, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None) -> None:
    code = _code.get(source) if isinstance(source, str) else None
    if not isinstance(code, types.CodeType):
        code = compile(source, "<string>", "exec", dont_inherit=True)  # not this module's __future__
        if isinstance(source, str):
            _code[source] = code
            _new.append(source)
    if isinstance(source, str):
        _used[source] = code
    builtins.exec(code, globals, locals)


def _eval(source: str, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None) -> Any:
    if not isinstance(source, str):
        return builtins.eval(source, globals, locals)
    key = EVAL + source
    code = _code.get(key)
    if not isinstance(code, types.CodeType):
        code = compile(source, "<string>", "eval", dont_inherit=True)
        _code[key] = code
        _new.append(key)
    _used[key] = code
    return builtins.eval(code, globals, locals)


def _regex_key(pattern: str | bytes, flags: int) -> str:
    if isinstance(pattern, str):
        return f"{REGEX}{flags}\0{pattern}"
    return f"{REGEX_BYTES}{flags}\0{pattern.decode('latin-1')}"


def _load_regexes() -> None:
    """Put each kept pattern in `re`'s own cache (`re._cache`, where `re.compile` looks
    first), made by `_sre.compile` from its kept program as `re` would have made it."""
    cache = re._cache  # type: ignore[attr-defined]
    damaged = []
    for key, program in _code.items():
        if not isinstance(program, tuple) or len(cache) >= re._MAXCACHE:  # type: ignore[attr-defined]
            continue
        kind, flags, text = key.split("\0", 2)
        pattern = text if f"{kind}\0" == REGEX else text.encode("latin-1")
        try:
            compiled = _sre.compile(pattern, *program)
        except (TypeError, ValueError, RuntimeError):  # a damaged entry (`_sre` checks the code)
            damaged.append(key)
            continue
        cache.setdefault((type(pattern), pattern, int(flags)), compiled)  # not one compiled already
    for key in damaged:
        del _code[key]  # kept anew at exit if this command compiles it


def _keep_regexes() -> None:
    """Keep the program of each pattern in `re`'s cache (at exit)."""
    for kind, pattern, flags in list(re._cache):  # type: ignore[attr-defined]
        if kind not in (str, bytes) or not isinstance(flags, int):
            continue
        key = _regex_key(pattern, flags)
        program = _code.get(key)
        if not isinstance(program, tuple):
            if _may_warn(key):
                continue  # compiled again each time, so its warning is given each time
            program = _program(pattern, flags)
            _code[key] = program
            _new.append(key)
        _used[key] = program


def _may_warn(text: str) -> bool:
    """Whether `re`'s parser may warn about the pattern `text`: a set operator of a future
    Python (anywhere, to be safe) or a set opening with `[` (a `[[` whose first `[` is not
    escaped, as `\\[[^]]` is)."""
    if any(operator in text for operator in _SET_OPERATORS):
        return True
    at = text.find("[[")
    while at >= 0:
        escapes = len(text[:at]) - len(text[:at].rstrip("\\"))
        if escapes % 2 == 0:
            return True
        at = text.find("[[", at + 1)
    return False


def _program(pattern: str | bytes, flags: int) -> Program:
    """The arguments `re._compiler.compile` (3.11, 3.12) passes `_sre.compile` after the
    pattern, as plain values (its opcodes are `int` subclasses, which `marshal` refuses)."""
    parsed = re_parser.parse(pattern, flags)
    code = re_compiler._code(parsed, flags)
    groups = parsed.state.groupdict
    index: list[str | None] = [None] * parsed.state.groups
    for name, number in groups.items():
        index[number] = name
    return (
        int(flags | parsed.state.flags),
        [int(c) for c in code],
        parsed.state.groups - 1,
        dict(groups),
        tuple(index),
    )


def save_now() -> None:
    """Save what was compiled anew so far, now: for `gitferry daemon`, which leaves by
    `os._exit` (no `atexit`), once it has started (its classes are defined by then)."""
    if _path:
        _save(_path[0])


def _save(path: Path) -> None:
    """Write the file when something was compiled anew (at exit; never raises)."""
    _keep_regexes()
    if not _new:
        return
    from core.atomic_file import write_atomically

    keep = _code if len(_code) <= MAX_ENTRIES else _used
    try:
        if not path.exists() and len(list(path.parent.glob(f"{_build_prefix()}*.marshal"))) >= MAX_FILES:
            return  # a new command's file past the bound: it compiles again next time
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(path, marshal.dumps((sys.version, keep)), mode=0o600)
    except (OSError, ValueError):  # a read-only or full disk: the next command compiles again
        return
    _new.clear()
