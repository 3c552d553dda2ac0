"""The bundle's entry point: `gitferry` as the console script runs it (GUI with no arguments)."""

import sys

from gui.launch import main

sys.exit(main())
