"""auto_commit against the git CLI: the same working tree committed by `git add -A &&
git commit` on a copy must give the same tree, and `git status` must be clean after."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dulwich.repo import Repo

import core.git.worktree.autocommit as autocommit
from core.git.locks.git_locks import IndexLocked
from core.git.objects.blob_stream import FileChanged, StreamedBlob
from core.git.worktree.autocommit import AutoCommit, AutoCommitRefused, auto_commit, commit_message
from core.git.worktree.pending import IgnoredPaths, anything_to_commit, pending_changes, staged_changes
from tests.gitcli import fsck, git

MIB = 1024 * 1024
ReadBlob = Callable[..., StreamedBlob]


def referee_tree(repo: Path, tmp_path: Path, *, drop: tuple[str, ...] = ()) -> str:
    """The tree `git add -A && git commit` makes of a copy of `repo` (less `drop`)."""
    copy = tmp_path / f"referee-{repo.name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(repo, copy, symlinks=True)
    for name in drop:
        (copy / name).unlink()
    git("add", "-A", cwd=copy)
    git("commit", "-q", "--allow-empty", "-m", "referee", cwd=copy)
    return git("rev-parse", "HEAD^{tree}", cwd=copy)


def head_tree(repo: Path) -> str:
    return git("rev-parse", "HEAD^{tree}", cwd=repo)


def commit_now(path: Path, **kwargs: object) -> AutoCommit:
    options: dict[str, object] = {"max_file_size": 50 * MIB, "host": "testhost"}
    options.update(kwargs)
    with Repo(str(path)) as repo:
        return auto_commit(repo, **options)  # type: ignore[arg-type]


def before_each_read(monkeypatch: pytest.MonkeyPatch, action: Callable[[bytes], object]) -> ReadBlob:
    """`action(path)` runs as auto-commit is about to read a file (the scan has seen it by
    then). Returns the real reader, to put back."""
    real = autocommit.write_blob

    def acting_first(r: Repo, path: bytes, st: os.stat_result, **kw: int) -> StreamedBlob:
        action(path)
        return real(r, path, st, **kw)

    monkeypatch.setattr(autocommit, "write_blob", acting_first)
    return real


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    (path / "a.txt").write_text("alpha\n")
    (path / "b.txt").write_text("beta\n")
    (path / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (path / "run.sh").chmod(0o755)
    (path / "dir").mkdir()
    (path / "dir" / "c.txt").write_text("gamma\n")
    (path / "dir" / "deep").mkdir()
    (path / "dir" / "deep" / "d.txt").write_text("delta\n")
    os.symlink("a.txt", path / "link")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    return path


def test_every_kind_of_change_as_git_records_it(repo: Path, tmp_path: Path) -> None:
    (repo / "a.txt").write_text("alpha, changed\n")  # modified
    (repo / "new.txt").write_text("new\n")  # added
    (repo / "b.txt").unlink()  # deleted
    (repo / "dir" / "deep" / "d.txt").rename(repo / "moved.txt")  # renamed (dir emptied)
    (repo / "dir" / "c.txt").chmod(0o755)  # chmod'ed
    (repo / "run.sh").chmod(0o644)
    (repo / "link").unlink()
    os.symlink("dir/c.txt", repo / "link")  # symlink retargeted
    os.symlink("nowhere", repo / "dangling")  # new dangling symlink
    (repo / "sub" / "x").mkdir(parents=True)
    (repo / "sub" / "x" / "y.bin").write_bytes(bytes(range(256)) * 40)
    expected = referee_tree(repo, tmp_path)
    before = git("rev-parse", "HEAD", cwd=repo)

    outcome = commit_now(repo)

    assert outcome.commit is not None and outcome.skipped == [] and outcome.retry_later == []
    assert git("rev-parse", "HEAD", cwd=repo) == outcome.commit.decode()
    assert head_tree(repo) == expected
    assert git("rev-parse", "HEAD^", cwd=repo) == before
    assert git("status", "--porcelain", cwd=repo) == ""
    changed = "a.txt b.txt dangling dir/c.txt dir/deep/d.txt link moved.txt new.txt run.sh sub/x/y.bin"
    assert outcome.paths == changed.split()
    # Counted as git counts them: the move is one file (it said "10 files changed").
    stat = git("show", "--stat", "--format=", "HEAD", cwd=repo).splitlines()[-1]
    assert stat.startswith(" 9 files changed,") and outcome.files == 9, stat
    assert git("log", "-1", "--format=%s", cwd=repo) == "Gitferry: 9 files changed on testhost"
    fsck(repo)


def test_file_and_symlink_swap_kinds(repo: Path, tmp_path: Path) -> None:
    (repo / "a.txt").unlink()
    os.symlink("b.txt", repo / "a.txt")
    (repo / "link").unlink()
    (repo / "link").write_text("now a file\n")
    shutil.rmtree(repo / "dir" / "deep")
    (repo / "dir" / "deep").write_text("a file where a directory was\n")
    expected = referee_tree(repo, tmp_path)
    assert commit_now(repo).commit is not None
    assert head_tree(repo) == expected
    assert git("status", "--porcelain", cwd=repo) == ""


def test_message_author_and_committer(repo: Path) -> None:
    (repo / "a.txt").write_text("x\n")
    (repo / "n1").write_text("1\n")
    (repo / "n2").write_text("2\n")
    commit_now(repo, now=1_700_000_000)
    assert git("log", "-1", "--format=%B", cwd=repo) == "Gitferry: 3 files changed on testhost"
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%at", cwd=repo) == (
        "Test User <test@example.invalid>|Test User <test@example.invalid>|1700000000"
    )
    assert commit_message(1, "h") == "Gitferry: 1 file changed on h\n"
    assert "commit: Gitferry: 3 files changed" in git("reflog", "-1", "main", cwd=repo)


def test_unchanged_tree_commits_nothing(repo: Path) -> None:
    before = git("rev-parse", "HEAD", cwd=repo)
    index_before = (repo / ".git" / "index").read_bytes()
    outcome = commit_now(repo)
    assert outcome.commit is None and outcome.paths == [] and outcome.files_opened == 0
    assert git("rev-parse", "HEAD", cwd=repo) == before
    assert (repo / ".git" / "index").read_bytes() == index_before  # not even rewritten


def test_touched_but_same_content_refreshes_the_index_only(repo: Path) -> None:
    before = git("rev-parse", "HEAD", cwd=repo)
    os.utime(repo / "a.txt", ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    assert commit_now(repo).commit is None
    assert git("rev-parse", "HEAD", cwd=repo) == before
    assert commit_now(repo).files_opened == 0  # the refreshed stat is trusted next time


def test_already_staged_changes_are_committed_too(repo: Path, tmp_path: Path) -> None:
    (repo / "staged.txt").write_text("staged by the user\n")
    git("add", "staged.txt", cwd=repo)
    expected = referee_tree(repo, tmp_path)
    assert commit_now(repo).paths == ["staged.txt"]
    assert head_tree(repo) == expected


def test_ignored_files_are_never_committed(repo: Path, tmp_path: Path) -> None:
    excludes = tmp_path / "global-excludes"
    excludes.write_text("*.global\n")
    git("config", "core.excludesFile", str(excludes), cwd=repo)
    (repo / ".gitignore").write_text("*.log\nbuild/\n")
    (repo / "dir" / ".gitignore").write_text("*.tmp\n!keep.tmp\n")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "exclude").write_text("secret.txt\n")
    for name in ("x.log", "build/out.o", "dir/a.tmp", "dir/keep.tmp", "secret.txt", "y.global", "ok.txt"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(name)
    expected = referee_tree(repo, tmp_path)
    commit_now(repo)
    assert head_tree(repo) == expected
    committed = set(git("ls-tree", "-r", "--name-only", "HEAD", cwd=repo).split())
    assert {"ok.txt", "dir/keep.tmp", ".gitignore", "dir/.gitignore"} <= committed
    assert not committed & {"x.log", "build/out.o", "dir/a.tmp", "secret.txt", "y.global"}


EDITOR_FILES = (
    ".todo.md.swp",  # vim
    "dir/.c.txt.swo",
    "todo.md~",  # vim's or emacs' backup
    "#todo.md#",  # emacs' auto-save
    ".~lock.report.odt#",  # LibreOffice
    "~$report.docx",  # Microsoft Office
    "todo.md___jb_tmp___",  # JetBrains' safe write
)


def test_editors_swap_lock_and_backup_files_are_left_out(repo: Path, tmp_path: Path) -> None:
    """vim, emacs, LibreOffice... keep such files beside the one open: committed, they
    reached the other machines (where vim then found a stranger's swap file)."""
    (repo / "todo.md").write_text("# Todo\n")
    for name in EDITOR_FILES:
        (repo / name).write_bytes(b"b0VIM 9.0\0")
    os.symlink("me@host.4242:1700000000", repo / ".#todo.md")  # emacs' lock: a dangling symlink
    expected = referee_tree(repo, tmp_path, drop=(*EDITOR_FILES, ".#todo.md"))

    outcome = commit_now(repo)

    assert outcome.paths == ["todo.md"] and outcome.skipped == []
    assert head_tree(repo) == expected
    untracked = {line[3:] for line in git("status", "--porcelain", "-uall", cwd=repo).splitlines()}
    assert untracked == {*EDITOR_FILES, ".#todo.md"}  # all still there, untracked, as git sees them
    assert all(line.startswith("??") for line in git("status", "--porcelain", cwd=repo).splitlines())
    assert commit_now(repo).commit is None  # and they never make a commit of their own


def test_a_download_in_progress_is_left_out_the_finished_one_committed(repo: Path, tmp_path: Path) -> None:
    """A browser downloading into the folder writes `NAME.part` (Chrome `.crdownload`) for
    as long as the download takes and renames it once complete: committed meanwhile, a
    half file went into the history for good (and to the other machines)."""
    partial = ("manual.pdf.part", "video.mp4.crdownload", "backup.tar.filepart", "~WRL0001.tmp")
    for name in partial:
        (repo / name).write_bytes(b"%PDF-1.7 half")
    assert commit_now(repo).commit is None
    assert git("status", "--porcelain", "-uall", cwd=repo).splitlines() == sorted(f"?? {n}" for n in partial)
    (repo / "manual.pdf.part").write_bytes(b"%PDF-1.7 whole")
    os.replace(repo / "manual.pdf.part", repo / "manual.pdf")  # the download is complete
    expected = referee_tree(repo, tmp_path, drop=partial[1:])

    assert commit_now(repo).paths == ["manual.pdf"]
    assert head_tree(repo) == expected
    assert git("log", "--all", "--format=", "--name-only", cwd=repo).split().count("manual.pdf.part") == 0


def test_a_tracked_file_named_like_an_editors_is_committed(repo: Path) -> None:
    git("config", "core.quotePath", "false", cwd=repo)
    (repo / "notes~").write_text("kept on purpose\n")
    git("add", "notes~", cwd=repo)
    git("commit", "-q", "-m", "add notes~", cwd=repo)
    (repo / "notes~").write_text("kept on purpose, edited\n")
    assert commit_now(repo).paths == ["notes~"]
    assert git("show", "HEAD:notes~", cwd=repo) == "kept on purpose, edited"
    (repo / "notes~").unlink()
    assert commit_now(repo).paths == ["notes~"]
    assert git("ls-files", cwd=repo).split().count("notes~") == 0


def test_the_watcher_is_not_woken_by_editors_files(repo: Path) -> None:
    (repo / "tracked~").write_text("t\n")
    git("add", "tracked~", cwd=repo)
    git("commit", "-q", "-m", "tracked", cwd=repo)
    for name in EDITOR_FILES:
        (repo / name).write_text("x")
    (repo / "todo.md").write_text("t")
    rules = IgnoredPaths(str(repo))
    try:
        assert all(rules.ignored(name) for name in EDITOR_FILES)
        assert not rules.ignored("todo.md") and not rules.ignored("tracked~")
    finally:
        rules.close()
    assert set(pending_changes(str(repo))) == {"todo.md"}


def staged_by_git(repo: Path) -> bool:
    return subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=repo, check=False).returncode == 1


def test_what_git_staged_is_something_to_commit(repo: Path, tmp_path: Path) -> None:
    """`git mv` leaves the working tree agreeing with the index: the scan sees nothing, yet
    a commit has the rename to take (auto mode asked only the scan, and waited)."""
    assert not staged_changes(str(repo)) and not anything_to_commit(str(repo))
    git("mv", "a.txt", "alpha.txt", cwd=repo)
    assert staged_by_git(repo) and staged_changes(str(repo)) and anything_to_commit(str(repo))
    assert commit_now(repo).paths == ["a.txt", "alpha.txt"]
    assert not staged_by_git(repo) and not anything_to_commit(str(repo))
    git("rm", "-q", "b.txt", cwd=repo)  # the index rewritten: looked at again
    assert staged_by_git(repo) and anything_to_commit(str(repo))
    unborn = tmp_path / "unborn"
    git("init", "-q", "-b", "main", str(unborn))
    assert not staged_changes(str(unborn))
    (unborn / "first.md").write_text("first\n")
    git("add", "first.md", cwd=unborn)
    assert staged_changes(str(unborn))


def test_unborn_branch_gets_a_root_commit(tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    git("init", "-q", "-b", "main", str(path))
    assert commit_now(path).commit is None  # nothing at all: no empty commit
    (path / "first.txt").write_text("first\n")
    (path / "d").mkdir()
    (path / "d" / "e.txt").write_text("e\n")
    expected = referee_tree(path, tmp_path)
    outcome = commit_now(path)
    assert outcome.commit is not None and outcome.paths == ["d/e.txt", "first.txt"]
    assert head_tree(path) == expected
    assert git("rev-list", "--count", "HEAD", cwd=path) == "1"
    assert "(initial)" in git("reflog", "-1", "main", cwd=path)


def test_too_large_is_skipped_with_its_size_and_the_rest_committed(repo: Path, tmp_path: Path) -> None:
    (repo / "big.bin").write_bytes(b"x" * 5000)
    (repo / "a.txt").write_text("y" * 4000)  # tracked and grown past the limit: old version stays
    (repo / "small.txt").write_text("small\n")
    outcome = commit_now(repo, max_file_size=1000)
    skipped = {s.path: (s.reason, s.size) for s in outcome.skipped}
    assert skipped == {"big.bin": ("too_large", 5000), "a.txt": ("too_large", 4000)}
    assert outcome.paths == ["small.txt"]
    assert git("show", "HEAD:a.txt", cwd=repo) == "alpha"
    assert git("ls-tree", "--name-only", "HEAD", "big.bin", cwd=repo) == ""


def test_a_name_git_cannot_store_is_unreadable_and_the_rest_committed(repo: Path, tmp_path: Path) -> None:
    """`git add -A` refuses the whole tree ("invalid path 'dir/.GIT'"); we skip that one file."""
    (repo / "dir" / ".GIT").write_text("not storable\n")
    (repo / "ok.txt").write_text("ok\n")
    expected = referee_tree(repo, tmp_path, drop=("dir/.GIT",))
    outcome = commit_now(repo)
    assert [(s.path, s.reason) for s in outcome.skipped] == [("dir/.GIT", "unreadable")]
    assert head_tree(repo) == expected


def test_a_file_that_vanishes_before_it_is_read_is_unreadable(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "gone.txt").write_text("here for the scan only\n")
    (repo / "ok.txt").write_text("ok\n")

    def vanish(path: bytes) -> None:
        if path.endswith(b"gone.txt"):
            os.unlink(path)  # deleted between the scan and the read, as an editor's temp file is

    before_each_read(monkeypatch, vanish)
    outcome = commit_now(repo)
    assert [(s.path, s.reason) for s in outcome.skipped] == [("gone.txt", "unreadable")]
    assert outcome.paths == ["ok.txt"]


def test_a_file_changed_between_scan_and_read_is_retried_not_committed(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "grows.txt").write_text("first half\n")
    (repo / "ok.txt").write_text("ok\n")

    def grow(path: bytes) -> None:
        if path.endswith(b"grows.txt"):
            with open(path, "ab") as f:
                f.write(b"second half\n")

    real = before_each_read(monkeypatch, grow)
    outcome = commit_now(repo)
    assert outcome.retry_later == ["grows.txt"] and outcome.paths == ["ok.txt"]
    assert "grows.txt" in git("status", "--porcelain", cwd=repo)
    monkeypatch.setattr(autocommit, "write_blob", real)
    assert commit_now(repo).paths == ["grows.txt"]  # the next sync takes it whole
    assert git("show", "HEAD:grows.txt", cwd=repo) == "first half\nsecond half"


def test_a_file_growing_during_the_read_is_never_committed_torn(repo: Path) -> None:
    """A writer appends without pause while the file is read: whatever the timing,
    no blob of a half-written version lands in a commit."""
    big = repo / "growing.bin"
    big.write_bytes(os.urandom(16 * MIB))
    stop = threading.Event()

    def writer() -> None:
        with open(big, "ab") as f:
            while not stop.is_set():
                f.write(b"more")
                f.flush()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        outcome = commit_now(repo)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert outcome.retry_later == ["growing.bin"] and outcome.commit is None
    outcome = commit_now(repo)
    assert outcome.paths == ["growing.bin"]
    assert git("rev-parse", "HEAD:growing.bin", cwd=repo) == git("hash-object", str(big), cwd=repo)


def test_held_paths_are_not_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "held.txt").write_text("held\n")
    (repo / "a.txt").write_text("changed\n")
    read: list[bytes] = []
    before_each_read(monkeypatch, lambda path: read.append(os.path.basename(path)))
    outcome = commit_now(repo, hold={"held.txt"})
    assert read == [b"a.txt"] and outcome.paths == ["a.txt"]


def test_parallel_hashing_gives_the_same_tree(repo: Path, tmp_path: Path) -> None:
    for i in range(40):
        (repo / f"f{i:02}.txt").write_text(f"file {i}\n" * (i + 1))
    expected = referee_tree(repo, tmp_path)
    commit_now(repo, workers=4)
    assert head_tree(repo) == expected


@pytest.mark.parametrize("state", ["detached", "merging", "index_lock"])
def test_refuses_when_committing_everything_would_be_wrong(repo: Path, state: str) -> None:
    (repo / "a.txt").write_text("changed\n")
    expected: type[Exception] = AutoCommitRefused
    if state == "detached":
        git("checkout", "-q", "--detach", cwd=repo)
    elif state == "merging":
        (repo / ".git" / "MERGE_HEAD").write_text(git("rev-parse", "HEAD", cwd=repo) + "\n")
    else:
        (repo / ".git" / "index.lock").write_bytes(b"")
        expected = IndexLocked
    before = git("rev-parse", "HEAD", cwd=repo)
    with pytest.raises(expected):
        commit_now(repo)
    assert git("rev-parse", "HEAD", cwd=repo) == before


def test_nothing_written_when_the_read_fails(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FileChanged for every file: no commit and the index untouched."""
    (repo / "a.txt").write_text("changed\n")

    def always_changed(path: bytes) -> None:
        raise FileChanged(path, "written to while read")

    before_each_read(monkeypatch, always_changed)
    index_before = (repo / ".git" / "index").read_bytes()
    assert commit_now(repo).commit is None
    assert (repo / ".git" / "index").read_bytes() == index_before


@pytest.fixture
def many_dirs(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "many"
    git("init", "-q", "-b", "main", str(path))
    for d in range(30):
        (path / f"d{d}").mkdir()
        for f in range(5):
            (path / f"d{d}" / f"f{f}").write_text(f"{d}/{f}\n")
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "start", cwd=path)
    git("gc", "-q", cwd=path)  # every tree now in a pack
    yield path


def test_only_new_trees_are_written(many_dirs: Path, tmp_path: Path) -> None:
    (many_dirs / "d7" / "f1").write_text("changed\n")
    expected = referee_tree(many_dirs, tmp_path)
    commit_now(many_dirs)
    assert head_tree(many_dirs) == expected
    loose = git("count-objects", cwd=many_dirs)
    assert loose.startswith("4 objects"), loose  # blob, d7's tree, the root tree, the commit


def test_nothing_to_commit_a_second_time_needs_no_index_lock(repo: Path) -> None:
    """The same open repository, index and HEAD unchanged: the stat scan is the whole cost
    (another git's index.lock does not even matter); a change takes the lock again."""
    with Repo(str(repo)) as r:
        assert auto_commit(r, max_file_size=MIB, host="h").commit is None
        (repo / ".git" / "index.lock").write_bytes(b"")
        assert auto_commit(r, max_file_size=MIB, host="h").commit is None
        (repo / "new.txt").write_text("new\n")
        with pytest.raises(IndexLocked):
            auto_commit(r, max_file_size=MIB, host="h")
        (repo / ".git" / "index.lock").unlink()
        assert auto_commit(r, max_file_size=MIB, host="h").paths == ["new.txt"]
        assert auto_commit(r, max_file_size=MIB, host="h").commit is None
        (repo / "staged.txt").write_text("staged\n")
        git("add", "staged.txt", cwd=repo)  # the index changes, the worktree scan sees nothing
        assert auto_commit(r, max_file_size=MIB, host="h").paths == ["staged.txt"]


def test_core_filemode_false_keeps_the_recorded_modes(repo: Path, tmp_path: Path) -> None:
    git("config", "core.fileMode", "false", cwd=repo)
    (repo / "a.txt").chmod(0o755)
    (repo / "run.sh").chmod(0o644)
    (repo / "run.sh").write_text("#!/bin/sh\necho changed\n")
    (repo / "new.sh").write_text("#!/bin/sh\n")
    (repo / "new.sh").chmod(0o755)
    expected = referee_tree(repo, tmp_path)
    commit_now(repo)
    assert head_tree(repo) == expected
    assert git("ls-tree", "HEAD", "run.sh", cwd=repo).startswith("100755")
