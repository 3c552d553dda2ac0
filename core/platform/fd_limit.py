"""The process's open-file limit, raised to what the system allows.

Every pack an open repository has read holds four descriptors (dulwich's file
and mmap for the `.pack` and the `.idx`), so a long-lived engine with many
repositories needs more than the common soft limit of 1,024; the pool's
descriptor budget is half of whatever the soft limit ends up being.
"""

from __future__ import annotations

import resource


def raise_soft_limit() -> int:
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
