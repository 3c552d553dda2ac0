"""Registering repositories and editing their remotes and credentials."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dulwich.config import StackedConfig
from dulwich.repo import Repo

from core.credentials import KeyringUnavailable
from core.engine.core import Core
from core.engine.remotes_mirror import mirror_remotes
from core.errors import BadInput, GitferryError, NotARepository
from core.git.config import remote_config
from core.git.config.url_rewrite import fetch_url, push_url
from core.git.objects.pack_limits import PackLimits
from core.git.progress import TransferProgress
from core.git.repository import canonical_path, current_branch, open_worktree_repo
from core.git.transfer.clone import check_clone_folder, discard_unfinished
from core.git.transfer.clone import clone_repository as clone_into
from core.git.transfer.clone_marker import clone_finished, refuse_half_made
from core.git.transfer.errors import AuthFailed, TransferStopped
from core.git.transfer.probe import probe, probe_remote
from core.git.transfer.sign_in import describe_credential, remote_memory_key, store_with_helpers
from core.git.transfer.signer import Signer, unkept_password_note
from core.git.transfer.ssh_questions import HostKeyUnknown
from core.git.transfer.stop import TransferStop
from core.model import ConnectionCheck, RemoteAccess, RepoRecord
from core.phrase import Phrase, as_phrase, joined, phrase, to_json
from core.remote_url import (
    BadRemoteUrl,
    HttpAuth,
    Kind,
    check_url,
    parse_remote_url,
    split_url_secret,
    url_without_secret,
)
from core.settings import REPO_PARSERS, BadSetting, parse_setting
from core.store.status_reader import UnknownRepository

REMOTE_ACTIONS = ("add", "set-url", "set-push-url", "remove")
_CANCEL_TURN = 0.1  # seconds between looks at a clone's cancel event


class CloneCancelled(GitferryError):
    def __init__(self, url: str) -> None:
        super().__init__(phrase("clone of {url} cancelled: nothing was kept", url=url))
        self.url = url


@dataclass(frozen=True)
class AcceptedCredentials:
    """A user name and secret that the remote at `url` has just accepted."""

    remote: str
    url: str
    auth: HttpAuth


def default_name(path: str) -> str:
    """The name a folder is registered by when none is given: its last part (`~` and links
    resolved), the spaces a name cannot hold made '-' ("My Thesis" is "My-Thesis": a
    folder's own name was refused, and a newcomer adding it had to find out why)."""
    name = re.sub(r"[\s\\]+", "-", Path(canonical_path(path)).name).lstrip("-")
    return name or "repository"


def check_name(name: str) -> None:
    """A repository name as the user typed it: `BadInput` (one line) when it cannot be one."""
    if not name or name.startswith("-") or any(c.isspace() or c in "/\\" for c in name):
        raise BadInput(
            phrase("bad repository name {name}: no spaces or slashes, not starting with '-'", name=repr(name))
        )


def _check_worktree(path: str, cloned: bool = False) -> None:
    if not Path(path).exists():
        raise NotARepository(path, phrase("{path} does not exist", path=path))
    if not cloned:
        refuse_half_made(Path(path))
    open_worktree_repo(path).close()


async def add_repository(
    core: Core,
    path: str,
    *,
    name: str | None = None,
    settings: dict[str, str] | None = None,
    cloned: bool = False,
    measure: bool = True,
) -> RepoRecord:
    """Register the repository at `path`. When a registration of that name exists and
    its folder is gone (moved or deleted), it is pointed at `path` instead, keeping its
    settings and history: `gitferry add NEWPATH --name NAME` after a move. A clone that
    did not finish is refused, unless it is the one registering it (`cloned`). Its
    branches are measured from local refs at once (`measure`; no network), so `status`
    and the window show them before the first sync; a clone and a start measure theirs
    once they are complete."""
    path = canonical_path(path)
    name = name or default_name(path)
    check_name(name)
    checked = {key: parse_setting(REPO_PARSERS, key, value) for key, value in (settings or {}).items()}
    if checked.get("auto_commit") == "true":
        checked.setdefault("sync_mode", "auto")  # committing by itself: syncing by itself too
    await core.offload.io(_check_worktree, path, cloned)
    missing = await _registration_without_folder(core, name)
    if missing is None:
        record = await core.store.add_repo(name, path, checked)
    else:
        record = await core.store.move_repo(missing.id, path)
        if checked:
            await core.store.set_repo_settings(record.id, checked)
    await mirror_remotes(core, record.id, path)
    if measure:
        await measure_registered(core, record)
    return record


async def _registration_without_folder(core: Core, name: str) -> RepoRecord | None:
    try:
        record = await core.store.repo(name)
    except UnknownRepository:
        return None
    exists = await core.offload.io(os.path.lexists, record.path)
    return None if exists else record


async def remove_repository(core: Core, name: str) -> None:
    """Forget a repository; its files are never touched."""
    await core.store.remove_repo(name)


async def set_repo_setting(core: Core, name: str, key: str, value: str) -> None:
    record = await core.store.repo(name)
    text = (await check_repo_settings(core, record, {key: value}))[key]
    await core.store.set_repo_setting(record.id, key, text)


class UnknownBranch(BadSetting):
    """`tracked_branches` names `branch`, which is no branch here nor on a remote."""

    def __init__(self, repo_name: str, branch: str) -> None:
        reason = phrase(
            "no branch named {branch} in {repo}, on this computer or on a remote",
            branch=repr(branch),
            repo=repo_name,
        )
        super().__init__("tracked_branches", phrase("{reason}: nothing changed", reason=reason), reason)
        self.branch = branch


async def check_repo_settings(core: Core, record: RepoRecord, values: Mapping[str, str]) -> dict[str, str]:
    """`values` as stored (`parse_setting`), each checked against the repository too: a
    `tracked_branches` list naming no branch here or on a remote is `UnknownBranch`. The one
    check both `set` and the settings window (`Api.set_repo_settings`) pass."""
    checked = {key: parse_setting(REPO_PARSERS, key, value) for key, value in values.items()}
    tracked = checked.get("tracked_branches")
    if tracked is not None and tracked not in ("upstreams", "all"):
        unknown = await core.offload.io(_unknown_branches, record.path, tracked.split(","))
        if unknown:
            raise UnknownBranch(record.name, unknown[0])
    return checked


def _unknown_branches(path: str, names: Sequence[str]) -> list[str]:
    """The names of `names` that are no local branch (`refs/heads/`, the checked-out one
    even unborn) and no remote's (`refs/remotes/*/`): a typo there would leave every
    branch unsynced, in silence. None in a repository that has no branch anywhere yet
    (nothing to tell a typo by)."""
    with open_worktree_repo(path) as repo:
        refs: set[bytes] = set(repo.refs.allkeys())
        if not any(ref.startswith((b"refs/heads/", b"refs/remotes/")) for ref in refs):
            return []
        branch = current_branch(repo)
    if branch is not None:
        refs.add(f"refs/heads/{branch}".encode())
    known = {ref[len(b"refs/heads/") :] for ref in refs if ref.startswith(b"refs/heads/")}
    known |= {
        ref.split(b"/", 3)[3] for ref in refs if ref.startswith(b"refs/remotes/") and ref.count(b"/") >= 3
    }
    return [name for name in names if name.encode() not in known]


async def edit_remote(core: Core, name: str, action: str, remote: str, url: str | None) -> None:
    """`remote add|set-url|set-push-url|remove`; a URL's secret goes to the keyring, never
    the config. `set-push-url` with no URL drops the push URL (pushes go to the fetch URL)."""
    record = await core.store.repo(name)
    auth: HttpAuth | None = None
    if action not in REMOTE_ACTIONS:
        known = ", ".join(REMOTE_ACTIONS)
        raise BadInput(
            phrase("unknown remote action {action} (known: {known})", action=repr(action), known=known)
        )
    if action in ("add", "set-url") and not url:
        raise BadInput(phrase("remote {action} needs a URL", action=action))
    if action != "remove" and url:
        url, auth = split_url_secret(url)
        check_url(url)

    def apply() -> None:
        with open_worktree_repo(record.path) as repo:
            _apply_remote_edit(repo, action, remote, url or None)

    if auth is not None and url:
        accepted = await check_credentials(core, remote, url, auth.username, auth.password, path=record.path)
        await save_credentials(core, accepted, path=record.path)
    await core.offload.io(apply)
    await mirror_remotes(core, record.id, record.path)


async def check_credentials(
    core: Core, remote: str, url: str, username: str, secret: str, *, path: str | None = None
) -> AcceptedCredentials:
    """Ask the remote at `url` whether it accepts them; nothing is saved. The request
    goes as a sync's would (the repository at `path`'s git settings, or the user's)."""
    if not url.startswith(("http://", "https://")):
        raise BadInput(_takes_no_password(remote, url))
    if not username or not secret:
        raise BadInput(phrase("a user name and a token or password are both needed"))
    auth = HttpAuth(username, secret)
    config = await core.offload.io(git_config, path)
    await core.offload.io(probe_remote, remote, url, auth=auth, config=config)
    return AcceptedCredentials(remote, url, auth)


def _takes_no_password(remote: str, url: str) -> Phrase:
    """Why `remote` at `url` (not HTTP(S)) has no credentials to set: said for its kind (a
    local path was said to "use /srv/notes.git, not HTTP(S): ssh uses your agent and keys")."""
    try:
        kind = parse_remote_url(url).kind
    except BadRemoteUrl:
        kind = None
    if kind in (Kind.PATH, Kind.FILE):
        return phrase(
            "{remote} is a folder on this computer ({url}): it takes no user name or password",
            remote=remote,
            url=url,
        )
    if kind is Kind.GIT:
        return phrase("{remote} uses git://, which takes no user name or password", remote=remote)
    return phrase("{remote} uses ssh, not HTTP(S): ssh signs in with your agent and keys", remote=remote)


def git_config(path: str | None) -> StackedConfig:
    """The git settings a transfer for the repository at `path` reads (the user's and the
    system's alone without one)."""
    if path is None:
        return StackedConfig.default()
    with open_worktree_repo(path) as repo:
        return repo.get_config_stack()


async def test_connection(core: Core, name: str, remote: str) -> ConnectionCheck:
    """ "Test connection" with nothing typed: the remote asked exactly as a sync the user
    started asks it (rewritten URL, git's http settings, keyring, credential helpers,
    then the sign-in prompt). Refused: the remote's `GitferryError`."""
    record = await core.store.repo(name)
    config = await core.offload.io(git_config, record.path)

    def url_of() -> str:
        with open_worktree_repo(record.path) as repo:
            return remote_config.remote_url(repo, remote)

    url = await core.offload.io(url_of)
    found = await core.offload.io(probe, remote, url, auth=None, config=config, signer=core.signer(ask=True))
    return ConnectionCheck(remote, found.url, found.refs, found.credential)


async def trust_host(core: Core, target: str, fingerprint: str) -> str:
    """`gitferry trust-host`: connect to the ssh remote at `target` as a sync would and accept
    its host key only if it is `fingerprint` (ssh compares it with the key it is sent,
    then writes known_hosts as its own settings say). `target` is a URL, or a registered
    repository's name (git's rule for `git fetch X`: a name holds no slash, and a
    registered one wins), whose remotes' ssh hosts are asked, each once, under its git
    settings. One line a host says what happened; a different key: `GitferryError`,
    nothing written."""
    fingerprint = fingerprint.strip().rstrip(").;,")  # copied with the sentence around it
    record = await _registered(core, target)
    if record is None:
        parsed = check_url(target)
        if parsed.kind is not Kind.SSH:
            if _may_be_name(target):
                raise BadInput(f"{target} is neither a registered repository nor an ssh address")
            raise BadInput(f"{parsed.text} is not an ssh address: only ssh has host keys to accept")
        return await _trust_host_of(core, target, _fingerprint(fingerprint), None)
    config = await core.offload.io(git_config, record.path)
    urls = await core.offload.io(_ssh_urls, record.path, config)
    if not urls:
        raise BadInput(f"{record.name} has no ssh remote: only ssh has host keys to accept")
    checked = _fingerprint(fingerprint)
    said, refused = [], []
    for url in urls:
        try:
            said.append(await _trust_host_of(core, url, checked, config))
        except _OtherKey as exc:
            refused.append(str(exc))
    if not said:
        raise GitferryError("; ".join(refused))
    return "\n".join((*said, *refused))


class _OtherKey(GitferryError):
    """The server sent another key than the fingerprint given: nothing accepted."""


def _fingerprint(fingerprint: str) -> str:
    if not fingerprint.startswith("SHA256:"):
        raise BadInput(f"{fingerprint!r} is not a fingerprint as ssh shows it (SHA256:...)")
    return fingerprint


async def _registered(core: Core, target: str) -> RepoRecord | None:
    """The repository registered as `target`, when it can be a name."""
    if not _may_be_name(target):
        return None
    try:
        return await core.store.repo(target)
    except UnknownRepository:
        return None


def _may_be_name(target: str) -> bool:
    """No slash: git's `valid_remote_nick`, and a registered name never has one."""
    return "/" not in target and "\\" not in target


def _ssh_urls(path: str, config: StackedConfig) -> list[str]:
    """The URLs of the repository's remotes (fetch, then push, after insteadOf) that reach
    ssh hosts, one a host (and port)."""
    hosts: dict[tuple[str | None, int | None], str] = {}
    with open_worktree_repo(path) as repo:
        for remote in remote_config.list_remotes(repo):
            for url in (remote.url, push_url(config, remote.url, remote.push_url).effective):
                try:
                    parsed = parse_remote_url(fetch_url(config, url).effective)
                except BadRemoteUrl:
                    continue
                if parsed.kind is Kind.SSH:
                    hosts.setdefault((parsed.host, parsed.port), url)
    return list(hosts.values())


async def _trust_host_of(core: Core, url: str, fingerprint: str, config: StackedConfig | None) -> str:
    parsed = parse_remote_url(fetch_url(config, url).effective) if config is not None else check_url(url)
    remote = parsed.host or parsed.text
    try:
        found = await core.offload.io(
            probe, remote, url, auth=None, config=config, signer=core.signer(ask=True), host_key=fingerprint
        )
    except HostKeyUnknown as exc:
        theirs = exc.question
        raise _OtherKey(
            f"{theirs.host} sent the {theirs.key_type} key {theirs.fingerprint}, not {fingerprint}: "
            "nothing accepted"
        ) from None
    except AuthFailed as exc:  # the host key was checked before the login
        return f"{remote}: the host key is known to ssh now, but the login failed: {exc.reason}"
    if found.host_key is None:
        return f"{remote}: ssh knew its host key already; nothing written"
    key = found.host_key
    return f"accepted {key.host}'s {key.key_type} key {key.fingerprint}: ssh wrote it to known_hosts"


async def remote_access(core: Core, name: str) -> list[RemoteAccess]:
    """Each remote's effective URLs (when a rewrite applies) and where its credential
    comes from, for the settings (nobody is asked: see `describe_credential`)."""
    record = await core.store.repo(name)

    def read() -> list[RemoteAccess]:
        with open_worktree_repo(record.path) as repo:
            config = repo.get_config_stack()
            out = []
            for remote in remote_config.list_remotes(repo):
                fetch = fetch_url(config, remote.url)
                pushed = push_url(config, remote.url, remote.push_url)
                credential = describe_credential(fetch.effective, config, core.credentials, core.passwords)
                out.append(
                    RemoteAccess(
                        remote.name,
                        url_without_secret(remote.url),
                        credential,
                        url_without_secret(fetch.effective) if fetch.rewritten else None,
                        # a rewrite only: a `pushurl` as configured is the Push URL column's
                        url_without_secret(pushed.effective)
                        if pushed.rewritten and pushed.effective != fetch.effective
                        else None,
                    )
                )
            return out

    return await core.offload.io(read)


async def save_credentials(core: Core, accepted: AcceptedCredentials, *, path: str | None = None) -> bool:
    """Keep a credential the remote accepted in the keyring. With no keyring on the machine,
    git's credential helpers are told `store`, as git tells them, and a running engine (the
    app, the daemon) keeps it in its memory until it quits, as a password typed at the
    sign-in (True: kept there only, no helper configured); with neither (the CLI) and with
    a keyring that is locked or failing, `KeyringUnavailable`. `path`: the repository whose
    git settings say how the transfers look the password up (`credential.useHttpPath`)."""
    try:
        await core.offload.io(core.credentials.save, accepted.url, accepted.auth)
        return False
    except KeyringUnavailable as exc:
        if not exc.absent:
            raise
        unkept = exc
    config = await core.offload.io(git_config, path)
    helped = await core.offload.io(store_with_helpers, config, accepted.url, accepted.auth)
    if core.passwords is not None:
        core.passwords.keep(*remote_memory_key(config, accepted.url), accepted.auth)
    elif not helped:
        raise unkept
    return not helped


async def saved_username(core: Core, url: str) -> str | None:
    """The user name stored in the keyring for `url`, if any (never the secret): none where
    there is no keyring (`describe_credential` says so); a locked or failing one raises."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        auth = await core.offload.io(core.credentials.get, url)
    except KeyringUnavailable as exc:
        if exc.absent:
            return None
        raise
    return None if auth is None else auth.username


async def set_credentials(
    core: Core, name: str, remote: str, username: str, secret: str, *, url: str | None = None
) -> bool:
    """Probe the remote (at `url`, else its configured fetch URL); save only when accepted
    (True: kept in the running engine's memory only, `save_credentials`)."""
    record = await core.store.repo(name)

    def url_of() -> str:
        with open_worktree_repo(record.path) as repo:
            return remote_config.remote_url(repo, remote)

    if url is None:
        url = await core.offload.io(url_of)
    else:
        check_url(url)
    accepted = await check_credentials(core, remote, url, username, secret, path=record.path)
    return await save_credentials(core, accepted, path=record.path)


async def clone_repository(
    core: Core,
    url: str,
    path: str,
    *,
    name: str | None = None,
    progress: Callable[[str, TransferProgress], None] | None = None,
    cancel: threading.Event | None = None,
    notes: list[str] | None = None,
    settings: dict[str, str] | None = None,
) -> RepoRecord:
    """Clone `url` into a new folder at `path` and register it (with `settings`, as `add`).

    Setting `cancel` cuts the transfer's connection within `_CANCEL_TURN`, or stops the
    checkout at its next file (`CloneCancelled`), and the clone removes what it created
    (only that); a cancel that comes after the last file still registers nothing.
    `notes` receives the fetch's own (one line each: a ref it ignored)."""
    target = Path(canonical_path(path))
    url, auth = split_url_secret(url)
    await core.offload.io(check_clone_folder, target, url)  # empty, or a dead clone of `url` to redo
    name = name or default_name(str(target))
    check_name(name)
    await core.store.repos()  # fail early on a broken store, before any download
    shown = check_url(url).text

    def sink(update: TransferProgress) -> None:
        if cancel is not None and cancel.is_set():
            raise CloneCancelled(shown)
        if progress is not None:
            progress("origin", update)

    watching = progress is not None or cancel is not None
    limits = PackLimits.of(await core.store.app_settings())
    sink_or_none = sink if watching else None
    signer = core.signer(ask=True)
    stop = TransferStop()
    done = threading.Event()
    watcher = None
    if cancel is not None:
        watcher = threading.Thread(target=_stop_on_cancel, args=(cancel, stop, done), daemon=True)
        watcher.start()
    try:
        fetched = await core.offload.io(
            clone_into,
            url,
            target,
            auth=auth,
            progress=sink_or_none,
            limits=limits,
            signer=signer,
            keep_marker=True,
            stop=stop,
        )
    except TransferStopped:
        if cancel is not None and cancel.is_set():
            raise CloneCancelled(shown) from None
        raise
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    if cancel is not None and cancel.is_set():  # in the last moment: still nothing is kept
        await core.offload.io(discard_unfinished, target)
        raise CloneCancelled(shown)
    if auth is not None:  # the password in the URL: the clone is done whether a keyring keeps it or not
        try:
            await core.offload.io(core.credentials.save, url, auth)
        except KeyringUnavailable as exc:
            if not exc.absent:
                signer.notes.append(phrase("{remote}: {reason}", remote="origin", reason=exc.phrase))
            elif not await core.offload.io(_kept_by_helpers, target, url, auth):
                holder = await core.offload.io(_kept_in_memory, core, signer, target, url, auth)
                signer.notes.append(unkept_password_note("origin", exc.why_said, exc.fix_said, holder))
    if notes is not None:
        notes.extend([*fetched.notes, *(note.english() for note in signer.notes)])
    # A clone killed after registering and before its marker went is registered already.
    registered = [r for r in await core.store.repos() if r.path == str(target)]
    record = (
        registered[0]
        if registered
        else await add_repository(core, str(target), name=name, settings=settings, cloned=True, measure=False)
    )
    if fetched.lfs_missing:  # listed as a sync lists them: the next sync fills them in
        from core.engine.lfs_phase import record_left_as_pointers

        await record_left_as_pointers(core, record.id, str(target), fetched.lfs_missing)
    if fetched.unconverted:  # listed as a switch lists them, until git checks them out
        from core.engine.integrate_phase import list_unconverted

        await list_unconverted(core, record.id, fetched.unconverted)
    await core.offload.io(clone_finished, target)  # last: a clone killed before this is redone
    if not registered:  # its first run, for the window: "Cloned", not "Not synced yet, 1 to sync"
        # a password kept nowhere
        record = await record_first_run(
            core,
            record,
            "clone",
            [phrase("cloned from {url}", url=shown), *fetched.said_notes(), *signer.notes],
        )
    # Its branches fetched from `origin` now, as a fetch records them (the window read
    # "Last fetched: never" right after the clone had fetched everything).
    await measure_registered(core, record, fetched=["origin"])
    return record


async def measure_registered(core: Core, record: RepoRecord, fetched: Sequence[str] = ()) -> None:
    """A repository's branches, just registered, measured from local refs into the store
    (`refresh_status`: the measure of `status --refresh`), so `status` and the window list
    them before the first sync; never the registration's undoing (`measure_after`)."""
    from core.engine.branch_measure import measure_after

    await measure_after(core, record, fetched)


async def record_first_run(
    core: Core, record: RepoRecord, kind: str, parts: Sequence[str | Phrase]
) -> RepoRecord:
    """A clone's or a start's run in the history ("Cloned", "Started syncing"), so the window
    reads Up to date, not "Not synced yet, 1 to sync"; the record as it reads then. Only
    once the clone or the start is complete, and never its undoing: a store that cannot
    write it leaves "Not synced yet", a warning in the log, and the repository as made."""
    try:
        said = [as_phrase(part) for part in parts]
        await core.store.record_done_run(record.id, kind, joined(said), {}, said=to_json(said))
        return await core.store.repo_by_id(record.id)
    except GitferryError as exc:
        import logging  # only on this failure: the CLI's cold path does without it

        logging.getLogger(__name__).warning("%s: its first run was not recorded: %s", record.name, exc)
        return record


def _kept_by_helpers(target: Path, url: str, auth: HttpAuth) -> bool:
    """Whether git's credential helpers (the new clone's settings) were told to keep the
    password of a clone's URL, as `git clone` tells them (`store_with_helpers`)."""
    return store_with_helpers(git_config(str(target)), url, auth)


def _kept_in_memory(core: Core, signer: Signer, target: Path, url: str, auth: HttpAuth) -> str | None:
    """Who keeps the password of a clone's URL that no keyring keeps: this running engine
    (the app: its transfer kept it), the running engine a one-off command hands it to
    (`Signer.hand_over`, keyed as the clone's fetches will look it up), or nobody."""
    if core.passwords is not None:
        return core.passwords.holder
    if signer.hand_over is None:
        return None
    with open_worktree_repo(target) as repo:
        config = repo.get_config_stack()
        key = remote_memory_key(config, url)
    return signer.hand_over(*key, auth)


def _stop_on_cancel(cancel: threading.Event, stop: TransferStop, done: threading.Event) -> None:
    """Cut the clone's connection once the user's `cancel` is set (a read in progress,
    a trickling server: the progress report that would see it may be far off)."""
    while not done.is_set():
        if cancel.wait(_CANCEL_TURN):
            stop.stop("cancelled")
            return


def _apply_remote_edit(repo: Repo, action: str, remote: str, url: str | None) -> None:
    if action == "add" and url:
        remote_config.add_remote(repo, remote, url)
    elif action == "set-url" and url:
        remote_config.set_remote_url(repo, remote, url)
    elif action == "set-push-url" and url:
        remote_config.set_remote_url(repo, remote, url, push=True)
    elif action == "set-push-url":
        _drop_push_url(repo, remote)
    elif action == "remove":
        remote_config.remove_remote(repo, remote)
    else:
        raise BadInput(phrase("remote {action} needs a URL", action=action))


def _drop_push_url(repo: Repo, remote: str) -> None:
    config = repo.get_config()
    section = (b"remote", remote.encode())
    if not config.has_section(section):
        raise remote_config.UnknownRemote(remote)
    if b"pushurl" in config[section]:
        del config[section][b"pushurl"]
        config.write_to_path()
