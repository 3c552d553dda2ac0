"""Reproductions of the dulwich 1.2.21 behaviours that made `core/git` do a piece by hand
where speed was not the reason (`python -m bench.handwritten defects`).

Each case builds a small repository with the git CLI in a scratch directory, asks dulwich,
Gitferry and git the same question, and prints the three answers side by side. A case
whose dulwich answer agrees with git's says so ("fixed?"): then the hand-written piece
should go back to dulwich.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path

from dulwich import porcelain
from dulwich.diff_tree import tree_changes
from dulwich.ignore import IgnoreFilterManager
from dulwich.merge import merge_blobs, three_way_merge
from dulwich.objects import Blob, Commit, ObjectID
from dulwich.repo import Repo

from bench.gitenv import git, scratch
from bench.stats import Table
from core.errors import GitferryError
from core.git.history.commit_graph_file import load_commit_graph
from core.git.merge.merge_file import merge_file
from core.git.merge.merge_tree import merge_commits
from core.git.objects.object_overlay import ObjectOverlay
from core.git.objects.tree_delta import tree_delta
from core.git.worktree.autocommit import auto_commit
from core.git.worktree.ignore_rules import IgnoreRules

Case = Callable[[Path], tuple[str, str, str, bool]]
"""(dulwich's answer, Gitferry's, git's, whether dulwich's differs from git's)."""


def commit_all(repo: Path, message: str) -> str:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


def new_repo(path: Path) -> Path:
    git("init", "-q", str(path))
    return path


def mode_only_change(tmp: Path) -> tuple[str, str, str, bool]:
    """One side makes a file executable, the other edits a different line of it."""
    repo = new_repo(tmp / "chmod")
    (repo / "run.sh").write_text("one\ntwo\nthree\nfour\n")
    base = commit_all(repo, "base")
    git("checkout", "-q", "-b", "theirs", cwd=repo)
    (repo / "run.sh").write_text("one\ntwo\nthree\nFOUR\n")
    theirs = commit_all(repo, "theirs: edit")
    git("checkout", "-q", "main", cwd=repo)
    (repo / "run.sh").chmod(0o755)
    ours = commit_all(repo, "ours: chmod +x")
    by_git = subprocess.run(
        ["git", "merge-tree", "--write-tree", ours, theirs], cwd=repo, capture_output=True, check=False
    )
    with Repo(str(repo)) as r:
        commits = [r[sha.encode()] for sha in (base, ours, theirs)]
        assert all(isinstance(c, Commit) for c in commits)
        _tree, conflicts = three_way_merge(r.object_store, *commits)  # type: ignore[arg-type]
        mine = merge_commits(
            r, ObjectOverlay(r.object_store), ObjectID(ours.encode()), ObjectID(theirs.encode())
        )
    dulwich = "conflict" if conflicts else "clean"
    ours_says = "clean" if mine.clean else "conflict"
    return dulwich, ours_says, "clean" if by_git.returncode == 0 else "conflict", bool(conflicts)


def marker_text_in_file(tmp: Path) -> tuple[str, str, str, bool]:
    """A file that documents conflict markers, edited on both sides in separate places."""
    base = b"intro\n<<<<<<< ours\nis how a conflict starts\nmiddle\n" + b"filler\n" * 6 + b"end\n"
    ours = base.replace(b"intro", b"INTRO")
    theirs = base.replace(b"end\n", b"END\n")
    mine = merge_file(base, ours, theirs)
    _content, conflicted = merge_blobs(
        Blob.from_string(base), Blob.from_string(ours), Blob.from_string(theirs)
    )
    for name, data in (("base", base), ("ours", ours), ("theirs", theirs)):
        (tmp / name).write_bytes(data)
    by_git = subprocess.run(
        ["git", "merge-file", "-p", "ours", "base", "theirs"], cwd=tmp, capture_output=True, check=False
    )
    return (
        "conflict" if conflicted else "clean",
        "conflict" if mine.conflict else "clean",
        "clean" if by_git.returncode == 0 else "conflict",
        conflicted != (by_git.returncode != 0),
    )


def exclude_precedence(tmp: Path) -> tuple[str, str, str, bool]:
    """`core.excludesFile` says `*.log`, `.git/info/exclude` says `!keep.log`."""
    repo = new_repo(tmp / "ignore")
    excludes = tmp / "global-excludes"
    excludes.write_text("*.log\n")
    git("config", "core.excludesFile", str(excludes), cwd=repo)
    with (repo / ".git" / "info" / "exclude").open("a") as f:
        f.write("!keep.log\n")
    (repo / "keep.log").write_text("x\n")
    ignored_by_git = (
        subprocess.run(["git", "check-ignore", "-q", "keep.log"], cwd=repo, check=False).returncode == 0
    )
    with Repo(str(repo)) as r:
        by_dulwich = bool(IgnoreFilterManager.from_repo(r).is_ignored("keep.log"))
        rules = IgnoreRules(os.fsencode(repo), os.fsencode(repo / ".git"), r.get_config_stack())
        by_us = rules.top().ignored(b"keep.log", is_dir=False)

    def say(ignored: bool) -> str:
        return "ignored" if ignored else "not ignored"

    return say(by_dulwich), say(by_us), say(ignored_by_git), by_dulwich != ignored_by_git


def rebase_leaves_worktree(tmp: Path) -> tuple[str, str, str, bool]:
    """porcelain.rebase onto an upstream that changed another file."""
    repo = new_repo(tmp / "rebase")
    (repo / "a.txt").write_text("a\n")
    (repo / "b.txt").write_text("b\n")
    commit_all(repo, "base")
    git("checkout", "-q", "-b", "upstream", cwd=repo)
    (repo / "a.txt").write_text("a, upstream\n")
    commit_all(repo, "upstream changes a")
    git("checkout", "-q", "main", cwd=repo)
    (repo / "b.txt").write_text("b, local\n")
    commit_all(repo, "local changes b")
    porcelain.rebase(str(repo), "upstream")
    status = git("status", "--porcelain", cwd=repo) or "clean"
    return f"status {status!r}", "status clean (test_integrate.py)", "status clean", status != "clean"


def raw_names_in_trees(tmp: Path) -> tuple[str, str, str, bool]:
    """A tree entry named `a/b`, and a tree holding `link` twice (a symlink and a directory)."""
    repo = new_repo(tmp / "names")
    with Repo(str(repo)) as r:
        blob = _hash_object(repo, "blob", b"payload\n")
        slash = _hash_object(repo, "tree", _entry(0o100644, b"a/b", blob))
        inner = _hash_object(repo, "tree", _entry(0o100644, b"b", blob))
        proper = _hash_object(repo, "tree", _entry(0o40000, b"a", inner))
        twice = _hash_object(repo, "tree", _entry(0o120000, b"link", blob) + _entry(0o40000, b"link", inner))
        paths = {
            name: sorted(
                c.new.path.decode()
                for c in tree_changes(r.object_store, None, ObjectID(tree.encode()))
                if c.new is not None and c.new.path is not None
            )
            for name, tree in (("slash", slash), ("proper", proper), ("twice", twice))
        }
        refused = [
            _refused(partial(tree_delta, r.object_store, None, ObjectID(t.encode()))) for t in (slash, twice)
        ]
    fsck = subprocess.run(
        ["git", "fsck", "--no-dangling"], cwd=repo, capture_output=True, text=True, check=False
    )
    complaints = sum(
        1
        for line in (fsck.stdout + fsck.stderr).splitlines()
        if "full pathnames" in line or "duplicate" in line
    )
    dulwich = f"{paths['slash']} as for a real a/b; {paths['twice']} (symlink lost)"
    ours = "both refused" if all(refused) else "accepted"
    return dulwich, ours, f"fsck: {complaints} errors", paths["slash"] == paths["proper"]


def split_commit_graph(tmp: Path) -> tuple[str, str, str, bool]:
    """A commit-graph written as a chain of split files (`git commit-graph write --split`)."""
    repo = new_repo(tmp / "split")
    for n in range(3):
        (repo / "f.txt").write_text(f"{n}\n")
        commit_all(repo, f"commit {n}")
    git("commit-graph", "write", "--reachable", "--split", cwd=repo)
    objects = repo / ".git" / "objects"
    with Repo(str(repo)) as r:
        found = r.object_store.get_commit_graph()
    ours = load_commit_graph(str(objects))
    verify = subprocess.run(["git", "commit-graph", "verify"], cwd=repo, capture_output=True, check=False)
    return (
        "no graph" if found is None else f"{len(found)} commits",
        "no graph" if ours is None else f"{len(ours)} commits",
        f"verify {'ok' if verify.returncode == 0 else 'failed'}, 3 commits",
        found is None,
    )


def _committed_blob(tmp: Path, attributes: str, data: bytes, autocrlf: str) -> tuple[str, str, str, bool]:
    """The blob of `f.dat` (holding `data`, under `attributes`, core.autocrlf as given) as
    dulwich's `porcelain.add`, Gitferry's auto-commit and `git add` make it."""
    made = {}
    for who in ("dulwich", "gitferry", "git"):
        repo = new_repo(tmp / who)
        git("config", "core.autocrlf", autocrlf, cwd=repo)
        (repo / ".gitattributes").write_text(attributes)
        (repo / "f.dat").write_bytes(data)
        if who == "dulwich":
            porcelain.add(str(repo), paths=[str(repo / "f.dat")])
        elif who == "git":
            git("add", "f.dat", cwd=repo)
        else:
            with Repo(str(repo)) as r:
                auto_commit(r, max_file_size=1 << 20, host="bench")
        blob = git("rev-parse", ":f.dat", cwd=repo)
        made[who] = "CRLF kept" if b"\r\n" in _blob_bytes(repo, blob) else "CRLF made LF"
    return made["dulwich"], made["gitferry"], made["git"], made["dulwich"] != made["git"]


def _blob_bytes(repo: Path, blob: str) -> bytes:
    return subprocess.run(["git", "cat-file", "blob", blob], cwd=repo, capture_output=True, check=True).stdout


def binary_macro(tmp: Path) -> tuple[str, str, str, bool]:
    """`*.dat binary` (git's built-in macro for -diff -merge -text), core.autocrlf=true."""
    return _committed_blob(tmp, "*.dat binary\n", b"one\r\ntwo\r\n", "true")


def explicit_text_with_a_nul(tmp: Path) -> tuple[str, str, str, bool]:
    """`*.dat text` on a content with a NUL: an explicit text attribute converts whatever it holds."""
    return _committed_blob(tmp, "*.dat text\n", b"a\x00b\r\nc\r\n", "false")


def auto_with_a_lone_cr(tmp: Path) -> tuple[str, str, str, bool]:
    """`*.dat text=auto` on CRLF text with one lone CR: binary to git's heuristic."""
    return _committed_blob(tmp, "*.dat text=auto\n", b"a\rb\r\nc\r\n", "false")


def _hash_object(repo: Path, kind: str, data: bytes) -> str:
    proc = subprocess.run(
        ["git", "hash-object", "--literally", "-t", kind, "-w", "--stdin"],
        cwd=repo,
        input=data,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode().strip()


def _entry(mode: int, name: bytes, sha: str) -> bytes:
    return b"%o %s\x00%s" % (mode, name, bytes.fromhex(sha))


def _refused(call: Callable[[], object]) -> bool:
    try:
        call()
    except GitferryError:
        return True
    return False


CASES: dict[str, Case] = {
    "D1 chmod on one side, edit on the other (merge.three_way_merge)": mode_only_change,
    "D2 file holding '<<<<<<< ours', clean edits (merge.merge_blobs)": marker_text_in_file,
    "D3 keep.log: info/exclude '!keep.log' vs excludesFile '*.log'": exclude_precedence,
    "D4 working tree after porcelain.rebase": rebase_leaves_worktree,
    "D5 tree entries 'a/b' and 'link' twice (diff_tree.tree_changes)": raw_names_in_trees,
    "D6 split commit-graph chain (get_commit_graph)": split_commit_graph,
    "D7 '*.dat binary', autocrlf=true (attrs: no macros)": binary_macro,
    "D8 '*.dat text' on content with a NUL (LineEndingFilter)": explicit_text_with_a_nul,
    "D9 '*.dat text=auto', CRLFs and a lone CR (LineEndingFilter)": auto_with_a_lone_cr,
}


def reproduce() -> Table:
    table = Table(
        "dulwich 1.2.21 behaviours behind hand-written pieces",
        ["case", "dulwich", "gitferry", "git", "dulwich differs"],
    )
    with scratch("defects") as tmp:
        for n, (name, case) in enumerate(CASES.items()):
            where = tmp / str(n)
            where.mkdir()
            dulwich, ours, by_git, differs = case(where)
            table.add(name, dulwich, ours, by_git, "yes" if differs else "no (fixed?)")
    return table
