"""`http.cookieFile` is read once while it stays as it is: a Git LFS transfer makes its
request headers for every object (`LfsClient._request`), a sync for every connection."""

from __future__ import annotations

import os
from pathlib import Path

from core.git.config.cookie_file import cookie_header

URL = "https://review.example.com/r.git/info/lfs/objects/batch"


def line(value: str) -> str:
    return f"review.example.com\tFALSE\t/\tTRUE\t2147483647\to\t{value}\n"


def test_the_file_is_read_again_only_once_it_changes(tmp_path: Path) -> None:
    cookies = tmp_path / ".gitcookies"  # as Gerrit writes it: no header line
    cookies.write_text("# a comment\n" + line("git-a=1//first"))
    assert cookie_header(str(cookies), URL) == "o=git-a=1//first"
    stat = cookies.stat()
    with open(cookies, "r+") as f:  # the same file, size and time: not read again
        f.seek(len("# a comment\n"))
        f.write(line("git-a=1//other"))
    os.utime(cookies, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cookies.stat().st_ino == stat.st_ino and cookies.stat().st_size == stat.st_size
    assert cookie_header(str(cookies), URL) == "o=git-a=1//first"
    assert cookie_header(str(cookies), URL.replace("https", "http")) is None  # matched per URL still

    os.utime(cookies, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # changed: read again
    assert cookie_header(str(cookies), URL) == "o=git-a=1//other"
    cookies.write_text(line("git-a=1//longer-token"))
    assert cookie_header(str(cookies), URL) == "o=git-a=1//longer-token"
    cookies.unlink()
    assert cookie_header(str(cookies), URL) is None  # gone: no cookie, as with curl
