"""Ahead/behind against `git rev-list --left-right --count`, on generated histories.

Histories are random DAGs (long linear runs, forks, merges, criss-cross merges,
octopus merges, unrelated roots) written with `git fast-import`, so each
repository takes milliseconds to build. The git CLI is the referee for every
pair of refs, with and without a commit-graph file.
"""

from __future__ import annotations

import itertools
import random
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from dulwich.refs import Ref
from dulwich.repo import Repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import GitferryError
from core.git.history.ahead_behind import (
    GenerationIndex,
    MissingCommit,
    NotACommit,
    ahead_behind,
    ahead_behind_many,
)
from tests.gitcli import ahead_behind as git_ahead_behind
from tests.gitcli import git, rev_parse

Parents = tuple[int, ...]


# -- building histories ---------------------------------------------------------------


def _stream(commits: Sequence[Parents], refs: dict[str, int], first: int) -> Iterator[bytes]:
    """fast-import commands for `commits` (numbered from `first`; parents by number)."""
    for offset, parents in enumerate(commits):
        number = first + offset
        who = b"T <t@example.invalid> %d +0000" % (1_600_000_000 + number * 60)
        if not parents:
            yield b"reset refs/gen/scratch\n"
        yield b"commit refs/gen/scratch\nmark :%d\nauthor %s\ncommitter %s\ndata 0\n" % (
            number + 1,
            who,
            who,
        )
        for position, parent in enumerate(parents):
            yield b"%s :%d\n" % (b"from" if position == 0 else b"merge", parent + 1)
        yield b"M 100644 inline f\ndata %d\n%d\n\n" % (len(str(number)) + 1, number)
    for name, number in refs.items():
        yield b"reset %s\nfrom :%d\n\n" % (name.encode(), number + 1)


def import_history(repo: Path, commits: Sequence[Parents], refs: dict[str, int], first: int = 0) -> list[str]:
    """Add `commits` to `repo` (marks persist in repo/.git/marks) and return every commit id."""
    marks = repo / ".git" / "gen-marks"
    args = ["git", "fast-import", "--quiet", f"--export-marks={marks}"]
    if first:
        args.append(f"--import-marks={marks}")
    stream = b"".join(_stream(commits, refs, first))
    subprocess.run(args, cwd=repo, input=stream, check=True, capture_output=True, timeout=60)
    git("update-ref", "-d", "refs/gen/scratch", cwd=repo)
    ids = dict(line.split() for line in marks.read_text().splitlines())
    return [ids[f":{n + 1}"] for n in range(first + len(commits))]


def new_repo(path: Path) -> Path:
    git("init", "-q", str(path))
    return path


def random_history(rng: random.Random, size: int, max_tips: int = 10) -> tuple[list[Parents], dict[str, int]]:
    """A DAG of about `size` commits (parents always older), refs on up to `max_tips`
    branch tips and on three random commits."""
    commits: list[Parents] = [()]
    tips = [0]

    def add(parents: Parents) -> int:
        commits.append(parents)
        return len(commits) - 1

    while len(commits) < size:
        roll = rng.random()
        if roll < 0.04:
            tips.append(add(()))
        elif roll < 0.14:
            tips.append(add((rng.randrange(len(commits)),)))
        elif roll < 0.24 and len(tips) >= 2:
            a, b = rng.sample(range(len(tips)), 2)
            tips[a] = add((tips[a], tips[b]))
        elif roll < 0.28 and len(tips) >= 2:
            a, b = rng.sample(range(len(tips)), 2)
            tips[a], tips[b] = add((tips[a], tips[b])), add((tips[b], tips[a]))
        elif roll < 0.31 and len(tips) >= 3:
            chosen = rng.sample(range(len(tips)), rng.randint(3, min(5, len(tips))))
            tips[chosen[0]] = add(tuple(tips[i] for i in chosen))
        elif roll < 0.36:
            i = rng.randrange(len(tips))
            for _ in range(rng.randint(20, 80)):
                tips[i] = add((tips[i],))
        else:
            i = rng.randrange(len(tips))
            tips[i] = add((tips[i],))
    heads = rng.sample(tips, min(max_tips, len(tips))) + rng.sample(range(len(commits)), 3)
    return commits, {f"refs/heads/r{i}": head for i, head in enumerate(heads)}


def build_random(path: Path, seed: int, size: int, max_tips: int = 10) -> tuple[Path, dict[str, int]]:
    commits, refs = random_history(random.Random(seed), size, max_tips)
    repo = new_repo(path)
    import_history(repo, commits, refs)
    return repo, refs


def write_commit_graph(repo: Path, *extra: str) -> None:
    git("commit-graph", "write", "--reachable", *extra, cwd=repo)


# -- the referee ----------------------------------------------------------------------


def assert_matches_git(repo_path: Path, refs: Sequence[str], index: GenerationIndex | None = None) -> None:
    """Every unordered pair of `refs`, in both directions, against git: all pairs in one
    call (they share heads, so they share one walk), then disjoint pairs in one call
    (separate walks), then a pair at a time."""
    names = sorted(set(refs))
    shas = {ref: rev_parse(repo_path, ref).encode() for ref in names}
    pairs = list(itertools.combinations(names, 2))
    expected = {(a, b): git_ahead_behind(repo_path, a, b) for a, b in pairs}
    expected.update({(b, a): (behind, ahead) for (a, b), (ahead, behind) in list(expected.items())})
    asked = pairs + [(b, a) for a, b in pairs]
    disjoint = list(zip(names[0::2], names[1::2], strict=False))
    with Repo(str(repo_path)) as repo:
        ours = ahead_behind_many(repo, [(shas[a], shas[b]) for a, b in asked], index)
        assert ours == [expected[pair] for pair in asked]
        apart = ahead_behind_many(repo, [(shas[a], shas[b]) for a, b in disjoint], index)
        assert apart == [expected[pair] for pair in disjoint]
        for a, b in pairs[:: max(1, len(pairs) // 10)]:
            assert ahead_behind(repo, shas[a], shas[b], index) == expected[a, b]


# -- agreement with git -----------------------------------------------------------------


@pytest.mark.parametrize("graph", ["none", "single", "split"])
@pytest.mark.parametrize("seed", range(6))
def test_random_histories_match_git(tmp_path: Path, seed: int, graph: str) -> None:
    repo, refs = build_random(tmp_path / "r", seed, size=250 + 60 * seed)
    if graph == "single":
        write_commit_graph(repo)
    elif graph == "split":
        base = rev_parse(repo, next(iter(refs)))
        git("commit-graph", "write", "--split", "--stdin-commits", cwd=repo, input=base)
        write_commit_graph(repo, "--split=no-merge")
        chain = repo / ".git" / "objects" / "info" / "commit-graphs" / "commit-graph-chain"
        assert len(chain.read_text().split()) == 2
    index = GenerationIndex(Repo(str(repo)))
    assert_matches_git(repo, list(refs), index)
    assert (index.from_commit_graph > 0) == (graph != "none")


histories = st.lists(
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=4, unique=True),
    min_size=1,
    max_size=40,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=histories, heads=st.lists(st.integers(min_value=0), min_size=2, max_size=5))
def test_any_small_history_matches_git(tmp_path: Path, shape: list[list[int]], heads: list[int]) -> None:
    """Each commit's parents are drawn from the commits before it (deduplicated)."""
    commits = [tuple(dict.fromkeys(p % n for p in parents)) if n else () for n, parents in enumerate(shape)]
    refs = {f"refs/heads/h{i}": head % len(commits) for i, head in enumerate(heads)}
    repo = tmp_path / f"h{len(list(tmp_path.iterdir()))}"
    new_repo(repo)
    import_history(repo, commits, refs)
    assert_matches_git(repo, list(refs))


@pytest.mark.parametrize("graph", [False, True])
def test_generations_and_parents_agree_with_git(tmp_path: Path, graph: bool) -> None:
    """Parents as git lists them (octopus order too), and every generation above its parents'."""
    repo_path, _ = build_random(tmp_path / "r", seed=11, size=400, max_tips=1000)
    if graph:
        write_commit_graph(repo_path)
    listed = git("rev-list", "--parents", "--all", cwd=repo_path).splitlines()
    with Repo(str(repo_path)) as repo:
        index = GenerationIndex(repo)
        index.update(repo, [line.split()[0].encode() for line in listed])
    assert index.from_commit_graph == (len(listed) if graph else 0)
    assert len(index) == len(listed)
    octopus = 0
    for line in listed:
        commit, *parents = (sha.encode() for sha in line.split())
        number = index.number(commit)
        assert number is not None
        numbers = index.parents_of(number)
        assert [index.sha(n) for n in numbers] == parents
        assert all(index.generations[number] > index.generations[n] for n in numbers)
        octopus += len(parents) > 2
    assert octopus > 0


# -- shapes with a known answer --------------------------------------------------------------


def test_unrelated_histories_count_everything(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    commits: list[Parents] = [(), *((n,) for n in range(29)), (), *((n,) for n in range(30, 41))]
    ids = import_history(repo_path, commits, {"refs/heads/a": 29, "refs/heads/b": 41})
    with Repo(str(repo_path)) as repo:
        assert ahead_behind(repo, ids[29].encode(), ids[41].encode()) == (30, 12)
    assert git_ahead_behind(repo_path, "a", "b") == (30, 12)


def test_ancestor_pairs(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    ids = import_history(repo_path, [(), *((n,) for n in range(99))], {"refs/heads/main": 99})
    with Repo(str(repo_path)) as repo:
        got = ahead_behind_many(
            repo, [(ids[99].encode(), ids[10].encode()), (ids[0].encode(), ids[99].encode())]
        )
    assert got == [(89, 0), (0, 99)]


def test_upper_case_ids_are_the_same_commits(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    ids = import_history(repo_path, [(), (0,), (1,), (1,)], {"refs/heads/a": 2, "refs/heads/b": 3})
    with Repo(str(repo_path)) as repo:
        index = GenerationIndex(repo)
        upper = ahead_behind(repo, ids[2].upper().encode(), ids[3].upper().encode(), index)
        assert upper == ahead_behind(repo, ids[2].encode(), ids[3].encode(), index) == (1, 1)
    assert len(index) == 4


def test_identical_heads_need_no_lookup(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    absent = b"1" * 40
    with Repo(str(repo_path)) as repo:
        assert ahead_behind_many(repo, [(absent, absent)] * 3) == [(0, 0)] * 3
        assert ahead_behind_many(repo, []) == []


def test_annotated_tags_are_peeled(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    ids = import_history(repo_path, [(), (0,), (1,), (1,)], {"refs/heads/a": 2, "refs/heads/b": 3})
    git("tag", "-a", "-m", "t", "t", "a", cwd=repo_path)
    tag = rev_parse(repo_path, "refs/tags/t").encode()
    with Repo(str(repo_path)) as repo:
        assert ahead_behind(repo, tag, ids[3].encode()) == git_ahead_behind(repo_path, "t", "b")
        tree = rev_parse(repo_path, "a^{tree}").encode()
        with pytest.raises(NotACommit):
            ahead_behind(repo, tree, ids[3].encode())


# -- one index across calls ----------------------------------------------------------------


@pytest.mark.parametrize("graph", [False, True])
def test_index_grows_with_new_commits_only(tmp_path: Path, graph: bool) -> None:
    commits, refs = random_history(random.Random(5), 300)
    repo_path = new_repo(tmp_path / "r")
    import_history(repo_path, commits, refs)
    if graph:
        write_commit_graph(repo_path)
    index = GenerationIndex(Repo(str(repo_path)))
    assert_matches_git(repo_path, list(refs), index)
    before = len(index)
    old_packs = list((repo_path / ".git" / "objects" / "pack").iterdir())
    # A "fetch": new commits on some refs, one merging two old heads, one a new root.
    heads = list(refs.values())
    more: list[Parents] = [(heads[0],), (300,), (heads[1], 301), (), (303,), (302, 304, heads[2])]
    moved = {"refs/heads/r0": 305, "refs/heads/r1": 302, "refs/heads/new": 304}
    import_history(repo_path, more, moved, first=len(commits))
    # With the old objects out of reach, updating can only have read the new commits.
    aside = tmp_path / "aside"
    aside.mkdir()
    for pack in old_packs:
        pack.rename(aside / pack.name)
    with Repo(str(repo_path)) as repo:
        index.update(repo, list(repo.refs.as_dict(Ref(b"refs/heads")).values()))
    for pack in old_packs:
        (aside / pack.name).rename(pack)
    assert len(index) == before + len(more)
    assert_matches_git(repo_path, [*refs, "refs/heads/new"], index)
    assert len(index) == before + len(more)


def test_refs_moving_backwards(tmp_path: Path) -> None:
    repo_path, refs = build_random(tmp_path / "r", seed=3, size=300)
    index = GenerationIndex(Repo(str(repo_path)))
    assert_matches_git(repo_path, list(refs), index)
    for ref in list(refs)[:4]:
        git("update-ref", ref, f"{ref}~1", cwd=repo_path, check=False)
    write_commit_graph(repo_path)  # a commit-graph appearing later changes nothing either
    assert_matches_git(repo_path, list(refs), index)


def test_a_corrupt_commit_graph_is_ignored(tmp_path: Path) -> None:
    repo_path, refs = build_random(tmp_path / "r", seed=4, size=200)
    write_commit_graph(repo_path)
    graph_file = repo_path / ".git" / "objects" / "info" / "commit-graph"
    data = bytearray(graph_file.read_bytes())
    chunks = {bytes(data[8 + 12 * i : 12 + 12 * i]): 12 + 12 * i for i in range(data[6])}
    fanout, records = (int.from_bytes(data[chunks[c] : chunks[c] + 8]) for c in (b"OIDF", b"CDAT"))
    for record in range(int.from_bytes(data[fanout + 1020 : fanout + 1024])):
        start = records + 36 * record + 20
        data[start : start + 4] = (0x70000000).to_bytes(4)  # every first parent gone
    graph_file.chmod(0o644)
    graph_file.write_bytes(bytes(data))
    with Repo(str(repo_path)) as repo:
        index = GenerationIndex(repo)
        index.update(repo, [])  # reads the commit-graph file, if it trusts it
    graph_file.unlink()  # git would refuse the damaged file too: referee without it
    assert_matches_git(repo_path, list(refs), index)
    assert index.from_commit_graph == 0


def test_deepening_a_shallow_clone_resets_the_index(tmp_path: Path) -> None:
    origin, refs = build_random(tmp_path / "origin", seed=9, size=300)
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "3", "--no-single-branch", f"file://{origin}", str(clone))
    branches = [f"refs/remotes/origin/{ref.rsplit('/', 1)[1]}" for ref in refs]
    present = [b for b in branches if git("rev-parse", "-q", "--verify", b, cwd=clone, check=False)]
    index = GenerationIndex(Repo(str(clone)))
    assert_matches_git(clone, present, index)
    shallow_size = len(index)
    git("fetch", "-q", "--deepen", "40", "origin", cwd=clone)
    assert_matches_git(clone, present, index)
    assert len(index) > shallow_size


def test_another_repository_resets_the_index(tmp_path: Path) -> None:
    first, refs_a = build_random(tmp_path / "a", seed=1, size=120)
    second, refs_b = build_random(tmp_path / "b", seed=2, size=120)
    index = GenerationIndex(Repo(str(first)))
    assert_matches_git(first, list(refs_a), index)
    assert_matches_git(second, list(refs_b), index)


def test_a_repository_replaced_at_the_same_path_resets_the_index(tmp_path: Path) -> None:
    """Deleted and made again where it was (the engine keeps an index per registered
    repository): the old repository's commits are forgotten, not found in the new one."""
    path = tmp_path / "r"
    _, refs_a = build_random(path, seed=1, size=60)
    index = GenerationIndex(Repo(str(path)))
    assert_matches_git(path, list(refs_a), index)
    old_head = rev_parse(path, next(iter(refs_a))).encode()
    assert index.number(old_head) is not None
    shutil.rmtree(path)
    _, refs_b = build_random(path, seed=2, size=60)
    assert_matches_git(path, list(refs_b), index)
    assert index.number(old_head) is None


# -- incomplete repositories ---------------------------------------------------------------


def test_missing_commit_is_a_clear_error(tmp_path: Path) -> None:
    repo_path = new_repo(tmp_path / "r")
    for n in range(3):
        (repo_path / "f").write_text(str(n))
        git("add", "f", cwd=repo_path)
        git("commit", "-q", "-m", str(n), cwd=repo_path)
    first = rev_parse(repo_path, "HEAD~2")
    (repo_path / ".git" / "objects" / first[:2] / first[2:]).unlink()
    head = rev_parse(repo_path, "HEAD").encode()
    with Repo(str(repo_path)) as repo, pytest.raises(MissingCommit) as caught:
        ahead_behind(repo, head, b"f" * 40)
    assert isinstance(caught.value, GitferryError)
    assert caught.value.sha in (first.encode(), b"f" * 40)
    assert str(repo_path) in str(caught.value)


def test_shallow_clone_counts_like_git(tmp_path: Path) -> None:
    """git treats shallow commits as roots; so do we (no commit-graph is used)."""
    origin, refs = build_random(tmp_path / "origin", seed=7, size=300)
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "5", "--no-single-branch", f"file://{origin}", str(clone))
    branches = [f"refs/remotes/origin/{ref.rsplit('/', 1)[1]}" for ref in refs]
    present = [b for b in branches if git("rev-parse", "-q", "--verify", b, cwd=clone, check=False)]
    edge = (clone / ".git" / "shallow").read_text().split()[0]
    git("update-ref", "refs/heads/edge", edge, cwd=clone)  # a head that is itself shallow
    assert len(present) >= 3
    assert_matches_git(clone, [*present, "refs/heads/edge"])


def test_walk_reads_only_the_diverged_part(tmp_path: Path) -> None:
    """With a commit-graph, a 3/2 divergence atop 3,000 commits decodes a handful of them."""
    repo_path = new_repo(tmp_path / "r")
    commits: list[Parents] = [(), *((n,) for n in range(2999))]
    commits += [(2999,), (3000,), (3001,), (2999,), (3003,)]
    import_history(repo_path, commits, {"refs/heads/a": 3002, "refs/heads/b": 3004})
    write_commit_graph(repo_path)
    with Repo(str(repo_path)) as repo:
        index = GenerationIndex(repo)
        a, b = rev_parse(repo_path, "a").encode(), rev_parse(repo_path, "b").encode()
        assert ahead_behind(repo, a, b, index) == (3, 2) == git_ahead_behind(repo_path, "a", "b")
    assert index.from_commit_graph == 3005
    assert index.walked < 10
