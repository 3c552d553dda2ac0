"""Commits no remote has, for many heads at once (`unpublished_counts`), with `git
rev-list --count <head> --not --remotes` as referee: random histories with merges
(`git fast-import`), remote-tracking refs at random commits, heads anywhere (some
published, some not, some sharing history), with and without git's commit-graph."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.history.generations import GenerationIndex
from core.git.history.unpublished import unpublished_counts
from tests.core.test_published_commits import _random_history, _set_remotes
from tests.gitcli import git

TALLY: Counter[str] = Counter()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("commit_graph", [True, False])
def test_counts_agree_with_git(tmp_path: Path, seed: int, commit_graph: bool) -> None:
    rng = random.Random(seed)
    git("init", "-q", str(tmp_path))
    ids = _random_history(tmp_path, rng, rng.randint(60, 160))
    _set_remotes(tmp_path, rng, ids[: len(ids) * 2 // 3], rng.randint(1, 30))
    if commit_graph:
        git("commit-graph", "write", "--reachable", cwd=tmp_path)
    heads = {f"b{i}": rng.choice(ids) for i in range(rng.randint(1, 12))}
    expected = {
        name: int(git("rev-list", "--count", sha, "--not", "--remotes", cwd=tmp_path))
        for name, sha in heads.items()
    }
    TALLY.update("unpublished" if n else "published" for n in expected.values())
    with Repo(str(tmp_path)) as repo:
        index = GenerationIndex(repo)
        got = unpublished_counts(repo, {n: s.encode() for n, s in heads.items()}, index)
        assert got == expected
        assert unpublished_counts(repo, {n: s.encode() for n, s in heads.items()}, index) == expected  # kept


def test_both_answers_were_checked() -> None:
    """The random heads above were both published and not (run after them: file order)."""
    if not TALLY:
        pytest.skip("run with the cases above")
    assert TALLY["published"] > 5 and TALLY["unpublished"] > 5, TALLY


def test_no_remote_tracking_ref_means_every_commit(tmp_path: Path) -> None:
    rng = random.Random(3)
    git("init", "-q", str(tmp_path))
    ids = _random_history(tmp_path, rng, 40)
    with Repo(str(tmp_path)) as repo:
        got = unpublished_counts(repo, {"tip": ids[-1].encode()})
    assert got == {"tip": int(git("rev-list", "--count", ids[-1], cwd=tmp_path))}
