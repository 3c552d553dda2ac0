"""Rebasing with renames and with commits already upstream, `git rebase <upstream>` as the referee.

Random histories: a base, a few local commits and a few upstream commits,
each full of edits, renames, copies and directory renames, sometimes with
one local commit's patch applied upstream too (a cherry-pick), sometimes
followed by an upstream edit of the same lines, so that replaying it would
conflict. Gitferry's rebase (the commits it would replay, less those whose
patch is upstream, replayed in memory) must end where `git rebase` ends:
the same tree and the same number of commits when git succeeds, a conflict
when git stops on one. The integration test drives the same through
`integrate_current` with a real remote.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from dulwich.repo import Repo
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.git.config.merge_config import RenameSettings
from core.git.merge.conflict_copies import KeepBoth
from core.git.merge.integrate import Conflict, Strategy, integrate_current
from core.git.merge.rebase_replay import local_commits, not_upstream, replay
from core.git.objects.new_commit import CommitMaker
from core.git.objects.object_overlay import ObjectOverlay
from tests.core.rename_cases import Files, commit, edited, random_base, random_side
from tests.gitcli import commit_file, git, rev_parse

NOW = 1_795_000_000.0
TALLY: Counter[str] = Counter()


def _picked(base: Files, applied_to: Files, change: Files) -> Files:
    """`change`'s edits of `base` applied to `applied_to` where it still has the base's version."""
    result = dict(applied_to)
    for path in set(base) | set(change):
        if base.get(path) == change.get(path) or applied_to.get(path) != base.get(path):
            continue
        if path in change:
            result[path] = change[path]
        else:
            del result[path]
    return result


@st.composite
def _history(draw: st.DrawFn) -> tuple[Files, list[Files], list[Files]]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    base = random_base(rng)
    calm = draw(st.sampled_from([14, 24]))
    local = [random_side(rng, base, "l0", calm=calm)]
    for i in range(1, draw(st.integers(1, 3))):
        local.append(random_side(rng, local[-1], f"l{i}", calm=calm + 4))
    upstream = [random_side(rng, base, "u0", calm=calm)]
    if draw(st.booleans()):  # one local commit cherry-picked upstream
        picked = draw(st.integers(0, len(local) - 1))
        before = base if picked == 0 else local[picked - 1]
        upstream.append(_picked(before, upstream[-1], local[picked]))
        if draw(st.booleans()):  # and the same lines edited again upstream
            touched = [
                p
                for p in upstream[-1]
                if upstream[-1][p] != before.get(p) and isinstance(upstream[-1][p], str)
            ]
            if touched:
                path = rng.choice(sorted(touched))
                upstream.append({**upstream[-1], path: edited(rng, str(upstream[-1][path]), 2)})
    for i in range(draw(st.integers(0, 2))):
        upstream.append(random_side(rng, upstream[-1], f"u{i + 1}", calm=calm + 4))
    return base, local, upstream


def _chain(repo: Repo, base: bytes, states: list[Files], name: str) -> bytes:
    tip = base
    for i, files in enumerate(states):
        tip = commit(repo, files, [tip], f"{name} {i}")
    return tip


def _ours(repo: Repo, local: bytes, upstream: bytes) -> tuple[str, int] | None:
    """(tree, commits above the upstream) after Gitferry's rebase; None on a conflict."""
    objects = ObjectOverlay(repo.object_store)
    commits = local_commits(repo, local, upstream)
    picks = not_upstream(repo, objects, commits, upstream, local)
    if len(picks) < len(commits):
        event("a local commit left out: its patch is upstream")
    done = replay(objects, picks, upstream, CommitMaker.for_repo(repo, NOW), renames=RenameSettings())
    if done.conflicts:
        return None
    count, at = 0, done.head
    while at != upstream:
        at = objects.commit(at).parents[0]
        count += 1
    return objects.commit(done.head).tree.decode(), count


def _gits(path: Path, local: bytes, upstream: bytes) -> tuple[str, int] | None:
    git("checkout", "-q", "-f", "--detach", local.decode(), cwd=path)
    rebased = git("rebase", "-q", upstream.decode(), cwd=path, check=False)
    del rebased
    if (path / ".git" / "rebase-merge").exists():
        git("rebase", "--abort", cwd=path)
        return None
    count = int(git("rev-list", "--count", f"{upstream.decode()}..HEAD", cwd=path))
    return rev_parse(path, "HEAD^{tree}"), count


@settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=_history())
@pytest.mark.slow
def test_rebase_ends_where_git_rebase_ends(
    tmp_path: Path, history: tuple[Files, list[Files], list[Files]]
) -> None:
    path = tmp_path / "repo"
    if not path.exists():
        git("init", "-q", str(path))
    base_files, local_states, upstream_states = history
    with Repo(str(path)) as repo:
        base = commit(repo, base_files, [], "base")
        local = _chain(repo, base, local_states, "local")
        upstream = _chain(repo, base, upstream_states, "upstream")
        ours = _ours(repo, local, upstream)
    theirs = _gits(path, local, upstream)
    verdict = {
        (True, True): "both rebase",
        (False, False): "both conflict",
        (False, True): "we conflict, git rebases",
        (True, False): "WE REBASE, GIT CONFLICTS",
    }[(ours is not None, theirs is not None)]
    TALLY[verdict] += 1
    event(verdict)
    assert ours is None or theirs is not None, "a rebase where git stops on a conflict"
    if ours is not None:
        assert ours == theirs


def test_tally_of_the_random_rebases(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\nrebases against git rebase: {dict(TALLY)}")


# --- through integrate_current, with a remote -------------------------------------------------------


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    git("clone", "-q", str(bare), str(theirs))
    git("checkout", "-q", "-b", "main", cwd=theirs)
    commit_file(theirs, "a.txt", "".join(f"line {i}\n" for i in range(20)))
    commit_file(theirs, "b.txt", "beta\n")
    git("push", "-q", "origin", "main", cwd=theirs)
    git("clone", "-q", str(bare), str(mine))
    return mine, theirs


def _rebase_in_copy(mine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    git("clone", "-q", "--no-local", str(mine), str(copy))
    git("fetch", "-q", str(mine), "+refs/remotes/origin/*:refs/remotes/origin/*", cwd=copy)
    git("reset", "-q", "--hard", rev_parse(mine, "HEAD"), cwd=copy)
    git("rebase", "-q", "origin/main", cwd=copy)
    return copy


def test_a_commit_cherry_picked_upstream_disappears_as_with_git_rebase(
    clones: tuple[Path, Path], tmp_path: Path
) -> None:
    """Replaying it would conflict (the upstream edited the same line again); git leaves it
    out by its patch id, and so does Gitferry."""
    mine, theirs = clones
    text = (mine / "a.txt").read_text()
    fixed = commit_file(mine, "a.txt", text.replace("line 3\n", "line three\n"), "fix line 3")
    commit_file(mine, "c.txt", "mine\n", "my own change")
    git("fetch", "-q", str(mine), "main", cwd=theirs)
    git("cherry-pick", fixed, cwd=theirs)
    commit_file(theirs, "a.txt", text.replace("line 3\n", "line 3, reworded upstream\n"), "reword")
    git("push", "-q", "origin", "main", cwd=theirs)
    git("fetch", "-q", cwd=mine)
    copy = _rebase_in_copy(mine, tmp_path)

    with Repo(str(mine)) as repo:
        done = integrate_current(repo, Strategy.REBASE, now=NOW)

    assert done.action == "rebase"
    assert git("log", "--format=%s", "origin/main..HEAD", cwd=mine) == "my own change"
    assert git("log", "--format=%s", "origin/main..HEAD", cwd=copy) == "my own change"
    assert rev_parse(mine, "HEAD^{tree}") == rev_parse(copy, "HEAD^{tree}")
    assert git("status", "--porcelain", cwd=mine) == ""


def test_a_rename_upstream_and_an_edit_here_rebase_as_git_does(
    clones: tuple[Path, Path], tmp_path: Path
) -> None:
    mine, theirs = clones
    git("mv", "a.txt", "docs-a.txt", cwd=theirs)
    git("commit", "-q", "-m", "rename upstream", cwd=theirs)
    git("push", "-q", "origin", "main", cwd=theirs)
    text = (mine / "a.txt").read_text()
    commit_file(mine, "a.txt", text.replace("line 10\n", "line ten\n"), "edit here")
    git("fetch", "-q", cwd=mine)
    copy = _rebase_in_copy(mine, tmp_path)

    with Repo(str(mine)) as repo:
        done = integrate_current(repo, Strategy.REBASE, now=NOW)

    assert done.action == "rebase"
    assert rev_parse(mine, "HEAD^{tree}") == rev_parse(copy, "HEAD^{tree}")
    assert "line ten\n" in (mine / "docs-a.txt").read_text()
    assert not (mine / "a.txt").exists()
    assert git("status", "--porcelain", cwd=mine) == ""


def test_a_merge_with_a_rename_matches_git_merge(clones: tuple[Path, Path], tmp_path: Path) -> None:
    mine, theirs = clones
    git("mv", "a.txt", "renamed.txt", cwd=mine)
    git("commit", "-q", "-m", "rename here", cwd=mine)
    text = (theirs / "a.txt").read_text()
    commit_file(theirs, "a.txt", text.replace("line 1\n", "line one\n"), "edit upstream")
    git("push", "-q", "origin", "main", cwd=theirs)
    git("fetch", "-q", cwd=mine)
    copy = tmp_path / "copy"
    git("clone", "-q", "--no-local", str(mine), str(copy))
    git("fetch", "-q", str(mine), "+refs/remotes/origin/*:refs/remotes/origin/*", cwd=copy)
    git("reset", "-q", "--hard", rev_parse(mine, "HEAD"), cwd=copy)
    git("merge", "-q", "--no-edit", "origin/main", cwd=copy)

    with Repo(str(mine)) as repo:
        done = integrate_current(repo, Strategy.MERGE, now=NOW)

    assert done.action == "merge"
    assert rev_parse(mine, "HEAD^{tree}") == rev_parse(copy, "HEAD^{tree}")
    assert "line one\n" in (mine / "renamed.txt").read_text()
    assert git("status", "--porcelain", cwd=mine) == ""


# --- patch ids against git patch-id --stable --------------------------------------------------------

_CONTEXT_LINES = ["a\n", "b\n", "  c\n", "d \n", "\n", "e\tf\n"]


@st.composite
def _two_commits(draw: st.DrawFn) -> tuple[Files, Files, Files, Files]:
    """(before, after) for a local commit and for an upstream one that often makes the same
    change on a base that differs around it (other context, blanks moved, a mode)."""
    lines = draw(st.lists(st.sampled_from(_CONTEXT_LINES), min_size=3, max_size=12))
    at = draw(st.integers(0, len(lines)))
    change = draw(st.sampled_from([["new\n"], [], ["x y\n", "z\n"]]))
    cut = draw(st.integers(0, 2))

    def edit(text: list[str]) -> str:
        return "".join(text[:at] + change + text[at + cut :])

    before_local = {"f.txt": "".join(lines), "g.bin": "\0old"}
    after_local = {"f.txt": edit(lines), "g.bin": draw(st.sampled_from(["\0old", "\0new"]))}
    other = list(lines)
    if draw(st.booleans()) and other:  # the upstream's base differs a little
        where = draw(st.integers(0, len(other) - 1))
        other[where] = draw(st.sampled_from([*_CONTEXT_LINES, "a  \n", "  a\n"]))
    before_up = {"f.txt": "".join(other), "g.bin": "\0old"}
    after_up = {"f.txt": edit(other), "g.bin": after_local["g.bin"]}
    if draw(st.booleans()):
        after_up["f.txt"] = ("x", str(after_up["f.txt"]))
    return before_local, after_local, before_up, after_up


def _git_patch_id(path: Path, commit_id: bytes) -> str:
    shown = git("show", "--format=", commit_id.decode(), cwd=path)
    return git("patch-id", "--stable", cwd=path, input=shown + "\n").split(" ")[0]


@settings(
    max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(commits=_two_commits())
@pytest.mark.slow
def test_patch_equality_is_gits_patch_id_equality(
    tmp_path: Path, commits: tuple[Files, Files, Files, Files]
) -> None:
    path = tmp_path / "repo"
    if not path.exists():
        git("init", "-q", str(path))
    before_local, after_local, before_up, after_up = commits
    with Repo(str(path)) as repo:
        root = commit(repo, {"root": "r\n"}, [], "root")
        local_base = commit(repo, {"root": "r\n", **before_local}, [root], "local base")
        local = commit(repo, {"root": "r\n", **after_local}, [local_base], "local")
        upstream_base = commit(repo, {"root": "r\n", **before_up}, [root], "upstream base")
        upstream = commit(repo, {"root": "r\n", **after_up}, [upstream_base], "upstream")
        objects = ObjectOverlay(repo.object_store)
        left_out = not_upstream(repo, objects, [objects.commit(local)], upstream, local) == []
    git_ids = {_git_patch_id(path, c) for c in (upstream, upstream_base)} - {""}
    same = _git_patch_id(path, local) in git_ids
    event(f"same patch: {same}")
    assert left_out == same


def test_rename_rename_conflict_changes_nothing_or_keeps_both(clones: tuple[Path, Path]) -> None:
    mine, theirs = clones
    git("mv", "a.txt", "theirs-name.txt", cwd=theirs)
    git("commit", "-q", "-m", "rename there", cwd=theirs)
    git("push", "-q", "origin", "main", cwd=theirs)
    git("mv", "a.txt", "my-name.txt", cwd=mine)
    git("commit", "-q", "-m", "rename here", cwd=mine)
    git("fetch", "-q", cwd=mine)
    head = rev_parse(mine, "HEAD")

    with Repo(str(mine)) as repo, pytest.raises(Conflict) as caught:
        integrate_current(repo, Strategy.MERGE, now=NOW)
    assert {"my-name.txt", "theirs-name.txt"} <= set(caught.value.paths)
    assert rev_parse(mine, "HEAD") == head and git("status", "--porcelain", cwd=mine) == ""

    with Repo(str(mine)) as repo:
        done = integrate_current(
            repo, Strategy.MERGE, now=NOW, keep_both=KeepBoth("host", datetime(2026, 1, 1))
        )
    assert done.action == "merge"
    assert [(c.path, c.copy) for c in done.copies] == [("theirs-name.txt", "my-name.txt")]
    assert (mine / "my-name.txt").read_text() == (mine / "theirs-name.txt").read_text()
    assert not (mine / "a.txt").exists()
    assert git("status", "--porcelain", cwd=mine) == ""
