""" "Test connection": ask a remote for its refs, nothing more."""

from __future__ import annotations

from core.git.transfer.transport import open_client, parse_remote_url, translate_error
from core.remote_url import HttpAuth


def probe_remote(remote: str, url: str, *, auth: HttpAuth | None, timeout: float = 30.0) -> int:
    """Raise the remote's error (`AuthFailed`, `RemoteUnreachable`, ...) or return its ref count."""
    parsed = parse_remote_url(url)
    client, path = open_client(parsed, auth=auth, timeout=timeout)
    try:
        return len(client.get_refs(path.encode() if isinstance(path, str) else path).refs)
    except Exception as exc:
        raise translate_error(exc, remote, parsed, auth) from None
    finally:
        client.close()
