"""Screenshots of the real windows for the README: `make screenshots` (runs under Xvfb).

A throwaway GITFERRY_HOME with three real repositories whose remotes are served
by `git daemon` on loopback; the app itself (gui.desktop.Desktop) shows them.
The status window is caught mid-sync: one repository fetches a large commit
through a proxy that paces the transfer. The skipped files come from a real
auto-commit sync (two files over the repository's size limit). The settings dialog
(docs/settings-dialog.png) shows one of them with remotes set by git, a sign-in in
an in-memory keyring, and a bad interval typed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import qasync  # noqa: E402
from PySide6.QtCore import QLocale, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from core.api import Api, PhaseProgress  # noqa: E402
from gui.app import COLOR_SCHEME, apply_color_scheme  # noqa: E402
from gui.desktop import Desktop  # noqa: E402
from gui.event_loop import run_until_complete  # noqa: E402
from gui.translations import install_translations  # noqa: E402
from tests.gitcli import commit_file, git  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402
from tests.servers import LOOPBACK, CuttingProxy, GitDaemon  # noqa: E402

OUT = ROOT / "docs"


def make_repo(daemon: GitDaemon, work: Path, name: str, branches: dict[str, tuple[int, int]]) -> Path:
    """A clone of a `git daemon` remote whose branches are (ahead, behind) of their upstreams."""
    daemon.host.create(name)
    url = daemon.host.url(name)
    seed, clone = work / f"{name}-seed", work / name
    git("clone", "-q", url, str(seed), cwd=work)
    commit_file(seed, "README.md", f"# {name}\n")
    for branch in branches:
        if branch != "main":
            git("branch", branch, cwd=seed)
    git("push", "-q", "origin", *branches, cwd=seed)
    git("clone", "-q", url, str(clone), cwd=work)
    for branch, (ahead, behind) in branches.items():
        git("checkout", "-q", branch, cwd=seed)
        for i in range(behind):
            commit_file(seed, f"{branch}-theirs-{i}.md", f"{i}\n")
        git("push", "-q", "origin", branch, cwd=seed)
        git("checkout", "-q", "-B", branch, f"origin/{branch}", cwd=clone)
        for i in range(ahead):
            commit_file(clone, f"{branch}-mine-{i}.md", f"{i}\n")
    git("checkout", "-q", "main", cwd=clone)
    return clone


def _touch(path: Path) -> Path:
    path.touch()
    return path


async def save(widget: QWidget, name: str, folder: Path = OUT) -> None:
    """`widget` as shown, into `folder`/`name` (docs/ by default)."""
    await asyncio.sleep(0.2)  # let the loop paint (never processEvents() inside a coroutine)
    path = folder / name
    widget.grab().save(str(path))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"wrote {shown} ({widget.width()}x{widget.height()})")


async def take(work: Path, daemon: GitDaemon) -> None:
    notes = make_repo(daemon, work, "notes", {"main": (2, 0), "drafts": (0, 3), "ideas": (1, 1)})
    thesis = make_repo(daemon, work, "thesis", {"main": (0, 0), "chapter-3": (4, 0), "review": (0, 12)})
    website = make_repo(daemon, work, "website", {"main": (0, 0)})
    for i in range(5):
        git("branch", f"feature/{i}", cwd=thesis)
    big = work / "website-seed"
    (big / "photos.bin").write_bytes(os.urandom(12 * 1024 * 1024))
    git("add", "photos.bin", cwd=big)
    git("commit", "-q", "-m", "photos", cwd=big)
    git("push", "-q", "origin", "main", cwd=big)
    proxy = CuttingProxy(LOOPBACK, daemon.port, 1 << 40, pace_seconds=0.05)
    git("remote", "set-url", "origin", proxy.rewrite(daemon.host.url("website")), cwd=website)

    api = await Api.open()
    records = {repo.name: await api.add_repository(str(repo)) for repo in (notes, thesis, website)}
    await api.set_repo_settings(records["thesis"].id, {"auto_commit": "true", "max_file_size": str(4 << 20)})
    (thesis / "chapter-3.md").write_text("Draft of chapter 3\n")
    for name, size in (("media/lecture-recording.mp4", 700 << 20), ("scans/appendix-scans.pdf", 48 << 20)):
        (thesis / name).parent.mkdir(parents=True, exist_ok=True)
        os.truncate(_touch(thesis / name), size)  # sparse: too large by its size alone, never read
    desktop = Desktop(api, open_folder=lambda _path: None)
    try:
        await desktop.start(show_window=True)
        engine = api.daemon.engine  # a background fetch now, rather than at the scheduler's slot
        assert engine is not None
        await engine.fetch(records["notes"].id)
        await api.sync(records["thesis"].id)  # auto-commit: two files too large
        desktop.window.resize(1180, 560)
        desktop.window.select_repo(records["notes"].id)
        syncing = asyncio.ensure_future(engine.fetch(records["website"].id))
        await wait_for_progress(desktop, "receiving", 0.35)
        await save(desktop.window, "status-window.png")
        desktop.window.select_repo(records["website"].id)
        await wait_for_progress(desktop, "receiving", 0.5)
        desktop.window.tabs.setCurrentIndex(0)
        await save(desktop.window, "status-window-progress.png")
        api.cancel(records["website"].id)
        await syncing
        desktop.window.select_repo(records["thesis"].id)
        await desktop.load_skipped(records["thesis"].id)
        desktop.window.tabs.setCurrentIndex(2)
        await save(desktop.window, "skipped-files.png")
        await shoot_tray_menu(desktop, records["notes"].id)
        await shoot_settings(api, notes)
    finally:
        await desktop.stop()
        await api.close()
        proxy.stop()


async def wait_for_progress(desktop: Desktop, phase: str, fraction: float) -> None:
    seen: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def check(event: PhaseProgress) -> None:
        if (
            event.phase == phase
            and event.total
            and event.current >= fraction * event.total
            and not seen.done()
        ):
            seen.set_result(None)

    desktop.bridge.progress.connect(check)
    await asyncio.wait_for(seen, 60)
    desktop.bridge.progress.disconnect(check)
    await asyncio.sleep(0.15)


async def shoot_tray_menu(desktop: Desktop, repo_id: int) -> None:
    """The tray menu with one repository's submenu open beside it, as the desktop shows them."""
    menu, submenu = desktop.tray.menu, desktop.tray.repo_menus[repo_id]
    menu.popup(QPoint(40, 40))
    menu.setActiveAction(submenu.menuAction())
    await asyncio.sleep(0.3)
    item = menu.actionGeometry(submenu.menuAction())
    submenu.popup(menu.mapToGlobal(item.topRight()))
    await asyncio.sleep(0.3)
    left, right = menu.grab(), submenu.grab()
    offset = submenu.pos() - menu.pos()
    canvas = QPixmap(offset.x() + right.width(), max(left.height(), offset.y() + right.height()))
    canvas.fill(QColor("#ffffff"))
    painter = QPainter(canvas)
    painter.drawPixmap(0, 0, left)
    painter.drawPixmap(offset.x(), offset.y(), right)
    painter.end()
    canvas.save(str(OUT / "tray-menu.png"))
    print(f"wrote docs/tray-menu.png ({canvas.width()}x{canvas.height()})")
    submenu.hide()
    menu.hide()


async def shoot_settings(api: Api, notes: Path) -> None:
    """docs/settings-dialog.png: the settings dialog's Remotes tab (an HTTPS remote with
    its sign-in in the keyring, an ssh push URL, a second remote), and above its Sync tab
    a negative interval typed and refused, one over the other. The remotes are set with
    git; the keyring is an in-memory one (the scratch HOME's, nothing leaves the run)."""
    from core.remote_url import HttpAuth
    from gui.windows.settings_dialog import SettingsDialog

    https = "https://git.example.org/team/notes.git"
    git("remote", "set-url", "origin", https, cwd=notes)
    git("remote", "set-url", "--push", "origin", "ssh://git@git.example.org/team/notes.git", cwd=notes)
    git("remote", "add", "backup", "ssh://git@backup.example.org/srv/notes.git", cwd=notes)
    await api.core.offload.io(api.core.credentials.save, https, HttpAuth("alice", "not-the-real-one"))
    dialog = SettingsDialog(api)
    try:
        await dialog.load()
        dialog.select_repo("notes")
        dialog.resize(940, 600)
        dialog.show()
        await asyncio.sleep(0.5)  # the remotes and the sign-in are read off the loop
        remotes = dialog.grab()
        dialog.tabs.setCurrentIndex(1)
        edit = dialog.form.interval_edit
        edit.setFocus()
        edit.selectAll()
        QTest.keyClick(edit, Qt.Key.Key_Delete)
        QTest.keyClicks(edit, "-5")  # typed, as a person would: the field says what is wrong
        await asyncio.sleep(0.3)
        sync = dialog.grab()
    finally:
        dialog.done(0)
    gap = 16
    canvas = QPixmap(max(remotes.width(), sync.width()), remotes.height() + gap + sync.height())
    canvas.fill(QColor("#ffffff"))
    painter = QPainter(canvas)
    painter.drawPixmap(0, 0, remotes)
    painter.drawPixmap(0, remotes.height() + gap, sync)
    painter.end()
    canvas.save(str(OUT / "settings-dialog.png"))
    print(f"wrote docs/settings-dialog.png ({canvas.width()}x{canvas.height()})")


def in_scratch_home(
    shoot: Callable[[Path, GitDaemon, QApplication], Coroutine[Any, Any, None]], locale: QLocale | None = None
) -> None:
    """Run `shoot` on a qasync loop with a throwaway HOME and GITFERRY_HOME and a `git daemon`,
    the app's texts in `locale` (English by default)."""
    with tempfile.TemporaryDirectory(prefix="gitferry-shots-") as tmp:
        work = Path(tmp)
        os.environ["GITFERRY_HOME"] = str(work / "home")
        os.environ["HOME"] = str(work)
        (work / ".gitconfig").write_text(
            "[user]\n\tname = Alice\n\temail = alice@example.invalid\n[init]\n\tdefaultBranch = main\n"
        )
        keyring.set_keyring(MemoryKeyring())  # the scratch run's own: the user's is never touched
        app = QApplication(sys.argv[:1])
        apply_color_scheme(app, os.environ.get(COLOR_SCHEME, ""))  # GITFERRY_COLOR_SCHEME=dark, as the app
        install_translations(app, locale or QLocale("en_US"))  # as the app does (plurals: "1 file skipped")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with GitDaemon(work / "served") as daemon, loop:
            run_until_complete(loop, shoot(work, daemon, app))  # see gui/event_loop.py


def main() -> None:
    in_scratch_home(lambda work, daemon, _app: take(work, daemon))


if __name__ == "__main__":
    main()
