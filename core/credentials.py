"""HTTP(S) credentials: the keyring is the only place a secret is kept.

A credential is keyed by its remote URL without user information. A URL typed
with a user and password in it is split: the secret goes to the keyring and
the URL is stored without it. A secret read from the keyring is kept in
memory for the session, so a locked keyring prompts once, not every fetch.
All methods block (keyring backends talk to D-Bus): call them through the
offload layer.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

import keyring
from keyring.errors import KeyringError

from core.errors import GitferryError
from core.git.errors import redact_url

SERVICE = "gitferry"


@dataclass(frozen=True)
class HttpAuth:
    username: str
    password: str

    def __repr__(self) -> str:  # never print the secret by accident
        return f"HttpAuth(username={self.username!r}, password='***')"


class KeyringUnavailable(GitferryError):
    def __init__(self, action: str, cause: Exception) -> None:
        super().__init__(
            f"the system keyring is locked or unavailable ({type(cause).__name__}); "
            f"could not {action} the credential: unlock the keyring and try again"
        )


def _netloc(parts: SplitResult, username: str | None) -> str:
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{quote(username, safe='')}@{host}" if username else host


def credential_key(url: str) -> str:
    """The identity of a credential: the URL with no user information."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    return urlunsplit(parts._replace(netloc=_netloc(parts, None)))


def split_url_secret(url: str) -> tuple[str, HttpAuth | None]:
    """`https://u:p@host/x` -> (`https://u@host/x`, HttpAuth(u, p)); other URLs unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.password is None:
        return url, None
    username = unquote(parts.username or "")
    clean = urlunsplit(parts._replace(netloc=_netloc(parts, username or None)))
    return clean, HttpAuth(username, unquote(parts.password))


def url_without_secret(url: str) -> str:
    """`url` fit to store or show: an HTTP(S) password dropped (the user kept), any
    other scheme's password `***`."""
    clean, _auth = split_url_secret(url)
    return redact_url(clean)


class Credentials:
    """The keyring port, with a per-session cache."""

    def __init__(self) -> None:
        self._cache: dict[str, HttpAuth | None] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> HttpAuth | None:
        key = credential_key(url)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            stored = keyring.get_password(SERVICE, key)
        except KeyringError as exc:
            raise KeyringUnavailable("read", exc) from None
        auth = _decode(stored)
        with self._lock:
            self._cache[key] = auth
        return auth

    def save(self, url: str, auth: HttpAuth) -> None:
        """Store a credential the remote has accepted."""
        key = credential_key(url)
        blob = json.dumps({"username": auth.username, "password": auth.password})
        try:
            keyring.set_password(SERVICE, key, blob)
        except KeyringError as exc:
            raise KeyringUnavailable("save", exc) from None
        with self._lock:
            self._cache[key] = auth

    def forget(self, url: str) -> None:
        key = credential_key(url)
        with self._lock:
            self._cache.pop(key, None)
        with contextlib.suppress(KeyringError):
            keyring.delete_password(SERVICE, key)


def _decode(stored: str | None) -> HttpAuth | None:
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return HttpAuth(str(data["username"]), str(data["password"]))
    except (ValueError, KeyError, TypeError):
        return None
