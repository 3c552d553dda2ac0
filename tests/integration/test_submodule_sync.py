"""A superproject whose remote moves a submodule pointer and another file, synced by
Gitferry beside a copy that `git pull` (resp. `git pull --recurse-submodules`) brings up
to date: `git submodule status` and `git status` are the referees."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitcli import fsck, git
from tests.integration.clones import porcelain, run
from tests.submodule_world import move_submodule, submodule_world


def _commit(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text)
    git("add", name, cwd=repo)
    git("commit", "-q", "-m", f"edit {name}", cwd=repo)


def _submodule_status(repo: Path) -> str:
    out = subprocess.run(
        ["git", "submodule", "status", "--recursive"], cwd=repo, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    theirs, mine = submodule_world(tmp_path)
    # The colleague moves the submodule (a new commit, pushed to its own remote) and a file.
    move_submodule(theirs)
    _commit(theirs, "readme.txt", "two\n")
    git("push", "-q", "origin", "main", cwd=theirs)
    return {"mine": mine, "theirs": theirs, "tmp": tmp_path}


@pytest.mark.parametrize("recurse", [False, True], ids=["plain", "submodule.recurse"])
def test_submodule_status_after_a_sync_is_git_pulls(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str], recurse: bool
) -> None:
    mine = world["mine"]
    if recurse:
        git("config", "submodule.recurse", "true", cwd=mine)
    referee = world["tmp"] / "referee"
    shutil.copytree(mine, referee, symlinks=True)
    git("pull", "-q", *(["--recurse-submodules"] if recurse else []), cwd=referee)
    before = (mine / "deps" / "lib" / "lib.txt").read_text()
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    code, doc, err = run(capsys, "sync", "mine", "--json")
    report = doc["repos"][0]
    assert code == 0 and report["result"] == "ok", report
    assert _submodule_status(mine) == _submodule_status(referee)
    assert porcelain(mine) == porcelain(referee)
    assert (mine / "readme.txt").read_text() == "two\n"
    lib = (mine / "deps" / "lib" / "lib.txt").read_text()
    assert lib == (referee / "deps" / "lib" / "lib.txt").read_text() == ("v2\n" if recurse else before)
    assert report["submodules_updated"] == (["deps/lib"] if recurse else [])
    expected_state = "ok" if recurse else "modified"
    assert [(s["path"], s["state"]) for s in report["submodules"]] == [("deps/lib", expected_state)]
    code, status, _err = run(capsys, "status", "mine", "--json")
    (sub,) = status["repos"][0]["submodules"]
    assert sub["state"] == expected_state and sub["recorded"] == git("rev-parse", "HEAD:deps/lib", cwd=mine)
    assert sub["checked_out"] == git("rev-parse", "HEAD", cwd=mine / "deps" / "lib")
    fsck(mine)


def test_status_says_the_git_command_that_brings_a_submodule_back(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A newcomer's trial: `gitferry status` printed a submodule's two hashes, or "not
    checked out", and no way on (the window says the git command). The command it names
    works: `git submodule status` is the referee."""
    mine = world["mine"]
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    code, _doc, _err = run(capsys, "sync", "mine", "--json")
    assert code == 0 and _submodule_status(mine).startswith("+")  # off its recorded commit
    code, said, _err = run(capsys, "status", "mine")
    assert code == 0 and "(git submodule update checks out the recorded one)" in said, said
    git("submodule", "update", "-q", cwd=mine)
    assert _submodule_status(mine).startswith(" ")  # back where it is recorded
    code, said, _err = run(capsys, "status", "mine", "--refresh")  # measured again, no sync
    assert code == 0 and "git submodule update" not in said, said
    git("submodule", "deinit", "-q", "-f", "deps/lib", cwd=mine)
    assert _submodule_status(mine).startswith("-")  # not checked out
    code, said, _err = run(capsys, "status", "mine", "--refresh")
    assert code == 0 and "deps/lib: not checked out (git submodule update --init checks it out)" in said, said
    git("submodule", "update", "-q", "--init", cwd=mine)
    assert _submodule_status(mine).startswith(" ")


def test_a_submodule_with_local_work_in_the_way_is_left_as_it_is(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    mine = world["mine"]
    git("config", "submodule.recurse", "true", cwd=mine)
    (mine / "deps" / "lib" / "lib.txt").write_text("my local edit\n")
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    report = doc["repos"][0]
    assert code == 0 and report["result"] == "ok", report
    assert (mine / "deps" / "lib" / "lib.txt").read_text() == "my local edit\n"
    assert (mine / "readme.txt").read_text() == "two\n"
    assert any(note.startswith("submodule deps/lib not updated: local changes") for note in report["notes"])
    assert report["submodules"][0]["state"] == "modified"


def test_auto_commit_keeps_the_gitlink_and_the_submodule_untouched(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without submodule.recurse an auto-commit repository integrates the moved pointer and
    never moves it back: the submodule, still at the old commit, is behind the recorded one
    (git add -A would record the old commit again), and its files are never written."""
    mine = world["mine"]
    code, _out, err = run(capsys, "add", str(mine), "--name", "mine")
    assert code == 0, err
    code, _out, err = run(capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    _commit(mine, "mine.txt", "local\n")
    (mine / "notes.txt").write_text("uncommitted\n")
    code, doc, _err = run(capsys, "sync", "mine", "--json")
    report = doc["repos"][0]
    assert code == 0 and report["result"] == "ok", report
    assert git("ls-tree", "HEAD", "deps/lib", cwd=mine).startswith("160000 commit ")
    assert git("rev-parse", "HEAD:deps/lib", cwd=mine) == git(
        "rev-parse", "HEAD:deps/lib", cwd=world["theirs"]
    )
    assert (mine / "deps" / "lib" / "lib.txt").read_text() == "v1\n"
    code, doc, _err = run(capsys, "sync", "mine", "--json")  # the next sync commits nothing back
    assert code == 0 and doc["repos"][0]["committed"] == 0, doc
    assert git("rev-parse", "HEAD:deps/lib", cwd=mine) == git(
        "rev-parse", "HEAD:deps/lib", cwd=world["theirs"]
    )
    assert git("rev-parse", "origin/main:deps/lib", cwd=mine) == git("rev-parse", "HEAD:deps/lib", cwd=mine)
    fsck(mine)


def test_a_submodule_registered_on_its_own_says_its_checkout_is_the_superprojects(
    world: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial: the submodule's folder `gitferry add`ed, HEAD detached as `git submodule
    update` leaves it: every sync ended "HEAD is detached: there is no checked-out branch
    to integrate", as `git pull` fails there. SPEC (detached HEAD: fetch only, a non-zero
    result) holds; the line says it is a submodule's checkout and what moves it, as
    `gitferry status` does before any sync. A detached HEAD elsewhere is said as before."""
    mine = world["mine"]
    lib = mine / "deps" / "lib"
    head = git("rev-parse", "HEAD", cwd=lib)
    referee = subprocess.run(["git", "pull"], cwd=lib, capture_output=True, text=True, check=False)
    assert referee.returncode != 0 and "not currently on a branch" in referee.stderr  # git: no pull here
    assert git("rev-parse", "--show-superproject-working-tree", cwd=lib) == str(mine)
    assert run(capsys, "add", str(lib), "--name", "lib")[0] == 0
    said = (
        f"HEAD is detached at {head[:7]}, a submodule checkout of {mine}: nothing to integrate; "
        "`git submodule update` there moves it (as its sync does, with submodule.recurse), "
        "or `git switch NAME` here syncs a branch"
    )
    _code, text, _err = run(capsys, "status", "lib")
    assert said in text.splitlines()[1], text

    for fetch_only in ((), ("--fetch-only",)):
        code, doc, _err = run(capsys, "sync", "lib", *fetch_only, "--json")
        report = doc["repos"][0]
        assert (code, report["result"]) == (1, "error") and report["message"].endswith(said), report
    assert git("rev-parse", "HEAD", cwd=lib) == head and porcelain(lib) == ""  # as it was
    assert git("rev-parse", "refs/remotes/origin/main", cwd=lib) == git(
        "rev-parse", "main", cwd=world["theirs"] / "deps" / "lib"
    )  # fetched

    git("checkout", "-q", "--detach", cwd=mine)  # no submodule's checkout: said as before
    assert run(capsys, "add", str(mine), "--name", "top")[0] == 0
    code, doc, _err = run(capsys, "sync", "top", "--json")
    assert doc["repos"][0]["message"].startswith("HEAD is detached: there is no checked-out branch"), doc
