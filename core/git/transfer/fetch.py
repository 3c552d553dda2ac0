"""Fetch a remote's tracked branches, the way `git fetch` does, with dulwich.

One connection: the remote lists its refs, `FetchPlan` decides what is
wanted, and when no tracked ref moved the exchange ends there (no
negotiation, no pack). Otherwise every local head and this remote's tracking
refs are offered as haves (newest first), the pack streams into
`objects/pack/tmp_pack_*` while it is parsed, is indexed and moved in, and
only then are the remote-tracking refs moved. Any failure removes the partial
pack and leaves every ref as it was. The pack is held to `PackLimits` while
it arrives, and its trees and commits are checked (`object_checks`, as git's
`fetch.fsckObjects` says) before it is moved in; refs whose names git would
not take are left out (`ref_names`). Tags come as `git fetch` brings them
(`tag_follow`: `remote.<name>.tagOpt`; by default those pointing into what is
local once the pack is in, the server sending their objects along with
`include-tag`); a local tag is never moved. No gc runs here (dulwich's porcelain
would auto-gc in-process after a fetch; this module never calls porcelain).
"""

from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from dulwich.client import FetchPackResult, GitClient, LocalGitClient
from dulwich.errors import GitProtocolError, HangupException
from dulwich.object_store import DiskObjectStore
from dulwich.objects import ObjectID
from dulwich.protocol import CAPABILITY_INCLUDE_TAG
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.git.config.url_rewrite import remote_rewrite
from core.git.objects.check_policy import BadObject, CheckPolicy
from core.git.objects.pack_limits import LimitExceeded, PackLimits, PackTooLarge
from core.git.progress import (
    Phase,
    ProgressSink,
    ProgressThrottle,
    SidebandParser,
    TransferProgress,
)
from core.git.repository import SUPPORTED_OBJECT_FORMAT, UnsupportedObjectFormat
from core.git.transfer.advertisement import Advertised, Dial, with_prefixes
from core.git.transfer.advertisement import advertised as advertised_refs
from core.git.transfer.deadlines import TransferPhase, TransferWatch
from core.git.transfer.errors import TransferFailed
from core.git.transfer.fetch_plan import FetchPlan, RefUpdate, TrackedBranches
from core.git.transfer.haves import HavesWalker
from core.git.transfer.ref_names import AdvertisedRefs, ignored_note, usable_name
from core.git.transfer.signer import Signer
from core.git.transfer.stop import TransferStop
from core.git.transfer.tag_follow import PEELED, Pruning, TagMode, TagPlan, pruned_note, split_tags
from core.git.transfer.transport import (
    BitmaplessLocalClient,
    StoppableHttpClient,
    dialled,
    unverified_warning,
    watched_connection,
)
from core.phrase import Phrase, verbatim
from core.platform.early_imports import load_during
from core.remote_url import HttpAuth, RemoteUrl, parse_remote_url

if TYPE_CHECKING:
    from core.git.objects.pack_ingest import IncomingPack

__all__ = [
    "GATED_BYTES",
    "GATED_OBJECTS",
    "FetchResult",
    "OversizedPack",
    "TagMode",
    "TrackedBranches",
    "fetch_remote",
]

PACK_MACHINERY = (
    "core.git.objects.pack_ingest",
    "core.git.objects.object_checks",
    "core.git.objects.delta_workers",
    "core.git.objects.pack_consolidation",
)
"""What a pack coming in loads (`_pack_data`) and then the sync (its consolidation): imported
while the server prepares the pack once the wants are known (`load_during`)."""

PHASES = ("connect", "negotiate", "receive", "index", "refs")
log = logging.getLogger(__name__)
_GATE_TURN = 0.25  # seconds between looks at the stop while waiting for the pack gate
# A received pack at least this big (objects, or bytes) is indexed behind the pack gate;
# a smaller one (a few new commits) costs a few milliseconds and passes freely.
GATED_OBJECTS = 512
GATED_BYTES = 1 << 20


class PackGate(Protocol):
    """A semaphore (`threading.BoundedSemaphore`) bounding concurrent pack transfers."""

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool: ...

    def release(self) -> None: ...


UPSTREAMS = TrackedBranches.upstreams()


class OversizedPack(TransferFailed):
    """The remote's pack passed `max_pack_size`; the transfer was stopped there."""

    def __init__(self, remote: str, error: PackTooLarge) -> None:
        super().__init__(remote, str(error))
        self.limit = error.limit


@dataclass(frozen=True)
class FetchResult:
    """What one remote's fetch did: refs updated, upstreams gone, what was received."""

    remote: str
    updated: dict[str, RefUpdate]  # tracking ref -> (old, new)
    gone: list[str]  # local branches whose upstream the remote deleted
    pack_requested: bool
    objects_received: int
    bytes_received: int
    default_branch: str | None
    timings_ms: dict[str, float]
    pruned: list[str] = field(default_factory=list)  # tracking refs removed
    # Branches of `gone` whose tracking ref stays, stale (no `prune`), as git keeps it.
    stale: list[str] = field(default_factory=list)
    # The tracking ref `<remote>/HEAD` pointed to before this fetch pruned it (the
    # symref now follows the remote's default branch, or is gone with it).
    head_was: str | None = None
    notes: list[str] = field(default_factory=list)  # one line each: what was ignored, and why
    notes_said: dict[str, Phrase] = field(default_factory=dict)  # a note's phrase, by its English
    tags: dict[str, bytes] = field(default_factory=dict)  # tag refs created -> object id
    tags_pruned: list[str] = field(default_factory=list)  # local tag refs deleted (pruneTags)
    lfs_missing: dict[str, str] = field(
        default_factory=dict
    )  # a clone's files left as their LFS pointer -> why
    unconverted: list[str] = field(default_factory=list)  # a clone's paths left unwritten (filters.py)
    # The refs the remote advertised and how it was dialled, for a no-change fetch to be
    # recorded (`core/engine/fetch_replay.py`); None: not over protocol v0, or not as a
    # replay can dial it again (`transport.dialled`).
    advertised: Advertised | None = None
    dial: Dial | None = None

    def said_notes(self) -> list[Phrase]:
        """The notes as phrases (one made without a template: its English)."""
        return [self.notes_said.get(note) or verbatim(note) for note in self.notes]


def fetch_remote(
    repo: Repo,
    remote: str,
    *,
    url: RemoteUrl | None = None,
    tracked: TrackedBranches = UPSTREAMS,
    auth: HttpAuth | None = None,
    progress: ProgressSink | None = None,
    timeout: float = 30.0,
    ssh_command: str | None = None,
    pack_gate: PackGate | None = None,
    limits: PackLimits | None = None,
    stop: TransferStop | None = None,
    signer: Signer | None = None,
    tags: TagMode | None = None,
    held: Mapping[str, str] | None = None,
    initial: bool = False,
) -> FetchResult:
    """Fetch `remote` into `repo`, from `url` or else its `remote.<name>.url` (rewritten
    by git's `url.<base>.insteadOf`), an HTTP(S) remote signing in through `signer`.

    `pack_gate` bounds how many fetches receive and index a big pack at once across
    threads: that work is CPU-bound, and in threads several at once only slow
    each other down (`bench.background_heavy`: four at once 3.8x git's time, one at a
    time 2.0x). A fetch into a repository with nothing to offer as common history
    (its first) waits for the gate before asking for the pack; any other waits, once
    the pack has come, only if it holds `GATED_OBJECTS` objects or `GATED_BYTES` bytes
    (fifty fetches of a few new commits each were queued one server round trip at a
    time behind it). Fetches with nothing to receive never wait for it. A pack that
    passes its `limits` (bytes received, one object inflated, all of them inflated:
    the app settings) is refused as soon as it does.
    `tags`: which tags come (None: as `remote.<name>.tagOpt` says, git's default
    following them, or every tag with `pruneTags`, local tags the remote lacks deleted
    when `prune` is on too: `Pruning`; `prune` alone deletes the tracking refs of the
    branches the remote deleted, which git keeps otherwise). `held`: the branch refs some
    worktree uses (ref -> its folder); a refspec writing into one refuses the fetch before
    any pack, as git does. `stop` ends the transfer from another thread (`TransferStopped`;
    nothing is kept); so do the deadlines git's config and Gitferry's give (`deadlines.py`: `RemoteTooSlow`).
    `initial`: `repo` is new and has no refs (a clone): the fetched refs are written in
    one `packed-refs` file, without reflogs, as git's clone writes them (`initial_refs`)."""
    config = repo.get_config_stack()
    if url is None:
        url = parse_remote_url(remote_rewrite(repo, remote).effective, base=_work_dir(repo))
    pruning = Pruning.of(config, remote)
    plan = FetchPlan(repo, remote, tracked, held, prune=pruning.branches)
    if tags is not None:
        pruning = Pruning(all_tags=False, delete=False)
    mode = tags if tags is not None else TagMode.ALL if pruning.all_tags else TagMode.of(config, remote)
    tag_plan = TagPlan(repo, mode, remote, prune=pruning.delete)
    with watched_connection(
        remote,
        url,
        config=config,
        stop=stop,
        auth=auth,
        timeout=timeout,
        ssh_command=ssh_command,
        signer=signer,
    ) as (watch, client, path):
        session = _FetchSession(
            repo, remote, plan, progress, pack_gate, limits or PackLimits(), watch, tag_plan, initial
        )
        result = session.run(client, path)
    warning = unverified_warning(remote, url, config)
    if warning is None:
        return result
    notes_said = {**result.notes_said, warning.english(): warning}
    return replace(result, notes=[*result.notes, warning.english()], notes_said=notes_said)


def _work_dir(repo: Repo) -> str:
    return str(repo.path)


class _PhaseClock:
    def __init__(self) -> None:
        self.ms = dict.fromkeys(PHASES, 0.0)
        self._last = time.perf_counter()

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.ms[phase] += (now - self._last) * 1000.0
        self._last = now


class _Reporter:
    """Server text and our own updates, parsed and throttled on their way to `sink`."""

    def __init__(self, sink: ProgressSink | None) -> None:
        self._throttle = ProgressThrottle(sink) if sink is not None else None
        self._parser = SidebandParser()

    def __call__(self, update: TransferProgress) -> None:
        if self._throttle is not None:
            self._throttle(update)

    def sideband(self, data: bytes) -> None:
        if self._throttle is not None:
            for update in self._parser.feed(data):
                self._throttle(update)

    def finish(self) -> None:
        if self._throttle is not None:
            for update in self._parser.flush():
                self._throttle(update)
            self._throttle.flush()


class _FetchSession:
    def __init__(
        self,
        repo: Repo,
        remote: str,
        plan: FetchPlan,
        progress: ProgressSink | None,
        gate: PackGate | None,
        limits: PackLimits,
        watch: TransferWatch,
        tag_plan: TagPlan,
        initial: bool = False,
    ) -> None:
        store = repo.object_store
        if not isinstance(store, DiskObjectStore):
            raise TypeError("fetch needs an on-disk repository")
        self._repo = repo
        self._store = store
        self._remote = remote
        self._plan = plan
        self._tags = tag_plan
        self._initial = initial
        self._clock = _PhaseClock()
        self._report = _Reporter(progress)
        self._wants: list[ObjectID] = []
        self._incoming: IncomingPack | None = None
        self._gate = gate
        self._watch = watch
        self._stop: TransferStop = watch.stop
        self._gated = False
        self._have_tips: list[bytes] = []
        self._haves: HavesWalker  # made in `run`, told the advertised tips in `_determine_wants`
        self._limits = limits
        self._config = repo.get_config_stack()  # read once: the checks' policy, then pack.threads
        self._policy = CheckPolicy.from_config(self._config)  # a bad value fails before connecting
        self._ignored: list[bytes] = []
        self._client: GitClient | None = None
        self._prefixes: list[bytes] = []  # the refs it lists (`run`)

    def run(self, client: GitClient, path: str) -> FetchResult:
        self._client = client
        self._report(TransferProgress(Phase.CONNECTING))
        prefixes = self._plan.ref_prefixes
        if self._tags.mode is not TagMode.NONE:
            prefixes = [*prefixes, b"refs/tags/"]
        self._prefixes = prefixes
        self._have_tips = self._tips()
        self._haves = HavesWalker(self._store, self._have_tips, shallow=self._repo.get_shallow())
        try:
            result = client.fetch_pack(
                path,
                self._determine_wants,
                self._haves,
                self._pack_data,
                progress=self._report.sideband,
                ref_prefix=prefixes,
                protocol_version=_follow_tags(client, self._tags.mode),
            )
            self._watch.enter(TransferPhase.IDLE)  # all came: indexing is ours
            received = self._land_pack()
        except BaseException as exc:
            if self._incoming is not None:
                self._incoming.abort()
            broken = _broken_transfer(self._remote, exc, self._incoming) or _disk_full(
                self._remote, exc, str(self._store.pack_dir)
            )
            if broken is not None:
                raise broken from exc
            raise
        finally:
            if self._gated and self._gate is not None:
                self._gate.release()
            self._report.finish()
        return self._update_refs(result, received)

    def _tips(self) -> list[bytes]:
        heads = self._repo.refs.as_dict(Ref(b"refs/heads"))
        return [*self._plan.local.values(), *heads.values()]

    def _determine_wants(self, refs: Mapping[Ref, ObjectID], depth: int | None = None) -> list[ObjectID]:
        self._clock.mark("connect")
        _check_object_format(self._remote, None, refs.values())  # before any pack is asked for
        found = AdvertisedRefs.of(refs)
        refused = self._plan.into_checked_out(found.usable)
        if refused is not None:
            raise TransferFailed(self._remote, refused)
        self._ignored = [name for name in found.ignored if self._plan.would_track(name)]
        self._wants = self._plan.wants(found.usable, self._store)
        if self._wants:
            load_during(PACK_MACHINERY)  # a pack is coming: loaded while the server prepares it
            tips = set(self._have_tips)
            self._haves.advertised(sha for sha in refs.values() if sha in tips)
        tags, peeled = split_tags({**refs, **self._peeled_listing()})
        extra = self._tags.wants(tags, peeled, self._store) - set(self._wants)
        if isinstance(self._client, BitmaplessLocalClient) and self._tags.mode is TagMode.FOLLOW:
            local = self._tags.local
            candidates = {name: peeled[name] for name in tags if name in peeled and name not in local}
            brought = self._client.included_tags(self._wants, self._store, candidates)
            extra |= {tags[name] for name in brought if ObjectID(tags[name]) not in self._store}
            extra -= set(self._wants)
        self._wants += [ObjectID(sha) for sha in sorted(extra)]
        if self._wants and not self._have_tips:
            self._take_gate()  # all of it is coming: wait for a free slot before asking for it
        self._watch.enter(TransferPhase.PREPARE)
        return list(self._wants)

    def _peeled_listing(self) -> dict[Ref, ObjectID]:
        """The `^{}` entries an HTTP client kept aside (a `git://` or SSH listing has them inline)."""
        client = self._client
        peeled = client.peeled if isinstance(client, StoppableHttpClient | BitmaplessLocalClient) else {}
        return {Ref(name + PEELED): sha for name, sha in peeled.items()}

    def _take_gate(self) -> None:
        """The gate (if any), waited for in short turns so that a stop also ends this wait."""
        gate = self._gate
        if gate is None or self._gated:
            return
        with self._watch.ours():
            while not gate.acquire(timeout=_GATE_TURN):
                self._stop.check(self._remote)
        self._gated = True

    def _pack_data(self, data: bytes) -> int:
        if not self._wants:
            return len(data)  # an in-process server sends an empty pack even then
        if not data:
            # upload-pack's keep-alive (an empty side-band 1 packet while pack-objects is
            # still compressing, for minutes with large files): no pack yet, so the server is
            # still preparing, under that phase's deadline, not below the low-speed limit.
            return 0
        if self._incoming is None:
            # A fetch that brings no pack never loads the ingest machinery nor the checks.
            from core.git.objects.delta_workers import configured_threads
            from core.git.objects.object_checks import ObjectChecks
            from core.git.objects.pack_ingest import IncomingPack

            self._clock.mark("negotiate")
            checks = ObjectChecks(self._policy) if self._policy is not None else None
            threads = configured_threads(self._config)  # git's pack.threads
            self._incoming = IncomingPack(
                self._store, self._report, limits=self._limits, checks=checks, threads=threads
            )
            self._watch.enter(TransferPhase.RECEIVE)
        self._watch.moved(len(data))
        try:
            with self._watch.ours():
                return self._incoming.write(data)
        except PackTooLarge as exc:
            raise OversizedPack(self._remote, exc) from None

    def _land_pack(self) -> tuple[int, int]:
        incoming = self._incoming
        if incoming is None:
            return 0, 0
        self._clock.mark("receive")
        if incoming.objects_received >= GATED_OBJECTS or incoming.bytes_received >= GATED_BYTES:
            self._take_gate()
        incoming.commit()
        self._clock.mark("index")
        return incoming.objects_received, incoming.bytes_received

    def _update_refs(self, result: FetchPackResult, received: tuple[int, int]) -> FetchResult:
        _check_object_format(self._remote, result.object_format, ())  # an empty remote lists no ids
        advertised = AdvertisedRefs.of(result.refs).usable
        head = result.symrefs.get(Ref(b"HEAD"))
        default_ref = usable_name(head) if head is not None else None
        plan = self._plan
        updates = plan.updates(advertised, default_ref)
        missing = [new for _, new in updates.values() if ObjectID(new) not in self._store]
        if missing:
            raise TransferFailed(self._remote, f"the remote did not send {missing[0].decode()}")
        pruned = plan.pruned(advertised)
        listed = {name: sha for name, sha in (result.refs or {}).items() if sha is not None}
        remote_tags = split_tags(listed)[0]
        tags = self._tags.updates(remote_tags, self._store)
        tags_pruned: list[str] = []
        if self._initial:  # a clone's first fetch only
            from core.git.transfer.initial_refs import write_initial_refs

            write_initial_refs(
                self._repo, {**{name: new for name, (_, new) in updates.items()}, **tags.created}
            )
        else:
            _write_refs(self._repo, self._remote, updates, pruned)
            _write_tags(self._repo, self._remote, tags.created)
            tags_pruned = _prune_tags(self._repo, self._remote, self._tags.pruned(remote_tags))
        tag_notes = tags.notes(self._tags.said) + (
            [pruned_note(self._remote, tags_pruned)] * bool(tags_pruned)
        )
        notes = self._notes(tag_notes)
        if self._tags.mode is not TagMode.NONE:
            self._tags.remember(tags.kept)
        default_tracking = plan.refspecs.tracking_ref(default_ref) if default_ref else None
        head_was = _follow_remote_head(self._repo, self._remote, pruned, default_tracking)
        self._clock.mark("refs")
        return FetchResult(
            remote=self._remote,
            updated=updates,
            gone=plan.gone(advertised),
            pack_requested=bool(self._wants),
            objects_received=received[0],
            bytes_received=received[1],
            default_branch=default_ref.removeprefix("refs/heads/") if default_ref else None,
            timings_ms=dict(self._clock.ms),
            pruned=pruned,
            stale=plan.stale(advertised, pruned),
            head_was=head_was,
            notes=[note.english() for note in notes],
            notes_said={note.english(): note for note in notes},
            tags=tags.created,
            tags_pruned=tags_pruned,
            advertised=advertised_refs(self._listed(result.refs or {}), (result.symrefs or {}).items()),
            dial=with_prefixes(dialled(self._client), self._prefixes),
        )

    def _listed(self, refs: Mapping[Ref, ObjectID | None]) -> Iterable[tuple[bytes, bytes | None]]:
        """The refs as the listing gave them: over HTTP(S) dulwich takes the peeled tags'
        `^{}` lines out, a replay reads them (`advertisement.py`)."""
        peeled = self._peeled_listing().items()
        return [*refs.items(), *((name, sha) for name, sha in peeled if name.removesuffix(PEELED) in refs)]

    def _notes(self, tag_notes: list[Phrase]) -> list[Phrase]:
        notes = [ignored_note(name) for name in self._ignored] + tag_notes
        for note in notes:
            log.warning("%s: %s", self._remote, note.english())
        return notes


_FORMAT_OF_HEX_LENGTH = {40: "sha1", 64: "sha256"}


def _follow_tags(client: GitClient, mode: TagMode) -> int | None:
    """The protocol version to fetch with, and `include-tag` asked for, so that tags
    can be followed as git follows them: protocol v0, whose advertisement carries each
    annotated tag's peeled target (dulwich drops v2's) and whose requests carry
    `include-tag` (dulwich's v2 requests do not). None: the client's default (v2)."""
    if mode is not TagMode.FOLLOW or isinstance(client, LocalGitClient):
        return None
    client._fetch_capabilities.add(CAPABILITY_INCLUDE_TAG)
    return 0


def _check_object_format(remote: str, advertised: str | None, ids: Iterable[bytes]) -> None:
    """Refuse a remote whose object ids are not SHA-1: by the `object-format` it
    advertises, or by the length of the ids it lists (a server that does not say)."""
    found = advertised or next(
        (_FORMAT_OF_HEX_LENGTH.get(len(sha), "unknown") for sha in ids if len(sha) != 40), None
    )
    if found is not None and found != SUPPORTED_OBJECT_FORMAT:
        raise UnsupportedObjectFormat(remote, found)


def _broken_transfer(remote: str, exc: BaseException, incoming: IncomingPack | None) -> TransferFailed | None:
    """A plain message for a stream that ended early or a pack that does not verify."""
    from core.git.objects.pack_scan import PackFormatError

    if isinstance(exc, PackFormatError):
        return TransferFailed(remote, f"the remote sent a corrupt pack ({exc}); nothing was kept")
    if isinstance(exc, (BadObject, LimitExceeded)) and not isinstance(exc, PackTooLarge):
        return TransferFailed(remote, str(exc))
    truncated = isinstance(exc, GitProtocolError) and "does not match length prefix" in str(exc)
    if truncated or (isinstance(exc, HangupException) and incoming is not None and incoming.started):
        got = f" after {incoming.bytes_received:,} bytes of the pack" if incoming and incoming.started else ""
        return TransferFailed(remote, f"the connection closed mid-transfer{got}; nothing was kept")
    return None


_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def _disk_full(remote: str, exc: BaseException, pack_dir: str) -> TransferFailed | None:
    """A disk (or quota) that filled while the pack was written, said as the checkout says
    it, naming where (`<folder>: No space left on device`), not as raw `[Errno 28] ...`:
    the pack's folder, or the file named when it is not the pack's own temporary."""
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, OSError) and cause.errno in _DISK_FULL):
        cause = cause.__cause__ or cause.__context__
    if not isinstance(cause, OSError) or cause.errno is None:
        return None
    named = os.fsdecode(cause.filename) if cause.filename else None
    where = pack_dir if named is None or os.path.dirname(named) == pack_dir else named
    return TransferFailed(remote, f"{where}: {os.strerror(cause.errno)}; nothing was kept")


def _follow_remote_head(repo: Repo, remote: str, pruned: list[str], now: str | None) -> str | None:
    """Keep `refs/remotes/<remote>/HEAD` from dangling when the branch it names was
    pruned (`git fsck` rejects a dangling one): point it where the remote's HEAD points
    now, as `git remote set-head --auto` does, or remove it when that branch was not
    fetched. Returns the pruned ref it named, or None when it was left alone."""
    head = Ref(f"refs/remotes/{remote}/HEAD".encode())
    target = repo.refs.read_ref(head)
    if target is None or not target.startswith(b"ref: "):
        return None
    was = target[len(b"ref: ") :].decode()
    if was not in pruned:
        return None
    message = f"fetch {remote}: the remote's HEAD moved".encode()
    if now is not None and repo.refs.read_ref(Ref(now.encode())) is not None:
        repo.refs.set_symbolic_ref(head, Ref(now.encode()), message=message)
    else:
        repo.refs.remove_if_equals(head, None, message=message)
    return was


def _write_tags(repo: Repo, remote: str, created: Mapping[str, bytes]) -> None:
    """Create the new tag refs; one that appeared meanwhile is left as it is."""
    message = f"fetch {remote}: storing tag".encode()
    for name, sha in sorted(created.items()):
        repo.refs.add_if_new(Ref(name.encode()), ObjectID(sha), message=message)


def _prune_tags(repo: Repo, remote: str, stale: Mapping[str, bytes]) -> list[str]:
    """Delete the local tags the remote does not have (`pruneTags`); one moved meanwhile
    is left as it is. Returns those deleted."""
    message = f"fetch {remote}: prune".encode()
    return [
        name
        for name, sha in stale.items()
        if repo.refs.remove_if_equals(Ref(name.encode()), ObjectID(sha), message=message)
    ]


def _write_refs(repo: Repo, remote: str, updates: dict[str, RefUpdate], pruned: list[str]) -> None:
    """Move the tracking refs (forced, as the `+` refspecs say) and drop the pruned ones."""
    for name, (old, new) in sorted(updates.items()):
        verb = "storing head" if old is None else "updating"
        message = f"fetch {remote}: {verb}".encode()
        repo.refs.set_if_equals(Ref(name.encode()), None, ObjectID(new), message=message)
    for name in pruned:
        repo.refs.remove_if_equals(Ref(name.encode()), None, message=f"fetch {remote}: prune".encode())
