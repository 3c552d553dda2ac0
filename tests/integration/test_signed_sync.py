"""`gitferry sync` in a repository whose git signs commits (`commit.gpgsign`).

Real keys made by the test (a gpg key, an ssh key), `git verify-commit` and
`git log --format=%G?` as the referees. Every commit Gitferry makes (a merge, rebased
commits, an auto-commit, a keep-both merge) is signed, and every commit the sync
puts on the remote carries a good signature. When the signature cannot be made
(the signing key does not exist) the sync ends `error` with git's signer's own words
and commits nothing: refs, index and working tree as they were, the remote untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitcli import commit_file, git, refs
from tests.integration.clones import Clones, porcelain, run
from tests.signing import SigningKeys, configure, signature_marks, signing_keys, verify_commit, x509_keys

__all__ = ["signing_keys", "x509_keys"]  # the fixtures, used by name

FORMATS = ["openpgp", "ssh"]


def sign_mine(world: Clones, keys: SigningKeys, fmt: str) -> None:
    configure(world.mine, keys.settings(fmt))


def pushed_marks(world: Clones, keys: SigningKeys, before: str) -> dict[str, str]:
    """`%G?` of every commit the remote gained since `before`, checked in the remote itself."""
    assert world.remote_head() != before, "nothing was pushed"
    return signature_marks(
        world.bare, f"{before}..main", f"gpg.ssh.allowedSignersFile={keys.allowed_signers}"
    )


def unsigned_commit(clone: Path, name: str, content: str) -> str:
    """A commit made by git with signing turned off for it."""
    (clone / name).write_text(content)
    git("add", name, cwd=clone)
    git("-c", "commit.gpgsign=false", "commit", "-q", "-m", f"edit {name}", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone)


@pytest.mark.parametrize("fmt", [*FORMATS, "x509"])
def test_merge_commit_is_signed(world: Clones, request: pytest.FixtureRequest, fmt: str) -> None:
    signing_keys: SigningKeys = request.getfixturevalue("x509_keys" if fmt == "x509" else "signing_keys")
    sign_mine(world, signing_keys, fmt)
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "mine\n")  # git signs this one
    before = world.remote_head()

    code, report = world.sync(world.mine)

    assert code == 0 and report["merged"] == ["main"] and report["pushed"] == ["main"], report
    head = world.head(world.mine)
    assert len(git("rev-list", "--parents", "-1", head, cwd=world.mine).split()) == 3  # Gitferry's merge
    verify_commit(world.mine, head)
    marks = pushed_marks(world, signing_keys, before)
    assert head in marks and set(marks.values()) == {"G"}, marks


@pytest.mark.parametrize("fmt", FORMATS)
def test_rebase_re_signs_what_it_rewrites(world: Clones, signing_keys: SigningKeys, fmt: str) -> None:
    """As `git rebase` with commit.gpgsign: each replayed commit gets a new, good
    signature, even one that had none."""
    run(world.capsys, "set", "mine", "strategy", "rebase")
    sign_mine(world, signing_keys, fmt)
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    originals = [unsigned_commit(world.mine, "c.txt", "one\n"), unsigned_commit(world.mine, "d.txt", "two\n")]
    world.remember()
    before = world.remote_head()

    code, report = world.sync(world.mine)

    assert code == 0 and report["rebased"] == ["main"] and report["pushed"] == ["main"], report
    rebased = git("rev-list", "--reverse", f"{before}..HEAD", cwd=world.mine).split()
    assert len(rebased) == 2 and not set(rebased) & set(originals)
    for commit in rebased:
        verify_commit(world.mine, commit)
    assert pushed_marks(world, signing_keys, before) == dict.fromkeys(rebased, "G")


@pytest.mark.parametrize("fmt", FORMATS)
def test_auto_commit_and_keep_both_merge_are_signed(
    world: Clones, signing_keys: SigningKeys, fmt: str
) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    sign_mine(world, signing_keys, fmt)
    world.commit(world.theirs, "a.txt", "one\ntheirs\nthree\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "a.txt").write_text("one\nmine\nthree\n")  # the same line: a conflict, kept both
    before = world.remote_head()

    code, report = world.sync(world.mine)

    assert code == 0 and report["committed"] == 1 and report["pushed"] == ["main"], report
    assert [k["path"] for k in report["kept_both"]] == ["a.txt"], report
    merge = world.head(world.mine)
    auto = git("rev-parse", f"{merge}^1", cwd=world.mine)
    assert git("log", "-1", "--format=%s", auto, cwd=world.mine).startswith("Gitferry: 1 file changed on ")
    for commit in (auto, merge):
        verify_commit(world.mine, commit)
    assert pushed_marks(world, signing_keys, before) == {auto: "G", merge: "G"}
    assert porcelain(world.mine) == ""


def snapshot(world: Clones) -> tuple[dict[str, str], bytes, str, dict[str, str], str]:
    """Local refs (not the remote-tracking ones a fetch may move), the index file's bytes,
    `git status`, the working tree's files, and the remote's branch."""
    local = {name: sha for name, sha in refs(world.mine).items() if not name.startswith("refs/remotes/")}
    files = {
        str(path.relative_to(world.mine)): path.read_text()
        for path in world.mine.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(world.mine).parts
    }
    index = (world.mine / ".git" / "index").read_bytes()
    return local, index, porcelain(world.mine), files, world.remote_head()


MISSING = {
    "openpgp": (
        {"user.signingKey": "nobody@example.invalid"},
        'commit.gpgsign is set but gpg failed: skipped "nobody@example.invalid": No secret key',
    ),
    "ssh": (
        {"user.signingKey": "/nonexistent/id_ed25519"},
        "commit.gpgsign is set but ssh-keygen failed: "
        "Couldn't load public key /nonexistent/id_ed25519: No such file or directory",
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_key_stops_the_auto_commit_with_nothing_changed(
    world: Clones, signing_keys: SigningKeys, fmt: str
) -> None:
    run(world.capsys, "set", "mine", "auto_commit", "true")
    settings, said = MISSING[fmt]
    configure(world.mine, {**signing_keys.settings(fmt), **settings})
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    (world.mine / "a.txt").write_text("one\nedited\nthree\n")
    (world.mine / "new.txt").write_text("new\n")
    before = snapshot(world)

    code, report = world.sync(world.mine)

    assert code == 1 and report["result"] == "error" and report["message"] == said, report
    assert report["committed"] == 0 and report["pushed"] == []
    assert snapshot(world) == before
    code, status, _ = run(world.capsys, "status", "mine", "--json")
    assert status["repos"][0]["last_result"] == "error"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_key_stops_the_merge_with_nothing_changed(
    world: Clones, signing_keys: SigningKeys, fmt: str
) -> None:
    settings, said = MISSING[fmt]
    configure(world.mine, {**signing_keys.settings(fmt), **settings})
    world.commit(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    unsigned_commit(world.mine, "c.txt", "mine\n")
    world.remember()
    before = snapshot(world)

    code, report = world.sync(world.mine)

    assert code == 1 and report["result"] == "error" and report["message"] == said, report
    assert report["merged"] == [] and report["pushed"] == []
    assert snapshot(world) == before  # the remote too: no unsigned merge reached it


def test_without_gpgsign_nothing_is_signed(world: Clones) -> None:
    """The control: the same merge, unsigned, as git makes it."""
    commit_file(world.theirs, "b.txt", "theirs\n")
    git("push", "-q", "origin", "main", cwd=world.theirs)
    world.commit(world.mine, "c.txt", "mine\n")
    code, report = world.sync(world.mine)
    assert code == 0 and report["merged"] == ["main"], report
    assert git("log", "-1", "--format=%G?", cwd=world.mine) == "N"
    headers = git("cat-file", "-p", "HEAD", cwd=world.mine).split("\n\n", 1)[0]  # not the message:
    assert "gpgsig" not in headers  # git pull's names the remote's path, this test's name in it


@pytest.mark.parametrize("condition", ["gitdir", "hasconfig"])
def test_include_if_gitdir_in_the_users_config_gives_the_identity_and_the_signing(
    world: Clones, signing_keys: SigningKeys, clean_env: Path, condition: str
) -> None:
    """`~/.gitconfig` keeps the work identity and signing for repositories under one folder
    (`includeIf "gitdir:..."`), as people set up work and personal repositories. Before:
    the auto-commit was made by the personal identity and unsigned, and pushed: the
    user's config was read for no repository, so the condition never held."""
    included = clean_env / "work.gitconfig"
    settings = {"user.email": "work@example.invalid", **signing_keys.settings("ssh")}
    for key, value in settings.items():
        git("config", "-f", str(included), key, value)
    git("config", "-f", str(included), "user.name", "Test User")
    if condition == "gitdir":
        when = f"gitdir:{world.mine}/"
    else:  # the work remotes' URLs, as git matches them (`hasconfig:`, git 2.36)
        git(
            "remote",
            "set-url",
            "origin",
            world.remote.url("origin").replace("127.0.0.1", "localhost"),
            cwd=world.mine,
        )
        when = "hasconfig:remote.*.url:*://localhost:*/**"
    with (clean_env / ".gitconfig").open("a") as f:
        f.write(f'[includeIf "{when}"]\n\tpath = {included}\n')
    assert git("config", "user.email", cwd=world.mine) == "work@example.invalid"  # git's reading
    assert git("config", "user.email", cwd=world.theirs) == "test@example.invalid"
    run(world.capsys, "set", "mine", "auto_commit", "true")
    (world.mine / "b.txt").write_text("work\n")
    before = world.remote_head()

    code, report = world.sync(world.mine)

    assert code == 0 and report["committed"] == 1 and report["pushed"] == ["main"], report
    head = world.head(world.mine)
    assert (
        git("log", "-1", "--format=%ae %ce", head, cwd=world.mine)
        == "work@example.invalid work@example.invalid"
    )
    verify_commit(world.mine, head)
    assert pushed_marks(world, signing_keys, before) == {head: "G"}
