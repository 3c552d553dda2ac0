"""Signing a commit's bytes the way git's gpg-interface does, with the user's own programs.

openpgp and x509: `<program> --status-fd=2 -bsau <key>`, the payload on stdin,
the armored detached signature on stdout; success is a `[GNUPG:] SIG_CREATED`
status line on stderr as well as exit status 0 (a bad key can exit 0 with no
signature). ssh: the payload is written to a temporary file and
`<program> -Y sign -n git -f <key file> [-U] <file>` writes `<file>.sig`; a
key given literally (`key::ssh-ed25519 AAAA...`, or any value starting
`ssh-`) is written to a temporary file and `-U` tells ssh-keygen the private
half is in the agent; otherwise the value is a key file path (`~` expanded).
Without `user.signingKey`, ssh takes the first line of
`gpg.ssh.defaultKeyCommand`'s output, which must be a literal key.

It blocks on a subprocess (an agent may prompt for a passphrase): the callers
run on the offload threads. A failure of any kind is `SigningFailed` with one
line of the program's own words; there is no unsigned fallback.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile

from core.git.config.signing import SigningConfig, SigningFailed

# Long enough to type a passphrase into the agent's prompt; a signer that never
# answers must not hold the sync (and its lock) forever.
SIGN_TIMEOUT = 300.0
_SIG_CREATED = b"[GNUPG:] SIG_CREATED "
_SSH_TOO_OLD = "ssh-keygen -Y sign is needed for ssh signing (available in openssh version 8.2p1+)"
# A key's passphrase nobody could type: a background sync, a CLI without a terminal.
_PINENTRY_LAUNCHED = b"[GNUPG:] PINENTRY_LAUNCHED "
_FAILURE = b"[GNUPG:] FAILURE "
_GPG_ERR_CANCELED = 99  # libgpg-error's code: the user cancelled the pinentry
_GPG_PASSPHRASE = (
    "the key needs its passphrase and gpg-agent's pinentry could not ask for it here: unlock it "
    "by signing once in a terminal (export GPG_TTY=$(tty)), or set a graphical pinentry-program"
)
_SSH_PROMPT = re.compile(r"^Enter passphrase[^:\n]*: ", re.MULTILINE)  # ssh-keygen's prompt, on stderr
_SSH_NO_PASSPHRASE = "incorrect passphrase supplied"
_SSH_FROM_AGENT = "user.signingKey gives a public key: its private half must be in your ssh-agent (ssh-add)"
_SSH_PASSPHRASE = (
    "the key needs its passphrase: add it to your ssh-agent with ssh-add, which ssh-keygen asks first"
)


def sign(config: SigningConfig, payload: bytes, committer: bytes) -> bytes:
    """The detached signature of `payload`; `committer` (`Name <email>`) is the
    openpgp/x509 key when `user.signingKey` is not set."""
    if config.format == "ssh":
        return _strip_cr(_sign_ssh(config, payload))
    key = config.key or committer.decode("utf-8", "replace")
    return _strip_cr(_sign_gpg(config.program, key, payload))


def _sign_gpg(program: str, key: str, payload: bytes) -> bytes:
    done = _run(program, [program, "--status-fd=2", "-bsau", key], stdin=payload)
    created = any(line.startswith(_SIG_CREATED) for line in done.stderr.splitlines())
    if done.returncode != 0 or not created or not done.stdout:
        raise SigningFailed(_gpg_reason(done), signer=_name(program))
    return done.stdout


def _gpg_reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """gpg's own first human line (`skipped "x@y": No secret key`), not its status lines;
    where gpg-agent started a pinentry that could not ask (no terminal, no display), what to do."""
    reason = f"exit status {done.returncode}, no signature made"
    for raw in done.stderr.splitlines():
        line = raw.decode("utf-8", "replace").strip()
        if line and not line.startswith("[GNUPG:]"):
            reason = _one_line(line.split(": ", 1)[1] if line.startswith(("gpg: ", "gpgsm: ")) else line)
            break
    if _PINENTRY_LAUNCHED in done.stderr and not _cancelled(done.stderr):
        reason += f" ({_GPG_PASSPHRASE})"
    return reason


def _cancelled(stderr: bytes) -> bool:
    """The pinentry asked and its user said no (Cancel, Escape): gpg's `FAILURE` status
    carries GPG_ERR_CANCELED (its low 16 bits; the high ones name the source)."""
    for line in stderr.splitlines():
        if line.startswith(_FAILURE):
            code = line.rsplit(b" ", 1)[-1]
            if code.isdigit() and int(code) & 0xFFFF == _GPG_ERR_CANCELED:
                return True
    return False


def _sign_ssh(config: SigningConfig, payload: bytes) -> bytes:
    key = config.key or _default_ssh_key(config.default_key_command)
    literal = _literal_ssh_key(key)
    with tempfile.TemporaryDirectory(prefix="gitferry-sign-") as scratch:
        if literal is not None:
            key_file = os.path.join(scratch, "signing_key")
            with open(key_file, "w", encoding="utf-8") as out:
                out.write(literal)
        else:
            key_file = os.path.expanduser(key)
        buffer = os.path.join(scratch, "buffer")
        with open(buffer, "wb") as out:
            out.write(payload)
        argv = [config.program, "-Y", "sign", "-n", "git", "-f", key_file]
        argv += ["-U"] * (literal is not None)
        done = _run(config.program, [*argv, buffer], stdin=None)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace")
            reason = (
                _SSH_TOO_OLD if "usage:" in said else _first_line(_SSH_PROMPT.sub("", said), done.returncode)
            )
            if _SSH_NO_PASSPHRASE in said:
                reason += f" ({_SSH_PASSPHRASE})"
            elif literal is not None:
                reason += f" ({_SSH_FROM_AGENT})"
            raise SigningFailed(reason, signer=_name(config.program))
        try:
            with open(buffer + ".sig", "rb") as signature:
                return signature.read()
        except OSError as exc:
            reason = f"no signature written: {exc.strerror}"
            raise SigningFailed(reason, signer=_name(config.program)) from None


def _default_ssh_key(command: str | None) -> str:
    """The first line `gpg.ssh.defaultKeyCommand` prints, which must be a literal key."""
    try:
        argv = shlex.split(command or "")
    except ValueError as exc:
        raise SigningFailed(f"gpg.ssh.defaultKeyCommand cannot be read: {exc}") from None
    if not argv:
        raise SigningFailed("either user.signingKey or gpg.ssh.defaultKeyCommand needs to be configured")
    done = _run(argv[0], argv, stdin=None)
    said = done.stdout.decode("utf-8", "replace")
    first = said.split("\n", 1)[0].strip()
    if done.returncode == 0 and _literal_ssh_key(first) is not None:
        return first
    detail = _first_line(done.stderr.decode("utf-8", "replace") or said, done.returncode)
    reason = detail if done.returncode != 0 else f"it printed no key: {detail}"
    raise SigningFailed(reason, signer="gpg.ssh.defaultKeyCommand")


def _literal_ssh_key(value: str) -> str | None:
    """The key itself when `value` gives one literally, as git tells them apart."""
    if value.startswith("key::"):
        return value.removeprefix("key::")
    return value if value.startswith("ssh-") else None


def _run(program: str, argv: list[str], *, stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
    signer = _name(program)
    try:
        return subprocess.run(
            argv,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            timeout=SIGN_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise SigningFailed(f"{program} was not found", signer=signer) from None
    except subprocess.TimeoutExpired:
        raise SigningFailed(f"no answer within {SIGN_TIMEOUT:.0f} s", signer=signer) from None
    except OSError as exc:
        raise SigningFailed(exc.strerror or str(exc), signer=signer) from None


def _name(program: str) -> str:
    return os.path.basename(program) or program


def _first_line(text: str, status: int) -> str:
    for line in text.splitlines():
        if line.strip():
            return _one_line(line.strip())
    return f"exit status {status}"


def _one_line(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _strip_cr(signature: bytes) -> bytes:
    """CR before LF dropped, as git does (a signer on Windows writes CRLF)."""
    return signature.replace(b"\r\n", b"\n")
