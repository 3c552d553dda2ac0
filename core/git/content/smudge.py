"""A blob on its way to the working tree: the bytes git's checkout would write.

Line endings first (crlf_to_worktree, decided on the whole blob), then the
driver's smudge (Git LFS), as git's convert_to_working_tree orders them; both
stream into the file being written, chunk by chunk, so no second copy of the
content is ever held.

A conversion Gitferry cannot run raises `ContentSkipped` before a byte is
written: the caller leaves the path as it is. A driver that declines one path
with `write_blob` (an LFS object the server does not have) gets the blob
written instead, from the start of the file: the skip is returned, to be
listed, and the file holds the blob whole, never half a conversion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from dulwich.line_ending import CRLFAction
from dulwich.objects import Blob

from core.git.content.eol import converts_to_worktree, to_worktree
from core.git.content.filters import ContentSkipped, PathConversion
from core.git.content.text_stats import gather
from core.git.objects.blob_read import StreamedBlob


def worktree_chunks(blob: Blob | StreamedBlob, conversion: PathConversion) -> Iterable[bytes]:
    """The blob's content after line-ending conversion (before any driver); a streamed
    blob is read twice (its statistics, then the conversion), never held."""
    eol = conversion.eol
    if eol != CRLFAction.BINARY and converts_to_worktree(eol, gather(blob.as_raw_chunks())):
        return to_worktree(blob.as_raw_chunks())
    return blob.as_raw_chunks()


def write_worktree_content(
    out: BinaryIO, blob: Blob | StreamedBlob, conversion: PathConversion
) -> ContentSkipped | None:
    """Write what the working tree holds for `blob` at `conversion.path` to `out`, a new file
    opened for writing at its start. Returns the skip to list when a driver declined and
    the blob was written as it is."""
    if conversion.unsupported is not None:
        raise conversion.skipped()
    chunks = worktree_chunks(blob, conversion)
    if conversion.driver is None:
        for chunk in chunks:
            out.write(chunk)
        return None
    try:
        conversion.driver.to_worktree(conversion.path, chunks, out)
    except ContentSkipped as skip:
        if not skip.write_blob:
            raise
        out.seek(0)
        out.truncate()
        for chunk in blob.as_raw_chunks():
            out.write(chunk)
        return skip
    return None
