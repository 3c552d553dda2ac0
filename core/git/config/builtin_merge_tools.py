"""The merge tools git knows by name, and the command lines git runs them with.

`merge.tool = meld` (or vimdiff, kdiff3, ...) with no `mergetool.<tool>.cmd`
runs the tool as git's `mergetools/<tool>` scripts do: the executable is
`mergetool.<tool>.path`, else the name git translates the tool to (`vscode`
runs `code`, `emerge` runs `emacs`, `vimdiff` runs `vim`; `bc` runs `bcomp`
when there is one, else `bcompare`); the arguments are git's for that tool,
with or without a base version. Whether a non-zero exit means the merge failed
is `mergetool.<tool>.trustExitCode`, else git's default for the tool (true for
kdiff3, emerge and the vimdiff family, false otherwise).

Known differences from git: a custom `mergetool.vimdiff.layout` is refused (git
builds its own vim command for it; set `mergetool.vimdiff.cmd` instead), and
p4merge without a base is given an empty base file (git builds a virtual one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from core.errors import GitferryError
from core.git.config.values import git_bool


class ToolUnavailable(GitferryError):
    """A built-in tool that cannot be run here, for the reason given (one line)."""


@dataclass(frozen=True)
class ToolFiles:
    """The files of one merge, as git's `$BASE $LOCAL $REMOTE $MERGED`."""

    base: str
    local: str
    remote: str
    merged: str
    label: str  # the path in the repository, for tools that show it
    base_present: bool = True


@dataclass(frozen=True)
class ToolRun:
    argv: list[str]
    cwd: str | None = None  # None: the top of the working tree, as git runs every tool
    result_from: str | None = None  # after a zero exit, copied over MERGED (vimdiff1: LOCAL)


@dataclass(frozen=True)
class BuiltinSettings:
    """What `mergetool.<tool>.*` says about a built-in tool beyond its path."""

    layout: str | None = None  # mergetool.<tool>.layout (or mergetool.vimdiff.layout)
    options: Mapping[str, str] = field(default_factory=dict)  # e.g. meld's hasOutput, useAutoMerge


_VIM_FAMILY = {"vimdiff": "vim", "gvimdiff": "gvim", "nvimdiff": "nvim"}
_DEFAULT_LAYOUT = "(LOCAL,BASE,REMOTE)/MERGED"
# The vim commands git's vimdiff script builds for its fixed layouts, and the file each
# layout's result is taken from.
_VIM_LAYOUTS = {
    "": (
        "echo | leftabove split | leftabove vertical split | 1b | wincmd l | leftabove vertical split"
        " | 2b | wincmd l | 3b | wincmd j | 4b",
        None,
    ),
    "1": ("echo | leftabove vertical split | 1b | wincmd l | 3b", "LOCAL"),
    "2": (
        "echo | leftabove vertical split | 1b | wincmd l | leftabove vertical split | 4b | wincmd l | 3b",
        None,
    ),
    "3": ("echo | silent execute 'bufdo diffthis' | 4b", None),
}
_TRUSTED = {"kdiff3", "emerge", *_VIM_FAMILY}
_SIMPLE = {"meld", "kdiff3", "opendiff", "vscode", "bc", "p4merge", "tortoisemerge", "emerge"}


def family(name: str) -> str | None:
    """The git tool script `name` runs (`bc3` -> bc, `nvimdiff2` -> nvimdiff); None if unknown."""
    if name in _SIMPLE:
        return name
    if name in ("bc3", "bc4"):
        return "bc"
    for vim in _VIM_FAMILY:
        if name == vim or (name.startswith(vim) and name[len(vim) :] in ("1", "2", "3")):
            return vim
    return None


def trusted_by_default(name: str) -> bool:
    return family(name) in _TRUSTED


def executable(name: str, configured: str | None) -> str:
    """The program git runs for the tool: `mergetool.<tool>.path`, else git's translation."""
    if configured:
        return configured
    kind = family(name) or name
    if kind in _VIM_FAMILY:
        return _VIM_FAMILY[kind]
    if kind == "bc":
        return "bcomp" if shutil.which("bcomp") else "bcompare"
    if kind == "tortoisemerge":
        return "tortoisegitmerge" if shutil.which("tortoisegitmerge") else "tortoisemerge"
    return {"vscode": "code", "emerge": "emacs"}.get(kind, kind)


def builtin_run(name: str, program: str, files: ToolFiles, settings: BuiltinSettings) -> ToolRun:
    """The command line git's `mergetools/<tool>` runs; `ToolUnavailable` when it cannot."""
    kind = family(name)
    if kind is None:
        raise ToolUnavailable(f"merge tool {name} is not one git knows")
    if shutil.which(program) is None:
        raise ToolUnavailable(
            f"the merge tool {name} is not available as '{program}' "
            f"(install it, or git config mergetool.{name}.path PROGRAM)"
        )
    if kind in _VIM_FAMILY:
        return _vim(name, kind, program, files, settings)
    return _BUILDERS[kind](program, files, settings)


def _meld(program: str, f: ToolFiles, settings: BuiltinSettings) -> ToolRun:
    help_text: list[str] = []  # `meld --help`, read once and only when a setting asks for it

    def meld_help() -> str:
        if not help_text:
            try:
                done = subprocess.run(
                    [program, "--help"], capture_output=True, text=True, timeout=30, check=False
                )
                help_text.append(done.stdout + done.stderr)
            except (OSError, subprocess.TimeoutExpired):
                help_text.append("")
        return help_text[0]

    configured = settings.options.get("hasOutput")
    has_output = git_bool(configured) if configured else None
    if has_output is None:  # unset or not a boolean: found out from `meld --help`, as git does
        has_output = "--output=" in meld_help() or "[OPTION...]" in meld_help()
    auto = settings.options.get("useAutoMerge", "").strip().lower()
    if auto == "auto":
        use_auto = "--auto-merge" in meld_help() or "[OPTION...]" in meld_help()
    elif auto == "":
        use_auto = False
    else:
        flag = git_bool(auto)
        if flag is None:
            raise ToolUnavailable(f"unknown mergetool.meld.useAutoMerge: {auto}")
        use_auto = flag
    first = [program, "--auto-merge"] if use_auto else [program]
    if has_output:
        return ToolRun([*first, f"--output={f.merged}", f.local, f.base, f.remote])
    return ToolRun([*first, f.local, f.merged, f.remote])


def _kdiff3(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    if f.base_present:
        labels = ["--L1", f"{f.label} (Base)", "--L2", f"{f.label} (Local)", "--L3", f"{f.label} (Remote)"]
        return ToolRun([program, "--auto", *labels, "-o", f.merged, f.base, f.local, f.remote])
    labels = ["--L1", f"{f.label} (Local)", "--L2", f"{f.label} (Remote)"]
    return ToolRun([program, "--auto", *labels, "-o", f.merged, f.local, f.remote])


def _opendiff(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    ancestor = ["-ancestor", f.base] if f.base_present else []
    return ToolRun([program, f.local, f.remote, *ancestor, "-merge", f.merged])


def _vscode(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    return ToolRun([program, "--wait", "--merge", f.remote, f.local, f.base, f.merged])


def _bc(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    base = [f.base] if f.base_present else []
    return ToolRun([program, f.local, f.remote, *base, f"-mergeoutput={f.merged}"])


def _p4merge(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    return ToolRun([program, f.base, f.remote, f.local, f.merged])


def _tortoisemerge(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    if not f.base_present:
        raise ToolUnavailable(f"{program} cannot be used without a base")
    roles = (("base", f.base), ("mine", f.local), ("theirs", f.remote), ("merged", f.merged))
    if os.path.basename(program).removesuffix(".exe") == "tortoisegitmerge":
        return ToolRun([program, *(arg for role, path in roles for arg in (f"-{role}", path))])
    return ToolRun([program, *(f"-{role}:{path}" for role, path in roles)])


def _emerge(program: str, f: ToolFiles, _s: BuiltinSettings) -> ToolRun:
    # git passes MERGED's base name, for emacs to write in the folder it runs in.
    folder, name = os.path.split(f.merged)
    if f.base_present:
        argv = [program, "-f", "emerge-files-with-ancestor-command", f.local, f.remote, f.base, name]
    else:
        argv = [program, "-f", "emerge-files-command", f.local, f.remote, name]
    return ToolRun(argv, cwd=folder or None)


_BUILDERS: dict[str, Callable[[str, ToolFiles, BuiltinSettings], ToolRun]] = {
    "meld": _meld,
    "kdiff3": _kdiff3,
    "opendiff": _opendiff,
    "vscode": _vscode,
    "bc": _bc,
    "p4merge": _p4merge,
    "tortoisemerge": _tortoisemerge,
    "emerge": _emerge,
}


def _vim(name: str, kind: str, program: str, f: ToolFiles, settings: BuiltinSettings) -> ToolRun:
    variant = name[len(kind) :]
    if not variant and settings.layout and settings.layout.replace(" ", "") != _DEFAULT_LAYOUT:
        raise ToolUnavailable(
            f"mergetool.{name}.layout is not supported here: set mergetool.{name}.cmd for that layout"
        )
    layout, result_from = _VIM_LAYOUTS[variant]
    command = f"set hidden diffopt-=hiddenoff | {layout} | execute 'tabdo windo diffthis' | tabfirst"
    if f.base_present:
        files = [f.local, f.base, f.remote, f.merged]
    else:  # no BASE window: git closes it and renumbers the buffers after it
        command = command.replace("2b", "quit").replace("3b", "2b").replace("4b", "3b")
        files = [f.local, f.remote, f.merged]
    source = {"LOCAL": f.local}.get(result_from or "")
    return ToolRun([program, "-f", "-c", command, *files], result_from=source)
