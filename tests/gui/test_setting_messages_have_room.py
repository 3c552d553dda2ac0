"""A German user's trial: the settings dialog's app-wide fields said a bad settle time
beside the field, in the narrow column the labels leave ("erwartet Sekunden, mehr als 0
und höchstens 3600" on four lines, squeezing the repository list above). Each message now
runs under its field the whole width of the group, label column included."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFormLayout, QLabel

from gui.windows.settings_dialog import SettingsDialog
from tests.gui.conftest import Run, Running
from tests.gui.test_settings_dialog import dialogs, open_dialog, retype, showing

__all__ = ["dialogs"]  # the settings tests' fixture, used here too


def test_a_bad_settle_time_is_said_under_its_field_across_the_label_column(
    run: Run, running: Running, dialogs: list[SettingsDialog], german: None
) -> None:
    async def scenario() -> None:
        dialog = await open_dialog(running, dialogs)
        fields = dialog.auto_fields
        for edit, error, bad in (
            (fields.settle_edit, fields.settle_error, "-5"),
            (fields.settle_max_edit, fields.settle_max_error, "bald"),
        ):
            retype(edit, bad)
            QApplication.processEvents()
            assert showing(error).startswith("erwartet")
            form = fields.findChild(QFormLayout)
            assert isinstance(form, QFormLayout)
            label = form.labelForField(edit)
            assert isinstance(label, QLabel)
            assert error.geometry().left() <= label.geometry().left()
            assert error.geometry().right() >= edit.geometry().right()

    run(scenario(), 10.0)
