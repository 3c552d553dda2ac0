"""Launch to first paint: the real app as a fresh process, against what a git-CLI-based
status window would run, and against the interpreter and imports the launch stands on.

The app (`python -m gui`) writes `time.time()` at the status window's first paint
showing repositories and quits (`GITFERRY_FIRST_PAINT_FILE`, gui/app.py); a sample
is that time minus the time just before `Popen`. `--before CHECKOUT` launches another
checkout's app (an older commit, `git worktree add --detach`) beside it, turn by turn.
"""

from __future__ import annotations

import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import repos
from bench.stats import Summary

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)  # a worktree has no .venv
PAINT_FILE = "GITFERRY_FIRST_PAINT_FILE"
LAUNCH_TIMEOUT = 60.0
FOR_EACH_REF = "--format=%(refname) %(upstream:track)"

APP = "gitferry app, launch to first paint"
APP_BEFORE = f"{APP} (before)"
GIT = "git for-each-ref per repository, sequential"
APP_IMPORTS = "gui.startup, PySide6.QtWidgets, gui.app"  # what the app imports before its paint, in order
IMPORTS = f"python: import {APP_IMPORTS}"
QT_ONLY = "python: import PySide6.QtWidgets"
BARE = "python: nothing"


class Launcher:
    """The app on `home`, one launch per call; also how long each launch took to exit,
    and the CPU it had spent by its first paint (every thread; when the app says, older
    ones do not). `root`: the checkout whose app is launched; `shows`: the repositories
    and branches (of the selected one) its first paint must show, when the app says
    (older ones write the time alone)."""

    def __init__(self, home: Path, root: Path = ROOT, shows: tuple[int, int] | None = None) -> None:
        self.home, self.root, self.shows = home, root, shows
        self.exits: list[float] = []
        self.cpus: list[float] = []  # CPU seconds to the first paint
        self.launched = 0
        self.aborted = 0  # painted, then died at exit (see `bool_dealloc` in bench/gui_lag.py)

    def env(self, paint_file: Path) -> dict[str, str]:
        """The app's environment: bytecode cached, as an installed package has its `.pyc`
        files (a `PYTHONDONTWRITEBYTECODE` inherited from a shell compiled every module
        on every launch; the warm-up launch writes them)."""
        env = {
            **os.environ,
            "GITFERRY_HOME": str(self.home),
            PAINT_FILE: str(paint_file),
            "PYTHONPATH": str(self.root),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def first_paint(self) -> float:
        with tempfile.TemporaryDirectory(prefix="gitferry-paint-") as tmp:
            paint_file = Path(tmp) / "painted"
            started = time.time()
            proc = subprocess.Popen(
                [str(PYTHON), "-m", "gui"],
                cwd=self.root,
                env=self.env(paint_file),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                _out, err = proc.communicate(timeout=LAUNCH_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise RuntimeError("the app neither painted nor quit in time") from None
            self.exits.append(time.time() - started)
            self.launched += 1
            if not paint_file.exists():
                raise RuntimeError(f"the app exited {proc.returncode} without a first paint: {err.decode()}")
            if proc.returncode != 0:
                if b"bool_dealloc" not in err:
                    raise RuntimeError(f"the app painted, then exited {proc.returncode}: {err.decode()}")
                self.aborted += 1
            when, *shown = paint_file.read_text().split()  # the time, what it showed, its CPU
            if shown and self.shows is not None and tuple(map(int, shown[:2])) != self.shows:
                raise RuntimeError(f"the first paint showed {shown} repositories, branches; not {self.shows}")
            if len(shown) > 2:
                self.cpus.append(float(shown[2]))
            return float(when) - started


def python_alone(code: str) -> Callable[[], float]:
    """Seconds from just before `Popen` to the end of `python -c code` (before the
    interpreter's own teardown, which the app's first paint does not wait for either)."""
    script = f"{code}\nimport time\nprint(repr(time.time()))"

    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

    def run() -> float:
        started = time.time()
        done = subprocess.run(
            [str(PYTHON), "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
            timeout=LAUNCH_TIMEOUT,
        ).stdout
        return float(done) - started

    return run


def git_status_window(locals_: list[Path]) -> Callable[[], float]:
    """What a status window built on the git CLI would run: `for-each-ref` with the
    upstream's ahead/behind, once per repository, one after the other."""
    want = len(repos.FLEET_BRANCHES)

    def run() -> float:
        started = time.time()
        for local in locals_:
            out = subprocess.run(
                ["git", "for-each-ref", FOR_EACH_REF, "refs/heads"],
                cwd=local,
                capture_output=True,
                check=True,
                timeout=LAUNCH_TIMEOUT,
            ).stdout
            if out.count(b"\n") != want:
                raise RuntimeError(f"git for-each-ref in {local.name}: {out!r}")
        return time.time() - started

    return run


def launches(
    home: Path, locals_: list[Path], runs: int, before: Path | None = None
) -> tuple[dict[str, Summary], dict[str, Launcher]]:
    """Every contender `runs` times (after one warm-up each), alternating run by run;
    `before`: another checkout's app too. The apps' launchers by name (their exits and
    CPU, the warm-up's left out)."""
    shows = (len(locals_), len(repos.FLEET_BRANCHES))
    apps = {APP: Launcher(home, shows=shows)}
    if before is not None:
        apps[APP_BEFORE] = Launcher(home, before, shows)
    contenders: dict[str, Callable[[], float]] = {name: app.first_paint for name, app in apps.items()}
    contenders |= {
        GIT: git_status_window(locals_),
        IMPORTS: python_alone(f"import {APP_IMPORTS}"),
        QT_ONLY: python_alone("import PySide6.QtWidgets"),
        BARE: python_alone(""),
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(runs + 1):
        for name, run in contenders.items():
            seconds = run()
            if round_ > 0:
                samples[name].append(seconds)
    for app in apps.values():
        app.exits, app.cpus = app.exits[1:], app.cpus[1:]
    return {name: Summary(tuple(values)) for name, values in samples.items()}, apps


def profile_launch(home: Path, top: int = 30) -> str:
    """One launch under cProfile (the app's own process), sorted by cumulative time."""
    with tempfile.TemporaryDirectory(prefix="gitferry-profile-") as tmp:
        out_file, paint_file = Path(tmp) / "launch.prof", Path(tmp) / "painted"
        subprocess.run(
            [str(PYTHON), "-m", "cProfile", "-o", str(out_file), "-m", "gui"],
            cwd=ROOT,
            env=Launcher(home).env(paint_file),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=True,
            timeout=LAUNCH_TIMEOUT,
        )
        text = io.StringIO()
        stats = pstats.Stats(str(out_file), stream=text)
        stats.strip_dirs().sort_stats("cumulative").print_stats(top)
        return text.getvalue()


def import_breakdown(top: int = 14) -> list[tuple[str, float]]:
    """Where `import gui.startup, PySide6.QtWidgets, gui.app` (what the app imports before its first
    paint) spends its time: `-X importtime`'s own time of every module, summed by
    top-level package (ms, slowest first)."""
    proc = subprocess.run(
        [str(PYTHON), "-X", "importtime", "-c", f"import {APP_IMPORTS}"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=LAUNCH_TIMEOUT,
    )
    by_package: dict[str, float] = {}
    for line in proc.stderr.decode().splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, _cumulative, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + int(own) / 1000
    ranked = sorted(by_package.items(), key=lambda row: -row[1])
    return [*ranked[:top], ("(everything else)", sum(ms for _name, ms in ranked[top:]))]
