"""Gitferry's version, written once: pyproject.toml reads it (setuptools' dynamic
version, read from this file without importing it), and `gitferry --version` prints
it without `importlib.metadata` (about 20 ms of a cold process) or the CLI."""

__version__ = "0.1.0"


def version_line() -> str:
    return f"gitferry {__version__}"
