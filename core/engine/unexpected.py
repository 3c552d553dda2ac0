"""What the user reads of an exception nobody planned for: one line, no secret.

A bug, or a repository in a form the engine cannot read, ends a sync `error`
like any other failure; its traceback goes to the log file (`logging.exception`
by the caller), and the store, the activity log, the CLI and the window get
this line instead.
"""

from __future__ import annotations

from core.git.transfer.errors import scrub
from core.remote_url import redact_urls


def describe(exc: BaseException) -> str:
    """`TypeName: reason` on one line, shortened, with any URL's password removed."""
    reason = str(exc)
    text = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    return scrub(redact_urls(text))
