"""The sdist builds a wheel that installs into a fresh virtual environment and runs
there: CLI, GUI, icons.

The dependency wheels are kept in build/wheelhouse: pip installs from there
with --no-index, and fills it from the index only when something is missing
(the first run on a machine), so later runs are offline and take ~25 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitcli import commit_file, git, rev_parse

# The module's first test sets up the wheel's venv, which on a fresh machine first downloads
# every dependency (PySide6 among them) into the wheelhouse: more than the suite's 120 s
# on a loaded machine (a CI run at load 12 timed out in it), so the module has 10 minutes.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / "build" / "wheelhouse"
SOURCES = ("core", "gui", "resources", "packaging/gitferry.service", "pyproject.toml", "README.md")
BUILD_REQUIREMENT = "setuptools>=69"
TIMEOUT = 180
PIP_TIMEOUT = 540  # a download into the wheelhouse on a fresh machine


def run(
    cmd: list[str | Path],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
) -> str:
    proc = subprocess.run(
        [str(arg) for arg in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )
    if proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def pip(*args: str | Path) -> str:
    return run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args], timeout=PIP_TIMEOUT)


def pip_offline_first(args: list[str | Path], requirements: list[str | Path]) -> None:
    """Run pip against the wheelhouse only; if it lacks something, download `requirements`
    into it and run again."""
    offline: list[str | Path] = ["--no-index", "--find-links", WHEELHOUSE]
    try:
        pip(*args, *offline)
    except AssertionError:
        pip("download", "-q", "-d", WHEELHOUSE, *requirements)
        for own in WHEELHOUSE.glob("gitferry-*"):
            own.unlink()
        pip(*args, *offline)


def copy_sources(out: Path) -> Path:
    """The sources to build from, copied, so the work tree gets no build/ or egg-info."""
    source = out / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    return source


def build_sdist(source: Path, out: Path) -> Path:
    build_env = out / "build-env"
    run([sys.executable, "-m", "venv", "--without-pip", build_env])
    python = build_env / "bin" / "python"
    pip_offline_first(["--python", python, "install", "-q", BUILD_REQUIREMENT], [BUILD_REQUIREMENT])
    code = f"import setuptools.build_meta as b; b.build_sdist({str(out)!r})"
    run([python, "-c", code], cwd=source)
    (sdist,) = out.glob("gitferry-*.tar.gz")
    return sdist


def build_wheel(sdist: Path, out: Path) -> Path:
    """The wheel is built from the sdist: a file missing from the sdist fails the tests."""
    pip_offline_first(["wheel", "-q", "--no-deps", "-w", out, sdist], [BUILD_REQUIREMENT])
    (wheel,) = out.glob("gitferry-*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed: its bin directory."""
    base = tmp_path_factory.mktemp("wheel")
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(build_sdist(copy_sources(base), base), base)
    env_dir = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    python = env_dir / "bin" / "python"
    pip_offline_first(["--python", python, "install", "-q", wheel], [wheel])
    return env_dir / "bin"


def clean_env(home: Path) -> dict[str, str]:
    """What a login shell gives: no virtual environment, no PYTHONPATH."""
    return {
        "HOME": str(home),
        "GITFERRY_HOME": str(home / "gitferry"),
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }


def test_help_and_version(venv: Path, tmp_path: Path) -> None:
    env = clean_env(Path(os.environ["HOME"]))
    assert "Keep git repositories in sync" in run([venv / "gitferry", "--help"], env=env, cwd=tmp_path)
    assert run([venv / "gitferry", "--version"], env=env, cwd=tmp_path).strip() == "gitferry 0.1.0"


def test_add_and_sync_push_to_a_bare_repository(venv: Path, tmp_path: Path) -> None:
    env = clean_env(Path(os.environ["HOME"]))
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "-q", "--bare", str(remote))
    git("clone", "-q", str(remote), str(work))
    commit_file(work, "a.txt", "one\n")
    git("push", "-q", "origin", "HEAD", cwd=work)
    head = commit_file(work, "b.txt", "two\n")

    assert "added work" in run([venv / "gitferry", "add", work], env=env, cwd=tmp_path)
    run([venv / "gitferry", "sync"], env=env, cwd=tmp_path)

    assert rev_parse(remote, "main") == head
    assert '"ahead": 0' in run([venv / "gitferry", "status", "--json"], env=env, cwd=tmp_path)


def test_installed_icons_are_found(venv: Path, tmp_path: Path) -> None:
    env = clean_env(Path(os.environ["HOME"]))
    code = "from gui.resources import icon_path; print(icon_path('gitferry'))"
    found = Path(run([venv / "python", "-c", code], env=env, cwd=tmp_path).strip())
    prefix = venv.parent
    assert found == prefix / "share" / "gitferry" / "icons" / "gitferry.svg"
    for size in (16, 22, 24, 32, 48, 64, 128, 256):
        assert (prefix / f"share/icons/hicolor/{size}x{size}/apps/gitferry.png").is_file()
    assert (prefix / "share/applications/gitferry.desktop").is_file()
    assert (prefix / "share/metainfo/io.gitferry.Gitferry.metainfo.xml").is_file()
    assert (prefix / "share/systemd/user/gitferry.service").is_file()


def test_gui_starts_paints_and_quits(venv: Path, tmp_path: Path) -> None:
    """`gitferry` alone starts the desktop app: with $GITFERRY_FIRST_PAINT_FILE set it
    records its first paint of a repository and quits once its engine has started."""
    env = clean_env(Path(os.environ["HOME"]))
    work = tmp_path / "work"
    git("init", "-q", str(work))
    commit_file(work, "a.txt", "one\n")
    run([venv / "gitferry", "add", work], env=env, cwd=tmp_path)
    painted = tmp_path / "painted"
    run([venv / "gitferry"], env={**env, "GITFERRY_FIRST_PAINT_FILE": str(painted)}, cwd=tmp_path)
    when, repos, _branches, _cpu = painted.read_text().split()  # the probe: time, what it showed, CPU
    assert float(when) > 0 and repos == "1"
