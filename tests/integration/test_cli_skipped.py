"""`gitferry skipped`: what auto-commit left out, as text and JSON, and --retry."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from core.cli_output import ENGINE_PAUSED
from core.engine.core import Core
from core.model import RepoState
from tests.gitcli import git
from tests.integration.clones import run
from tests.integration.test_cli import seeded_remote
from tests.servers import Remote


@pytest.fixture
def notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A registered auto-commit repository (no remote) with a too-large and a storable file."""
    path = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(path))
    (path / "big.iso").write_bytes(b"x" * 5000)
    (path / "small.txt").write_text("small\n")
    for args in (("add", str(path), "--auto-commit"), ("set", "notes", "max_file_size", "1000")):
        code, _out, err = run(capsys, *args)
        assert code == 0, err
    return path


def test_sync_json_then_skipped_json(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = run(capsys, "sync", "notes", "--json")
    assert code == 1, err  # committed, but on this computer only: the repository has no remote
    report = doc["repos"][0]
    assert report["committed"] == 1 and report["result"] == "unpublished"
    assert report["skipped"] == [{"path": "big.iso", "reason": "too_large", "size": 5000}]
    assert git("ls-tree", "--name-only", "HEAD", cwd=notes) == "small.txt"

    code, doc, err = run(capsys, "skipped", "--json")
    assert code == 0, err
    [repo] = doc["repos"]
    assert repo["name"] == "notes"
    [row] = repo["skipped"]
    assert {k: row[k] for k in ("path", "reason", "size", "failures", "retry_after")} == {
        "path": "big.iso",
        "reason": "too_large",
        "size": 5000,
        "failures": 0,
        "retry_after": None,
    }
    assert row["since"].endswith("Z") and len(row["since"]) == 20


def test_skipped_text_and_retry(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "sync", "notes", "--json")
    code, out, _err = run(capsys, "skipped", "notes")
    assert code == 0
    assert out.splitlines()[0] == "notes: 1 skipped"
    assert "big.iso  [too_large]  5000 bytes  since " in out

    code, doc, _err = run(capsys, "skipped", "notes", "--retry", "big.iso", "--json")
    assert code == 0 and doc["repos"][0]["skipped"] == []
    code, out, _err = run(capsys, "skipped", "notes")
    assert out.strip() == "notes: nothing skipped"

    (notes / "big.iso").write_bytes(b"x" * 10)  # fixed: the next sync commits it
    code, doc, _err = run(capsys, "sync", "notes", "--json")
    assert doc["repos"][0]["committed"] == 1 and doc["repos"][0]["skipped"] == []


def test_status_says_files_are_skipped(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`gitferry status` said only "up_to_date" (or the no-remote note) while big.iso was
    never committed: the window said "1 file skipped", the command line nothing."""
    run(capsys, "sync", "notes", "--json")
    code, out, _err = run(capsys, "status", "notes")
    assert code == 0
    assert "  1 file skipped (`gitferry skipped notes` says which and why)" in out.splitlines()
    assert git("status", "--porcelain", cwd=notes) == "?? big.iso"  # as git sees it: not committed
    run(capsys, "skipped", "notes", "--retry")
    (notes / "big.iso").unlink()
    run(capsys, "sync", "notes", "--json")
    code, out, _err = run(capsys, "status", "notes")
    assert "skipped" not in out


def test_status_says_why_an_engine_paused_repository_waits(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user trial: the daemon paused background work on battery; `gitferry status` said
    `[paused]  auto sync` (no pause of the user's) and why was nowhere but the daemon's
    log; `gitferry resume` answered "resumed" and it stayed paused."""

    async def engine_pauses() -> None:  # as the daemon records it (`RepoState.PAUSED`)
        core = await Core.open()
        try:
            [record] = await core.store.repos(["notes"])
            await core.store.set_repo_state(record.id, RepoState.PAUSED)
        finally:
            await core.close()

    run(capsys, "set", "notes", "sync_mode", "auto")
    asyncio.run(engine_pauses())
    code, out, _err = run(capsys, "status", "notes")
    assert code == 0 and f"  {ENGINE_PAUSED}" in out.splitlines()
    assert "pause_on_battery" in ENGINE_PAUSED and "pause_on_metered" in ENGINE_PAUSED
    run(capsys, "pause", "notes")  # the user's own pause: the status says that, no more
    code, out, _err = run(capsys, "status", "notes")
    assert "auto sync, paused" in out and ENGINE_PAUSED not in out


def test_retry_without_paths_forgets_all(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (notes / "big2.iso").write_bytes(b"y" * 4000)
    run(capsys, "sync", "notes", "--json")
    code, doc, _err = run(capsys, "skipped", "--json")
    assert sorted(r["path"] for r in doc["repos"][0]["skipped"]) == ["big.iso", "big2.iso"]
    code, doc, _err = run(capsys, "skipped", "--retry", "--json")
    assert code == 0 and doc["repos"][0]["skipped"] == []


def test_unknown_repository_is_a_usage_error(notes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "skipped", "nope")
    assert code == 2 and "nope" in err


def test_retry_of_a_path_that_is_not_skipped_changes_nothing(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped path, or a repository's name read as a path (`skipped --retry notes`):
    one line, exit status 2, and every skipped file still listed (before: exit 0, silence)."""
    run(capsys, "sync", "notes", "--json")
    for args, wrong in (
        (("notes", "--retry", "big.isx"), "big.isx"),
        (("--retry", "notes"), "notes"),
        (("notes", "--retry", "big.iso", "x"), "x"),
    ):
        code, out, err = run(capsys, "skipped", *args)
        assert (code, out) == (2, ""), (args, out, err)
        assert err.startswith(f"gitferry: {wrong} is not a skipped file of ") and err.count("\n") == 1, err
    code, doc, _err = run(capsys, "skipped", "--json")
    assert [r["path"] for r in doc["repos"][0]["skipped"]] == ["big.iso"]


def test_a_file_name_with_a_newline_keeps_the_message_one_line(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name git shows quoted (`"big\\nfile.iso"`) was written raw into the sync's
    message: `gitferry sync` printed it over two lines, and so did `log` and the window
    (found by a user trial, with the conflict copies of such a file)."""
    (notes / "big.iso").unlink()
    (notes / "big\nfile.iso").write_bytes(b"x" * 5000)
    code, out, err = run(capsys, "sync", "notes")
    assert code == 1, err
    assert out.count("\n") == 1, out
    assert "left out big\\nfile.iso (too large)" in out, out
    _code, out, _err = run(capsys, "log", "notes")  # the activity log, from the store
    assert out.count("\n") == 1 and "left out big\\nfile.iso (too large)" in out, out
    code, doc, _err = run(capsys, "skipped", "notes", "--json")
    assert [r["path"] for r in doc["repos"][0]["skipped"]] == ["big\nfile.iso"]  # the name itself


def test_a_repository_cloned_inside_is_named_as_left_out(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `git clone` inside an auto-commit repository was left out in silence (git status:
    `?? newsub/`, the sync: "up to date"); git would add only a gitlink. It is named, with why."""
    mine, theirs = seeded_remote(git_daemon, tmp_path)
    assert run(capsys, "add", str(mine), "--auto-commit")[0] == 0
    git("clone", "-q", str(theirs), str(mine / "newsub"))
    code, doc, err = run(capsys, "sync", "mine", "--json")
    [report] = doc["repos"]
    assert (code, report["result"]) == (0, "up_to_date"), err
    assert report["message"] == "up to date; left out newsub (nested repository)"
    assert report["skipped"] == [{"path": "newsub", "reason": "nested_repository", "size": None}]
    assert git("status", "--porcelain", cwd=mine) == "?? newsub/"  # git's view: untracked, as left
    assert git("rev-parse", "HEAD", cwd=mine) == git("rev-parse", "origin/main", cwd=mine)
    code, out, _err = run(capsys, "skipped", "mine")
    assert code == 0 and "  newsub  [nested_repository]  since " in out
    shutil.rmtree(mine / "newsub")  # gone: the row goes with it
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    assert doc["repos"][0]["message"] == "up to date" and doc["repos"][0]["skipped"] == []


def test_status_json_says_when_a_pause_of_every_repository_ends(
    notes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A README trial: after `gitferry pause` (all, until resumed) `status --json` said
    `"paused": true, "paused_until": null`, null being what it says of no pause."""

    def pause_of() -> tuple[bool, str | None]:
        code, doc, _err = run(capsys, "status", "--json", "notes")
        assert code == 0
        return doc["repos"][0]["paused"], doc["repos"][0]["paused_until"]

    assert pause_of() == (False, None)
    run(capsys, "pause")
    assert pause_of() == (True, "always")
    run(capsys, "resume")
    run(capsys, "pause", "--for", "2d")
    paused, until = pause_of()
    assert paused and until is not None and until.endswith("Z"), until
    run(capsys, "pause", "notes")  # its own pause, until resumed, outlasts the two days
    assert pause_of() == (True, "always")
    run(capsys, "resume")
    run(capsys, "resume", "notes")
    assert pause_of() == (False, None)
