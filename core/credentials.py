"""HTTP(S) credentials: the keyring is the only place a secret is kept.

A credential is keyed by its remote URL without user information. A URL typed
with a user and password in it is split: the secret goes to the keyring and
the URL is stored without it. A secret read from the keyring is kept in
memory for the session, so a locked keyring prompts once, not every fetch.
All methods block (keyring backends talk to D-Bus): call them through the
offload layer.

A keyring that cannot be used (none on the machine, locked, or a
`PYTHON_KEYRING_BACKEND` naming no loadable backend) is `KeyringUnavailable`
here, never a traceback: the sign-in chain then goes on to git's credential
helpers and the prompt, so only a remote that needs a secret nobody else
gives is affected. The backend is third-party code behind a port, so any
exception it raises counts as unavailable.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from typing import TYPE_CHECKING

from core.errors import GitferryError
from core.remote_url import HttpAuth, credential_key

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "gitferry"


_BACKEND_VARIABLE = "PYTHON_KEYRING_BACKEND"


class KeyringUnavailable(GitferryError):
    def __init__(self, action: str, cause: Exception, *, unloadable: bool = False) -> None:
        if unloadable:
            named = os.environ.get(_BACKEND_VARIABLE)
            where = f"{_BACKEND_VARIABLE}={named}" if named else "the system keyring"
            why = f"the keyring backend {where} cannot be loaded ({type(cause).__name__})"
            fix = f"fix or unset {_BACKEND_VARIABLE}" if named else "install or configure a keyring"
        else:
            why = f"the system keyring is locked or unavailable ({type(cause).__name__})"
            fix = "unlock the keyring and try again"
        super().__init__(f"{why}; could not {action} the credential: {fix}")


def _backend(action: str) -> KeyringBackend:
    """The keyring backend, loaded on first use (a bad `PYTHON_KEYRING_BACKEND` fails here;
    a sync whose remotes need no credential never imports `keyring`, 30 to 50 ms)."""
    try:
        import keyring

        return keyring.get_keyring()
    except Exception as exc:  # any import or init error of a third-party backend
        raise KeyringUnavailable(action, exc, unloadable=True) from None


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
        backend = _backend("read")
        try:
            stored = backend.get_password(SERVICE, key)
        except Exception as exc:  # the backend's own failures (locked, D-Bus gone...)
            raise KeyringUnavailable("read", exc) from None
        auth = _decode(stored)
        with self._lock:
            self._cache[key] = auth
        return auth

    def save(self, url: str, auth: HttpAuth) -> None:
        """Store a credential the remote has accepted."""
        key = credential_key(url)
        blob = json.dumps({"username": auth.username, "password": auth.password})
        backend = _backend("save")
        try:
            backend.set_password(SERVICE, key, blob)
        except Exception as exc:
            raise KeyringUnavailable("save", exc) from None
        with self._lock:
            self._cache[key] = auth

    def forget(self, url: str) -> None:
        key = credential_key(url)
        with self._lock:
            self._cache.pop(key, None)
        with contextlib.suppress(Exception):  # nothing to forget where there is no keyring
            _backend("forget").delete_password(SERVICE, key)


def _decode(stored: str | None) -> HttpAuth | None:
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return HttpAuth(str(data["username"]), str(data["password"]))
    except (ValueError, KeyError, TypeError):
        return None
