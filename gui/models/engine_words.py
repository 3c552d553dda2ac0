"""What the engine said, in the app's language.

The core makes a message from English templates and their fields (`core.phrase`) and keeps
both: the English text and the parts as JSON. Here each template goes through Qt's
translation (context `Engine`; packaging/translations.py collects the templates from core/)
and its fields are filled in, a field that is itself words translated in turn. A message
stored before the templates (or a part made without one) is shown as its English text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from PySide6.QtCore import QCoreApplication

from core.phrase import ENGINE, SEPARATOR, Phrase, fill, from_json, verbatim
from gui.models.formatting import first_upper, translate_n


def in_language(parts: Sequence[Phrase]) -> str:
    """A message made of `parts`, in the app's language."""
    return SEPARATOR.join(said(part) for part in parts)


def said(part: Phrase) -> str:
    if part.template is None:
        return part.text
    if part.count is None:
        text = QCoreApplication.translate(ENGINE, part.template)
    else:  # a count past Qt's 32-bit int too (a branch 3,000,000,000 commits behind)
        text = translate_n(ENGINE, part.template, part.count)
    return fill(text, part.count, dict(part.fields), said)


class _Said(Protocol):
    @property
    def phrase(self) -> Phrase: ...


def error_text(error: _Said) -> str:
    """An engine error's one line (`GitferryError.phrase`) in the app's language."""
    return said(error.phrase)


def error_line(error: _Said) -> str:
    """An engine error said on a line of its own (under a dialog's field): begun with a capital,
    as the dialogs' own lines are ("Cannot clone into …: it exists and is not empty" beside
    "Could not clone …", a trial); one that begins with what the engine filled in (a name, a
    path) or with git's own words (no template) is left as it is."""
    text = error_text(error)
    template = error.phrase.template
    return first_upper(text) if template and template[:1].islower() and text[:1].islower() else text


def stored_parts(english: str | None, stored: str | None) -> list[Phrase] | None:
    """The parts of a stored message (`last_message` and `last_said`, a run's `message` and
    `said`): its templates, else its English as the one part; None: no message."""
    parts = _read(stored)
    if parts is not None:
        return list(parts)
    return None if english is None else [verbatim(english)]


@lru_cache(maxsize=1024)
def _read(stored: str | None) -> tuple[Phrase, ...] | None:
    """A stored message's parts, read once: the Result column's tooltip is worked out at
    every change of a row (to know whether to paint it again), a row's message seldom."""
    parts = from_json(stored)
    return None if parts is None else tuple(parts)


def stored_message(english: str | None, stored: str | None) -> str | None:
    """A stored message in the app's language (its English when stored without templates)."""
    parts = stored_parts(english, stored)
    return None if parts is None else in_language(parts)
