"""Where `gitferry publish` sends a branch, with git as the referee: `git push
--dry-run --porcelain` (no refspec, the branch checked out, `push.autoSetupRemote` on
as `publish` means "set the upstream") under every combination of `push.default`,
the branch's upstream, `branch.<name>.pushRemote` and `remote.pushDefault`. Where
git pushes, `publish_target` picks the same remote and remote branch; where git
refuses, it refuses with one line. (`matching` is left out: for a branch the remote
lacks, git pushes nothing and `publish` pushes the branch named.)"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from dulwich.repo import Repo

from core.errors import BadInput
from core.git.config.push_target import publish_target
from tests.gitcli import commit_file, git

DEFAULTS = [None, "simple", "current", "upstream", "tracking", "nothing"]
UPSTREAMS = [None, "feature", "other"]  # branch.feature.merge on origin
CHOICES = [None, "pushDefault", "pushRemote"]  # either names `second`


@pytest.fixture(scope="module")
def bares(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bares")
    found = {}
    for name in ("origin", "second"):
        found[name] = root / f"{name}.git"
        git("init", "-q", "--bare", str(found[name]))
    return found


def git_push_says(work: Path) -> tuple[str, str] | None:
    """(remote, remote ref) git would push to, or None when it refuses."""
    proc = subprocess.run(
        ["git", "-c", "push.autoSetupRemote=true", "push", "--dry-run", "--porcelain"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        return None
    lines = proc.stdout.splitlines()
    url = next(line.removeprefix("To ") for line in lines if line.startswith("To "))
    spec = next(line.split("\t")[1] for line in lines if line.startswith("*\t"))
    return Path(url).stem, spec.split(":")[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("default", "upstream", "choice"), list(itertools.product(DEFAULTS, UPSTREAMS, CHOICES))
)
def test_the_remote_and_name_are_the_ones_git_push_would_use(
    tmp_path: Path, bares: dict[str, Path], default: str | None, upstream: str | None, choice: str | None
) -> None:
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    commit_file(work, "a.txt", "a\n")
    git("checkout", "-q", "-b", "feature", cwd=work)
    for name, bare in bares.items():
        git("remote", "add", name, str(bare), cwd=work)
    if default is not None:
        git("config", "push.default", default, cwd=work)
    if upstream is not None:
        git("config", "branch.feature.remote", "origin", cwd=work)
        git("config", "branch.feature.merge", f"refs/heads/{upstream}", cwd=work)
    if choice == "pushDefault":
        git("config", "remote.pushDefault", "second", cwd=work)
    elif choice == "pushRemote":
        git("config", "branch.feature.pushRemote", "second", cwd=work)

    expected = git_push_says(work)
    with Repo(str(work)) as repo:
        if expected is None:
            with pytest.raises(BadInput) as refused:
                publish_target(repo, "feature")
            assert "\n" not in refused.value.message
            return
        target = publish_target(repo, "feature")
    assert (target.remote, target.merge_ref) == expected
    assert target.tracking_ref == f"refs/remotes/{expected[0]}/{expected[1].removeprefix('refs/heads/')}"


def test_the_only_remote_when_none_is_origin_and_a_named_one_wins(
    tmp_path: Path, bares: dict[str, Path]
) -> None:
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    commit_file(work, "a.txt", "a\n")
    git("remote", "add", "second", str(bares["second"]), cwd=work)
    with Repo(str(work)) as repo:
        assert publish_target(repo, "main").remote == "second"
    git("remote", "add", "third", str(bares["origin"]), cwd=work)
    with Repo(str(work)) as repo:
        with pytest.raises(BadInput, match=r"several remotes .* say which with --remote"):
            publish_target(repo, "main")
        assert publish_target(repo, "main", "third").tracking_ref == "refs/remotes/third/main"
