"""The repository's worktrees, and the branches they use, as git sees them.

`git worktree add` gives one repository several working trees: the main one
and linked ones, each with its own HEAD, index and state files under
`<common dir>/worktrees/<id>/`, all sharing the common dir's objects and
branches. A branch that one worktree has checked out must not be moved from
another: that worktree's index and files would then stand for the old commit,
and its next ordinary commit would silently revert whatever the move brought.

git refuses such moves (`git branch -f`, `git fetch` into a branch: "cannot
force update the branch used by worktree"); which branches count is decided
here as git's `branch_checked_out()` decides it (branch.c, worktree.c,
wt-status.c): every worktree listed under `worktrees/` whose `gitdir` file
can be read, including those whose folder was deleted but not yet pruned;
a bare main worktree uses nothing; a worktree uses the branch its HEAD names,
the branch a rebase in it is rewriting (`rebase-merge/head-name`,
`rebase-apply/head-name`, not `git am`), the branch a bisect in it started
from (`BISECT_START`, while `BISECT_LOG` exists), and the branches a
`rebase --update-refs` in it will move (`rebase-merge/update-refs`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum

from dulwich.config import ConfigFile
from dulwich.refs import DiskRefsContainer, Ref
from dulwich.repo import Repo

from core.model import CHECKED_OUT_USE, held_here_said, in_worktree_said
from core.phrase import Phrase, phrase

_HEADS = "refs/heads/"
_FULL_ID = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")


@dataclass(frozen=True)
class Worktree:
    """One worktree of a repository: its directory, git directory and HEAD."""

    path: str  # its working directory; it may be gone (deleted, not pruned)
    git_dir: str  # HEAD, index and operation state: the common dir for the main worktree
    head_ref: str | None  # the ref HEAD names; None when detached or unreadable
    current: bool  # the worktree the repository was opened at
    bare: bool = False


class Use(StrEnum):
    CHECKED_OUT = CHECKED_OUT_USE  # what `BranchStatus.worktree_use` names it
    REBASE = "being rebased"
    BISECT = "being bisected from"
    UPDATE_REFS = "to be moved by a rebase"


# Each use as a message says it (its value, translatable).
_USE_SAID = {
    Use.CHECKED_OUT: phrase("checked out"),
    Use.REBASE: phrase("being rebased"),
    Use.BISECT: phrase("being bisected from"),
    Use.UPDATE_REFS: phrase("to be moved by a rebase"),
}


@dataclass(frozen=True)
class BranchUse:
    """A branch a worktree uses: checked out, being rebased or bisected from, or to be moved by a rebase."""

    branch: str  # short name
    use: Use
    worktree: Worktree

    def describe(self) -> str:
        """'checked out in the worktree at /x' (with a hint when its folder is gone)."""
        return self.said().english()

    def said(self) -> Phrase:
        """Its use in another worktree, at its path; in the repository's own (a rebase or
        bisect stopped here) what to do, as git says of it (`held_here_said`)."""
        if self.worktree.current:
            return held_here_said(self.use)
        use, path = _USE_SAID[self.use], self.worktree.path
        return in_worktree_said(phrase("{use} in the worktree at {path}", use=use, path=path), path)


@dataclass(frozen=True)
class BranchUses:
    """Every use of a branch in the repository's worktrees, and the worktrees listed."""

    uses: list[BranchUse]
    worktrees: list[Worktree]

    def elsewhere(self, branch: str) -> BranchUse | None:
        """A use of `branch` other than being the current worktree's checked-out branch
        (which a sync integrates together with its working tree): a reason to leave it alone."""
        for use in self.uses:
            if use.branch == branch and not (use.worktree.current and use.use is Use.CHECKED_OUT):
                return use
        return None

    def held_refs(self) -> dict[str, str]:
        """`refs/heads/<branch>` -> the folder of the (first) worktree using it: what a
        fetch must never write into (git's `branch_checked_out()`)."""
        held: dict[str, str] = {}
        for use in self.uses:
            held.setdefault(_HEADS + use.branch, use.worktree.path)
        return held

    def by_operations(self) -> dict[str, BranchUse]:
        """Branches a rebase, bisect or `rebase --update-refs` in some worktree holds:
        pushing one now would publish what that operation is about to replace."""
        return {u.branch: u for u in self.uses if u.use is not Use.CHECKED_OUT}


def list_worktrees(repo: Repo) -> list[Worktree]:
    """The main worktree, then the linked ones, as `git worktree list` shows them."""
    common = repo.commondir()
    here = os.path.realpath(repo.controldir())
    main = os.path.realpath(common)
    found = [
        Worktree(
            path=main.removesuffix(os.sep + ".git"),
            git_dir=common,
            head_ref=_head_ref(common, None),
            current=here == main,
            bare=_main_is_bare(repo),
        )
    ]
    admin = os.path.join(common, "worktrees")
    try:
        ids = sorted(os.listdir(admin))
    except OSError:
        ids = []
    for worktree_id in ids:
        git_dir = os.path.join(admin, worktree_id)
        path = _linked_path(git_dir)
        if path is None:
            continue  # no readable gitdir file: git does not list it either
        found.append(
            Worktree(
                path=path,
                git_dir=git_dir,
                head_ref=_head_ref(common, git_dir),
                current=here == os.path.realpath(git_dir),
            )
        )
    return found


def branch_uses(repo: Repo) -> BranchUses:
    """Every use of a local branch by any worktree of `repo`'s repository."""
    uses: list[BranchUse] = []
    worktrees = list_worktrees(repo)
    for worktree in worktrees:
        if worktree.bare:
            continue
        if worktree.head_ref is not None and worktree.head_ref.startswith(_HEADS):
            uses.append(BranchUse(worktree.head_ref[len(_HEADS) :], Use.CHECKED_OUT, worktree))
        rebased = rebased_branch(worktree.git_dir)
        if rebased is not None:
            uses.append(BranchUse(rebased, Use.REBASE, worktree))
        bisected = _bisected_branch(worktree.git_dir)
        if bisected is not None:
            uses.append(BranchUse(bisected, Use.BISECT, worktree))
        uses.extend(BranchUse(name, Use.UPDATE_REFS, worktree) for name in _update_refs(worktree.git_dir))
    return BranchUses(uses, worktrees)


def rebased_branch(git_dir: str) -> str | None:
    """The branch a rebase in this worktree is rewriting; None without one (or for `git am`,
    which applies onto whatever HEAD is)."""
    apply = os.path.join(git_dir, "rebase-apply")
    if os.path.isdir(apply):
        if os.path.exists(os.path.join(apply, "applying")):
            return None
        return _state_branch(os.path.join(apply, "head-name"))
    merge = os.path.join(git_dir, "rebase-merge")
    if os.path.isdir(merge):
        return _state_branch(os.path.join(merge, "head-name"))
    return None


def _bisected_branch(git_dir: str) -> str | None:
    if not os.path.exists(os.path.join(git_dir, "BISECT_LOG")):
        return None
    return _state_branch(os.path.join(git_dir, "BISECT_START"))


def _state_branch(path: str) -> str | None:
    """The branch an operation's state file names: `refs/heads/x` or `x` (bisect);
    None for a commit id, `detached HEAD`, another kind of ref or no file."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape").rstrip("\n")
    except OSError:
        return None
    if not text or text == "detached HEAD" or _FULL_ID.fullmatch(text):
        return None
    if text.startswith(_HEADS):
        return text[len(_HEADS) :]
    return None if text.startswith("refs/") else text


def _update_refs(git_dir: str) -> list[str]:
    """`rebase-merge/update-refs`: ref, old id, new id, three lines per branch; git
    ignores the whole file when one record is incomplete."""
    try:
        with open(os.path.join(git_dir, "rebase-merge", "update-refs"), "rb") as f:
            lines = f.read().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return []
    records = [lines[i : i + 3] for i in range(0, len(lines), 3)]
    if any(len(r) != 3 or not all(_FULL_ID.fullmatch(h) for h in r[1:]) for r in records):
        return []
    return [r[0][len(_HEADS) :] for r in records if r[0].startswith(_HEADS)]


def _head_ref(common: str, git_dir: str | None) -> str | None:
    """The ref a worktree's HEAD names (symbolic refs followed), as git's add_head_info."""
    refs = DiskRefsContainer(common, git_dir)
    try:
        chain, _sha = refs.follow(Ref(b"HEAD"))
    except (OSError, ValueError, KeyError):  # unreadable, a symref loop (SymrefLoop is a KeyError)
        return None
    return chain[-1].decode("utf-8", "surrogateescape") if len(chain) >= 2 else None


def _linked_path(git_dir: str) -> str | None:
    """A linked worktree's folder, from its `gitdir` file (`<folder>/.git`)."""
    try:
        with open(os.path.join(git_dir, "gitdir"), "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape").rstrip("\r\n")
    except OSError:
        return None
    if not text:
        return None
    text = text.removesuffix("/.git")
    if not os.path.isabs(text):
        text = os.path.realpath(os.path.join(git_dir, text))
    return text


def _main_is_bare(repo: Repo) -> bool:
    """`core.bare` in the common config, or in the main worktree's `config.worktree`."""
    if repo.get_config().get_boolean(b"core", b"bare", False):
        return True
    try:
        config = ConfigFile.from_path(os.path.join(repo.commondir(), "config.worktree"))
    except (OSError, ValueError):
        return False
    return config.get_boolean(b"core", b"bare", False)
