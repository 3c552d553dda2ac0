"""Git LFS objects go out before the commits that point at them, as git-lfs's pre-push does.

git-lfs's pre-push hook lists the objects the push sends (`git rev-list --objects
<local> --not <remote refs>`), reads every blob under 1,024 bytes as a possible
pointer, asks the LFS server which of those objects it lacks (batch `upload`) and
uploads them (then `verify`, when asked) before git sends the pack. The same here:
the objects are the push's own (`ObjectsToSend`, the set the pack is made from),
and a failed upload stops the push before any ref moves, so a remote never gets a
commit whose LFS content it cannot serve. An object the server lacks that is not in
`.git/lfs/objects` either stops the push too (git-lfs's "Unable to find source for
object", with `lfs.allowincompletepush` off, its default).

The `pre-push` hook git-lfs installs (`git lfs pre-push "$@"` and nothing else) is not
run: this is what it would do, and it could not sign in with Gitferry's credentials
(`is_git_lfs_hook`). Any other hook runs as before.

A repository that never kept an LFS object (no `lfs/objects` directory) is not
scanned: it pushes as before, without an LFS request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dulwich.objects import ObjectID
from dulwich.repo import Repo

from core.git.objects.lfs_scan import pointers_among
from core.git.objects.lfs_store import LfsStore
from core.git.transfer.lfs_client import LfsClient, LfsTransferFailed
from core.git.transfer.lfs_endpoint import lfs_endpoint
from core.git.transfer.signer import Signer
from core.phrase import phrase
from core.remote_url import HttpAuth, url_without_secret


@dataclass(frozen=True)
class LfsUploaded:
    pointers: int  # LFS objects the pushed commits point at
    uploaded: int  # of those, sent to the server (it lacked them)
    bytes_sent: int


NO_LFS = LfsUploaded(0, 0, 0)


_LFS_HOOK_LINE = 'git lfs pre-push "$@"'


def is_git_lfs_hook(path: str) -> bool:
    """The hook is git-lfs's stock `pre-push`: its only command is `git lfs pre-push "$@"`
    (after the check that git-lfs is installed)."""
    try:
        with open(path, "rb") as f:
            text = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return _LFS_HOOK_LINE in lines and all(
        line == _LFS_HOOK_LINE or line.startswith("command -v git-lfs") for line in lines
    )


def upload_for_push(
    repo: Repo,
    remote: str,
    object_ids: Iterable[ObjectID],
    *,
    git_url: str,
    auth: HttpAuth | None,
    signer: Signer | None = None,
    timeout: float,
    ref: str | None = None,
) -> LfsUploaded:
    """Upload the LFS objects that the pushed objects `object_ids` point at and the
    server lacks; raises `LfsTransferFailed`, `AuthFailed` or `RemoteUnreachable`."""
    store = LfsStore.of(repo)
    if not store.used():
        return NO_LFS
    pointers = pointers_among(repo.object_store, object_ids)
    if not pointers:
        return NO_LFS
    endpoint = lfs_endpoint(repo, remote, upload=True)
    if endpoint is None:
        none = phrase("no Git LFS server is configured (lfs.url, remote URL)")
        raise LfsTransferFailed(remote, "upload", none)
    if endpoint.url.startswith("file:"):
        where = url_without_secret(endpoint.url)
        raise LfsTransferFailed(
            remote, "upload", phrase("Git LFS over a local path ({path}) is not supported", path=where)
        )
    client = LfsClient.for_remote(
        endpoint, remote, git_url, auth=auth, signer=signer, timeout=timeout, config=repo.get_config_stack()
    )
    with client:
        answers = client.batch("upload", pointers, ref)
        refused = [a for a in answers if a.error is not None]
        if refused:
            first = refused[0]
            why = f"the server refused object {first.pointer.oid[:12]}: {first.error} ({first.code})"
            raise LfsTransferFailed(remote, "upload", why)
        needed = [a for a in answers if "upload" in a.actions]
        absent = [a.pointer for a in needed if not store.has(a.pointer)]
        if absent:
            raise LfsTransferFailed(
                remote,
                "upload",
                f"{len(absent)} object(s) the server lacks are not in this repository's LFS store "
                f"either (first: {absent[0].oid[:12]}): nothing was pushed",
            )
        for answer in needed:
            client.upload(answer, store)
    return LfsUploaded(len(pointers), len(needed), sum(a.pointer.size for a in needed))
