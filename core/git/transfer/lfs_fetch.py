"""Git LFS objects brought in before the working tree needs them.

git-lfs downloads an object while git checks a file out (its smudge filter), under
git's `index.lock`. Here the objects a switch will write are fetched first, from
the upstream's remote, before the switch takes the lock (`fetch_for_switch`): the
checkout then only reads `.git/lfs/objects`, and a download that fails or is slow
holds nothing. An object the server does not have, refuses, or sends corrupt is
left out and named with the reason (`LfsFetched.missing`); the checkout then
leaves that path's pointer in place. A server that cannot be used at all (offline,
refused credentials, no LFS server) leaves every object missing with that reason;
only a stop (a Cancel, a deadline) raises.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dulwich.index import IndexEntry
from dulwich.objects import Blob, Commit, ObjectID, Tree
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.remote_config import remote_url
from core.git.config.upstreams import upstream_of
from core.git.config.url_rewrite import fetch_url
from core.git.index.read import open_index
from core.git.objects.lfs_pointer import LfsPointer
from core.git.objects.lfs_scan import pointer_of_blob, pointers_between
from core.git.objects.lfs_store import LfsObjectCorrupt, LfsStore
from core.git.repository import current_branch, ref_value
from core.git.transfer.errors import RemoteError, TransferStopped
from core.git.transfer.lfs_endpoint import fetched_paths, lfs_endpoint
from core.git.transfer.signer import Signer
from core.git.transfer.stop import TransferStop
from core.remote_url import HttpAuth, url_without_secret


@dataclass
class LfsFetched:
    downloaded: int = 0
    bytes_received: int = 0
    missing: dict[str, str] = field(default_factory=dict)  # oid -> why it is not here
    paths: dict[bytes, LfsPointer] = field(
        default_factory=dict
    )  # the paths the switch writes, their pointers

    def missing_paths(self) -> dict[str, str]:
        """The paths whose object is missing, with the reason."""
        return {
            path.decode("utf-8", "surrogateescape"): self.missing[p.oid]
            for path, p in self.paths.items()
            if p.oid in self.missing
        }


@dataclass(frozen=True)
class SwitchTarget:
    """The switch a sync's integration may make: the checked-out tree to the upstream's."""

    remote: str
    merge_ref: str
    from_tree: ObjectID | None
    to_tree: ObjectID


def switch_target(repo: Repo) -> SwitchTarget | None:
    """The checked-out branch's upstream tree, when it differs from HEAD's; None without one."""
    branch = current_branch(repo)
    upstream = upstream_of(repo, branch)
    if upstream is None:
        return None
    tip = ref_value(repo, Ref(upstream.tracking_ref.encode()))
    head = ref_value(repo, Ref(f"refs/heads/{branch}".encode()))
    if tip is None or tip == head:
        return None
    to_tree = _tree(repo, tip)
    from_tree = None if head is None else _tree(repo, head)
    if to_tree is None or to_tree == from_tree or not uses_lfs(repo, to_tree):
        return None
    return SwitchTarget(upstream.remote, upstream.merge_ref, from_tree, to_tree)


def uses_lfs(repo: Repo, tree_id: ObjectID) -> bool:
    """The repository keeps LFS objects, or the tree's root `.gitattributes` names the
    LFS filter: only then is a switch's diff read for pointers."""
    if LfsStore.of(repo).used():
        return True
    try:
        tree = repo.object_store[tree_id]
        if not isinstance(tree, Tree):
            return False
        _mode, sha = tree[b".gitattributes"]
        blob = repo.object_store[sha]
    except KeyError:
        return False
    return isinstance(blob, Blob) and b"filter=lfs" in blob.as_raw_string()


def fetch_for_switch(
    repo: Repo,
    target: SwitchTarget,
    *,
    auth: HttpAuth | None = None,
    signer: Signer | None = None,
    timeout: float,
    stop: TransferStop | None = None,
) -> LfsFetched:
    """Download the LFS objects of the paths the switch to `target` writes (only those
    not already in `.git/lfs/objects`)."""
    paths = _fetched(repo, pointers_between(repo.object_store, target.from_tree, target.to_tree))
    fetched = fetch_objects(
        repo,
        target.remote,
        paths.values(),
        auth=auth,
        signer=signer,
        timeout=timeout,
        stop=stop,
        ref=target.merge_ref,
    )
    fetched.paths = paths
    return fetched


def fetch_for_checkout(
    repo: Repo,
    remote: str,
    tree_id: ObjectID,
    *,
    auth: HttpAuth | None = None,
    signer: Signer | None = None,
    timeout: float,
) -> LfsFetched:
    """Download the LFS objects of every file of `tree_id` (a first checkout: a clone)."""
    if not uses_lfs(repo, tree_id):
        return LfsFetched()
    paths = _fetched(repo, pointers_between(repo.object_store, None, tree_id))
    fetched = fetch_objects(
        repo, remote, paths.values(), auth=auth, signer=signer, timeout=timeout, tree=tree_id
    )
    fetched.paths = paths
    return fetched


def fetch_for_paths(
    repo: Repo,
    paths: Iterable[str],
    *,
    signer: Signer | None = None,
    timeout: float,
    stop: TransferStop | None = None,
) -> LfsFetched:
    """Download the LFS objects of `paths` whose index entry is a pointer whose object is not
    here (files a checkout left as their pointer), from the checked-out branch's upstream's
    remote (`origin` without one)."""
    if not repo.has_index():
        return LfsFetched()
    index = open_index(repo)
    store = LfsStore.of(repo)
    wanted: dict[bytes, LfsPointer] = {}
    for path in paths:
        try:
            entry = index[os.fsencode(path)]
        except KeyError:
            continue
        if isinstance(entry, IndexEntry) and stat.S_ISREG(entry.mode):
            pointer = pointer_of_blob(repo.object_store, entry.sha)
            if pointer is not None and not store.has(pointer):
                wanted[os.fsencode(path)] = pointer
    wanted = _fetched(repo, wanted)
    if not wanted:
        return LfsFetched()
    upstream = upstream_of(repo, current_branch(repo))
    remote = upstream.remote if upstream is not None else "origin"
    ref = upstream.merge_ref if upstream is not None else None
    fetched = fetch_objects(repo, remote, wanted.values(), signer=signer, timeout=timeout, stop=stop, ref=ref)
    fetched.paths = wanted
    return fetched


def _fetched(repo: Repo, paths: dict[bytes, LfsPointer]) -> dict[bytes, LfsPointer]:
    """Those of `paths` whose objects a checkout downloads (`lfs.fetchinclude`/`fetchexclude`);
    the others keep their pointer and are not missing."""
    fetched = fetched_paths(repo) if paths else None
    return paths if fetched is None else {path: p for path, p in paths.items() if fetched(path)}


def fetch_objects(
    repo: Repo,
    remote: str,
    pointers: Iterable[LfsPointer],
    *,
    auth: HttpAuth | None = None,
    signer: Signer | None = None,
    timeout: float,
    stop: TransferStop | None = None,
    ref: str | None = None,
    on_bytes: Callable[[int], None] | None = None,
    tree: ObjectID | None = None,
) -> LfsFetched:
    """Download `pointers`' objects from `remote`'s LFS server into the repository's store
    (`tree`: see `lfs_endpoint`)."""
    store = LfsStore.of(repo)
    wanted = list({p.oid: p for p in pointers if not store.has(p)}.values())
    fetched = LfsFetched()
    if not wanted:
        return fetched
    endpoint = lfs_endpoint(repo, remote, tree=tree)
    if endpoint is None:
        fetched.missing = {p.oid: "no Git LFS server is configured (lfs.url, remote URL)" for p in wanted}
        return fetched
    if endpoint.url.startswith("file:"):
        why = f"Git LFS over a local path ({url_without_secret(endpoint.url)}) is not supported"
        fetched.missing = {p.oid: why for p in wanted}
        return fetched
    # HTTP's client (urllib3, the sign-in chain) only once there is something to download:
    # a sync of a repository without LFS objects to fetch never loads it.
    from core.git.transfer.lfs_client import LfsClient

    try:
        config = repo.get_config_stack()
        git_url = fetch_url(config, remote_url(repo, remote)).effective
        client = LfsClient.for_remote(
            endpoint, remote, git_url, auth=auth, signer=signer, timeout=timeout, config=config, stop=stop
        )
        with client:
            for answer in client.batch("download", wanted, ref):
                oid = answer.pointer.oid
                if answer.error is not None:
                    code = f" ({answer.code})" if answer.code else ""
                    fetched.missing[oid] = f"the LFS server does not have it: {answer.error}{code}"
                    continue
                try:
                    client.download(answer, store, on_bytes)
                except LfsObjectCorrupt as exc:
                    fetched.missing[oid] = exc.why
                    continue
                fetched.downloaded += 1
                fetched.bytes_received += answer.pointer.size
    except TransferStopped:
        raise
    except RemoteError as exc:
        for pointer in wanted:
            if not store.has(pointer):
                fetched.missing.setdefault(pointer.oid, exc.message)
    return fetched


def missing_now(repo: Repo, paths: Iterable[str]) -> dict[str, int]:
    """Of `paths`, those whose index entry is an LFS pointer whose object is not in
    `.git/lfs/objects` (the checkout left the pointer there), with the object's size; a
    path `lfs.fetchexclude` leaves out is not missing."""
    if not repo.has_index():
        return {}
    index = open_index(repo)
    store = LfsStore.of(repo)
    fetched = fetched_paths(repo)
    missing = {}
    for path in paths:
        if fetched is not None and not fetched(os.fsencode(path)):
            continue
        try:
            entry = index[os.fsencode(path)]
        except KeyError:
            continue
        if not isinstance(entry, IndexEntry) or not stat.S_ISREG(entry.mode):
            continue
        pointer = pointer_of_blob(repo.object_store, entry.sha)
        if pointer is not None and not store.has(pointer):
            missing[path] = pointer.size
    return missing


def _tree(repo: Repo, commit_id: ObjectID) -> ObjectID | None:
    try:
        commit = repo.object_store[commit_id]
    except KeyError:
        return None
    return ObjectID(commit.tree) if isinstance(commit, Commit) else None
