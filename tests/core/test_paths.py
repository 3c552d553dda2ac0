"""The data directory without `GITFERRY_HOME`: on Linux `core.paths` answers what
platformdirs answers, without importing it."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from core.paths import _linux_data_dir, _platform_data_dir

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux answer")


@pytest.mark.parametrize(
    ("xdg", "home"),
    [
        (None, "/home/ada"),
        (None, "/home/ada/"),  # a trailing slash
        (None, "/"),
        ("", "/home/ada"),  # empty: unset
        ("/data/xdg", "/home/ada"),
        ("/data/xdg/", "/home/ada"),
        ("relative/xdg", "/home/ada"),  # not absolute: ignored, as the XDG specification says
        ("~/xdg", "/home/ada"),  # nor expanded
        (None, "relative"),  # platformdirs looks the user's home up: it answers
        (None, ""),
        (None, None),
    ],
)
def test_linux_data_dir_is_platformdirs_answer(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, home: str | None
) -> None:
    for name, value in (("XDG_DATA_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("ANDROID_DATA", raising=False)
    expected = Path(platformdirs.user_data_dir("gitferry", appauthor=False))
    assert _platform_data_dir() == expected
    known = _linux_data_dir()
    assert known is None or known == expected
    assert (known is not None) == (bool(xdg and xdg.startswith("/")) or bool(home and home.startswith("/")))


def test_android_is_left_to_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_DATA", "/data")
    monkeypatch.setenv("ANDROID_ROOT", "/system")
    assert _linux_data_dir() is None
