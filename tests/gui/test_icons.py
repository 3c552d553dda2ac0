"""The icons: one per tray state, each a valid 64x64 SVG that Qt renders at tray size."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from gui.resources import (
    APP_ICON_NAME,
    ICONS_DIR,
    RESOURCES_DIR,
    TRAY_ICON_NAMES,
    TrayState,
    icon_path,
    tray_icon_path,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
ALL_ICONS = [APP_ICON_NAME, *TRAY_ICON_NAMES.values()]
TRAY_SIZE = 22


def rendered(path: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid(), path
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def opaque_fraction(image: QImage) -> float:
    pixels = [image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height())]
    return sum(alpha > 0 for alpha in pixels) / len(pixels)


def test_every_tray_state_has_an_icon() -> None:
    assert set(TRAY_ICON_NAMES) == set(TrayState)
    assert len(set(TRAY_ICON_NAMES.values())) == len(TrayState)
    for state in TrayState:
        assert tray_icon_path(state).parent == ICONS_DIR


def test_the_icons_come_from_the_source_tree_in_a_checkout() -> None:
    assert Path(__file__).resolve().parents[2] / "resources" == RESOURCES_DIR


def test_an_unknown_icon_name_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        icon_path("no-such-icon")


@pytest.mark.parametrize("name", ALL_ICONS)
def test_each_icon_is_a_64_pixel_svg(name: str) -> None:
    root = ET.parse(icon_path(name)).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 64 64"


@pytest.mark.parametrize("name", ALL_ICONS)
def test_each_icon_renders_at_tray_size(qapp: QApplication, name: str) -> None:
    # A disc-shaped glyph covers well over a third of its square; a broken file covers nothing.
    assert opaque_fraction(rendered(icon_path(name), TRAY_SIZE)) > 0.35


@pytest.mark.parametrize("name", ALL_ICONS)
def test_qicon_loads_each_icon_through_the_svg_plugin(qapp: QApplication, name: str) -> None:
    pixmap = QIcon(str(icon_path(name))).pixmap(TRAY_SIZE, TRAY_SIZE)
    assert not pixmap.isNull()
    assert opaque_fraction(pixmap.toImage()) > 0.35


def test_the_tray_states_look_different(qapp: QApplication) -> None:
    images = {state: rendered(tray_icon_path(state), TRAY_SIZE) for state in TrayState}
    for first, second in itertools.combinations(TrayState, 2):
        assert images[first] != images[second], (first, second)
