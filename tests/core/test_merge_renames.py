"""Merging with renames, git as the referee (`git merge-tree --write-tree`, merge-ort).

Each case is three trees built with dulwich; the merge is computed in memory
and compared with git's: where git merges cleanly, the same tree; where git
conflicts, a conflict. The named cases pin each kind of rename git handles
(with git's verdict asserted too, so a case cannot silently stop testing what
its name says); the property runs random histories full of renames,
copies, directory renames and edits.
"""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from dulwich.object_store import iter_tree_contents
from dulwich.objects import Blob
from dulwich.repo import Repo
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.git.config.merge_config import BadMergeConfig, RenameSettings, rename_settings
from core.git.merge.conflict_copies import KeepBoth
from core.git.merge.git_hashmap import iteration_order, strhash
from core.git.merge.merge_tree import TreeMerge, merge_commits
from core.git.merge.similarity import Similarity
from core.git.objects.object_overlay import ObjectOverlay
from tests.core.rename_cases import Files, commit, git_merge_tree, random_base, random_side
from tests.gitcli import git

LINES = "".join(f"line {i}\n" for i in range(12))
OTHER = "".join(f"other {i}\n" for i in range(12))


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    git("init", "-q", str(path))
    return path


@dataclass(frozen=True)
class Case:
    name: str
    base: Files
    ours: Files
    theirs: Files
    git_clean: bool  # what git 2.39 says, checked too


def _edit(text: str, line: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[line] = new + "\n"
    return "".join(lines)


CASES = [
    Case("rename vs edit", {"a.txt": LINES}, {"b.txt": LINES}, {"a.txt": _edit(LINES, 5, "EDIT")}, True),
    Case(
        "edited rename vs edit",
        {"a.txt": LINES},
        {"b.txt": _edit(LINES, 1, "OURS")},
        {"a.txt": _edit(LINES, 9, "THEIRS")},
        True,
    ),
    Case(
        "rename into a directory vs edit",
        {"a.txt": LINES, "keep.txt": OTHER},
        {"docs/a.txt": LINES, "keep.txt": OTHER},
        {"a.txt": _edit(LINES, 0, "X"), "keep.txt": OTHER},
        True,
    ),
    Case(
        "case-only rename vs edit",
        {"README": LINES},
        {"readme": LINES},
        {"README": _edit(LINES, 3, "Y")},
        True,
    ),
    Case("renamed the same way on both sides", {"a.txt": LINES}, {"b.txt": LINES}, {"b.txt": LINES}, True),
    Case(
        "renamed the same way, edited differently",
        {"a.txt": LINES},
        {"b.txt": _edit(LINES, 0, "O")},
        {"b.txt": _edit(LINES, 11, "T")},
        True,
    ),
    Case("rename/rename to two names", {"a.txt": LINES}, {"b.txt": LINES}, {"c.txt": LINES}, False),
    Case("rename/delete", {"a.txt": LINES, "k": OTHER}, {"b.txt": LINES, "k": OTHER}, {"k": OTHER}, False),
    Case(
        "rename/add, different content",
        {"a.txt": LINES},
        {"b.txt": LINES},
        {"a.txt": LINES, "b.txt": OTHER},
        False,
    ),
    Case(
        "rename/add, same content", {"a.txt": LINES}, {"b.txt": LINES}, {"a.txt": LINES, "b.txt": LINES}, True
    ),
    Case(
        "two files renamed onto one name",
        {"a.txt": LINES, "b.txt": OTHER},
        {"c.txt": LINES, "b.txt": OTHER},
        {"a.txt": LINES, "c.txt": OTHER},
        False,
    ),
    Case(
        "copy vs edit (a copy is no rename)",
        {"a.txt": LINES},
        {"a.txt": LINES, "b.txt": LINES},
        {"a.txt": _edit(LINES, 4, "E")},
        True,
    ),
    Case(
        "directory renamed, the other side adds a file to it",
        {"lib/x.txt": LINES, "lib/y.txt": OTHER},
        {"src/x.txt": LINES, "src/y.txt": OTHER},
        {"lib/x.txt": LINES, "lib/y.txt": OTHER, "lib/z.txt": "new\n"},
        False,
    ),
    Case(
        "directory renamed, the other side edits a file in it",
        {"lib/x.txt": LINES, "lib/y.txt": OTHER},
        {"src/x.txt": LINES, "src/y.txt": OTHER},
        {"lib/x.txt": _edit(LINES, 2, "Z"), "lib/y.txt": OTHER},
        True,
    ),
    Case(
        "directory split between two new places",
        {"lib/x.txt": LINES, "lib/y.txt": OTHER},
        {"one/x.txt": LINES, "two/y.txt": OTHER},
        {"lib/x.txt": LINES, "lib/y.txt": OTHER, "lib/z.txt": "new\n"},
        False,
    ),
    Case(
        "rename vs type change",
        {"a.txt": LINES},
        {"b.txt": LINES},
        {"a.txt": ("link", "target")},
        False,
    ),
    Case(
        "rename vs mode change",
        {"run.sh": LINES},
        {"bin/run.sh": _edit(LINES, 0, "#!")},
        {"run.sh": ("x", LINES)},
        True,
    ),
    Case(
        "renamed symlink vs nothing",
        {"l": ("link", "a"), "k": OTHER},
        {"m": ("link", "a"), "k": OTHER},
        {"l": ("link", "a"), "k": _edit(OTHER, 0, "K")},
        True,
    ),
    Case(
        "twin files, one renamed, the other edited",
        {"a/f.txt": LINES, "b/f.txt": LINES},
        {"a/f.txt": LINES, "c/f.txt": LINES},
        {"a/f.txt": LINES, "b/f.txt": _edit(LINES, 6, "TWIN")},
        True,
    ),
    Case(
        "rename with edits on both sides that conflict",
        {"a.txt": LINES},
        {"b.txt": _edit(LINES, 5, "OURS")},
        {"a.txt": _edit(LINES, 5, "THEIRS")},
        False,
    ),
    Case(
        "rename cherry-picked here, then its source edited here (ort keeps the picked file)",
        {"a.txt": LINES},
        {"a.txt": _edit(LINES, 5, "OURS"), "b.txt": _edit(LINES, 5, "THEIRS")},
        {"b.txt": _edit(LINES, 5, "THEIRS")},
        True,
    ),
    Case("empty file renamed vs deleted", {"e": "", "k": OTHER}, {"f": "", "k": OTHER}, {"k": OTHER}, True),
    Case(
        "too different to be a rename",
        {"a.txt": LINES},
        {"b.txt": OTHER},
        {"a.txt": _edit(LINES, 5, "E")},
        False,
    ),
]


def _merge(
    path: Path, case_base: Files, ours: Files, theirs: Files, keep_both: KeepBoth | None = None
) -> tuple[TreeMerge, bytes, bytes]:
    with Repo(str(path)) as repo:
        base = commit(repo, case_base, [])
        o, t = commit(repo, ours, [base], "ours"), commit(repo, theirs, [base], "theirs")
        merged = merge_commits(repo, ObjectOverlay(repo.object_store), o, t, keep_both=keep_both)
    return merged, o, t


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_named_rename_cases_merge_as_git_does(repo_path: Path, case: Case) -> None:
    merged, ours, theirs = _merge(repo_path, case.base, case.ours, case.theirs)
    git_clean, git_tree = git_merge_tree(repo_path, ours, theirs)
    assert git_clean == case.git_clean, "git changed its mind: the case no longer tests its name"
    assert merged.clean == git_clean, merged.conflicts
    if git_clean:
        assert merged.tree.decode() == git_tree


def test_a_rename_conflict_names_both_paths(repo_path: Path) -> None:
    merged, _o, _t = _merge(repo_path, {"a.txt": LINES}, {"b.txt": LINES}, {"c.txt": LINES})
    assert {"b.txt", "c.txt"} <= set(merged.conflicts)
    merged, _o, _t = _merge(
        repo_path, {"a.txt": LINES, "k": OTHER}, {"b.txt": LINES, "k": OTHER}, {"k": OTHER}
    )
    assert "b.txt" in merged.conflicts


def test_a_conflicting_merge_stores_nothing(repo_path: Path) -> None:
    with Repo(str(repo_path)) as repo:
        base = commit(repo, {"a.txt": LINES}, [])
        o, t = commit(repo, {"b.txt": LINES}, [base]), commit(repo, {"c.txt": LINES}, [base])
        objects = ObjectOverlay(repo.object_store)
        before = git("count-objects", "-v", cwd=repo_path)
        assert not merge_commits(repo, objects, o, t).clean
        assert git("count-objects", "-v", cwd=repo_path) == before


def test_a_clean_rename_merge_stores_only_trees_it_uses(repo_path: Path) -> None:
    """The rewritten input trees stay out of the object store unless the result holds them."""
    with Repo(str(repo_path)) as repo:
        base = commit(repo, {"d/a.txt": LINES, "e/k": OTHER}, [])
        o = commit(repo, {"d/b.txt": LINES, "e/k": OTHER}, [base])
        t = commit(repo, {"d/a.txt": _edit(LINES, 0, "T"), "e/k": _edit(OTHER, 1, "K")}, [base])
        objects = ObjectOverlay(repo.object_store)
        merged = merge_commits(repo, objects, o, t)
        assert merged.clean
        objects.write()
    unreachable = git("fsck", "--unreachable", "--no-reflogs", cwd=repo_path).splitlines()
    assert [line.split()[-1] for line in unreachable if " tree " in line] == [merged.tree.decode()]
    assert git_merge_tree(repo_path, o, t) == (True, merged.tree.decode())


# --- keeping both sides (auto-commit repositories) ------------------------------------------------

KEEP = KeepBoth("host", datetime(2026, 1, 2, 3, 4))


def _kept(path: Path, base: Files, ours: Files, theirs: Files) -> tuple[TreeMerge, dict[str, bytes]]:
    with Repo(str(path)) as repo:
        b = commit(repo, base, [])
        o, t = commit(repo, ours, [b]), commit(repo, theirs, [b])
        objects = ObjectOverlay(repo.object_store)
        merged = merge_commits(repo, objects, o, t, keep_both=KEEP)
        files = {e.path.decode(): objects.blob(e.sha).data for e in iter_tree_contents(objects, merged.tree)}
    return merged, files


def test_keep_both_rename_rename_keeps_each_name(repo_path: Path) -> None:
    merged, files = _kept(
        repo_path, {"a.txt": LINES}, {"b.txt": LINES + "ours\n"}, {"c.txt": LINES + "theirs\n"}
    )
    assert merged.clean
    assert files == {"b.txt": (LINES + "ours\n").encode(), "c.txt": (LINES + "theirs\n").encode()}
    assert [(c.path, c.copy) for c in merged.copies] == [("c.txt", "b.txt")]


def test_keep_both_rename_delete_keeps_the_renamed_file(repo_path: Path) -> None:
    base = {"a.txt": LINES, "k": OTHER}
    merged, files = _kept(repo_path, base, {"k": OTHER}, {"b.txt": _edit(LINES, 0, "T"), "k": OTHER})
    assert merged.clean
    assert files == {"b.txt": _edit(LINES, 0, "T").encode(), "k": OTHER.encode()}
    assert [(c.path, c.copy, c.deleted_here) for c in merged.copies] == [("b.txt", None, True)]
    merged, _files = _kept(repo_path, base, {"b.txt": _edit(LINES, 0, "T"), "k": OTHER}, {"k": OTHER})
    assert [(c.path, c.copy, c.deleted_here) for c in merged.copies] == [("b.txt", None, False)]


def test_keep_both_rename_with_conflicting_edits_keeps_both_versions(repo_path: Path) -> None:
    ours, theirs = _edit(LINES, 5, "OURS"), _edit(LINES, 5, "THEIRS")
    merged, files = _kept(repo_path, {"a.txt": LINES}, {"a.txt": ours}, {"b.txt": theirs})
    assert merged.clean
    copy = "b (conflict host 2026-01-02 0304).txt"
    assert files == {"b.txt": theirs.encode(), copy: ours.encode()}


def test_keep_both_clean_rename_merges_as_git_does(repo_path: Path) -> None:
    merged, ours, theirs = _merge(
        repo_path, {"a.txt": LINES}, {"a.txt": _edit(LINES, 1, "O")}, {"z/b.txt": LINES}, keep_both=KEEP
    )
    assert (merged.clean, merged.copies) == (True, [])
    assert git_merge_tree(repo_path, ours, theirs) == (True, merged.tree.decode())


# --- settings read from git's config --------------------------------------------------------------


def test_settings_follow_git_config(repo_path: Path) -> None:
    with Repo(str(repo_path)) as repo:
        assert rename_settings(repo) == RenameSettings(True, 7000, "conflict")
    git("config", "diff.renames", "false", cwd=repo_path)
    git("config", "merge.renameLimit", "2k", cwd=repo_path)
    git("config", "merge.directoryRenames", "false", cwd=repo_path)
    with Repo(str(repo_path)) as repo:
        assert rename_settings(repo) == RenameSettings(False, 2048, "false")
    git("config", "merge.renames", "copies", cwd=repo_path)
    git("config", "merge.directoryRenames", "true", cwd=repo_path)
    with Repo(str(repo_path)) as repo:
        assert rename_settings(repo) == RenameSettings(True, 2048, "true")
    git("config", "merge.renames", "maybe", cwd=repo_path)
    with Repo(str(repo_path)) as repo, pytest.raises(BadMergeConfig) as caught:
        rename_settings(repo)
    assert "merge.renames" in str(caught.value) and "\n" not in str(caught.value)


def test_merge_renames_false_turns_detection_off(repo_path: Path) -> None:
    """git 2.50 and later honour it (2.39 ignored it): the rename is a delete and an add."""
    git("config", "merge.renames", "false", cwd=repo_path)
    merged, _o, _t = _merge(repo_path, {"a.txt": LINES}, {"b.txt": LINES}, {"a.txt": _edit(LINES, 5, "E")})
    assert merged.conflicts == ["a.txt"]  # modify/delete


def test_rename_limit_skips_the_similarity_search_as_git_does(repo_path: Path) -> None:
    base = {"a.txt": LINES, "b.txt": OTHER}
    ours = {"a2.txt": _edit(LINES, 0, "A"), "b2.txt": _edit(OTHER, 0, "B")}
    theirs = {"a.txt": _edit(LINES, 9, "X"), "b.txt": _edit(OTHER, 9, "Y")}
    for limit in ("1", "2"):
        git("config", "merge.renameLimit", limit, cwd=repo_path)
        merged, o, t = _merge(repo_path, base, ours, theirs)
        git_clean, git_tree = git_merge_tree(repo_path, o, t)
        assert (merged.clean, git_clean) == (limit == "2", limit == "2")
        if git_clean:
            assert merged.tree.decode() == git_tree


def test_directory_renames_false_leaves_the_new_file_where_it_was_added(repo_path: Path) -> None:
    git("config", "merge.directoryRenames", "false", cwd=repo_path)
    case = next(c for c in CASES if c.name == "directory renamed, the other side adds a file to it")
    merged, o, t = _merge(repo_path, case.base, case.ours, case.theirs)
    assert git_merge_tree(repo_path, o, t, "merge.directoryRenames=false") == (True, merged.tree.decode())


# --- similarity and git's hash order, the two places exactness is easiest to lose ------------------


class GitScore:
    """git's similarity of `a` and `b`: the highest -M threshold that still pairs them."""

    def __init__(self, path: Path, a: bytes, b: bytes) -> None:
        self.path = path
        self.old, self.new = self._tree("src.x", self._blob(a)), self._tree("dst.y", self._blob(b))

    def _blob(self, data: bytes) -> str:
        return git("hash-object", "-w", "--stdin", cwd=self.path, input=data.decode("latin-1"))

    def _tree(self, name: str, sha: str) -> str:
        return git("mktree", cwd=self.path, input=f"100644 blob {sha}\t{name}\n")

    def paired(self, score: int) -> bool:
        digits = -(-score * 100000 // 60000)  # git reads five digits: score = 60000 * digits / 100000
        out = git("diff-tree", "-r", f"-M{digits:05d}", self.old, self.new, cwd=self.path)
        return "src.x\tdst.y" in out

    def gives(self, score: int) -> bool:
        """`score` is git's: pairing is monotone in the threshold, so two diffs decide it."""
        return (score == 0 or self.paired(score)) and (score == MAX_SCORE or not self.paired(score + 1))

    def search(self) -> int:
        low, high = 0, MAX_SCORE
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if self.paired(middle) else (low, middle - 1)
        return low


MAX_SCORE = 59999


_PIECES = [b"alpha", b"beta", b"x" * 70, b"", b"  spaced", b"tab\there", b"cr\r", b"\x00bin"]


@st.composite
def _blob_pair(draw: st.DrawFn) -> tuple[bytes, bytes]:
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    lines = draw(st.lists(st.tuples(st.sampled_from(_PIECES), st.integers(0, 5)), min_size=1, max_size=25))
    a = eol.join(piece + b"%d" % n for piece, n in lines) + draw(st.sampled_from([eol, b""]))
    b = bytearray(a)
    for at, cut, piece in draw(
        st.lists(st.tuples(st.integers(0, 400), st.integers(0, 20), st.sampled_from(_PIECES)), max_size=5)
    ):
        at = min(at, len(b))
        b[at : at + cut] = piece + b"\n"
    return a, bytes(b)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pair=_blob_pair())
@pytest.mark.slow
def test_similarity_score_equals_gits(repo_path: Path, pair: tuple[bytes, bytes]) -> None:
    a, b = pair
    if a == b or not a or not b:
        return
    blobs = {Blob.from_string(a).id: a, Blob.from_string(b).id: b}
    ours = Similarity(blobs.__getitem__).score(
        (0o100644, Blob.from_string(a).id), (0o100644, Blob.from_string(b).id), 1
    )
    git_score = GitScore(repo_path, a, b)
    assert git_score.gives(ours), (ours, git_score.search())  # the search only to say git's score


def test_hash_order_is_gits_fnv1_table() -> None:
    assert strhash(b"") == 0x811C9DC5
    assert strhash(b"a") == 0x050C5D7E  # FNV-1 of "a"
    keys = [b"dir%d" % i for i in range(200)]  # the table grows once: 64 buckets, then 256 past 51 keys
    order = iteration_order(keys)
    assert sorted(order) == sorted(keys)
    buckets = [strhash(k) & 255 for k in order]
    assert buckets == sorted(buckets)
    assert iteration_order(keys[:3]) == sorted(keys[:3], key=lambda k: strhash(k) & 63)


# --- the property: random histories with renames --------------------------------------------------

TALLY: Counter[str] = Counter()


@st.composite
def _history(draw: st.DrawFn) -> tuple[Files, Files, Files]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    base = random_base(rng)
    calm = draw(st.sampled_from([6, 14]))
    return base, random_side(rng, base, "a", calm=calm), random_side(rng, base, "b", calm=calm)


@settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=_history())
@pytest.mark.slow
def test_random_histories_with_renames_merge_as_git_does(
    repo_path: Path, history: tuple[Files, Files, Files]
) -> None:
    base, ours, theirs = history
    merged, o, t = _merge(repo_path, base, ours, theirs)
    proc = subprocess.run(
        ["git", "merge-tree", "--write-tree", o.decode(), t.decode()],
        cwd=repo_path,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):  # git 2.39's merge-ort aborts on some rename tangles
        verdict = "git aborts, we conflict" if not merged.clean else "git aborts, WE MERGE"
        TALLY[verdict] += 1
        event(verdict)
        assert not merged.clean
        return
    git_clean, git_tree = proc.returncode == 0, proc.stdout.split("\n", 1)[0]
    verdict = {
        (True, True): "both clean",
        (False, False): "both conflict",
        (False, True): "we conflict, git clean",
        (True, False): "WE CLEAN, GIT CONFLICTS",
    }[(merged.clean, git_clean)]
    TALLY[verdict] += 1
    event(verdict)
    assert merged.clean <= git_clean, merged
    if merged.clean:
        assert merged.tree.decode() == git_tree


def test_tally_of_the_random_histories(capsys: pytest.CaptureFixture[str]) -> None:
    """Prints what the property saw (run with -s to read it); `bench.merge` prints more."""
    with capsys.disabled():
        print(f"\nrename merges against git merge-tree: {dict(TALLY)}")


# --- criss-cross: renames inside the virtual merge base ---------------------------------------------


def _files_of(repo: Repo, tree: bytes) -> Files:
    files: Files = {}
    for entry in iter_tree_contents(repo.object_store, tree):
        text = repo.object_store[entry.sha].data.decode()
        if entry.mode == 0o120000:
            files[entry.path.decode()] = ("link", text)
        elif entry.mode & 0o100:
            files[entry.path.decode()] = ("x", text)
        else:
            files[entry.path.decode()] = text
    return files


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32))
@pytest.mark.slow
def test_criss_cross_merges_with_renames_as_git_does(repo_path: Path, seed: int) -> None:
    """Two merge bases that themselves merge with renames: the virtual base is built with
    them; where that inner merge conflicts on a rename, Gitferry conflicts (never merges)."""
    rng = random.Random(seed)
    base = random_base(rng)
    with Repo(str(repo_path)) as repo:
        root = commit(repo, base, [], "base")
        x1 = commit(repo, random_side(rng, base, "x", calm=10), [root], "x1")
        y1 = commit(repo, random_side(rng, base, "y", calm=10), [root], "y1")
        clean, middle = git_merge_tree(repo_path, x1, y1)
        if not clean:
            event("the bases conflict: not a criss-cross case")
            return
        both = _files_of(repo, middle.encode())
        x2 = commit(repo, random_side(rng, both, "x2", calm=14), [x1, y1], "x2")
        y2 = commit(repo, random_side(rng, both, "y2", calm=14), [y1, x1], "y2")
        merged = merge_commits(repo, ObjectOverlay(repo.object_store), x2, y2)
    git_clean, git_tree = git_merge_tree(repo_path, x2, y2)
    event(f"ours {'clean' if merged.clean else 'conflict'}, git {'clean' if git_clean else 'conflict'}")
    assert merged.clean <= git_clean
    if merged.clean:
        assert merged.tree.decode() == git_tree
