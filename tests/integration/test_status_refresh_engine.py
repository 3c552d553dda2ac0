"""`gitferry status --refresh` through a running engine (`core.cli_engine`,
`core.engine.cli_server`), as `gitferry sync` is handed over: a real `gitferry daemon`,
the CLI as fresh processes, git moving the branches. The engine measures, the CLI prints
from the store: the same output and exit status as the measure in the CLI's own
process, without loading dulwich; whenever the engine does not measure, the CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git
from tests.integration.clones import Clones
from tests.integration.engine_process import EngineProcess, gitferry


def _main(out: str) -> tuple[int, int, str] | None:
    """`mine`'s main as `status --json` shows it: ahead, behind, head (None: not measured)."""
    (repo,) = json.loads(out)["repos"]
    found = [(b["ahead"], b["behind"], b["head"]) for b in repo["branches"] if b["name"] == "main"]
    return found[0] if found else None


@pytest.mark.slow
def test_status_refresh_is_measured_by_the_engine(
    world: Clones, engine: EngineProcess, tmp_path: Path
) -> None:
    # Two commits made with git behind Gitferry's back. (The running engine may notice them
    # by itself before the refresh: each settings round it looks at HEAD's reflog, which a
    # commit grows, and measures the branches again; a CI run at load 12 saw that happen, so
    # what the store held before is not asserted.)
    commit_file(world.mine, "one.txt", "1\n")
    head = commit_file(world.mine, "two.txt", "2\n")
    through = gitferry("status", "--refresh", "--json", "mine")
    assert through.in_engine, through.err
    assert (through.code, through.err, _main(through.out)) == (0, "", (2, 0, head))
    here = gitferry("status", "--refresh", "--json", "mine", in_process=True)
    assert not here.in_engine
    assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
    # Text, every repository (no names): the same lines either way.
    git("reset", "-q", "--hard", "HEAD~1", cwd=world.mine)
    through = gitferry("status", "--refresh")
    here = gitferry("status", "--refresh", in_process=True)
    assert through.in_engine
    assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
    assert "1 ahead" in through.out or "ahead 1" in through.out, through.out
    # A name nobody registered: the CLI's one line, exit 2.
    through = gitferry("status", "--refresh", "mine", "nope")
    here = gitferry("status", "--refresh", "mine", "nope", in_process=True)
    assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
    assert (through.code, through.err) == (2, "gitferry: no repository named 'nope' (see `gitferry list`)\n")
    # A repository that cannot be measured (its folder moved away): its line, exit 1,
    # the status of the rest printed.
    world.mine.rename(tmp_path / "away")
    try:
        through = gitferry("status", "--refresh", "--json")
        here = gitferry("status", "--refresh", "--json", in_process=True)
    finally:
        (tmp_path / "away").rename(world.mine)
    assert through.in_engine
    assert (through.code, through.out, through.err) == (here.code, here.out, here.err)
    assert through.code == 1 and through.err.startswith("gitferry: mine: repository not found at ")
    assert [r["name"] for r in json.loads(through.out)["repos"]] == ["mine", "theirs"]
