"""A new repository's fetched refs in one `packed-refs` file, as `git clone` writes them.

A clone brings every branch of the remote (as `refs/remotes/<remote>/*`) and every tag.
dulwich writes each ref as a loose file through a lock file it fsyncs, and appends a
reflog line for each, reading the config for the committer's identity every time:
about 1.6 ms a ref, 3 s of a clone of 1,883 refs (`bench.clone`). git's clone writes
them all in one `packed-refs` file and logs none of them (its first ref transaction);
the checked-out branch, `HEAD` and `<remote>/HEAD` are loose, with their reflogs
(`clone.py` writes those). A later fetch moves a packed ref as any other (a loose file
then wins over the packed line), and a pruned one still leaves its reflog's deletion
line, which `branch_status` reads as "gone from the remote".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dulwich.file import GitFile
from dulwich.object_store import peel_sha
from dulwich.objects import ObjectID
from dulwich.refs import Ref
from dulwich.repo import Repo

# git's own header: tags carry their peeled id (`^` line), the lines are sorted
HEADER = b"# pack-refs with: peeled sorted \n"
_TAGS = b"refs/tags/"


def write_initial_refs(repo: Repo, refs: Mapping[str, bytes]) -> None:
    """Write `refs` (name -> object id) into `repo`'s `packed-refs`, in git's format:
    sorted by name, each annotated tag followed by the commit (or object) it peels to.
    The repository must have no refs but `HEAD` (a clone's, before its checkout);
    refuses otherwise, so nothing it has is ever overwritten."""
    if not refs:
        return
    present = [name for name in repo.refs.allkeys() if name != b"HEAD"]
    if present:
        raise ValueError(f"not a new repository: it has {present[0].decode(errors='replace')}")
    lines = [HEADER]
    for name, sha in sorted((Ref(name.encode()), sha) for name, sha in refs.items()):
        lines.append(b"%s %s\n" % (sha, name))
        if name.startswith(_TAGS):
            peeled = peel_sha(repo.object_store, ObjectID(sha))[1].id
            if peeled != sha:
                lines.append(b"^%s\n" % peeled)
    with GitFile(os.path.join(repo.commondir(), "packed-refs"), "wb") as f:  # locked, fsynced, renamed in
        f.write(b"".join(lines))
