"""A remote's ref advertisement (protocol v0) read without dulwich, as a fetch last met it.

A cold `gitferry sync --fetch-only` that would change nothing is answered from the
record of the last one (`core/cli_replay.py`), once the remote has said the same
refs again. What the engine's fetch dialled is kept as a `Dial`: a `git://` request,
or the ssh command line it ran (with `BatchMode`: the replay asks nothing; an ssh that
would ask fails, and the engine's fetch then runs and asks). `read_advertisement`
says it again and reads the refs, then ends the exchange as a fetch that wants nothing
does (a flush-pkt). An HTTP(S) remote's request is said again by
`http_advertisement.py` (imported for it only), when the engine's needed no
credentials and nothing else it cannot say again.

Light on purpose: a cold process that imports dulwich has spent the time it saves.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from typing import Any

Advertised = list[list[str]]
"""A remote's refs as `[[name, object id], ...]`, sorted (peeled `^{}` entries too),
then `["symref", "HEAD:refs/heads/main"]` entries: JSON as it is."""

Dial = dict[str, Any]
"""`{"kind": "git", "host": ..., "port": ..., "path": ...}`, `{"kind": "ssh", "argv": [...]}`
or `{"kind": "http", "url": ..., ...}` (`http_advertisement.py`)."""

FLUSH = b"0000"


def advertised(
    refs: Iterable[tuple[bytes, bytes | None]], symrefs: Iterable[tuple[bytes, bytes]]
) -> Advertised:
    """The refs and symbolic refs a remote advertised (`(name, id)` and `(name, target)`
    pairs: a mapping's `items()`), in one comparable form."""
    listed = sorted([_text(name), _text(sha)] for name, sha in refs if sha is not None)
    return listed + sorted(["symref", f"{_text(name)}:{_text(target)}"] for name, target in symrefs)


def git_dial(host: str, port: int, path: bytes) -> Dial:
    return {"kind": "git", "host": host, "port": port, "path": _text(path)}


def ssh_dial(argv: list[str]) -> Dial:
    return {"kind": "ssh", "argv": argv}


def with_prefixes(dial: Dial | None, prefixes: Iterable[bytes]) -> Dial | None:
    """`dial` with the ref prefixes the fetch listed (dulwich keeps only the refs under
    them of a v0 listing, and the record those): a replay compares only those."""
    return None if dial is None else {**dial, "prefixes": [_text(prefix) for prefix in prefixes]}


def read_advertisement(dial: Dial, timeout: float) -> Advertised | None:
    """The refs the remote `dial` names advertises now, those under its `prefixes` when it
    has them (`with_prefixes`); None when they could not be read (unreachable, refused, an
    ssh that would ask, an HTTP(S) answer other than the recorded exchange's, a server that
    speaks otherwise)."""
    found = _read(dial, timeout)
    prefixes = dial.get("prefixes")
    if found is None or prefixes is None:
        return found
    # The peeled `^{}` lines with their tags, every symbolic ref (dulwich's `filter_ref_prefix`).
    return [ref for ref in found if ref[0] == "symref" or ref[0].startswith(tuple(prefixes))]


def _read(dial: Dial, timeout: float) -> Advertised | None:
    try:
        if dial["kind"] == "git":
            return _over_git(dial, timeout)
        if dial["kind"] == "ssh":
            return _over_ssh(dial, timeout)
        if dial["kind"] == "http":
            from core.git.transfer.http_advertisement import over_http  # http.client, ssl: HTTP(S) only

            return over_http(dial, timeout, _read_refs)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def _over_git(dial: Dial, timeout: float) -> Advertised | None:
    host = str(dial["host"])
    # An ASCII name as bytes, as the fetch's client gives it (`timed_clients`: no IDNA codec).
    address = (host.encode("ascii") if host.isascii() else host, int(dial["port"]))
    with socket.create_connection(address, timeout) as sock:  # type: ignore[arg-type]
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(
            _pkt(b"git-upload-pack " + _bytes(dial["path"]) + b"\0host=" + host.encode("ascii") + b"\0")
        )
        with sock.makefile("rb") as stream:
            found = _read_refs(stream.read)
        sock.sendall(FLUSH)  # nothing wanted: git's upload-pack ends there
    return found


def _over_ssh(dial: Dial, timeout: float) -> Advertised | None:
    import subprocess  # only ssh remotes pay for it

    argv = [str(arg) for arg in dial["argv"]]
    with subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_ssh_env()
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            found = _read_refs(_timed_read(proc.stdout.fileno(), timeout))
            proc.stdin.write(FLUSH)
            proc.stdin.close()
            if proc.wait(timeout) != 0:
                return None
        except BaseException:
            proc.kill()
            raise
    return found


def _ssh_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GIT_PROTOCOL", None)  # protocol v0, as the fetch it replays
    return env


def _timed_read(fd: int, timeout: float) -> Callable[[int], bytes]:
    import select

    def read(size: int) -> bytes:
        chunks: list[bytes] = []
        while size > 0:
            if not select.select([fd], [], [], timeout)[0]:
                raise TimeoutError("the remote went quiet")
            chunk = os.read(fd, size)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    return read


def _read_refs(read: Callable[[int], bytes]) -> Advertised | None:
    """The v0 advertisement's refs and `symref=` capabilities, up to its flush-pkt."""
    refs: dict[bytes, bytes] = {}
    symrefs: dict[bytes, bytes] = {}
    first = True
    while True:
        head = read(4)
        if len(head) != 4:
            return None
        size = int(head, 16)
        if size == 0:
            break
        line = read(size - 4)
        if len(line) != size - 4 or line.startswith(b"ERR ") or line.startswith(b"version "):
            return None  # refused, or a protocol this reader does not speak
        line = line.rstrip(b"\n")
        if first:
            line, _, caps = line.partition(b"\0")
            symrefs = _symrefs(caps.split(b" "))
            first = False
        sha, _, name = line.partition(b" ")
        if name != b"capabilities^{}":  # an empty repository's placeholder
            refs[name] = sha
    return advertised(refs.items(), symrefs.items())


def _symrefs(caps: Iterable[bytes]) -> dict[bytes, bytes]:
    pairs = (cap.removeprefix(b"symref=").partition(b":") for cap in caps if cap.startswith(b"symref="))
    return {name: target for name, _, target in pairs}


def _pkt(payload: bytes) -> bytes:
    return b"%04x" % (len(payload) + 4) + payload


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")
