"""The process's open-file limit, raised to what the system allows.

Every pack an open repository has read holds four descriptors (dulwich's file
and mmap for the `.pack` and the `.idx`), so a long-lived engine with many
repositories needs more than the common soft limit of 1,024; the pool's
descriptor budget is half of whatever the soft limit ends up being.

POSIX (`resource.RLIMIT_NOFILE`) only. Windows has no such per-process limit on
handles (the C runtime's descriptor table grows to 8,192), so there
`soft_limit` says None and `raise_soft_limit` has nothing to do.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":

    def soft_limit() -> int | None:
        return None

    def raise_soft_limit() -> int | None:
        return None

else:
    import resource

    def soft_limit() -> int | None:
        """The soft RLIMIT_NOFILE, or None when it is unlimited."""
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        return None if soft == resource.RLIM_INFINITY else soft

    def raise_soft_limit() -> int | None:
        """Raise the soft RLIMIT_NOFILE to the hard limit (where allowed); returns the soft limit now."""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY or soft < hard:
            target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
                soft = target
            except (ValueError, OSError):
                pass
        return soft
