"""Git LFS against a real LFS server on loopback, Debian's git-lfs as the referee.

The server (`tests/servers/lfs.py`) serves git (http-backend) and the LFS batch API on
one port with the same Basic auth. A publisher repository uses git with git-lfs (its
pre-push hook uploads); Gitferry's repositories have git-lfs's filter configured for
git's sake (the `filter.lfs.*` settings of `git lfs install`, none of its hooks, so every upload Gitferry's
push makes is its own) and are judged by `git lfs fsck`, `git lfs pull` and `git status`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.git.objects.lfs_pointer import parse_pointer
from core.phrase import Phrase, from_json
from tests.gitcli import git
from tests.integration.clones import run, type_lines
from tests.servers.remote import HttpRemote

pytestmark = pytest.mark.skipif(shutil.which("git-lfs") is None, reason="git-lfs is not installed")


LFS_FILTER = {
    "clean": "git-lfs clean -- %f",
    "smudge": "git-lfs smudge -- %f",
    "process": "git-lfs filter-process",
    "required": "true",
}


def _publisher(remote: HttpRemote, tmp_path: Path, files: dict[str, bytes]) -> Path:
    """A repository made and pushed with git and git-lfs: `*.bin` tracked by LFS."""
    remote.create("origin")
    pub = tmp_path / "publisher"
    git("init", "-q", "-b", "main", str(pub))
    git("lfs", "install", "--local", cwd=pub)
    git("lfs", "track", "*.bin", cwd=pub)
    (pub / "readme.txt").write_text("hello\n")
    _commit(pub, files, "first")
    git("remote", "add", "origin", remote.url_with_credentials("origin"), cwd=pub)
    git("push", "-q", "-u", "origin", "main", cwd=pub)
    return pub


def _commit(repo: Path, files: dict[str, bytes], message: str) -> None:
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)


def _gitferry_clone(
    remote: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> Path:
    """A clone made by git without git-lfs (pointers checked out), registered with Gitferry
    and its credentials in the keyring; then git-lfs's filter configured for the referee
    (no hooks)."""
    target = tmp_path / name
    git("clone", "-q", remote.url_with_credentials("origin"), str(target))  # no LFS filter: pointers
    git("remote", "set-url", "origin", remote.url("origin"), cwd=target)
    code, _out, err = run(capsys, "add", str(target), "--name", name)
    assert code == 0, err
    assert remote.auth is not None
    type_lines(monkeypatch, *remote.auth)
    code, _out, err = run(capsys, "credentials", "set", name, "origin")
    assert code == 0, err
    for key, value in LFS_FILTER.items():  # what `git lfs install` configures, without its hooks
        git("config", f"filter.lfs.{key}", value, cwd=target)
    return target


def _sync(capsys: pytest.CaptureFixture[str], name: str) -> tuple[int, dict[str, Any]]:
    code, doc, err = run(capsys, "sync", name, "--json")
    assert isinstance(doc, dict), err
    return code, doc["repos"][0]


def _clean_status(repo: Path) -> None:
    assert git("status", "--porcelain", cwd=repo) == ""
    leftovers = [p for p in repo.rglob(".gitferry-tmp-*")]
    assert leftovers == []


def test_a_fast_forward_checks_out_the_content_git_lfs_pushed(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = os.urandom(300_000)
    pub = _publisher(lfs_server, tmp_path, {"a.bin": first})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    second = os.urandom(500_000)
    _commit(pub, {"b.bin": second, "a.bin": first[::-1]}, "second")
    git("push", "-q", "origin", "main", cwd=pub)

    code, report = _sync(capsys, "mine")

    assert code == 0, report
    assert report["lfs_downloaded"] == 2 and report["lfs_missing"] == []
    assert (mine / "b.bin").read_bytes() == second
    assert (mine / "a.bin").read_bytes() == first[::-1]
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=mine)
    _clean_status(mine)


def test_an_auto_commit_of_a_new_lfs_file_is_pushed_with_its_object(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    assert run(capsys, "set", "mine", "auto_commit", "true")[0] == 0
    assert run(capsys, "set", "mine", "max_file_size", "1000000")[0] == 0  # no bound for LFS files
    (mine / "raw.dat").write_bytes(os.urandom(1_500_000))  # not LFS: too large, as before
    data = os.urandom(2_000_000)
    (mine / "design.bin").write_bytes(data)

    code, report = _sync(capsys, "mine")

    assert code == 0, report
    assert report["committed"] == 1 and report["lfs_uploaded"] == 1
    assert [(r["path"], r["reason"]) for r in report["skipped"]] == [("raw.dat", "too_large")]
    (mine / "raw.dat").unlink()
    pointer = parse_pointer(git("cat-file", "blob", "HEAD:design.bin", cwd=mine).encode() + b"\n")
    assert pointer is not None and pointer.oid == hashlib.sha256(data).hexdigest()
    assert pointer.oid in lfs_server.server.objects.oids(f"/{lfs_server.namespace}/origin.git")  # type: ignore[attr-defined]
    _clean_status(mine)
    git("pull", "-q", "origin", "main", cwd=pub)
    git("lfs", "pull", cwd=pub)
    assert (pub / "design.bin").read_bytes() == data
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=pub)


def test_an_object_the_server_lacks_leaves_the_pointer_and_is_listed(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    lost, kept, bad = os.urandom(100_000), os.urandom(100_000), os.urandom(100_000)
    _commit(pub, {"lost.bin": lost, "kept.bin": kept, "bad.bin": bad}, "three more")
    git("push", "-q", "origin", "main", cwd=pub)
    objects = lfs_server.server.objects  # type: ignore[attr-defined]
    repo_path = f"/{lfs_server.namespace}/origin.git"
    objects.drop(repo_path, hashlib.sha256(lost).hexdigest())
    objects.path(repo_path, hashlib.sha256(bad).hexdigest()).write_bytes(os.urandom(len(bad)))  # bit rot

    code, report = _sync(capsys, "mine")

    assert code == 0, report
    reasons = {m["path"]: m["reason"] for m in report["lfs_missing"]}
    assert sorted(reasons) == ["bad.bin", "lost.bin"]
    assert "does not have it" in reasons["lost.bin"] and "sha256" in reasons["bad.bin"]
    assert (mine / "kept.bin").read_bytes() == kept
    for name in ("lost.bin", "bad.bin"):  # the pointer, whole
        assert (mine / name).read_bytes() == git("show", f"HEAD:{name}", cwd=pub).encode() + b"\n"
    assert [p for p in (mine / ".git" / "lfs").rglob("*") if p.is_file() and "objects" not in p.parts] == []
    code, doc, _err = run(capsys, "skipped", "mine", "--json")
    rows = doc["repos"][0]["skipped"]
    assert sorted((r["path"], r["reason"], r["size"]) for r in rows) == [
        ("bad.bin", "lfs_missing", len(bad)),
        ("lost.bin", "lfs_missing", len(lost)),
    ]
    _clean_status(mine)
    assert git("rev-parse", "HEAD", cwd=mine) == git("rev-parse", "HEAD", cwd=pub)
    # Retry leaves them listed (the sync asks for them again) while git-lfs says they are pointers.
    code, doc, err = run(capsys, "skipped", "mine", "--retry", "--json")
    assert code == 0 and "mine: lost.bin still waits for its Git LFS object" in err, err
    assert sorted(r["path"] for r in doc["repos"][0]["skipped"]) == ["bad.bin", "lost.bin"]
    code, _report = _sync(capsys, "mine")
    code, doc, _err = run(capsys, "skipped", "mine", "--json")
    assert sorted(r["path"] for r in doc["repos"][0]["skipped"]) == ["bad.bin", "lost.bin"]
    pointers = {line.split()[-1] for line in git("lfs", "ls-files", cwd=mine).splitlines() if " - " in line}
    assert {"bad.bin", "lost.bin"} <= pointers  # git-lfs: still pointers, as the list says


def test_a_push_uploads_the_lfs_objects_of_the_commits_it_sends_first(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A commit made with git (git-lfs's clean, no pre-push hook): Gitferry's push uploads
    its object before the commit, as git-lfs's pre-push would; objects the server has
    already are not sent again."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    data = os.urandom(1_500_000)
    _commit(mine, {"new.bin": data, "copy.bin": b"one"}, "local work")
    requests_before = len(lfs_server.server.lfs.requests)  # type: ignore[attr-defined]

    code, report = _sync(capsys, "mine")

    assert code == 0, report
    assert report["pushed"] == ["main"] and report["lfs_uploaded"] == 1
    lfs_requests = lfs_server.server.lfs.requests[requests_before:]  # type: ignore[attr-defined]
    puts = [path for method, path in lfs_requests if method == "PUT"]
    assert [p.rsplit("/", 1)[1] for p in puts] == [hashlib.sha256(data).hexdigest()]
    assert any(path.endswith("/verify") for _method, path in lfs_requests)
    git("pull", "-q", "origin", "main", cwd=pub)
    git("lfs", "pull", cwd=pub)
    assert (pub / "new.bin").read_bytes() == data
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=pub)


def test_a_push_whose_lfs_object_is_nowhere_sends_nothing(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    data = os.urandom(10_000)
    _commit(mine, {"new.bin": data}, "local work")
    oid = hashlib.sha256(data).hexdigest()
    (mine / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid).unlink()
    remote_head = git("rev-parse", "origin/main", cwd=mine)

    code, report = _sync(capsys, "mine")

    assert code == 1 and report["result"] == "error"
    assert "Git LFS upload failed" in report["message"] and oid[:12] in report["message"]
    assert git("ls-remote", lfs_server.url_with_credentials("origin"), "main").split()[0] == remote_head


def test_an_lfs_server_that_cannot_be_reached_is_named_not_the_git_remote(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`remote.origin.lfsurl` names a server that is down while the git server answers: the
    sync said `not pushed: origin is unreachable`, though `git fetch origin` worked."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/lfs"
    git("config", "remote.origin.lfsurl", dead, cwd=mine)
    _commit(mine, {"new.bin": os.urandom(10_000)}, "local work")
    _commit(pub, {"b.bin": os.urandom(10_000)}, "theirs")
    git("push", "-q", "origin", "main", cwd=pub)

    code, report = _sync(capsys, "mine")

    said = f"origin's Git LFS server {dead} (remote.origin.lfsurl) is unreachable: connection refused"
    assert code == 1 and report["merged"] == ["main"], report
    assert report["message"].endswith(f"not pushed: {said}"), report["message"]
    assert report["lfs_missing"] == [{"path": "b.bin", "reason": said}]
    assert git("ls-remote", lfs_server.url_with_credentials("origin"), "main").split()[0] == git(
        "rev-parse", "HEAD^2", cwd=mine
    )  # nothing pushed


def test_a_sync_whose_lfs_upload_failed_tells_the_branches_git_has_now(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """User trial (the GUI, an LFS upload refused by a proxy): the sync committed, its push
    failed before it sent anything, and the window's branch table kept main "0 ahead, up to
    date", the rows from before the commit, while git and `gitferry status` said ahead 1:
    the report carried no branches for the app to show."""
    from core.engine.core import Core
    from core.engine.report import SyncReport
    from core.engine.sync import SyncOptions, sync_repository

    _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        git("config", "remote.origin.lfsurl", f"http://127.0.0.1:{probe.getsockname()[1]}/lfs", cwd=mine)
    _commit(mine, {"new.bin": os.urandom(10_000)}, "local work")

    async def sync() -> SyncReport:
        core = await Core.open()
        try:
            return await sync_repository(core, await core.store.repo("mine"), SyncOptions())
        finally:
            await core.close()

    report = asyncio.run(sync())

    assert report.message.startswith("not pushed: "), report.message
    assert git("status", "-sb", cwd=mine).splitlines()[0] == "## main...origin/main [ahead 1]"
    assert report.branches_changed
    assert [(b.name, b.ahead, b.behind) for b in report.branches] == [("main", 1, 0)]


def test_files_left_as_pointers_are_filled_in_once_the_server_answers(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The LFS server was down when a sync checked two files out: they kept their pointer.
    Once it answered, the files stayed pointers for good (only `git lfs pull`, which
    needs git-lfs, or a new version from the remote wrote them). Now the next sync
    downloads them and writes each file that still holds its pointer; one the user wrote
    over meanwhile stays as they wrote it."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        git("config", "lfs.url", f"http://127.0.0.1:{probe.getsockname()[1]}/lfs", cwd=mine)
    first, second = os.urandom(20_000), os.urandom(30_000)
    _commit(pub, {"b.bin": first, "c.bin": second}, "two more")
    git("push", "-q", "origin", "main", cwd=pub)
    code, report = _sync(capsys, "mine")
    assert report["fast_forwarded"] == ["main"], report
    assert sorted(row["path"] for row in report["lfs_missing"]) == ["b.bin", "c.bin"]
    assert parse_pointer((mine / "b.bin").read_bytes()) is not None
    (mine / "c.bin").write_bytes(b"my own c\n")  # saved over the pointer meanwhile

    git("config", "--unset", "lfs.url", cwd=mine)  # the server answers again
    code, report = _sync(capsys, "mine")

    assert code == 0 and report["lfs_downloaded"] == 2 and report["lfs_missing"] == [], report
    assert (mine / "b.bin").read_bytes() == first
    assert (mine / "c.bin").read_bytes() == b"my own c\n"  # never overwritten
    assert git("status", "--porcelain", cwd=mine) == "M c.bin"
    code, text, _err = run(capsys, "skipped", "mine")
    assert code == 0 and "nothing skipped" in text
    git("checkout", "--", "c.bin", cwd=mine)  # with git-lfs, as the referee
    assert (mine / "c.bin").read_bytes() == second
    listed = git("lfs", "ls-files", cwd=mine).splitlines()  # "*": the object is here
    assert [line.split(" ", 1)[1] for line in listed if "b.bin" in line] == ["* b.bin"]
    _clean_status(mine)


def test_lfs_fetchexclude_leaves_those_files_as_pointers(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`lfs.fetchexclude = media/` (a large asset folder this machine does not want): git-lfs
    downloads nothing under it and leaves the pointers; Gitferry downloaded them all."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    git("config", "lfs.fetchexclude", "media/, *.raw.bin", cwd=mine)
    huge, raw, small = os.urandom(40_000), os.urandom(20_000), os.urandom(10_000)
    _commit(pub, {"media/huge.bin": huge, "shots/x.raw.bin": raw, "small.bin": small}, "assets")
    git("push", "-q", "origin", "main", cwd=pub)

    code, report = _sync(capsys, "mine")

    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert (report["lfs_downloaded"], report["lfs_missing"]) == (1, []), report
    assert (mine / "small.bin").read_bytes() == small
    for path, data in (("media/huge.bin", huge), ("shots/x.raw.bin", raw)):
        pointer = parse_pointer((mine / path).read_bytes())
        assert pointer is not None and pointer.oid == hashlib.sha256(data).hexdigest()
    listed = dict(
        reversed(line.split(" ", 1)[1].split(" ", 1))
        for line in git("lfs", "ls-files", cwd=mine).splitlines()
    )
    assert (listed["media/huge.bin"], listed["shots/x.raw.bin"], listed["small.bin"]) == ("-", "-", "*")
    code, text, _err = run(capsys, "skipped", "mine")
    assert code == 0 and "nothing skipped" in text
    _clean_status(mine)  # git, with git-lfs's filter, sees the pointers unchanged


MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


def _sync_in_child(remote: HttpRemote, name: str, tmp_path: Path) -> dict[str, Any]:
    """`gitferry sync NAME` in a child process (tests/lfs_child.py): its exit status and
    how much its peak RSS grew during the sync, in MiB."""
    assert remote.auth is not None
    out = tmp_path / f"{name}-child.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.lfs_child", name, remote.url("origin"), *remote.auth, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(out.read_text())
    result["growth_mib"] = (result["peak_kib"] - result["rss_kib_before"]) / 1024
    return result


def _big_file(path: Path, mib: int) -> str:
    """`mib` MiB of incompressible bytes, written a MiB at a time; its sha256."""
    digest = hashlib.sha256()
    block = os.urandom(MIB)
    with path.open("wb") as f:
        for i in range(mib):
            chunk = block[i:] + block[:i]
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


@pytest.mark.slow
def test_a_64_mib_lfs_file_goes_both_ways_in_bounded_memory(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Down (a fast-forward smudges it) and up (a push uploads it), each in a process of
    its own whose peak RSS grows by far less than the file."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    down = _big_file(pub / "down.bin", 64)
    _commit(pub, {}, "64 MiB down")
    git("push", "-q", "origin", "main", cwd=pub)

    fetched = _sync_in_child(lfs_server, "mine", tmp_path)

    assert fetched["code"] == 0
    assert hashlib.sha256((mine / "down.bin").read_bytes()).hexdigest() == down
    print(f"peak RSS growth, 64 MiB LFS download and checkout: {fetched['growth_mib']:.1f} MiB")
    assert fetched["growth_mib"] < 32
    up = _big_file(mine / "up.bin", 64)
    _commit(mine, {}, "64 MiB up")

    pushed = _sync_in_child(lfs_server, "mine", tmp_path)

    assert pushed["code"] == 0
    print(f"peak RSS growth, 64 MiB LFS upload: {pushed['growth_mib']:.1f} MiB")
    assert pushed["growth_mib"] < 32
    assert up in lfs_server.server.objects.oids(f"/{lfs_server.namespace}/origin.git")  # type: ignore[attr-defined]
    _clean_status(mine)


def test_a_gitferry_clone_checks_out_the_content(
    lfs_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = os.urandom(400_000)
    _publisher(lfs_server, tmp_path, {"a.bin": data, "dir/b.bin": data[::-1]})
    target = tmp_path / "cloned"

    code, _out, err = run(
        capsys, "clone", lfs_server.url_with_credentials("origin"), str(target), "--name", "c"
    )

    assert code == 0, err
    assert (target / "a.bin").read_bytes() == data
    assert (target / "dir" / "b.bin").read_bytes() == data[::-1]
    for key, value in LFS_FILTER.items():
        git("config", f"filter.lfs.{key}", value, cwd=target)
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=target)
    _clean_status(target)


async def _first_run_said(name: str) -> list[Phrase]:
    """The parts of the repository's last run as the store keeps them (the app's source)."""
    from core.api import Api

    api = await Api.open()
    try:
        record = await api.core.store.repo(name)
    finally:
        await api.close()
    return from_json(record.last_said) or []


def test_a_clone_while_the_lfs_server_is_down_is_filled_in_by_the_next_sync(
    lfs_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`gitferry clone` while the LFS server did not answer: the files were left as their
    pointers and nothing listed them, so no later sync ever filled them in; the clone also
    said of each both "its pointer is checked out" and "left unwritten", one line a file."""
    files = {f"f{n}.bin": os.urandom(5_000 + n) for n in range(5)}
    _publisher(lfs_server, tmp_path, files)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/lfs"
    git("config", "--global", "lfs.url", dead, cwd=tmp_path)
    target = tmp_path / "cloned"

    code, out, err = run(
        capsys, "clone", lfs_server.url_with_credentials("origin"), str(target), "--name", "c"
    )

    assert code == 0, err
    assert "left unwritten" not in out and out.count("Git LFS object") == 1, out
    assert "5 files' Git LFS objects missing (first: f0.bin; " in out
    # The "Cloned" run says it too, as a template the app says in its language
    said = asyncio.run(_first_run_said("c"))
    templates = [part.template or "" for part in said]
    assert any("Git LFS objects missing" in template for template in templates), said
    assert all(parse_pointer((target / name).read_bytes()) is not None for name in files)
    code, listed, _err = run(capsys, "skipped", "c", "--json")
    assert sorted(row["path"] for row in listed["repos"][0]["skipped"]) == sorted(files)

    git("config", "--global", "--unset", "lfs.url", cwd=tmp_path)  # the server answers again
    code, report = _sync(capsys, "c")

    assert code == 0 and report["lfs_downloaded"] == 5 and report["lfs_missing"] == [], report
    assert all((target / name).read_bytes() == data for name, data in files.items())
    for key, value in LFS_FILTER.items():
        git("config", f"filter.lfs.{key}", value, cwd=target)
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=target)
    _clean_status(target)


def test_an_extra_header_that_signs_git_in_signs_git_lfs_in_too(
    lfs_server: HttpRemote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI's or a token's `http.<url>.extraHeader: Authorization: ...` and nothing else:
    git-lfs sends it with its batch and transfer requests, as git sends it with its own."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": b"one"})
    assert lfs_server.auth is not None
    token = base64.b64encode(":".join(lfs_server.auth).encode()).decode()
    base = lfs_server.url("origin").rsplit("/", 1)[0] + "/"
    git("config", "--global", f"http.{base}.extraHeader", f"Authorization: Basic {token}")
    referee = tmp_path / "referee"
    git("clone", "-q", lfs_server.url("origin"), str(referee))
    for key, value in LFS_FILTER.items():
        git("config", f"filter.lfs.{key}", value, cwd=referee)
    git("lfs", "pull", cwd=referee)
    assert (referee / "a.bin").read_bytes() == b"one"  # git-lfs signed in with the header alone

    mine = tmp_path / "mine"
    git("clone", "-q", lfs_server.url("origin"), str(mine))  # no LFS filter: pointers
    assert run(capsys, "add", str(mine), "--name", "mine")[0] == 0
    second = os.urandom(100_000)
    _commit(pub, {"b.bin": second}, "second")
    git("push", "-q", "origin", "main", cwd=pub)
    assert run(capsys, "set", "mine", "auto_commit", "true")[0] == 0
    mine_data = os.urandom(50_000)
    (mine / "mine.bin").write_bytes(mine_data)

    code, report = _sync(capsys, "mine")

    assert code == 0, report
    assert report["lfs_missing"] == [] and report["lfs_uploaded"] == 1, report
    assert (mine / "b.bin").read_bytes() == second
    git("pull", "-q", "origin", "main", cwd=referee)
    assert (referee / "mine.bin").read_bytes() == mine_data
    assert "Git LFS fsck OK" in git("lfs", "fsck", cwd=referee)


def test_a_conflicted_lfs_file_is_listed_as_the_file_not_as_its_pointer(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trial: `resolve` said "text; mine 128 bytes, theirs 128 bytes" of two .psd files."""
    pub = _publisher(lfs_server, tmp_path, {"a.bin": os.urandom(1_000)})
    mine = _gitferry_clone(lfs_server, tmp_path, capsys, monkeypatch, "mine")
    _commit(pub, {"a.bin": os.urandom(3_000)}, "theirs")
    git("push", "-q", "origin", "main", cwd=pub)
    _commit(mine, {"a.bin": os.urandom(2_000)}, "mine")
    assert parse_pointer(git("show", "HEAD:a.bin", cwd=mine).encode()) is not None

    code, report = _sync(capsys, "mine")
    assert (code, report["result"]) == (1, "conflict"), report

    code, out, err = run(capsys, "resolve", "mine")
    assert code == 0, err
    assert "unresolved a.bin  (binary; mine 2000 bytes, theirs 3000 bytes)" in out, out


def test_a_clone_takes_the_lfs_server_its_lfsconfig_names(
    lfs_server: HttpRemote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A trial: git on one URL, `.lfsconfig`'s `lfs.url` another; the clone asked the git
    remote's LFS server (HEAD not born yet, its `.lfsconfig` unread) and left the pointer."""
    content = os.urandom(10_000)
    lfs_server.create("store")
    store = lfs_server.url_with_credentials("store") + "/info/lfs"
    pub = _publisher(lfs_server, tmp_path, {".lfsconfig": f"[lfs]\n\turl = {store}\n".encode()})
    _commit(pub, {"a.bin": content}, "a.bin")
    git("push", "-q", "origin", "main", cwd=pub)
    objects = lfs_server.server.objects  # type: ignore[attr-defined]
    assert objects.oids(f"/{lfs_server.namespace}/store.git")
    assert not objects.oids(f"/{lfs_server.namespace}/origin.git")
    assert lfs_server.auth is not None
    code, _out, err = run(capsys, "clone", lfs_server.url_with_credentials("origin"), str(tmp_path / "mine"))
    assert code == 0, err
    assert (tmp_path / "mine" / "a.bin").read_bytes() == content
