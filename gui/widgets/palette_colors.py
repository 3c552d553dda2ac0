"""Colours for messages, hints and marked cells taken from the palette in use, so that
they read in a light theme and a dark one alike.

A hard-coded red (#c62828) is readable on white and not on a dark window; a pink cell
background (#fde0e0) under a dark theme's white text is not readable at all. Here each
colour starts from a palette role (the window, its text, the base of a table and its
text) and the hue of the meaning (red for a problem, green for success); its lightness
is then moved until it has WCAG's 4.5:1 contrast with what it is drawn on.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel

MINIMUM_CONTRAST = 4.5  # WCAG AA, normal text
ERROR_HUE = QColor("#c62828")
OK_HUE = QColor("#2e7d32")
ATTENTION = QColor("#b45309")  # amber: something to look at (a diverged branch, a failed publish)


def luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(color: QColor, background: QColor, minimum: float = MINIMUM_CONTRAST) -> QColor:
    """`color`'s hue, made lighter on a dark background (darker on a light one) until it
    reads against `background`."""
    dark_background = luminance(background) < 0.18
    hue, saturation = color.hslHueF(), color.hslSaturationF()
    lightness, alpha = color.lightnessF(), color.alphaF()
    step = 0.03 if dark_background else -0.03
    candidate = QColor(color)
    while contrast(candidate, background) < minimum and 0.0 <= lightness <= 1.0:
        lightness = min(1.0, max(0.0, lightness + step))
        candidate = QColor.fromHslF(max(hue, 0.0), saturation, lightness, alpha)
        if lightness in (0.0, 1.0):
            break
    return candidate


def mix(a: QColor, b: QColor, share_of_a: float) -> QColor:
    s = share_of_a
    return QColor.fromRgbF(
        a.redF() * s + b.redF() * (1 - s),
        a.greenF() * s + b.greenF() * (1 - s),
        a.blueF() * s + b.blueF() * (1 - s),
    )


def window(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Window)


def error_color(palette: QPalette) -> QColor:
    return readable(ERROR_HUE, window(palette))


def ok_color(palette: QPalette) -> QColor:
    return readable(OK_HUE, window(palette))


def attention_color(palette: QPalette) -> QColor:
    return readable(ATTENTION, window(palette))


def on_table(hue: QColor) -> QColor:
    """`hue` made to read on the tables' base in the application's palette (a table cell's text)."""
    return readable(hue, QGuiApplication.palette().color(QPalette.ColorRole.Base))


def hint_color(palette: QPalette) -> QColor:
    """Quieter than the window's text, still readable on the window."""
    return readable(mix(palette.color(QPalette.ColorRole.WindowText), window(palette), 0.7), window(palette))


def bad_cell(palette: QPalette) -> tuple[QBrush, QBrush]:
    """A table cell marked bad: a background tinted red from the table's base, and the
    table's text colour made to read on it (background, foreground)."""
    base = palette.color(QPalette.ColorRole.Base)
    tint = mix(ERROR_HUE, base, 0.22)
    text = readable(palette.color(QPalette.ColorRole.Text), tint)
    return QBrush(tint), QBrush(text)


def quiet(label: QLabel) -> QLabel:
    """A hint: quieter than the window's text, readable in a light and a dark theme."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, hint_color(QGuiApplication.palette()))
    label.setPalette(palette)
    return label


def dark_palette() -> QPalette:
    """A dark palette for Fusion where the desktop gives none (GITFERRY_COLOR_SCHEME=dark,
    the screenshots): light text on dark windows and tables."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a7a"))
    return palette
