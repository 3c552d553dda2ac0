"""The socket a running engine answers CLI commands on: where it is, what travels on it.

`gitferry daemon` and the desktop app run the engine (`core.engine.daemon`), which
answers `gitferry sync` (and `status --refresh`, and `keep`: a password the CLI's own
sync or clone was given, for the engine's memory) on a Unix socket in a private
directory of the data directory (`core.engine.cli_server`); the CLI tries it first
(`core.cli_engine`) and runs the sync in its own process when nobody answers. This
module is what both ends share, standard library only: the CLI imports it before
anything heavy. Messages are JSON documents, one a line.

The engine answers only a client of its own user (`peer_uid`), of the same build
(`build_identity`: the protocol, the version and the code's files as they were when
the engine started), with the same environment where it changes what git would do (`git_environment`)
and the same umask (the files a sync writes get their mode from it):
otherwise it refuses, and the CLI runs the sync itself, as it did before there was
an engine to ask.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROTOCOL = 2  # the wire format: raised whenever a message changes
IN_PROCESS_VARIABLE = "GITFERRY_IN_PROCESS"  # set (non-empty): the CLI never asks an engine
RUN_DIRECTORY = "engine"  # in the data directory, mode 0700
SOCKET_FILE = "cli.sock"
LOCK_FILE = "engine.lock"  # held by the data directory's one engine (`core.engine.engine_lock`)
MAX_REQUEST = 64 * 1024
CORE = Path(__file__).parent  # the package whose files say which build runs (`build_identity`)
MAX_SOCKET_PATH = 107  # sun_path's 108 bytes, the last one a NUL
_UCRED = "iII"  # struct ucred: pid_t, then uid_t and gid_t, unsigned (a uid past 2**31 too)
# What changes what git (and so a sync) would do, besides the GIT_* variables: where
# its configuration is, ssh's agent, proxies and certificates.
ENVIRONMENT = frozenset(
    {
        "HOME",
        "XDG_CONFIG_HOME",
        "SSH_AUTH_SOCK",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        *(f"{name}_proxy" for name in ("http", "https", "all", "no")),
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO")),
    }
)
ENVIRONMENT_PREFIXES = ("GIT_", "GITFERRY_")


def run_directory(home: Path) -> Path:
    return home / RUN_DIRECTORY


def socket_path(home: Path) -> Path:
    """The engine's socket for the data directory `home`."""
    return run_directory(home) / SOCKET_FILE


def build_identity(package: Path, version: str) -> str:
    """What says two processes run the same code: the wire protocol, the version and, for
    the package directory `package` (`core`: everything a sync does), its path and the
    number, total size and newest modification time of its `.py` files. A checkout
    edited or switched, or a package reinstalled, after the engine started differs (the
    engine computes it once, at its start); a stat of each file (about 0.4 ms for the
    226 of `core`), no hashing."""
    count = size = newest = 0
    directories = [str(package)]
    while directories:
        with os.scandir(directories.pop()) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    status = entry.stat()
                    count, size = count + 1, size + status.st_size
                    newest = max(newest, status.st_mtime_ns)
                elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                    directories.append(entry.path)
    return f"{PROTOCOL}/{version}/{os.path.realpath(package)}/{count}/{size}/{newest}"


def git_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of `environ` that change what a sync does: a client and the engine
    that answers it must have the same."""
    return {
        name: value
        for name, value in environ.items()
        if (name in ENVIRONMENT or name.startswith(ENVIRONMENT_PREFIXES)) and name != IN_PROCESS_VARIABLE
    }


def current_umask() -> int:
    """This process's umask (the mode of the files a sync writes into a working tree).
    Read from /proc where the system has it: setting it to read it back (the only other
    way) changes it for every thread meanwhile, and the engine's threads may be writing
    a working tree's files at that moment."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def encode(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode() + b"\n"


def _peer(sock: socket.socket) -> tuple[int, int] | None:
    """The process id and user id at the other end (`SO_PEERCRED`: for the client of a
    listening socket, the process that listens), None where the system does not say."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    credentials = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize(_UCRED))
    pid, uid, _gid = struct.unpack(_UCRED, credentials)
    return int(pid), int(uid)


def peer_pid(sock: socket.socket) -> int | None:
    """The process id at the other end, None where the system does not say."""
    peer = _peer(sock)
    return None if peer is None else peer[0]


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end, None where the system does not say
    (then the private directory is the only guard)."""
    peer = _peer(sock)
    return None if peer is None else peer[1]


def stopped_peer(sock: socket.socket) -> int | None:
    """The process id at the other end when that process is stopped (Ctrl-Z in its
    terminal, SIGSTOP: `T` in /proc/PID/stat), else None. Its kernel still accepts
    connections on its socket, but nothing reads them until it is continued."""
    peer = _peer(sock)
    if peer is None:
        return None
    try:
        with open(f"/proc/{peer[0]}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[0]  # after the (command name)
    except (OSError, IndexError):
        return None
    return peer[0] if state in (b"T", b"t") else None


def same_user(sock: socket.socket) -> bool:
    uid = peer_uid(sock)
    return uid is None or uid == os.getuid()
