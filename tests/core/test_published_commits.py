"""Rebase's check for local commits already on a remote, `git rev-list --not --remotes` as referee.

Random histories (branches and merges, built with `git fast-import`) carry
many remote-tracking refs at random commits. For random pairs of a local
head and an upstream, `published` must say "yes" exactly when `git rev-list
L ^U --not --remotes` leaves out some commit of `git rev-list L ^U`. Each
history is checked with git's commit-graph file (the generation index reads
it) and without one (the index parses the commits), with a fresh index and
with one kept across the checks as the engine keeps it. A last case checks
that the walk's length does not follow the number of remote refs.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.git.history.generations import GenerationIndex
from core.git.merge.rebase_replay import local_commits, published
from tests.gitcli import git

TALLY: Counter[str] = Counter()


def _random_history(repo: Path, rng: random.Random, commits: int) -> list[str]:
    """A random DAG of `commits` commits (some merges), each remembered by a ref; their ids."""
    lines = []
    for n in range(1, commits + 1):
        lines += [f"commit refs/hidden/c{n}", f"mark :{n}", "committer T <t@e> 1700000000 +0000"]
        message = f"commit {n}\n"
        lines += [f"data {len(message)}", message.rstrip("\n")]
        if n > 1:
            lines.append(f"from :{rng.randint(max(1, n - 12), n - 1)}")
            if n > 3 and rng.random() < 0.2:
                lines.append(f"merge :{rng.randint(1, n - 1)}")
        lines.append("")
    git("fast-import", "--quiet", cwd=repo, input="\n".join(lines) + "\n")
    out = git("for-each-ref", "--format=%(refname) %(objectname)", "refs/hidden/", cwd=repo)
    by_ref = dict(line.split(" ") for line in out.splitlines())
    return [by_ref[f"refs/hidden/c{n}"] for n in range(1, commits + 1)]


def _set_remotes(repo: Path, rng: random.Random, ids: list[str], count: int) -> None:
    updates = "".join(f"update refs/remotes/origin/b{i} {rng.choice(ids)}\n" for i in range(count))
    git("update-ref", "--stdin", cwd=repo, input=updates)


def _git_says_published(repo: Path, local: str, upstream: str) -> bool:
    ahead = git("rev-list", local, f"^{upstream}", cwd=repo).split()
    only_here = git("rev-list", local, f"^{upstream}", "--not", "--remotes", cwd=repo).split()
    return set(ahead) != set(only_here)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("commit_graph", [True, False])
def test_published_agrees_with_git(tmp_path: Path, seed: int, commit_graph: bool) -> None:
    rng = random.Random(seed)
    git("init", "-q", str(tmp_path))
    ids = _random_history(tmp_path, rng, rng.randint(60, 160))
    _set_remotes(tmp_path, rng, ids[: len(ids) * 3 // 4], rng.randint(10, 60))
    if commit_graph:
        git("commit-graph", "write", "--reachable", cwd=tmp_path)
    with Repo(str(tmp_path)) as repo:
        kept = GenerationIndex(repo)
        for case in range(25):
            # Heads among the newest commits, which no remote ref names, are often unpublished.
            at = rng.randrange(len(ids) * 3 // 4 if case % 3 else 0, len(ids))
            local, upstream = ids[at], rng.choice(ids[max(0, at - 20) : at + 5] if case % 3 else ids)
            git("update-ref", "refs/remotes/origin/main", upstream, cwd=tmp_path)
            commits = local_commits(repo, local.encode(), upstream.encode())
            expected = _git_says_published(tmp_path, local, upstream)
            index = kept if case % 2 else None
            assert published(repo, commits, upstream.encode(), index) == expected, (local, upstream)
            TALLY["published" if expected else "unpublished" if commits else "nothing to replay"] += 1


def test_both_answers_were_checked() -> None:
    """The random cases above reached both answers (run after them: pytest keeps file order)."""
    if not TALLY:
        pytest.skip("run with the cases above")
    assert TALLY["published"] > 20 and TALLY["unpublished"] > 20, TALLY


def test_walk_follows_the_local_commits_not_the_remote_refs(tmp_path: Path) -> None:
    """300 remote refs over an old history: the walk stays above the local commits' generation."""
    rng = random.Random(7)
    git("init", "-q", str(tmp_path))
    ids = _random_history(tmp_path, rng, 1500)
    _set_remotes(tmp_path, rng, ids[1400:], 300)
    git("update-ref", "refs/remotes/origin/main", ids[-1], cwd=tmp_path)
    git("commit-graph", "write", "--reachable", cwd=tmp_path)
    local = ids[1450]
    upstream = git("merge-base", local, ids[-1], cwd=tmp_path)
    with Repo(str(tmp_path)) as repo:
        index = GenerationIndex(repo)
        commits = local_commits(repo, local.encode(), upstream.encode())
        answer = published(repo, commits, upstream.encode(), index)
        assert answer == _git_says_published(tmp_path, local, upstream)
        # Only commits above the lowest local commit's generation are walked: the recent ones.
        assert commits and index.walked < len(ids) // 4, index.walked
