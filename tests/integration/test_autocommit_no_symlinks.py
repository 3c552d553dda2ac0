"""Auto-commit in a clone whose git says `core.symlinks = false` (git sets it by itself on a
file system without symlinks: a FAT or exFAT disk, a share). git checks a symlink out there
as a small file holding its target and keeps recording it as a symlink (`ce_mode_from_stat`).
Gitferry took the file for a regular one: the next auto-commit turned the link into a plain
file (mode 120000 to 100644) and pushed it, breaking the link for everyone. `git ls-files
-s`, `git status` and a `git add -A` on a copy are the referees."""

from __future__ import annotations

import os
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run


def _no_symlinks_clone(world: Clones, tmp_path: Path) -> Path:
    """`theirs` pushes a symlink; a third clone made as git makes one without symlinks."""
    os.symlink("a.txt", world.theirs / "link")
    git("add", "link", cwd=world.theirs)
    git("commit", "-q", "-m", "link", cwd=world.theirs)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    third = tmp_path / "third"
    git("-c", "core.symlinks=false", "clone", "-q", world.remote.url("origin"), str(third))
    git("config", "core.symlinks", "false", cwd=third)
    assert (third / "link").read_text() == "a.txt" and not (third / "link").is_symlink()
    code, _out, err = run(world.capsys, "add", str(third), "--auto-commit")
    assert code == 0, err
    world.remember()
    return third


def test_a_symlink_checked_out_as_a_file_stays_a_symlink(world: Clones, tmp_path: Path) -> None:
    third = _no_symlinks_clone(world, tmp_path)
    (third / "b.txt").write_text("an edit beside it\n")
    code, doc, err = run(world.capsys, "sync", "third", "--json")
    report = doc["repos"][0]
    assert (code, report["result"], report["committed"]) == (0, "ok", 1), err
    assert git("ls-files", "-s", "link", cwd=third).startswith("120000 ")
    assert git("diff", "--name-only", "HEAD~1", "HEAD", cwd=third) == "b.txt"
    assert porcelain(third) == ""
    code, doc, _err = run(world.capsys, "sync", "third", "--json")
    assert (code, doc["repos"][0]["result"], doc["repos"][0]["committed"]) == (0, "up_to_date", 0)


def test_editing_the_placeholder_retargets_the_link_as_git_add_does(world: Clones, tmp_path: Path) -> None:
    third = _no_symlinks_clone(world, tmp_path)
    (third / "link").write_text("notes.md")
    code, doc, err = run(world.capsys, "sync", "third", "--json")
    assert (code, doc["repos"][0]["committed"]) == (0, 1), err
    assert git("ls-files", "-s", "link", cwd=third).startswith("120000 ")
    assert git("cat-file", "-p", "HEAD:link", cwd=third) == "notes.md"
    git("pull", "-q", cwd=world.theirs)
    assert os.readlink(world.theirs / "link") == "notes.md"
