"""Screenshots of the Conflicts and History tabs for the README, in a light and a dark
palette: `make screenshots` (under Xvfb), after docs/screenshots.py.

A throwaway GITFERRY_HOME and HOME; two clones of a `git daemon` remote change
`notes.md` (text) and `cover.png` (binary) on both sides; the app's own sync stops
on the conflict, the window shows it; then theirs for the text, keep both for the
image, Finish, and the History tab shows what came in and went out.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from core.api import Api  # noqa: E402
from docs.screenshots import in_scratch_home, save  # noqa: E402
from gui.desktop import Desktop  # noqa: E402
from gui.widgets.conflicts_panel import ConflictsPanel  # noqa: E402
from gui.widgets.palette_colors import dark_palette  # noqa: E402
from tests.gitcli import git  # noqa: E402
from tests.gui.waiting import until  # noqa: E402
from tests.servers import GitDaemon  # noqa: E402

BASE = "# Trip notes\n\nDay 1: arrive in Lyon.\nDay 2: the old town.\nDay 3: train to Annecy.\n"
MINE = BASE.replace("Lyon.", "Lyon, late.").replace("old town.", "old town and the museum.")
THEIRS = BASE.replace("old town.", "old town, then the river walk.").replace("train to", "bus to")


def image(size: int) -> bytes:
    return b"\x89PNG\0" + os.urandom(size)


def commit(repo: Path, files: dict[str, bytes], message: str) -> None:
    for name, data in files.items():
        (repo / name).write_bytes(data)
        git("add", name, cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo)


def stopped_on_conflict(daemon: GitDaemon, work: Path) -> tuple[Path, Path]:
    daemon.host.create("trip")
    url = daemon.host.url("trip")
    mine, theirs = work / "trip", work / "trip-laptop"
    git("clone", "-q", url, str(theirs), cwd=work)
    commit(theirs, {"notes.md": BASE.encode(), "cover.png": image(40_000)}, "Start the notes")
    git("push", "-q", "origin", "main", cwd=theirs)
    git("clone", "-q", url, str(mine), cwd=work)
    commit(theirs, {"notes.md": THEIRS.encode(), "cover.png": image(52_000)}, "River walk")
    git("push", "-q", "origin", "main", cwd=theirs)
    commit(mine, {"notes.md": MINE.encode(), "cover.png": image(61_000)}, "The museum")
    return mine, theirs


def select(panel: ConflictsPanel, path: str) -> None:
    proxy = panel.table.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == path:
            panel.table.selectRow(row)


async def take(work: Path, daemon: GitDaemon, app: QApplication) -> None:
    mine, _theirs = stopped_on_conflict(daemon, work)
    api = await Api.open()
    record = await api.add_repository(str(mine))
    desktop = Desktop(api, open_folder=lambda _path: None)
    light = app.palette()
    try:
        await desktop.start(show_window=True)
        window, panel = desktop.window, desktop.window.conflicts_panel
        window.resize(1300, 760)
        window.select_repo(record.id)
        await api.sync(record.id)
        await asyncio.wait_for(
            until(lambda: panel.resolution is not None and len(panel.resolution.paths) == 2), 30
        )
        window.tabs.setCurrentIndex(1)
        for palette, suffix in ((light, ""), (dark_palette(), "-dark")):
            app.setPalette(palette)
            select(panel, "notes.md")
            await save(window, f"conflicts-text{suffix}.png")
            select(panel, "cover.png")
            await save(window, f"conflicts-binary{suffix}.png")
        app.setPalette(light)
        select(panel, "notes.md")
        panel.use_theirs.click()
        await asyncio.wait_for(
            until(lambda: panel.resolution is not None and len(panel.resolution.unresolved) == 1), 30
        )
        select(panel, "cover.png")
        panel.keep_both.click()
        await asyncio.wait_for(
            until(lambda: panel.resolution is not None and not panel.resolution.unresolved), 30
        )
        panel.finish.click()
        await asyncio.wait_for(until(lambda: not window.conflicts.rows), 60)
        history = window.history_panel
        await asyncio.wait_for(until(lambda: any(e.kind == "resolve" for e in history.entries)), 30)
        # the History tab's page (a LazyPage) holds the panel: indexOf(history) is -1
        tab = next(i for i in range(window.tabs.count()) if window.tabs.widget(i).isAncestorOf(history))
        window.tabs.setCurrentIndex(tab)
        await asyncio.sleep(1)  # the sync after Finish reloads the history once more
        for palette, suffix in ((light, ""), (dark_palette(), "-dark")):
            app.setPalette(palette)
            history.tree.expandAll()
            await save(window, f"history{suffix}.png")
        app.setPalette(light)
    finally:
        await desktop.stop()
        await api.close()


def main() -> None:
    def shoot(work: Path, daemon: GitDaemon, app: QApplication) -> Coroutine[Any, Any, None]:
        app.setStyle("Fusion")
        return take(work, daemon, app)

    in_scratch_home(shoot)


if __name__ == "__main__":
    main()
