"""Push local branches to their upstreams on one remote, the way `git push` does, never forced.

One connection per remote: the remote lists its refs, each branch is checked
against what it advertised (a branch the remote moved ahead of, or away from,
is rejected here and not sent), the pack carries only the objects the remote
lacks (`push_pack.OutgoingPack`), and the remote's answer is read ref by ref.
Dulwich raises nothing when a server rejects a ref (a hook, a ref that moved
meanwhile), so every `ref_status` is checked, and a tracking ref moves only
for a ref the remote accepted.

Every update names the old value the remote advertised: git's receive-pack
refuses it if the ref moved meanwhile, and dulwich's in-process client for
local paths compares-and-swaps with that value (`set_if_equals`), so a
concurrent pusher is detected, never overwritten. That client does not run the
target's hooks or `receive.denyNonFastForwards`; the fast-forward check here
is what keeps a local push from rewriting history.

The repository's `pre-push` hook runs as git runs it: once the remote has
listed its refs and before any object is sent, with the remote's name and URL
(without a password) as arguments and one line per ref to update on stdin
(`<local ref> <local sha> <remote ref> <remote sha>`). If it exits non-zero
nothing is sent and `push_branches` raises `HookRefused` with its first line.

Then, as git-lfs's own pre-push hook does, the Git LFS objects the outgoing
commits point at and the LFS server lacks are uploaded (`lfs_push.py`); a failed
upload sends nothing either and raises its error (`LfsTransferFailed`, `AuthFailed`,
`RemoteUnreachable`).

Tags go only when the user asks: with `push.followTags`, as `git push --follow-tags`,
the annotated tags the remote lacks that point at commits reachable from the
branches being pushed go along; lightweight tags never do.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from dulwich.client import GitClient, LocalGitClient, SendPackResult
from dulwich.errors import NotGitRepository
from dulwich.objects import ZERO_SHA, Commit, ObjectID, Tag
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import BadInput, GitferryError
from core.git.config.hooks import HookRefused, find_hook, run_hook
from core.git.config.upstreams import FetchRefspecs, Upstream
from core.git.config.url_rewrite import push_rewrites
from core.git.progress import (
    Phase,
    ProgressSink,
    ProgressThrottle,
    TransferProgress,
    bounded_lines,
    parse_progress_line,
)
from core.git.repository import ref_value
from core.git.transfer.deadlines import TransferPhase, TransferWatch
from core.git.transfer.errors import RemoteError, TransferFailed, TransferStopped, scrub
from core.git.transfer.lfs_push import NO_LFS, LfsUploaded, is_git_lfs_hook, upload_for_push
from core.git.transfer.push_objects import object_or_none, reaches
from core.git.transfer.push_pack import OutgoingPack
from core.git.transfer.signer import Signer
from core.git.transfer.stop import TransferStop
from core.git.transfer.transport import translate_error, watched_connection
from core.phrase import Phrase, as_phrase, phrase, some, verbatim
from core.remote_url import HttpAuth, RemoteUrl, parse_remote_url, url_without_secret
from core.results import ResultKind

__all__ = ["CHECKED_OUT", "REMOTE_MOVED", "HookRefused", "PushFailed", "PushResult", "push_branches"]

_REMOTE_MOVED = phrase("non-fast-forward (the remote has new commits)")
_CHECKED_OUT = phrase("refusing to update the branch checked out in the remote's working tree")
_NO_BRANCH = phrase("the local branch does not exist")
_NOT_REPORTED = phrase("the remote did not report on this ref")
_MOVED_MEANWHILE = phrase("failed to update ref (it moved during the push)")
_SHALLOW = phrase(
    "shallow update not allowed: this shallow clone lacks history the remote lacks too ({command} first)",
    command="git fetch --unshallow",
)
REMOTE_MOVED = _REMOTE_MOVED
CHECKED_OUT = _CHECKED_OUT
_TAG_NOT_REPORTED = phrase("not reported")  # a tag the remote said nothing of
_MAX_MESSAGES = 3

LfsUpload = Callable[..., LfsUploaded]  # `upload_for_push` bound to a repository and remote


@dataclass(frozen=True)
class PushResult:
    remote: str
    pushed: list[str]  # local branches the remote accepted
    # local branch -> why: Gitferry's own reasons as their phrases, a server's words verbatim
    rejected: dict[str, Phrase]
    objects_sent: int
    bytes_sent: int
    timings_ms: dict[str, float]  # connect, pack, send
    lfs: LfsUploaded = NO_LFS  # the Git LFS objects uploaded before the pack
    tags: list[str] = field(default_factory=list)  # tags pushed along (push.followTags)
    tags_rejected: dict[str, Phrase] = field(default_factory=dict)  # tag -> why, as `rejected`
    unreached: dict[str, Phrase] = field(default_factory=dict)  # a push URL past the first -> why not


class RemoteNotEmpty(GitferryError):
    """A push meant for an empty remote (`only_if_empty`) found history there: nothing sent."""

    def __init__(self, remote: str, refs: Sequence[Ref]) -> None:
        heads = sorted(
            r.decode(errors="replace").removeprefix("refs/heads/")
            for r in refs
            if r.startswith(b"refs/heads/")
        )
        held = phrase("branch {names}", names=some(heads, 3)) if heads else phrase("%n ref(s)", len(refs))
        super().__init__(
            phrase(
                "{remote} is not empty (it has {held}): only an empty remote can take a new history; "
                "clone it instead, or make a new, empty repository there",
                remote=remote,
                held=held,
            )
        )


class PushFailed(RemoteError):
    result = ResultKind.ERROR

    def __init__(self, remote: str, reason: str | Phrase) -> None:
        why = as_phrase(reason)
        said = phrase("pushing to {remote} failed: {reason}", remote=remote, reason=why)
        super().__init__(remote, why, said)


def push_branches(
    repo: Repo,
    remote: str,
    branches: Sequence[Upstream],
    *,
    auth: HttpAuth | None = None,
    progress: ProgressSink | None = None,
    timeout: float = 30.0,
    ssh_command: str | None = None,
    signer: Signer | None = None,
    stop: TransferStop | None = None,
    only_if_empty: bool = False,
) -> PushResult:
    """Push each branch's local head to its upstream's `merge_ref` on `remote`.

    The URL is `remote.<name>.pushurl`, else `remote.<name>.url`, rewritten as git
    rewrites push URLs (`url_rewrite.push_url`); with several of them (several `pushurl`,
    or several `url` and no `pushurl`) each is pushed to in turn, as git does. An HTTP(S)
    remote signs in through `signer`. Raises
    `RemoteUnreachable`, `AuthFailed`, `PushFailed`, or `HookRefused` (the
    `pre-push` hook said no: nothing was sent); a rejected ref is not an error
    but an entry in `rejected`. `stop` cuts the connection from another thread
    (`TransferStopped`), as the deadlines do (`deadlines.py`: `RemoteTooSlow`).
    `only_if_empty`: a remote that lists any ref is refused before anything is sent
    (`RemoteNotEmpty`), each URL's listing looked at.
    """
    others = sorted({u.remote for u in branches} - {remote})
    if others:
        raise BadInput(f"cannot push upstreams of {', '.join(others)} to {remote}")
    if not branches:
        return PushResult(remote, [], {}, 0, 0, {"connect": 0.0, "pack": 0.0, "send": 0.0})
    targets = [rewrite.effective for rewrite in push_rewrites(repo, remote)]
    pushed_to: list[tuple[PushResult, str]] = []
    unreached: dict[str, Phrase] = {}
    for n, effective in enumerate(targets):
        shown = url_without_secret(effective)
        try:  # `auth` was given for the remote's own URL; another one signs in by itself
            result = _push_to(
                repo,
                remote,
                branches,
                effective,
                auth if n == 0 else None,
                progress,
                timeout,
                ssh_command,
                signer,
                stop,
                only_if_empty,
            )
        except RemoteError as failed:
            if n == 0 or isinstance(failed, TransferStopped):
                raise
            unreached[shown] = failed.reason_said  # what the first URL took stands, as with git push
            continue
        pushed_to.append((result, shown))
    if len(targets) == 1:
        return pushed_to[0][0]
    combined = _combined([r for r, _ in pushed_to], [url for _, url in pushed_to])
    return replace(combined, unreached=unreached)


def _push_to(
    repo: Repo,
    remote: str,
    branches: Sequence[Upstream],
    effective: str,
    auth: HttpAuth | None,
    progress: ProgressSink | None,
    timeout: float,
    ssh_command: str | None,
    signer: Signer | None,
    stop: TransferStop | None,
    only_if_empty: bool = False,
) -> PushResult:
    """One push of `branches` to one of the remote's push URLs (`effective`, rewritten)."""
    url = parse_remote_url(effective, base=str(repo.path))
    secrets = [url.password, auth.password if auth else None]
    in_url = HttpAuth(url.user or "", url.password) if url.password is not None else None
    lfs = partial(
        upload_for_push, repo, remote, git_url=effective, auth=auth or in_url, signer=signer, timeout=timeout
    )
    session = _PushSession(
        repo, remote, branches, progress, secrets, hook_url=url_without_secret(effective), lfs_upload=lfs
    )
    config = repo.get_config_stack()
    session.follow_tags = config.get_boolean((b"push",), b"followTags", False)
    session.only_if_empty = only_if_empty
    with watched_connection(
        remote,
        url,
        config=config,
        stop=stop,
        auth=auth,
        timeout=timeout,
        ssh_command=ssh_command,
        translate=_push_error,
        signer=signer,
    ) as (watch, client, path):
        session.watch = watch
        return session.run(client, path)


def _combined(results: Sequence[PushResult], urls: Sequence[str]) -> PushResult:
    """The pushes to each of a remote's URLs as one: a branch is pushed when every URL took
    it; a refusal past the first URL names the URL that refused."""
    rejected: dict[str, Phrase] = {}
    tags_rejected: dict[str, Phrase] = {}
    for result, url in zip(results, urls, strict=True):
        first = result is results[0]
        for branch, why in result.rejected.items():
            rejected.setdefault(branch, why if first else refused_by(why, url))
        for tag, why in result.tags_rejected.items():
            tags_rejected.setdefault(tag, why if first else refused_by(why, url))
    pushed = [b for b in dict.fromkeys(b for r in results for b in r.pushed) if b not in rejected]
    timings: dict[str, float] = {}
    for result in results:
        for key, ms in result.timings_ms.items():
            timings[key] = timings.get(key, 0.0) + ms
    return PushResult(
        remote=results[0].remote,
        pushed=pushed,
        rejected=rejected,
        objects_sent=sum(r.objects_sent for r in results),
        bytes_sent=sum(r.bytes_sent for r in results),
        timings_ms=timings,
        lfs=LfsUploaded(
            max(r.lfs.pointers for r in results),
            sum(r.lfs.uploaded for r in results),
            sum(r.lfs.bytes_sent for r in results),
        ),
        tags=[t for t in dict.fromkeys(t for r in results for t in r.tags) if t not in tags_rejected],
        tags_rejected=tags_rejected,
    )


def refused_by(why: Phrase, where: str) -> Phrase:
    """A refusal's reason and who refused it (a push URL past the first, a push remote
    that is not the branch's upstream's)."""
    return phrase("{reason}, by {remote}", reason=why, remote=where)


def _push_error(exc: BaseException, remote: str, url: RemoteUrl, auth: HttpAuth | None) -> RemoteError:
    error = translate_error(exc, remote, url, auth)
    return PushFailed(remote, error.reason_said) if isinstance(error, TransferFailed) else error


@dataclass(frozen=True)
class _Branch:
    upstream: Upstream
    head: ObjectID | None  # the local branch
    tracking: ObjectID | None  # its tracking ref before the push

    @property
    def remote_ref(self) -> Ref:
        return Ref(self.upstream.merge_ref.encode())


class _PushPlan:
    """Which refs to send, judged against the remote's advertisement."""

    def __init__(self, repo: Repo, upstreams: Sequence[Upstream]) -> None:
        self._repo = repo
        self.branches = [
            _Branch(
                u,
                ref_value(repo, Ref(f"refs/heads/{u.branch}".encode())),
                ref_value(repo, Ref(u.tracking_ref.encode())),
            )
            for u in upstreams
        ]
        self.sent: dict[Ref, _Branch] = {}
        self.up_to_date: list[_Branch] = []
        self.rejected: dict[str, Phrase] = {}
        self.checked_out: Ref | None = None  # the remote's checked-out branch, never pushed to
        self.tags: dict[Ref, ObjectID] = {}  # annotated tags pushed along

    def updates(self, advertised: Mapping[Ref, ObjectID]) -> dict[Ref, ObjectID]:
        for branch in self.branches:
            reason = self._judge(branch, advertised.get(branch.remote_ref))
            if reason is not None:
                self.rejected[branch.upstream.branch] = reason
        return {ref: branch.head for ref, branch in self.sent.items() if branch.head is not None}

    def _judge(self, branch: _Branch, old: ObjectID | None) -> Phrase | None:
        """Why `branch` cannot go out, or None (it is queued, or has nothing to send)."""
        if branch.head is None:
            return _NO_BRANCH
        if branch.remote_ref in self.sent:
            return phrase("another branch is pushed to {ref}", ref=branch.upstream.merge_ref)
        if old == branch.head:
            self.up_to_date.append(branch)
            return None
        if old is not None and not self._fast_forward(old, branch.head):
            return REMOTE_MOVED
        if branch.remote_ref == self.checked_out:
            return CHECKED_OUT
        self.sent[branch.remote_ref] = branch
        return None

    def follow_tags(self, advertised: Mapping[Ref, ObjectID]) -> dict[Ref, ObjectID]:
        """The annotated tags the remote lacks whose commit the pushed branches reach
        (`git push --follow-tags`); lightweight tags are never followed."""
        store = self._repo.object_store
        candidates: dict[Ref, tuple[ObjectID, ObjectID]] = {}
        for name, sha in self._repo.refs.as_dict(Ref(b"refs/tags")).items():
            ref = Ref(b"refs/tags/" + name)
            obj = store[sha] if ref not in advertised and sha in store else None
            if not isinstance(obj, Tag):
                continue
            target: object = obj
            while isinstance(target, Tag):
                peeled = target.object[1]
                target = object_or_none(store, peeled)
            if isinstance(target, Commit):
                candidates[ref] = (sha, target.id)
        heads = [b.head for b in [*self.sent.values(), *self.up_to_date] if b.head is not None]
        reached = _reachable(self._repo, heads, {commit for _, commit in candidates.values()})
        self.tags = {ref: sha for ref, (sha, commit) in candidates.items() if commit in reached}
        return dict(self.tags)

    def _fast_forward(self, old: ObjectID, new: ObjectID) -> bool:
        store = self._repo.object_store
        if old not in store or not isinstance(store[old], Commit):
            return False  # the remote moved to commits this repository has not fetched
        return reaches(store, new, old, self._repo.get_shallow())


class _RemoteMessages:
    """What the remote said besides progress (a hook's output), kept for rejection reasons."""

    def __init__(self) -> None:
        self._partial = b""
        self.lines: list[str] = []

    def feed(self, data: bytes) -> None:
        complete, self._partial = bounded_lines(self._partial, data)  # an endless line is cut
        for raw in complete:
            line = raw.decode("utf-8", "replace").strip()
            if line and parse_progress_line(line) is None and line not in self.lines:
                self.lines = [*self.lines, line][-_MAX_MESSAGES:]


class _PushSession:
    def __init__(
        self,
        repo: Repo,
        remote: str,
        upstreams: Sequence[Upstream],
        progress: ProgressSink | None,
        secrets: list[str | None],
        *,
        hook_url: str,
        lfs_upload: LfsUpload | None = None,
    ) -> None:
        self._repo = repo
        self._remote = remote
        self._plan = _PushPlan(repo, upstreams)
        self._throttle = ProgressThrottle(progress) if progress is not None else None
        self._pack = OutgoingPack(repo, self._report)
        self._messages = _RemoteMessages()
        self._secrets = secrets
        self._started = time.perf_counter()
        self._connect_ms = 0.0
        self._local = False
        self._hook_url = hook_url  # what the pre-push hook is told: the push URL, no password
        self._refused: GitferryError | None = None  # the pre-push hook, or the LFS upload
        self._lfs_upload = lfs_upload
        self._lfs = NO_LFS
        self.watch: TransferWatch | None = None
        self._bytes_reported = 0
        self.follow_tags = False  # push.followTags
        self.only_if_empty = False  # `push_branches`' `only_if_empty`

    def _report(self, update: TransferProgress) -> None:
        if self.watch is not None and update.phase is Phase.PUSHING:
            self.watch.moved(update.bytes - self._bytes_reported)
            self._bytes_reported = update.bytes
            if update.total is not None and update.current >= update.total:
                self.watch.enter(TransferPhase.VERDICT)  # all sent: the remote checks and answers
        if self._throttle is not None:
            self._throttle(update)

    def run(self, client: GitClient, path: str) -> PushResult:
        self._report(TransferProgress(Phase.CONNECTING))
        local = isinstance(client, LocalGitClient)
        self._local = local
        if local:
            self._inspect_local_target(path)
        try:
            result = client.send_pack(
                path.encode(),
                self._update_refs,
                self._pack,
                progress=None if local else self._messages.feed,
            )
        finally:
            if self._throttle is not None:
                self._throttle.flush()
        if self._refused is not None:
            raise self._refused
        pushed = self._settle(result, local)
        tags, tags_rejected = self._settle_tags(result, local)
        return PushResult(
            remote=self._remote,
            pushed=pushed,
            rejected=dict(self._plan.rejected),
            objects_sent=self._pack.objects_sent,
            bytes_sent=self._pack.bytes_sent,
            timings_ms=self._timings(),
            lfs=self._lfs,
            tags=tags,
            tags_rejected=tags_rejected,
        )

    def _inspect_local_target(self, path: str) -> None:
        """A local target is checked directly: which branch it has checked out (git's
        receive-pack refuses to move that one), and which tracking tips it really has
        (no connectivity check there would catch a pack that leaves one out)."""
        try:
            with Repo(path) as target:
                self._plan.checked_out = _checked_out_branch(target)
                tips = _tracking_tips(self._repo, self._remote, None)
                self._pack.offer(tip for tip in tips if tip in target.object_store)
        except (NotGitRepository, OSError):
            pass  # send_pack reports it

    def _update_refs(self, advertised: dict[Ref, ObjectID]) -> dict[Ref, ObjectID]:
        self._connect_ms = (time.perf_counter() - self._started) * 1000.0
        if self.only_if_empty and advertised:
            self._refused = RemoteNotEmpty(self._remote, sorted(advertised))
            self._plan.sent.clear()
            return {}  # nothing to update: no pack is made or sent
        if not self._local:
            self._pack.offer(_tracking_tips(self._repo, self._remote, advertised))
        updates = self._plan.updates(advertised)
        if self.follow_tags:
            updates.update(self._plan.follow_tags(advertised))
        if updates:
            with self.watch.ours() if self.watch is not None else contextlib.nullcontext():
                self._refused = self._pre_push(advertised) or self._upload_lfs(advertised, updates)
            if self._refused is not None:
                self._plan.sent.clear()
                self._plan.tags.clear()
                return {}  # nothing to update: no pack is made or sent
            if self.watch is not None:
                self.watch.enter(TransferPhase.PUSH)
        return updates

    def _pre_push(self, advertised: Mapping[Ref, ObjectID]) -> HookRefused | None:
        """Run the `pre-push` hook on the refs about to be sent; its refusal, if it refused."""
        lines = b"".join(
            b"refs/heads/%s %s %s %s\n"
            % (branch.upstream.branch.encode(), branch.head, ref, advertised.get(ref, ZERO_SHA))
            for ref, branch in self._plan.sent.items()
            if branch.head is not None
        ) + b"".join(b"%s %s %s %s\n" % (ref, sha, ref, ZERO_SHA) for ref, sha in self._plan.tags.items())
        hook = find_hook(self._repo, "pre-push")
        if hook is not None and self._lfs_upload is not None and is_git_lfs_hook(hook):
            return None  # git-lfs's own hook: the LFS upload below is what it would do
        run = run_hook(self._repo, "pre-push", [self._remote, self._hook_url], lines)
        if run is None or run.passed:
            return None
        what = phrase("the push to {remote}", remote=self._remote)
        return HookRefused("pre-push", what, scrub(run.said, self._secrets))

    def _upload_lfs(
        self, advertised: Mapping[Ref, ObjectID], updates: Mapping[Ref, ObjectID]
    ) -> RemoteError | None:
        """Upload the LFS objects of what is about to be sent; the failure, if it failed."""
        if self._lfs_upload is None:
            return None
        have = {sha for sha in advertised.values() if sha != ZERO_SHA}  # as dulwich's pack header
        want = {sha for sha in updates.values() if sha not in have}
        if not want:
            return None
        found = self._pack.objects(have, want)
        try:
            self._lfs = self._lfs_upload(found.ids, ref=next(iter(updates)).decode())
        except RemoteError as exc:
            return exc
        return None

    def _settle(self, result: SendPackResult, local: bool) -> list[str]:
        """Read the remote's verdict on each sent ref; move tracking refs for the accepted."""
        statuses = result.ref_status
        pushed = []
        for ref, branch in self._plan.sent.items():
            if statuses is None or (local and ref not in statuses) or statuses.get(ref, "") is None:
                # no report-status: git, too, takes that as success
                _move_tracking_ref(self._repo, self._remote, branch, branch.head)
                pushed.append(branch.upstream.branch)
            else:
                self._plan.rejected[branch.upstream.branch] = self._reason(statuses.get(ref), local)
        for branch in self._plan.up_to_date:
            _move_tracking_ref(self._repo, self._remote, branch, branch.head)
        return pushed

    def _settle_tags(self, result: SendPackResult, local: bool) -> tuple[list[str], dict[str, Phrase]]:
        """The tags the remote took, and the ones it refused with why."""
        statuses = result.ref_status
        taken, refused = [], {}
        for ref in self._plan.tags:
            name = ref.decode("utf-8", "replace").removeprefix("refs/tags/")
            if statuses is None or (local and ref not in statuses) or statuses.get(ref, "") is None:
                taken.append(name)
            else:
                refused[name] = self._reason(statuses.get(ref) or None, local, _TAG_NOT_REPORTED)
        return taken, refused

    def _reason(self, status: str | None, local: bool, unreported: Phrase = _NOT_REPORTED) -> Phrase:
        """Why the remote refused a ref (`status`, its words; None: it said nothing of it:
        `unreported`)."""
        if local:  # dulwich's text names the raw SHAs; its only cause is a lost compare-and-swap
            return _MOVED_MEANWHILE
        if status is not None and self._pack.sends_shallow and "missing necessary objects" in status:
            # The remote's own words name an object below this shallow clone's history.
            return _SHALLOW
        said = unreported if status is None else verbatim(scrub(status, self._secrets))
        if self._messages.lines:
            lines = scrub("; ".join(self._messages.lines), self._secrets)
            return phrase("{reason} ({messages})", reason=said, messages=lines)
        return said

    def _timings(self) -> dict[str, float]:
        total = (time.perf_counter() - self._started) * 1000.0
        send = max(0.0, total - self._connect_ms - self._pack.pack_ms)
        return {"connect": self._connect_ms, "pack": self._pack.pack_ms, "send": send}


def _reachable(repo: Repo, heads: Sequence[ObjectID], targets: set[ObjectID]) -> set[ObjectID]:
    """Which of `targets` the commits `heads` reach: one walk, ended once all are found."""
    if not targets or not heads:
        return set()
    found: set[ObjectID] = set()
    seen = set(heads)
    todo = list(heads)
    shallow = repo.get_shallow()
    store = repo.object_store
    while todo and found != targets:
        sha = todo.pop()
        if sha in targets:
            found.add(sha)
        commit = object_or_none(store, sha)
        if not isinstance(commit, Commit) or sha in shallow:
            continue
        for parent in commit.parents:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return found


def _checked_out_branch(target: Repo) -> Ref | None:
    """The branch a non-bare repository has checked out: moving it would leave
    that repository's index and working tree behind its HEAD."""
    if target.get_config().get_boolean((b"core",), b"bare", target.bare):
        return None
    chain, _ = target.refs.follow(Ref(b"HEAD"))
    return chain[-1] if len(chain) > 1 else None


def _tracking_tips(repo: Repo, remote: str, advertised: Mapping[Ref, ObjectID] | None) -> list[ObjectID]:
    """This remote's tracking refs, as haves beyond what the remote advertised.

    With `advertised`, only tips whose branch the remote now has at a commit
    unknown here (someone pushed since): the remote still has the tip below it.
    A branch at a known commit is a have already, and a branch the remote
    deleted or rewound may have taken the tip's objects with it (gc).
    """
    specs = FetchRefspecs.of(repo.get_config(), remote)
    store = repo.object_store
    tips = []
    for prefix in specs.tracking_prefixes():
        for name, sha in repo.refs.as_dict(Ref(prefix.rstrip("/").encode())).items():
            source = specs.remote_ref(prefix + name.decode())
            if source is None:
                continue
            now = None if advertised is None else advertised.get(Ref(source.encode()))
            if advertised is None or (now is not None and now not in store):
                tips.append(sha)
    return tips


def _move_tracking_ref(repo: Repo, remote: str, branch: _Branch, new: ObjectID | None) -> None:
    """Move the tracking ref unless something (a fetch) moved it since the push began."""
    if new is None or branch.tracking == new:
        return
    name = Ref(branch.upstream.tracking_ref.encode())
    expected = branch.tracking if branch.tracking is not None else ZERO_SHA
    repo.refs.set_if_equals(name, expected, new, message=f"push {remote}: update by push".encode())
