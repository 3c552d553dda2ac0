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
import logging
import os
import threading
from typing import TYPE_CHECKING

from core.errors import GitferryError
from core.phrase import phrase, verbatim
from core.remote_url import HttpAuth, credential_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from keyring.backend import KeyringBackend

SERVICE = "gitferry"
log = logging.getLogger(__name__)


_BACKEND_VARIABLE = "PYTHON_KEYRING_BACKEND"
_LOGGED: set[str] = set()  # the cases this process has logged at WARNING


class KeyringUnavailable(GitferryError):
    """The keyring could not be used. The message says which case it is, without the
    backend's exception name (that goes to the log): no keyring on this machine, a locked
    one, a `PYTHON_KEYRING_BACKEND` that cannot be loaded, or a backend that failed.
    `absent`: none there to keep a secret in (no keyring, or one that cannot be loaded),
    as against a locked or failing one that may work again."""

    def __init__(self, action: str, cause: Exception, *, unloadable: bool = False) -> None:
        named = os.environ.get(_BACKEND_VARIABLE) if unloadable else None
        self.absent = bool(named) or unloadable or _is(cause, "NoKeyringError")
        if named:
            setting = f"{_BACKEND_VARIABLE}={named}"
            said = phrase("the keyring backend {setting} cannot be loaded", setting=setting)
            fixed = phrase("fix or unset {variable}", variable=_BACKEND_VARIABLE)
        elif unloadable or _is(cause, "NoKeyringError"):
            said = phrase("there is no system keyring")
            fixed = phrase(
                "install one (GNOME Keyring, KWallet) or use a git credential helper"
                " (git config --global credential.helper store, or cache)"
            )
        elif _is(cause, "KeyringLocked"):
            said, fixed = phrase("the system keyring is locked"), phrase("unlock it and try again")
        else:
            said = phrase("the system keyring failed (the log has the details)")
            fixed = phrase("try again, or give it through a git credential helper")
        why, fix = said.english(), fixed.english()
        first = why not in _LOGGED  # a daemon without a keyring asks at every fetch: said once
        _LOGGED.add(why)
        log.log(
            logging.WARNING if first else logging.DEBUG,
            "keyring: could not %s a credential: %s: %s%s",
            action,
            type(cause).__name__,
            cause,
            " (said once; again at DEBUG)" if first else "",
        )
        could_not = _COULD_NOT.get(action) or verbatim(f"could not {action} the credential")
        super().__init__(phrase("{why}: {could_not}; {fix}", why=said, could_not=could_not, fix=fixed))
        self.why, self.why_said = why, said
        self.fix, self.fix_said = fix, fixed


# What a keyring that failed could not do, by the action asked of it.
_COULD_NOT = {
    "read": phrase("could not read the credential"),
    "save": phrase("could not save the credential"),
    "forget": phrase("could not forget the credential"),
}


def _is(cause: Exception, name: str) -> bool:
    """Whether `cause` is keyring's error `name` (keyring is imported only once used)."""
    try:
        import keyring.errors
    except Exception:  # a keyring that cannot be imported has no such error to match
        return False
    kind = getattr(keyring.errors, name, None)
    return isinstance(kind, type) and isinstance(cause, kind)


def _backend(action: str) -> KeyringBackend:
    """The keyring backend, loaded on first use (a bad `PYTHON_KEYRING_BACKEND` fails here;
    a sync whose remotes need no credential never imports `keyring`, 30 to 50 ms)."""
    try:
        import keyring

        return keyring.get_keyring()
    except Exception as exc:  # any import or init error of a third-party backend
        raise KeyringUnavailable(action, exc, unloadable=True) from None


class Credentials:
    """The keyring port, with a per-session cache. `on_change` is called after each entry
    saved or forgotten (the engine's: no-change fetches recorded without one must not be
    replayed, `core/engine/fetch_replay.py`)."""

    def __init__(self, on_change: Callable[[], None] | None = None) -> None:
        self._cache: dict[str, HttpAuth | None] = {}
        self._lock = threading.Lock()
        self.saved = 0  # credentials this session stored in the keyring
        self._on_change = on_change

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
            self.saved += 1
        self._changed()

    def forget(self, url: str) -> None:
        key = credential_key(url)
        with self._lock:
            self._cache.pop(key, None)
        with contextlib.suppress(Exception):  # nothing to forget where there is no keyring
            _backend("forget").delete_password(SERVICE, key)
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()


def _decode(stored: str | None) -> HttpAuth | None:
    if not stored:
        return None
    try:
        data = json.loads(stored)
        return HttpAuth(str(data["username"]), str(data["password"]))
    except (ValueError, KeyError, TypeError):
        return None
