"""The compiled code of dataclass methods and named tuples kept between commands
(`core/platform/generated_code.py`): classes built from the kept code behave exactly as
classes built without it, each in a fresh interpreter as a CLI command is."""

from __future__ import annotations

import json
import marshal
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.platform.generated_code import EVAL, MAX_FILES, REGEX, REGEX_BYTES, cache_file

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 13), reason="3.13 compiles a class's methods at once")

ROOT = Path(__file__).resolve().parents[2]
# `Point`'s `__init__` as `dataclasses` writes it: its annotations' names are 3.11's
# `_type_x`, 3.12's `__dataclass_type_x__`
INIT_XY = re.compile(r"def __init__\(self,x:\w+,y:")
INIT_XZ = re.compile(r"def __init__\(self,x:\w+,z:")

CLASSES = """
import dataclasses, json, sys
from collections import namedtuple
from dataclasses import dataclass, field
from typing import NamedTuple

Pair = namedtuple("Pair", "left right", defaults=[0])

class Named(NamedTuple):
    a: int
    b: str = "b"

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 2
    tags: tuple[str, ...] = ()

@dataclass(order=True)
class Job:
    name: str
    items: list[int] = field(default_factory=list)
    seen: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.items.append(len(self.name))

@dataclass(frozen=True, slots=True)
class Slotted:
    a: str
    b: bytes = b"x"

p, q = Point(1), Point(1, 2, ())
try:
    p.x = 5
    frozen = "no"
except dataclasses.FrozenInstanceError as error:
    frozen = type(error).__name__
try:
    del p.y
    deleted = "no"
except dataclasses.FrozenInstanceError as error:
    deleted = type(error).__name__
j, k = Job("ab"), Job("abc", [1])
s = Slotted("z")
print(json.dumps({
    "repr": [repr(p), repr(j), repr(k), repr(s)],
    "eq": [p == q, p == Point(2), j == Job("ab"), s == Slotted("z", b"x")],
    "hash": hash(p) == hash(q) and hash(s) == hash(Slotted("z")),
    "order": sorted([k, j]) == [j, k],
    "frozen": [frozen, deleted],
    "items": [j.items, k.items],
    "slots": [hasattr(s, "__dict__"), Slotted.__slots__],
    "fields": [f.name for f in dataclasses.fields(Job)],
    "init": str(__import__("inspect").signature(Point)),
    "tuples": [
        repr(Pair(1)), repr(Pair(right=3, left=2)), repr(Named(1)), repr(Named._make([5, "c"])),
        str(__import__("inspect").signature(Pair)), Pair.__new__.__doc__, Pair.__new__.__name__,
        Named._field_defaults, Pair(1, 2)._replace(left=7) == (7, 2), Pair(1)._asdict(),
    ],
}))
"""


def script(cache: Path | None, code: str, command: str = "") -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter, the kept code installed first from `cache` (if any); that
    takes one line either way, so a warning names the same line of `code`."""
    install = f"from core.platform.generated_code import install; install({str(cache)!r}, {command!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", f"{install if cache else 'pass'}\n{code}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def run(cache: Path | None, command: str = "") -> dict[str, object]:
    return dict(json.loads(script(cache, CLASSES, command).stdout))


def kept(cache: Path, command: str = "") -> dict[str, object]:
    version, code = marshal.loads(cache_file(cache, command=command).read_bytes())
    assert version == sys.version
    return dict(code)


def test_the_kept_code_builds_the_same_classes(tmp_path: Path) -> None:
    plain = run(None)
    assert plain["frozen"] == ["FrozenInstanceError", "FrozenInstanceError"]
    assert run(tmp_path) == plain  # compiled, then written at exit
    first = kept(tmp_path)
    assert any(INIT_XY.search(source) for source in first)
    assert any("def __setattr__" in source for source in first)
    # a named tuple's `__new__`, compiled by `collections.namedtuple`'s `eval`
    assert any(source.startswith(f"{EVAL}lambda _cls, left, right:") for source in first)
    inode = cache_file(tmp_path).stat().st_ino
    assert run(tmp_path) == plain  # from the file: nothing new to write
    assert cache_file(tmp_path).stat().st_ino == inode
    assert kept(tmp_path) == first


def test_a_changed_class_is_compiled_and_added(tmp_path: Path) -> None:
    run(tmp_path)
    before = kept(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = (
        f"from core.platform.generated_code import install\ninstall({str(tmp_path)!r})\n"
        "from dataclasses import dataclass\n"
        "@dataclass\nclass Point:\n    x: int\n    z: int = 3\n"
        "print(Point(1), Point(1) == Point(1, 3))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Point(x=1, z=3) True"
    after = kept(tmp_path)
    assert set(before) < set(after)
    assert any(INIT_XZ.search(source) for source in after)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        marshal.dumps(("2.7.18 (old)", {"x": compile("1", "f", "exec")})),
        marshal.dumps([1]),
    ],
)
def test_a_bad_or_foreign_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    plain = run(None)
    cache_file(tmp_path).write_bytes(content)
    assert run(tmp_path) == plain
    assert kept(tmp_path)  # rewritten with this interpreter's code


def test_each_interpreter_build_keeps_its_own_file(tmp_path: Path) -> None:
    """Another build of the same Python version (a distribution's beside pyenv's) sharing
    the data directory: its file is neither read nor rewritten, and this one's is kept."""
    other_version = "3.11.2 (main, Mar 13 2023, 12:18:29) [GCC 12.2.0]"
    theirs = cache_file(tmp_path, other_version)
    assert theirs != cache_file(tmp_path) and theirs.parent == tmp_path
    content = marshal.dumps((other_version, {"x = 1": compile("x = 1", "<string>", "exec")}))
    theirs.write_bytes(content)
    plain = run(None)
    assert run(tmp_path) == plain
    first = kept(tmp_path)
    assert "x = 1" not in first and any(INIT_XY.search(source) for source in first)
    inode = cache_file(tmp_path).stat().st_ino
    assert run(tmp_path) == plain
    assert cache_file(tmp_path).stat().st_ino == inode  # read, nothing new to write
    assert theirs.read_bytes() == content


def test_an_unwritable_directory_leaves_the_command_working(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory would be")
    assert run(blocked / "cache") == run(None)


def test_a_cli_command_keeps_the_code_in_its_data_directory(tmp_path: Path) -> None:
    """Each command in its own file: a sync reads the code of the classes a sync defines,
    not every other command's too (unmarshalling the code objects is most of a hit's cost)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITFERRY_HOME": str(tmp_path), "GITFERRY_IN_PROCESS": "1"}
    entry = "import sys\nfrom gui.launch import main\nsys.exit(main())"
    cache = tmp_path / "cache"
    inodes = []
    for command in ("list", "list", "status"):
        out = subprocess.run(
            [sys.executable, "-c", entry, command, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["repos"] == []
        inodes.append(cache_file(cache, command="list").stat().st_ino)
    assert inodes[0] == inodes[1] == inodes[2]  # neither a second `list` nor `status` rewrote it
    assert any("def __init__(self," in source for source in kept(cache, "list"))
    assert kept(cache, "status")
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        cache_file(cache, command=c).name for c in ("list", "status")
    )


def test_a_word_that_is_not_a_command_name_has_the_file_other(tmp_path: Path) -> None:
    other = cache_file(tmp_path, command="other")
    for word in ("../../etc/x", "Sync", "sÿnc", "x" * 40, "--json"):
        assert cache_file(tmp_path, command=word) == other
    assert cache_file(tmp_path, command="trust-host").name.endswith("-trust-host.marshal")
    assert cache_file(tmp_path, command="sync") != cache_file(tmp_path)


def test_past_its_bound_of_files_a_new_command_writes_none(tmp_path: Path) -> None:
    for n in range(MAX_FILES):
        cache_file(tmp_path, command=f"c{'x' * n}").write_bytes(b"")
    assert run(tmp_path, "new") == run(None)
    assert not cache_file(tmp_path, command="new").exists()
    assert len(list(tmp_path.iterdir())) == MAX_FILES
    assert run(tmp_path, "cx") == run(None)  # one already there is still kept
    assert kept(tmp_path, "cx")


def test_past_its_bound_the_file_keeps_what_the_last_command_used(tmp_path: Path) -> None:
    stale = {f"# a class gone since\n{n}": compile(str(n), "<string>", "exec") for n in range(1600)}
    cache_file(tmp_path).write_bytes(marshal.dumps((sys.version, stale)))
    assert run(tmp_path) == run(None)  # compiles its own, then writes
    kept_now = kept(tmp_path)
    assert not any(source.startswith("# a class gone since") for source in kept_now)
    assert any(INIT_XY.search(source) for source in kept_now)


def _start_daemon(env: dict[str, str]) -> subprocess.Popen[str]:
    """`gitferry daemon` as the console script runs it, once it says it is running."""
    entry = "import sys\nfrom gui.launch import main\nsys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", entry, "daemon"], env=env, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], deadline - time.monotonic())
        line = proc.stderr.readline() if ready else ""
        if "gitferry daemon: running" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.wait()
    raise AssertionError("gitferry daemon never said it was running")


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0


@pytest.mark.slow
def test_the_daemon_keeps_its_code_once_started(tmp_path: Path) -> None:
    """`gitferry daemon` leaves by `os._exit` (no `atexit`): it saves its classes' code once
    it has started (`save_now`), so the next start compiles none of them again."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITFERRY_HOME": str(tmp_path)}
    kept_file = cache_file(tmp_path / "cache", command="daemon")
    _stop(_start_daemon(env))
    first = kept(tmp_path / "cache", "daemon")
    assert any("def __init__(self," in source for source in first)
    inode = kept_file.stat().st_ino
    _stop(_start_daemon(env))
    assert kept_file.stat().st_ino == inode  # everything it defined by then was kept


PATTERNS = r"""
import json, re, sys, warnings
warnings.simplefilter("always")
cases = [
    (r"(?P<user>[^@/]+)@(?P<host>\[[^\]/]+\]|[^:/]+):(?P<path>.*)", 0, "me@[::1]:a/b.git"),
    (r"(?i)^ref: +(\S+)$", re.MULTILINE, "x\nREF:  refs/heads/main\n"),
    (r" (\d+) \s* (?# a comment) ([a-z]+)? ", re.VERBOSE | re.IGNORECASE, "  12 AbC"),
    (rb"(?P<sha>[0-9a-f]{40}) (?P<name>refs/[^\x00\xff]+)", 0, b"%s refs/tags/v1" % (b"a" * 40)),
    (r"(?<=a)b+(?!c)|\bz\w*", re.ASCII, "abbd zeta"),
    (r"[[a]x", 0, "[x ax"),  # a possible nested set: warns, so never kept
]
out = []
for pattern, flags, text in cases:
    p = re.compile(pattern, flags)
    m = p.search(text)
    out.append([repr(p.pattern), p.flags, p.groups, dict(p.groupindex), repr(m and m.groups()),
                repr(p.findall(text)), repr(p.sub(lambda m: b"_" if isinstance(text, bytes) else "_", text))])
print(json.dumps(out))
"""


def run_patterns(cache: Path | None) -> tuple[list[object], str]:
    proc = script(cache, PATTERNS)
    return list(json.loads(proc.stdout)), proc.stderr


def test_kept_regular_expressions_compile_to_the_same_patterns(tmp_path: Path) -> None:
    """A regular expression's program (`re`'s parser and compiler, pure Python, run again in
    every process) is kept too, and a pattern made from it is the one `re` would make."""
    plain, warned = run_patterns(None)
    assert "FutureWarning: Possible nested set" in warned
    assert run_patterns(tmp_path) == (plain, warned)  # compiled, then written at exit
    first = kept(tmp_path)
    regexes = {key for key in first if key.startswith((REGEX, REGEX_BYTES))}
    assert f"{REGEX}{int(re.VERBOSE | re.IGNORECASE)}\0 (\\d+) \\s* (?# a comment) ([a-z]+)? " in regexes
    assert any(key.startswith(f"{REGEX_BYTES}0\0(?P<sha>") for key in regexes)
    assert not any("[[a]x" in key for key in regexes)  # compiled each time: its warning is told each time
    inode = cache_file(tmp_path).stat().st_ino
    assert run_patterns(tmp_path) == (plain, warned)  # from the file, the warning still given
    assert cache_file(tmp_path).stat().st_ino == inode  # nothing new to write


def test_a_damaged_regular_expression_is_compiled_again(tmp_path: Path) -> None:
    plain, _ = run_patterns(None)
    run_patterns(tmp_path)
    version, code = marshal.loads(cache_file(tmp_path).read_bytes())
    assert any(key.startswith((REGEX, REGEX_BYTES)) for key in code)
    damaged = {
        k: (v[0], [255, 0, 7], *v[2:]) if k.startswith((REGEX, REGEX_BYTES)) else v for k, v in code.items()
    }
    cache_file(tmp_path).write_bytes(marshal.dumps((version, damaged)))
    assert run_patterns(tmp_path)[0] == plain
    assert kept(tmp_path) == dict(code)  # each replaced by what `re` makes of it
