"""The settings dialog's app-wide auto-mode fields: the settle time, the longest wait,
and whether a metered network pauses syncing. Each is checked as it is typed with
the parser `gitferry set --global` uses (a red message under a bad one); `changes()`
gives the stored texts that differ from those loaded."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from core.api import APP_PARSERS, AppSettings, BadSetting, as_text, parse_setting
from gui.widgets.field_error import FieldError, checked_setting

KEYS = ("settle_time", "settle_max", "pause_on_metered")


class AutoSyncFields(QWidget):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded: dict[str, str] = {}
        self.settle_edit = QLineEdit()
        self.settle_edit.setToolTip(
            self.tr("Automatic sync waits until files have not changed for this many seconds")
        )
        self.settle_edit.setAccessibleName(self.tr("Settle time in seconds"))
        self.settle_error = FieldError()
        self.settle_max_edit = QLineEdit()
        self.settle_max_edit.setToolTip(
            self.tr(
                "Files that keep changing are synced at the latest this many seconds after the first change"
            )
        )
        self.settle_max_edit.setAccessibleName(self.tr("Longest wait in seconds"))
        self.settle_max_error = FieldError()
        self.metered_check = QCheckBox(self.tr("Pause on a m&etered network"))
        self.metered_check.setToolTip(
            self.tr("Syncing waits while the desktop says the network is metered (a phone's hotspot)")
        )
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        # Each message under its field, the whole width of the group: beside the field, in
        # the narrow column the labels leave, German's "erwartet Sekunden, mehr als 0 und
        # höchstens 3600" took four lines (a German user's trial)
        form.addRow(self.tr("Settle t&ime (s):"), self.settle_edit)
        form.addRow(self.settle_error)
        form.addRow(self.tr("Lon&gest wait (s):"), self.settle_max_edit)
        form.addRow(self.settle_max_error)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.metered_check)
        for edit in (self.settle_edit, self.settle_max_edit):
            edit.textEdited.connect(self._edited)
        self.metered_check.toggled.connect(self._edited)

    def load(self, settings: AppSettings) -> None:
        stored = as_text(settings)
        self._loaded = {key: stored[key] for key in KEYS}
        self.settle_edit.setText(f"{settings.settle_time:g}")
        self.settle_max_edit.setText(f"{settings.settle_max:g}")
        self.metered_check.setChecked(settings.pause_on_metered)
        self.validate()

    def values(self) -> dict[str, str] | None:
        """The fields as the settings store them; None while one is bad."""
        raw = {
            "settle_time": self._checked("settle_time", self.settle_edit.text(), self.settle_error),
            "settle_max": self._checked("settle_max", self.settle_max_edit.text(), self.settle_max_error),
            "pause_on_metered": str(self.metered_check.isChecked()).lower(),
        }
        if any(value is None for value in raw.values()):
            return None
        return {key: value for key, value in raw.items() if value is not None}

    def validate(self) -> bool:
        return self.values() is not None

    def changes(self) -> dict[str, str]:
        """The settings that differ from those loaded (empty while a field is bad)."""
        values = self.values() or {}
        return {key: value for key, value in values.items() if self._stored(key) != value}

    def saved(self) -> None:
        """What was shown is stored now: the new baseline."""
        self._loaded.update(self.values() or {})

    def _stored(self, key: str) -> str:
        loaded = self._loaded.get(key, "")
        try:
            return parse_setting(APP_PARSERS, key, loaded)
        except BadSetting:
            return loaded

    def _checked(self, key: str, text: str, error: FieldError) -> str | None:
        return checked_setting(APP_PARSERS, key, text, error)

    def _edited(self) -> None:
        self.validate()
        self.edited.emit()
