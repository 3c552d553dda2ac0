"""Line endings as git has them, git the referee: attributes x core.autocrlf x content.

One remote holds every cell: a directory per attribute (`text`, `-text`, `text=auto`,
`eol=lf`, `eol=crlf`, `binary`, none), each with a file per content (LF, CRLF, mixed,
binary with NULs, empty, a lone CR, mostly control bytes, no final newline: the last
ones binary to git's heuristic though they hold CRLFs), committed by `git add` as a
repository that carries those attributes would have them; plus directories whose blobs
were committed raw (CRLF in the index under `text` and `eol=crlf`, and under
`text=auto`, where git keeps such a file as it is). For each configuration
(core.autocrlf false, true, input; core.eol=crlf) Gitferry and git each clone it,
fast-forward to a commit that changes every file (raw cells aside: git itself refuses
to pull over them when it looks at their content), then commit new and edited files:
the working-tree bytes equal git's after the clone and the fast-forward, the committed
blobs equal `git add -A`'s, and `git status --porcelain` is empty after each step
(raw cells aside: git itself shows those as modified once it looks at their content).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.merge.integrate import Strategy, integrate_current
from core.git.transfer.clone import clone_repository
from core.git.transfer.fetch import fetch_remote
from core.git.worktree.autocommit import auto_commit
from tests.gitcli import fsck, git

ATTRIBUTES = {
    "none": None,
    "text": "text",
    "notext": "-text",
    "auto": "text=auto",
    "eollf": "eol=lf",
    "eolcrlf": "eol=crlf",
    "binary": "binary",
}
RAW = {"rawtext": "text", "raweolcrlf": "eol=crlf", "rawauto": "text=auto", "rawnone": None}
CONTENTS = {
    "lf": b"one\ntwo\nthree\n",
    "crlf": b"one\r\ntwo\r\nthree\r\n",
    "mixed": b"one\r\ntwo\nthree\r\n",
    "nul": b"bin\x00ary\nwith\r\nNULs\n",
    "empty": b"",
    "lonecr": b"old mac\rline\r\n",
    "controls": b"\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\r\nx\r\n",
    "noeol": b"one\r\ntwo",
}
CONFIGS = {
    "autocrlf-false": {"core.autocrlf": "false"},
    "autocrlf-true": {"core.autocrlf": "true"},
    "autocrlf-input": {"core.autocrlf": "input"},
    "eol-crlf": {"core.autocrlf": "false", "core.eol": "crlf"},
}


def _rotated(name: str) -> bytes:
    """The next content in the list: what the second commit puts in each file."""
    names = list(CONTENTS)
    return CONTENTS[names[(names.index(name) + 1) % len(names)]]


def _write_attributes(work: Path, groups: dict[str, str | None]) -> None:
    for group, attr in groups.items():
        (work / group).mkdir(exist_ok=True)
        if attr is not None:
            (work / group / ".gitattributes").write_bytes(f"* {attr}\n.gitattributes -text\n".encode())


def _add_raw(work: Path, path: str, data: bytes) -> None:
    """Commit `data` byte for byte whatever the attributes say (as a repository made before them)."""
    (work / path).write_bytes(data)
    sha = git("hash-object", "-w", "--no-filters", path, cwd=work)
    git("update-index", "--add", "--cacheinfo", f"100644,{sha},{path}", cwd=work)


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("eol")
    bare, work = base / "remote.git", base / "work"
    env = {"HOME": str(base), "GIT_CONFIG_NOSYSTEM": "1"}
    # The module's fixture runs before the per-test scrub: its git sees this HOME, and only
    # it (os.environ as it was afterwards: a later module's fixture on this worker must not
    # inherit a HOME without git's identity).
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return _make_remote(bare, work)


def _make_remote(bare: Path, work: Path) -> Path:
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("init", "-q", "-b", "main", str(work))
    git("config", "core.autocrlf", "false", cwd=work)
    git("config", "user.name", "T", cwd=work)
    git("config", "user.email", "t@example.invalid", cwd=work)
    _write_attributes(work, {**ATTRIBUTES, **RAW})
    for group in ATTRIBUTES:
        for name, data in CONTENTS.items():
            (work / group / f"{name}.dat").write_bytes(data)
    git("add", "-A", cwd=work)
    for group in RAW:
        for name, data in CONTENTS.items():
            _add_raw(work, f"{group}/{name}.dat", data)
    git("commit", "-q", "-m", "every cell", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    for group in ATTRIBUTES:
        for name in CONTENTS:
            (work / group / f"{name}.dat").write_bytes(_rotated(name))
            (work / group / f"added-{name}.dat").write_bytes(CONTENTS[name])
    git("add", "-A", *ATTRIBUTES, cwd=work)
    git("commit", "-q", "-m", "every cell changes", cwd=work)
    git("tag", "second", cwd=work)
    git("push", "-q", str(bare), "second:refs/heads/next", cwd=work)
    return bare


def _files(repo: Path, groups: tuple[str, ...] = (*ATTRIBUTES, *RAW)) -> dict[str, bytes]:
    found = {}
    for group in groups:
        for path in sorted((repo / group).iterdir()):
            found[f"{group}/{path.name}"] = path.read_bytes()
    return found


def _status(repo: Path) -> list[str]:
    """`git status --porcelain` lines, raw cells left out (see the module docstring)."""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if not line[3:].startswith(tuple(RAW))]


def _configure(home: Path, settings: dict[str, str]) -> None:
    for key, value in settings.items():
        git("config", "--global", key, value, cwd=home)


def _move_remote_to_next(bare: Path) -> None:
    git("update-ref", "refs/heads/main", "refs/heads/next", cwd=bare)


@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_checkout_fast_forward_and_commit_agree_with_git(
    remote: Path, tmp_path: Path, clean_env: Path, config: str
) -> None:
    _configure(clean_env, CONFIGS[config])
    bare = tmp_path / "remote.git"
    shutil.copytree(remote, bare)
    theirs, mine = tmp_path / "theirs", tmp_path / "mine"
    git("clone", "-q", str(bare), str(theirs))
    clone_repository(str(bare), mine)
    assert _files(mine) == _files(theirs)
    assert (mine / "eolcrlf" / "lf.dat").read_bytes() == CONTENTS["crlf"]  # converted, not copied
    assert _status(mine) == []

    _move_remote_to_next(bare)
    git("pull", "-q", "--ff-only", cwd=theirs)
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin")
        assert integrate_current(repo, Strategy.FF_ONLY).action == "fast_forward"
    assert _files(mine) == _files(theirs)
    assert _status(mine) == []

    edits = {}
    for group in ATTRIBUTES:
        for name, data in CONTENTS.items():
            edits[f"{group}/new-{name}.dat"] = data
            edits[f"{group}/{name}.dat"] = data + data  # edited: every content again, doubled
    for group in RAW:
        edits[f"{group}/crlf.dat"] = b"edited\r\nagain\r\n"
        edits[f"{group}/lf.dat"] = b"edited\nagain\n"
    for repo_dir in (mine, theirs):
        for path, data in edits.items():
            (repo_dir / path).write_bytes(data)
    git("add", "-A", cwd=theirs)
    with Repo(str(mine)) as repo:
        outcome = auto_commit(repo, max_file_size=1 << 30, host="test")
    assert outcome.commit is not None and outcome.skipped == []
    paths = sorted(edits)
    assert git("ls-files", "-s", "--", *paths, cwd=mine) == git("ls-files", "-s", "--", *paths, cwd=theirs)
    assert _status(mine) == []
    with Repo(str(mine)) as repo:  # nothing left to commit: a converted file never looks modified
        assert auto_commit(repo, max_file_size=1 << 30, host="test").commit is None
    fsck(mine)


def test_raw_crlf_cells_are_what_git_checks_out(remote: Path, tmp_path: Path, clean_env: Path) -> None:
    """Blobs committed with CRLF: `text=auto` keeps them (has_crlf_in_index), `text` and
    `eol=crlf` write what git writes; git status, looking at content, agrees on which look
    modified."""
    _configure(clean_env, {"core.autocrlf": "true"})
    theirs, mine = tmp_path / "theirs", tmp_path / "mine"
    git("clone", "-q", str(remote), str(theirs))
    clone_repository(str(remote), mine)
    assert _files(mine) == _files(theirs)
    for repo_dir in (mine, theirs):
        # Every file's stat made other than what its index entry says, so the refresh compares
        # each one's content: left to the clocks, an entry is compared only when racy (written
        # in the index's second), and whether a clone's checkout crossed a second (on a loaded
        # machine) decided which files git called modified.
        for path in repo_dir.rglob("*"):
            if ".git" not in path.relative_to(repo_dir).parts and path.is_file():
                os.utime(path, ns=(10**18, 10**18))
        git("update-index", "--really-refresh", "-q", cwd=repo_dir, check=False)
    changed = {repo_dir: git("diff", "--name-only", cwd=repo_dir) for repo_dir in (mine, theirs)}
    assert "raweolcrlf/crlf.dat" in changed[theirs]  # git writes it with LF: its CRLF blob differs
    assert changed[mine] == changed[theirs]
    assert "rawauto/crlf.dat" not in changed[mine]


@pytest.mark.parametrize("autocrlf", ["true", "input"])
def test_safecrlf_true_skips_what_git_add_refuses(tmp_path: Path, clean_env: Path, autocrlf: str) -> None:
    _configure(clean_env, {"core.autocrlf": autocrlf, "core.safecrlf": "true"})
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for repo_dir in (mine, theirs):
        git("init", "-q", "-b", "main", str(repo_dir))
        git("commit", "-q", "--allow-empty", "-m", "start", cwd=repo_dir)
        _write_attributes(repo_dir, {"text": "text", "auto": "text=auto", "none": None})
        for group in ("text", "auto", "none"):
            for name, data in CONTENTS.items():
                (repo_dir / group / f"{name}.dat").write_bytes(data)
    refused = set()
    files = _files(theirs, ("text", "auto", "none"))
    for path in sorted(files):
        if subprocess.run(["git", "add", path], cwd=theirs, capture_output=True).returncode != 0:
            refused.add(path)
    assert refused  # the setting bites somewhere
    with Repo(str(mine)) as repo:
        outcome = auto_commit(repo, max_file_size=1 << 30, host="test")
    assert {s.path for s in outcome.skipped if s.reason == "safecrlf"} == refused
    assert {s.reason for s in outcome.skipped} == {"safecrlf"}
    kept = sorted(set(files) - refused)
    assert git("ls-files", "-s", "--", *kept, cwd=mine) == git("ls-files", "-s", "--", *kept, cwd=theirs)


@pytest.mark.parametrize("strategy", [Strategy.MERGE, Strategy.REBASE], ids=["merge", "rebase"])
def test_merge_and_rebase_write_what_git_pull_writes(
    tmp_path: Path, clean_env: Path, strategy: Strategy
) -> None:
    """Diverged: a local commit beside the remote's; merges run on the index side, and every
    file the integration writes is git's own pull's, converted."""
    bare = _normalised_remote(tmp_path)
    _configure(clean_env, {"core.autocrlf": "true"})
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    clone_repository(str(bare), mine)
    git("clone", "-q", str(bare), str(theirs))
    for repo_dir in (mine, theirs):
        (repo_dir / "local.txt").write_bytes(b"made here\r\nwith CRLF\r\n")
        git("add", "local.txt", cwd=repo_dir)
        git("commit", "-q", "-m", "local", cwd=repo_dir)
    _move_remote_to_next(bare)
    flag = "--rebase" if strategy is Strategy.REBASE else "--no-rebase"
    git("pull", "-q", flag, cwd=theirs)
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin")
        done = integrate_current(repo, strategy)
    assert done.action == strategy.value
    assert _files(mine, tuple(ATTRIBUTES)) == _files(theirs, tuple(ATTRIBUTES))
    assert (mine / "local.txt").read_bytes() == (theirs / "local.txt").read_bytes()
    assert _status(mine) == []
    assert git("rev-parse", "HEAD^{tree}", cwd=mine) == git("rev-parse", "HEAD^{tree}", cwd=theirs)


def _normalised_remote(tmp_path: Path) -> Path:
    """The attribute cells alone (no raw blob: git itself refuses to rebase over those), at
    `main`, and `next` changing every file."""
    bare, work = tmp_path / "normalised.git", tmp_path / "normalised-work"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("init", "-q", "-b", "main", str(work))
    git("config", "core.autocrlf", "false", cwd=work)
    _write_attributes(work, ATTRIBUTES)
    for group in ATTRIBUTES:
        for name, data in CONTENTS.items():
            (work / group / f"{name}.dat").write_bytes(data)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "cells", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    for group in ATTRIBUTES:
        for name in CONTENTS:
            (work / group / f"{name}.dat").write_bytes(_rotated(name))
    git("commit", "-q", "-am", "every cell changes", cwd=work)
    git("push", "-q", str(bare), "main:next", cwd=work)
    return bare
