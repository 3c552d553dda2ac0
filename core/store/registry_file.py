"""`repositories.json`: the registrations, kept beside the status store in plain text.

The status store is the clients' source of truth, but a store that can no longer
be read (a damaged file, a disk error) must not make the user register every
repository again. So after every change to what is registered (add, remove,
move, a setting) the store rewrites this small file (write to a temporary
file, fsync, rename: a crash leaves the old file or the new one, never half of
one), and a store rebuilt from scratch (unreadable, or deleted) is filled from
it (`recovery.py`). For registrations and settings it is the source of truth:
the store is a cache of it plus what syncs measured. It holds ids, names, paths
and settings (the ids, so that a process still running with the old store finds
its repositories under the same ids in the rebuilt one); the remotes come back
from each repository's git config, the rest (branch status, runs) from the next
sync.

`shrinks` is the guard a writer applies first: a store that lost registrations
(a store rebuilt empty, a stale one) must never overwrite the copy that still
has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.atomic_file import write_atomically
from core.lazy_log import LazyLogger

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import Any

log = LazyLogger(__name__)  # `logging` at its first use (`core/lazy_log.py`)

REGISTRY_NAME = "repositories.json"
FORMAT = 1


@dataclass(frozen=True)
class Registration:
    """A repository's entry in `repositories.json`: its name, path and settings."""

    name: str
    path: str
    settings: Mapping[str, str] = field(default_factory=dict)
    id: int | None = None  # the store's id; None in files written before ids were kept

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "path": self.path, "settings": dict(self.settings)}
        if self.id is not None:
            doc["id"] = self.id
        return doc


@dataclass(frozen=True)
class Registry:
    """What `repositories.json` holds: the registrations and the app's settings."""

    repositories: Sequence[Registration] = ()
    app_settings: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "repositories": [r.to_json() for r in self.repositories],
            "app_settings": dict(self.app_settings),
        }


class UnreadableRegistry(ValueError):
    pass


def registry_path(store_path: Path) -> Path:
    return store_path.with_name(REGISTRY_NAME)


def write_registry(path: Path, registry: Registry) -> None:
    """Replace the file atomically. Blocking."""
    write_atomically(path, json.dumps(registry.to_json(), indent=1, ensure_ascii=False).encode())


def read_registry(path: Path) -> Registry | None:
    """The registrations saved at `path`; None when there is no file. Blocking.

    Raises UnreadableRegistry for a file that is not what `write_registry` makes;
    a single bad entry is left out with a warning rather than losing the rest.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableRegistry(f"{path.name}: {exc}") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise UnreadableRegistry(f"{path.name} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("repositories"), list):
        raise UnreadableRegistry(f"{path.name} has no list of repositories")
    repositories = [r for r in map(_registration, doc["repositories"]) if r is not None]
    return Registry(repositories, _text_map(doc.get("app_settings")))


def _registration(item: object) -> Registration | None:
    if isinstance(item, dict):
        name, path = item.get("name"), item.get("path")
        if isinstance(name, str) and isinstance(path, str) and name and path:
            repo_id = item.get("id")
            valid_id = repo_id if type(repo_id) is int and repo_id > 0 else None
            return Registration(name, path, _text_map(item.get("settings")), valid_id)
    log.warning("%s: left out an entry without a name and a path: %.200r", REGISTRY_NAME, item)
    return None


def registry_outdated(path: Path) -> bool:
    """No registry file yet, or one written before ids were kept: the store writes it
    when it opens (an unreadable one is left for the next change, as before)."""
    try:
        registry = read_registry(path)
    except UnreadableRegistry:
        return False
    return registry is None or any(entry.id is None for entry in registry.repositories)


def shrinks(on_disk: Registry, new: Registry, removed: Iterable[str] = ()) -> list[str]:
    """Names `on_disk` lists that `new` would drop although nobody removed them (`removed`)."""
    kept = {r.name for r in new.repositories} | set(removed)
    return [r.name for r in on_disk.repositories if r.name not in kept]


def _text_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
