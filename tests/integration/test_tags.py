"""Tags as git has them: clone brings all, fetch follows those pointing into what it
fetched (`remote.<name>.tagOpt` honoured), a moved remote tag never overwrites the
local one, push sends tags only as `push.followTags` asks. `git clone`, `git fetch`
and `git push --follow-tags`, side by side, are the referees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from core.git.transfer.clone import clone_repository
from tests.gitcli import commit_file, fsck, git
from tests.integration.clones import Clones
from tests.integration.test_fetch import TIMEOUT, auth_of, fetch, push_commit, seed
from tests.integration.test_push import push
from tests.servers import Remote


@pytest.fixture(params=["git_daemon", "http_server"])
def served(request: pytest.FixtureRequest) -> Remote:
    """A real `git daemon` and a smart-HTTP server on loopback."""
    remote: Remote = request.getfixturevalue(request.param)
    return remote


@pytest.fixture(params=["git_daemon", "http_server", "path_remote", "file_remote"])
def any_remote(request: pytest.FixtureRequest) -> Remote:
    """`served`, and a remote that is a local path or a `file://` URL (a backup disk): a
    README trial found a fetch from those followed no tag whose commit was already here."""
    remote: Remote = request.getfixturevalue(request.param)
    return remote


def tags_of(repo: Path) -> str:
    return git("for-each-ref", "--format=%(refname) %(objectname)", "refs/tags", cwd=repo)


def tagged_remote(remote: Remote, tmp_path: Path) -> tuple[Path, Path]:
    """main with an annotated and a lightweight tag, and a branch `side` whose tip is
    tagged too (followed only by fetches that bring `side`)."""
    bare, work = seed(remote, tmp_path, branches=("side",))
    git("tag", "-a", "-m", "first", "v1.0", cwd=work)
    push_commit(work, bare, "b.txt", "two\n")
    git("tag", "light", cwd=work)
    push_commit(work, bare, "s.txt", "side\n", "side")
    git("tag", "-a", "-m", "side", "side-1", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    git("push", "-q", str(bare), "--tags", cwd=work)
    return bare, work


def git_clone(bare: Path, target: Path) -> Path:
    git("clone", "-q", str(bare), str(target))
    return target


def test_clone_brings_every_tag_as_git_clone_does(served: Remote, tmp_path: Path) -> None:
    bare, _ = tagged_remote(served, tmp_path)
    target = tmp_path / "clone"
    result = clone_repository(served.url("origin"), target, auth=auth_of(served), timeout=TIMEOUT)
    referee = git_clone(bare, tmp_path / "referee")
    assert git("tag", "-l", cwd=target) == git("tag", "-l", cwd=referee) != ""
    assert tags_of(target) == tags_of(referee)
    assert set(result.tags) == {"refs/tags/v1.0", "refs/tags/light", "refs/tags/side-1"}
    assert git("describe", "--tags", cwd=target) == git("describe", "--tags", cwd=referee)
    assert git("describe", cwd=target) == git("describe", cwd=referee)
    fsck(target)


def test_fetch_follows_the_tags_git_fetch_follows(any_remote: Remote, tmp_path: Path) -> None:
    served = any_remote
    bare, work = tagged_remote(served, tmp_path)
    ours, referee = git_clone(bare, tmp_path / "ours"), git_clone(bare, tmp_path / "referee")
    git("remote", "set-url", "origin", served.url("origin"), cwd=ours)
    git("config", "remote.origin.fetch", "+refs/heads/main:refs/remotes/origin/main", cwd=referee)
    # new history on main with tags, an old commit tagged late, a tag on untracked side
    git("tag", "-a", "-m", "late", "late", "v1.0", cwd=work)
    push_commit(work, bare, "c.txt", "three\n")
    git("tag", "-a", "-m", "two", "v2.0", cwd=work)
    commit_file(work, "d.txt", "four\n")
    git("tag", "light-2", cwd=work)
    git("push", "-q", str(bare), "main", cwd=work)
    push_commit(work, bare, "t.txt", "side two\n", "side")
    git("tag", "-a", "-m", "side two", "side-2", cwd=work)
    git("push", "-q", str(bare), "--tags", cwd=work)

    result = fetch(ours, served)
    git("fetch", "-q", "origin", cwd=referee)
    assert tags_of(ours) == tags_of(referee)
    assert "refs/tags/side-2" not in tags_of(ours) and "refs/tags/v2.0" in tags_of(ours)
    assert set(result.tags) == {"refs/tags/v2.0", "refs/tags/light-2", "refs/tags/late"}
    assert git("describe", cwd=ours) == git("describe", cwd=referee)
    fsck(ours)


@pytest.mark.parametrize("option", ["--no-tags", "--tags"])
def test_tag_opt_is_honoured(served: Remote, tmp_path: Path, option: str) -> None:
    bare, _work = tagged_remote(served, tmp_path)
    ours = tmp_path / "ours"
    git("init", "-q", "-b", "main", str(ours))
    git("remote", "add", "origin", served.url("origin"), cwd=ours)
    git("config", "branch.main.remote", "origin", cwd=ours)
    git("config", "branch.main.merge", "refs/heads/main", cwd=ours)
    git("config", "remote.origin.tagOpt", option, cwd=ours)
    referee = tmp_path / "referee"
    git("init", "-q", "-b", "main", str(referee))
    git("remote", "add", "origin", str(bare), cwd=referee)
    git("config", "remote.origin.fetch", "+refs/heads/main:refs/remotes/origin/main", cwd=referee)
    git("config", "remote.origin.tagOpt", option, cwd=referee)

    fetch(ours, served)
    git("fetch", "-q", "origin", cwd=referee)
    assert tags_of(ours) == tags_of(referee)
    assert (tags_of(ours) == "") == (option == "--no-tags")
    fsck(ours)


def test_a_moved_remote_tag_is_not_overwritten(served: Remote, tmp_path: Path) -> None:
    bare, work = tagged_remote(served, tmp_path)
    ours = git_clone(bare, tmp_path / "ours")
    git("remote", "set-url", "origin", served.url("origin"), cwd=ours)
    before = git("rev-parse", "refs/tags/v1.0", cwd=ours)
    push_commit(work, bare, "c.txt", "three\n")
    git("tag", "-f", "-a", "-m", "moved", "v1.0", cwd=work)
    git("push", "-q", "--force", str(bare), "v1.0", cwd=work)

    result = fetch(ours, served)
    assert git("rev-parse", "refs/tags/v1.0", cwd=ours) == before
    moved = [note for note in result.notes if "v1.0" in note]
    assert len(moved) == 1 and "kept" in moved[0], result.notes
    git("fetch", "-q", "--tags", "origin", cwd=ours, check=False)  # git refuses too: unchanged
    assert git("rev-parse", "refs/tags/v1.0", cwd=ours) == before


def test_push_follow_tags_as_git_push_follow_tags(served: Remote, tmp_path: Path) -> None:
    """`push.followTags`: annotated tags into pushed history go along, lightweight ones
    and tags elsewhere do not; without it no tag goes. A twin bare remote pushed to by
    `git push --follow-tags` is the referee."""
    bare, _ = seed(served, tmp_path, branches=("side",))
    twin = tmp_path / "twin.git"
    git("clone", "-q", "--bare", str(bare), str(twin))
    ours = git_clone(bare, tmp_path / "ours")
    git("remote", "set-url", "origin", served.url("origin"), cwd=ours)
    git("checkout", "-q", "side", cwd=ours)
    commit_file(ours, "s.txt", "side\n")
    git("tag", "-a", "-m", "on side", "on-side", cwd=ours)  # not pushed: side is not
    git("checkout", "-q", "main", cwd=ours)
    commit_file(ours, "b.txt", "two\n")
    git("tag", "-a", "-m", "one", "v1.0", cwd=ours)
    git("tag", "-a", "-m", "of a tag", "v1.0-signed", "v1.0", cwd=ours)
    commit_file(ours, "c.txt", "three\n")
    git("tag", "light", cwd=ours)

    result = push(ours, served, "main")
    assert result.pushed == ["main"] and result.tags == [] and tags_of(bare) == ""
    git("config", "push.followTags", "true", cwd=ours)
    commit_file(ours, "d.txt", "four\n")
    result = push(ours, served, "main")
    git("push", "-q", "--follow-tags", str(twin), "main", cwd=ours)
    assert tags_of(bare) == tags_of(twin) != ""
    assert sorted(result.tags) == ["v1.0", "v1.0-signed"] and result.tags_rejected == {}
    assert git("rev-parse", "main", cwd=bare) == git("rev-parse", "main", cwd=ours)
    fsck(bare)


def test_sync_keeps_a_moved_tag_and_says_so(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through `gitferry sync`: new tags follow, a moved one stays and is named once in
    the report; with `push.followTags` the sync's push takes an annotated tag along."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("tag", "-a", "-m", "one", "v1.0", cwd=world.theirs)
    git("push", "-q", "origin", "v1.0", cwd=world.theirs)
    code, report = world.sync(world.mine)
    assert code == 0 and "refs/tags/v1.0" in tags_of(world.mine), report
    before = git("rev-parse", "v1.0", cwd=world.mine)
    world.commit(world.theirs, "b.txt", "two\n")
    git("tag", "-f", "-a", "-m", "moved", "v1.0", cwd=world.theirs)
    git("push", "-q", "--force", "origin", "main", "v1.0", cwd=world.theirs)
    code, report = world.sync(world.mine)
    assert git("rev-parse", "v1.0", cwd=world.mine) == before
    assert [note for note in report["notes"] if "v1.0" in note] == [
        f"tag v1.0 moved on the remote (to {git('rev-parse', 'v1.0', cwd=world.theirs)[:7]}): "
        "the local one is kept, as git fetch keeps it without --force"
    ], report
    git("config", "push.followTags", "true", cwd=world.mine)
    world.commit(world.mine, "c.txt", "three\n")
    git("tag", "-a", "-m", "mine", "v2.0", cwd=world.mine)
    git("tag", "light", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report
    remote_tags = git("--git-dir", str(world.bare), "tag", "-l")
    assert "v2.0" in remote_tags.split() and "light" not in remote_tags.split()
    world.check()


def test_a_moved_tag_is_named_once_for_each_value_the_remote_moves_it_to(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("tag", "-a", "-m", "one", "v1.0", cwd=world.theirs)
    git("push", "-q", "origin", "v1.0", cwd=world.theirs)
    world.sync(world.mine)
    before = git("rev-parse", "v1.0", cwd=world.mine)

    def theirs_moves_it(content: str) -> str:
        world.commit(world.theirs, "b.txt", content)
        git("tag", "-f", "-a", "-m", content, "v1.0", cwd=world.theirs)
        git("push", "-q", "--force", "origin", "main", "v1.0", cwd=world.theirs)
        return git("rev-parse", "v1.0", cwd=world.theirs)

    def moved_notes() -> list[str]:
        _code, report = world.sync(world.mine)
        return [note for note in report["notes"] if "v1.0" in note]

    first = theirs_moves_it("two\n")
    assert moved_notes() == [
        f"tag v1.0 moved on the remote (to {first[:7]}): the local one is kept, as git fetch keeps it"
        " without --force"
    ]
    assert moved_notes() == []  # said once: not again while the remote keeps it there
    world.commit(world.theirs, "c.txt", "three\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    assert moved_notes() == []
    second = theirs_moves_it("four\n")
    notes = moved_notes()
    assert len(notes) == 1 and f"(to {second[:7]})" in notes[0], notes  # a new value: said again
    assert moved_notes() == []
    assert git("rev-parse", "v1.0", cwd=world.mine) == before  # never moved, as git fetch keeps it
    world.check()


def test_tags_the_remote_rejects_on_push_are_in_the_sync_report(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server hook declines tags: the branch goes, each refused tag is one line of the
    report, as `git push --follow-tags` lists it `[remote rejected]`."""
    world = Clones.make(git_daemon, tmp_path, capsys)
    hook = world.bare / "hooks" / "update"
    hook.write_text('#!/bin/sh\ncase "$1" in refs/tags/*) echo "no tags here" >&2; exit 1;; esac\nexit 0\n')
    hook.chmod(0o755)
    git("config", "push.followTags", "true", cwd=world.mine)
    world.commit(world.mine, "c.txt", "three\n")
    git("tag", "-a", "-m", "mine", "v2.0", cwd=world.mine)
    git("tag", "-a", "-m", "mine too", "v2.1", cwd=world.mine)
    referee = subprocess.run(
        ["git", "push", "--follow-tags", "--dry-run", "--porcelain", "origin", "main"],
        cwd=world.mine, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "refs/tags/v2.0" in referee.stdout and "refs/tags/v2.1" in referee.stdout, referee

    code, report = world.sync(world.mine)

    assert code == 0 and report["pushed"] == ["main"], report  # the branch went: the tags are notes
    assert world.remote_head() == world.head(world.mine, "main")
    rejected = [note for note in report["notes"] if note.startswith("tag v2.")]
    assert len(rejected) == 2, report
    assert rejected[0].startswith("tag v2.0 not pushed to origin: ") and "hook declined" in rejected[0]
    assert rejected[1].startswith("tag v2.1 not pushed to origin: ")
    assert all("\n" not in note for note in rejected) and rejected[0] in report["message"]
    assert git("--git-dir", str(world.bare), "tag", "-l") == ""
    world.check()


PRUNE_SETTINGS = [  # (settings, every tag comes, tags are deleted): what git fetch does
    ([("fetch.pruneTags", "true")], True, False),
    ([("fetch.pruneTags", "true"), ("fetch.prune", "true")], True, True),
    ([("remote.origin.pruneTags", "true"), ("remote.origin.prune", "true")], True, True),
    (
        [("fetch.pruneTags", "true"), ("remote.origin.pruneTags", "false"), ("fetch.prune", "true")],
        False,
        False,
    ),
    ([("fetch.pruneTags", "yes"), ("fetch.prune", "true"), ("remote.origin.prune", "false")], True, False),
]


@pytest.mark.parametrize(("settings", "all_tags", "deleted"), PRUNE_SETTINGS)
def test_prune_tags_as_git_fetch_prunes_them(
    served: Remote, tmp_path: Path, settings: list[tuple[str, str]], all_tags: bool, deleted: bool
) -> None:
    """`pruneTags` and `prune` (the remote's own keys first, then `fetch.*`): a tag the
    remote deleted, and one made here and never pushed, go exactly where `git fetch`
    deletes them; with pruneTags every tag comes, a tag on a commit no branch has too."""
    bare, work = tagged_remote(served, tmp_path)
    ours, referee = git_clone(bare, tmp_path / "ours"), git_clone(bare, tmp_path / "referee")
    git("remote", "set-url", "origin", served.url("origin"), cwd=ours)
    for clone in (ours, referee):
        git("tag", "mine", cwd=clone)
        for key, value in settings:
            git("config", key, value, cwd=clone)
    git("--git-dir", str(bare), "tag", "-d", "light")
    git("checkout", "-q", "--detach", cwd=work)
    commit_file(work, "far.txt", "on no branch\n")
    git("tag", "far", cwd=work)
    git("push", "-q", str(bare), "far", cwd=work)

    result = fetch(ours, served)
    git("fetch", "-q", "origin", cwd=referee)
    assert tags_of(ours) == tags_of(referee)
    assert ("refs/tags/far" in tags_of(ours), "refs/tags/light" not in tags_of(ours)) == (all_tags, deleted)
    assert sorted(result.tags_pruned) == (["refs/tags/light", "refs/tags/mine"] if deleted else [])
    said = [note for note in result.notes if note.startswith("deleted")]
    assert said == (
        ["deleted tags light, mine: origin no longer has them (pruneTags, as git fetch --prune-tags)"]
        if deleted
        else []
    )
    fsck(ours)


def test_a_sync_prunes_tags_and_says_so(
    git_daemon: Remote, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = Clones.make(git_daemon, tmp_path, capsys)
    git("tag", "v1.0", cwd=world.theirs)
    git("push", "-q", "origin", "v1.0", cwd=world.theirs)
    world.sync(world.mine)
    assert "refs/tags/v1.0" in tags_of(world.mine)
    git("push", "-q", "origin", ":refs/tags/v1.0", cwd=world.theirs)
    git("config", "fetch.prune", "true", cwd=world.mine)
    git("config", "fetch.pruneTags", "true", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert (code, tags_of(world.mine)) == (0, ""), report
    assert (
        "deleted tag v1.0: origin no longer has it (pruneTags, as git fetch --prune-tags)" in report["notes"]
    )
    code, report = world.sync(world.mine)  # said once
    assert code == 0 and not [note for note in report["notes"] if "v1.0" in note], report
    world.check()
