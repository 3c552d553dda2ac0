"""Start at login through XDG autostart: `$XDG_CONFIG_HOME/autostart/gitferry.desktop`.

Desktop sessions that follow the freedesktop.org Desktop Application Autostart
spec (GNOME, KDE, Xfce, LXQt, Cinnamon, MATE...) launch every entry in that
directory at login. Enabling writes our entry there; disabling removes it.
Blocking file I/O: the settings dialog calls these from an offload thread.

A port fills in `autostart_path`, `enable`, `disable` and `is_enabled`: on
macOS a LaunchAgent property list in `~/Library/LaunchAgents` (ProgramArguments
takes the command as a list, no quoting), on Windows a value under
`HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run` (one command line,
quoted with `subprocess.list2cmdline`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from platformdirs.unix import Unix

from core.atomic_file import write_atomically

DESKTOP_FILE_NAME = "gitferry.desktop"

# Characters the Desktop Entry spec reserves in Exec (an argument holding any
# of them must be quoted), plus carriage return, which shells treat unevenly.
_RESERVED = frozenset(" \t\n\r\"'\\><~|&;$*?#()`")
# Inside a quoted argument these take a backslash (quoting rule).
_QUOTE_ESCAPED = frozenset('"`$\\')
# Then the whole value gets the escapes every string value gets (string rule).
_STRING_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def autostart_path() -> Path:
    """XDG rule on every platform: `$XDG_CONFIG_HOME`, else `~/.config`."""
    return Unix().user_config_path / "autostart" / DESKTOP_FILE_NAME


def exec_value(command: Sequence[str]) -> str:
    """The `Exec=` value that runs `command`, quoted and escaped per the Desktop Entry spec."""
    if not command:
        raise ValueError("the autostart command is empty")
    line = " ".join(_quote_argument(arg) for arg in command)
    return "".join(_STRING_ESCAPES.get(char, char) for char in line)


def _quote_argument(arg: str) -> str:
    if "\0" in arg:
        raise ValueError(f"a desktop entry cannot hold a NUL character: {arg!r}")
    arg = arg.replace("%", "%%")  # a lone % would start a field code
    if arg and not _RESERVED.intersection(arg):
        return arg
    escaped = "".join("\\" + char if char in _QUOTE_ESCAPED else char for char in arg)
    return f'"{escaped}"'


def desktop_entry(command: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Gitferry\n"
        "Comment=Keep git repositories in sync\n"
        f"Exec={exec_value(command)}\n"
        "Icon=gitferry\n"
        "Terminal=false\n"
        "Categories=Development;RevisionControl;\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def enable(command: Sequence[str]) -> Path:
    """Write (or overwrite) our autostart entry; the file appears whole or not at all."""
    path = autostart_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, desktop_entry(command))
    return path


def disable() -> None:
    """Remove our entry; nothing else in the autostart directory is touched."""
    autostart_path().unlink(missing_ok=True)


def is_enabled() -> bool:
    """Our entry exists and the session has not been told to skip it.

    A desktop's own startup-apps tool may switch an entry off in place with
    `Hidden=true` or `X-GNOME-Autostart-enabled=false` rather than deleting it.
    """
    try:
        text = autostart_path().read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return False
    entry = _desktop_entry_group(text)
    return entry.get("Hidden") != "true" and entry.get("X-GNOME-Autostart-enabled") != "false"


def _desktop_entry_group(text: str) -> dict[str, str]:
    keys: dict[str, str] = {}
    in_group = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_group = line == "[Desktop Entry]"
        elif in_group and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip()
    return keys


def _write_atomically(path: Path, text: str) -> None:
    # The temporary name does not end in .desktop (a session starting now would run it).
    write_atomically(path, text.encode("utf-8"), mode=0o644)
