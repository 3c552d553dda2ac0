"""git's exclude rules (`.gitignore` at every level, `info/exclude`, `core.excludesFile`).

Patterns are compiled by dulwich (`dulwich.ignore.Pattern`, which follows
git's wildmatch and directory rules); what is git's and done here is the
precedence: the deepest `.gitignore` that has a matching pattern decides,
with its last matching pattern; then `info/exclude`, then `core.excludesFile`
(dulwich's `IgnoreFilterManager` asks `core.excludesFile` before
`info/exclude`). Everything below an excluded directory is excluded, even
where the walk enters the directory because it holds tracked files.

Rules are read only when a scan meets an untracked entry, so a scan of an
unchanged tree opens no file at all.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence

from dulwich.config import StackedConfig
from dulwich.ignore import IgnoreFilter, Pattern, default_user_ignore_filter_path, read_ignore_patterns

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_SKIPPED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EISDIR, errno.EACCES)


class IgnoreRules:
    """The rules of one working tree, for one scan (files are read once, when first needed)."""

    def __init__(self, root: bytes, common_dir: bytes, config: StackedConfig) -> None:
        self.root = root
        self.files_opened = 0
        self._ignorecase = config.get_boolean(b"core", b"ignorecase", False)
        self._global_paths = (
            os.path.join(common_dir, b"info", b"exclude"),
            os.fsencode(os.path.expanduser(default_user_ignore_filter_path(config))),
        )
        self._globals: list[Sequence[Pattern]] | None = None

    def top(self) -> DirRules:
        return DirRules(self, None, b"")

    def global_patterns(self) -> list[Sequence[Pattern]]:
        """info/exclude, then core.excludesFile: the order git consults them in."""
        if self._globals is None:
            self._globals = [self.read(path) for path in self._global_paths]
        return self._globals

    def read(self, path: bytes) -> Sequence[Pattern]:
        """The patterns of one rules file; none when it is missing, unreadable or a symlink (as git)."""
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError as exc:
            if exc.errno in _SKIPPED_ERRNOS:
                return ()
            raise
        self.files_opened += 1
        with os.fdopen(fd, "rb") as file:
            return IgnoreFilter(read_ignore_patterns(file), self._ignorecase).patterns


class DirRules:
    """The rules that apply inside one directory of the working tree.

    `rel` is the directory's path with a trailing slash (b"" for the top).
    Creating one does no I/O: its `.gitignore` is read when first consulted.
    """

    __slots__ = ("_excluded", "_patterns", "_rules", "parent", "rel")

    def __init__(self, rules: IgnoreRules, parent: DirRules | None, rel: bytes) -> None:
        self._rules = rules
        self.parent = parent
        self.rel = rel
        self._patterns: Sequence[Pattern] | None = None
        self._excluded: bool | None = None

    def child(self, name: bytes) -> DirRules:
        return DirRules(self._rules, self, self.rel + name + b"/")

    def ignored(self, name: bytes, is_dir: bool) -> bool:
        """Is the entry `name` of this directory excluded?"""
        return self.excluded or self._decide(self.rel + name, is_dir)

    @property
    def excluded(self) -> bool:
        """This directory itself is excluded (or lies below one that is)."""
        if self._excluded is None:
            parent = self.parent
            self._excluded = parent is not None and parent.ignored(self.rel[len(parent.rel) : -1], True)
        return self._excluded

    def patterns(self) -> Sequence[Pattern]:
        if self._patterns is None:
            self._patterns = self._rules.read(os.path.join(self._rules.root, self.rel, b".gitignore"))
        return self._patterns

    def _decide(self, path: bytes, is_dir: bool) -> bool:
        frame: DirRules | None = self
        while frame is not None:
            patterns = frame.patterns()
            if patterns:
                relative = path[len(frame.rel) :]
                for pattern in reversed(patterns):
                    if pattern.matches(relative, is_dir):
                        return pattern.is_exclude
            frame = frame.parent
        for patterns in self._rules.global_patterns():
            for pattern in reversed(patterns):
                if pattern.matches(path, is_dir):
                    return pattern.is_exclude
        return False
