"""A remote with several URLs (`git remote set-url --add`: a mirror kept beside the
project): git fetches from the first and pushes to each. Gitferry read only the last:
it fetched from the mirror and pushed there alone, so the project never got the
commits and the sync said `ok`. The git CLI (`rev-parse` on each bare repository) is
the referee."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.gitcli import git
from tests.integration.clones import Clones, run


def _mirror(world: Clones, tmp_path: Path) -> Path:
    """A copy of the remote in a folder whose path has a space, added as origin's second URL."""
    mirror = tmp_path / "backup disk" / "notes.git"
    git("clone", "-q", "--bare", str(world.bare), str(mirror))
    git("remote", "set-url", "--add", "origin", mirror.as_uri(), cwd=world.mine)
    return mirror


def test_a_sync_fetches_from_the_first_url_and_pushes_to_each(world: Clones, tmp_path: Path) -> None:
    mirror = _mirror(world, tmp_path)
    world.commit(world.theirs, "b.txt", "from theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    done = (code, report["result"], report["merged"], report["pushed"])
    assert done == (0, "ok", ["main"], ["main"]), report
    head = world.head(world.mine)
    assert world.remote_head() == head  # the project, the first URL
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == head  # and the mirror
    assert git("merge-base", "--is-ancestor", world.head(world.theirs), head, cwd=world.mine) == ""


def test_a_refusal_by_the_mirror_names_it(world: Clones, tmp_path: Path) -> None:
    mirror = _mirror(world, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    git("clone", "-q", str(mirror), str(elsewhere))
    world.commit(elsewhere, "d.txt", "only on the mirror\n")
    git("push", "-q", "origin", "main", cwd=elsewhere)
    mirrored = git("--git-dir", str(mirror), "rev-parse", "refs/heads/main")
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert (code, report["result"]) == (1, "error"), report
    assert f"by {mirror.as_uri()}" in report["message"], report["message"]
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == mirrored  # never forced
    assert world.remote_head() == world.head(world.mine)  # the project took it, as with git push


def test_set_url_on_a_remote_with_several_urls_changes_nothing(world: Clones, tmp_path: Path) -> None:
    """`gitferry remote set-url` replaced both URLs with the one given: the mirror was
    dropped from the config without a word. git refuses ("has multiple values")."""
    mirror = _mirror(world, tmp_path)
    before = git("config", "--get-all", "remote.origin.url", cwd=world.mine)
    refused = subprocess.run(
        ["git", "remote", "set-url", "origin", "/elsewhere.git"],
        cwd=world.mine,
        capture_output=True,
        timeout=60,
    )
    assert refused.returncode != 0  # the referee
    code, _out, err = run(world.capsys, "remote", "set-url", "mine", "origin", str(tmp_path / "other.git"))
    assert code == 2 and "remote.origin.url has several values" in err, err
    assert git("config", "--get-all", "remote.origin.url", cwd=world.mine) == before
    assert mirror.as_uri() in before


def test_a_url_past_the_first_that_cannot_be_reached_is_a_note(world: Clones, tmp_path: Path) -> None:
    """The mirror's disk is not mounted: the project and the other URLs still get the push
    (git pushes to each URL in turn too); the sync said `not pushed: pushing to origin
    failed: …`, which was untrue of the project."""
    mirror = _mirror(world, tmp_path)
    gone = tmp_path / "unmounted" / "notes.git"
    git("remote", "set-url", "--add", "origin", str(gone), cwd=world.mine)
    world.commit(world.mine, "c.txt", "from mine\n")
    code, report = world.sync(world.mine)
    assert (code, report["result"], report["pushed"]) == (0, "ok", ["main"]), report
    assert report["message"].endswith(f"not pushed to origin's URL {gone}: no git repository at {gone}")
    head = world.head(world.mine)
    assert world.remote_head() == head
    assert git("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == head


def _git_remote_v(repo: Path) -> list[str]:
    """`git remote -v`'s lines: each name, URL and (fetch) or (push)."""
    return git("remote", "-v", cwd=repo).splitlines()


def test_show_lists_every_url_git_remote_v_lists(world: Clones, tmp_path: Path) -> None:
    mirror = _mirror(world, tmp_path)
    project = world.remote.url("origin")
    code, doc, err = run(world.capsys, "show", "mine", "--json")
    assert code == 0, err
    origin = doc["remotes"][0]
    assert origin == {
        "name": "origin",
        "url": project,
        "push_url": None,
        "urls": [project, mirror.as_uri()],
        "push_urls": [project, mirror.as_uri()],
    }
    remote_v = _git_remote_v(world.mine)  # the referee: fetched from the first, pushed to each
    assert remote_v == [f"origin\t{project} (fetch)"] + [
        f"origin\t{url} (push)" for url in origin["push_urls"]
    ]
    code, text, _err = run(world.capsys, "show", "mine")
    assert f"  remote origin: {project}\n    also pushed to: {mirror.as_uri()}\n" in text, text

    # push URLs: each pushurl is pushed to, the url's extras go unused
    git("remote", "set-url", "--push", "origin", "https://push.example/one.git", cwd=world.mine)
    git("remote", "set-url", "--add", "--push", "origin", "https://push.example/two.git", cwd=world.mine)
    code, doc, _err = run(world.capsys, "show", "mine", "--json")
    origin = doc["remotes"][0]
    assert origin["push_urls"] == ["https://push.example/one.git", "https://push.example/two.git"]
    assert origin["urls"] == [project, mirror.as_uri()]
    pushed = [
        line.split("\t")[1].removesuffix(" (push)") for line in _git_remote_v(world.mine) if "(push)" in line
    ]
    assert pushed == origin["push_urls"]
    code, text, _err = run(world.capsys, "show", "mine")
    assert (
        f"  remote origin: {project} (push: https://push.example/one.git)\n"
        "    also pushed to: https://push.example/two.git\n"
        f"    also url: {mirror.as_uri()} (unused: pushurl is set)\n"
    ) in text, text


def test_show_says_where_insteadof_and_pushinsteadof_connect(world: Clones, tmp_path: Path) -> None:
    """`url.<base>.insteadOf` and `pushInsteadOf` in the user's config: the config keeps
    `corp:notes.git`, a fetch reaches the project and a push the mirror. `show` said only
    `corp:notes.git`, and `--json`'s push_urls (where git push sends) too."""
    project = world.remote.url("origin")
    name = project.rstrip("/").rsplit("/", 1)[1]
    mirror = tmp_path / "backup disk" / name
    git("clone", "-q", "--bare", str(world.bare), str(mirror))
    git("config", f"url.{project.removesuffix(name)}.insteadOf", "corp:", cwd=world.mine)
    git("config", f"url.{mirror.parent.as_uri()}/.pushInsteadOf", "corp:", cwd=world.mine)
    git("remote", "set-url", "origin", f"corp:{name}", cwd=world.mine)
    git("commit", "-q", "--allow-empty", "-m", "to the mirror", cwd=world.mine)
    code, report = world.sync(world.mine)
    assert code == 0 and report["pushed"] == ["main"], report  # the engine pushes where git would
    assert git("--git-dir", str(mirror), "rev-parse", "main") == world.head(world.mine)

    code, doc, err = run(world.capsys, "show", "mine", "--json")
    assert code == 0, err
    origin = doc["remotes"][0]
    assert (origin["url"], origin["push_url"]) == (f"corp:{name}", None)  # as the config keeps them
    assert _git_remote_v(world.mine) == [  # the referee
        f"origin\t{origin['urls'][0]} (fetch)",
        *(f"origin\t{url} (push)" for url in origin["push_urls"]),
    ]
    assert origin["urls"] == [project] and origin["push_urls"] == [f"{mirror.parent.as_uri()}/{name}"]
    code, text, _err = run(world.capsys, "show", "mine")
    assert (
        f"  remote origin: corp:{name}\n"
        f"    fetches from: {project} (url.<base>.insteadOf)\n"
        f"    pushes to: {mirror.parent.as_uri()}/{name} (url.<base>.pushInsteadOf or insteadOf)\n"
    ) in text, text
