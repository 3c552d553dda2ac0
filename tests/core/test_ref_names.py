"""Which advertised ref names a fetch may use: the same verdict as `git check-ref-format`."""

from __future__ import annotations

import subprocess

import pytest

from core.git.transfer.ref_names import usable_name

NAMES = [
    b"HEAD",
    b"refs/heads/main",
    b"refs/heads/topic/06248",
    b"refs/tags/v1.2.3",
    b"refs/tags/v1.2.3^{}",
    b"refs/heads/a..b",
    b"refs/heads/.hidden",
    b"refs/heads/a/.b",
    b"refs/heads/x.lock",
    b"refs/heads/x.lock/y",
    b"refs/heads/x.locked",
    b"refs/heads/ends.",
    b"refs/heads/ends/",
    b"refs/heads//double",
    b"refs/heads/a b",
    b"refs/heads/a:b",
    b"refs/heads/a~1",
    b"refs/heads/a@{1}",
    b"refs/heads/a@b",
    b"refs/heads/a\\b",
    b"refs/heads/a\x01b",
    b"refs/heads/a\x7fb",
    b"refs/heads/caf\xc3\xa9",
    b"refs/heads/bad\xff",
    b"refs/heads/a+b-c_d",
    b"refs/heads/-dash",
    b"refs/x",
    b"refs",
    b"heads/main",
    b"refs/heads/a.b.c",
    b"refs/heads/a.",
    b"refs/heads/a*",
    b"refs/heads/a[b",
    b"refs/heads/a?",
]


def _git_accepts(name: bytes) -> bool:
    proc = subprocess.run(["git", "check-ref-format", name], capture_output=True, check=False)
    return proc.returncode == 0


@pytest.mark.parametrize("name", NAMES)
def test_usable_as_git_judges(name: bytes) -> None:
    expected_ok = name == b"HEAD" or (name.startswith(b"refs/") and _git_accepts(name))
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        expected_ok = False
    assert (usable_name(name) is not None) == expected_ok, name
    if expected_ok:
        assert usable_name(name) == name.decode("utf-8")
