"""Upstreams and fetch refspecs, read from the git config the way git reads them.

A local branch's upstream is `branch.<name>.remote` plus `branch.<name>.merge`
(a ref on that remote); the remote-tracking ref that mirrors it is found by
mapping the merge ref through `remote.<remote>.fetch` refspecs
(`+refs/heads/*:refs/remotes/origin/*`, exact ones, negative `^...` ones).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dulwich.config import Config
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.packed_refs import fill_packed_refs
from core.phrase import phrase


@dataclass(frozen=True)
class Upstream:
    """A local branch's upstream: its remote, the branch there and the tracking ref."""

    branch: str  # local branch, short name
    remote: str
    merge_ref: str  # the branch on the remote: refs/heads/<name>
    tracking_ref: str  # refs/remotes/<remote>/<name>, through the fetch refspecs


@dataclass(frozen=True)
class Refspec:
    """One refspec: source, destination, forced or negative."""

    src: str
    dst: str
    force: bool = False
    negative: bool = False

    @classmethod
    def parse(cls, text: str) -> Refspec:
        spec = text.strip()
        if spec.startswith("^"):
            return cls(spec[1:], "", negative=True)
        force = spec.startswith("+")
        src, _, dst = spec.removeprefix("+").partition(":")
        if src.count("*") > 1 or (dst and dst.count("*") != src.count("*")):
            raise BadInput(phrase("bad fetch refspec {refspec}", refspec=repr(text)))
        return cls(src, dst, force)

    def map(self, ref: str) -> str | None:
        """The destination of `ref` under this refspec, or None if it does not match."""
        if not self.dst:
            return None
        captured = _match(self.src, ref)
        if captured is None:
            return None
        return self.dst.replace("*", captured, 1) if "*" in self.dst else self.dst

    def unmap(self, local: str) -> str | None:
        """The source ref that would map to `local`, or None."""
        if not self.dst:
            return None
        captured = _match(self.dst, local)
        if captured is None:
            return None
        return self.src.replace("*", captured, 1) if "*" in self.src else self.src

    def excludes(self, ref: str) -> bool:
        return self.negative and _match(self.src, ref) is not None


def _match(pattern: str, ref: str) -> str | None:
    """What `*` stands for when `ref` matches `pattern` ("" for an exact match)."""
    if "*" not in pattern:
        return "" if pattern == ref else None
    head, _, tail = pattern.partition("*")
    if ref.startswith(head) and ref.endswith(tail) and len(ref) >= len(head) + len(tail):
        return ref[len(head) : len(ref) - len(tail)]
    return None


class FetchRefspecs:
    """The `remote.<name>.fetch` refspecs of one remote."""

    def __init__(self, specs: Iterable[Refspec]) -> None:
        specs = list(specs)
        self._positive = [s for s in specs if not s.negative]
        self._negative = [s for s in specs if s.negative]

    @classmethod
    def of(cls, config: Config, remote: str) -> FetchRefspecs:
        section = (b"remote", remote.encode())
        try:
            values = list(config.get_multivar(section, b"fetch"))
        except KeyError:
            values = []
        return cls(Refspec.parse(v.decode("utf-8", "replace")) for v in values)

    def __bool__(self) -> bool:
        return bool(self._positive)

    def tracking_ref(self, remote_ref: str) -> str | None:
        if any(spec.excludes(remote_ref) for spec in self._negative):
            return None
        for spec in self._positive:
            local = spec.map(remote_ref)
            if local is not None:
                return local
        return None

    def destinations(self, remote_ref: str) -> list[str]:
        """Every local ref some refspec maps `remote_ref` to (git fetches into each)."""
        if any(spec.excludes(remote_ref) for spec in self._negative):
            return []
        return [local for spec in self._positive if (local := spec.map(remote_ref)) is not None]

    def remote_ref(self, tracking_ref: str) -> str | None:
        for spec in self._positive:
            source = spec.unmap(tracking_ref)
            if source is not None and self.tracking_ref(source) == tracking_ref:
                return source
        return None

    def tracking_prefixes(self) -> list[str]:
        """Where this remote's tracking refs live (`refs/remotes/origin/`)."""
        return [s.dst.partition("*")[0] for s in self._positive if "*" in s.dst]


def tracked_upstreams(repo: Repo) -> list[Upstream]:
    """Every existing local branch whose upstream is on a remote and has a tracking ref.
    (`keys` reads packed-refs: through dulwich's cache, filled in one pass by `fill_packed_refs`.)"""
    fill_packed_refs(repo.refs)
    return _upstreams(repo, {name.decode() for name in repo.refs.keys(base=Ref(b"refs/heads/"))})


def _upstreams(repo: Repo, branches: set[str]) -> list[Upstream]:
    config = repo.get_config()
    specs: dict[str, FetchRefspecs] = {}
    found = []
    for branch, remote, merge in _branch_sections(config):
        if branch not in branches or remote == ".":
            continue
        if remote not in specs:
            specs[remote] = FetchRefspecs.of(config, remote)
        tracking = specs[remote].tracking_ref(merge)
        if tracking is not None:
            found.append(Upstream(branch, remote, merge, tracking))
    return sorted(found, key=lambda u: u.branch)


def upstreams_of(repo: Repo, remote: str) -> list[Upstream]:
    return [u for u in tracked_upstreams(repo) if u.remote == remote]


def upstream_of(repo: Repo, branch: str | None) -> Upstream | None:
    """`branch`'s upstream; None when it has none (or no branch is given: a detached HEAD)."""
    return next((u for u in tracked_upstreams(repo) if u.branch == branch), None)


def unborn_upstream(repo: Repo, branch: str) -> Upstream | None:
    """The upstream configured for `branch`, which has no commit yet (a clone of a remote
    that was empty: `git clone` configures it all the same); None when it has none."""
    return next(iter(_upstreams(repo, {branch})), None)


def _branch_sections(config: Config) -> Iterable[tuple[str, str, str]]:
    for section in config.sections():
        if len(section) != 2 or section[0] != b"branch":
            continue
        try:
            remote = config.get(section, b"remote").decode()
            merge = config.get(section, b"merge").decode()
        except KeyError:
            continue
        if not merge.startswith("refs/"):
            merge = "refs/heads/" + merge
        yield section[1].decode(), remote, merge


def set_upstream(repo: Repo, branch: str, remote: str, merge_ref: str) -> None:
    config = repo.get_config()
    section = (b"branch", branch.encode())
    config.set(section, b"remote", remote.encode())
    config.set(section, b"merge", merge_ref.encode())
    config.write_to_path()
