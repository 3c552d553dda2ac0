"""Which repository a remote reaches, so two registered repositories that share one can be told.

Two clones of one remote may name it differently: one through a `url.<base>.insteadOf`
shorthand, one as `https://Host:443/team/notes.git/`, one as a relative path, another
with a user name in it. A remote's identity is worked out from the URL a fetch connects to
(after insteadOf, `fetch_url`), without user information (as `credential_key` keys a credential):
the transport, the host in lower case with a port other than the default,
and the path without its slashes at either end or a `.git` at its end. A local path or
`file://` URL is the repository's real path (symbolic links resolved, a relative path taken
from the working tree as git takes it, a non-bare repository's `.git` folder and its working
tree the same). Telling two remotes apart too rarely costs a fetch too many; so `host:notes`
(home-relative over ssh) and `ssh://host/notes` compare equal.
"""

from __future__ import annotations

import os
from urllib.parse import unquote

from dulwich.config import Config
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.remote_config import list_remotes
from core.git.config.url_rewrite import fetch_url
from core.remote_url import Kind, parse_remote_url

_DEFAULT_PORTS = {Kind.HTTP: 80, Kind.HTTPS: 443, Kind.GIT: 9418, Kind.SSH: 22}


def remote_identity(config: Config | None, url: str, worktree: str) -> str | None:
    """The repository the remote `url` of the working tree `worktree` reaches, as a text
    equal for every URL that reaches it; None when git could not fetch from it either."""
    try:
        parsed = parse_remote_url(fetch_url(config, url).effective, base=worktree)
    except BadInput:
        return None
    if parsed.kind in (Kind.PATH, Kind.FILE):
        path = os.path.realpath(parsed.path)
        return f"file://{path.removesuffix(os.sep + '.git')}"
    path = unquote(parsed.path).strip("/").removesuffix(".git").rstrip("/")
    port = "" if parsed.port in (None, _DEFAULT_PORTS.get(parsed.kind)) else f":{parsed.port}"
    return f"{parsed.kind}://{(parsed.host or '').lower()}{port}/{path}"


def remote_identities(repo: Repo) -> dict[str, str]:
    """Each remote of `repo` (by name) that a fetch can reach: its `remote_identity`."""
    config = repo.get_config_stack()
    found = {r.name: remote_identity(config, r.url, str(repo.path)) for r in list_remotes(repo)}
    return {name: identity for name, identity in found.items() if identity is not None}
