"""Where Gitferry's log records go: a rotating file in the data directory, and stderr.

The desktop app and `gitferry daemon` (the long-running processes) append to
`<data dir>/gitferry.log`, rotated at 1 MiB with three old files kept. The
short CLI commands print their results instead, and write to that file only the
errors they cannot put in one line (a traceback); with `--verbose` any process
also writes its debug records to stderr. Both set the root logger, so the
engine's, dulwich's and urllib3's records all follow the same switch.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

LOG_FILE_NAME = "gitferry.log"
LOG_BYTES = 1024 * 1024
LOG_FILES = 3
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
STDERR_FORMAT = "%(asctime)s gitferry: %(levelname)s %(name)s: %(message)s"
# Libraries whose debug records are one per database call: kept at INFO even when verbose.
CHATTY_LOGGERS = ("aiosqlite", "asyncio")


def log_file(home: Path) -> Path:
    return home / LOG_FILE_NAME


def configure_logging(home: Path, verbose: bool, *, errors_only: bool = False) -> None:
    """Append to the rotating log file in `home` (the data directory); `errors_only`
    keeps only errors, and creates the file (and imports the rotating handler) only
    when there is one."""
    home.mkdir(parents=True, exist_ok=True)
    handler: logging.Handler = _ErrorsToFile(log_file(home)) if errors_only else _rotating(log_file(home))
    _attach("gitferry-file", handler, _root_level(verbose, errors_only))


def _rotating(file: Path) -> logging.Handler:
    from logging.handlers import RotatingFileHandler  # socket, pickle...: about 10 ms of a cold start

    handler = RotatingFileHandler(file, maxBytes=LOG_BYTES, backupCount=LOG_FILES)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    return handler


class _ErrorsToFile(logging.Handler):
    """A short command's errors, into the rotating file made at the first one: most
    commands log none, and never pay for importing `logging.handlers`."""

    def __init__(self, file: Path) -> None:
        super().__init__(logging.ERROR)
        self._file = file
        self._target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._target is None:
            self._target = _rotating(self._file)
        self._target.handle(record)

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        super().close()


def log_to_stderr(verbose: bool) -> None:
    """Records to stderr: debug detail when verbose, else information and worse."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(STDERR_FORMAT))
    handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    _attach("gitferry-stderr", handler, _root_level(verbose, errors_only=False))


def _root_level(verbose: bool, errors_only: bool) -> int:
    if errors_only:
        return logging.ERROR
    return logging.DEBUG if verbose else logging.INFO


def _attach(name: str, handler: logging.Handler, level: int) -> None:
    """Add `handler` to the root logger in place of an earlier one of the same name (a
    process that configures twice, such as a test calling `main` again, logs once)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == name]:
        root.removeHandler(old)
        old.close()
    handler.set_name(name)
    root.addHandler(handler)
    for chatty in CHATTY_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.INFO)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
