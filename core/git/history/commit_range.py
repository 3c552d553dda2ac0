"""What a range of history holds, for a person: the commits from one head to another
(subject, author, when) and the files that differ between them (`git log old..new`,
`git diff --name-only old new`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dulwich.diff_tree import tree_changes
from dulwich.errors import NotTreeError
from dulwich.objects import Commit, ObjectID, Tree
from dulwich.repo import Repo

_COUNTED = 10_000


@dataclass(frozen=True)
class CommitSummary:
    sha: str
    subject: str
    author: str
    when: datetime


@dataclass(frozen=True)
class CommitRange:
    commits: list[CommitSummary]  # newest first, at most the limit asked for
    more: int  # commits beyond those (0: all are listed), counted up to 10,000
    files: list[str]  # paths that differ between the two ends, sorted
    missing: bool = False  # an end is no longer in the repository (pruned): nothing listed
    # with `arrived`: paths the integration itself added, in neither `old` nor `arrived` (a
    # keep-both copy of this computer's version), sorted; left out of `files`
    made_here: list[str] = field(default_factory=list)


def commit_range(
    repo: Repo,
    old: str | None,
    new: str,
    *,
    arrived: str | None = None,
    limit: int = 50,
    file_limit: int = 500,
) -> CommitRange:
    """The commits reachable from `arrived` (None: from `new`) and not from `old` (None:
    all of them), and the files changed from `old` to `new`. `arrived`: an upstream's head
    integrated into `new`, whose own merge commit or rebased local commits did not come in;
    nor did a file the integration added that neither side had (`made_here`)."""
    new_id = ObjectID(new.encode())
    old_id = ObjectID(old.encode()) if old else None
    walked_from = ObjectID(arrived.encode()) if arrived else new_id
    ends = [new_id, walked_from] + ([old_id] if old_id is not None else [])
    if any(end not in repo.object_store for end in ends):
        return CommitRange([], 0, [], missing=True)
    commits: list[CommitSummary] = []
    more = 0
    for walked in repo.get_walker(
        include=[walked_from], exclude=[old_id] if old_id else None, max_entries=limit + _COUNTED
    ):
        if len(commits) < limit:
            commits.append(_summary(walked.commit))
        else:
            more += 1
    old_tree = repo.object_store[old_id].tree if old_id is not None else None  # type: ignore[attr-defined]
    new_tree = repo.object_store[new_id].tree  # type: ignore[attr-defined]
    files: set[str] = set()
    added: list[bytes] = []  # paths `old` did not have
    for change in tree_changes(repo.object_store, old_tree, new_tree):
        if (change.old is None or change.old.path is None) and change.new is not None and change.new.path:
            added.append(change.new.path)
        for side in (change.old, change.new):
            if side is not None and side.path is not None:
                files.add(side.path.decode("utf-8", "backslashreplace"))
        if len(files) >= file_limit:
            break
    made_here = _made_here(repo, walked_from, added) if arrived else []
    return CommitRange(commits, more, sorted(files.difference(made_here)), made_here=made_here)


def _made_here(repo: Repo, arrived: ObjectID, added: list[bytes]) -> list[str]:
    """Of the paths `added`, those `arrived`'s tree has not either: the integration made them."""
    tree = repo.object_store[repo.object_store[arrived].tree]  # type: ignore[attr-defined]
    assert isinstance(tree, Tree)
    made = []
    for path in added:
        try:
            tree.lookup_path(repo.object_store.__getitem__, path)
        except (KeyError, NotTreeError):  # not there, or a file where a folder of it would be
            made.append(path.decode("utf-8", "backslashreplace"))
    return sorted(made)


def _summary(commit: Commit) -> CommitSummary:
    message = commit.message.decode(commit.encoding.decode() if commit.encoding else "utf-8", "replace")
    author = commit.author.decode("utf-8", "replace").split(" <", 1)[0]
    when = datetime.fromtimestamp(commit.author_time, UTC)
    return CommitSummary(commit.id.decode(), (message.splitlines() or [""])[0], author, when)
