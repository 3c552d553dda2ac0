"""A superproject with a submodule, as people have one: two bare remotes, a colleague's clone
that added the submodule, and the user's clone made with `--recurse-submodules`."""

from __future__ import annotations

from pathlib import Path

from tests.gitcli import commit_file, git

FILE_PROTOCOL = ("-c", "protocol.file.allow=always")  # git refuses a local submodule's URL without it


def submodule_world(tmp: Path) -> tuple[Path, Path]:
    """`sub.git` (lib.txt "v1") as `deps/lib` of `top.git`: the colleague's clone (`theirs`)
    and the user's (`mine`), both at top's main."""
    sub_remote, top_remote = tmp / "sub.git", tmp / "top.git"
    for bare in (sub_remote, top_remote):
        git("init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp / "seed-sub"
    git("clone", "-q", str(sub_remote), str(seed))
    commit_file(seed, "lib.txt", "v1\n")
    git("push", "-q", "origin", "main", cwd=seed)
    theirs = tmp / "theirs"
    git("clone", "-q", str(top_remote), str(theirs))
    commit_file(theirs, "readme.txt", "one\n")
    git(*FILE_PROTOCOL, "submodule", "add", "-q", str(sub_remote), "deps/lib", cwd=theirs)
    git("commit", "-q", "-m", "the submodule", cwd=theirs)
    git("push", "-q", "origin", "main", cwd=theirs)
    mine = tmp / "mine"
    git(*FILE_PROTOCOL, "clone", "-q", "--recurse-submodules", str(top_remote), str(mine))
    return theirs, mine


def move_submodule(theirs: Path) -> None:
    """The colleague moves the submodule: a new commit (lib.txt "v2") pushed to its own
    remote and staged in the superproject, for the caller to commit and push."""
    inner = theirs / "deps" / "lib"
    git("checkout", "-q", "main", cwd=inner)
    commit_file(inner, "lib.txt", "v2\n")
    git("push", "-q", "origin", "main", cwd=inner)
    git("add", "deps/lib", cwd=theirs)
