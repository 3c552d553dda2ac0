"""The user's and the system's git config files parsed once per version of the files
(core/git/global_config.py): what a pooled repository's stack reads is what dulwich's
own `StackedConfig.default_backends()` reads, after every kind of edit, and what
`git config` reads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from dulwich.config import ConfigFile, StackedConfig

from core.git import global_config
from core.git.global_config import config_paths, global_configs
from core.git.repository import open_worktree_repo
from tests.gitcli import git

OLD = time.time() - 3600
RACY = 0.05  # the racy window here: the real one (2 s) would make every test wait for it


def _settle(*paths: Path) -> None:
    """Modified an hour ago; changed (the inode's change time, which `utime` sets to now)
    a window ago: a parse after this is kept."""
    for path in paths:
        os.utime(path, (OLD, OLD))
    time.sleep(RACY * 1.2)


def _kept(path: Path) -> ConfigFile | None:
    kept = global_config._cache.get(str(path))
    return None if kept is None else kept.config


def _as_dulwich(configs: list[ConfigFile]) -> list[list[tuple[object, list[tuple[bytes, bytes]]]]]:
    return [[(section, list(c.items(section))) for section in c.sections()] for c in configs]


@pytest.fixture
def home(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(global_config, "RACY_SECONDS", RACY)
    gitconfig = clean_env / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = First\n\temail = first@example.invalid\n")
    _settle(gitconfig)
    return clean_env


def test_a_settled_file_is_parsed_once_and_reads_as_dulwich_does(home: Path) -> None:
    first = global_configs()
    kept = _kept(home / ".gitconfig")
    assert kept is not None and first == [kept]
    assert global_configs()[0] is kept  # not parsed again: nothing changed
    assert _as_dulwich(global_configs()) == _as_dulwich(StackedConfig.default_backends())


@pytest.mark.parametrize("same_size", [False, True])
def test_an_edit_is_seen_at_the_next_read(home: Path, same_size: bool) -> None:
    gitconfig = home / ".gitconfig"
    assert global_configs()[0].get((b"user",), b"name") == b"First"
    if same_size:  # in place, its times put back: the inode's change time still moves
        gitconfig.write_text(gitconfig.read_text().replace("First", "Other"))
        _settle(gitconfig)
    else:
        git("config", "--global", "user.name", "Second Name")  # git replaces the file
    want = b"Other" if same_size else b"Second Name"
    assert global_configs()[0].get((b"user",), b"name") == want
    assert git("config", "--global", "user.name") == want.decode()
    assert _as_dulwich(global_configs()) == _as_dulwich(StackedConfig.default_backends())


def test_a_file_just_written_is_not_kept(home: Path) -> None:
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Fresh\n")  # changed now: it could change again unseen
    assert global_configs()[0].get((b"user",), b"name") == b"Fresh"
    assert _kept(gitconfig) is None


def test_included_files_are_followed_and_watched(home: Path) -> None:
    gitconfig, extra, later = home / ".gitconfig", home / "extra.gitconfig", home / "later.gitconfig"
    extra.write_text("[user]\n\tname = Included\n")
    gitconfig.write_text(
        "[user]\n\tname = First\n[include]\n\tpath = ~/extra.gitconfig\n\tpath = ~/later.gitconfig\n"
    )
    _settle(gitconfig, extra)
    assert global_configs()[0].get((b"user",), b"name") == b"Included"
    assert _kept(gitconfig) is not None  # with the missing include remembered as missing

    extra.write_text("[user]\n\tname = Edited in the include\n")
    _settle(extra)
    assert global_configs()[0].get((b"user",), b"name") == b"Edited in the include"

    later.write_text("[user]\n\tname = Appeared\n")  # the missing include is there now
    _settle(later)
    assert global_configs()[0].get((b"user",), b"name") == b"Appeared"
    assert git("config", "--global", "--includes", "user.name") == "Appeared"
    assert _as_dulwich(global_configs()) == _as_dulwich(StackedConfig.default_backends())


def test_the_environment_chooses_the_files_as_dulwich_does(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "git").mkdir(parents=True)
    (xdg / "git" / "config").write_text("[core]\n\tautocrlf = input\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    assert config_paths() == [str(home / ".gitconfig"), str(xdg / "git" / "config")]
    assert _as_dulwich(global_configs()) == _as_dulwich(StackedConfig.default_backends())
    elsewhere = tmp_path / "global.config"
    elsewhere.write_text("[user]\n\tname = Elsewhere\n")
    system = tmp_path / "system.config"
    system.write_text("[core]\n\tfileMode = false\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(elsewhere))
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", str(system))
    assert config_paths() == [str(elsewhere), str(system)]
    assert _as_dulwich(global_configs()) == _as_dulwich(StackedConfig.default_backends())
    monkeypatch.delenv("GIT_CONFIG_SYSTEM")
    monkeypatch.delenv("GIT_CONFIG_NOSYSTEM")
    assert config_paths() == [str(elsewhere), "/etc/gitconfig"]


def test_a_stack_change_never_written_stays_with_its_caller(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(path))
    with open_worktree_repo(path) as repo:
        stack = repo.get_config_stack()
        assert stack.get((b"user",), b"name") == b"First"
        stack.backends[-1].set((b"user",), b"name", b"Changed")
        assert repo.get_config_stack().get((b"user",), b"name") == b"First"
        assert global_configs()[0].get((b"user",), b"name") == b"First"
