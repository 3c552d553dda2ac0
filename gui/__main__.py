"""`python -m gui`: the desktop app."""

import sys

from gui.startup import begin

started = begin(sys.argv[1:])  # before PySide6 is imported (gui/startup.py)

from gui.app import main  # noqa: E402 (PySide6 and the window, while the store is read)

sys.exit(main(started=started))
