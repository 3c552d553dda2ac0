"""`gitferry` end to end, against real remotes; the git CLI is the referee."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.cli_output import NONE_REGISTERED
from tests.gitcli import ahead_behind, commit_file, fsck, git, refs
from tests.integration.clones import run, type_lines
from tests.seeded import seeded_copies
from tests.servers import Remote


def seeded_remote(remote: Remote, tmp_path: Path, name: str = "origin") -> tuple[Path, Path]:
    """A remote with one commit on main, a clone made by git, and a second clone to push from."""
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    seeded_copies(remote.bare_path(name), remote.url(name), (("a.txt", "one\n"),), mine, theirs)
    return mine, theirs


@pytest.fixture
def ssh_env(monkeypatch: pytest.MonkeyPatch, remote: Remote) -> None:
    if remote.ssh_command:
        monkeypatch.setenv("GIT_SSH_COMMAND", remote.ssh_command)


def store_credentials(
    capsys: pytest.CaptureFixture[str], remote: Remote, monkeypatch: pytest.MonkeyPatch
) -> None:
    if remote.auth is None:
        return
    user, secret = remote.auth
    type_lines(monkeypatch, user, secret)
    code, _out, err = run(capsys, "credentials", "set", "mine", "origin")
    assert code == 0, err


@pytest.mark.usefixtures("ssh_env")
def test_fetch_only_sync_over_every_transport(
    remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = seeded_remote(remote, tmp_path)
    assert run(capsys, "add", str(mine))[0] == 0
    store_credentials(capsys, remote, monkeypatch)
    code, doc, err = run(capsys, "sync", "--fetch-only", "--json")
    assert code == 0, err
    assert doc["repos"][0]["result"] == "up_to_date"

    commit_file(theirs, "b.txt", "two\n")
    git("push", "-q", str(remote.bare_path("origin")), "main", cwd=theirs)
    code, doc, err = run(capsys, "sync", "mine", "--fetch-only", "--json")
    report = doc["repos"][0]
    assert code == 0, err
    assert (report["result"], report["fetched_refs"]) == ("ok", ["origin/main"])
    assert report["objects_received"] == 3
    assert set(report["timings_ms"]) >= {"connect", "negotiate", "receive", "graph", "store"}
    assert refs(mine)["refs/remotes/origin/main"] == git("rev-parse", "main", cwd=theirs)
    fsck(mine)

    code, doc, _ = run(capsys, "status", "--json")
    branch = doc["repos"][0]["branches"][0]
    assert (branch["ahead"], branch["behind"]) == ahead_behind(mine, "main", "origin/main") == (0, 1)
    assert branch["upstream"] == "origin/main" and branch["last_fetch"].endswith("Z")

    code, doc, _ = run(capsys, "sync", "--fetch-only", "--json")
    assert (doc["repos"][0]["result"], doc["repos"][0]["objects_received"]) == ("up_to_date", 0)


def test_deleted_upstream_is_reported_gone(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, theirs = seeded_remote(git_daemon, tmp_path)
    bare = git_daemon.bare_path("origin")
    git("push", "-q", str(bare), "main:topic", cwd=theirs)
    git("fetch", "-q", "origin", cwd=mine)
    git("branch", "-q", "--track", "topic", "origin/topic", cwd=mine)
    git("config", "fetch.prune", "true", cwd=mine)  # the tracking ref pruned, as git's fetch would
    run(capsys, "add", str(mine))
    git("push", "-q", str(bare), "--delete", "topic", cwd=theirs)
    code, doc, err = run(capsys, "sync", "--fetch-only", "--json")
    assert code == 0, err
    code, doc, _ = run(capsys, "status", "--json")
    topic = next(b for b in doc["repos"][0]["branches"] if b["name"] == "topic")
    assert topic["upstream_gone"] is True
    assert "refs/remotes/origin/topic" not in refs(mine)
    fsck(mine)


def test_status_refresh_matches_git_after_local_commits(
    path_remote: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, _ = seeded_remote(path_remote, tmp_path)
    run(capsys, "add", str(mine), "--name", "notes")
    commit_file(mine, "c.txt", "local\n")
    commit_file(mine, "d.txt", "local\n")
    code, doc, _ = run(capsys, "status", "notes", "--refresh", "--json")
    assert code == 0
    branch = doc["repos"][0]["branches"][0]
    assert (branch["ahead"], branch["behind"]) == ahead_behind(mine, "main", "origin/main") == (2, 0)
    assert branch["head"] == git("rev-parse", "main", cwd=mine)


def test_connection_refused_is_offline_and_changes_nothing(
    refused_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    commit_file(repo, "a", "a")
    git("remote", "add", "origin", f"git://127.0.0.1:{refused_port}/x.git", cwd=repo)
    run(capsys, "add", str(repo))
    before = refs(repo)
    code, doc, _ = run(capsys, "sync", "--fetch-only", "--json")
    report = doc["repos"][0]
    assert (code, report["result"]) == (1, "offline")
    assert report["message"] == "origin is unreachable: connection refused"  # a sync names its remote
    assert refs(repo) == before


def test_a_refused_clone_says_where_it_tried_not_origin(
    refused_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "clone"
    code, _out, err = run(capsys, "clone", f"git://127.0.0.1:{refused_port}/notes.git", str(target))
    assert code == 1
    assert err.strip() == f"gitferry: could not reach 127.0.0.1:{refused_port}: connection refused"
    assert not target.exists()


def test_wrong_password_is_auth_failed_and_no_secret_leaks(
    http_auth_server: Remote,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mine, _ = seeded_remote(http_auth_server, tmp_path)
    run(capsys, "add", str(mine))
    type_lines(monkeypatch, "alice", "wrong-secret-123")
    code, _, err = run(capsys, "credentials", "set", "mine", "origin")
    assert code == 1 and "wrong-secret-123" not in err
    code, doc, err = run(capsys, "sync", "--fetch-only", "--json")
    assert (code, doc["repos"][0]["result"]) == (1, "auth_failed")
    home = Path(os.environ["GITFERRY_HOME"])
    for path in [*home.rglob("*"), mine / ".git" / "config"]:
        if path.is_file():
            assert b"wrong-secret-123" not in path.read_bytes(), path


def test_secret_typed_in_url_goes_to_the_keyring(
    http_auth_server: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, _ = seeded_remote(http_auth_server, tmp_path)
    run(capsys, "add", str(mine))
    user, secret = http_auth_server.auth or ("", "")
    url = http_auth_server.url("origin").replace(
        "http://", f"http://{user}:{secret.replace(':', '%3A').replace('@', '%40')}@"
    )
    code, _, err = run(capsys, "remote", "set-url", "mine", "origin", url)
    assert code == 0, err
    assert secret not in (mine / ".git" / "config").read_text()
    code, _doc, err = run(capsys, "sync", "--fetch-only", "--json")
    assert code == 0, err


@pytest.mark.parametrize("kind", ["plain_dir", "bare", "missing", "subfolder"])
def test_add_refuses_what_is_not_a_worktree(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target"
    if kind == "plain_dir":
        target.mkdir()
    elif kind == "bare":
        git("init", "-q", "--bare", str(target))
    elif kind == "subfolder":  # git finds the repository above; the message names it
        git("init", "-q", str(tmp_path))
        target.mkdir()
    code, out, err = run(capsys, "add", str(target))
    assert code == 2 and out == ""
    assert err.startswith("gitferry: ") and err.count("\n") == 1
    if kind == "subfolder":
        assert err == (
            f"gitferry: {target} is not a git repository: it is a folder of the one at {tmp_path}, "
            "which can be added\n"
        )
    assert run(capsys, "list", "--json")[1] == {"repos": []}


def test_add_a_folder_whose_name_has_spaces_takes_it_with_dashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer's trial added "My Thesis": refused, "bad repository name 'My Thesis'",
    though they had typed no name; git takes such a folder as any other."""
    folder = tmp_path / "My Thesis"
    git("init", "-q", str(folder))
    code, _out, err = run(capsys, "add", str(folder))
    assert code == 0, err
    assert run(capsys, "list", "--json")[1]["repos"][0]["name"] == "My-Thesis"


def test_bad_input_exits_2_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    config_before = (repo / ".git" / "config").read_text()
    run(capsys, "add", str(repo))
    for args in (
        ["status", "nope"],
        ["sync", "nope", "--fetch-only"],
        ["set", "r", "strategy", "yolo"],
        ["set", "r", "colour", "blue"],
        ["set", "--global", "max_concurrent", "0"],
        ["remote", "add", "r", "origin", "ht!tp://bad url"],
        ["remote", "add", "r", "origin", "http://"],
        # urllib's bare ValueErrors (an unclosed IPv6 bracket, a port that is no number)
        ["remote", "add", "r", "origin", "http://[::1/x"],
        ["remote", "add", "r", "origin", "https://u:pw@[::1/x"],
        ["remote", "add", "r", "origin", "git://host:99999/x"],
        ["clone", "http://[::1/x", str(tmp_path / "c1")],
        ["clone", "http://host:port/x", str(tmp_path / "c2")],
        ["clone", "ssh://[::1/x", str(tmp_path / "c3")],
    ):
        code, _out, err = run(capsys, *args)
        assert code == 2, args
        assert err.startswith("gitferry: ") and err.count("\n") == 1, (args, err)
        assert "pw" not in err and "Traceback" not in err, (args, err)
    assert (repo / ".git" / "config").read_text() == config_before
    assert not any((tmp_path / f"c{i}").exists() for i in (1, 2, 3))
    code, doc, _ = run(capsys, "show", "r", "--json")
    assert doc["settings"]["strategy"] == "git" and doc["remotes"] == []


def test_unborn_branch_and_detached_head(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, _theirs = seeded_remote(git_daemon, tmp_path)
    git("checkout", "-q", "--detach", "HEAD", cwd=mine)
    unborn = tmp_path / "unborn"
    git("init", "-q", "-b", "main", str(unborn))
    git("remote", "add", "origin", git_daemon.url("origin"), cwd=unborn)
    run(capsys, "add", str(mine))
    run(capsys, "add", str(unborn))
    before = refs(mine)
    code, doc, err = run(capsys, "sync", "--fetch-only", "--json")
    # A fetch says the detached HEAD as the sync would (it integrates nothing there either).
    results = {r["name"]: (r["result"], r["message"]) for r in doc["repos"]}
    assert code == 1 and results["mine"][0] == "error", err
    assert results["mine"][1].startswith("HEAD is detached: there is no checked-out branch")
    assert results["unborn"][0] in ("ok", "up_to_date"), results
    assert refs(mine) == before
    assert git("status", "--porcelain", cwd=unborn) == ""
    fsck(unborn)


def test_set_show_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    run(capsys, "add", str(repo), "--strategy", "rebase")
    assert run(capsys, "set", "r", "tracked_branches", "main, dev")[0] == 0
    assert run(capsys, "set", "--global", "pool_ttl", "60")[0] == 0
    doc = run(capsys, "show", "r", "--json")[1]
    assert doc["settings"]["strategy"] == "rebase"
    assert doc["settings"]["tracked_branches"] == "main,dev"
    run(capsys, "sync", "--fetch-only")
    _code, doc, _ = run(capsys, "log", "r", "--json", "--limit", "5")
    assert [e["result"] for e in doc["entries"]] == ["up_to_date"]


def test_tracked_branches_naming_no_branch_is_refused(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in tracked_branches (`mian`) left every branch unfetched while each sync said
    "up to date" (found by a user trial). A name must be a branch here or on a remote
    (one only on the remote, `drafts`, is fine); a refusal changes nothing."""
    mine, theirs = seeded_remote(git_daemon, tmp_path)
    git("push", "-q", "origin", "main:drafts", cwd=theirs)
    git("fetch", "-q", cwd=mine)
    run(capsys, "add", str(mine))
    code, out, err = run(capsys, "set", "mine", "tracked_branches", "main,mian")
    assert (code, out) == (2, ""), err
    said = "no branch named 'mian' in mine, on this computer or on a remote: nothing changed"
    assert err == f"gitferry: {said}\n"
    assert run(capsys, "show", "mine", "--json")[1]["settings"]["tracked_branches"] == "upstreams"
    assert run(capsys, "set", "mine", "tracked_branches", "main,drafts")[0] == 0
    assert run(capsys, "show", "mine", "--json")[1]["settings"]["tracked_branches"] == "main,drafts"
    pushed = commit_file(theirs, "b.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=theirs)
    code, doc, err = run(capsys, "sync", "mine", "--json")
    assert code == 0 and doc["repos"][0]["fast_forwarded"] == ["main"], err
    assert git("rev-parse", "HEAD", cwd=mine) == pushed


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("gitferry")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("gitferry ")
    proc = subprocess.run([str(exe), "status", "--json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"repos": []}
    assert "PySide6" not in proc.stderr


def test_a_reader_that_leaves_early_gets_no_error(tmp_path: Path) -> None:
    """`gitferry status --json | head`: the pipe closes under the CLI; like git, it says nothing."""
    exe = Path(sys.executable).with_name("gitferry")
    proc = subprocess.Popen([str(exe), "status", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the CLI has started, so its write finds the pipe closed
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == "", err


def test_clone_registers_a_clean_worktree(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mine, theirs = seeded_remote(git_daemon, tmp_path)
    target = tmp_path / "cloned"
    code, _out, err = run(capsys, "clone", git_daemon.url("origin"), str(target), "--name", "c")
    assert code == 0, err
    assert git("status", "--porcelain", cwd=target) == ""
    assert git("rev-parse", "HEAD", cwd=target) == git("rev-parse", "main", cwd=theirs)
    assert git("rev-parse", "--abbrev-ref", "main@{u}", cwd=target) == "origin/main"
    fsck(target)
    code, doc, _ = run(capsys, "list", "--json")
    assert doc["repos"][0]["name"] == "c"
    # The clone fetched everything: its branches say when, as a fetch's do (a user trial
    # read "Last fetched: never" right after Clone from URL).
    code, doc, _ = run(capsys, "status", "--json")
    (branch,) = doc["repos"][0]["branches"]
    assert (branch["name"], branch["upstream"]) == ("main", "origin/main")
    assert (branch["ahead"], branch["behind"]) == (0, 0)
    assert branch["last_fetch"] is not None and branch["last_fetch"].endswith("Z")
    code, _out, err = run(capsys, "clone", git_daemon.url("origin"), str(target))
    assert code == 2 and "exists and is not empty" in err


def test_clone_with_auto_commit_starts_in_auto_mode_as_add_does(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second machine of a notes folder clones it: `--auto-commit`, as `add` has it
    (a user trial needed two `gitferry set` after the clone)."""
    seeded_remote(git_daemon, tmp_path)
    target = tmp_path / "desktop"
    code, _out, err = run(capsys, "clone", git_daemon.url("origin"), str(target), "--auto-commit")
    assert code == 0, err
    code, doc, _ = run(capsys, "status", "--json")
    assert doc["repos"][0]["sync_mode"] == "auto"
    code, out, _ = run(capsys, "show", "desktop")
    assert "auto_commit = true" in out and "sync_mode = auto" in out, out


def test_clone_of_a_mistyped_url_is_one_line_and_makes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "typo"
    code, _out, err = run(capsys, "clone", "htps:/example.org/x", str(target))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "did you mean https://example.org/x" in err
    assert not target.exists()


def test_clone_of_a_folder_into_itself_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: `gitferry clone DIR DIR` made DIR a clone of its own empty self and registered it."""
    target = tmp_path / "self"
    code, _out, err = run(capsys, "clone", str(target), str(target))
    assert code == 2 and "is the repository itself" in err and len(err.strip().splitlines()) == 1
    assert not target.exists()
    code, _out, err = run(capsys, "clone", str(tmp_path), str(tmp_path / "inside"))
    assert code == 2 and "inside it" in err
    assert not (tmp_path / "inside").exists()


def test_a_fresh_home_says_how_to_add_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer's first `status`, `list` or `sync` names the way forward, on stderr (stdout
    stays empty for scripts, `--json` an empty list); once a repository is added, it is gone."""
    for _ in range(2):  # the first opens (creates) the store; the second is the plain read
        for command in (["status"], ["list"], ["sync"]):
            code, out, err = run(capsys, *command)
            assert (code, out) == (0, ""), command
            assert err.strip() == NONE_REGISTERED, command
    code, doc, err = run(capsys, "status", "--json")
    assert (code, doc, err) == (0, {"repos": []}, "")
    repo = tmp_path / "notes"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.md", "one\n")
    assert run(capsys, "add", str(repo))[0] == 0
    code, out, err = run(capsys, "list")
    assert code == 0 and out.startswith("notes\t") and NONE_REGISTERED not in err


# Every command that takes --json, with a repository name that is not registered.
_JSON_COMMANDS_NAMING = (
    ["status", "nope", "--json"],
    ["status", "nope", "--refresh", "--json"],
    ["sync", "nope", "--json"],
    ["sync", "nope", "--fetch-only", "--json"],
    ["skipped", "nope", "--json"],
    ["log", "nope", "--json"],
    ["show", "nope", "--json"],
    ["resolve", "nope", "--json"],
    ["history", "nope", "--json"],
)


@pytest.mark.parametrize("args", _JSON_COMMANDS_NAMING, ids=lambda a: "_".join(a[:1] + a[2:-1]) or a[0])
def test_json_commands_print_json_when_they_fail(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script reading `--json` from stdout gets one JSON document on failure too
    (`{"error"}`, with `"name"` for a command naming one repository), the one-line
    message still on stderr and the exit status as without --json."""
    repo = tmp_path / "r"
    git("init", "-q", str(repo))
    assert run(capsys, "add", str(repo))[0] == 0
    code, doc, err = run(capsys, *args)
    plain_code, plain_out, plain_err = run(capsys, *[a for a in args if a != "--json"])
    assert code == plain_code == 2 and plain_out == "", (err, plain_err)
    assert err == plain_err and err.startswith("gitferry: ") and err.count("\n") == 1
    assert isinstance(doc, dict), doc  # run() returns the text when stdout is not JSON
    assert doc["error"] == err.removeprefix("gitferry: ").rstrip("\n")
    assert doc.get("name") == (args[1] if args[0] in ("show", "log", "resolve", "history") else None)


def test_json_commands_on_a_repository_that_is_gone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A registered repository whose folder is no longer a git repository: each --json
    command naming it prints one JSON document, with the exit status and stderr it has
    without --json (`resolve` and `history` refuse it: `{"name", "error"}`)."""
    repo = tmp_path / "r"
    git("init", "-q", "-b", "main", str(repo))
    commit_file(repo, "a.txt", "one\n")
    assert run(capsys, "add", str(repo))[0] == 0
    shutil.rmtree(repo / ".git")
    expected = {"status": 1, "sync": 1, "resolve": 2, "history": 2, "show": 0}
    for command, code_then in expected.items():
        args = [command, "r", "--refresh"] if command == "status" else [command, "r"]
        code, doc, err = run(capsys, *args, "--json")
        plain_code, _plain_out, plain_err = run(capsys, *args)
        assert isinstance(doc, dict), (args, code, doc, err)
        assert code == plain_code == code_then and err == plain_err, (args, code, err)
        if command in ("resolve", "history"):
            assert doc == {"name": "r", "error": f"{repo} is not a git repository"}, doc
            assert err == f"gitferry: {doc['error']}\n"
    assert run(capsys, "list", "--json")[1]["repos"][0]["name"] == "r"


def test_json_commands_say_json_when_the_store_cannot_be_opened(capsys: pytest.CaptureFixture[str]) -> None:
    """A store that is no file (a folder in its place): the unexpected error's line, in
    JSON too, exit 1; the folder is left as it was."""
    store = Path(os.environ["GITFERRY_HOME"]) / "status.sqlite3"
    store.mkdir(parents=True)
    for args in (["list", "--json"], ["status", "--json"], ["show", "r", "--json"]):
        code, doc, err = run(capsys, *args)
        assert code == 1 and isinstance(doc, dict), (args, doc, err)
        assert err == f"gitferry: {doc['error']}\n" and doc["error"].startswith("unexpected error: ")
    assert store.is_dir() and not any(store.iterdir())


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["status", "--json", "--bogus"], "unrecognized arguments: --bogus"),
        (["log", "--json", "--limit", "x"], "argument --limit: invalid int value: 'x'"),
        (["sync", "--json", "--fetch-only", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ],
)
def test_json_usage_errors_print_json(args: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """argparse's usage error (exit 2, its usage and message on stderr) with --json among
    the arguments prints `{"error"}` on stdout too; without --json stdout stays empty."""
    with pytest.raises(SystemExit) as ended:
        main(args)
    out, err = capsys.readouterr()
    assert ended.value.code == 2 and json.loads(out) == {"error": said}
    assert err.endswith(f"error: {said}\n")
    with pytest.raises(SystemExit):
        main([a for a in args if a != "--json"])
    assert capsys.readouterr().out == ""
