"""Merge tools git knows by name (`merge.tool = meld` with no `mergetool.meld.cmd`),
run as `git mergetool` runs them.

A fake program named like the real one (meld, vim, kdiff3, code, emacs, ...) on PATH
in the scratch HOME records its arguments, each file named by its role (its content
tells LOCAL, REMOTE and BASE apart; the file holding conflict markers is MERGED), and
writes its merge into MERGED. `git mergetool` on a real `git merge` conflict of the
same sides is the referee: Gitferry's `resolve PATH --tool` must call the program
with the same arguments and take the same result.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git
from tests.integration.clones import Clones
from tests.integration.test_resolve_conflicts import MINE_TEXT, THEIRS_TEXT, resolve, stopped_on_conflict

pytestmark = pytest.mark.slow

BASE_TEXT = "one\ntwo\nthree\n"
TOOL_RESULT = "merged by the tool\n"

FAKE_TOOL = f"""#!{sys.executable}
import json, os, sys
args = sys.argv[1:]
if args == ["--help"]:
    print("Usage: meld [OPTION...] [FILE...]")  # a meld that has --output
    sys.exit(0)
roles = {{{MINE_TEXT!r}: "LOCAL", {THEIRS_TEXT!r}: "REMOTE", {BASE_TEXT!r}: "BASE"}}
shown, merged = [], None
for arg in args:
    prefix, path = "", arg
    for sep in ("=", ":"):
        head, _, tail = arg.partition(sep)
        if not os.path.isfile(arg) and tail and os.path.isfile(tail):
            prefix, path = head + sep, tail
    if os.path.isfile(path):
        text = open(path).read()
        role = "MERGED" if "<<<<<<<" in text else roles.get(text, "?")
        merged = path if role == "MERGED" else merged
        shown.append(prefix + role)
    else:
        shown.append(arg)
with open(os.environ["FAKE_TOOL_LOG"], "a") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0]), shown]) + "\\n")
if merged is not None:
    open(merged, "w").write({TOOL_RESULT!r})
sys.exit(int(os.environ.get("FAKE_TOOL_EXIT", "0")))
"""

# merge.tool -> the program git runs for it
TOOLS = {
    "meld": "meld",
    "vimdiff": "vim",
    "vimdiff1": "vim",
    "nvimdiff2": "nvim",
    "gvimdiff3": "gvim",
    "kdiff3": "kdiff3",
    "opendiff": "opendiff",
    "bc": "bcompare",
    "p4merge": "p4merge",
    "tortoisemerge": "tortoisemerge",
    "emerge": "emacs",
}


@pytest.fixture
def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every program of TOOLS as the fake, first on PATH; the log of their calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in {*TOOLS.values(), "code", "my-meld"}:
        (bin_dir / program).write_text(FAKE_TOOL)
        (bin_dir / program).chmod(0o755)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_TOOL_LOG", str(log))
    return log


def calls(log: Path) -> list[list[object]]:
    if not log.exists():
        return []
    found = [json.loads(line) for line in log.read_text().splitlines()]
    log.unlink()
    return found


def git_conflict(folder: Path, name: str) -> Path:
    """A plain repository stopped by `git merge` on `name`: mine against theirs, over the
    base for a.txt, both adding it otherwise (no base)."""
    git("init", "-q", "-b", "main", str(folder))
    commit_file(folder, "a.txt", BASE_TEXT)
    git("checkout", "-q", "-b", "side", cwd=folder)
    commit_file(folder, name, THEIRS_TEXT)
    git("checkout", "-q", "main", cwd=folder)
    commit_file(folder, name, MINE_TEXT)
    git("merge", "-q", "side", cwd=folder, check=False)
    return folder


def git_mergetool(
    folder: Path, tool: str, *config: str, name: str = "a.txt"
) -> tuple[list[list[object]], str, bool]:
    """`git mergetool` with `tool` on a fresh conflict: (calls, the file after, resolved)."""
    repo = git_conflict(folder, name)
    options = [arg for pair in config for arg in ("-c", pair)]
    git(*options, "-c", f"merge.tool={tool}", "-c", "mergetool.keepBackup=false",
        "mergetool", "--no-prompt", name, cwd=repo, check=False)  # fmt: skip
    resolved = git("ls-files", "-u", name, cwd=repo) == ""
    return calls(Path(os.environ["FAKE_TOOL_LOG"])), (repo / name).read_text(), resolved


def gitferry_tool(
    world: Clones, tool: str, *config: str, name: str = "a.txt"
) -> tuple[list[list[object]], str, bool]:
    """`gitferry resolve mine NAME --tool` with the same configuration."""
    for pair in [f"merge.tool={tool}", *config]:
        key, _, value = pair.partition("=")
        git("config", "--global", key, value)
    code, _out, err = resolve(world, name, "--tool")
    files = world.mine / ".git" / "gitferry" / "resolve" / "files"
    text = next(files.rglob(name)).read_text() if code == 0 else err
    assert resolve(world, "--abort")[0] == 0
    for pair in config:
        git("config", "--global", "--unset", pair.partition("=")[0])
    return calls(Path(os.environ["FAKE_TOOL_LOG"])), text, code == 0


def git_knows(tool: str) -> bool:
    """Whether the installed git has the tool's `mergetools/` script."""
    return (Path(git("--exec-path")) / "mergetools" / tool).exists()


def test_vscode_runs_code_as_git_does(world: Clones, fake_tools: Path, tmp_path: Path) -> None:
    """git gained `mergetools/vscode` after 2.39: where the installed git lacks it, the
    command line is the one git's script gives (`code --wait --merge $REMOTE $LOCAL
    $BASE $MERGED`)."""
    stopped_on_conflict(world)
    ours = gitferry_tool(world, "vscode")
    if git_knows("vscode"):
        assert ours == git_mergetool(tmp_path / "referee", "vscode")
    assert ours == ([["code", ["--wait", "--merge", "REMOTE", "LOCAL", "BASE", "MERGED"]]], TOOL_RESULT, True)


def test_tools_git_knows_by_name_run_with_gits_arguments(
    world: Clones, fake_tools: Path, tmp_path: Path
) -> None:
    stopped_on_conflict(world)
    for number, (tool, program) in enumerate(TOOLS.items()):
        theirs = git_mergetool(tmp_path / f"referee-{number}", tool)
        ours = gitferry_tool(world, tool)
        assert theirs[0] and theirs[0][0][0] == program, (tool, theirs)
        assert ours == theirs, tool
    assert TOOL_RESULT in ours[1]


def test_without_a_base_tools_run_as_git_runs_them(world: Clones, fake_tools: Path, tmp_path: Path) -> None:
    """Both sides added new.txt: git's scripts drop the base (tortoisemerge refuses)."""
    commit_file(world.theirs, "new.txt", THEIRS_TEXT)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "new.txt", MINE_TEXT)
    code, report = world.sync(world.mine)
    assert code == 1 and report["conflicts"] == ["new.txt"], report
    for number, tool in enumerate(("meld", "vimdiff", "vimdiff1", "kdiff3", "opendiff", "bc", "emerge")):
        theirs = git_mergetool(tmp_path / f"referee-{number}", tool, name="new.txt")
        ours = gitferry_tool(world, tool, name="new.txt")
        assert ours == theirs, tool
    theirs = git_mergetool(tmp_path / "referee-tortoise", "tortoisemerge", name="new.txt")
    ours = gitferry_tool(world, "tortoisemerge", name="new.txt")
    assert theirs[2] is False and ours[2] is False and "cannot be used without a base" in ours[1]


def test_path_and_trust_exit_code_as_git_reads_them(
    world: Clones, fake_tools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped_on_conflict(world)
    my_meld = str(tmp_path / "bin" / "my-meld")
    theirs = git_mergetool(tmp_path / "referee-path", "meld", f"mergetool.meld.path={my_meld}")
    ours = gitferry_tool(world, "meld", f"mergetool.meld.path={my_meld}")
    assert theirs[0][0][0] == "my-meld" and ours == theirs

    monkeypatch.setenv("FAKE_TOOL_EXIT", "1")
    # kdiff3's exit code is trusted by default: a failure, nothing taken
    theirs = git_mergetool(tmp_path / "referee-trusted", "kdiff3")
    ours = gitferry_tool(world, "kdiff3")
    assert theirs[2] is False and ours[2] is False and "kdiff3 exited with 1" in ours[1], ours
    # ... unless trustExitCode says otherwise: the merged file is taken
    theirs = git_mergetool(tmp_path / "referee-untrusted", "kdiff3", "mergetool.kdiff3.trustExitCode=false")
    ours = gitferry_tool(world, "kdiff3", "mergetool.kdiff3.trustExitCode=false")
    assert theirs[2] is True and ours == theirs
    # meld's is not trusted by default; trustExitCode=true makes the exit a failure
    ours = gitferry_tool(world, "meld", "mergetool.meld.trustExitCode=true")
    assert ours[2] is False and "meld exited with 1" in ours[1]


def test_a_tool_git_does_not_know_or_cannot_find_is_one_line(
    world: Clones, fake_tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped_on_conflict(world)
    git("config", "--global", "merge.tool", "nosuchtool")
    code, _out, err = resolve(world, "a.txt", "--tool")
    assert code == 1 and err.strip() == (
        "gitferry: merge tool nosuchtool is unknown to git: "
        "give it a command (git config mergetool.nosuchtool.cmd)"
    )
    git("config", "--global", "merge.tool", "meld")
    git("config", "--global", "mergetool.meld.path", "/nonexistent/meld")
    code, _out, err = resolve(world, "a.txt", "--tool")
    assert code == 1 and err.count("\n") == 1, err
    assert "the merge tool meld is not available as '/nonexistent/meld'" in err
    code, doc, _err = resolve(world, "--json")
    assert isinstance(doc, dict) and "a.txt" in doc["unresolved"]
