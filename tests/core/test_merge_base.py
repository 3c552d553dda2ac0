"""merge_bases over a GenerationIndex against `git merge-base --all`, on random histories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dulwich.graph import find_merge_base
from dulwich.objects import ObjectID
from dulwich.repo import Repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.git.history.generations import GenerationIndex
from core.git.history.merge_base import fresh_index, merge_bases
from tests.gitcli import git

Parents = list[tuple[int, ...]]


@st.composite
def histories(draw: st.DrawFn) -> Parents:
    """Commit i's parents are earlier commits; commit 0 is a root, others may be too."""
    size = draw(st.integers(2, 24))
    parents: Parents = [()]
    for i in range(1, size):
        count = min(i, draw(st.sampled_from([0, 1, 1, 1, 2, 2, 3])))
        chosen = draw(st.lists(st.integers(0, i - 1), min_size=count, max_size=count, unique=True))
        parents.append(tuple(chosen))
    return parents


def build(path: Path, parents: Parents, *, commit_graph: bool) -> list[ObjectID]:
    git("init", "-q", "--bare", str(path))
    lines = []
    for i, ps in enumerate(parents):
        lines += [f"commit refs/heads/c{i}", f"mark :{i + 1}", "committer T <t@e> 1700000000 +0000"]
        lines += [f"data {len(str(i))}", str(i)]
        lines += [f"from :{ps[0] + 1}" for _ in ps[:1]] + [f"merge :{p + 1}" for p in ps[1:]]
        lines.append("")
    subprocess.run(
        ["git", "fast-import", "--quiet"], input="\n".join(lines).encode(), cwd=path, check=True, timeout=30
    )
    if commit_graph:
        git("commit-graph", "write", "--reachable", cwd=path)
    return [ObjectID(git("rev-parse", f"c{i}", cwd=path).strip().encode()) for i in range(len(parents))]


def git_bases(path: Path, one: bytes, two: bytes) -> set[bytes]:
    found = subprocess.run(
        ["git", "merge-base", "--all", one.decode(), two.decode()], cwd=path, capture_output=True, timeout=30
    )
    return {line.encode() for line in found.stdout.decode().split()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=histories(), commit_graph=st.booleans(), data=st.data())
@pytest.mark.slow
def test_same_bases_as_git(
    tmp_path_factory: object, parents: Parents, commit_graph: bool, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("mb")  # type: ignore[attr-defined]
    ids = build(path, parents, commit_graph=commit_graph)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), min_size=1, max_size=8))
    with Repo(str(path)) as repo:
        index = GenerationIndex(repo)
        for one, two in pairs:
            found = merge_bases(repo, one, two, index)
            assert set(found) == git_bases(path, one, two)
            if len(found) > 1:
                assert found == find_merge_base(repo, [one, two])  # dulwich's order kept


@pytest.mark.parametrize("commit_graph", [False, True])
def test_without_an_index(tmp_path: Path, commit_graph: bool) -> None:
    """A fresh index only where git's commit-graph makes it cheap; dulwich's walk elsewhere."""
    ids = build(tmp_path / "r", [(), (0,), (0,), (1, 2)], commit_graph=commit_graph)
    with Repo(str(tmp_path / "r")) as repo:
        assert (fresh_index(repo) is not None) == commit_graph
        assert merge_bases(repo, ids[1], ids[2]) == [ids[0]]
        assert merge_bases(repo, ids[3], ids[1]) == [ids[1]]
        assert merge_bases(repo, ids[2], ids[2]) == [ids[2]]
