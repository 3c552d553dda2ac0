"""ssh clients that never wait on the remote longer than a timeout.

Dulwich's ssh pipes block until the ssh process says something: a silent server
hangs a fetch forever. `TimedSSHVendor` runs the ssh program git would run with a
deadline on every read of its output, and lets a `TransferStop` kill it from another
thread (`stop.py`). Apart from the git:// client (`timed_clients.py`) so that a fetch
over git:// or HTTP(S) does not import git's ssh settings (`ssh_command.py`, shlex).
`BatchedSSHGitClient` is dulwich's ssh client with a fetch's haves in git's windows
(`have_batches.py`), as the git:// client has them.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
from collections.abc import Callable
from functools import partial
from typing import IO, TYPE_CHECKING

from dulwich.client import SSHGitClient, StrangeHostname, SubprocessSSHVendor, SubprocessWrapper
from dulwich.protocol import DEFAULT_GIT_PROTOCOL_VERSION_FETCH

from core.git.config.ssh_command import SshProgram, Variant
from core.git.transfer import early_dial
from core.git.transfer.advertisement import Dial, ssh_dial
from core.git.transfer.have_batches import Connected, batched_haves
from core.git.transfer.ofs_delta import with_ofs_delta
from core.git.transfer.stop import TransferStop, nothing, registered
from core.platform.process_groups import signal_group
from core.platform.readiness import readable

if TYPE_CHECKING:
    from core.git.transfer.ssh_questions import SshAsking

_KILL_GRACE = 2.0
_UNREACHABLE = (b"ssh: connect to host", b"ssh: Could not resolve hostname")  # OpenSSH's words


class BatchedSSHGitClient(SSHGitClient):
    """dulwich's ssh client, writing a fetch's haves in git's windows (`have_batches.py`):
    dulwich's own writes each have alone, which over ssh is also one write to the pipe and
    one packet on the wire each, and never a flush, so the server never says `ready`."""

    def _connect(self, cmd: bytes, path: str | bytes, protocol_version: int | None = None) -> Connected:
        proto, can_read, stderr = super()._connect(cmd, path, protocol_version)
        if cmd == b"upload-pack":
            proto, can_read = batched_haves(proto, can_read)
        return proto, can_read, stderr


class _TimedPipe:
    """Reads exactly n bytes (or up to EOF) from a pipe, waiting at most `timeout` per wait;
    while `asking()` (ssh waits for the user's answer) the silence is not the remote's."""

    def __init__(self, fd: int, timeout: float, asking: Callable[[], bool] = lambda: False) -> None:
        self._fd = fd
        self._timeout = timeout
        self._asking = asking

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            raise ValueError("a bounded read needs a size")
        chunks = []
        wanted = size
        while wanted > 0:
            if not readable(self._fd, self._timeout):
                if self._asking():
                    continue
                raise TimeoutError(f"no data from the remote for {self._timeout:g} s")
            data = os.read(self._fd, wanted)
            if not data:
                break
            chunks.append(data)
            wanted -= len(data)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _TimedSubprocess(SubprocessWrapper):
    """An ssh process whose output reads time out, and which is killed if it will not exit.

    It reads the raw pipe itself: dulwich's wrapper puts a `BufferedReader` on
    it, which would also close the pipe when it is garbage-collected.

    A user who took long to accept a host key may find the server gone (its
    `LoginGraceTime` ran out while ssh waited): ssh has written the key to
    known_hosts, then fails before git's protocol began. Then, before a byte of
    the protocol was read or written, the ssh is started once more (`start`),
    which now knows the key.

    An ssh the entry point started early (`early_dial`, `early`) asks nothing: when it ends
    before a byte of the protocol, the ssh is started as usual (`start`), which may ask,
    unless the first could not reach the host (the same would happen again: its message
    is the error's).
    """

    def __init__(
        self,
        start: Callable[[], subprocess.Popen[bytes]],
        timeout: float,
        stop: TransferStop | None = None,
        asking: SshAsking | None = None,
        withdraw: Callable[[], None] = nothing,
        early: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self._start = start
        self._timeout = timeout
        self._stop = stop
        self._asking = asking
        self._withdraw = withdraw
        self._heard = False  # a byte of git's protocol came (nothing may be redone then)
        self._restarted = False
        self._early = early is not None
        self.said = b""  # what an early ssh that could not connect wrote on stderr
        self._attach(early if early is not None else start())

    def _attach(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None and proc.stdin is not None
        self.proc = proc
        asking = self._asking
        waiting = (lambda: asking.waiting) if asking is not None else (lambda: False)
        self._pipe = _TimedPipe(proc.stdout.fileno(), self._timeout, waiting)
        # A stop ends the ssh and its output: the whole group, since a command line runs
        # through `sh -c`, whose ssh child holds the pipe after the shell is killed.
        self._unregister = registered(self._stop, partial(signal_group, proc))

    def read(self, size: int | None = -1) -> bytes:
        data = self._pipe.read(size)
        if not data and self._may_start_again():
            self._restarted = True
            self._let_go()
            self.said = b""
            self._attach(self._start())
            data = self._pipe.read(size)
        self._heard = self._heard or bool(data)
        return data

    def _may_start_again(self) -> bool:
        if self._heard or self._restarted or (self._stop is not None and self._stop.requested):
            return False
        if self._early:
            return not self._unreachable()
        asking = self._asking
        return asking is not None and asking.accepted_host is not None

    def _unreachable(self) -> bool:
        """The early ssh, ended, said it could not reach the host (kept as `said`)."""
        stderr = self.proc.stderr
        if stderr is not None and readable(stderr.fileno(), _KILL_GRACE):
            self.said = os.read(stderr.fileno(), 65536)
        return any(sign in self.said for sign in _UNREACHABLE)

    def write(self, data: bytes) -> int | None:  # type: ignore[override]
        self._heard = True
        assert self.proc.stdin is not None
        return self.proc.stdin.write(with_ofs_delta(data))

    @property
    def stderr(self) -> IO[bytes] | None:
        return _CurrentStderr(self)  # type: ignore[return-value] # dulwich calls readlines() only

    def close(self, timeout: int | None = None) -> None:
        self._let_go()
        self._withdraw()

    def _let_go(self) -> None:
        self._unregister()
        proc = self.proc
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            proc.wait(timeout=_KILL_GRACE)
        except subprocess.TimeoutExpired:
            signal_group(proc)
            proc.wait()


class _CurrentStderr:
    """The stderr of whichever ssh runs now (dulwich keeps the object it was given)."""

    def __init__(self, owner: _TimedSubprocess) -> None:
        self._owner = owner

    def readlines(self) -> list[bytes]:
        stream = self._owner.proc.stderr
        rest = stream.readlines() if stream is not None else []
        said = self._owner.said
        return [*said.splitlines(keepends=True), *rest] if said else rest


class TimedSSHVendor(SubprocessSSHVendor):
    """Runs the ssh program git would run (`ssh_command.SshProgram`: its variant's options,
    through `sh -c` for a command line), with a read timeout on its output; a stop kills it.

    OpenSSH gets bounds on every wait after the user's own options (ssh takes the first
    value given), and Gitferry's askpass (`askpass.py`) when `asking` is given: ssh may
    then ask about an unknown host key or a key's passphrase. Without it (no Unix
    sockets), `BatchMode`: ssh asks nothing."""

    def __init__(
        self,
        timeout: float,
        stop: TransferStop | None = None,
        *,
        program: SshProgram | None = None,
        asking: SshAsking | None = None,
    ) -> None:
        self._timeout = timeout
        self._stop = stop
        self._program = program or SshProgram("ssh", False, Variant.SSH, "ssh")
        self._asking = asking
        self.dialled: Dial | None = None

    @property
    def asking(self) -> SshAsking | None:
        return self._asking

    def run_command(
        self,
        host: str,
        command: bytes,
        username: str | None = None,
        port: int | None = None,
        password: str | None = None,
        key_filename: str | None = None,
        ssh_command: str | None = None,
        protocol_version: int | None = None,
    ) -> SubprocessWrapper:
        if password is not None:
            raise NotImplementedError("ssh passwords are not supported; use keys or an agent")
        destination = f"{username}@{host}" if username else host
        if destination.startswith("-"):
            raise StrangeHostname(hostname=destination)
        version = DEFAULT_GIT_PROTOCOL_VERSION_FETCH if protocol_version is None else protocol_version
        program = self._program
        variant = program.variant
        if variant is Variant.AUTO:
            variant = detect_variant(program, destination, port, self._timeout)
        env = dict(os.environ)
        args = variant_options(variant, port, version, env)
        withdraw = nothing
        if variant is Variant.SSH:
            if key_filename:
                args += ["-i", key_filename]
            server = None
            if self._asking is not None:
                from core.git.transfer.askpass import askpass_server  # only ssh that may ask

                server = askpass_server()
                if server is not None:
                    asks, withdraw = server.register(self._asking)
                    env.update(asks)
            batch = [*args, *bounded_options(self._timeout, batch=True)]
            args += bounded_options(self._timeout, batch=server is None)
        else:
            batch = args
        remote_command = command.decode("utf-8", "surrogateescape")
        argv = program.argv([*args, destination, remote_command])
        # What a no-change fetch's record runs again (`advertisement.Dial`), and what a cold
        # sync starts early (`early_dial`): asking nothing.
        batch_argv = program.argv([*batch, destination, remote_command])
        self.dialled = ssh_dial(batch_argv) if version == 0 else None
        fetching = b"upload-pack" in command.split(b" ", 1)[0]
        early = early_dial.adopt(batch_argv, env.get("GIT_PROTOCOL")) if fetching else None

        start = partial(early_dial.start_ssh, argv, env)
        return _TimedSubprocess(start, self._timeout, self._stop, self._asking, withdraw, early)


def variant_options(variant: Variant, port: int | None, version: int, env: dict[str, str]) -> list[str]:
    """The options git's push_ssh_options gives each variant (`env` gets GIT_PROTOCOL)."""
    args: list[str] = []
    if variant is Variant.SSH and version > 0:
        args += ["-o", "SendEnv=GIT_PROTOCOL"]
        env["GIT_PROTOCOL"] = f"version={version}"
    if variant is Variant.TORTOISEPLINK:
        args.append("-batch")
    if port:
        if variant is Variant.SIMPLE:
            raise ValueError("ssh variant 'simple' does not support setting port")
        args += ["-p" if variant is Variant.SSH else "-P", str(port)]
    return args


def detect_variant(program: SshProgram, destination: str, port: int | None, timeout: float) -> Variant:
    """git's test for a program it cannot name: OpenSSH if `<program> -G ... host` succeeds."""
    done = ssh_dash_g(program, destination, port, max(timeout, 1.0))
    return Variant.SSH if done is not None and done.returncode == 0 else Variant.SIMPLE


def ssh_dash_g(
    program: SshProgram, destination: str, port: int | None, timeout: float
) -> subprocess.CompletedProcess[bytes] | None:
    """`<program> -G [-p port] <destination>`, OpenSSH's settings for that host on stdout
    (nothing connects); None when it could not run within `timeout` seconds."""
    try:
        return subprocess.run(
            program.argv(["-G", *variant_options(Variant.SSH, port, 0, {}), destination]),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def bounded_options(timeout: float, *, batch: bool) -> list[str]:
    """OpenSSH options that bound every wait, after the user's own (the first value given
    wins); `batch`: ask nothing."""
    seconds = max(1, math.ceil(timeout))
    bounds = [
        "-o",
        f"ConnectTimeout={seconds}",
        "-o",
        f"ServerAliveInterval={max(1, math.ceil(timeout / 3))}",
        "-o",
        "ServerAliveCountMax=3",
    ]
    return ["-o", "BatchMode=yes", *bounds] if batch else bounds
