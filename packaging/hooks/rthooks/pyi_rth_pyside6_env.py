"""The bundle's run-time hook for PySide6, in place of PyInstaller's (packaging/hooks/rthooks.dat).

PyInstaller's sets Qt's plugin and QML paths, then imports PySide6.QtCore to register an
embedded qt.conf when the bindings made none. PySide6's wheels make their own when QtCore
is first imported (`:/qt/etc/qt.conf`, its prefix the package's Qt folder: the same folder
as below), so that import, made before every command, only cost each CLI command of the
bundle about 65 ms of CPU (QtCore and shiboken loaded by `gitferry --version`, which never
shows a window). This hook sets the same paths and leaves the import to the desktop app.
"""


def _pyi_rthook() -> None:
    import os
    import sys

    from _pyi_rth_utils import qt as qt_rth_utils  # PyInstaller's helpers, in every bundle

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
    qt = os.path.join(sys._MEIPASS, "PySide6", "Qt")  # type: ignore[attr-defined]
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(qt, "qml")


_pyi_rthook()
del _pyi_rthook
