"""The sdist builds a wheel that installs into a fresh virtual environment and runs
there: CLI, GUI, icons.

The wheel's dependencies are not downloaded: the environment running the tests has them
installed from the same pins (the project's .venv), and the wheel's venv sees those it
declares, and theirs, through a directory of links on its path (`linked_dependencies`).
pip installs the wheel with --no-index, so each pin must be met by what is there. The
build requirement (setuptools) is kept in build/wheelhouse, filled from the index only
when missing (the first run on a machine, about 1 MB).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import BytesParser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.gitcli import commit_file, git, rev_parse

# The module's first test builds the sdist and the wheel and sets up the wheel's venv: more
# than the suite's 120 s on a loaded machine, so the module has 10 minutes.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / "build" / "wheelhouse"
SOURCES = ("core", "gui", "resources", "packaging/gitferry.service", "pyproject.toml", "README.md")
BUILD_REQUIREMENT = "setuptools>=69"
TIMEOUT = 180
PIP_TIMEOUT = 540  # the build requirement's download into the wheelhouse on a fresh machine


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


def build_env(out: Path) -> Path:
    """A venv with the build requirement (setuptools) installed: its python."""
    env_dir = out / "build-env"
    run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    python = env_dir / "bin" / "python"
    pip_offline_first(["--python", python, "install", "-q", BUILD_REQUIREMENT], [BUILD_REQUIREMENT])
    return python


def build_sdist(source: Path, out: Path, python: Path) -> Path:
    code = f"import setuptools.build_meta as b; b.build_sdist({str(out)!r})"
    run([python, "-c", code], cwd=source)
    (sdist,) = out.glob("gitferry-*.tar.gz")
    return sdist


def build_wheel(sdist: Path, out: Path, python: Path) -> Path:
    """The wheel is built from the sdist, by pip as an installer does, in the build venv
    (`python`): a file missing from the sdist fails the tests."""
    pip(
        "--python", python, "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation", "-w", out, sdist
    )
    (wheel,) = out.glob("gitferry-*.whl")
    return wheel


def declared(requires: list[str], extras: frozenset[str]) -> list[Requirement]:
    """The requirements among `requires` that hold here, for the distribution installed
    with `extras` (none: only the unconditional ones and those of this platform)."""
    wanted = [Requirement(text) for text in requires]
    return [
        req
        for req in wanted
        if req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in {"", *extras})
    ]


def linked_dependencies(wheel: Path, out: Path) -> Path:
    """Every distribution the wheel requires, and each of theirs, as the environment running
    the tests has it installed: its top-level files and dist-info linked into `out`. Only
    what the wheel declares is there, as in a fresh install from the index: a dependency it
    fails to declare is missing in its venv."""
    out.mkdir()
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        requires = BytesParser().parsebytes(archive.read(name)).get_all("Requires-Dist") or []
    pending, done = declared(requires, frozenset()), set[tuple[str, frozenset[str]]]()
    while pending:
        req = pending.pop()
        dist = metadata.distribution(req.name)
        key = (dist.metadata["Name"].lower(), frozenset(req.extras))
        if key in done:
            continue
        done.add(key)
        for top in {Path(file).parts[0] for file in dist.files or []} - {"..", "__pycache__"}:
            link = out / top
            if not link.exists():
                link.symlink_to(dist.locate_file(top))
        pending += declared(dist.requires or [], frozenset(req.extras))
    return out


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed: its bin directory. Its
    dependencies are those the running environment has (`linked_dependencies`), on its
    path by a .pth file; pip checks the wheel's pins against them, with no index."""
    base = tmp_path_factory.mktemp("wheel")
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    python = build_env(base)
    wheel = build_wheel(build_sdist(copy_sources(base), base, python), base, python)
    env_dir = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", env_dir])
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    (site / "dependencies.pth").write_text(f"{linked_dependencies(wheel, base / 'dependencies')}\n")
    pip("--python", env_dir / "bin" / "python", "install", "-q", "--no-index", wheel)
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
