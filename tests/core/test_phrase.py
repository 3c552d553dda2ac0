"""An engine message as templates and fields (core.phrase): its English is what the CLI
printed before, it survives the store as JSON, and every template is a literal the
translation collector finds (packaging/translations.py --check then holds each one to a
translation: tests/gui/test_translations.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.engine.report import SyncReport
from core.phrase import from_json, joined, phrase, to_json, verbatim
from core.results import ResultKind

ROOT = Path(__file__).resolve().parents[2]


def test_a_count_says_the_english_singular_and_plural() -> None:
    assert phrase("committed %n file(s)", 1).english() == "committed 1 file"
    assert phrase("committed %n file(s)", 3).english() == "committed 3 files"
    assert phrase("%n branch(es) left", 2).english() == "2 branches left"
    assert phrase("%n commit(s) (is|are) here", 1).english() == "1 commit is here"
    assert phrase("%n commit(s) (is|are) here", 2).english() == "2 commits are here"
    with pytest.raises(ValueError):
        phrase("committed file(s)", 2)  # a count Qt would not show: the template says %n
    with pytest.raises(ValueError):
        phrase("committed %n file(s)")


def test_fields_are_filled_once_and_words_in_them_are_phrases() -> None:
    reason = phrase("connection refused")
    said = phrase("{remote} is unreachable: {reason}", remote="a{reason}b", reason=reason)
    assert said.english() == "a{reason}b is unreachable: connection refused"
    listed = phrase("left out {path} ({reasons})", path="x", reasons=(phrase("too large"), verbatim("odd")))
    assert listed.english() == "left out x (too large, odd)"
    assert joined([phrase("up to date"), "left main alone: why"]) == "up to date; left main alone: why"


def test_the_stored_form_reads_back_as_it_was_made() -> None:
    parts = [
        phrase("committed %n file(s)", 2),
        phrase("left out {path} ({reasons})", path="ü.txt", reasons=(phrase("too large"),)),
        phrase("{remote}: {reason}", remote="origin", reason=phrase("the server refused the credentials")),
        verbatim("a server's own words"),
    ]
    stored = to_json(parts)
    assert stored is not None and from_json(stored) == parts
    assert to_json([verbatim("English only")]) is None  # its English says it all
    for unreadable in (None, "", "{", '{"t": 1}', '[{"t": 3}]', '[{"f": {}}]', "[[1]]"):
        assert from_json(unreadable) is None


def test_a_report_changed_as_text_after_it_was_said_gives_its_english() -> None:
    report = SyncReport("r")
    report.say(ResultKind.OK, [phrase("committed %n file(s)", 1), "fetched x"])
    assert report.message == "committed 1 file; fetched x"
    assert report.parts()[0] == phrase("committed %n file(s)", 1)
    report.message = "something else"
    assert report.parts() == [verbatim("something else")]
    assert "said" not in report.to_json()  # `sync --json` carries the English only


def test_every_template_in_the_core_is_a_literal() -> None:
    """The collector reads `phrase("...")` literals: a template made at run time would be
    shown in English in every language, with nothing to say it was missed."""
    hidden = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "phrase":
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hidden, "phrase() with a template that is no literal:\n" + "\n".join(hidden)


def test_a_file_name_with_a_newline_keeps_the_message_one_line_and_its_templates() -> None:
    """core/engine/sync.py writes such a name as its escape (`one_line`) in every text
    field, so the parts still say the message the CLI prints."""
    from core.phrase import with_text
    from core.results import one_line

    parts = [phrase("left out {path} ({reasons})", path="new\nline.txt", reasons=(phrase("too large"),))]
    cleaned = [with_text(part, one_line) for part in parts]
    assert joined(cleaned) == one_line(joined(parts)) == "left out new\\nline.txt (too large)"
    assert cleaned[0].template == "left out {path} ({reasons})"
