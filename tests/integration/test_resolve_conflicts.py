"""The way forward from a conflict, end to end against a `git daemon` remote, through the CLI.

`theirs` pushes a change of `a.txt` and of the binary `img.bin`; `mine` commits
its own changes of both with git, and `gitferry sync mine` stops on the
conflict (nothing changed). Then each way forward: use mine, use theirs, keep
both, a scripted merge tool (`merge.tool` and `mergetool.<tool>.cmd` in the
scratch HOME's git config), a hand-edited file, finish (commit, sync) and
abort (nothing changed). After each: the remote by `git rev-parse`/`git log`,
`git fsck` and no commit lost (`Clones.check`), the working tree by `git status`
and `git show`, and every side's version where it should be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run
from tests.signing import SigningKeys, configure, signature_marks, signing_keys, verify_commit

__all__ = ["signing_keys"]  # the fixture, used by name

MINE_TEXT = "one\nTWO mine\nthree\n"
THEIRS_TEXT = "one\nTWO theirs\nthree\n"
BASE_BIN = b"\x89PNG\0base" + bytes(range(256))
MINE_BIN = b"\x89PNG\0mine" + bytes(range(200))
THEIRS_BIN = b"\x89PNG\0theirs" + bytes(range(100))

pytestmark = pytest.mark.slow


def commit_bytes(repo: Path, files: dict[str, bytes], message: str) -> str:
    for name, data in files.items():
        (repo / name).write_bytes(data)
        git("add", name, cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


def show(repo: Path, rev: str, path: str) -> bytes:
    return subprocess.run(["git", "show", f"{rev}:{path}"], cwd=repo, capture_output=True, check=True).stdout


def stopped_on_conflict(world: Clones) -> tuple[str, str]:
    """Both sides change `a.txt` and `img.bin`; `gitferry sync mine` stops. (mine, theirs)."""
    commit_bytes(world.theirs, {"img.bin": BASE_BIN}, "base image")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("pull", "-q", "--ff-only", cwd=world.mine)
    theirs = commit_bytes(world.theirs, {"a.txt": THEIRS_TEXT.encode(), "img.bin": THEIRS_BIN}, "theirs")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = commit_bytes(world.mine, {"a.txt": MINE_TEXT.encode(), "img.bin": MINE_BIN}, "mine")
    world.remember()
    code, report = world.sync(world.mine)
    assert code == 1 and report["result"] == "conflict", report
    assert sorted(report["conflicts"]) == ["a.txt", "img.bin"]
    assert world.head(world.mine) == mine and world.remote_head() == theirs
    return mine, theirs


def resolve(world: Clones, *args: str) -> tuple[int, object, str]:
    return run(world.capsys, "resolve", "mine", *args)


def finished(world: Clones, mine: str, theirs: str) -> str:
    """`--finish`: the merge committed with both parents, pushed, the tree clean."""
    code, out, err = resolve(world, "--finish")
    assert code == 0, (out, err)
    head = world.head(world.mine)
    assert git("rev-list", "--parents", "-n", "1", head, cwd=world.mine).split() == [head, mine, theirs]
    assert world.remote_head() == head  # pushed
    assert git("--git-dir", str(world.bare), "log", "-1", "--format=%P", "main") == f"{mine} {theirs}"
    assert porcelain(world.mine) == ""
    assert not (world.mine / ".git" / "gitferry" / "resolve").exists()
    backups = git("for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main", cwd=world.mine)
    assert mine in backups.split()
    fsck = subprocess.run(["git", "fsck"], cwd=world.mine, capture_output=True, text=True, check=True)
    assert "dangling" not in fsck.stdout + fsck.stderr  # nothing written that the merge does not use
    return head


def test_listing_shows_both_sides_and_changes_nothing(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    code, doc, err = resolve(world, "--json")
    assert code == 0, err
    assert isinstance(doc, dict)
    paths = {p["path"]: p for p in doc["paths"]}
    assert doc["unresolved"] == ["a.txt", "img.bin"] and doc["upstream"] == "origin/main"
    assert (doc["ours"], doc["theirs"]) == (mine, theirs)
    assert not paths["a.txt"]["binary"] and paths["img.bin"]["binary"]
    assert paths["img.bin"]["ours"]["size"] == len(MINE_BIN)
    assert paths["img.bin"]["theirs"]["size"] == len(THEIRS_BIN)
    assert paths["img.bin"]["theirs"]["when"] is not None
    code, text, _err = resolve(world, "--diff")
    assert code == 0 and "+TWO mine" in str(text) and "+TWO theirs" in str(text)
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""
    # What to type next, with this repository's name (it said NAME, and not how to choose).
    assert str(text).splitlines()[-2:] == [
        "choose for each: gitferry resolve mine PATH --mine, --theirs, --both, --tool or --edit",
        "then: gitferry resolve mine --finish (commit and sync) or --abort (change nothing)",
    ]


def test_use_theirs_and_keep_both_then_finish(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    code, doc, err = resolve(world, "img.bin", "--both", "--json")
    assert code == 0 and isinstance(doc, dict) and doc["unresolved"] == [], err

    head = finished(world, mine, theirs)

    assert show(world.mine, head, "a.txt") == THEIRS_TEXT.encode()
    assert show(world.mine, head, "img.bin") == THEIRS_BIN
    names = git("ls-tree", "--name-only", head, cwd=world.mine).splitlines()
    copies = [n for n in names if n.startswith("img (conflict ") and n.endswith(".bin")]
    assert len(copies) == 1, names
    assert show(world.mine, head, copies[0]) == MINE_BIN  # mine kept beside it
    assert (world.mine / copies[0]).read_bytes() == MINE_BIN
    assert (world.mine / "img.bin").read_bytes() == THEIRS_BIN
    git("pull", "-q", "--ff-only", cwd=world.theirs)
    assert (world.theirs / copies[0]).read_bytes() == MINE_BIN


def test_use_mine_then_finish(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    for path in ("a.txt", "img.bin"):
        assert resolve(world, path, "--mine")[0] == 0
    head = finished(world, mine, theirs)
    assert show(world.mine, head, "a.txt") == MINE_TEXT.encode()
    assert show(world.mine, head, "img.bin") == MINE_BIN
    assert show(world.mine, theirs, "img.bin") == THEIRS_BIN  # theirs is history, not lost
    assert (world.mine / "a.txt").read_text() == MINE_TEXT


def configure_tool(command: str, *, trust: bool = False) -> None:
    git("config", "--global", "merge.tool", "scripted")
    git("config", "--global", "mergetool.scripted.cmd", command)
    git("config", "--global", "mergetool.scripted.trustExitCode", "true" if trust else "false")


def test_merge_tool_runs_as_git_mergetool_runs_it(world: Clones, tmp_path: Path) -> None:
    mine, theirs = stopped_on_conflict(world)
    seen = tmp_path / "seen.txt"
    # The tool sees base, local and remote, and writes its merge to $MERGED, from the top.
    configure_tool(
        f'pwd > "{seen}"; cat "$BASE" "$LOCAL" "$REMOTE" >> "{seen}"; cat "$LOCAL" "$REMOTE" > "$MERGED"'
    )
    code, doc, err = resolve(world, "a.txt", "--tool", "--json")
    assert code == 0, err
    assert isinstance(doc, dict) and {p["path"]: p["choice"] for p in doc["paths"]}["a.txt"] == "merged"
    assert seen.read_text() == f"{world.mine}\none\ntwo\nthree\n{MINE_TEXT}{THEIRS_TEXT}"
    assert resolve(world, "img.bin", "--theirs")[0] == 0

    head = finished(world, mine, theirs)
    assert show(world.mine, head, "a.txt") == (MINE_TEXT + THEIRS_TEXT).encode()
    assert show(world.mine, head, "img.bin") == THEIRS_BIN


def test_a_failing_or_unfinished_merge_tool_chooses_nothing(world: Clones) -> None:
    mine, _theirs = stopped_on_conflict(world)
    configure_tool('echo partial > "$MERGED"; exit 3', trust=True)
    code, _out, err = resolve(world, "a.txt", "--tool")
    assert code == 1 and "exited with 3" in err and err.count("\n") == 1
    configure_tool("true")  # leaves the markers
    code, _out, err = resolve(world, "a.txt", "--tool")
    assert code == 1 and "conflict markers" in err
    code, doc, _err = resolve(world, "--json")
    assert isinstance(doc, dict) and doc["unresolved"] == ["a.txt", "img.bin"]
    code, _out, err = resolve(world, "--finish")
    assert code == 2 and "2 paths still to resolve" in err
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""


def test_no_merge_tool_configured_says_so(world: Clones) -> None:
    stopped_on_conflict(world)
    code, _out, err = resolve(world, "a.txt", "--tool")
    assert code == 1 and "no merge tool is configured" in err


def test_edit_a_file_with_markers_then_finish(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    code, out, err = resolve(world, "a.txt", "--edit")
    assert code == 0, err
    edited = Path(str(out).strip())
    marked = edited.read_text()
    assert "<<<<<<< mine\nTWO mine\n=======\nTWO theirs\n>>>>>>> theirs (origin/main)\n" in marked
    assert resolve(world, "img.bin", "--mine")[0] == 0
    code, _out, err = resolve(world, "--finish")
    assert code == 2 and "still has conflict markers" in err  # nothing committed yet
    assert world.head(world.mine) == mine
    edited.write_text("one\nTWO both\nthree\n")
    head = finished(world, mine, theirs)
    assert show(world.mine, head, "a.txt") == b"one\nTWO both\nthree\n"


@pytest.mark.parametrize("style", ["diff3", "zdiff3"])
def test_edit_shows_the_base_as_merge_conflict_style_asks(world: Clones, tmp_path: Path, style: str) -> None:
    """`merge.conflictStyle = zdiff3` (or `diff3`) in the user's git: the file to edit has the
    base's lines between the sides, exactly as `git merge-file --zdiff3` writes them (it had
    only the two sides, as without the setting)."""
    git("config", "merge.conflictStyle", style, cwd=world.mine)
    stopped_on_conflict(world)
    code, out, err = resolve(world, "a.txt", "--edit")
    assert code == 0, err
    marked = Path(str(out).strip()).read_bytes()
    assert b"||||||| base\ntwo\n=======\n" in marked
    sides = {"mine": MINE_TEXT, "base": "one\ntwo\nthree\n", "theirs": THEIRS_TEXT}
    for name, text in sides.items():
        (tmp_path / f"{name}.side").write_text(text)
    labels = ["-L", "mine", "-L", "base", "-L", "theirs (origin/main)"]
    files = [str(tmp_path / f"{name}.side") for name in sides]
    referee = subprocess.run(["git", "merge-file", "-p", f"--{style}", *labels, *files], capture_output=True)
    assert referee.stdout == marked


def test_abort_changes_nothing(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    (world.mine / "notes.txt").write_text("untracked work\n")
    before = (porcelain(world.mine), git("for-each-ref", cwd=world.mine))
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    assert resolve(world, "img.bin", "--edit")[0] == 0

    code, out, err = resolve(world, "--abort")

    assert code == 0 and "nothing was changed" in str(out), err
    assert (porcelain(world.mine), git("for-each-ref", cwd=world.mine)) == before
    assert (world.mine / "a.txt").read_text() == MINE_TEXT
    assert (world.mine / "img.bin").read_bytes() == MINE_BIN
    assert not (world.mine / ".git" / "gitferry" / "resolve").exists()
    assert world.remote_head() == theirs and world.head(world.mine) == mine
    code, report = world.sync(world.mine)  # still the same conflict: nothing was changed
    assert report["result"] == "conflict" and world.head(world.mine) == mine


def test_finish_refuses_local_changes_in_the_way(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    assert resolve(world, "img.bin", "--theirs")[0] == 0
    (world.mine / "a.txt").write_text("uncommitted edit\n")
    objects = git("count-objects", "-v", cwd=world.mine)
    code, _out, err = resolve(world, "--finish")
    # the way back is Finish again, not a sync (a trial read "then sync again" here)
    way_on = "commit or stash the changes (git status lists them), then finish again"
    assert code != 0 and err == f"gitferry: local changes would be overwritten: a.txt; {way_on}\n", err
    assert world.head(world.mine) == mine and (world.mine / "a.txt").read_text() == "uncommitted edit\n"
    assert git("count-objects", "-v", cwd=world.mine) == objects  # no merge commit left dangling
    assert world.remote_head() == theirs
    (world.mine / "a.txt").write_text(MINE_TEXT)
    finished(world, mine, theirs)


def test_history_lists_the_resolution_and_undo_takes_it_back(world: Clones) -> None:
    mine, theirs = stopped_on_conflict(world)
    for path in ("a.txt", "img.bin"):
        assert resolve(world, path, "--theirs")[0] == 0
    code, _out, err = resolve(world, "--finish", "--no-push")
    assert code == 0, err
    merged = world.head(world.mine)
    world.remember()

    code, doc, err = run(world.capsys, "history", "mine", "--json")
    assert code == 0 and isinstance(doc, dict), err
    last = doc["runs"][0]
    assert last["kind"] == "resolve" and last["conflicts"] == ["a.txt", "img.bin"]
    came = last["came_in"][0]
    assert (came["from"], came["to"]) == (mine, merged)
    # What came in is what the remote had that mine had not (git log mine..theirs), not
    # the merge commit made here.
    assert (
        [c["subject"] for c in came["commits"]]
        == git("log", "--format=%s", f"{mine}..{theirs}", cwd=world.mine).split("\n")
        == ["theirs"]
    )
    assert came["files"] == ["a.txt", "img.bin"]
    conflicted = [r for r in doc["runs"] if r["result"] == "conflict"]
    assert conflicted and conflicted[0]["conflicts"] == ["a.txt", "img.bin"]

    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 0, err
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""
    backups = git("for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main", cwd=world.mine)
    assert merged in backups.split()  # the undone merge is kept
    assert world.remote_head() == theirs
    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 1 and "not undone" in err and err.count("\n") == 1


def test_undo_is_refused_once_pushed(world: Clones) -> None:
    world.commit(world.theirs, "b.txt", "from theirs\n")
    world.commit(world.theirs, "d.txt", "from theirs too\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    theirs = world.head(world.theirs)
    before = world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["merged"] == ["main"] and report["pushed"] == ["main"], report
    head = world.head(world.mine)
    arrived = git("rev-list", f"{before}..{theirs}", cwd=world.mine).split()
    assert len(arrived) == 2 and len(git("rev-list", f"{before}..{head}", cwd=world.mine).split()) == 3

    code, out, err = run(world.capsys, "history", "mine")
    assert code == 0, err
    assert "  in main: 2 commits, 2 files" in str(out).splitlines(), out  # not the merge commit made here

    code, doc, err = run(world.capsys, "history", "mine", "--json")
    assert isinstance(doc, dict), err
    sync = doc["runs"][0]
    assert sync["came_in"][0]["to"] == head and sync["went_out"][0]["to"] == head
    assert "c.txt" in sync["went_out"][0]["files"] and "b.txt" in sync["came_in"][0]["files"]
    assert [c["sha"] for c in sync["came_in"][0]["commits"]] == arrived

    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 1 and "origin/main already has main's head" in err
    assert world.head(world.mine) == head


def test_finish_signs_the_merge_where_git_signs(world: Clones, signing_keys: SigningKeys) -> None:
    mine, theirs = stopped_on_conflict(world)
    configure(world.mine, signing_keys.settings("ssh"))
    for path in ("a.txt", "img.bin"):
        assert resolve(world, path, "--mine")[0] == 0
    head = finished(world, mine, theirs)
    verify_commit(world.mine, head)
    marks = signature_marks(
        world.bare, f"{theirs}..main", f"gpg.ssh.allowedSignersFile={signing_keys.allowed_signers}"
    )
    assert marks[head] == "G"


def test_a_rebase_repository_finishes_as_git_pull_rebase_does(world: Clones, tmp_path: Path) -> None:
    """Under `pull.rebase`, Finish replays the local commit on the upstream with the
    choices, as `git pull --rebase` then `git rebase --continue` does on a twin clone with
    the same choices: the same tree, author and message, one commit on theirs, no merge."""
    git("config", "pull.rebase", "true", cwd=world.mine)
    mine, theirs = stopped_on_conflict(world)
    twin = tmp_path / "twin"
    shutil.copytree(world.mine, twin, symlinks=True)
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    assert resolve(world, "img.bin", "--mine")[0] == 0
    code, out, err = resolve(world, "--finish")
    assert code == 0 and "main rebased as" in str(out), (out, err)

    stopped = subprocess.run(["git", "pull", "-q", "--rebase"], cwd=twin, capture_output=True, check=False)
    assert stopped.returncode != 0  # git stops on the same conflict
    (twin / "a.txt").write_bytes(THEIRS_TEXT.encode())
    (twin / "img.bin").write_bytes(MINE_BIN)
    git("add", "a.txt", "img.bin", cwd=twin)
    subprocess.run(
        ["git", "rebase", "--continue"], cwd=twin, env={**os.environ, "GIT_EDITOR": "true"}, check=True
    )

    head, referee = world.head(world.mine), world.head(twin)
    # The same commit (the same id within the same second): else the same in all but the committer time.
    for rev in (head, referee):
        assert git(
            "rev-list", "--parents", "-n", "1", rev, cwd=twin if rev == referee else world.mine
        ).split()[1:] == [theirs]
    fields = "%T%n%an <%ae> %ad%n%B"
    assert git("log", "-1", f"--format={fields}", head, cwd=world.mine) == git(
        "log", "-1", f"--format={fields}", referee, cwd=twin
    )
    assert git("rev-list", "--count", "HEAD", cwd=world.mine) == git("rev-list", "--count", "HEAD", cwd=twin)
    assert git("rev-list", "--merges", "HEAD", cwd=world.mine) == ""
    assert world.remote_head() == head and porcelain(world.mine) == ""
    assert (
        mine
        in git("for-each-ref", "--format=%(objectname)", "refs/gitferry/backup/main", cwd=world.mine).split()
    )
    world.check()


def _untouched(world: Clones) -> tuple[str, str, list[str]]:
    """What a refused choice must leave as it was: git's status, every ref, and the
    resolution's state folder."""
    state = world.mine / ".git" / "gitferry" / "resolve"
    kept = sorted(str(p.relative_to(state)) for p in state.rglob("*")) if state.exists() else []
    return porcelain(world.mine), git("for-each-ref", cwd=world.mine), kept


def test_modify_delete_keep_both_is_refused_mine_keeps_and_theirs_deletes(world: Clones) -> None:
    """`--both` on a file the remote deleted quietly kept mine (the window does not offer
    Keep both there, fdf729b): now it is bad input, one line naming what --mine and
    --theirs do, nothing chosen, the repository as it was."""
    git("rm", "-q", "a.txt", cwd=world.theirs)
    git("commit", "-q", "-m", "drop a.txt", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = commit_bytes(world.mine, {"a.txt": MINE_TEXT.encode()}, "edit a.txt")
    world.remember()
    code, report = world.sync(world.mine)
    assert report["result"] == "conflict" and report["conflicts"] == ["a.txt"], report
    code, doc, _err = resolve(world, "--json")
    assert isinstance(doc, dict)
    assert doc["paths"][0]["theirs"]["oid"] is None and doc["paths"][0]["ours"]["size"] == len(MINE_TEXT)
    code, text, _err = resolve(world)  # the listing says which choice keeps it, and offers no --both
    assert code == 0 and isinstance(text, str)
    assert (
        f"a.txt  (text; mine {len(MINE_TEXT)} bytes, theirs deleted: --mine keeps it, --theirs deletes it)"
        in text
    )
    assert "choose for each: gitferry resolve mine PATH --mine, --theirs, --tool or --edit" in text
    before = _untouched(world)
    why = (
        "a.txt: the remote deleted it, so there is one version, not two to keep: "
        "--mine keeps the file, --theirs deletes it; nothing was chosen"
    )
    assert resolve(world, "a.txt", "--both") == (2, "", f"gitferry: {why}\n")
    code, doc, err = resolve(world, "a.txt", "--both", "--json")
    assert (code, doc) == (2, {"name": "mine", "error": why}) and err.count("\n") == 1
    assert _untouched(world) == before  # git status, refs and the resolution's state as they were
    assert world.head(world.mine) == mine and (world.mine / "a.txt").read_text() == MINE_TEXT
    code, doc, _err = resolve(world, "--json")
    assert doc["paths"][0]["choice"] is None and doc["unresolved"] == ["a.txt"], doc
    assert resolve(world, "a.txt", "--mine")[0] == 0  # as the line says
    theirs = world.remote_head()
    head = finished(world, mine, theirs)
    assert show(world.mine, head, "a.txt") == MINE_TEXT.encode()  # the modified side stays

    git("pull", "-q", "--ff-only", cwd=world.theirs)
    git("rm", "-q", "a.txt", cwd=world.theirs)
    git("commit", "-q", "-m", "drop a.txt again", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = commit_bytes(world.mine, {"a.txt": b"edited once more\n"}, "edit again")
    world.remember()
    assert world.sync(world.mine)[1]["result"] == "conflict"
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    head = finished(world, mine, world.remote_head())
    assert "a.txt" not in git("ls-tree", "--name-only", head, cwd=world.mine).split()
    assert not (world.mine / "a.txt").exists()
    assert show(world.mine, mine, "a.txt") == b"edited once more\n"  # in history, not lost


def test_keep_both_is_refused_for_a_file_this_computer_deleted(world: Clones) -> None:
    """The mirror: this computer deleted a.txt, the remote changed it. `--both` is refused
    (the line says --theirs takes it back), `--theirs` brings the remote's version back."""
    theirs = commit_bytes(world.theirs, {"a.txt": THEIRS_TEXT.encode()}, "theirs edits a.txt")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("rm", "-q", "a.txt", cwd=world.mine)
    git("commit", "-q", "-m", "drop a.txt", cwd=world.mine)
    mine = git("rev-parse", "HEAD", cwd=world.mine)
    world.remember()
    code, report = world.sync(world.mine)
    assert report["result"] == "conflict" and report["conflicts"] == ["a.txt"], report
    code, text, _err = resolve(world)
    said = f"(text; mine deleted, theirs {len(THEIRS_TEXT)} bytes: "
    said += "--theirs takes it back, --mine leaves it deleted)"
    assert said in str(text) and "--both" not in str(text), text
    before = _untouched(world)
    code, out, err = resolve(world, "a.txt", "--both")
    assert (code, out) == (2, ""), err
    assert err == (
        "gitferry: a.txt: this computer deleted it, so there is one version, not two to keep: "
        "--theirs takes the remote's back, --mine leaves it deleted; nothing was chosen\n"
    )
    assert _untouched(world) == before and not (world.mine / "a.txt").exists()
    assert resolve(world, "a.txt", "--theirs")[0] == 0
    head = finished(world, mine, theirs)
    assert show(world.mine, head, "a.txt") == THEIRS_TEXT.encode()
    assert (world.mine / "a.txt").read_text() == THEIRS_TEXT


def test_a_file_renamed_here_and_changed_there_resolves_at_its_new_path(world: Clones) -> None:
    """User trial: `mine` moved a.txt to moved.txt and changed a line `theirs` changed too.
    git merges it at moved.txt (`git checkout --theirs moved.txt` gives the remote's lines);
    the resolution said theirs "deleted" and Use theirs deleted the file: neither a.txt nor
    moved.txt was left, the remote's change gone from the tree."""
    theirs = commit_bytes(world.theirs, {"a.txt": THEIRS_TEXT.encode()}, "theirs changes a line")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    git("mv", "a.txt", "moved.txt", cwd=world.mine)
    mine = commit_bytes(world.mine, {"moved.txt": MINE_TEXT.encode()}, "mine moves a.txt, changes a line")
    world.remember()
    code, report = world.sync(world.mine)
    assert report["result"] == "conflict" and report["conflicts"] == ["moved.txt"], report
    code, doc, err = resolve(world, "--json")
    assert code == 0 and isinstance(doc, dict), err
    [path] = doc["paths"]
    assert path["theirs"]["size"] == len(THEIRS_TEXT) and path["base"]["oid"] is not None
    code, text, _err = resolve(world, "--diff")
    assert "+TWO theirs" in str(text) and "-two" in str(text)
    assert resolve(world, "moved.txt", "--theirs")[0] == 0
    head = finished(world, mine, theirs)
    assert git("ls-tree", "--name-only", head, cwd=world.mine).split() == ["moved.txt"]
    assert show(world.mine, head, "moved.txt") == THEIRS_TEXT.encode()
    assert (world.mine / "moved.txt").read_text() == THEIRS_TEXT
    world.check()


def test_undo_is_offered_after_an_unpushed_merge_never_after_a_fast_forward(world: Clones) -> None:
    """As the README says: a fast-forward's new head is the upstream's own commit."""
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    before = world.head(world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 1 and "origin/main already has main's head" in err and err.count("\n") == 1
    assert world.head(world.mine) == world.remote_head() != before

    world.commit(world.theirs, "c.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    mine = world.commit(world.mine, "d.txt", "from mine\n")
    code, report = world.sync(world.mine, "--no-push")
    assert code == 0 and report["merged"] == ["main"], report
    code, _out, err = run(world.capsys, "undo", "mine")
    assert code == 0, err
    assert world.head(world.mine) == mine and porcelain(world.mine) == ""


def test_exit_statuses_follow_the_table_and_json_is_always_json(world: Clones) -> None:
    """With nothing to resolve, `resolve mine --json` printed nothing and exited 1, and
    `resolve mine a.txt --mine` exited 1 (a failure) for what is bad input (2). A listing
    answers "nothing to resolve" (0); a choice, --edit or --finish there is refused (2);
    with --json stdout is one JSON document every time."""
    before = (porcelain(world.mine), git("for-each-ref", cwd=world.mine))
    code, doc, err = resolve(world, "--json")
    assert code == 0 and isinstance(doc, dict), (doc, err)
    why = "main has not diverged from origin/main: there is nothing to resolve"
    assert doc == {"name": "mine", "nothing_to_resolve": why, "paths": [], "unresolved": []}
    assert resolve(world) == (0, f"mine: {why}\n", "")
    for args in (("a.txt", "--mine"), ("a.txt", "--edit"), ("--finish",)):
        code, out, err = resolve(world, *args)
        assert (code, out, err) == (2, "", f"gitferry: mine: {why}\n"), args
        code, doc, err = resolve(world, *args, "--json")
        assert (code, doc) == (2, {"name": "mine", "error": f"mine: {why}"}) and err.count("\n") == 1
    assert resolve(world, "--abort", "--json")[:2] == (0, {"name": "mine", "aborted": False})
    assert (porcelain(world.mine), git("for-each-ref", cwd=world.mine)) == before
    mine, _theirs = stopped_on_conflict(world)
    code, doc, _err = resolve(world, "nope.txt", "--mine", "--json")
    assert (code, doc) == (2, {"name": "mine", "error": "nope.txt is not a conflicted path of main"})
    for path in ("a.txt", "img.bin"):
        assert resolve(world, path, "--mine", "--json")[0] == 0
    code, doc, err = resolve(world, "--finish", "--no-push", "--json")
    assert code == 0 and isinstance(doc, dict), err
    assert (doc["new_head"], doc["old_head"]) == (world.head(world.mine), mine)
