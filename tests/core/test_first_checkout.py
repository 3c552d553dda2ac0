"""check_out_fresh with its files created by the writer thread (checkout_writer.py): what it
writes is what `git checkout` writes (git status clean, modes, symlinks, a converted file in
between), a Cancel part-way leaves nothing written afterwards and no index, and a file-system
error in the thread is raised from the checkout."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.content.first_checkout import check_out_fresh
from core.git.objects.tree_delta import CorruptTree
from core.git.progress import Phase, TransferProgress
from tests.gitcli import fsck, git


class Stop(Exception):
    pass


def _source(tmp_path: Path, files: int) -> Path:
    src = tmp_path / "src"
    git("init", "-q", "-b", "main", str(src), cwd=tmp_path)
    for n in range(files):
        (src / f"d{n % 7}" / f"e{n % 3}").mkdir(parents=True, exist_ok=True)
        (src / f"d{n % 7}" / f"e{n % 3}" / f"f{n}.txt").write_bytes(b"line %d\n" % n * (n % 50 + 1))
    (src / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (src / "run.sh").chmod(0o755)
    (src / "crlf.txt").write_bytes(b"a\nb\n")
    (src / ".gitattributes").write_text("crlf.txt text eol=crlf\n")
    os.symlink("run.sh", src / "link")
    git("add", "-A", cwd=src)
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "c", cwd=src)
    return src


def _bare_clone_without_checkout(tmp_path: Path, src: Path) -> tuple[Repo, ObjectID]:
    dst = tmp_path / "dst"
    git("clone", "-q", "--no-checkout", str(src), str(dst), cwd=tmp_path)
    tree = git("rev-parse", "HEAD^{tree}", cwd=dst).strip()
    return Repo(str(dst)), ObjectID(tree.encode())


def test_the_files_written_are_gits(tmp_path: Path) -> None:
    src = _source(tmp_path, 300)
    repo, tree = _bare_clone_without_checkout(tmp_path, src)
    seen: list[int] = []
    skipped = check_out_fresh(repo, tree, lambda p: seen.append(p.current))
    assert skipped == []
    dst = Path(repo.path)
    assert git("status", "--porcelain", cwd=dst) == ""
    assert git("diff", "--stat", cwd=dst) == ""  # the index's stat data matches every file
    assert (dst / "crlf.txt").read_bytes() == b"a\r\nb\r\n"
    assert stat.S_IMODE((dst / "run.sh").stat().st_mode) & 0o100
    assert os.readlink(dst / "link") == "run.sh"
    assert len(git("ls-files", cwd=dst).splitlines()) == seen[-1] == 304
    fsck(dst)


def test_a_cancel_part_way_writes_nothing_afterwards_and_no_index(tmp_path: Path) -> None:
    src = _source(tmp_path, 400)
    repo, tree = _bare_clone_without_checkout(tmp_path, src)
    dst = Path(repo.path)

    def progress(update: TransferProgress) -> None:
        if update.phase is Phase.CHECKOUT and update.current == 250:
            raise Stop

    with pytest.raises(Stop):
        check_out_fresh(repo, tree, progress)
    written = sorted(p for p in dst.rglob("*") if ".git" not in p.parts)
    files = [p for p in written if p.is_file()]
    assert 0 < len(files) <= 250
    assert not (dst / ".git" / "index").exists() and not (dst / ".git" / "index.lock").exists()
    assert sorted(p for p in dst.rglob("*") if ".git" not in p.parts) == written
    assert not _writer_threads()  # joined before the checkout raised: nothing more can be written


def test_an_error_in_the_writer_thread_is_raised_and_nothing_follows(tmp_path: Path) -> None:
    src = _source(tmp_path, 60)
    repo, tree = _bare_clone_without_checkout(tmp_path, src)
    dst = Path(repo.path)
    (dst / "d3").write_text("in the way\n")  # a file where the checkout needs a directory
    with pytest.raises(NotADirectoryError, match="d3 is not a directory"):
        check_out_fresh(repo, tree)
    assert not (dst / ".git" / "index").exists()
    assert (dst / "d3").read_text() == "in the way\n"
    assert not _writer_threads()


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gitferry-checkout-writer" and t.is_alive()]


def test_a_file_entry_naming_a_tree_is_refused_in_one_line(tmp_path: Path) -> None:
    """A hostile tree whose file `b` names a tree object: refused as a corrupt tree (was an
    AssertionError, "unexpected error" in the CLI) and no index written, as git's
    checkout refuses it ("unable to read sha1 file of b")."""
    src = _source(tmp_path, 3)
    head_tree = git("rev-parse", "HEAD^{tree}", cwd=src).strip()
    blob = git("rev-parse", "HEAD:run.sh", cwd=src).strip()
    raw = b"100644 a\0" + bytes.fromhex(blob) + b"100644 b\0" + bytes.fromhex(head_tree)
    made = subprocess.run(
        ["git", "hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        cwd=src,
        input=raw,
        capture_output=True,
        check=True,
        timeout=30,
    )
    bad_tree = made.stdout.decode().strip()
    commit = git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@e",
        "commit-tree",
        bad_tree,
        "-p",
        "HEAD",
        "-m",
        "bad",
        cwd=src,
    )
    git("update-ref", "refs/heads/main", commit.strip(), cwd=src)
    repo, tree = _bare_clone_without_checkout(tmp_path, src)
    dst = Path(repo.path)
    with pytest.raises(
        CorruptTree, match=f'tree {bad_tree} cannot be checked out: the file "b" is not a blob'
    ):
        check_out_fresh(repo, tree)
    assert not (dst / ".git" / "index").exists()
    assert not _writer_threads()
