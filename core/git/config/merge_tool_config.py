"""Which merge tool the user's git would run, read from the git config as `git mergetool` reads it.

`merge.tool` names the tool; `mergetool.<tool>.cmd` is its command, run by a
shell with `$BASE`, `$LOCAL`, `$REMOTE` and `$MERGED` naming the files;
`mergetool.<tool>.trustExitCode` (false by default for a command of the
user's) says whether a non-zero exit means the merge failed. Gitferry runs only
a tool with a configured command: git's built-in tool table (vimdiff, meld...)
is git's own shell code, and a tool named without a command is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from dulwich.config import Config
from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.values import git_bool


class NoMergeTool(GitferryError):
    def __init__(self, tool: str | None) -> None:
        if tool is None:
            why = "no merge tool is configured (git config merge.tool NAME, mergetool.NAME.cmd)"
        else:
            why = f"merge tool {tool} has no command (git config mergetool.{tool}.cmd)"
        super().__init__(why)
        self.tool = tool


@dataclass(frozen=True)
class MergeTool:
    name: str
    command: str  # a shell command line using $BASE $LOCAL $REMOTE $MERGED
    trust_exit_code: bool


def configured_merge_tool(repo: Repo) -> MergeTool:
    """The tool `git mergetool` would run here; `NoMergeTool` when there is none we can run."""
    config = repo.get_config_stack()
    name = _get(config, (b"merge",), b"tool")
    if not name:
        raise NoMergeTool(None)
    section = (b"mergetool", name.encode())
    command = _get(config, section, b"cmd")
    if not command:
        raise NoMergeTool(name)
    trust = _get(config, section, b"trustExitCode")
    return MergeTool(name, command, bool(git_bool(trust)) if trust is not None else False)


def _get(config: Config, section: tuple[bytes, ...], key: bytes) -> str | None:
    try:
        value = config.get(section, key)
    except KeyError:
        return None
    return value.decode("utf-8", "replace") if value is not None else None
