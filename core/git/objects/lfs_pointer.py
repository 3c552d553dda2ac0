"""Git LFS pointer files, read and written as git-lfs reads and writes them.

A pointer is the small blob committed in place of a large file:

    version https://git-lfs.github.com/spec/v1
    oid sha256:<64 lower-case hex digits>
    size <bytes>

git-lfs's rules (lfs/pointer.go), which dulwich's `LFSPointer.from_bytes` does not
follow (it takes blobs of any size, keys in any order, any `oid` text): a pointer is
shorter than 1,024 bytes; its keys come in the order version, oid, size, with
`ext-<n>-<name>` extension lines allowed among them; three historical version URLs
are accepted; the oid is sha256 and exactly 64 lower-case hex digits; the size a
non-negative integer. The empty blob is the pointer of the empty file (git-lfs
commits an empty file as it is, never a pointer to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_POINTER_SIZE = 1024  # git-lfs's blobSizeCutoff: a blob this large or larger is not a pointer
EMPTY_OID = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # sha256 of nothing
SPEC_URL = "https://git-lfs.github.com/spec/v1"
_VERSIONS = frozenset({"http://git-media.io/v/2", "https://hawser.github.com/spec/v1", SPEC_URL})
_KEYS = ("version", "oid", "size")
_OID = re.compile(r"[0-9a-f]{64}")
_SIZE = re.compile(r"[0-9]+")
_EXTENSION = re.compile(r"ext-[0-9]-\w+")
_MARKER = re.compile(rb"git-media|hawser|git-lfs")


@dataclass(frozen=True, slots=True)
class LfsPointer:
    oid: str  # sha256 of the content, 64 lower-case hex digits
    size: int
    extensions: tuple[str, ...] = ()  # `ext-N-name` keys: content that other programs must transform

    def encode(self) -> bytes:
        """The canonical pointer text, as `git lfs pointer` writes it; empty for the empty file."""
        if self.size == 0:
            return b""
        return f"version {SPEC_URL}\noid sha256:{self.oid}\nsize {self.size}\n".encode()


def parse_pointer(data: bytes) -> LfsPointer | None:
    """The pointer `data` holds, or None when it is not one (git-lfs's `DecodePointer`)."""
    if len(data) >= MAX_POINTER_SIZE:
        return None
    if not data:
        return LfsPointer(EMPTY_OID, 0)
    if _MARKER.search(data) is None:
        return None
    try:
        text = data.strip().decode("utf-8")
    except UnicodeDecodeError:
        return None
    values: dict[str, str] = {}
    extensions: list[str] = []
    for raw in text.split("\n"):
        line = raw.removesuffix("\r")  # git-lfs reads lines as bufio.ScanLines does
        if not line:
            continue
        key, space, value = line.partition(" ")
        if not space or len(values) == len(_KEYS):
            return None
        if key != _KEYS[len(values)]:
            if _EXTENSION.fullmatch(key) is None:
                return None
            extensions.append(key)
            continue
        values[key] = value
    return _pointer(values, tuple(extensions))


def _pointer(values: dict[str, str], extensions: tuple[str, ...]) -> LfsPointer | None:
    if values.get("version") not in _VERSIONS:
        return None
    kind, _colon, oid = values.get("oid", "").partition(":")
    if kind != "sha256" or _OID.fullmatch(oid) is None:
        return None
    size = values.get("size", "")
    if _SIZE.fullmatch(size) is None:
        return None
    return LfsPointer(oid, int(size), extensions)
