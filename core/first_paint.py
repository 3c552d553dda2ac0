"""What a client paints first, read before the engine is imported.

The status store's picture over plain read-only `sqlite3` (no SQLAlchemy, no
dulwich), so the desktop app shows its window while the engine still loads;
`core.api` takes over from there.
"""

from __future__ import annotations

from core.store.status_reader import Snapshot, first_snapshot

__all__ = ["Snapshot", "first_snapshot"]
