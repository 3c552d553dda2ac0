"""Files editors keep beside the one being edited while it is open: swap files, lock
files, auto-saves and backups; and a browser's download still in progress
(`manual.pdf.part`, renamed to `manual.pdf` once complete: committed, a half file
stays in the history for good). Auto-commit leaves them out when git does not track
them, as a cloud drive's client does (the names follow Nextcloud's default
exclude list), though no `.gitignore` names them: committed, they would reach
every other machine (vim there then finds a stranger's swap file and asks
what to do with it), and each keystroke vim saves into its swap file would
make one more commit. A tracked one is committed like any file: someone
added it on purpose.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

# Names, not paths: each is matched against a file's own name, case-sensitively.
EDITOR_FILE_PATTERNS = (
    ".*.sw[a-p]",  # vim's swap files: `.notes.md.swp`, then `.swo`, ... (`.swp` for an unnamed buffer)
    ".sw[a-p]",
    "*~",  # vim's and emacs' backups: `notes.md~`
    "#*#",  # emacs' auto-save: `#notes.md#`
    ".#*",  # emacs' lock, a symlink: `.#notes.md`
    ".~lock.*#",  # LibreOffice's lock: `.~lock.report.odt#`
    "~$*",  # Microsoft Office's owner file: `~$report.docx`
    "*.kate-swp",  # Kate's swap file
    "*___jb_tmp___",  # JetBrains' safe write: the new content, then renamed over the file
    "*___jb_old___",
    ".goutputstream-*",  # GLib's atomic replace (gedit, GNOME Text Editor): renamed over the file
    "~*.tmp",  # Microsoft Office's temporary copy: `~WRL0001.tmp`
    "*.part",  # a download in progress: Firefox, KDE (`manual.pdf.part`)
    "*.crdownload",  # Chrome, Chromium, Edge
    "*.filepart",  # WinSCP and other transfer clients
)


def is_editor_file(name: bytes) -> bool:
    """`name` (a file's own name, no directory) is one an editor keeps while it edits."""
    text = name.decode("utf-8", "surrogateescape")
    return any(fnmatchcase(text, pattern) for pattern in EDITOR_FILE_PATTERNS)
