"""The bundle's run-time hook for multiprocessing, in place of PyInstaller's: none.

(packaging/hooks/rthooks.dat names it.)

PyInstaller's imports multiprocessing before every command (about 10 ms of CPU) so that
children it starts in a frozen app find their way back; Gitferry starts none (its delta
workers are plain subprocesses of the bundle's own binary, `core/git/objects/delta_workers.py`;
dulwich only asks multiprocessing for the CPU count). A hook must name a file: this one.
"""
