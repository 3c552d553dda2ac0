"""Property: two auto-commit clones, saving and syncing in any order, lose no saved version.

A hypothesis state machine drives two auto-commit clones of one bare remote
(by path) through file saves (new content at a few paths, deletions) and
`sync_repository` on either clone, with the merge or the rebase strategy.
Every save writes content never written before, so a version can be found
by its blob id. Invariants:

- every version of every file that was present at a sync of its clone ends up
  in the remote's history, at its path or as a conflict copy of it;
- stronger, since history alone keeps every committed version (as a merge's
  parent): every such version that no save or delete replaced afterwards (on a
  clone where it was on disk) is in the remote's final tree, at its path or as
  a conflict copy of it. Keep-both merges are what make this hold;
- after a final round (each clone synced twice) both clones have the remote's
  tree at HEAD and a clean `git status`; `git fsck` is clean everywhere.
"""

from __future__ import annotations

import asyncio
import itertools
import posixpath
import shutil
import tempfile
from pathlib import Path

import pytest
from dulwich.objects import Blob
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.git.merge.conflict_copies import is_copy
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import porcelain, register_repo, sync_repo

pytestmark = pytest.mark.slow  # over a second a test (README, "Tests")

CLONES = ("left", "right")
PATHS = ("a.txt", "notes/b.md", ".env", "README")
_names = itertools.count()


def tree_paths(bare: Path) -> dict[str, set[str]]:
    """Blob id -> its paths in the tree of the remote's `main`."""
    found: dict[str, set[str]] = {}
    for line in git("ls-tree", "-r", "-z", "main", cwd=bare).split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            found.setdefault(meta.split()[2], set()).add(path)
    return found


def history_paths(bare: Path) -> dict[str, set[str]]:
    """Blob id -> every path it was ever committed at in the remote's history (git's view)."""
    raw = ("--raw", "-z", "-m", "--root", "--no-renames", "--no-abbrev", "--format=")
    out = git("log", "--all", *raw, cwd=bare)
    fields = out.split("\0")
    found: dict[str, set[str]] = {}
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        new_blob = meta.split()[3] if meta.startswith(":") else ""
        found.setdefault(new_blob, set()).add(path)
    return found


def kept_at(path: str, where: set[str]) -> bool:
    """Whether `path` or a conflict copy of it (same directory, same stem) is among `where`."""
    directory, name = posixpath.split(path)
    stem = posixpath.splitext(name)[0] if not name.startswith(".") or name.count(".") > 1 else name
    copies = (p for p in where if is_copy(p) and posixpath.dirname(p) == directory)
    return path in where or any(posixpath.basename(p).startswith(f"{stem} (conflict ") for p in copies)


class AutoCommitClones(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="gitferry-autocommit-prop-"))
        self.names: dict[str, str] = {}
        self.counter = itertools.count()
        self.required: set[tuple[str, str]] = set()  # (path, content) present at a sync
        self.replaced: set[tuple[str, str]] = set()  # (path, content) a save or delete replaced

    @initialize(strategy=st.sampled_from(["merge", "rebase"]))
    def make(self, strategy: str) -> None:
        event(f"strategy {strategy}")
        bare = self.root / "origin.git"
        git("init", "-q", "--bare", "-b", "main", str(bare))
        seed = self.root / "seed"
        git("init", "-q", "-b", "main", str(seed))
        commit_file(seed, "a.txt", "seed\n")
        git("push", "-q", str(bare), "main", cwd=seed)
        for clone in CLONES:
            git("clone", "-q", str(bare), str(self.root / clone))
            self.names[clone] = f"{clone}{next(_names)}"
            asyncio.run(
                register_repo(
                    self.root / clone, self.names[clone], {"strategy": strategy, "auto_commit": "true"}
                )
            )

    def _on_disk(self, clone: str, path: str) -> str | None:
        target = self.root / clone / path
        return target.read_text() if target.is_file() else None

    def _replace(self, clone: str, path: str) -> Path:
        old = self._on_disk(clone, path)
        if old is not None:
            self.replaced.add((path, old))
        return self.root / clone / path

    @rule(clone=st.sampled_from(CLONES), path=st.sampled_from(PATHS))
    def save(self, clone: str, path: str) -> None:
        target = self._replace(clone, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{clone} save {next(self.counter)}\n")

    @rule(clone=st.sampled_from(CLONES), path=st.sampled_from(PATHS))
    def delete(self, clone: str, path: str) -> None:
        self._replace(clone, path).unlink(missing_ok=True)

    @rule(path=st.sampled_from(PATHS), first=st.sampled_from(CLONES))
    def both_save_then_sync(self, path: str, first: str) -> None:
        """The likeliest conflict: the same file saved on both clones between their syncs."""
        for clone in CLONES:
            self.save(clone, path)
        self.sync(first)
        self.sync(CLONES[1 - CLONES.index(first)])

    @rule(clone=st.sampled_from(CLONES))
    def sync(self, clone: str) -> None:
        on_disk = {(path, self._on_disk(clone, path)) for path in PATHS}
        self.required |= {(path, content) for path, content in on_disk if content is not None}
        report = asyncio.run(sync_repo(self.names[clone]))
        assert report.result in ("ok", "up_to_date"), report
        event(f"sync kept both sides: {bool(report.kept_both)}")

    @invariant()
    def no_conflict_marker_committed(self) -> None:
        for clone in self.names:
            tracked = git("grep", "-l", "-e", "<<<<<<<", "HEAD", cwd=self.root / clone, check=False)
            assert tracked == "", tracked

    def teardown(self) -> None:
        try:
            if self.names:
                self._converge_and_check()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _converge_and_check(self) -> None:
        for clone in (*CLONES, *CLONES):
            self.sync(clone)
        bare = self.root / "origin.git"
        tree = git("rev-parse", "main^{tree}", cwd=bare)
        for clone in CLONES:
            worktree = self.root / clone
            assert git("rev-parse", "HEAD^{tree}", cwd=worktree) == tree
            assert porcelain(worktree) == ""
            fsck(worktree)
        fsck(bare)
        history, final = history_paths(bare), tree_paths(bare)
        for path, content in sorted(self.required):
            blob = Blob.from_string(content.encode()).id.decode()
            assert kept_at(path, history.get(blob, set())), ("lost from history", path, content)
            if (path, content) not in self.replaced:
                assert kept_at(path, final.get(blob, set())), ("not in the final tree", path, content)


TestAutoCommitClones = AutoCommitClones.TestCase
TestAutoCommitClones.settings = settings(
    max_examples=8,
    stateful_step_count=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: it takes minutes
    suppress_health_check=[HealthCheck.too_slow],
)
