"""Replacing and removing a file only while it holds what was checked, on real files.

Each test takes the file's stat as the check would (`seen`), lets "the user" save
at a precise moment, then asks `swap_in` / `take_away` to act on what was seen.
A save landing inside the operation (between the swap and the look at what came
out) is made by the `unchanged` callable, which runs exactly there. The same cases
run with the system's swap and no-replace renames and without them (the fallback:
a last look, then `rename`), where a save before the operation must still win.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dulwich.objects import Blob, ObjectID
from dulwich.repo import Repo

from core.git.worktree import checked_replace
from core.git.worktree.checked_replace import still_ours, swap_in, take_away
from core.git.worktree.state import WorktreeOptions, fingerprint, moved_unchanged, worktree_options
from core.git.worktree.write import TEMP_PREFIX
from tests.gitcli import git

OLD, NEW = b"checked content\n", b"the switch's new content\n"


@pytest.fixture(params=["renameat2", "fallback"])
def renames(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways: with the system's swap and no-replace renames, and as on a system without them."""
    if request.param == "fallback":
        monkeypatch.setattr(checked_replace, "exchange", lambda a, b: False)
        monkeypatch.setattr(checked_replace, "rename_no_replace", lambda a, b: False)
    return str(request.param)


@pytest.fixture
def opts(tmp_path: Path) -> Iterator[WorktreeOptions]:
    git("init", "-q", str(tmp_path))
    repo = Repo(str(tmp_path))
    try:
        yield worktree_options(repo, repo.index_path())
    finally:
        repo.close()


def _sha(data: bytes) -> ObjectID:
    return ObjectID(Blob.from_string(data).id)


def _checked(opts: WorktreeOptions, name: str, data: bytes = OLD) -> tuple[bytes, Callable[[bytes], bool]]:
    """A file holding `data`, and the look that tells whether a moved file is still it."""
    full = opts.full(name.encode())
    Path(os.fsdecode(full)).write_bytes(data)
    seen = fingerprint(os.lstat(full))
    assert seen is not None
    return full, moved_unchanged(seen, _sha(data), racy_from_ns=0, opts=opts)


def _new_file(full: bytes, data: bytes = NEW) -> tuple[bytes, os.stat_result]:
    temp = os.path.join(os.path.dirname(full), TEMP_PREFIX + b"test")
    with open(temp, "xb") as f:
        f.write(data)
    return temp, os.lstat(temp)


def _save(full: bytes, data: bytes, style: str) -> None:
    """A save as editors make them: rewrite the file in place, or write a copy and rename it over."""
    if style == "in place":
        with open(full, "wb") as f:
            f.write(data)
    else:
        copy = full + b".swp"
        Path(os.fsdecode(copy)).write_bytes(data)
        os.replace(copy, full)


def _content(full: bytes) -> bytes:
    return Path(os.fsdecode(full)).read_bytes()


def _no_temp(opts: WorktreeOptions) -> None:
    left = [n for n in os.listdir(opts.root) if n.startswith(TEMP_PREFIX) or n.endswith(b".swp")]
    assert left == []


def test_an_unchanged_file_is_replaced_and_its_stat_is_the_new_files(
    opts: WorktreeOptions, renames: str
) -> None:
    full, unchanged = _checked(opts, "a.txt")
    temp, ours = _new_file(full)
    assert swap_in(temp, full, unchanged, ours)
    assert _content(full) == NEW
    landed = still_ours(full, ours)
    assert landed is not None and landed.st_ino == ours.st_ino
    _no_temp(opts)


@pytest.mark.parametrize("style", ["in place", "rename"])
def test_a_save_after_the_check_is_never_replaced(opts: WorktreeOptions, renames: str, style: str) -> None:
    full, unchanged = _checked(opts, "a.txt")
    temp, ours = _new_file(full)
    _save(full, b"the user's save\n", style)
    assert not swap_in(temp, full, unchanged, ours)
    assert _content(full) == b"the user's save\n"
    _no_temp(opts)


@pytest.mark.parametrize("style", ["in place", "rename"])
def test_a_save_landing_at_the_instant_of_the_swap_goes_back(opts: WorktreeOptions, style: str) -> None:
    """With the swap, what comes out is looked at: a save made just before it is swapped back,
    and a second save made between the swap and the swap back (newer) is the one that stays."""
    full, unchanged = _checked(opts, "a.txt")
    temp, ours = _new_file(full)
    _save(full, b"first save\n", style)
    saves = iter([b"second save, newer\n"])

    def looked_at_while_saving_again(moved: bytes) -> bool:
        result = unchanged(moved)
        _save(full, next(saves), style)  # lands after the swap, before the swap back
        return result

    assert not swap_in(temp, full, looked_at_while_saving_again, ours)
    assert _content(full) == b"second save, newer\n"
    _no_temp(opts)


@pytest.mark.parametrize("style", ["in place", "rename"])
def test_a_save_right_after_the_replacement_stays_and_is_not_vouched_for(
    opts: WorktreeOptions, renames: str, style: str
) -> None:
    full, unchanged = _checked(opts, "a.txt")
    temp, ours = _new_file(full)
    assert swap_in(temp, full, unchanged, ours)
    _save(full, b"saved right after\n", style)
    assert _content(full) == b"saved right after\n"
    assert still_ours(full, ours) is None  # its index entry must make git look at it


def test_a_file_created_where_nothing_was_is_never_buried(opts: WorktreeOptions, renames: str) -> None:
    full = opts.full(b"new.txt")
    temp, ours = _new_file(full)
    Path(os.fsdecode(full)).write_bytes(b"created by the user\n")
    assert not swap_in(temp, full, None, ours)
    assert _content(full) == b"created by the user\n"
    _no_temp(opts)


def test_a_missing_file_is_created(opts: WorktreeOptions, renames: str) -> None:
    full = opts.full(b"new.txt")
    temp, ours = _new_file(full)
    assert swap_in(temp, full, None, ours)
    assert _content(full) == NEW and still_ours(full, ours) is not None


def test_an_unchanged_file_is_removed(opts: WorktreeOptions) -> None:
    full, unchanged = _checked(opts, "gone.txt")
    assert take_away(full, full + b".aside", unchanged)
    assert not os.path.lexists(full) and not os.path.lexists(full + b".aside")


@pytest.mark.parametrize("style", ["in place", "rename"])
def test_a_file_saved_after_the_check_is_not_removed(opts: WorktreeOptions, style: str) -> None:
    full, unchanged = _checked(opts, "gone.txt")
    _save(full, b"kept by the user\n", style)
    assert not take_away(full, opts.full(TEMP_PREFIX + b"aside"), unchanged)
    assert _content(full) == b"kept by the user\n"
    _no_temp(opts)


def test_a_newer_file_made_while_the_old_one_was_aside_wins(opts: WorktreeOptions, renames: str) -> None:
    full, unchanged = _checked(opts, "gone.txt")
    _save(full, b"an edit\n", "in place")

    def looked_at_while_saving_anew(moved: bytes) -> bool:
        Path(os.fsdecode(full)).write_bytes(b"saved anew, newer\n")  # the path is free meanwhile
        return unchanged(moved)

    assert not take_away(full, opts.full(TEMP_PREFIX + b"aside"), looked_at_while_saving_anew)
    assert _content(full) == b"saved anew, newer\n"
    _no_temp(opts)


def test_a_rewrite_of_the_same_size_and_mtime_is_caught_by_content_when_racy(
    opts: WorktreeOptions,
) -> None:
    """On a file system whose clock ticks coarsely, a second write in the tick of the check keeps
    size and timestamps: stat cannot tell, so a file changed since the check began is hashed."""
    full = opts.full(b"a.txt")
    Path(os.fsdecode(full)).write_bytes(OLD)
    st = os.lstat(full)
    seen = fingerprint(st)
    assert seen is not None
    with open(full, "r+b") as f:
        f.write(OLD.upper())
    os.utime(full, ns=(st.st_atime_ns, st.st_mtime_ns))
    racy = moved_unchanged(seen, _sha(OLD), racy_from_ns=seen[4], opts=opts)
    assert not racy(full)
    trusted = moved_unchanged(seen, _sha(OLD), racy_from_ns=seen[4] + 1, opts=opts)
    assert trusted(full)  # older than the check: stat vouches, as git's racy rule does
