"""Credentials through the real keyring API (an in-memory backend)."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from core.credentials import Credentials, KeyringUnavailable
from core.remote_url import HttpAuth, credential_key, split_url_secret
from tests.memory_keyring import MemoryKeyring


def test_split_url_secret() -> None:
    clean, auth = split_url_secret("https://alice:s%40cret@example.com:8443/r.git")
    assert clean == "https://alice@example.com:8443/r.git"
    assert auth == HttpAuth("alice", "s@cret")
    assert "s@cret" not in repr(auth)
    assert split_url_secret("git://example.com/r.git") == ("git://example.com/r.git", None)
    assert split_url_secret("https://bob@example.com/r") == ("https://bob@example.com/r", None)


def test_credential_key_drops_user() -> None:
    assert credential_key("https://a@h/r.git") == credential_key("https://h/r.git")


def test_saved_secret_is_cached_for_the_session(memory_keyring: MemoryKeyring) -> None:
    creds = Credentials()
    creds.save("https://h/r.git", HttpAuth("u", "tok"))
    fresh = Credentials()
    assert fresh.get("https://u@h/r.git") == HttpAuth("u", "tok")
    reads = memory_keyring.reads
    memory_keyring.locked = True  # a later lock does not prompt again
    assert fresh.get("https://h/r.git") == HttpAuth("u", "tok")
    assert memory_keyring.reads == reads


def test_locked_keyring_is_a_clear_error(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.locked = True
    with pytest.raises(KeyringUnavailable, match="the system keyring is locked: could not read") as caught:
        Credentials().get("https://h/r.git")
    assert "unlock it" in caught.value.message and "KeyringLocked" not in caught.value.message
    with pytest.raises(KeyringUnavailable):
        Credentials().save("https://h/r.git", HttpAuth("u", "tok"))


def test_no_keyring_is_said_as_such_without_an_exception_name() -> None:
    """Before: "the system keyring is locked or unavailable (NoKeyringError) ...: unlock the
    keyring", on a machine that has none to unlock."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeyringUnavailable) as caught:
            Credentials().get("https://h/r.git")
    finally:
        keyring.set_keyring(previous)
    message = caught.value.message
    assert message.startswith("there is no system keyring: could not read the credential")
    assert "unlock" not in message and "Error" not in message and "\n" not in message


def test_no_keyring_is_logged_as_a_warning_once_not_at_every_fetch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A user trial: a `gitferry daemon` on a machine without a keyring logged the same
    two-line NoKeyringError WARNING twice at every background fetch, though git's credential
    helper gave the password each time."""
    import core.credentials

    monkeypatch.setattr(core.credentials, "_LOGGED", set())
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with caplog.at_level("DEBUG", logger="core.credentials"):
            for _fetch in range(3):
                with pytest.raises(KeyringUnavailable):
                    Credentials().get("https://h/r.git")
    finally:
        keyring.set_keyring(previous)
    levels = [record.levelname for record in caplog.records]
    assert levels == ["WARNING", "DEBUG", "DEBUG"], levels
    assert "said once" in caplog.records[0].getMessage()
