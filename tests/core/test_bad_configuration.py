"""Bad configuration: hand-edited settings, unknown keys, a status
store that SQLite cannot read or that a newer Gitferry wrote, a damaged
`repositories.json` or `.git/config`. Each ends with a clear message; where it is
safe the unreadable file is kept beside itself and the store is rebuilt from
`repositories.json`; a newer store is never touched."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from core.store.migrations import LATEST
from core.store.registry_file import REGISTRY_NAME
from tests.gitcli import commit_file, git
from tests.integration.clones import run


@pytest.fixture
def home(clean_env: Path) -> Path:
    return clean_env / "gitferry"


@pytest.fixture
def repos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    """Two registered repositories with an `origin`; `notes` has two settings changed."""
    made = {}
    for name in ("notes", "code"):
        path = tmp_path / name
        git("init", "-q", "-b", "main", str(path))
        commit_file(path, "a.txt", "a\n")
        git("remote", "add", "origin", f"git://127.0.0.1/{name}.git", cwd=path)
        code, _out, err = run(capsys, "add", str(path))
        assert code == 0, err
        made[name] = path
    for key, value in (("strategy", "rebase"), ("auto_commit", "true")):
        code, _out, err = run(capsys, "set", "notes", key, value)
        assert code == 0, err
    return made


def show(capsys: pytest.CaptureFixture[str], name: str) -> dict[str, Any]:
    code, doc, err = run(capsys, "show", name, "--json")
    assert code == 0 and isinstance(doc, dict), err
    return doc


def edit_store(home: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(home / "status.sqlite3")
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_registry_file_follows_every_registration_change(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((home / REGISTRY_NAME).read_text())
    assert [(r["name"], r["path"]) for r in doc["repositories"]] == [
        ("code", str(repos["code"])),
        ("notes", str(repos["notes"])),
    ]
    assert doc["repositories"][1]["settings"] == {"strategy": "rebase", "auto_commit": "true"}
    assert run(capsys, "set", "--global", "max_concurrent", "2")[0] == 0
    assert run(capsys, "remove", "code")[0] == 0
    doc = json.loads((home / REGISTRY_NAME).read_text())
    assert [r["name"] for r in doc["repositories"]] == ["notes"]
    assert doc["app_settings"] == {"max_concurrent": "2"}
    assert sorted(p.name for p in home.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_registry_file_is_written_for_a_store_that_predates_it(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (home / REGISTRY_NAME).unlink()
    assert run(capsys, "list")[0] == 0
    assert [r["name"] for r in json.loads((home / REGISTRY_NAME).read_text())["repositories"]] == [
        "code",
        "notes",
    ]


def test_hand_edited_bad_value_falls_back_to_the_default(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    edit_store(home, "UPDATE repo_settings SET value = 'sideways' WHERE key = 'strategy'")
    edit_store(home, "INSERT INTO repo_settings (repo_id, key, value) SELECT id, 'colour', 'red' FROM repos")
    settings = show(capsys, "notes")["settings"]
    assert settings["strategy"] == "git" and settings["auto_commit"] == "true"  # the default
    assert "colour" not in settings


def test_hand_edited_bad_value_is_logged(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    edit_store(home, "UPDATE repo_settings SET value = 'sideways' WHERE key = 'strategy'")
    with caplog.at_level(logging.WARNING):
        show(capsys, "notes")
    assert any("strategy" in r.getMessage() and "sideways" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("set", "notes", "colour", "red"), "unknown setting 'colour'"),
        (("set", "notes", "fetch_interval", "0"), "bad value '0' for fetch_interval"),
        (("set", "--global", "speed", "11"), "unknown setting 'speed'"),
    ],
)
def test_unknown_key_or_bad_value_exits_2_and_changes_nothing(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], args: tuple[str, ...], word: str
) -> None:
    before = show(capsys, "notes")
    registry = (home / REGISTRY_NAME).read_bytes()
    code, _out, err = run(capsys, *args)
    assert code == 2 and word in err and err.count("\n") == 1, err
    assert show(capsys, "notes") == before
    assert (home / REGISTRY_NAME).read_bytes() == registry


def warnings(caplog: pytest.LogCaptureFixture) -> str:
    """The warnings logged (the CLI shows them on stderr: logging's last-resort handler)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


def backups(home: Path, stem: str = "status.sqlite3") -> list[Path]:
    """The files set aside (without their `-wal`/`-shm` companions)."""
    return sorted(p for p in home.glob(f"{stem}.corrupt-*") if not p.name.endswith(("-wal", "-shm")))


def test_store_that_is_not_sqlite_is_kept_aside_and_rebuilt(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    store = home / "status.sqlite3"
    garbage = b"this is not a database, someone saved a text file here\n" * 100
    run(capsys, "list")  # checkpoints the WAL: the store is one file
    store.write_bytes(garbage)
    (home / "status.sqlite3-wal").write_bytes(b"stale wal")
    code, out, err = run(capsys, "list")
    assert code == 0, err
    [warning] = warnings(caplog).splitlines()
    assert "could not be read (file is not a database)" in warning, warning
    assert f"kept it as {backups(home)[0].name}, re-registered 2 repositories" in warning
    assert out.splitlines() == [f"code\t{repos['code']}", f"notes\t{repos['notes']}"]
    [backup] = backups(home)
    assert backup.read_bytes() == garbage
    assert backup.with_name(backup.name + "-wal").read_bytes() == b"stale wal"
    notes = show(capsys, "notes")
    assert notes["settings"]["strategy"] == "rebase" and notes["settings"]["auto_commit"] == "true"
    url = "git://127.0.0.1/notes.git"
    assert notes["remotes"] == [
        {"name": "origin", "url": url, "push_url": None, "urls": [url], "push_urls": [url]}
    ]
    caplog.clear()
    code, _out, err = run(capsys, "list")
    assert code == 0 and warnings(caplog) == "" and len(backups(home)) == 1  # recovered once


def test_damaged_store_pages_are_found_and_rebuilt(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    store = home / "status.sqlite3"
    run(capsys, "list")
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page + 8 : 4 * page] = os.urandom(3 * page - 8)  # header page intact, the next three scrambled
    store.write_bytes(bytes(data))
    code, out, err = run(capsys, "list")
    assert code == 0 and "could not be read (damaged" in warnings(caplog), err
    assert len(out.splitlines()) == 2 and len(backups(home)) == 1


def test_store_from_a_newer_gitferry_is_refused_and_untouched(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store = home / "status.sqlite3"
    run(capsys, "list")
    conn = sqlite3.connect(store)
    conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    conn.close()
    before = store.read_bytes()
    files = sorted(p.name for p in home.iterdir())
    for command in (("list",), ("sync", "--json"), ("add", str(repos["notes"]), "--name", "again")):
        code, out, err = run(capsys, *command)
        why = (
            f"status.sqlite3 is from a newer Gitferry (schema {LATEST + 5}; this one knows "
            f"{LATEST}): upgrade Gitferry, or move {store} aside to start afresh"
        )
        assert code == 1 and out == ({"error": why} if "--json" in command else ""), (command, out)
        assert err == f"gitferry: {why}\n"
    assert store.read_bytes() == before and sorted(p.name for p in home.iterdir()) == files


def test_unreadable_store_and_registry_both_kept_aside(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    (home / "status.sqlite3").write_bytes(b"\0" * 4096 + b"junk")
    (home / REGISTRY_NAME).write_text('{"repositories": [{"name": "notes", "pa')
    code, out, err = run(capsys, "list")
    assert code == 0 and out == "", err
    assert "no repositories to re-register" in warnings(caplog) and "not valid JSON" in warnings(caplog)
    assert len(backups(home)) == 1 and len(backups(home, REGISTRY_NAME)) == 1
    assert json.loads((home / REGISTRY_NAME).read_text())["repositories"] == []
    code, _out, err = run(capsys, "add", str(repos["notes"]))
    assert code == 0, err


def test_hand_edited_registry_entries_are_checked_on_rebuild(
    home: Path, repos: dict[str, Path], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    registry = json.loads((home / REGISTRY_NAME).read_text())
    registry["repositories"][1]["settings"]["strategy"] = "sideways"
    registry["repositories"].append({"name": "half"})
    (home / REGISTRY_NAME).write_text(json.dumps(registry))
    (home / "status.sqlite3").write_bytes(b"garbage" * 1000)
    code, out, err = run(capsys, "list")
    assert code == 0 and len(out.splitlines()) == 2, err
    assert "bad value 'sideways' for strategy" in warnings(caplog) and "left out an entry" in warnings(caplog)
    settings = show(capsys, "notes")["settings"]
    assert settings["strategy"] == "git" and settings["auto_commit"] == "true"  # the default


def test_damaged_git_config_ends_in_a_clear_error(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = repos["code"] / ".git" / "config"
    config.write_text("[core\n\tbare = maybe\n")
    code, doc, err = run(capsys, "sync", "code", "--json")
    [report] = doc["repos"]
    assert code == 1 and report["result"] == "error" and ".git/config" in report["message"], err
    assert config.read_text() == "[core\n\tbare = maybe\n"
