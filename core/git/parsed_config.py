"""A repository whose `.git/config` is parsed once and reused while its bytes stay the same.

Dulwich parses `.git/config` again at every `get_config()` and `get_config_stack()`,
and a fetch asks about ten times (the remote's URL and rewrites, the refspecs, the
upstreams, the deadlines, the checks, each reflog line written, the worktrees):
0.47 ms a parse on an idle core for a clone with 20 tracked branches, about a fifth
of the CPU fifty fetches at once spent under the GIL (a py-spy profile of
`bench.gui --only lag`'s engine). `ParsedConfigRepo` reads the file's bytes at every
call (a few microseconds), and parses them only when they differ from the last
parse's: an edit by git, by the user or by Gitferry itself is seen at the next call,
between jobs and within one. A config with `include` or `includeIf` sections is
parsed every time (the files it includes, and the branch an `onbranch:` condition
names, can change while its own bytes do not). `get_config_stack()` adds the user's
and the system's files as `core/git/global_config.py` keeps them (parsed once per
version of each file, where dulwich parses them at every call); one with `includeIf`
sections is parsed again for each repository, its conditions (`gitdir:`, `onbranch:`,
`hasconfig:remote.*.url:` against the repository's remotes) evaluated for it, which
neither the kept parse nor dulwich's own `get_config_stack()` does.

Each call returns its own copy of the parse (sections copied, values shared: they are
immutable bytes): callers change what they got and write it (`write_to_path`), and a
change never written must not leak into the next caller's config. The copy is made from
dulwich's private section mappings (`_values`, `_real`, `_keyed` of
`CaseInsensitiveOrderedMultiDict`): dulwich is pinned, and tests/core/test_parsed_config.py
fails if a copy shares what a caller changes. `python -m bench.handwritten config` times
it against dulwich and git.
"""

from __future__ import annotations

import io
import os
from typing import TypeVar

from dulwich.config import (
    CaseInsensitiveOrderedMultiDict,
    ConfigFile,
    ConfigKey,
    StackedConfig,
    match_glob_pattern,
)
from dulwich.repo import Repo

from core.git.global_config import global_configs

K = TypeVar("K", bound=ConfigKey)
V = TypeVar("V")
_INCLUDES = frozenset({b"include", b"includeif"})
_HAS_REMOTE_URL = "hasconfig:remote.*.url:"


class ParsedConfigRepo(Repo):
    """`dulwich.repo.Repo`, with `.git/config` parsed once per version of its bytes."""

    # Set before Repo.__init__ runs: it reads the config itself.
    _parsed: tuple[bytes, ConfigFile] | None = None

    def get_config(self) -> ConfigFile:
        path = os.path.join(self.commondir(), "config")
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            empty = ConfigFile()
            empty.path = path
            return empty
        parsed = self._parsed
        if parsed is not None and parsed[0] == raw:
            return copied(parsed[1])
        config = ConfigFile.from_file(
            io.BytesIO(raw),
            config_dir=os.path.dirname(path),
            condition_matchers=self._get_config_condition_matchers(),
        )
        config.path = path
        includes = any(section[0].lower() in _INCLUDES for section in config.sections())
        self._parsed = None if includes else (raw, copied(config))
        return config

    def get_config_stack(self) -> StackedConfig:
        """dulwich's stack (`.git/config`, the worktree's config when
        `extensions.worktreeConfig` is on, then the user's and the system's files),
        with the user's and the system's files parsed once per version of them
        (`core/git/global_config.py`) where dulwich parses them at every call."""
        local = self.get_config()
        backends = [local]
        if local.get_boolean((b"extensions",), b"worktreeconfig", False):
            backends.append(self.get_worktree_config())
        backends += [self._for_this_repository(config) for config in global_configs()]
        return StackedConfig(backends, writable=local)

    def _for_this_repository(self, config: ConfigFile) -> ConfigFile:
        """The kept parse of a user's or system file, copied; parsed again for this
        repository when it has `includeIf` sections: a `gitdir:` or `onbranch:`
        condition (the work identity and signing key of `includeIf "gitdir:~/work/"`)
        holds for some repositories and not others, and the kept parse, made for none,
        left every such file out."""
        conditional = any(section[0].lower() == b"includeif" for section in config.sections())
        if config.path is None or not conditional:
            return copied(config)
        matchers = {**self._get_config_condition_matchers(), _HAS_REMOTE_URL: self._has_remote_url}
        try:
            return ConfigFile.from_path(config.path, condition_matchers=matchers)
        except FileNotFoundError:  # gone since it was kept: as if it had never been there
            return ConfigFile()

    def _has_remote_url(self, pattern: str) -> bool:
        """`hasconfig:remote.*.url:<glob>` as git evaluates it for this repository: one of
        its remotes' URLs matches (dulwich would look for remotes in the user's file)."""
        local = self.get_config()
        return any(
            match_glob_pattern(url.decode("utf-8", "replace"), pattern)
            for section in local.sections()
            if len(section) == 2 and section[0].lower() == b"remote"
            for url in local.get_multivar(section, b"url")
        )


def copied(config: ConfigFile) -> ConfigFile:
    """A copy of `config` that can be changed without changing it: each section's
    mapping copied, the values (bytes) shared. About 30 us for 20 branch sections,
    against 470 us for parsing them."""
    sections = config._values
    copies = {id(values): _copy_mapping(values) for _name, values in sections._real}
    out_sections = _copy_mapping(sections)
    out_sections._real = [(name, copies[id(values)]) for name, values in sections._real]
    out_sections._keyed = {key: copies[id(values)] for key, values in sections._keyed.items()}
    out = ConfigFile(out_sections, encoding=config.encoding)
    out.path = config.path
    out._included_paths = set(config._included_paths)
    return out


def _copy_mapping(mapping: CaseInsensitiveOrderedMultiDict[K, V]) -> CaseInsensitiveOrderedMultiDict[K, V]:
    out: CaseInsensitiveOrderedMultiDict[K, V] = CaseInsensitiveOrderedMultiDict(mapping._default_factory)
    out._real = list(mapping._real)
    out._keyed = dict(mapping._keyed)
    return out
