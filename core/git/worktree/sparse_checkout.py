"""Sparse checkout (`core.sparseCheckout` and `info/sparse-checkout`): which paths the
working tree holds.

A path outside the checkout has an index entry with the skip-worktree bit and no
file; a switch that changes it changes the entry only, and a new path is outside
when the patterns leave it out (unpack-trees.c: `mark_new_skip_worktree`, then
`apply_sparse_checkout`). As git reads the patterns (dir.c): with
`core.sparseCheckoutCone` and patterns in cone form, a file is in the checkout if
it is at the top, directly in a "parent" directory, or anywhere under a
"recursive" one (`add_pattern_to_hashsets`, `path_matches_pattern_list`);
dulwich's cone matcher looks at the top directory only, so the cone is read here.
Other patterns are gitignore-style, the last match deciding, then the nearest
parent directory's: dulwich's `sparse_path_matcher(cone=False)` does this as git.
No pattern file: git does not apply sparse checkout, neither does this.

Gitferry applies the patterns to the paths a switch changes, as git does; it does
not re-apply them to the others (`git sparse-checkout reapply` does).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from dulwich.repo import Repo
from dulwich.sparse_patterns import sparse_path_matcher

_GLOB = frozenset(b"*?[\\")


@dataclass(frozen=True)
class SparseCheckout:
    includes: Callable[[bytes], bool]  # a file path (no leading slash) is in the working tree


def sparse_checkout(repo: Repo) -> SparseCheckout | None:
    """The repository's sparse checkout; None when it has none (or git would not apply it)."""
    config = repo.get_config_stack()
    if not config.get_boolean(b"core", b"sparseCheckout", False):
        return None
    try:
        with open(os.path.join(repo.controldir(), "info", "sparse-checkout"), "rb") as file:
            lines = [line.rstrip(b"\r\n") for line in file]
    except OSError:
        return None
    if config.get_boolean(b"core", b"sparseCheckoutCone", False):
        cone = _Cone.parse(lines)
        if cone is not None:
            return SparseCheckout(cone.includes)
    matcher = sparse_path_matcher([line.decode("utf-8", "surrogateescape") for line in lines], cone=False)
    return SparseCheckout(lambda path: matcher(path.decode("utf-8", "surrogateescape")))


@dataclass(frozen=True)
class _Cone:
    full: bool
    recursive: frozenset[bytes]  # directories (with a leading slash) included with everything below
    parents: frozenset[bytes]  # directories whose files, but not subdirectories, are included

    @classmethod
    def parse(cls, lines: list[bytes]) -> _Cone | None:
        """The cone, or None when a pattern is not in cone form (git then disables cone matching)."""
        full = False
        recursive: set[bytes] = set()
        parents: set[bytes] = set()
        for raw in lines:
            line = raw.rstrip(b" ")
            if not line or line.startswith(b"#"):
                continue
            negative = line.startswith(b"!")
            pattern = line[1:] if negative else line
            must_be_dir = pattern.endswith(b"/")
            pattern = pattern.rstrip(b"/") if must_be_dir else pattern
            if pattern == b"/*" and negative and must_be_dir:
                full = False
            elif pattern == b"/*" and not negative and not must_be_dir:
                full = True
            elif not _cone_form(pattern, must_be_dir):
                return None
            elif pattern.endswith(b"/*"):
                directory = _unescape(pattern[:-2])
                if not negative or directory not in recursive:
                    return None
                recursive.discard(directory)
                parents.add(directory)
            elif negative:
                return None
            else:
                directory = _unescape(pattern)
                if directory in parents:
                    return None
                recursive.add(directory)
        return cls(full, frozenset(recursive), frozenset(parents))

    def includes(self, path: bytes) -> bool:
        if self.full:
            return True
        slashed = b"/" + path
        if slashed in self.recursive:
            return True
        parent = slashed[: slashed.rfind(b"/")]
        if not parent or parent in self.parents:
            return True
        end = slashed.find(b"/", 1)
        while end != -1:
            if slashed[:end] in self.recursive:
                return True
            end = slashed.find(b"/", end + 1)
        return False


def _cone_form(pattern: bytes, must_be_dir: bool) -> bool:
    """git's checks: anchored, no `**`, a directory, and no glob but a final `/*`."""
    if len(pattern) < 2 or not pattern.startswith(b"/") or b"**" in pattern or not must_be_dir:
        return False
    body = pattern[:-2] if pattern.endswith(b"/*") else pattern
    i = 1
    while i < len(body):
        if body[i] == ord("\\") and i + 1 < len(body) and body[i + 1] in _GLOB:
            i += 2
            continue
        if body[i] in _GLOB:
            return False
        i += 1
    return True


def _unescape(pattern: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(pattern):
        if pattern[i] == ord("\\") and i + 1 < len(pattern) and pattern[i + 1] in _GLOB:
            i += 1
        out.append(pattern[i])
        i += 1
    return bytes(out)
