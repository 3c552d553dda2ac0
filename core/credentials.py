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

import keyring
from keyring.errors import KeyringError

from core.errors import GitferryError
from core.remote_url import HttpAuth, credential_key

SERVICE = "gitferry"


class KeyringUnavailable(GitferryError):
    def __init__(self, action: str, cause: Exception) -> None:
        super().__init__(
            f"the system keyring is locked or unavailable ({type(cause).__name__}); "
            f"could not {action} the credential: unlock the keyring and try again"
        )


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
