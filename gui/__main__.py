"""`python -m gui`: the desktop app."""

import sys

from gui.app import main

sys.exit(main())
