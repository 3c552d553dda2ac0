"""The activity log: an append-only JSON Lines file.

Appends are flushed and fsync'd so a write error (a full disk) surfaces at once.
Reading streams line by line. When the file passes its size bound it is
compacted: the newest half of its lines are copied to a temporary file that
atomically replaces it.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.atomic_file import write_atomically

DEFAULT_MAX_BYTES = 4 * 1024 * 1024


class Journal:
    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        """Append `entry`, stamped with the current UTC `time` unless it has one."""
        stamped = {"time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **entry}
        line = json.dumps(stamped, separators=(",", ":"), sort_keys=True) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as f:
                if f.tell() and not self._ends_with_newline():
                    f.write(b"\n")  # a torn last line (a crash) must not swallow this one
                f.write(line.encode())
                f.flush()
                os.fsync(f.fileno())
                size = f.tell()
            if size > self.max_bytes:
                self._compact()

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry, oldest first; a torn or corrupt line is skipped."""
        try:
            f = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def tail(self, limit: int, repo: str | None = None) -> list[dict[str, Any]]:
        """The newest `limit` entries (of `repo`, when given), oldest first."""
        newest: deque[dict[str, Any]] = deque(maxlen=limit)
        for entry in self.entries():
            if repo is None or entry.get("repo") == repo:
                newest.append(entry)
        return list(newest)

    def _compact(self) -> None:
        keep_bytes = self.max_bytes // 2
        lines: deque[str] = deque()
        kept = 0
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                lines.append(line)
                kept += len(line)
                while kept > keep_bytes and len(lines) > 1:
                    kept -= len(lines.popleft())
        write_atomically(self.path, "".join(lines).encode("utf-8"))
