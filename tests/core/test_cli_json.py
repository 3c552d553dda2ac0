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
