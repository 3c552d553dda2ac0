"""What the status window shows while no repository is registered: the three ways to
begin, each a large button with one line saying what it does."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from gui.widgets.palette_colors import quiet


class FirstRunPanel(QWidget):
    add_folder_requested = Signal()
    clone_requested = Signal()
    start_syncing_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Get started"))
        title = QLabel(self.tr("<h2>Nothing is synced yet</h2>"))
        title.setTextFormat(Qt.TextFormat.RichText)
        intro = QLabel(self.tr("Gitferry keeps git repositories in sync in the background. Start with one:"))
        intro.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add a folder…"))
        self.add_button.setAccessibleName(self.tr("Add a folder that is a git repository"))
        add_note = quiet(
            QLabel(self.tr("A folder that already holds a git repository (it has a .git inside)."))
        )
        self.clone_button = QPushButton(self.tr("Clone from URL…"))
        self.clone_button.setAccessibleName(self.tr("Clone a repository from a URL"))
        clone_note = quiet(QLabel(self.tr("Copy a remote repository into a new folder and keep it in sync.")))
        self.start_button = QPushButton(self.tr("Start syncing a folder…"))
        self.start_button.setAccessibleName(self.tr("Start syncing a folder that is not a repository yet"))
        start_note = quiet(
            QLabel(
                self.tr(
                    "A folder of files that is not a repository yet: Gitferry makes it one, commits "
                    "its files and pushes them to an empty remote you name."
                )
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        layout.addWidget(title)
        layout.addWidget(intro)
        for button, note in (
            (self.add_button, add_note),
            (self.clone_button, clone_note),
            (self.start_button, start_note),
        ):
            button.setMinimumHeight(button.sizeHint().height() * 3 // 2)
            note.setWordWrap(True)
            layout.addSpacing(12)
            layout.addWidget(button)
            layout.addWidget(note)
        layout.addStretch(1)
        self.add_button.clicked.connect(self.add_folder_requested)
        self.clone_button.clicked.connect(self.clone_requested)
        self.start_button.clicked.connect(self.start_syncing_requested)
