"""The one line a user reads of an unexpected exception: its type and reason, no secret."""

from __future__ import annotations

from core.engine.unexpected import describe


def test_names_the_type_and_the_reason_on_one_line() -> None:
    assert describe(KeyError("b'abc' not found")) == "KeyError: \"b'abc' not found\""
    assert describe(AssertionError()) == "AssertionError"
    assert describe(ValueError("first\n  second")) == "ValueError: first second"


def test_drops_the_password_of_any_url_it_quotes() -> None:
    text = describe(OSError("GET https://ann:s3cret@example.com:8443/r.git failed; ssh://bob:pw@h/x too"))
    assert "s3cret" not in text and "pw@" not in text
    assert "https://ann@example.com:8443/r.git" in text and "ssh://bob:***@h/x" in text


def test_a_url_that_does_not_parse_is_still_redacted() -> None:
    assert "s3cret" not in describe(RuntimeError("http://ann:s3cret@[broken/x"))


def test_a_long_reason_is_shortened() -> None:
    assert len(describe(RuntimeError("x" * 5000))) <= 300
