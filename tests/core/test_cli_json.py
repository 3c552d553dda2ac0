"""`core.cli_json.indented` writes what `json.dumps(value, indent=2)` writes, for any
document json can encode (the CLI's `--json` output is compared byte for byte by scripts);
and `core.cli_output.iso` writes a moment as `strftime` does."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cli_json import indented


class Kind(StrEnum):
    OK = "ok"


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.just(Kind.OK)
)
keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False) | st.just(Kind.OK)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6)
    | st.lists(children, max_size=4).map(tuple)
    | st.dictionaries(keys, children, max_size=6),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_any_document_reads_as_json_dumps_writes_it(document: Any) -> None:
    assert indented(document) == json.dumps(document, indent=2)


@pytest.mark.parametrize(
    "document",
    [
        {},
        [],
        {"repos": []},
        {"a": {}, "b": [[]], "c": [{}]},
        {"name": "r", "branches": [{"name": "main", "ahead": 0, "gone": None}], "detached": False, "n": 1.5},
        [1, 2, [3], 4, {"x": "\u00e9\n\t\"\\"}],
        {1: [1], "a": {"b": [2]}},  # a key json turns into text, beside containers
        {"x": [math.inf, -math.inf], "y": math.nan},
    ],
)
def test_the_shapes_the_cli_prints(document: Any) -> None:
    assert indented(document) == json.dumps(document, indent=2)


# Lists of rows (`core.cli_json._rows`: their values in one C encoder call, each put after
# its key): texts that look like a row's end, a separator or a format, rows of the same
# keys (the fast path) and of keys of every kind (not).
tricky = st.sampled_from(["},", "}", "{", "},\n    {", "\n", "\\n", "],", '"', "%s", "\u00e9"]) | st.text()
row_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | tricky


def _rows_of(names: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    values = st.lists(row_scalars, min_size=len(names), max_size=len(names))
    return st.lists(values.map(lambda v: dict(zip(names, v, strict=True))), min_size=1, max_size=5)


same_keys = st.lists(tricky, min_size=1, max_size=5, unique=True).flatmap(_rows_of)
rows = same_keys | st.lists(st.dictionaries(keys | tricky, row_scalars, min_size=1, max_size=5), min_size=1)


@settings(max_examples=200, deadline=None)
@given(rows, st.integers(0, 3))
def test_a_list_of_rows_reads_as_json_dumps_writes_it(listed: list[dict[Any, Any]], depth: int) -> None:
    document: Any = listed
    for _ in range(depth):
        document = {"repos": [{"name": "r", "branches": document, "n": 1}]}
    assert indented(document) == json.dumps(document, indent=2)
    assert indented(tuple(listed)) == json.dumps(tuple(listed), indent=2)


@pytest.mark.parametrize(
    "listed",
    [
        [{"a": 1}, {}],  # an empty row: written `{}`
        [{"a": 1}, {"b": [2]}],  # a row holding a container
        [{"a": 1}, 2],  # not all rows
        [{"a": Kind.OK}],  # a subclass of str
        [{"a": 1, "b": 2}, {"b": 2, "a": 1}],  # the same keys in another order
        [{"a": 1}, {"a": 1, "b": 2}],  # more keys
        [{1: "x"}, {1: "y"}],  # a key json turns into text
    ],
)
def test_lists_that_are_not_rows_of_scalars(listed: list[Any]) -> None:
    assert indented({"x": listed}) == json.dumps({"x": listed}, indent=2)


def test_what_json_cannot_encode_fails_as_json_dumps_fails() -> None:
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        indented({"a": [1, {"b": object()}]})


def test_a_moment_is_written_as_strftime_writes_it_each_time() -> None:
    """`iso` writes each naive moment once (`strftime` was 6 us a branch); two aware
    moments that are one instant in two zones are still written each in its own."""
    from datetime import UTC, datetime, timedelta, timezone

    from core.cli_output import iso

    naive = datetime(2026, 12, 7, 13, 43, 38, 874011)
    assert [iso(naive), iso(naive.replace(microsecond=0)), iso(None)] == [
        "2026-12-07T13:43:38Z",
        "2026-12-07T13:43:38Z",
        None,
    ]
    in_utc = datetime(2026, 12, 7, 12, tzinfo=UTC)
    in_paris = in_utc.astimezone(timezone(timedelta(hours=1)))
    assert in_utc == in_paris
    assert [iso(in_utc), iso(in_paris)] == ["2026-12-07T12:00:00Z", "2026-12-07T13:00:00Z"]
