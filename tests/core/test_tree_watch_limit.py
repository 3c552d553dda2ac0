"""inotify's watch limit reached part-way through a tree, for real: the watcher runs in a
user namespace of its own (`unshare -U -r`), whose limit (`/proc/sys/user/max_inotify_watches`,
per namespace) is lowered for it alone, so nothing else on the machine feels it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitcli import git

HELD = """
def held():
    count = 0
    for fd in os.listdir("/proc/self/fdinfo"):
        try:
            with open(f"/proc/self/fdinfo/{fd}") as info:
                count += info.read().count("inotify wd:")
        except OSError:
            pass
    return count
"""

CHILD = (
    """
import json, os, sys
from core.platform.tree_watch import TreeWatch, CannotWatch
"""
    + HELD
    + """
watch = TreeWatch()
said = {}
for root in sys.argv[1:]:
    try:
        watch.watch(root, lambda paths: None)
        said[root] = "watched"
    except CannotWatch as exc:
        said[root] = str(exc)
print(json.dumps({"said": said, "held": held()}))
watch.stop()
"""
)


def limited(limit: int, *roots: Path, child: str = CHILD) -> dict[str, object]:
    """Run `child` (by default: watch `roots` in turn, saying what each said and how many
    watches the process held after) with inotify's watch limit at `limit`."""
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        pytest.skip("needs Linux user namespaces (unshare)")
    probe = subprocess.run(["unshare", "-U", "-r", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces not allowed here: {probe.stderr.decode().strip()}")
    root_dir = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root_dir}
    script = f'echo {limit} > /proc/sys/user/max_inotify_watches && exec "$0" -c "$@"'
    args = ["unshare", "-U", "-r", "sh", "-c", script, sys.executable, child, *map(str, roots)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def tree(path: Path, directories: int) -> Path:
    for n in range(directories):
        (path / f"d{n}").mkdir(parents=True)
        (path / f"d{n}" / "note.md").write_text(f"{n}\n")
    return path


def test_a_tree_past_the_watch_limit_is_not_watched_in_part(tmp_path: Path) -> None:
    """watchdog watched the first 50 of its 80 directories and said nothing: a save in the
    other 30 woke nothing, and the small tree after it found no watch left. Now the large
    one says it cannot be watched (auto mode scans it) and gives its watches back."""
    large, small = tree(tmp_path / "large", 80), tree(tmp_path / "small", 3)
    outcome = limited(50, large, small)
    said = outcome["said"]
    assert isinstance(said, dict)
    assert "the inotify watch limit is reached" in said[str(large)]
    assert "max_user_watches" in said[str(large)]
    assert said[str(small)] == "watched"
    assert outcome["held"] == 4  # the small tree's root and its 3 directories, no more


def test_a_tree_within_the_limit_is_watched(tmp_path: Path) -> None:
    outcome = limited(50, tree(tmp_path / "t", 20))
    assert outcome == {"said": {str(tmp_path / "t"): "watched"}, "held": 21}


AUTO_CHILD = (
    """
import asyncio, json, os, sys, time
from core.engine.auto_sync import AutoSync
from core.engine.auto_watch import AutoWatch
from core.engine.clock import SystemClock
from core.offload import Offload
"""
    + HELD
    + """
async def main(root):
    auto = AutoSync(SystemClock(), lambda *_args: None)
    auto.add(1)
    offload = Offload()
    watch = AutoWatch(offload, auto)
    await watch.watch(1, root)
    before = dict(watch.fallbacks)
    for n in range(60):
        os.makedirs(os.path.join(root, f"new{n}"))
    deadline = time.monotonic() + 60
    while 1 not in watch.fallbacks and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    while held() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    print(json.dumps({"before": before, "after": watch.fallbacks.get(1), "held": held()}))
    watch.close()
    offload.shutdown()

asyncio.run(main(sys.argv[1]))
"""
)


def test_a_watched_tree_whose_new_directories_find_no_watch_left_is_scanned(tmp_path: Path) -> None:
    """A tree within the limit, then 60 directories made in it (a folder copied in): watchdog
    watched what it could of them and said nothing, so a save in the others woke nothing.
    Now the tree is scanned from then on, its watches given back."""
    notes = tree(tmp_path / "notes", 3)
    git("init", "-q", "-b", "main", str(notes))
    outcome = limited(50, notes, child=AUTO_CHILD)
    assert outcome["before"] == {}  # watched at first: it fitted
    assert "the inotify watch limit is reached" in str(outcome["after"])
    assert outcome["held"] == 0
