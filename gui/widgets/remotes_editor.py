"""The remotes table: name, fetch URL, push URL; rows added and removed, each URL checked as typed.

The git config is the source of truth: `load()` takes the remotes as read from it,
and `edits()` is the list of `Api.edit_remote` calls that turn it into what the
table shows. A URL typed with a password in it is split at once: the password goes to
the credentials fields (`secret_typed`), never into the table or the config.

A remote with several URLs (`git remote set-url --add`) shows its first fetch and push
URL in the table, read-only there (`gitferry remote set-url` refuses them, as git does),
and its other URLs in a note under the table (`more`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.api import BadInput, RemoteRecord, check_url, split_url_secret
from gui.models.engine_words import error_text
from gui.widgets.field_error import FieldError
from gui.widgets.palette_colors import bad_cell, quiet

NAME, FETCH, PUSH = range(3)
_BAD_NAME_CHARS = set(' \t\n/\\:"[]*?~^')
ORIGINAL = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class RemoteEdit:
    action: str  # as Api.edit_remote: add | set-url | set-push-url | remove
    remote: str
    url: str | None = None


class RemotesEditor(QWidget):
    edited = Signal()
    secret_typed = Signal(str, str, str)  # remote, user name, secret

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original: dict[str, RemoteRecord] = {}
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Fetch URL"), self.tr("Push URL (optional)")]
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FETCH, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PUSH, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName(self.tr("Remotes"))
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setToolTip(
            self.tr("Double-click a URL to edit it; an empty push URL pushes to the fetch URL")
        )
        self.add_button = QPushButton(self.tr("Add remote"))
        self.remove_button = QPushButton(self.tr("Remove remote"))
        self.error = FieldError()
        self.more = quiet(QLabel())
        self.more.setWordWrap(True)
        self.more.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(self.more)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(self._item_changed)

    def load(self, remotes: list[RemoteRecord]) -> None:
        self._original = {remote.name: remote for remote in remotes}
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for remote in remotes:
            self._append(remote.name, remote.fetch_url, remote.push_url or "", original=remote.name)
            self._hold_several(self.table.rowCount() - 1, remote)
        self.table.blockSignals(False)
        self._show_more(remotes)
        self.validate()

    def _hold_several(self, row: int, remote: RemoteRecord) -> None:
        """A URL that is one of several is read-only here, as `remote set-url` refuses it."""
        for column, several in ((FETCH, remote.more_urls), (PUSH, remote.more_push_urls)):
            cell = self.table.item(row, column)
            if several and cell is not None:
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                cell.setToolTip(
                    self.tr("One of several URLs: change them with git remote set-url --add/--delete")
                )

    def _show_more(self, remotes: list[RemoteRecord]) -> None:
        """The URLs past the first of each remote, one line each, under the table."""
        lines = []
        for remote in remotes:
            for url in remote.pushed_to[1:]:
                lines.append(self.tr("%1 also pushes to %2").replace("%1", remote.name).replace("%2", url))
            if remote.push_url is not None:
                for url in remote.more_urls:
                    unused = self.tr("%1 also has the URL %2, unused while it has a push URL")
                    lines.append(unused.replace("%1", remote.name).replace("%2", url))
        if lines:
            lines.append(self.tr("Several URLs are read-only here: change them with git remote set-url."))
        self.more.setText("\n".join(lines))
        self.more.setVisible(bool(lines))

    def add_row(self) -> None:
        taken = {name for name, _, _ in self.rows()}
        name = (
            "origin"
            if "origin" not in taken
            else next(f"remote{i}" for i in range(2, 999) if f"remote{i}" not in taken)
        )
        self.table.blockSignals(True)
        self._append(name, "", "", original=None)
        self.table.blockSignals(False)
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, FETCH)
        cell = self.table.item(row, FETCH)
        if cell is not None:
            self.table.editItem(cell)
        self._changed()

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._changed()

    def _append(self, name: str, fetch: str, push: str, *, original: str | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setData(ORIGINAL, original)
        if original is not None:  # renaming would move tracking refs: remove and add instead
            name_item.setFlags(name_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            name_item.setToolTip(self.tr("An existing remote keeps its name"))
        self.table.setItem(row, NAME, name_item)
        self.table.setItem(row, FETCH, QTableWidgetItem(fetch))
        self.table.setItem(row, PUSH, QTableWidgetItem(push))

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, fetch URL, push URL) as the table shows them."""
        out = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, column) for column in (NAME, FETCH, PUSH)]
            out.append(tuple(cell.text().strip() if cell else "" for cell in cells))
        return out  # type: ignore[return-value]

    def _item_changed(self, item: QTableWidgetItem) -> None:
        auth = None
        if item.column() in (FETCH, PUSH):
            clean, auth = split_url_secret(item.text().strip())
            if auth is not None:
                self.table.blockSignals(True)
                item.setText(clean)
                self.table.blockSignals(False)
        self._changed()  # first: the credentials row of a new remote appears here
        if auth is not None:
            name = self.table.item(item.row(), NAME)
            self.secret_typed.emit(name.text() if name else "", auth.username, auth.password)

    def _changed(self) -> None:
        self.validate()
        self.edited.emit()

    def validate(self) -> bool:
        """Mark bad cells and show the first problem under the table."""
        problems: list[str] = []
        seen: set[str] = set()
        bad_background, bad_text = bad_cell(self.table.palette())
        self.table.blockSignals(True)
        for row, (name, fetch, push) in enumerate(self.rows()):
            checks = {
                NAME: _name_problem(name, seen),
                FETCH: _url_problem(fetch, required=True),
                PUSH: _url_problem(push, required=False),
            }
            seen.add(name)
            for column, problem in checks.items():
                cell = self.table.item(row, column)
                if cell is not None:
                    cell.setBackground(bad_background if problem else QBrush())
                    cell.setForeground(bad_text if problem else QBrush())
                    cell.setToolTip(problem or "")
                if problem:
                    problems.append(f"{name or self.tr('new remote')}: {problem}")
        self.table.blockSignals(False)
        if problems:
            self.error.show_error(problems[0])
        else:
            self.error.clear_error()
        return not problems

    def edits(self) -> list[RemoteEdit]:
        """Removals first (a name may be reused), then changed URLs, then new remotes."""
        current = {name: (fetch, push) for name, fetch, push in self.rows()}
        kept = {self._original_name(row) for row in range(self.table.rowCount())} - {None}
        out = [RemoteEdit("remove", name) for name in self._original if name not in kept]
        for name, (fetch, push) in current.items():
            before = self._original.get(name) if name in kept else None
            if before is None:
                out.append(RemoteEdit("add", name, fetch))
                if push:
                    out.append(RemoteEdit("set-push-url", name, push))
                continue
            if fetch != before.fetch_url:
                out.append(RemoteEdit("set-url", name, fetch))
            if push != (before.push_url or ""):
                out.append(RemoteEdit("set-push-url", name, push or None))
        removals = [edit for edit in out if edit.action == "remove"]
        return removals + [edit for edit in out if edit.action != "remove"]

    def _original_name(self, row: int) -> str | None:
        item = self.table.item(row, NAME)
        original = item.data(ORIGINAL) if item is not None else None
        return original if isinstance(original, str) else None


def _name_problem(name: str, seen: set[str]) -> str | None:
    if not name:
        return QCoreApplication.translate("RemotesEditor", "a remote needs a name")
    if name.startswith("-") or _BAD_NAME_CHARS.intersection(name):
        bad = QCoreApplication.translate("RemotesEditor", "bad remote name %1: no spaces, slashes or colons")
        return bad.replace("%1", repr(name))
    if name in seen:
        return QCoreApplication.translate("RemotesEditor", "two remotes are named %1").replace(
            "%1", repr(name)
        )
    return None


def _url_problem(url: str, *, required: bool) -> str | None:
    if not url:
        return QCoreApplication.translate("RemotesEditor", "the fetch URL is empty") if required else None
    try:
        check_url(url)
    except BadInput as exc:
        return error_text(exc)
    return None
