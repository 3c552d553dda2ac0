"""One remote's failure streak and trip, as the status store hands it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RemoteFailure:
    """A remote's run of failed fetches and until when its breaker is tripped."""

    remote: str
    failures: int
    first_failure_at: datetime
    last_failure_at: datetime
    tripped_until: datetime | None = None

    def tripped_at(self, now: datetime) -> bool:
        return self.tripped_until is not None and now < self.tripped_until
