"""The windows in German, to see that German's longer texts fit (`make screenshots` takes
them at 1x; run it again with QT_SCALE_FACTOR=2 for 2x).

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/german_screenshots.py OUT_DIR

Writes into OUT_DIR: the status window and its history tab, the settings dialog's two
tabs, the clone, add-folder, start-syncing and sign-in dialogs and the first-run panel
(the README's docs/status-window-de.png is OUT_DIR's status-window.png at 1x). Two real
repositories whose remotes are served by `git daemon` on loopback, one with an https
remote so the settings show a sign-in row, as in docs/screenshots.py.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from PySide6.QtCore import QLocale
from screenshots import in_scratch_home, make_repo, save  # docs/screenshots.py: puts the project on the path

from core.api import Api, SignInRequest
from gui.desktop import Desktop
from gui.windows.add_folder_dialog import AddFolderDialog
from gui.windows.clone_dialog import CloneDialog
from gui.windows.settings_dialog import SYNC_TAB, SettingsDialog
from gui.windows.sign_in_dialog import SignInDialog
from gui.windows.start_syncing_dialog import StartSyncingDialog
from gui.windows.status_window import StatusWindow
from tests.gitcli import git
from tests.servers import GitDaemon


async def take(work: Path, daemon: GitDaemon, out: Path) -> None:
    notes = make_repo(daemon, work, "notes", {"main": (2, 0), "drafts": (0, 3), "ideas": (1, 1)})
    thesis = make_repo(daemon, work, "thesis", {"main": (0, 0), "chapter-3": (4, 0)})
    git("remote", "add", "backup", "https://git.example.org/alice/thesis.git", cwd=thesis)
    api = await Api.open()
    records = {repo.name: await api.add_repository(str(repo)) for repo in (notes, thesis)}
    desktop = Desktop(api, open_folder=lambda _path: None)
    try:
        await desktop.start(show_window=True)
        engine = api.daemon.engine
        assert engine is not None
        await engine.fetch(records["notes"].id)
        desktop.window.resize(1180, 560)
        desktop.window.select_repo(records["notes"].id)
        await save(desktop.window, "status-window.png", out)
        settings = SettingsDialog(api, desktop.window)
        await settings.load()
        settings.select_repo("thesis")
        settings.show()
        await asyncio.sleep(0.5)  # the selected repository's settings are read
        await save(settings, "settings-remotes.png", out)
        settings.tabs.setCurrentIndex(SYNC_TAB)
        await save(settings, "settings-sync.png", out)
        settings.done(0)
        clone = CloneDialog(api, desktop.window)
        clone.show()
        await save(clone, "clone-dialog.png", out)
        clone.close()
        for dialog, name in (
            (AddFolderDialog(api, desktop.window), "add-folder-dialog.png"),
            (StartSyncingDialog(api, desktop.window), "start-syncing-dialog.png"),
            (
                SignInDialog(
                    SignInRequest("backup", "https://git.example.org/alice/thesis.git", "alice", refused=True)
                ),
                "sign-in-dialog.png",
            ),
        ):
            dialog.show()
            await save(dialog, name, out)
            dialog.close()
        empty = StatusWindow()
        empty.show_repos([], {}, {})
        empty.resize(900, 520)
        empty.show()
        await save(empty, "first-run.png", out)
        empty.close()
        desktop.window.tabs.setCurrentIndex(3)  # history
        await save(desktop.window, "history.png", out)
    finally:
        await desktop.stop()
        await api.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gitferry-de").resolve()
    out.mkdir(parents=True, exist_ok=True)
    in_scratch_home(lambda work, daemon, _app: take(work, daemon, out), QLocale("de_DE"))


if __name__ == "__main__":
    main()
