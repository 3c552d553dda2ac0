""" "Test connection": ask a remote for its refs, nothing more, the way a sync connects.

The URL is rewritten by git's `url.<base>.insteadOf` and the exchange signs in
through the same chain as a fetch (`SignIn`), so what Test connection says is
what the next sync will meet.
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.config import Config, StackedConfig

from core.git.config.url_rewrite import fetch_url
from core.git.transfer.sign_in import used
from core.git.transfer.signer import Signer
from core.git.transfer.ssh_questions import HostKeyQuestion
from core.git.transfer.timed_ssh import TimedSSHVendor
from core.git.transfer.transport import StoppableHttpClient, connected, parse_remote_url
from core.phrase import Phrase
from core.remote_url import HttpAuth


@dataclass(frozen=True)
class ProbeResult:
    refs: int
    url: str  # where it connected (after rewrites), no password
    credential: Phrase  # what it signed in with (`sign_in.used`)
    host_key: HostKeyQuestion | None = None  # an ssh host key accepted on the way


def probe_remote(
    remote: str,
    url: str,
    *,
    auth: HttpAuth | None,
    timeout: float = 30.0,
    config: Config | None = None,
    signer: Signer | None = None,
) -> int:
    """Raise the remote's error (`AuthFailed`, `RemoteUnreachable`, ...) or return its ref count."""
    return probe(remote, url, auth=auth, timeout=timeout, config=config, signer=signer).refs


def probe(
    remote: str,
    url: str,
    *,
    auth: HttpAuth | None,
    timeout: float = 30.0,
    config: Config | None = None,
    signer: Signer | None = None,
    host_key: str | None = None,
) -> ProbeResult:
    """`host_key`: an ssh host key fingerprint the user accepted (`gitferry trust-host`)."""
    if config is None:  # no repository yet (a clone's URL): the user's and the system's config
        config = StackedConfig.default()
    effective = fetch_url(config, url).effective
    parsed = parse_remote_url(effective)
    with connected(
        remote, parsed, auth=auth, timeout=timeout, config=config, signer=signer, host_key=host_key
    ) as (client, path):
        refs = client.get_refs(path.encode() if isinstance(path, str) else path).refs
        sign_in = client.sign_in if isinstance(client, StoppableHttpClient) else None
        vendor = getattr(client, "ssh_vendor", None)
        asking = vendor.asking if isinstance(vendor, TimedSSHVendor) else None
    if asking is not None:
        return ProbeResult(len(refs), parsed.text, asking.used(), asking.accepted_host)
    return ProbeResult(len(refs), parsed.text, used(sign_in))
