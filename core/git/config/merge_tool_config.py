"""Which merge tool the user's git would run, read from the git config as `git mergetool` reads it.

`merge.tool` names the tool; `mergetool.<tool>.cmd` is its command, run by a
shell with `$BASE`, `$LOCAL`, `$REMOTE` and `$MERGED` naming the files;
`mergetool.<tool>.trustExitCode` (false by default for a command of the
user's) says whether a non-zero exit means the merge failed. A tool git knows
by name (meld, vimdiff, kdiff3, ...: `builtin_merge_tools`) needs no command: it
runs with git's arguments, from `mergetool.<tool>.path` or git's program name;
any other tool named without a command is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dulwich.repo import Repo

from core.errors import GitferryError
from core.git.config.builtin_merge_tools import (
    BuiltinSettings,
    ToolFiles,
    ToolRun,
    builtin_run,
    executable,
    family,
    trusted_by_default,
)
from core.git.config.values import config_text, git_bool
from core.phrase import phrase


class NoMergeTool(GitferryError):
    def __init__(self, tool: str | None) -> None:
        if tool is None:
            why = phrase("no merge tool is configured (git config merge.tool NAME, mergetool.NAME.cmd)")
        else:
            why = phrase(
                "merge tool {tool} is unknown to git: give it a command (git config mergetool.{tool}.cmd)",
                tool=tool,
            )
        super().__init__(why)
        self.tool = tool


@dataclass(frozen=True)
class MergeTool:
    name: str
    command: str | None  # a shell command line using $BASE $LOCAL $REMOTE $MERGED; None: git's own
    trust_exit_code: bool
    path: str | None = None  # mergetool.<tool>.path
    settings: BuiltinSettings = field(default_factory=BuiltinSettings)

    def builtin(self, files: ToolFiles) -> ToolRun:
        """How git runs this built-in tool on `files` (a tool without a command)."""
        return builtin_run(self.name, executable(self.name, self.path), files, self.settings)


def configured_merge_tool(repo: Repo) -> MergeTool:
    """The tool `git mergetool` would run here; `NoMergeTool` when there is none we can run."""
    config = repo.get_config_stack()
    name = config_text(config, (b"merge",), b"tool")
    if not name:
        raise NoMergeTool(None)
    section = (b"mergetool", name.encode())
    command = config_text(config, section, b"cmd") or None
    if command is None and family(name) is None:
        raise NoMergeTool(name)
    trust = config_text(config, section, b"trustExitCode")
    default = command is None and trusted_by_default(name)
    trusted = bool(git_bool(trust)) if trust is not None else default
    layout = config_text(config, section, b"layout") or config_text(
        config, (b"mergetool", b"vimdiff"), b"layout"
    )
    options = {k: v for k in ("hasOutput", "useAutoMerge") if (v := config_text(config, section, k.encode()))}
    settings = BuiltinSettings(layout, options)
    return MergeTool(name, command, trusted, config_text(config, section, b"path") or None, settings)
