"""Conversions Gitferry does not run (a configured filter, `ident`, `working-tree-encoding`):
never written or committed wrongly, listed as skipped with `unsupported_filter`.

A `rot13` filter git runs (`tr`, its own inverse) stands for git-crypt and the like;
a clean-only filter for nbstripout (git checks out such a file unchanged, and so does
Gitferry). git is the referee: what it writes once it checks a skipped path out
itself is its own clone's content, and what it commits is never what Gitferry left.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.merge.integrate import Strategy, integrate_current
from core.git.transfer.clone import clone_repository
from core.git.transfer.fetch import fetch_remote
from core.git.worktree.autocommit import auto_commit
from tests.gitcli import fsck, git
from tests.integration.clones import Clones, porcelain, run

ROT13 = "tr a-zA-Z n-za-mN-ZA-M"
ATTRIBUTES = (
    "*.secret filter=rot13\n*.id ident\n*.latin working-tree-encoding=ISO-8859-1\n"
    "*.nb filter=stripper\n*.plain filter=unconfigured\n"
)
FILES = {
    "a.secret": b"attack at dawn\n",
    "b.id": b"$Id$\nbody\n",
    "c.latin": b"caf\xe9\n",
    "d.nb": b"cells\n",
    "e.plain": b"as it is\n",
    "f.txt": b"ordinary\n",
}


def _configure_filters(home: Path) -> None:
    git("config", "--global", "filter.rot13.clean", ROT13, cwd=home)
    git("config", "--global", "filter.rot13.smudge", ROT13, cwd=home)
    git("config", "--global", "filter.stripper.clean", "cat", cwd=home)


@pytest.fixture
def bare(tmp_path: Path, clean_env: Path) -> Path:
    _configure_filters(clean_env)
    bare, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    git("init", "-q", "-b", "main", str(work))
    (work / ".gitattributes").write_text(ATTRIBUTES)
    for name, data in FILES.items():
        (work / name).write_bytes(data)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "start", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    for name in FILES:
        (work / name).write_bytes(FILES[name].replace(b"\n", b" again\n"))
    git("commit", "-q", "-am", "second", cwd=work)
    git("push", "-q", str(bare), "main:next", cwd=work)
    return bare


def _status(repo: Path) -> dict[str, str]:
    out = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    )
    return {line[3:]: line[:2] for line in out.stdout.splitlines()}


def test_clone_leaves_what_it_cannot_convert_and_git_can_finish(bare: Path, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    git("clone", "-q", str(bare), str(theirs))
    result = clone_repository(str(bare), mine)
    unconverted = {"a.secret", "b.id", "c.latin"}
    assert sorted(n.split(":")[0] for n in result.notes) == sorted(unconverted)
    assert all("left unwritten" in note for note in result.notes)
    for name in unconverted:
        assert not (mine / name).exists()
    for name in ("d.nb", "e.plain", "f.txt", ".gitattributes"):  # no command to run: as git writes them
        assert (mine / name).read_bytes() == (theirs / name).read_bytes()
    assert _status(mine) == {name: " D" for name in unconverted}
    git("checkout", "--", *unconverted, cwd=mine)  # git runs the filters itself
    for name in FILES:
        assert (mine / name).read_bytes() == (theirs / name).read_bytes()
    assert _status(mine) == {}
    fsck(mine)


def test_a_fast_forward_moves_the_index_and_leaves_the_file(bare: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))  # git checked everything out, filters run
    before = {name: (mine / name).read_bytes() for name in FILES}
    git("--git-dir", str(bare), "update-ref", "refs/heads/main", "refs/heads/next")
    with Repo(str(mine)) as repo:
        fetch_remote(repo, "origin")
        done = integrate_current(repo, Strategy.FF_ONLY)
    assert done.action == "fast_forward"
    assert sorted((s.path.decode(), s.reason) for s in done.skipped) == [
        ("a.secret", "unsupported_filter"),
        ("b.id", "unsupported_filter"),
        ("c.latin", "unsupported_filter"),
    ]
    for name in ("a.secret", "b.id", "c.latin"):
        assert (mine / name).read_bytes() == before[name]  # untouched
    assert git("rev-parse", "HEAD", cwd=mine) == git("--git-dir", str(bare), "rev-parse", "next")
    assert _status(mine) == {"a.secret": " M", "b.id": " M", "c.latin": " M"}
    git("checkout", "--", "a.secret", "b.id", "c.latin", cwd=mine)
    assert _status(mine) == {}
    assert (mine / "a.secret").read_text() == "attack at dawn again\n"


def test_auto_commit_skips_them_whatever_happened(bare: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))
    (mine / "a.secret").write_text("retreat\n")
    (mine / "b.id").unlink()
    (mine / "new.secret").write_text("new plan\n")
    (mine / "d.nb").write_text("cells, run\n")
    (mine / "f.txt").write_text("ordinary, edited\n")
    (mine / "g.plain").write_text("new, no command\n")
    with Repo(str(mine)) as repo:
        outcome = auto_commit(repo, max_file_size=1 << 20, host="test")
    assert sorted((s.path, s.reason) for s in outcome.skipped) == [
        ("a.secret", "unsupported_filter"),
        ("b.id", "unsupported_filter"),
        ("d.nb", "unsupported_filter"),
        ("new.secret", "unsupported_filter"),
    ]
    assert outcome.paths == ["f.txt", "g.plain"]
    for name in ("a.secret", "b.id", "d.nb"):
        assert git("rev-parse", f"HEAD:{name}", cwd=mine) == git("rev-parse", f"HEAD~1:{name}", cwd=mine)
    assert "new.secret" not in git("ls-files", cwd=mine).split()


@pytest.fixture
def filter_world(world: Clones, clean_env: Path, capsys: pytest.CaptureFixture[str]) -> Clones:
    _configure_filters(clean_env)
    (world.theirs / ".gitattributes").write_text("*.secret filter=rot13\n")
    (world.theirs / "a.secret").write_text("attack at dawn\n")
    git("add", "-A", cwd=world.theirs)
    git("commit", "-q", "-m", "a secret", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.remember()
    code, _out, err = run(capsys, "set", "mine", "auto_commit", "true")
    assert code == 0, err
    return world


def test_a_sync_lists_them_until_git_checks_them_out(filter_world: Clones) -> None:
    world = filter_world
    code, report = world.sync(world.mine)
    assert code == 0 and report["result"] == "ok", report
    assert report["skipped"] == [{"path": "a.secret", "reason": "unsupported_filter", "size": None}]
    code, listed, _err = run(world.capsys, "skipped", "mine", "--json")
    assert [(s["path"], s["reason"]) for s in listed["repos"][0]["skipped"]] == [
        ("a.secret", "unsupported_filter")
    ]
    assert porcelain(world.mine) == " D a.secret"
    code, report = world.sync(world.mine)  # the next sync commits nothing of it, and still says so
    assert code == 0 and report["committed"] == 0, report
    assert [s["path"] for s in report["skipped"]] == ["a.secret"]
    assert world.remote_head() == world.head(world.mine)
    git("checkout", "--", "a.secret", cwd=world.mine)
    assert (world.mine / "a.secret").read_text() == "attack at dawn\n"
    code, report = world.sync(world.mine)
    assert code == 0 and report["skipped"] == [], report
    code, listed, _err = run(world.capsys, "skipped", "mine", "--json")
    assert listed["repos"][0]["skipped"] == []


def test_a_clone_lists_what_it_left_unwritten_until_git_checks_it_out(
    bare: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """User trial (the GUI on a setup with a `filter=strip` of the user's own): the clone's
    one line said "notes/plan.md: Gitferry does not run filter 'strip': left unwritten", and
    the next sync's line replaced it; Skipped files listed nothing, so nothing said why git
    status showed the file deleted (a `git commit -a` then deleted it for everyone). The
    paths are listed as a switch lists them, and go once git has checked them out."""
    mine = tmp_path / "mine"
    code, _out, err = run(capsys, "clone", str(bare), str(mine))
    assert code == 0, err

    def listed() -> list[tuple[str, str]]:
        code, doc, err = run(capsys, "skipped", "mine", "--json")
        assert code == 0, err
        return sorted((row["path"], row["reason"]) for row in doc["repos"][0]["skipped"])

    unconverted = ["a.secret", "b.id", "c.latin"]
    assert listed() == [(name, "unsupported_filter") for name in unconverted]
    git("checkout", "--", "a.secret", cwd=mine)  # git runs the filter itself
    code, _out, err = run(capsys, "sync", "mine")
    assert listed() == [(name, "unsupported_filter") for name in unconverted[1:]], err


def test_a_finish_lists_what_its_switch_left_unwritten(
    bare: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """User trial (the GUI, Conflicts, Finish): the resolved merge brought a file whose filter
    Gitferry does not run; Finish left it unwritten and the window said "Up to date", Skipped
    files empty, while git status said it deleted. Listed as a sync's switch lists them."""
    mine = tmp_path / "mine"
    git("clone", "-q", str(bare), str(mine))  # git checked everything out, filters run
    assert run(capsys, "add", str(mine))[0] == 0
    (mine / "f.txt").write_text("mine\n")
    git("commit", "-q", "-am", "mine", cwd=mine)
    git("--git-dir", str(bare), "update-ref", "refs/heads/main", "refs/heads/next")  # theirs: every file
    code, _out, err = run(capsys, "sync", "mine")
    assert code == 1 and "conflict" in err + _out, (_out, err)
    assert run(capsys, "resolve", "mine", "f.txt", "--mine")[0] == 0

    code, out, err = run(capsys, "resolve", "mine", "--finish")

    assert code == 0, (out, err)
    code, doc, err = run(capsys, "skipped", "mine", "--json")
    assert code == 0, err
    listed = sorted((row["path"], row["reason"]) for row in doc["repos"][0]["skipped"])
    assert listed == [(name, "unsupported_filter") for name in ("a.secret", "b.id", "c.latin")]
    assert sorted(_status(mine)) == ["a.secret", "b.id", "c.latin"]  # as git says: left as they were
