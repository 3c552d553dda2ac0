"""The app becomes the data folder's one engine, or does not start one.

One engine syncs a data folder (`core.engine.engine_lock`): the app or `gitferry
daemon`. The app takes the engine lock before it opens the core. When a background
daemon holds it, the user is asked (window-modal, no nested event loop) whether to stop
that daemon and let the app take over, or to quit; the app never runs as a silent second
engine. A daemon that is quitting already (its record says so: `EngineLock.quitting`)
is not asked about: the app waits for it, as after "Stop it". Another app instance is
kept out before this by `gui/single_instance.py` (the second launch raises the
first's window); an engine that cannot be named (an older Gitferry's, one just
starting) is said, and the app quits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from gui.widgets.field_error import answer_of

if TYPE_CHECKING:
    from core.api import EngineHolder, EngineLock


async def become_engine(home: Path, parent: QWidget | None = None) -> EngineLock | None:
    """The engine lock of `home` for the app; None: it quits (the user chose to, or the
    engine that holds it cannot be stopped from here, which a dialog said)."""
    from core.api import APP, DAEMON, EngineHeld, claim_engine, take_over

    try:
        return claim_engine(home, APP)
    except EngineHeld as exc:
        holder = exc.holder
    if holder is None or holder.kind != DAEMON:
        await _cannot_start(
            parent,
            QCoreApplication.translate(
                "EngineTakeOver", "Another Gitferry is already syncing this data folder (%1)."
            ).replace("%1", str(home)),
        )
        return None
    if not holder.quitting and not await _ask_take_over(parent, holder, home):
        return None  # a daemon already quitting (its record says so) is only waited for
    waiting = QProgressDialog(
        QCoreApplication.translate("EngineTakeOver", "Stopping the background Gitferry…"), "", 0, 0, parent
    )
    waiting.setWindowTitle(QCoreApplication.translate("EngineTakeOver", "Gitferry"))
    waiting.setCancelButton(None)  # no button: the wait is bounded
    waiting.setWindowModality(Qt.WindowModality.WindowModal)
    waiting.setMinimumDuration(0)
    waiting.show()
    try:
        return await take_over(home, holder, APP)
    except (EngineHeld, OSError):
        await _cannot_start(
            parent,
            QCoreApplication.translate(
                "EngineTakeOver", "The background Gitferry (process %1) did not stop: Gitferry quits."
            ).replace("%1", str(holder.pid)),
        )
        return None
    finally:
        waiting.close()
        waiting.deleteLater()


async def _ask_take_over(parent: QWidget | None, holder: EngineHolder, home: Path) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("EngineTakeOver", "Gitferry is already running"))
    box.setText(
        QCoreApplication.translate(
            "EngineTakeOver", "Gitferry is already syncing in the background (gitferry daemon, process %1)."
        ).replace("%1", str(holder.pid))
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "EngineTakeOver",
            "Only one of them can sync this data folder (%1). Stop the background one and let "
            "the app take over, or quit the app. Started by its systemd unit, the background "
            "one starts again at your next login.",
        ).replace("%1", str(home))
    )
    take = box.addButton(
        QCoreApplication.translate("EngineTakeOver", "Stop it and open Gitferry"),
        QMessageBox.ButtonRole.AcceptRole,
    )
    box.addButton(QCoreApplication.translate("EngineTakeOver", "Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(take)
    return await answer_of(box) is take


async def _cannot_start(parent: QWidget | None, text: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("EngineTakeOver", "Gitferry cannot start"))
    box.setText(text)
    box.addButton(QMessageBox.StandardButton.Close)
    await answer_of(box)
