"""The app's translations: Qt's own machinery (`self.tr`, `QCoreApplication.translate`,
pyside6-lupdate/lrelease), files under `resources/translations/`.

English is the source language, and it ships a translation all the same: it holds
only the plural forms (`%n` texts: "1 repository", "2 repositories"), which Qt
takes from a translation, never from the source text. The user's own language,
where one is shipped, is installed over it. `make translations` refreshes the
.ts files from the sources and compiles the .qm files.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from gui.resources import RESOURCES_DIR

TRANSLATIONS_DIR = RESOURCES_DIR / "translations"
APP = "gitferry"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks `text` for translation in `context` where it is written (a table of texts);
    it is translated where it is shown, with `QCoreApplication.translate(context, text)`."""
    del context
    return text


def install_translations(app: QCoreApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """English's plural forms, then the `locale`'s (the system's) translation if one is
    shipped, and Qt's own for it; the translators are children of `app`, which keeps them
    alive."""
    wanted = locale or QLocale()
    english = QTranslator(app)
    loaded = [english] if english.load(f"{APP}_en", str(TRANSLATIONS_DIR)) else []
    if wanted.language() != QLocale.Language.English:
        native = QTranslator(app)
        if native.load(wanted, APP, "_", str(TRANSLATIONS_DIR)):
            loaded.append(native)
        qt = QTranslator(app)  # Qt's own dialogs and buttons (Save, Discard, Cancel)
        if qt.load(wanted, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            loaded.append(qt)
    return [translator for translator in loaded if app.installTranslator(translator)]
