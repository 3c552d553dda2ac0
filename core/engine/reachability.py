"""Offline is a state, not a stream of errors.

`offline` is declared once when every repository heard from (at least
`quorum` of them, or all if fewer) was unreachable on its last fetch, and
cleared on the first answer from any remote.
"""

from __future__ import annotations

from collections.abc import Callable

OnOffline = Callable[[bool], None]


class Reachability:
    def __init__(self, *, quorum: int, on_change: OnOffline | None = None) -> None:
        self._quorum = quorum
        self._on_change = on_change
        self._unreachable: dict[int, bool] = {}  # last fetch of each repository heard from
        self.offline = False

    def forget(self, repo_id: int) -> None:
        self._unreachable.pop(repo_id, None)

    def unreachable(self) -> list[int]:
        return [repo_id for repo_id, down in self._unreachable.items() if down]

    def note(self, repo_id: int, *, unreachable: bool, scheduled: int) -> bool:
        """Record one fetch; True when this answer ended an offline spell."""
        self._unreachable[repo_id] = unreachable
        if not unreachable:
            if self.offline:
                self._set(False)
                return True
            return False
        heard = len(self._unreachable)
        if not self.offline and heard >= min(self._quorum, scheduled) and all(self._unreachable.values()):
            self._set(True)
        return False

    def _set(self, offline: bool) -> None:
        self.offline = offline
        if self._on_change is not None:
            self._on_change(offline)
