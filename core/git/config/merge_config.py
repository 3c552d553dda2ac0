"""How the user's git finds renames when it merges, read from the git config as git reads it.

- `merge.renames` (falling back to `diff.renames`): whether renames are
  looked for at all; true by default, `copies` counts as true (a merge looks
  for renames only). git 2.39's merge ignored `false`; git 2.50 and later
  honour it, and so does Gitferry: without rename detection a rename is a
  deletion plus an addition.
- `merge.renameLimit` (falling back to `diff.renameLimit`): beyond this many
  sources times destinations squared the similarity search is skipped
  (exact renames are still found); 0 or less means git's 7000.
- `merge.directoryRenames`: `conflict` (the default), `true` or `false`. A
  file added (or renamed) by one side into a directory the other side
  renamed is a conflict unless this is false. Gitferry treats `true` as
  `conflict`: it never moves such a file by itself, it reports the conflict.
- `merge.conflictStyle`: `merge`, `diff3` or `zdiff3`, for the file with conflict
  markers `gitferry resolve --edit` (and the window's Edit) gives to edit.

A value git itself refuses (a non-boolean `merge.renames`, a non-number
limit) is refused here too, with one line, as `git merge` would stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from dulwich.config import Config
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.values import git_bool
from core.phrase import Phrase, phrase

DirectoryRenames = Literal["conflict", "true", "false"]
ConflictStyle = Literal["merge", "diff3", "zdiff3"]
DEFAULT_RENAME_LIMIT: Final = 7000
_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3}


class BadMergeConfig(GitferryError):
    def __init__(self, name: str, value: str, wanted: Phrase) -> None:
        super().__init__(
            phrase(
                "{name} is '{value}', not {wanted}: git refuses to merge with it too",
                name=name,
                value=value,
                wanted=wanted,
            )
        )
        self.name = name


@dataclass(frozen=True)
class RenameSettings:
    detect: bool = True
    limit: int = DEFAULT_RENAME_LIMIT
    directories: DirectoryRenames = "conflict"


def rename_settings(repo: Repo) -> RenameSettings:
    config = repo.get_config_stack()
    detect = True
    for section in (b"diff", b"merge"):
        value = _get(config, section, b"renames")
        if value is not None:
            detect = value.strip().lower() in ("copies", "copy") or _boolean(
                value, f"{section.decode()}.renames"
            )
    limit = DEFAULT_RENAME_LIMIT
    for section in (b"diff", b"merge"):
        value = _get(config, section, b"renamelimit")
        if value is not None:
            limit = _integer(value, f"{section.decode()}.renameLimit")
    directories: DirectoryRenames = "conflict"
    value = _get(config, b"merge", b"directoryrenames")
    if value is not None:
        lowered = value.strip().lower()
        if lowered == "conflict":
            directories = "conflict"
        elif (parsed := git_bool(value)) is not None:
            directories = "true" if parsed else "false"
        # anything else: git ignores it (a value from a future version)
    return RenameSettings(detect, limit if limit > 0 else DEFAULT_RENAME_LIMIT, directories)


def conflict_style(repo: Repo) -> ConflictStyle:
    """`merge.conflictStyle`: how a file with conflict markers shows them (`diff3` and
    `zdiff3` add the base's lines); a value git does not know is taken as `merge`."""
    value = _get(repo.get_config_stack(), b"merge", b"conflictstyle")
    lowered = (value or "").strip().lower()
    if lowered == "diff3":
        return "diff3"
    if lowered == "zdiff3":
        return "zdiff3"
    return "merge"


def _get(config: Config, section: bytes, key: bytes) -> str | None:
    try:
        value = config.get((section,), key)
    except KeyError:
        return None
    return "true" if value is None else value.decode("utf-8", "surrogateescape")


def _boolean(value: str, name: str) -> bool:
    parsed = git_bool(value)
    if parsed is None:
        raise BadMergeConfig(name, value, phrase("a boolean"))
    return parsed


def _integer(value: str, name: str) -> int:
    text = value.strip().lower()
    factor = _UNITS.get(text[-1:], 1)
    digits = text[:-1] if factor != 1 else text
    try:
        return int(digits, 10) * factor
    except ValueError:
        raise BadMergeConfig(name, value, phrase("a number")) from None
