"""The ssh a cold `gitferry sync NAME` starts before it imports the engine.

A sync in its own process spends about 300 ms (a quiet machine; more under load) starting
Python, importing the engine and opening the store before its fetch starts ssh, and then
waits for ssh's own connection and key exchange (about 500 ms), which `git pull` waits for
too. So the entry point (`gui/launch.py`), once no running engine took the sync, starts the
ssh the last sync of that repository in this way ran (`start_recorded`), and the fetch's
ssh vendor (`core.git.transfer.timed_ssh`) takes it (`adopt`) when the command it would run
is the same, word for word and with the same `GIT_PROTOCOL`: the handshake overlaps the
imports. Anything else and it starts its own, as before; a started ssh no fetch took is
killed when the process ends (`atexit`: the console script's `end_process` runs it).

What was run is kept per repository in `<data dir>/cache/early-dial/` with the identities
of the git config files and the environment its command was made from
(`core.git.sync_inputs.settings_inputs`); a changed config (a new URL, `core.sshCommand`,
an `insteadOf`) or environment and nothing is started early, so a host the settings no
longer name is not dialled. The started ssh is the one that asks nothing (`BatchMode=yes`:
ssh could not ask the user here); when it ends before a byte of git's protocol (a host key
or a passphrase it would have asked about), the vendor starts its own, which may ask
(`_TimedSubprocess`). The record is only a cache: deleting it costs one sync's overlap.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess

from core.git.sync_inputs import settings_inputs
from core.platform.process_groups import OWN_GROUP, signal_group

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

FORMAT = 1
_Key = tuple[tuple[str, ...], "str | None"]
_started: dict[_Key, subprocess.Popen[bytes]] = {}
_dialled: list[tuple[list[str], str | None]] = []  # what this process's fetches ran, in order
_recording = False  # a cold sync's process (`start_recorded`): the daemon and the app keep nothing


def record_path(data: Path, name: str) -> Path:
    return data / "cache" / "early-dial" / f"{name.encode().hex()}.json"


def start_recorded(data: Path, name: str) -> int:
    """Start the ssh commands the last sync of `name` ran, when the settings they were
    made from are unchanged; how many were started. What this process's fetches run is
    kept from now on (`adopt`), for `keep_record`."""
    global _recording
    _recording = True
    try:
        record = json.loads(record_path(data, name).read_bytes())
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return 0
        if settings_inputs(record["path"]) != record["inputs"]:
            return 0
        dials = [(list(dial["argv"]), dial["protocol"]) for dial in record["dials"]]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    for argv, protocol in dials:
        env = dict(os.environ)
        if protocol is not None:
            env["GIT_PROTOCOL"] = protocol
        try:
            _started[(tuple(argv), protocol)] = start_ssh(argv, env)
        except OSError:
            return len(_started)  # the vendor starts its own and reports what it meets
    if _started:
        atexit.register(discard)
    return len(_started)


def start_ssh(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """An ssh (or what `argv` runs) talking over pipes, in a process group of its own."""
    return subprocess.Popen(
        argv,
        bufsize=0,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        **OWN_GROUP,
    )


def adopt(argv: list[str], protocol: str | None) -> subprocess.Popen[bytes] | None:
    """The ssh started early for this command, if one was (taken: at most once); the
    command is kept for this process's record (`keep_record`)."""
    if _recording:
        _dialled.append((argv, protocol))
    return _started.pop((tuple(argv), protocol), None)


def keep_record(data: Path, name: str, worktree: str) -> None:
    """What this process's fetches ran for `name`, kept for its next cold sync; nothing
    when it ran no ssh (its record, if any, stays: its settings decide whether it is used)."""
    inputs = settings_inputs(worktree) if _dialled else None
    if inputs is None:
        return
    record = {
        "format": FORMAT,
        "path": worktree,
        "inputs": inputs,
        "dials": [{"argv": argv, "protocol": protocol} for argv, protocol in _dialled],
    }
    path, text = record_path(data, name), json.dumps(record).encode()
    with contextlib.suppress(OSError):  # only a cache, mostly unchanged: written when it is not
        if path.exists() and path.read_bytes() == text:
            return
        from core.atomic_file import write_atomically

        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)


def discard() -> None:
    """Kill the ssh started early that no fetch took (and what it started)."""
    while _started:
        _key, proc = _started.popitem()
        signal_group(proc)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=1)
