"""The file merge against git's own, byte for byte: `git merge-file -p` (Myers, the
`GIT_MERGE_FILE` options, every conflict style) and `git merge-tree` (merge-ort: histogram,
what `git merge` and `rebase` do, the default `GIT_MERGE`), on a corpus of real-shaped edits
(changelog entries on top, blank-line separated paragraphs, blocks closed by `}` or
`</div>`, moved blocks, CRLF files, files without a final newline) and on generated small
edits around blank and repeated lines. The line diff underneath against `git diff -U0`.

Each corpus test prints its tally ("agreement: ..."); `pytest -s` shows them.
"""

from __future__ import annotations

import functools
import random
import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.git.merge import diff_budget
from core.git.merge.histogram_diff import histogram_changes
from core.git.merge.histogram_replay import VisitLog
from core.git.merge.line_diff import Algorithm, Hunk, TooCostly, diff_hunks, split_lines
from core.git.merge.merge_file import GIT_MERGE, GIT_MERGE_FILE, FileMerge, MergeOptions, Style, merge_file

Case = tuple[bytes | None, bytes, bytes]  # base (None: added on both sides), ours, theirs


# --- git as referee, many cases per process where git allows ----------------------------------------------


def _git(args: Sequence[str], cwd: Path, stdin: bytes = b"") -> bytes:
    proc = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False, timeout=600)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr.decode(errors='replace')}"
    return proc.stdout


def _write_cases(root: Path, cases: Sequence[Case]) -> list[Path]:
    dirs = []
    for k, (base, ours, theirs) in enumerate(cases):
        case = root / str(k)
        case.mkdir(parents=True)
        (case / "base").write_bytes(base or b"")
        (case / "ours").write_bytes(ours)
        (case / "theirs").write_bytes(theirs)
        dirs.append(case)
    return dirs


def git_merge_file(root: Path, cases: Sequence[Case], style: Style = "merge") -> list[FileMerge]:
    """`git merge-file -p` on each case, in one shell loop."""
    flag = {"merge": "", "diff3": "--diff3", "zdiff3": "--zdiff3"}[style]
    dirs = _write_cases(root, cases)
    script = (
        f'for d in "$@"; do git merge-file -p {flag} -L ours -L base -L theirs '
        '"$d/ours" "$d/base" "$d/theirs" > "$d/out"; echo $? > "$d/rc"; done'
    )
    subprocess.run(["sh", "-c", script, "sh", *map(str, dirs)], check=True, timeout=600)
    results = []
    for case in dirs:
        status = int((case / "rc").read_text())
        assert 0 <= status < 128, f"git merge-file failed on {case}"
        results.append(FileMerge((case / "out").read_bytes(), status > 0))
    return results


@dataclass(frozen=True)
class TreeMerged:
    merged: FileMerge
    labels: tuple[bytes, bytes]  # what git wrote after <<<<<<< and >>>>>>>


def git_merge_tree(repo: Path, cases: Sequence[Case]) -> list[TreeMerged]:
    """Each case as three commits (base, ours and theirs on it) merged by one `git merge-tree --stdin`."""
    _git(["init", "-q", "--bare", str(repo)], cwd=repo.parent)
    stream = bytearray()
    marks = iter(range(1, 1 << 30))

    def commit(ref: str, content: bytes | None, parent: int | None) -> int:
        blob = next(marks)
        if content is not None:
            stream.extend(b"blob\nmark :%d\ndata %d\n%s\n" % (blob, len(content), content))
        mark = next(marks)
        stream.extend(
            b"commit refs/heads/%s\nmark :%d\ncommitter T <t@t> 0 +0000\ndata 0\n" % (ref.encode(), mark)
        )
        if parent is not None:
            stream.extend(b"from :%d\n" % parent)
        stream.extend(b"M 100644 :%d f\n\n" % blob if content is not None else b"\n")
        return mark

    pairs = []
    for k, (base, ours, theirs) in enumerate(cases):
        root = commit(f"base{k}", base, None)
        pairs.append((commit(f"ours{k}", ours, root), commit(f"theirs{k}", theirs, root)))
    marks_file = repo / "marks"
    _git(["fast-import", "--quiet", f"--export-marks={marks_file}"], cwd=repo, stdin=bytes(stream))
    ids = dict(line.split(" ") for line in marks_file.read_text().splitlines())
    request = "".join(f"{ids[f':{ours}']} {ids[f':{theirs}']}\n" for ours, theirs in pairs)
    fields = _git(
        ["merge-tree", "--write-tree", "--stdin", "--name-only", "--no-messages"],
        cwd=repo,
        stdin=request.encode(),
    ).split(b"\0")
    trees, clean, at = [], [], 0
    for _ in cases:  # status, tree, conflicted names, then an empty field
        clean.append(fields[at] == b"1")
        trees.append(fields[at + 1])
        at += 2
        while fields[at]:
            at += 1
        at += 1
    contents = _cat_blobs(repo, [tree + b":f" for tree in trees])
    return [
        TreeMerged(FileMerge(content, not ok), (ids[f":{ours}"].encode(), ids[f":{theirs}"].encode()))
        for content, ok, (ours, theirs) in zip(contents, clean, pairs, strict=True)
    ]


def _cat_blobs(repo: Path, names: list[bytes]) -> list[bytes]:
    out = _git(["cat-file", "--batch"], cwd=repo, stdin=b"".join(name + b"\n" for name in names))
    contents, at = [], 0
    for _ in names:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        contents.append(out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1
    return contents


_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def git_diff_hunks(
    root: Path, pairs: Sequence[tuple[bytes, bytes]], algorithm: Algorithm
) -> list[list[Hunk]]:
    """The hunks of `git diff --no-index -U0` (no indent heuristic, as merges) for each pair."""
    flag = "--minimal" if algorithm == "minimal" else f"--diff-algorithm={algorithm}"
    dirs = []
    for k, (a, b) in enumerate(pairs):
        case = root / str(k)
        case.mkdir(parents=True)
        (case / "a").write_bytes(a)
        (case / "b").write_bytes(b)
        dirs.append(case)
    script = (
        f'for d in "$@"; do git diff --no-index --no-color --no-indent-heuristic -U0 {flag} '
        '"$d/a" "$d/b" > "$d/out"; done'
    )
    subprocess.run(["sh", "-c", script, "sh", *map(str, dirs)], check=False, timeout=600)
    results = []
    for case in dirs:
        hunks = []
        for m in _HUNK_HEADER.finditer((case / "out").read_bytes()):
            old, old_n, new, new_n = (int(g) if g is not None else 1 for g in m.groups())
            i1 = old - 1 if old_n else old
            j1 = new - 1 if new_n else new
            hunks.append((i1, i1 + old_n, j1, j1 + new_n))
        results.append(hunks)
    return results


# --- the tally -----------------------------------------------------------------------------------


@dataclass
class Tally:
    total: int = 0
    clean_equal: int = 0
    clean_different: int = 0
    clean_where_git_conflicts: int = 0
    both_conflict: int = 0
    same_conflict_bytes: int = 0
    conflict_where_git_clean: int = 0

    def add(self, mine: FileMerge, git: FileMerge) -> None:
        self.total += 1
        if not mine.conflict and not git.conflict:
            if mine.content == git.content:
                self.clean_equal += 1
            else:
                self.clean_different += 1
        elif not mine.conflict:
            self.clean_where_git_conflicts += 1
        elif not git.conflict:
            self.conflict_where_git_clean += 1
        else:
            self.both_conflict += 1
            self.same_conflict_bytes += mine.content == git.content

    def line(self, what: str) -> str:
        return (
            f"agreement ({what}): {self.clean_equal}/{self.clean_equal + self.clean_different} clean-equal, "
            f"{self.clean_where_git_conflicts} clean-where-git-conflicts, {self.both_conflict} both-conflict "
            f"({self.same_conflict_bytes} with git's bytes), "
            f"{self.conflict_where_git_clean} conflict-where-git-clean, of {self.total}"
        )

    @property
    def exact(self) -> bool:
        return self.clean_equal + self.same_conflict_bytes == self.total


def _compare(
    cases: Sequence[Case], mine: Callable[[int, Case], FileMerge], git: Sequence[FileMerge]
) -> Tally:
    tally = Tally()
    differing = []
    for k, (case, theirs) in enumerate(zip(cases, git, strict=True)):
        ours = mine(k, case)
        tally.add(ours, theirs)
        if ours != theirs:
            differing.append((case, ours, theirs))
    assert tally.exact, f"{len(differing)} differ from git, first: {differing[:1]}"
    return tally


# --- the corpus ----------------------------------------------------------------------------------

_WORDS = ["fix", "add", "remove", "update", "sync", "merge", "branch", "conflict", "remote", "file", "push"]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 7))).capitalize()


def _changelog(rng: random.Random) -> tuple[list[str], Callable[[list[str], str], list[str]]]:
    """A changelog: both sides add entries, mostly at the top."""
    lines = ["# Changelog", ""]
    for version in range(rng.randint(2, 6), 0, -1):
        lines += [f"## 1.{version}.0", ""] + [f"- {_sentence(rng)}" for _ in range(rng.randint(1, 4))] + [""]

    def edit(base: list[str], who: str) -> list[str]:
        side = list(base)
        choice = rng.random()
        if choice < 0.45:  # a new release on top
            side[2:2] = [f"## 2.0.0-{who}", "", f"- {_sentence(rng)} ({who})", ""]
        elif choice < 0.75:  # an entry at the top of the newest release
            side.insert(4, f"- {_sentence(rng)} ({who})")
        else:  # an entry somewhere lower
            at = rng.choice([k for k, line in enumerate(side) if line.startswith("- ")] or [len(side)])
            side.insert(at + rng.randint(0, 1), f"- {_sentence(rng)} ({who})")
        return side

    return lines, edit


def _paragraphs(rng: random.Random) -> tuple[list[str], Callable[[list[str], str], list[str]]]:
    """NEWS or a README: paragraphs separated by blank lines, inserted, edited, removed."""
    lines: list[str] = []
    for _ in range(rng.randint(2, 8)):
        lines += [_sentence(rng) for _ in range(rng.randint(1, 3))] + [""]

    def edit(base: list[str], who: str) -> list[str]:
        side = list(base)
        for _ in range(rng.randint(1, 2)):
            blanks = [k for k, line in enumerate(side) if line == ""] or [0]
            choice = rng.random()
            if choice < 0.5:  # a new paragraph after a blank line (or before it)
                at = rng.choice(blanks) + rng.choice([0, 1])
                new = [f"{_sentence(rng)} ({who})" for _ in range(rng.randint(1, 2))]
                side[at:at] = [*new, ""] if rng.random() < 0.7 else ["", *new]
            elif choice < 0.8 and side:
                k = rng.randrange(len(side))
                side[k] = f"{_sentence(rng)} ({who})" if side[k] else side[k]
            elif side:
                k = rng.randrange(len(side))
                del side[k : k + rng.randint(1, 3)]
        return side

    return lines, edit


def _blocks(rng: random.Random) -> tuple[list[str], Callable[[list[str], str], list[str]]]:
    """A stylesheet, HTML or code: blocks closed by the same line, often blank lines between."""
    close, open_ = rng.choice([("}", ".c{} {{"), ("</div>", '<div class="c{}">'), ("}", "fn f{}() {{")])
    gap = [""] if rng.random() < 0.7 else []
    lines: list[str] = []
    for n in range(rng.randint(2, 7)):
        lines += (
            [open_.format(n)]
            + [f"  p{n}: {rng.randint(0, 9)};" for _ in range(rng.randint(1, 3))]
            + [close]
            + gap
        )

    def edit(base: list[str], who: str) -> list[str]:
        side = list(base)
        ends = [k for k, line in enumerate(side) if line == close] or [len(side) - 1]
        choice = rng.random()
        if choice < 0.5:  # a new block after one
            at = rng.choice(ends) + 1
            side[at:at] = [*gap, open_.format(who), f"  {who}: 1;", close]
        elif choice < 0.75:  # a property at the end of a block
            side.insert(rng.choice(ends), f"  {who}: 2;")
        elif choice < 0.9:  # a block moved elsewhere
            starts = [k for k, line in enumerate(side) if line.startswith(open_[:3])]
            if starts:
                s = rng.choice(starts)
                e = side.index(close, s) + 1 if close in side[s:] else len(side)
                block = side[s:e]
                del side[s:e]
                at = rng.randint(0, len(side))
                side[at:at] = block
        else:
            k = rng.randrange(len(side))
            del side[k]
        return side

    return lines, edit


def _repeated(rng: random.Random) -> tuple[list[str], Callable[[list[str], str], list[str]]]:
    """Few different lines, many repeats: the slides and ties of the diff decide everything."""
    alphabet = rng.choice([["", "}", "a"], ["", "x"], ["</div>", "", "<div>", "t"], ["a", "b", "c", "", "}"]])
    lines = [rng.choice(alphabet) for _ in range(rng.randint(0, 30))]

    def edit(base: list[str], who: str) -> list[str]:
        side = list(base)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(side))
            if rng.random() < 0.6 or not side:
                side[at:at] = [rng.choice([*alphabet, who]) for _ in range(rng.randint(1, 3))]
            else:
                del side[min(at, len(side) - 1) : at + rng.randint(1, 2)]
        return side

    return lines, edit


def _large(rng: random.Random) -> tuple[list[str], Callable[[list[str], str], list[str]]]:
    """A longer file with frequent lines (blank, braces): git's shortcuts for frequent lines apply."""
    lines = [rng.choice(["", "}", "{", f"line {rng.randint(0, 300)}"]) for _ in range(rng.randint(300, 1500))]

    def edit(base: list[str], who: str) -> list[str]:
        side = list(base)
        for _ in range(rng.randint(1, 40)):
            at = rng.randint(0, len(side))
            if rng.random() < 0.5:
                side[at:at] = [
                    rng.choice(["", "}", f"{who} {rng.randint(0, 99)}"]) for _ in range(rng.randint(1, 12))
                ]
            else:
                del side[at : at + rng.randint(1, 12)]
        return side

    return lines, edit


_SHAPES = (_changelog, _paragraphs, _blocks, _repeated, _large)


@functools.cache  # the same cases for each style and referee: made once a process
def corpus(count: int, seed: int = 2024) -> tuple[Case, ...]:
    rng = random.Random(seed)
    cases: list[Case] = []
    while len(cases) < count:
        shape = _SHAPES[len(cases) % len(_SHAPES)]
        base, edit = shape(rng)
        sides = [base, edit(base, "ours"), edit(base, "theirs")]
        eol = "\r\n" if rng.random() < 0.15 else "\n"
        texts = [eol.join(lines) + eol if lines else "" for lines in sides]
        texts = [text[: -len(eol)] if text and rng.random() < 0.1 else text for text in texts]
        if rng.random() < 0.03:  # one side's editor changed the line endings
            texts[1] = texts[1].replace("\r\n", "\n").replace("\n", "\r\n")
        base_text = None if rng.random() < 0.02 else texts[0].encode()
        cases.append((base_text, texts[1].encode(), texts[2].encode()))
    return tuple(cases)


# --- the tests -----------------------------------------------------------------------------------


def test_inserts_on_either_side_of_a_blank_line_merge_cleanly_as_in_git(tmp_path: Path) -> None:
    """What conflicted here before: theirs adds T after b, ours O and a blank line after the blank."""
    base, ours, theirs = b"a\nb\n\nc\n", b"a\nb\n\nO\n\nc\n", b"a\nb\nT\n\nc\n"
    git = git_merge_file(tmp_path, [(base, ours, theirs)])[0]
    assert git == FileMerge(b"a\nb\nT\n\nO\n\nc\n", False)
    assert merge_file(base, ours, theirs, GIT_MERGE_FILE) == git
    assert merge_file(base, ours, theirs) == git


def test_the_line_diff_gives_up_a_shortest_script_where_git_does(tmp_path: Path) -> None:
    """git changes a frequent line among lines the other side lacks without searching for it: here
    the `b` that both sides have is replaced, one line more than the shortest script."""
    a, b = b"a\nc\nc\na\na\na\nc\nc\nb\nc\na\n", b"b\n" * 6
    expected = git_diff_hunks(tmp_path, [(a, b)], "myers")[0]
    assert expected == [(0, 11, 0, 6)]
    assert diff_hunks(split_lines(a), split_lines(b)) == expected


@pytest.mark.slow
@pytest.mark.parametrize("style", ["merge", "diff3", "zdiff3"])
def test_corpus_merges_as_git_merge_file(tmp_path: Path, style: Style) -> None:
    cases = corpus(1000)
    git = git_merge_file(tmp_path, cases, style)
    options = replace(GIT_MERGE_FILE, style=style)
    tally = _compare(cases, lambda _k, case: merge_file(*case, options), git)
    print(tally.line(f"git merge-file, {style}"))
    assert tally.conflict_where_git_clean == 0 and tally.clean_where_git_conflicts == 0
    assert tally.clean_equal > 300 and tally.both_conflict > 100  # the corpus has both kinds


@pytest.mark.slow
def test_corpus_merges_as_git_merge_tree(tmp_path: Path) -> None:
    cases = corpus(1000)
    git = git_merge_tree(tmp_path / "repo.git", cases)

    def mine(k: int, case: Case) -> FileMerge:
        return merge_file(*case, replace(GIT_MERGE, labels=(git[k].labels[0], b"base", git[k].labels[1])))

    tally = _compare(cases, mine, [result.merged for result in git])
    print(tally.line("git merge-tree"))
    assert tally.conflict_where_git_clean == 0 and tally.clean_where_git_conflicts == 0
    assert tally.clean_equal > 300 and tally.both_conflict > 100


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["myers", "minimal", "histogram"])
def test_line_diff_finds_git_diffs_hunks(tmp_path: Path, algorithm: Algorithm) -> None:
    pairs = [(base or b"", side) for base, ours, theirs in corpus(400, seed=7) for side in (ours, theirs)]
    git = git_diff_hunks(tmp_path, pairs, algorithm)
    for (a, b), expected in zip(pairs, git, strict=True):
        assert diff_hunks(split_lines(a), split_lines(b), algorithm) == expected, (a, b)


# Small edits around blank and repeated lines, each checked against both referees.

_LINE = st.sampled_from([b"", b"}", b"</div>", b"a", b"b", b"x"])


@st.composite
def _small_case(draw: st.DrawFn) -> Case:
    base = draw(st.lists(_LINE, max_size=10))

    def side(tag: bytes) -> list[bytes]:
        lines = list(base)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(lines)))
            if not lines or draw(st.booleans()):
                lines[at:at] = draw(st.lists(st.one_of(_LINE, st.just(tag)), min_size=1, max_size=3))
            else:
                del lines[min(at, len(lines) - 1) : at + draw(st.integers(1, 2))]
        return lines

    eol = draw(st.sampled_from([b"\n", b"\n", b"\r\n"]))
    texts = [eol.join(lines) + eol if lines else b"" for lines in (base, side(b"O"), side(b"T"))]
    if draw(st.booleans()):  # no final newline on one of them
        k = draw(st.integers(0, 2))
        texts[k] = texts[k][: -len(eol)] if texts[k] else texts[k]
    return texts[0], texts[1], texts[2]


# 120 cases, 10 to an example: each referee runs once for the ten (a case per example ran
# eight git and sh processes for each case).
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(_small_case(), min_size=10, max_size=10))
@pytest.mark.slow
def test_small_edits_merge_as_git(tmp_path_factory: pytest.TempPathFactory, cases: list[Case]) -> None:
    root = tmp_path_factory.mktemp("cases")
    for style in ("merge", "zdiff3"):
        for case, git in zip(cases, git_merge_file(root / style, cases, style), strict=True):
            mine = merge_file(*case, replace(GIT_MERGE_FILE, style=style))
            assert (mine.conflict, mine.content) == (git.conflict, git.content), case
    for case, tree in zip(cases, git_merge_tree(root / "repo.git", cases), strict=True):
        mine = merge_file(*case, replace(GIT_MERGE, labels=(tree.labels[0], None, tree.labels[1])))
        assert (mine.conflict, mine.content) == (tree.merged.conflict, tree.merged.content), case


def test_options_name_the_markers(tmp_path: Path) -> None:
    case = (b"a\nb\nc\n", b"a\nX\nc\n", b"a\nY\nc\n")
    options = MergeOptions(
        algorithm="myers", style="diff3", labels=(b"HEAD", b"merged", b"side"), marker_size=9
    )
    merged = merge_file(*case, options)
    assert merged == FileMerge(
        b"a\n<<<<<<<<< HEAD\nX\n||||||||| merged\nb\n=========\nY\n>>>>>>>>> side\nc\n", True
    )


@pytest.mark.slow
def test_reusing_a_scan_changes_no_histogram_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    """`histogram_replay` only saves work: with it and without it, the same changed lines."""
    rng = random.Random(5)
    pairs = []
    for _ in range(300):
        vocabulary = rng.choice([4, 20, 200, 100_000])
        a = [rng.randrange(vocabulary) for _ in range(rng.randint(20, 600))]
        b = list(a)
        for _ in range(rng.randint(1, len(a) // 4)):
            at = rng.randint(0, len(b))
            if rng.random() < 0.4:
                b[at:at] = [rng.randrange(2 * vocabulary) for _ in range(rng.randint(1, 3))]
            elif rng.random() < 0.6:
                del b[at : at + rng.randint(1, 3)]
            else:  # a block moved
                block = b[at : at + rng.randint(1, 8)]
                del b[at : at + len(block)]
                to = rng.randint(0, len(b))
                b[to:to] = block
        pairs.append((a, b))
    replayed = [histogram_changes(a, b) for a, b in pairs]
    monkeypatch.setattr(VisitLog, "replay", lambda *_args: None)
    assert [histogram_changes(a, b) for a, b in pairs] == replayed


def test_a_diff_past_the_work_bound_is_a_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line moved: within the bound git's answer, past it a conflict (never a clean merge)."""
    lines = [b"line %d\n" % k for k in range(2000)]
    moved = random.Random(1).sample(lines, len(lines))
    base, ours, theirs = b"".join(lines), b"".join(moved), b"".join(lines[1:])
    assert (
        merge_file(base, ours, theirs, GIT_MERGE_FILE) == git_merge_file(tmp_path, [(base, ours, theirs)])[0]
    )
    monkeypatch.setattr(diff_budget, "LIMIT", 10_000)
    with pytest.raises(TooCostly):
        diff_hunks(lines, moved)
    assert merge_file(base, ours, theirs, GIT_MERGE_FILE) == FileMerge(ours, True)
    assert merge_file(base, ours, theirs) == FileMerge(ours, True)
