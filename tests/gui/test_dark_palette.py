"""Messages, hints and marked cells read in a dark theme as in a light one: each is
rendered (offscreen) under the palette and its text pixels are measured against its
background, WCAG's 4.5:1 the bar. Before, the red of a field error (#c62828) and the
hint's palette(mid) were dark on dark, and a bad URL cell was white text on pink."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QProxyStyle, QStyle, QWidget
from pytestqt.qtbot import QtBot

from core.api import RemoteRecord
from core.model import RepoRecord
from gui.models.repos import RESULT_COLUMN
from gui.widgets.credentials_panel import CredentialRow
from gui.widgets.field_error import FieldError
from gui.widgets.palette_colors import MINIMUM_CONTRAST, contrast
from gui.widgets.remotes_editor import FETCH, RemotesEditor
from gui.windows.status_window import StatusWindow

DARK = QPalette(QColor("#2b2b2b"))  # Qt derives every role from the button colour: a dark theme
LIGHT = QPalette(QColor("#efefef"))


@pytest.fixture(params=["dark", "light"])
def themed(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QPalette]:
    before = qapp.palette()
    palette = DARK if request.param == "dark" else LIGHT
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(before)


def text_contrast(image: QImage, area: QRect | None = None) -> float:
    """The contrast between the background (the area's corner) and the pixel farthest from it."""
    area = area or image.rect()
    background = image.pixelColor(area.left() + 1, area.top() + 1)
    farthest = max(
        (
            image.pixelColor(x, y)
            for x in range(area.left(), area.right())
            for y in range(area.top(), area.bottom())
        ),
        key=lambda c: (
            abs(c.red() - background.red())
            + abs(c.green() - background.green())
            + abs(c.blue() - background.blue())
        ),
    )
    return contrast(farthest, background)


def rendered(widget: QWidget, qtbot: QtBot) -> QImage:
    qtbot.addWidget(widget)
    widget.resize(max(widget.sizeHint().width(), 420), max(widget.sizeHint().height(), 24))
    widget.show()
    qtbot.waitExposed(widget)
    return widget.grab().toImage()


def test_a_field_error_and_a_success_read(themed: QPalette, qtbot: QtBot) -> None:
    error = FieldError()
    error.show_error("bad remote URL 'htps:/x': the scheme is mistyped")
    assert text_contrast(rendered(error, qtbot)) >= MINIMUM_CONTRAST
    ok = FieldError()
    ok.show_ok("Connected; saved in the keyring")
    assert text_contrast(rendered(ok, qtbot)) >= MINIMUM_CONTRAST


def test_the_credentials_hint_reads(themed: QPalette, qtbot: QtBot) -> None:
    row = CredentialRow("origin")
    row.source.setText("Credential: the keyring (user alice)")
    assert text_contrast(rendered(row.source, qtbot)) >= MINIMUM_CONTRAST


def test_the_cell_of_a_bad_url_reads(themed: QPalette, qtbot: QtBot) -> None:
    editor = RemotesEditor()
    editor.load([RemoteRecord("origin", "htps:/example.org/x")])
    assert not editor.validate()
    image = rendered(editor, qtbot)
    table = editor.table
    cell = table.visualItemRect(table.item(0, FETCH))
    cell.translate(table.viewport().mapTo(editor, table.viewport().rect().topLeft()))
    assert text_contrast(image, cell.adjusted(2, 2, -2, -2)) >= MINIMUM_CONTRAST


def test_a_plain_label_is_the_measure(themed: QPalette, qtbot: QtBot) -> None:
    """The measurement itself: a label in the palette's own text colour passes."""
    assert text_contrast(rendered(QLabel("plain text in the window's colour"), qtbot)) >= MINIMUM_CONTRAST


def test_a_failed_publish_reads(themed: QPalette, qtbot: QtBot) -> None:
    """The publish line under the branch table says a failure in amber (it was a fixed
    #b45309: 3.1:1 on a dark window)."""
    window = StatusWindow()
    qtbot.addWidget(window)
    window.selected_id = 1  # a result is shown for the selected repository only
    window.show_publish_result(1, "Publishing main failed: the remote refused it", failed=True)
    window.show()
    qtbot.waitExposed(window)
    assert text_contrast(window.publish_note.grab().toImage()) >= MINIMUM_CONTRAST


class _PaletteDrawnIcons(QProxyStyle):
    """A style drawing its standard icons in the palette's text colour, as icon themes
    that follow the light or dark scheme do."""

    def standardIcon(
        self, standard_icon: QStyle.StandardPixmap, option: object = None, widget: object = None
    ) -> QIcon:
        pixmap = QPixmap(16, 16)
        pixmap.fill(QApplication.palette().color(QPalette.ColorRole.WindowText))
        return QIcon(pixmap)


def test_the_result_columns_marks_follow_a_switch_between_light_and_dark(
    qtbot: QtBot, qapp: QApplication
) -> None:
    """The Result cell's warning mark was cached once: after a switch from light to dark it
    kept the light palette's drawing."""
    before_style, before_palette = qapp.style().name(), qapp.palette()
    style = _PaletteDrawnIcons("Fusion")
    qapp.setStyle(style)
    try:
        window = StatusWindow()
        qtbot.addWidget(window)
        conflicted = RepoRecord(1, "notes", "/n", last_result="conflict")
        window.show_repos([conflicted], {}, {})
        cell = window.repos.index(0, RESULT_COLUMN)

        def mark_colour() -> QColor:
            icon = window.repos.data(cell, Qt.ItemDataRole.DecorationRole)
            assert isinstance(icon, QIcon)
            return icon.pixmap(16, 16).toImage().pixelColor(8, 8)

        for palette in (LIGHT, DARK, LIGHT):
            qapp.setPalette(palette)
            assert mark_colour() == palette.color(QPalette.ColorRole.WindowText)
    finally:
        qapp.setStyle(before_style)
        qapp.setPalette(before_palette)
