"""Attributes as git reads them, `git check-attr` the referee; git's text statistics,
`git ls-files --eol` the referee."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from dulwich.index import Index
from dulwich.repo import Repo

from core.git.content.attributes import Attributes
from core.git.content.filters import ContentFilters, index_blobs
from core.git.content.text_stats import StatsGatherer, gather
from core.git.index.read import open_index
from tests.gitcli import git

ROOT_RULES = (
    "# root\n"
    "[attr]mine text eol=crlf -diff\n"
    "*.txt text\n"
    "*.bin binary\n"
    "*.both binary text\n"
    "*.macro mine\n"
    "*.unset text\n"
    "*.unset !text\n"
    "!negative.txt -text\n"
    '"with space.dat" eol=lf\n'
    "bad/**  in~valid text\n"
    "docs/ text\n"
    "/top.md filter=crypt\n"
    "*.md text=auto\n"
)
SUB_RULES = (
    "[attr]notallowed text\n*.txt -text\n/anchored.c eol=crlf\ndeep/*.c working-tree-encoding=UTF-16\n"
)
PATHS = [
    "a.txt",
    "sub/a.txt",
    "sub/anchored.c",
    "sub/x/anchored.c",
    "sub/deep/z.c",
    "img.bin",
    "x.both",
    "y.macro",
    "z.unset",
    "negative.txt",
    "with space.dat",
    "bad/q.txt",
    "docs/r.txt",
    "top.md",
    "sub/top.md",
    "info.log",
    "global.cfg",
]


def _check_attr(repo: Path, paths: list[str], *, cached: bool = False) -> dict[str, dict[str, str]]:
    flags = ["--cached"] if cached else []
    out = git("check-attr", *flags, "-a", "-z", "--", *paths, cwd=repo)
    fields = out.split("\0")
    found: dict[str, dict[str, str]] = {p: {} for p in paths}
    for i in range(0, len(fields) - 2, 3):
        found[fields[i]][fields[i + 1]] = fields[i + 2]
    return found


def _ours(attributes: Attributes, paths: list[str]) -> dict[str, dict[str, str]]:
    shown = {True: "set", False: "unset"}
    return {
        p: {
            name.decode(): shown[value] if isinstance(value, bool) else bytes(value).decode()
            for name, value in attributes.of(p.encode()).items()
        }
        for p in paths
    }


@pytest.fixture
def attr_repo(tmp_path: Path, clean_env: Path) -> Path:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    (repo / ".gitattributes").write_text(ROOT_RULES)
    (repo / "sub").mkdir()
    (repo / "sub" / ".gitattributes").write_text(SUB_RULES)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("*.log text eol=crlf\n*.txt whitespace=x\n")
    global_file = clean_env / "global-attributes"
    global_file.write_text("*.cfg text\n*.txt -text diff=global\n")
    git("config", "--global", "core.attributesFile", str(global_file))
    return repo


def test_worktree_attributes_are_gits(attr_repo: Path) -> None:
    with Repo(str(attr_repo)) as repo:
        attributes = Attributes(
            os.fsencode(repo.path),
            os.fsencode(repo.commondir()),
            repo.get_config_stack(),
            index_blob=lambda _path: None,
            checkout=False,
        )
        assert _ours(attributes, PATHS) == _check_attr(attr_repo, PATHS)


def test_index_attributes_and_the_direction_decides_which_file(attr_repo: Path) -> None:
    """`.gitattributes` only in the index counts both ways; where both exist, checking in
    reads the working tree's and checking out the index's (git check-attr --cached: index)."""
    git("add", ".gitattributes", "sub/.gitattributes", cwd=attr_repo)
    (attr_repo / "sub" / ".gitattributes").write_text("*.txt eol=crlf\n")
    (attr_repo / ".gitattributes").unlink()
    with Repo(str(attr_repo)) as repo:
        index = open_index(repo)
        filters = ContentFilters(repo, index_sha=index_blobs(index))
        shown = {True: "set", False: "unset"}

        def ours(checkout: bool) -> dict[str, dict[str, str]]:
            return {
                p: {
                    k.decode(): shown[v] if isinstance(v, bool) else bytes(v).decode()
                    for k, v in filters.attributes(p.encode(), checkout=checkout).items()
                }
                for p in PATHS
            }

        assert ours(False) == _check_attr(attr_repo, PATHS)
        cached = _check_attr(attr_repo, PATHS, cached=True)
        checkout = ours(True)
        # --cached reads only the index: the same as a checkout wherever the index has the file
        assert checkout == cached


def test_a_symlinked_gitattributes_is_not_followed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    (tmp_path / "elsewhere").write_text("*.txt text eol=crlf\n")
    (repo / ".gitattributes").symlink_to(tmp_path / "elsewhere")
    with Repo(str(repo)) as opened:
        filters = ContentFilters(opened, index_sha=index_blobs(Index(opened.index_path(), read=False)))
        assert dict(filters.attributes(b"a.txt", checkout=False)) == {}
    assert _check_attr(repo, ["a.txt"]) == {"a.txt": {}}


def _samples() -> list[bytes]:
    rng = random.Random(15)
    alphabet = [b"a", b" ", b"\n", b"\r", b"\r\n", b"\0", b"\x01", b"\x7f", b"\t", b"\x1a", b"\xc3\xa9"]
    samples = [b"", b"\x1a", b"a\x1a", b"a\r", b"\r\n", b"x\n\x1a"]
    for _ in range(150):
        weights = [rng.randint(0, 50) for _ in alphabet]
        samples.append(b"".join(rng.choices(alphabet, weights=weights, k=rng.randint(1, 400))))
    return samples


def _classify(data: bytes) -> str:
    stats = gather([data])
    if not data:
        return "none"
    if stats.is_binary:
        return "-text"
    kinds = {(True, False): "crlf", (False, True): "lf", (True, True): "mixed", (False, False): "none"}
    return kinds[(stats.crlf > 0, stats.lonelf > 0)]


def test_text_statistics_classify_as_git_does(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    samples = _samples()
    for i, data in enumerate(samples):
        (repo / f"s{i:03}").write_bytes(data)
    git("add", ".", cwd=repo)
    lines = git("ls-files", "--eol", "-z", cwd=repo).split("\0")
    theirs = {}
    for line in filter(None, lines):
        info, path = line.split("\t", 1)
        theirs[path] = info.split()[0].removeprefix("i/")
    ours = {f"s{i:03}": _classify(data) for i, data in enumerate(samples)}
    assert ours == theirs


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_statistics_do_not_depend_on_chunking(size: int) -> None:
    for data in _samples():
        gatherer = StatsGatherer()
        for i in range(0, len(data), size):
            gatherer.update(data[i : i + size])
        assert gatherer.finish() == gather([data])
