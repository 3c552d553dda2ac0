"""watchdog's "Callback with id … already exists" warning, met when a watched directory is
removed and re-created quickly, does not reach stderr, and the watch still reports changes
there (watchdog's real inotify observer on a real directory); warnings of other modules,
the same words too, and Python's `warnings.showwarning` are left as they are."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A daemon of its own: pytest records warnings itself and would hide where they go. The
# race (a directory's IN_CREATE read after it was watched already) is made deterministic by
# handing watchdog's watch group that event, as the kernel delivers it, once the walk of the
# tree has watched the directory.
CHILD = textwrap.dedent(
    """
    import logging, os, sys, threading, warnings
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(name)s %(levelname)s %(message)s")
    from watchdog.observers.inotify_c import InotifyConstants, InotifyEvent
    from core.platform.tree_watch import TreeWatch

    root = sys.argv[1]
    os.makedirs(os.path.join(root, "backup"))
    seen = threading.Event()
    watch = TreeWatch()
    watch.watch(root, lambda paths: "backup/after.txt" in paths and seen.set())
    (emitter,) = watch._running_observer().emitters
    group = emitter._inotify
    root_wd = group._active_callbacks_by_path[os.fsencode(root)]
    created = InotifyConstants.IN_CREATE | InotifyConstants.IN_ISDIR
    group.on_event(InotifyEvent(root_wd, created, 0, b"backup"))
    with open(os.path.join(root, "backup", "after.txt"), "w") as after:
        after.write("x")
    print("seen" if seen.wait(10) else "not seen")
    print("showwarning", warnings.showwarning.__module__)
    warnings.warn("Callback with id '1' already exists for watch Watch(wd=1", RuntimeWarning)
    watch.stop()
    """
)


def test_watchdogs_rewatch_warning_goes_to_the_debug_log_and_the_watch_stands(tmp_path: Path) -> None:
    script = tmp_path / "daemon.py"
    script.write_text(CHILD)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "tree")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "seen" in done.stdout.splitlines(), done.stdout
    assert "showwarning warnings" in done.stdout.splitlines(), done.stdout  # Python's own, not replaced
    # Only that warning from watchdog: the same words warned elsewhere still reach stderr.
    warned = [line for line in done.stderr.splitlines() if ": RuntimeWarning: " in line]
    assert len(warned) == 1 and warned[0].startswith(f"{script}:"), done.stderr
