"""About Gitferry: the version, where the data and the log live, the license.

Opened from the tray menu and from the status window's toolbar. The folders are
selectable text, so a user asked for the log (a bug report) can copy its path.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from core.logs import log_file
from core.paths import store_file
from core.version import __version__


class AboutDialog(QDialog):
    def __init__(self, home: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Gitferry"))
        self.heading = QLabel(f"<b>{self.tr('Gitferry %1').replace('%1', html.escape(__version__))}</b>")
        blurb = QLabel(self.tr("Keeps your git repositories in sync with their remotes."))
        blurb.setWordWrap(True)
        form = QFormLayout()
        self.places: list[QLabel] = []
        for label, path in (
            (self.tr("Data folder:"), home),
            (self.tr("Status store:"), store_file(home)),
            (self.tr("Log file:"), log_file(home)),
        ):
            shown = QLabel(str(path))
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.places.append(shown)
            form.addRow(label, shown)
        self.license = QLabel(self.tr("Free software under the MIT License."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.heading, blurb):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.license)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
