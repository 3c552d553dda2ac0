"""git's own pull settings as input: a repository whose git says `pull.rebase = true`
(or `branch.<name>.rebase`, or `pull.ff = only`) integrates a diverged branch as `git pull`
would, read at each sync (the default `strategy = git`): set before `add` or after, as
people do after cloning. An explicit `gitferry set NAME strategy ...` wins. `git log
--graph`, `git rev-list --merges` and `git pull` itself are the referees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.gitcli import git
from tests.integration.clones import Clones, porcelain, run


def _third(world: Clones, tmp_path: Path, *config: tuple[str, str]) -> tuple[Path, str]:
    """A third clone, with `config` set before `gitferry add`, and what the add printed."""
    third = tmp_path / "third"
    git("clone", "-q", world.remote.url("origin"), str(third))
    for key, value in config:
        git("config", key, value, cwd=third)
    code, out, err = run(world.capsys, "add", str(third))
    assert code == 0, err
    world.remember()
    return third, out


def _diverge(world: Clones, third: Path) -> None:
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(third, "c.txt", "from third\n")


@pytest.mark.parametrize(
    "config",
    [[("pull.rebase", "true")], [("pull.rebase", "false"), ("branch.main.rebase", "merges")]],
)
def test_pull_rebase_makes_a_linear_history(
    world: Clones, tmp_path: Path, config: list[tuple[str, str]]
) -> None:
    third, said = _third(world, tmp_path, *config)
    key, value = config[-1]
    assert said.endswith(
        f"  diverged branches: rebase, as git pull does here ({key}={value}), read at each sync; "
        "gitferry set third strategy merge to choose otherwise\n"
    ), said
    _diverge(world, third)
    code, doc, err = run(world.capsys, "sync", "third", "--json")
    report = doc["repos"][0]
    assert (code, report["result"], report["rebased"], report["pushed"]) == (0, "ok", ["main"], ["main"]), err
    assert git("rev-list", "--merges", "main", cwd=third) == ""
    assert world.remote_head() == world.head(third)
    assert git("rev-parse", "main~1", cwd=third) == world.head(world.theirs)  # replayed on top of theirs


def test_pull_ff_only_changes_nothing_when_diverged(world: Clones, tmp_path: Path) -> None:
    third, said = _third(
        world, tmp_path, ("pull.ff", "only"), ("pull.rebase", "true")
    )  # ff-only wins, as in git
    assert "diverged branches: ff-only, as git pull does here (pull.ff=only)" in said
    _diverge(world, third)
    before, remote = world.head(third), world.remote_head()
    code, doc, _err = run(world.capsys, "sync", "third", "--json")
    assert (code, doc["repos"][0]["result"]) == (1, "diverged")
    assert (world.head(third), world.remote_head()) == (before, remote)
    done = subprocess.run(["git", "pull"], cwd=third, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "Not possible to fast-forward" in done.stderr, done.stderr  # git agrees


def test_no_pull_setting_merges_and_says_nothing(world: Clones, tmp_path: Path) -> None:
    third, said = _third(world, tmp_path)
    assert "diverged branches" not in said
    code, text, _err = run(world.capsys, "show", "third")
    assert code == 0 and "  strategy = git (now: merge, no pull setting in git)\n" in text, text
    third.rename(tmp_path / "moved")  # nothing to read: the setting alone
    code, doc, _err = run(world.capsys, "show", "third", "--json")
    assert (code, doc["strategy"]) == (0, {"setting": "git", "in_effect": None, "from": None})
    code, text, _err = run(world.capsys, "show", "third")
    assert code == 0 and "  strategy = git\n" in text, text


def _linear(repo: Path) -> bool:
    """`git log --graph` draws one line: no merge commit anywhere in the branch's history."""
    graph = git("log", "--graph", "--format=%h", "main", cwd=repo).splitlines()
    merges = git("rev-list", "--merges", "main", cwd=repo)
    return all(line.startswith("* ") for line in graph) and merges == ""


def test_pull_rebase_set_after_add_is_followed_at_the_next_sync(world: Clones, tmp_path: Path) -> None:
    """The common case: `git config pull.rebase true` after the repository was registered."""
    third, _said = _third(world, tmp_path)
    git("config", "pull.rebase", "true", cwd=third)
    code, doc, _err = run(world.capsys, "show", "third", "--json")
    assert doc["strategy"] == {"setting": "git", "in_effect": "rebase", "from": "pull.rebase=true"}
    code, text, _err = run(world.capsys, "show", "third")
    assert "  strategy = git (now: rebase, pull.rebase=true)\n" in text, text
    _diverge(world, third)
    code, doc, err = run(world.capsys, "sync", "third", "--json")
    report = doc["repos"][0]
    assert (code, report["result"], report["rebased"], report["pushed"]) == (0, "ok", ["main"], ["main"]), err
    assert _linear(third) and world.remote_head() == world.head(third)
    assert git("rev-parse", "main~1", cwd=third) == world.head(world.theirs)  # replayed on top of theirs


def test_an_explicit_strategy_wins_over_git(world: Clones, tmp_path: Path) -> None:
    third, _said = _third(world, tmp_path, ("pull.rebase", "true"))
    code, _out, err = run(world.capsys, "set", "third", "strategy", "merge")
    assert code == 0, err
    code, doc, _err = run(world.capsys, "show", "third", "--json")
    assert doc["strategy"] == {"setting": "merge", "in_effect": "merge", "from": "set in Gitferry"}
    code, text, _err = run(world.capsys, "show", "third")
    assert "  strategy = merge (set in Gitferry)\n" in text, text
    _diverge(world, third)
    code, doc, err = run(world.capsys, "sync", "third", "--json")
    report = doc["repos"][0]
    assert (code, report["result"], report["merged"]) == (0, "ok", ["main"]), err
    merges = git("rev-list", "--merges", "main", cwd=third).split()
    assert len(merges) == 1 and world.remote_head() == merges[0] == world.head(third)
    code, _out, err = run(world.capsys, "set", "third", "strategy", "git")  # back to following git
    assert code == 0, err
    code, text, _err = run(world.capsys, "show", "third")
    assert "  strategy = git (now: rebase, pull.rebase=true)\n" in text, text


def _behind(
    world: Clones,
    tmp_path: Path,
    config: list[tuple[str, str]],
    change: tuple[str, str] = ("b.txt", "from theirs\n"),
) -> tuple[Path, Path]:
    """`third` (registered) and its twin `fourth` (git's), both with `config`, both behind
    the remote by one commit from `theirs` (`change`: the file it writes)."""
    third, _said = _third(world, tmp_path, *config)
    fourth = tmp_path / "fourth"
    git("clone", "-q", world.remote.url("origin"), str(fourth))
    for key, value in config:
        git("config", key, value, cwd=fourth)
    world.commit(world.theirs, *change)
    git("push", "-q", "origin", "main", cwd=world.theirs)
    return third, fourth


def _pulled(twin: Path) -> tuple[str, str, int]:
    """What `git pull` made in the twin: HEAD's message, tree and number of parents."""
    git("pull", "-q", cwd=twin)
    return _made(twin)


def _made(repo: Path) -> tuple[str, str, int]:
    message, tree, parents = git("log", "-1", "--format=%B%x00%T%x00%P", cwd=repo).split("\0")
    return message.strip(), tree, len(parents.split())


@pytest.mark.parametrize(
    ("config", "merges"),
    [
        ([("merge.ff", "false")], True),
        ([("pull.ff", "false")], True),
        ([("merge.ff", "false"), ("pull.ff", "true")], False),  # pull.ff wins
        ([("merge.ff", "false"), ("pull.rebase", "true")], False),  # a rebasing pull fast-forwards
        ([("merge.ff", "only")], False),
    ],
)
def test_a_branch_only_behind_gets_the_merge_commit_git_pull_makes(
    world: Clones, tmp_path: Path, config: list[tuple[str, str]], merges: bool
) -> None:
    third, fourth = _behind(world, tmp_path, config)
    before, upstream = world.head(third), world.remote_head()
    code, report = world.sync(third)
    assert code == 0 and report["result"] == "ok", report
    assert _made(third) == _pulled(fourth)  # git pull's message (its URL), tree, parents
    if merges:
        assert report["merged"] == ["main"] and report["pushed"] == ["main"], report
        assert git("rev-parse", "HEAD^1", "HEAD^2", cwd=third).split() == [before, upstream]
        assert world.remote_head() == world.head(third)
        assert _made(third)[0] == f"Merge branch 'main' of {world.remote.url('origin').removesuffix('.git')}"
    else:
        assert report["fast_forwarded"] == ["main"] and world.head(third) == upstream == world.head(fourth)


def test_an_unattended_sync_fast_forwards_despite_merge_ff_false(world: Clones, tmp_path: Path) -> None:
    """Two machines syncing by themselves would hand each other a merge commit at every turn."""
    third, _fourth = _behind(world, tmp_path, [("merge.ff", "false")])
    code, report = world.background(third)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert world.head(third) == world.remote_head()


def test_merge_ff_only_refuses_a_diverged_branch_as_git_pull_does(world: Clones, tmp_path: Path) -> None:
    third, said = _third(world, tmp_path, ("merge.ff", "only"))
    assert "diverged branches: ff-only, as git pull does here (merge.ff=only)" in said
    _diverge(world, third)
    before = world.head(third)
    code, doc, _err = run(world.capsys, "sync", "third", "--json")
    assert (code, doc["repos"][0]["result"], world.head(third)) == (1, "diverged", before)
    done = subprocess.run(
        ["git", "pull", "--no-rebase"], cwd=third, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "Not possible to fast-forward" in done.stderr, done.stderr  # git agrees


def _edited_behind(
    world: Clones, tmp_path: Path, config: list[tuple[str, str]], path: str
) -> tuple[Path, Path]:
    """`_behind` (theirs changed a.txt's first line), with the same uncommitted edit to
    `path` in both clones."""
    third, fourth = _behind(world, tmp_path, config, ("a.txt", "ONE\ntwo\nthree\n"))
    for clone in (third, fourth):
        (clone / path).write_text("one\ntwo\nTHREE\n" if path == "a.txt" else "mine\n")
    return third, fourth


def _git_pull(twin: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "pull"], cwd=twin, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("config", [[("pull.rebase", "false")], [("pull.rebase", "true")]])
def test_local_edits_outside_the_change_stay_and_the_branch_moves(
    world: Clones, tmp_path: Path, config: list[tuple[str, str]]
) -> None:
    """An edit to a file the upstream did not change: the merging pull goes on, as git's
    does (same HEAD, same files); the rebasing one too, where git refuses any dirty tree
    (`cannot pull with rebase`): the edit is kept either way."""
    world.commit(world.theirs, "other.txt", "other\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    third, fourth = _edited_behind(world, tmp_path, config, "other.txt")
    code, report = world.sync(third)
    assert code == 0 and report["fast_forwarded"] == ["main"], report
    assert (third / "other.txt").read_text() == "mine\n" and world.head(third) == world.remote_head()
    done = _git_pull(fourth)
    if config == [("pull.rebase", "true")]:
        assert done.returncode != 0 and "cannot pull with rebase" in done.stderr, done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert world.head(fourth) == world.head(third) and porcelain(fourth) == porcelain(third)
        assert (fourth / "a.txt").read_text() == (third / "a.txt").read_text()


def test_a_rebasing_pull_reads_rebase_autostash_not_merge_autostash(world: Clones, tmp_path: Path) -> None:
    """An uncommitted edit to a file the upstream changed: `dirty`, nothing changed, as
    `git pull --rebase` refuses it where `rebase.autoStash` is not set (`merge.autoStash` is
    the merging pull's). With it set, see test_autostash."""
    config = [("pull.rebase", "true"), ("merge.autoStash", "true")]
    third, _fourth = _edited_behind(world, tmp_path, config, "a.txt")
    before = world.head(third)
    code, report = world.sync(third)
    assert (code, report["result"], report["dirty"], world.head(third)) == (1, "dirty", ["a.txt"], before), (
        report
    )
    assert (third / "a.txt").read_text() == "one\ntwo\nTHREE\n"
    assert report["message"] == (
        "local changes would be overwritten: a.txt; commit or stash the changes (git status lists them), "
        "then sync again"
    ), report
