"""An engine message as a template and its fields, so a client can say it in its language.

The core speaks English (the CLI prints it, `--json` carries it), and never imports Qt. A
message a user reads in the app (a sync's one line, the history's, a notification's) is
made here as a `Phrase`: an English template marked for translation by `phrase("...")`
(packaging/translations.py collects every such literal under core/, in the translation
context `ENGINE`), with named fields `{remote}` and at most one count `%n`. Its English
text is `english()`; the app translates the template with Qt and fills the fields in
(gui/engine_words.py). A field that is itself words (a reason, a state) is a `Phrase` too,
translated in turn, or a tuple of them (said one after another, ", " between); a path, a
URL, a count or a server's own words stay as they are.

A count decides the noun the English way: "(s)" and "(es)" after a word are its plural
ending ("committed %n file(s)"), and "(is|are)" gives the singular's word and the plural's;
a translation has its own forms (Qt's numerus forms).

A message is one or more parts joined by "; " (`joined`); a part not made from a
template yet is `verbatim` English, shown as it is in every language. The store keeps a
message's parts as JSON (`to_json`, `from_json`) beside its English text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

TYPE_CHECKING = False  # `typing` is imported for type checking only (`core/cli_simple.py`)
if TYPE_CHECKING:
    from typing import TypeAlias

ENGINE = "Engine"
"""The translation context of every template in the core."""
SEPARATOR = "; "
"""Between the parts of one message, in every language."""
LIST_SEPARATOR = ", "
"""Between the phrases of a field that is a tuple of them, in every language."""

Field: TypeAlias = "str | int | Phrase | tuple[Phrase, ...]"
_FIELD = re.compile(r"\{(\w+)\}")
_PLURAL_ENDING = re.compile(r"\((e?s)\)")
_PLURAL_WORDS = re.compile(r"\((\w+)\|(\w+)\)")


class Phrase:
    """`template` with its `fields` and `count` (None: no count); `template` None: `text`
    is English no template made (verbatim in every language). Never changed once made; a plain class,
    not a dataclass: `gitferry --help` and a sync the engine answers import no dataclasses
    (tests/integration/test_cli_imports.py), and their errors are made of phrases."""

    __slots__ = ("count", "fields", "template", "text")

    def __init__(
        self,
        template: str | None,
        fields: tuple[tuple[str, Field], ...] = (),
        count: int | None = None,
        text: str = "",
    ) -> None:
        self.template, self.fields, self.count, self.text = template, fields, count, text

    def _key(self) -> tuple[object, ...]:
        return (self.template, self.fields, self.count, self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Phrase({self.template!r}, {self.fields!r}, {self.count!r}, {self.text!r})"

    def english(self) -> str:
        if self.template is None:
            return self.text
        return fill(english_form(self.template, self.count), self.count, dict(self.fields), Phrase.english)


def with_text(said: Phrase, change: Callable[[str], str]) -> Phrase:
    """`said` with `change` made to its text: the verbatim text, and every text field
    however deep (a template is the code's own, left as it is)."""
    if said.template is None:
        return verbatim(change(said.text))

    def field(value: Field) -> Field:
        if isinstance(value, tuple):
            return tuple(with_text(item, change) for item in value)
        if isinstance(value, Phrase):
            return with_text(value, change)
        return change(value) if isinstance(value, str) else value

    return Phrase(said.template, tuple((name, field(value)) for name, value in said.fields), said.count)


def phrase(template: str, count: int | None = None, /, **fields: Field) -> Phrase:
    """The marker: `template` must be a literal (the translation collector reads it), and
    holds `%n` when a `count` decides its words."""
    if (count is None) == ("%n" in template):
        raise ValueError(f"a count goes with %n in its template: {template!r}")
    return Phrase(template, tuple(fields.items()), count)


def verbatim(text: str) -> Phrase:
    """English made without a template: shown as it is, in every language."""
    return Phrase(None, text=text)


def as_phrase(part: str | Phrase) -> Phrase:
    return verbatim(part) if isinstance(part, str) else part


def joined(parts: Iterable[str | Phrase]) -> str:
    """The English of a message made of `parts`."""
    return SEPARATOR.join(as_phrase(part).english() for part in parts)


def in_turn(parts: Sequence[Phrase]) -> Phrase:
    """`parts` said one after another, "; " between: one phrase, for a field."""
    said = parts[-1]
    for part in reversed(parts[:-1]):
        said = phrase("{first}; {then}", first=part, then=said)
    return said


def some(items: Sequence[str], shown: int) -> str | Phrase:
    """The first `shown` of `items`, then how many more: "a, b and 3 more"."""
    listed = LIST_SEPARATOR.join(items[:shown])
    if len(items) <= shown:
        return listed
    return phrase("{listed} and {more} more", listed=listed, more=len(items) - shown)


def english_form(template: str, count: int | None) -> str:
    """`template` with its plural endings as English says them for `count`."""
    template = _PLURAL_WORDS.sub(lambda m: m[1] if count == 1 else m[2], template)
    return _PLURAL_ENDING.sub(lambda m: "" if count == 1 else m[1], template)


def english_forms(template: str) -> tuple[str, str]:
    """The singular and plural of a template with a count (the English translation's forms)."""
    return english_form(template, 1), english_form(template, 2)


def fill(text: str, count: int | None, fields: Mapping[str, Field], say: Callable[[Phrase], str]) -> str:
    """`text` (a template, or its translation) with `%n` as `count` and each `{name}` as
    its field, a `Phrase` field said by `say`; in one pass, so a field's own braces stay."""
    if count is not None:
        text = text.replace("%n", str(count))

    def field(match: re.Match[str]) -> str:
        value = fields.get(match[1])
        if value is None:
            return match[0]
        if isinstance(value, tuple):
            return LIST_SEPARATOR.join(say(item) for item in value)
        return say(value) if isinstance(value, Phrase) else str(value)

    return _FIELD.sub(field, text)


def to_json(parts: Sequence[Phrase]) -> str | None:
    """The stored form of a message's parts; None when no part has a template (the English
    text alone says it all)."""
    if all(part.template is None for part in parts):
        return None
    import json  # a message's stored form only

    return json.dumps([_encoded(part) for part in parts], ensure_ascii=False, separators=(",", ":"))


def from_json(text: str | None) -> list[Phrase] | None:
    """The parts `to_json` stored; None for a row without them, or one this version cannot read."""
    if not text:
        return None
    import json  # a message's stored form only

    try:
        parts = json.loads(text)
        return [_decoded(part) for part in parts] if isinstance(parts, list) else None
    except (ValueError, TypeError, KeyError):
        return None


def _encoded(part: Phrase) -> object:
    if part.template is None:
        return part.text
    fields = {name: _encoded_field(value) for name, value in part.fields}
    encoded: dict[str, object] = {"t": part.template, "f": fields}
    if part.count is not None:
        encoded["n"] = part.count
    return encoded


def _encoded_field(value: Field) -> object:
    if isinstance(value, tuple):
        return [_encoded(item) for item in value]
    return _encoded(value) if isinstance(value, Phrase) else value


def _decoded(part: object) -> Phrase:
    if isinstance(part, str):
        return verbatim(part)
    if not isinstance(part, dict) or not isinstance(part["t"], str):
        raise TypeError(part)
    count = part.get("n")
    fields: dict[str, Field] = {}
    for name, value in dict(part.get("f", {})).items():
        fields[str(name)] = _decoded_field(value)
    return Phrase(part["t"], tuple(fields.items()), count if isinstance(count, int) else None)


def _decoded_field(value: object) -> Field:
    if isinstance(value, list):
        return tuple(_decoded(item) for item in value)
    if isinstance(value, dict):
        return _decoded(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(value)
    return value
