"""A German user's trial: a git:// remote given an http:// URL in the settings and saved
said "Zugangsdaten: keine nötig" under its new credentials row (what the old git:// URL
needed); reopened, the dialog said where an HTTP sync would take the credential from. The
line is read again for the saved URL, and never shown for a URL it was not read for."""

from __future__ import annotations

from pathlib import Path

from gui.widgets.remotes_editor import FETCH
from gui.windows.settings_dialog import SettingsDialog
from tests.gui.conftest import Run, Running
from tests.gui.test_settings_dialog import dialogs, edit_cell, make_repo, open_dialog, register, showing

__all__ = ["dialogs"]  # the settings tests' fixture, used here too

STALE = "Zugangsdaten: keine nötig"  # a git:// URL's


def test_a_remote_given_an_http_url_says_where_its_credential_would_come_from(
    run: Run, running: Running, tmp_path: Path, dialogs: list[SettingsDialog], german: None
) -> None:
    repo = make_repo(tmp_path)  # origin git://127.0.0.1/notes.git
    http = "http://127.0.0.1:9/notes.git"

    async def scenario() -> None:
        await register(running, repo)
        dialog = await open_dialog(running, dialogs)
        assert "origin" not in dialog.credentials.rows  # git:// has no credentials row
        edit_cell(dialog.remotes.table, 0, FETCH, http)
        row = dialog.credentials.rows["origin"]
        assert showing(row.source) != STALE  # typed, not saved: the old URL's line is not its
        await dialog.save()
        said = showing(row.source)
        await dialog.credentials.load(dialog.credentials.repo_name, [("origin", http)])
        fresh = showing(dialog.credentials.rows["origin"].source)
        assert fresh.startswith("Zugangsdaten: ") and fresh != STALE, fresh
        assert said == fresh

    run(scenario(), 10.0)
