"""Where `git push -u` would publish a branch: the remote and the branch on it.

The remote, as git's `pushremote_for_branch` picks it: `--remote` when given, else
`branch.<name>.pushRemote`, `remote.pushDefault`, `branch.<name>.remote`, then
`origin` (or the only remote, where there is no `origin`). The name on the remote
follows `push.default` for that branch as if it were checked out (builtin/push.c):

- `nothing`: refused;
- `current`, `matching` (the branch named is what is pushed): the same name;
- `simple` (git's default): the same name; pushing to the branch's own remote with
  an upstream of another name is refused, as git refuses it;
- `upstream` (`tracking`): the configured upstream's name on the branch's own
  remote (the same name when none is configured); another remote is refused.

The remote-tracking ref is the branch on the remote mapped through the remote's
fetch refspecs, where `git push -u` moves it.

`push_target` is where a sync pushes a branch that has an upstream: there, or, when
git's push remote for the branch is another remote (triangular), where `git push`
sends it on that remote; on its own remote too `push.default` decides (`nothing`, or
`simple` with an upstream of another name: refused, `PushDefaultRefuses`, which names
the setting to change).
"""

from __future__ import annotations

from collections.abc import Sequence

from dulwich.config import Config
from dulwich.refs import Ref
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.remote_config import find_remote, list_remotes
from core.git.config.upstreams import FetchRefspecs, Upstream
from core.git.config.values import config_text
from core.git.repository import ref_value
from core.phrase import Phrase, phrase

HEADS = "refs/heads/"


class PushDefaultRefuses(BadInput):
    """`push.default` says git would not push the branch there; `fix`: the setting that
    would let it (one clause, for a sync's message)."""

    def __init__(self, message: Phrase, fix: Phrase) -> None:
        super().__init__(message)
        self.fix = fix


class NoDefaultRemote(BadInput):
    """A branch to publish, several remotes, none named origin and none configured for it:
    which one is the user's to say. `in_app`: said where there is no `--remote` (the
    app's Publish): the way on is git's own setting, which the CLI honours as well."""

    def __init__(self, names: Sequence[str], *, in_app: bool = False) -> None:
        listed = ", ".join(names)
        if in_app:
            said = phrase(
                "several remotes ({names}) and none is named origin: say which with "
                "git config remote.pushDefault NAME",
                names=listed,
            )
        else:
            said = phrase(
                "several remotes ({names}) and none is named origin: say which with --remote", names=listed
            )
        super().__init__(said)
        self.names = list(names)


def publish_target(repo: Repo, branch: str, remote: str | None = None, *, pushing: bool = False) -> Upstream:
    """The upstream `branch` gets when published (to `remote`, or the one git would
    choose); `BadInput` with one line when there is no such branch or remote, or
    `push.default` says no. `pushing`: asked for a sync's push (`push_target`), which
    its refusal names, not a publish."""
    if not branch or ref_value(repo, Ref(f"{HEADS}{branch}".encode())) is None:
        raise BadInput(phrase("no local branch named {branch}", branch=repr(branch)))
    config = repo.get_config_stack()
    section = (b"branch", branch.encode())
    fetch_remote = config_text(config, section, b"remote")
    merge = config_text(config, section, b"merge") or None
    if merge is not None and not merge.startswith("refs/"):
        merge = HEADS + merge
    chosen = (
        remote
        or config_text(config, section, b"pushRemote")
        or config_text(config, (b"remote",), b"pushDefault")
    )
    chosen = chosen or fetch_remote or _default_remote(repo)
    find_remote(repo, chosen)  # UnknownRemote: one line
    central = chosen == (fetch_remote or "origin")  # git's "not triangular"
    destination = _destination(config, branch, chosen, merge if central and fetch_remote else None, central)
    tracking = FetchRefspecs.of(repo.get_config(), chosen).tracking_ref(destination)
    if tracking is None:
        raise BadInput(_untracked(chosen, destination, branch, pushing=pushing))
    return Upstream(branch, chosen, destination, tracking)


def _untracked(remote: str, ref: str, branch: str, *, pushing: bool) -> Phrase:
    """`remote` tracks nothing where `branch` would go (`ref`): the way on, for a sync's
    push or a publish."""
    if pushing:
        return phrase(
            "remote {remote}'s fetch refspecs do not track {ref}: "
            "add one (git config --add {key} ...) to push {branch} there",
            remote=remote,
            ref=ref,
            key=f"remote.{remote}.fetch",
            branch=branch,
        )
    return phrase(
        "remote {remote}'s fetch refspecs do not track {ref}: "
        "add one (git config --add {key} ...) to publish {branch} there",
        remote=remote,
        ref=ref,
        key=f"remote.{remote}.fetch",  # git's key, the same in every language
        branch=branch,
    )


def push_target(repo: Repo, upstream: Upstream) -> Upstream:
    """Where `git push` sends `upstream.branch`: its upstream, unless git's push remote for
    it (`branch.<name>.pushRemote`, else `remote.pushDefault`) is another remote (a
    triangular workflow: fetch from the project, push to a fork); then the branch there
    as `publish_target` names it. `BadInput`, one line, where git would refuse to push."""
    config = repo.get_config_stack()
    chosen = config_text(config, (b"branch", upstream.branch.encode()), b"pushRemote") or config_text(
        config, (b"remote",), b"pushDefault"
    )
    if chosen and chosen != upstream.remote:
        return publish_target(repo, upstream.branch, chosen, pushing=True)
    # Its own remote: the name there as push.default says (upstream: its upstream), or refused.
    if _destination(config, upstream.branch, upstream.remote, upstream.merge_ref, True) == upstream.merge_ref:
        return upstream
    # `current`: the same name there
    return publish_target(repo, upstream.branch, upstream.remote, pushing=True)


def has_head(repo: Repo, upstream: Upstream, target: Upstream) -> bool:
    """Whether `target`, where the branch is pushed (`push_target`), is another remote's
    branch that already has the branch's head (as last fetched or pushed)."""
    if target == upstream:
        return False
    head = ref_value(repo, Ref(f"{HEADS}{upstream.branch}".encode()))
    return head is not None and ref_value(repo, Ref(target.tracking_ref.encode())) == head


def pushed_elsewhere(repo: Repo, upstream: Upstream) -> bool:
    """Whether git's push remote for the branch is not its upstream's and has its head:
    nothing to push, however far ahead of its upstream it is (`has_head`)."""
    try:
        return has_head(repo, upstream, push_target(repo, upstream))
    except BadInput:  # git would refuse to push it: the sync says so, it stays to sync
        return False


def _destination(config: Config, branch: str, remote: str, upstream: str | None, central: bool) -> str:
    mode = (config_text(config, (b"push",), b"default") or "simple").lower()
    same = HEADS + branch
    if mode == "nothing":
        raise PushDefaultRefuses(
            phrase(
                "push.default is 'nothing': git would not push {branch} without a refspec either",
                branch=branch,
            ),
            phrase("set push.default to push it (git config push.default simple)"),
        )
    if mode in ("current", "matching"):
        return same
    if mode in ("upstream", "tracking"):
        if not central:
            raise PushDefaultRefuses(
                phrase(
                    "push.default is '{mode}' and {remote} is not the remote {branch} fetches from:"
                    " git would refuse to push it there",
                    mode=mode,
                    remote=remote,
                    branch=branch,
                ),
                phrase("git config push.default current would push it to {remote}", remote=remote),
            )
        return upstream or same
    if mode == "simple":
        if upstream is not None and upstream != same:
            theirs = upstream.removeprefix(HEADS)
            raise PushDefaultRefuses(
                phrase(
                    "push.default is 'simple' and the upstream of {branch} ({upstream}) has another name:"
                    " git would refuse to push it",
                    branch=branch,
                    upstream=upstream,
                ),
                phrase(
                    "git config push.default upstream would push it to {remote}'s {theirs}",
                    remote=remote,
                    theirs=theirs,
                ),
            )
        return same
    raise BadInput(phrase("bad push.default {mode} in the git config", mode=repr(mode)))


def _default_remote(repo: Repo) -> str:
    names = [r.name for r in list_remotes(repo)]
    if "origin" in names or not names:
        return "origin"
    if len(names) == 1:
        return names[0]
    raise NoDefaultRemote(names)
