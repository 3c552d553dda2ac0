"""A clone that can be retried: the marker a clone in progress leaves in its folder.

A clone killed part-way (kill -9, a power cut, a crash) cannot remove what it
made, and the next `gitferry clone` into the same folder would find it "not
empty": the user had to delete it by hand. So a clone writes
`.git/gitferry/clone-in-progress` before anything else in the folder (before
`git init`'s own files) and removes it last, once the checkout is done. It
holds the URL (without a password), the process (pid and start time, so a
reused pid is not taken for the owner) and whether the clone made the folder
itself.

The next clone into a folder that holds only a marked, dead clone of the same
URL starts it over: it empties the folder (everything in it is that clone's:
the folder was empty or made by it) and keeps the folder's origin as the
marker says, so a later failure removes the folder only when a clone made it.
Anything else is refused with one line: a folder without a marker (never
touched), a marker of another URL, a clone still running. `gitferry add`
refuses a marked folder too: a half-made clone is not a repository to sync.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.atomic_file import fsync_dir, write_atomically
from core.errors import BadInput
from core.git.locks.sync_lock import LockOwner
from core.phrase import Phrase, phrase

MARKER = Path(".git") / "gitferry" / "clone-in-progress"


@dataclass(frozen=True)
class CloneMarker:
    url: str  # as `remote.origin.url` will hold it: no password
    owner: LockOwner
    made_folder: bool  # the clone created the folder (else it was there, empty)

    def to_json(self) -> bytes:
        owner = self.owner
        data = {
            "url": self.url,
            "pid": owner.pid,
            "pid_started": owner.pid_started,
            "since": owner.since,
            "host": owner.host,
            "made_folder": self.made_folder,
        }
        return json.dumps(data).encode()

    @classmethod
    def read(cls, folder: Path) -> CloneMarker | None:
        """The marker in `folder`, or None when there is none (or it cannot be read)."""
        try:
            text = (folder / MARKER).read_text("utf-8")
            data = json.loads(text)
            owner = LockOwner.parse(text)
            if owner is None:
                return None
            return cls(str(data["url"]), owner, bool(data["made_folder"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


class HalfMadeClone(BadInput):
    """The folder holds a clone that did not finish."""

    def __init__(self, folder: Path, marker: CloneMarker, why: Phrase, *, dead: bool = False) -> None:
        super().__init__(phrase("{folder}: {why}", folder=str(folder), why=why))
        self.folder = folder
        self.marker = marker
        self.dead = dead  # its clone is over: the way on is to clone again

    def in_app(self) -> HalfMadeClone:
        """The refusal as the app's Add folder says it, where no `gitferry clone` is at
        hand: the way on is the window's Clone from URL…, which starts it over."""
        if not self.dead:
            return self
        why = phrase(
            "it is a clone of {url} that did not finish; clone it again with Clone from URL…",
            url=self.marker.url,
        )
        return HalfMadeClone(self.folder, self.marker, why, dead=True)


def claim_folder(folder: Path, url: str) -> bool:
    """Make `folder` ready for a clone of `url` and mark it: create it, take it empty, or
    empty a dead clone of the same URL in it. Returns whether a clone made the folder
    (this one, or the dead one it starts over)."""
    if not folder.exists():
        folder.mkdir(parents=True)
        made = True
    else:
        made = _take_existing(folder, url)
    _write_marker(folder, CloneMarker(url, LockOwner.me(), made))
    return made


def check_folder(folder: Path, url: str) -> None:
    """Refuse, with one line, a folder a clone of `url` could not take (see `claim_folder`)."""
    if folder.exists():
        _restartable(folder, url)


def clone_finished(folder: Path) -> None:
    """The clone is complete: its marker goes, last."""
    (folder / MARKER).unlink()
    fsync_dir(folder / MARKER.parent)


def refuse_half_made(folder: Path) -> None:
    """`gitferry add` of a folder a clone left half-made: one line saying what to do."""
    marker = CloneMarker.read(folder)
    if marker is None:
        return
    if marker.owner.alive():
        raise HalfMadeClone(folder, marker, _still_running(marker))
    why = phrase("it is a clone of {url} that did not finish; run that gitferry clone again", url=marker.url)
    raise HalfMadeClone(folder, marker, why, dead=True)


def _take_existing(folder: Path, url: str) -> bool:
    marker = _restartable(folder, url)
    if marker is None:
        return False  # an empty folder someone else made: it stays when the clone fails
    _empty(folder)
    return marker.made_folder


def _restartable(folder: Path, url: str) -> CloneMarker | None:
    """The dead clone of `url` whose folder this is (None: the folder is empty)."""
    if not folder.is_dir():
        raise BadInput(phrase("cannot clone into {folder}: it is a file", folder=str(folder)))
    if not any(folder.iterdir()):
        return None
    marker = CloneMarker.read(folder)
    if marker is None and _unmarked_claim(folder):
        shutil.rmtree(folder / ".git")  # a clone killed before its marker: nothing else made
        return None
    if marker is None:
        raise BadInput(phrase("cannot clone into {folder}: it exists and is not empty", folder=str(folder)))
    if marker.url != url:
        why = phrase(
            "it holds a clone of {other} that did not finish; remove it to clone {url}",
            other=marker.url,
            url=url,
        )
        raise HalfMadeClone(folder, marker, why)
    if marker.owner.alive():
        raise HalfMadeClone(folder, marker, _still_running(marker))
    return marker


def _still_running(marker: CloneMarker) -> Phrase:
    return phrase("a clone into it is still running ({who})", who=marker.owner.said())


def _unmarked_claim(folder: Path) -> bool:
    """`folder` holds only what `_write_marker` makes before the marker itself: a clone
    killed in between (`.git`, perhaps `.git/gitferry` and the marker's temporary file)."""
    if [child.name for child in folder.iterdir()] != [".git"] or not (folder / ".git").is_dir():
        return False
    inside = list((folder / ".git").iterdir())
    if [child.name for child in inside] not in ([], [MARKER.parent.name]):
        return False
    return not inside or all(
        child.is_file() and child.name != MARKER.name for child in (folder / MARKER.parent).iterdir()
    )


def _empty(folder: Path) -> None:
    """Remove what the dead clone made in `folder`: all of it (the marker last)."""
    for child in folder.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    git_dir = folder / ".git"
    for child in git_dir.iterdir():
        if child.name != "gitferry":
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    shutil.rmtree(git_dir)


def _write_marker(folder: Path, marker: CloneMarker) -> None:
    """The marker, durably, before `git init` writes anything."""
    directory = folder / MARKER.parent
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder / ".git")
    directory.mkdir(exist_ok=True)
    write_atomically(folder / MARKER, marker.to_json(), durable_dir=True)
    fsync_dir(folder / ".git")
    fsync_dir(folder)
