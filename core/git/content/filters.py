"""What a path's content goes through between the index and the working tree: the seam.

For each path, `ContentFilters` decides a `PathConversion` from its attributes and
the configuration, as git's convert_attrs does: the line-ending action (eol.py),
the `filter=<name>` driver, `ident` and `working-tree-encoding`. Order is git's:
to the working tree, line endings then the driver's smudge; to the index, the
driver's clean then line endings.

Drivers: a filter Gitferry runs itself (Git LFS) is registered under its
attribute value with `register_driver(name, factory)`; the factory is called once
per `ContentFilters` (once per operation on one repository), the first time a path
names it, and may return None to decline (the path then goes as git would go
without Gitferry's driver). Any other filter follows git's rules: one without a
command for the direction (`filter.<name>.smudge`/`clean`, or `process`) passes
content through unchanged, as git passes it; one with a command, and `ident` and
`working-tree-encoding` (other than UTF-8), are conversions Gitferry does not run:
the path is `unsupported`, never written or committed wrongly (callers list it as
skipped with the reason `unsupported_filter`).

A driver that cannot convert one path raises `ContentSkipped` with its reason (for
example `lfs_missing`) and whether the blob itself is to be written instead (the
LFS pointer stays in place).
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Literal, Protocol

from dulwich.attrs import AttributeValue
from dulwich.config import StackedConfig
from dulwich.index import ConflictedIndexEntry, Index, IndexEntry
from dulwich.line_ending import CRLFAction
from dulwich.object_store import BaseObjectStore
from dulwich.objects import Blob, ObjectID
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.content.attributes import Attributes
from core.git.content.eol import EolConfig, crlf_action
from core.git.content.text_stats import gather
from core.git.objects.object_overlay import ObjectOverlay

Direction = Literal["to_index", "to_worktree"]
UNSUPPORTED_FILTER = "unsupported_filter"


class FilterDriver(Protocol):
    """A `filter=<name>` driver Gitferry runs itself, in place of git's
    `filter.<name>.smudge` and `.clean` commands."""

    def to_worktree(self, path: bytes, content: Iterable[bytes], out: BinaryIO) -> None:
        """Write the working-tree content of `path` to `out`, given the index-side content
        (streamed, after line-ending conversion)."""

    def to_index(self, path: bytes, file: BinaryIO, size: int, *, for_commit: bool) -> bytes:
        """The blob `path` is committed as, read from its working-tree `file` of `size` bytes
        (read it to the end). `for_commit`: an auto-commit stores it (else: a hash, to
        compare with the index). The blob is small (a pointer)."""


DriverFactory = Callable[[Repo], FilterDriver | None]
_FACTORIES: dict[bytes, DriverFactory] = {}
# The drivers Gitferry runs itself, by filter name: each one's module registers it
# (`register_driver`) when imported, which is when a path first names that filter (a
# repository without LFS never loads the LFS store).
_DRIVER_MODULES = {b"lfs": "core.git.content.lfs_driver"}


def register_driver(name: bytes, factory: DriverFactory) -> None:
    """Run `filter=<name>` paths through the driver `factory` makes for a repository."""
    _FACTORIES[name] = factory


class ContentSkipped(GitferryError):
    """A path whose content cannot be converted here: listed as skipped with `reason`.

    `write_blob`: the blob is written as it is instead (an LFS pointer left in place);
    otherwise the path is left untouched."""

    def __init__(self, path: bytes, reason: str, detail: str, *, write_blob: bool = False) -> None:
        super().__init__(f"{os.fsdecode(path)}: {detail}")
        self.path = path
        self.reason = reason
        self.detail = detail
        self.write_blob = write_blob


@dataclass(frozen=True)
class PathConversion:
    path: bytes
    eol: CRLFAction = CRLFAction.BINARY
    driver: FilterDriver | None = None
    driver_name: bytes | None = None
    unsupported: str | None = None  # what Gitferry would have to run: "filter 'crypt'", "ident", ...

    @property
    def identity(self) -> bool:
        """Nothing to do: the working-tree file holds the blob byte for byte."""
        return self.eol == CRLFAction.BINARY and self.driver is None and self.unsupported is None

    def skipped(self) -> ContentSkipped:
        assert self.unsupported is not None
        return ContentSkipped(self.path, UNSUPPORTED_FILTER, f"Gitferry does not run {self.unsupported}")


_SHA_LOOKUP = Callable[[bytes], ObjectID | None]


def index_blobs(index: Index | None) -> _SHA_LOOKUP:
    """The blob an index holds at a path, as git's read_blob_data_from_index finds it:
    stage 0, else "ours" of a conflict; None for none, a gitlink or a symlink."""

    def sha(path: bytes) -> ObjectID | None:
        if index is None:
            return None
        try:
            entry: IndexEntry | ConflictedIndexEntry | None = index[path]
        except KeyError:
            return None
        if isinstance(entry, ConflictedIndexEntry):
            entry = entry.this
        if entry is None or not stat.S_ISREG(entry.mode):
            return None
        return ObjectID(entry.sha)

    return sha


class ContentFilters:
    """The conversions of one repository's paths for one operation.

    `index_sha`: the blob id the index holds at a path (stage 0, else "ours"); it
    decides has_crlf_in_index and, checking in, a `.gitattributes` missing from the
    working tree. `checkout_sha`: the same for the index a checkout is producing (None:
    the current index). `store`: where blobs are read (an overlay in front of the
    repository's store while a switch checks a result that is not stored yet).
    `fresh_worktree`: the working tree was empty before this checkout (a clone's)."""

    def __init__(
        self,
        repo: Repo,
        *,
        index_sha: _SHA_LOOKUP,
        checkout_sha: _SHA_LOOKUP | None = None,
        config: StackedConfig | None = None,
        store: BaseObjectStore | ObjectOverlay | None = None,
        fresh_worktree: bool = False,
    ) -> None:
        self._repo = repo
        self._fresh = fresh_worktree
        self._store = store if store is not None else repo.object_store
        self._config = config if config is not None else repo.get_config_stack()
        self.eol = EolConfig.from_config(self._config)
        self._index_sha = index_sha
        self._checkout_sha = checkout_sha or index_sha
        self._root = os.fsencode(repo.path)
        self._common = os.fsencode(repo.commondir())
        self._attributes: dict[bool, Attributes] = {}
        self._drivers: dict[bytes, FilterDriver | None] = {}
        self._crlf_in_blob: dict[bytes, bool] = {}
        self._plans: dict[tuple[bytes, Direction], PathConversion] | None = None
        self._plain: CRLFAction | None = None  # the line-ending action of a path without attributes

    @property
    def repo(self) -> Repo:
        return self._repo

    @property
    def store(self) -> BaseObjectStore | ObjectOverlay:
        return self._store

    def checking_out(self, target_sha: _SHA_LOOKUP) -> ContentFilters:
        """The same repository and index, writing the index `target_sha` describes."""
        view = ContentFilters(
            self._repo,
            index_sha=self._index_sha,
            checkout_sha=target_sha,
            config=self._config,
            store=self._store,
        )
        view._drivers = self._drivers
        view._crlf_in_blob = self._crlf_in_blob
        view._plans = {}
        return view

    def to_index(self, path: bytes) -> PathConversion:
        return self._plan(path, "to_index")

    def to_worktree(self, path: bytes) -> PathConversion:
        return self._plan(path, "to_worktree")

    def attributes(self, path: bytes, *, checkout: bool) -> Mapping[bytes, AttributeValue]:
        reader = self._attributes.get(checkout)
        if reader is None:
            lookup = self._checkout_sha if checkout else self._index_sha
            reader = Attributes(
                self._root,
                self._common,
                self._config,
                index_blob=self._blob_reader(lookup),
                checkout=checkout,
                worktree=not (checkout and self._fresh),
            )
            self._attributes[checkout] = reader
        return reader.of(path)

    def index_has_crlf(self, path: bytes) -> bool:
        """has_crlf_in_index: the index's blob of `path` is text with a CRLF."""
        sha = self._index_sha(path)
        if sha is None:
            return False
        known = self._crlf_in_blob.get(sha)
        if known is None:
            blob = self._store[sha]
            known = isinstance(blob, Blob) and b"\r" in blob.data and gather(blob.chunked).has_crlf_text
            self._crlf_in_blob[sha] = known
        return known

    def _plan(self, path: bytes, direction: Direction) -> PathConversion:
        """The path's conversion; a switch's view (`checking_out`) works each out once (it
        asks for every path it writes up to three times: checking, deciding, writing),
        while a clone's checkout or a scan, asking once a path, keeps nothing."""
        plans = self._plans
        if plans is None:
            return self._plan_of(path, direction)
        key = (path, direction)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = self._plan_of(path, direction)
        return plan

    def _plan_of(self, path: bytes, direction: Direction) -> PathConversion:
        attrs = self.attributes(path, checkout=direction == "to_worktree")
        if not attrs:  # most paths: the config's action alone, worked out once
            if self._plain is None:
                self._plain = crlf_action(attrs, self.eol)
            return PathConversion(path, self._plain)
        action = crlf_action(attrs, self.eol)
        if attrs.get(b"ident") is True:
            return PathConversion(path, action, unsupported="ident")
        encoding = attrs.get(b"working-tree-encoding")
        if isinstance(encoding, bytes) and encoding and not _is_utf8(encoding):
            return PathConversion(
                path, action, unsupported=f"working-tree-encoding={encoding.decode(errors='replace')}"
            )
        name = attrs.get(b"filter")
        if not isinstance(name, bytes):
            return PathConversion(path, action)
        driver = self._driver(name)
        if driver is not None:
            return PathConversion(path, action, driver=driver, driver_name=name)
        if self._runs_command(name, direction):
            return PathConversion(
                path, action, driver_name=name, unsupported=f"filter '{name.decode(errors='replace')}'"
            )
        return PathConversion(path, action)

    def _driver(self, name: bytes) -> FilterDriver | None:
        if name not in self._drivers:
            module = _DRIVER_MODULES.get(name)
            if name not in _FACTORIES and module is not None:
                importlib.import_module(module)
            factory = _FACTORIES.get(name)
            self._drivers[name] = factory(self._repo) if factory is not None else None
        return self._drivers[name]

    def _runs_command(self, name: bytes, direction: Direction) -> bool:
        """git would run something for this driver (or fail without it: `required`)."""
        section = (b"filter", name)
        command = b"smudge" if direction == "to_worktree" else b"clean"
        for key in (command, b"process"):
            try:
                if self._config.get(section, key):
                    return True
            except KeyError:
                pass
        try:
            required = self._config.get(section, b"required")
        except KeyError:
            return False
        return required.lower() in (b"true", b"yes", b"on", b"1", b"")

    def _blob_reader(self, lookup: _SHA_LOOKUP) -> Callable[[bytes], bytes | None]:
        """The `.gitattributes` reader the `Attributes` get: it holds the store, not `self`,
        which holds the `Attributes`; through that cycle a switch's whole index (some 44,000
        objects in `bench.real_history`) lived until a full collection found it."""
        store = self._store

        def read(path: bytes) -> bytes | None:
            sha = lookup(path)
            if sha is None:
                return None
            blob = store[sha]
            return blob.as_raw_string() if isinstance(blob, Blob) else None

        return read


def _is_utf8(encoding: bytes) -> bool:
    """git's same_encoding with its default, UTF-8 (UTF8 and case alike)."""
    return encoding.upper().replace(b"-", b"") == b"UTF8"
