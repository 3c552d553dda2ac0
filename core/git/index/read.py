"""The repository's index read in full, in every form git writes: plain, split (a
`link` to a shared index) and sparse (directories standing for their files).

A split index is merged with its shared index (split_index.py) and a sparse index
has its directories expanded into files (sparse_index.py): callers always see one
entry per file, as git's `ensure_full_index` gives them. The file's extensions are
kept as raw bytes in `IndexFile` for the writer to carry over or drop
(index_extensions.py); the `Index` handed out has none, so nothing can copy an
extension into a rewritten index unexamined. The file is read whole and hashed once
(dulwich's `Repo.open_index` hashes each field of every entry separately).

The settings the `Index` gets (version, skipHash, path normaliser, permissions) are
computed as `Repo.open_index` computes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dulwich.errors import NoIndexPresent
from dulwich.index import Index, make_path_normalizer
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.index.parse import (
    Extension,
    entries_by_name,
    index_order,
    parse_index_bytes,
    parse_merged_index,
)
from core.git.index.serialize import no_gc
from core.git.index.sparse_index import SPARSE_DIRECTORIES, expand_sparse_directories
from core.git.index.split_index import LINK, merge_shared_index

# Lower-case extensions git requires a reader to understand; those known here. An unknown
# upper-case one is optional: git skips it when reading and so drops it when writing.
KNOWN_REQUIRED = frozenset({LINK, SPARSE_DIRECTORIES})


class UnsupportedIndex(GitferryError):
    """A required extension this reader does not know: refused, as git refuses it,
    rather than misread."""

    def __init__(self, path: str, signature: bytes) -> None:
        name = signature.decode("ascii", "replace")
        super().__init__(f"{path}: the index uses the '{name}' extension, which Gitferry does not understand")
        self.path = path


@dataclass
class IndexFile:
    """The index as read, with what a rewrite needs to keep its extensions valid."""

    index: Index
    extensions: list[Extension] = field(default_factory=list)  # of the index file itself
    order: list[bytes] = field(default_factory=list)  # entry names by position, as git numbers them
    expanded: bool = False  # sparse directories were expanded into their files
    data: bytes = b""  # the file as read
    starts: dict[bytes, int] = field(default_factory=dict)  # where each merged entry starts in it


def open_index(repo: Repo) -> Index:
    """The repository's index, one entry per file; raises NoIndexPresent when bare."""
    return read_index_file(repo).index


def read_index_file(repo: Repo) -> IndexFile:
    """The repository's index and its extensions; raises NoIndexPresent when bare."""
    if not repo.has_index():
        raise NoIndexPresent
    index = _empty_index(repo)
    path = repo.index_path()
    try:
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        return IndexFile(index)
    with no_gc():  # an object or two per entry, none of them in a cycle
        return _filled(repo, index, path, data)


def _filled(repo: Repo, index: Index, path: str, data: bytes) -> IndexFile:
    """`index` filled from the file's bytes `data` (the usual index, its entries merged and
    not split, parsed straight into entries by path: `parse_merged_index`)."""
    fmt = index.object_format
    merged = parse_merged_index(data, fmt)
    starts: dict[bytes, int] = {}
    if merged is not None:
        version, byname, extensions, starts = merged.version, merged.entries, merged.extensions, merged.starts
        signatures = _supported(repo, extensions)
    else:
        parsed = parse_index_bytes(data, fmt)
        version, extensions = parsed.version, parsed.extensions
        signatures = _supported(repo, extensions)
        entries = parsed.entries
        for signature, link in extensions:
            if signature == LINK:
                shared_dirs = [repo.controldir(), os.path.dirname(path)]
                entries = merge_shared_index(link, entries, shared_dirs, fmt)
        byname = entries_by_name(entries)
    result = IndexFile(index, extensions, index_order(byname), data=data, starts=starts)
    if SPARSE_DIRECTORIES in signatures:
        byname = expand_sparse_directories(byname, repo.object_store)
        result.expanded = True
    index._version = version
    for name, value in byname.items():
        index.set_verbatim(name, value)
    return result


def _supported(repo: Repo, extensions: list[Extension]) -> set[bytes]:
    """The extensions' signatures; UnsupportedIndex for a required one not known here."""
    signatures = {signature for signature, _data in extensions}
    for signature in signatures - KNOWN_REQUIRED:
        if not b"A" <= signature[:1] <= b"Z":
            raise UnsupportedIndex(repo.path, signature)
    return signatures


def _empty_index(repo: Repo) -> Index:
    config = repo.get_config_stack()
    many_files = config.get_boolean(b"feature", b"manyFiles", False)
    try:
        version: int | None = int(config.get(b"index", b"version"))
    except KeyError:
        version = 4 if many_files else None
    return Index(
        repo.index_path(),
        read=False,
        skip_hash=bool(config.get_boolean(b"index", b"skipHash", many_files)),
        version=version,
        shared_perm=repo._get_shared_repository_permissions(),
        path_normalizer=make_path_normalizer(config),
        object_format=repo.object_format,
    )
