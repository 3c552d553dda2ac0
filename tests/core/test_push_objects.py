"""`ObjectsToSend`'s sparse tree walk against git: `rev-list --objects` and `pack-objects --sparse`.

`rev-list --objects NEW --not HAVES` is what a push must send at least; git's
own push (`pack.useSparse`) may send a few objects more in odd histories, and
so may this walk, never fewer.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from dulwich.objects import ObjectID, Tree
from dulwich.repo import Repo

from core.git.transfer.push_objects import ObjectsToSend, reaches
from tests.gitcli import commit_file, git, rev_parse


class CountingStore:
    """An object store that counts the trees read through it."""

    def __init__(self, repo: Repo) -> None:
        self._store = repo.object_store
        self.trees_read = 0

    def __getitem__(self, sha: ObjectID) -> object:
        obj = self._store[sha]
        self.trees_read += isinstance(obj, Tree)
        return obj


def selected(repo: Path, wants: list[str], haves: list[str]) -> tuple[set[str], int]:
    """(the objects chosen, how many trees were read to choose them)."""
    with Repo(str(repo)) as dulwich_repo:
        store = CountingStore(dulwich_repo)
        found = ObjectsToSend(
            store,  # type: ignore[arg-type]
            [ObjectID(w.encode()) for w in wants],
            [ObjectID(h.encode()) for h in haves],
        )
    assert len(found.ids) == len(set(found.ids)), "an object listed twice"
    return {oid.decode() for oid in found.ids}, store.trees_read


def rev_list(repo: Path, wants: list[str], haves: list[str]) -> set[str]:
    out = git("rev-list", "--objects", *wants, "--not", *haves, "--", cwd=repo)
    return {line.split()[0] for line in out.splitlines()}


def git_sparse(repo: Path, wants: list[str], haves: list[str], tmp_path: Path) -> set[str]:
    """The objects `git pack-objects --revs --sparse` (what `git push` runs) packs."""
    base = tmp_path / "sparse"
    revs = "".join(f"{w}\n" for w in wants) + "".join(f"^{h}\n" for h in haves)
    name = git("pack-objects", "-q", "--revs", "--sparse", str(base), cwd=repo, input=revs)
    with open(f"{base}-{name}.idx", "rb") as idx:
        out = subprocess.run(["git", "show-index"], stdin=idx, capture_output=True, check=True, timeout=30)
    return {line.split()[1] for line in out.stdout.decode().splitlines()}


def check(repo: Path, new: str, old: str, tmp_path: Path) -> set[str]:
    """The chosen set, after checking it is git's sparse set and holds all of rev-list's."""
    chosen, _ = selected(repo, [new], [old])
    assert chosen >= rev_list(repo, [new], [old])
    assert chosen == git_sparse(repo, [new], [old], tmp_path)
    return chosen


def init(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(repo))
    return repo


def commit_all(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", message, cwd=repo)
    return rev_parse(repo, "HEAD")


def test_one_edit_in_a_wide_tree_reads_only_the_trees_on_its_path(tmp_path: Path) -> None:
    repo = init(tmp_path)
    for d in range(20):
        for f in range(20):
            (repo / f"d{d}").mkdir(exist_ok=True)
            (repo / f"d{d}" / f"f{f}.txt").write_text(f"{d} {f}\n")
    old = commit_all(repo, "wide")
    new = commit_file(repo, "d7/f3.txt", "changed\n")
    chosen, trees_read = selected(repo, [new], [old])
    assert chosen == rev_list(repo, [new], [old]) == git_sparse(repo, [new], [old], tmp_path)
    assert len(chosen) == 4  # commit, root, d7, the blob
    assert trees_read == 4  # both roots, both d7 trees: not the other 19 directories


def test_directory_moved_beside_unchanged_siblings_is_not_sent(tmp_path: Path) -> None:
    repo = init(tmp_path)
    commit_file(repo, "a/x.txt", "x\n")
    old = commit_file(repo, "keep.txt", "k\n")
    git("mv", "a", "c", cwd=repo)
    new = commit_all(repo, "move a to c")
    assert check(repo, new, old, tmp_path) == {new, rev_parse(repo, "HEAD^{tree}")}
    assert check(repo, new, old, tmp_path) == rev_list(repo, [new], [old])


def test_directory_moved_under_a_renamed_parent_goes_out_again_as_with_git(tmp_path: Path) -> None:
    """`a/deep` -> `b/deep` and `a` gone: path `a` exists only on the remote's
    side, so it is not opened and `deep` is not known to be the remote's."""
    repo = init(tmp_path)
    commit_file(repo, "a/deep/x.txt", "x\n")
    old = commit_file(repo, "a/other.txt", "o\n")
    (repo / "b").mkdir()
    git("mv", "a/deep", "b/deep", cwd=repo)
    git("rm", "-q", "a/other.txt", cwd=repo)
    new = commit_file(repo, "b/new.txt", "n\n")
    chosen = check(repo, new, old, tmp_path)
    again = {rev_parse(repo, "HEAD:b/deep"), rev_parse(repo, "HEAD:b/deep/x.txt")}
    assert chosen - rev_list(repo, [new], [old]) == again


def test_file_reverted_to_an_old_blob_is_sent_as_git_sends_it(tmp_path: Path) -> None:
    """The remote has the old blob, but only in history below the boundary:
    neither git nor this walk look there."""
    repo = init(tmp_path)
    commit_file(repo, "d/f.txt", "one\n")
    old = commit_file(repo, "d/f.txt", "two\n")
    new = commit_file(repo, "d/f.txt", "one\n")
    chosen = check(repo, new, old, tmp_path)
    assert chosen == rev_list(repo, [new], [old])
    assert rev_parse(repo, "HEAD:d/f.txt") in chosen


def test_blob_the_remote_has_under_another_path(tmp_path: Path) -> None:
    """Beside it in an opened directory: left out. In a directory that did not
    change: sent again, as git does."""
    repo = init(tmp_path)
    commit_file(repo, "d/x.txt", "a\n")
    old = commit_file(repo, "u/y.txt", "b\n")
    commit_file(repo, "d/copy.txt", "a\n")
    new = commit_file(repo, "e/copy.txt", "b\n")
    chosen = check(repo, new, old, tmp_path)
    in_u = rev_parse(repo, "HEAD:u/y.txt")
    assert in_u not in rev_list(repo, [new], [old])
    assert chosen == rev_list(repo, [new], [old]) | {in_u}


def test_trees_shared_with_the_remote_are_not_sent(tmp_path: Path) -> None:
    """A merge of two commits the remote has, then an empty commit: only the
    new commits and the merged root go out."""
    repo = init(tmp_path)
    commit_file(repo, "base.txt", "b\n")
    git("checkout", "-q", "-b", "side", cwd=repo)
    side = commit_file(repo, "s/side.txt", "s\n")
    git("checkout", "-q", "main", cwd=repo)
    main = commit_file(repo, "m/main.txt", "m\n")
    git("merge", "-q", "--no-edit", "side", cwd=repo)
    merge = rev_parse(repo, "HEAD")
    empty = commit_all(repo, "nothing")
    chosen, _ = selected(repo, [empty], [main, side])
    assert chosen == {merge, empty, rev_parse(repo, "HEAD^{tree}")}
    assert (
        chosen == rev_list(repo, [empty], [main, side]) == git_sparse(repo, [empty], [main, side], tmp_path)
    )


def test_nothing_in_common_sends_every_object(tmp_path: Path) -> None:
    repo = init(tmp_path)
    commit_file(repo, "a/b/c.txt", "c\n")
    new = commit_file(repo, "a/d.txt", "d\n")
    chosen, _ = selected(repo, [new], [])
    assert chosen == rev_list(repo, [new], [])


DIRS = ["a", "a/b", "c", "c/d/e", "g"]


def _change(files: dict[str, str], rnd: random.Random, n: int) -> None:
    """One random edit: new or old content, a copied file, a moved or copied directory, a deletion."""
    kind = rnd.choice(["edit", "old", "copy", "move-dir", "copy-dir", "delete"])
    if kind in ("edit", "old") or not files:
        path = f"{rnd.choice(DIRS)}/f{rnd.randint(0, 3)}.txt"
        files[path] = f"{n if kind == 'edit' else rnd.randint(0, n)}\n"
    elif kind == "copy":
        files[f"{rnd.choice(DIRS)}/f{rnd.randint(0, 3)}.txt"] = files[rnd.choice(sorted(files))]
    elif kind == "delete":
        del files[rnd.choice(sorted(files))]
    else:
        source, target = rnd.choice(DIRS), rnd.choice([*DIRS, "x", "x/y"])
        moved = {p: c for p, c in files.items() if p.startswith(source + "/")}
        if kind == "move-dir":
            for path in moved:
                del files[path]
        files.update({target + path[len(source) :]: content for path, content in moved.items()})


def random_moving_history(repo: Path, rnd: random.Random) -> list[str]:
    """Up to 30 commits with merges, where files are copied, reverted, and directories moved or copied."""
    trees: list[dict[str, str]] = []
    stream = []
    count = rnd.randint(5, 30)
    for n in range(count):
        parents = rnd.sample(range(n), min(n, rnd.choice([1, 1, 2])))
        files = dict(trees[parents[0]]) if parents else {}
        for _ in range(rnd.randint(1, 3)):
            _change(files, rnd, n)
        trees.append(files)
        skew = rnd.randint(-5_000, 5_000) if rnd.random() < 0.2 else 0
        stream.append(
            f"commit refs/heads/b{n}\nmark :{n + 1}\n"
            f"committer A <a@example.invalid> {1_600_000_000 + n * 100 + skew} +0000\ndata 2\nc\n"
        )
        stream.extend(f"{'from' if i == 0 else 'merge'} :{p + 1}\n" for i, p in enumerate(parents))
        stream.append("deleteall\n")
        stream.extend(f"M 100644 inline {p}\ndata {len(c)}\n{c}\n" for p, c in sorted(files.items()))
        stream.append("\n")
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input="".join(stream).encode(), check=True, timeout=30
    )
    return git("rev-parse", *(f"b{n}" for n in range(count)), cwd=repo).split()


@pytest.mark.slow
def test_random_moves_copies_and_reverts_never_leave_out_what_the_remote_lacks(tmp_path: Path) -> None:
    """Against git on random histories: all of `rev-list --objects`, nothing the
    wants do not reach, and the same set as git's own sparse push."""
    extra = 0
    for seed in range(40):
        rnd = random.Random(seed)
        repo = tmp_path / f"r{seed}"
        git("init", "-q", "--bare", str(repo))
        commits = random_moving_history(repo, rnd)
        wants, haves = rnd.sample(commits, rnd.randint(1, 3)), rnd.sample(commits, rnd.randint(0, 4))
        chosen, _ = selected(repo, wants, haves)
        needed = rev_list(repo, wants, haves)
        assert needed <= chosen <= rev_list(repo, wants, []), seed
        (tmp_path / f"p{seed}").mkdir()
        assert chosen == git_sparse(repo, wants, haves, tmp_path / f"p{seed}"), seed
        extra += len(chosen - needed)
    assert extra > 0  # the histories do reach the cases where the sparse walk sends more


def test_reaches_answers_as_git_merge_base_is_ancestor(tmp_path: Path) -> None:
    """Never True for a commit that is not an ancestor; with clock skew it may
    say False for one (a push refused as if the remote had moved), never here."""
    for seed in range(10):
        rnd = random.Random(seed)
        repo = tmp_path / f"r{seed}"
        git("init", "-q", "--bare", str(repo))
        commits = random_moving_history(repo, rnd)
        with Repo(str(repo)) as dulwich_repo:
            for _ in range(20):
                new, old = rnd.choice(commits), rnd.choice(commits)
                ours = reaches(dulwich_repo.object_store, ObjectID(new.encode()), ObjectID(old.encode()))
                is_ancestor = (
                    subprocess.run(
                        ["git", "merge-base", "--is-ancestor", old, new], cwd=repo, timeout=30
                    ).returncode
                    == 0
                )
                assert ours == is_ancestor, (seed, new, old)
