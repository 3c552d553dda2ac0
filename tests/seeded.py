"""A bare remote seeded with commits and clones of it, as git makes them: copied from a
set git made once per process, seed and git configuration (a copy is some ten git runs
fewer: the seed's init, add, commit and push, and each clone)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from tests.gitcli import commit_file, git
from tests.servers.host import RemoteHost

Seed = tuple[tuple[str, str], ...]
TEMPLATE_URL = "template-origin-url"
_made: dict[tuple[object, ...], Path] = {}


def seeded_copies(bare: Path, url: str, seed: Seed, *clones: Path) -> None:
    """A new bare repository at `bare` (branch main, as `RemoteHost.create` makes one)
    holding one `commit_file` commit per `(path, content)` of `seed`, and `clones` of it
    whose origin's URL is `url`: what pushing the seed, `git clone` and `git remote
    set-url` leave."""
    if bare.exists():
        raise FileExistsError(bare)
    bare.parent.mkdir(parents=True, exist_ok=True)
    template = _template(seed)
    shutil.copytree(template / "origin.git", bare, symlinks=True)
    for clone in clones:
        if clone.exists() and any(clone.iterdir()):  # an empty one is taken, as git clone takes it
            raise FileExistsError(clone)  # (a test's own mount: test_disk_faults)
        shutil.copytree(template / "clone", clone, symlinks=True, dirs_exist_ok=True)
        config = clone / ".git" / "config"
        config.write_text(config.read_text().replace(TEMPLATE_URL, url))
        git("update-index", "-q", "--refresh", cwd=clone)  # the copies' new inodes and times


def _template(seed: Seed) -> Path:
    home = Path(os.environ.get("HOME", "/"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME", home / ".config"))
    configs = (home / ".gitconfig", xdg / "git" / "config")
    key = (
        seed,
        *(path.read_text() if path.is_file() else "" for path in configs),
        *sorted(f"{name}={value}" for name, value in os.environ.items() if name.startswith("GIT_")),
    )
    if key not in _made:
        template = Path(tempfile.mkdtemp(prefix="gitferry-seeded-"))
        atexit.register(shutil.rmtree, template, True)
        bare = RemoteHost(template).create("origin")
        work = template / "seed"
        git("init", "-q", "-b", "main", str(work))
        for name, content in seed:
            commit_file(work, name, content)
        git("push", "-q", str(bare), "main", cwd=work)
        git("clone", "-q", str(bare), str(template / "clone"))
        git("remote", "set-url", "origin", TEMPLATE_URL, cwd=template / "clone")
        _made[key] = template
    return _made[key]
