"""A bad setting value is refused with what was expected, in the product's words: never
Python's ("invalid literal for int()", "could not convert string to float") and, for a
form showing it beside the field, without the internal setting name."""

from __future__ import annotations

import subprocess

import pytest

from core.settings import APP_PARSERS, REPO_PARSERS, BadSetting, parse_setting

BAD = [
    (REPO_PARSERS, "fetch_interval", "abc"),
    (REPO_PARSERS, "fetch_interval", "0"),
    (REPO_PARSERS, "fetch_interval", "1.5"),
    (REPO_PARSERS, "max_file_size", "10MB"),
    (REPO_PARSERS, "max_file_size", "1.5m"),
    (REPO_PARSERS, "max_file_size", "0k"),
    (APP_PARSERS, "max_object_size", "-2g"),
    (APP_PARSERS, "memory_budget", "m"),
    (APP_PARSERS, "settle_time", "soon"),
    (APP_PARSERS, "settle_time", "nan"),
    (APP_PARSERS, "settle_max", "-1"),
    (APP_PARSERS, "paused_until", "inf"),
    (APP_PARSERS, "paused_until", "tomorrow"),
]


@pytest.mark.parametrize(("parsers", "key", "value"), BAD)
def test_a_bad_value_says_what_was_expected(parsers: dict[str, object], key: str, value: str) -> None:
    with pytest.raises(BadSetting) as refused:
        parse_setting(parsers, key, value)  # type: ignore[arg-type]
    assert refused.value.message == f"bad value {value!r} for {key}: {refused.value.reason}"
    assert refused.value.reason.startswith("expected "), refused.value.reason
    assert key not in refused.value.reason


def test_good_values_keep_their_canonical_form() -> None:
    assert parse_setting(REPO_PARSERS, "fetch_interval", " 300 ") == "300"
    assert parse_setting(APP_PARSERS, "settle_time", "2.5") == "2.5"
    assert parse_setting(APP_PARSERS, "paused_until", "1700000000.2") == "1700000000"


@pytest.mark.parametrize("value", ["52428800", "50m", "50M", "2g", "64K"])
def test_a_size_is_read_as_git_config_reads_one(value: str) -> None:
    """`gitferry set notes max_file_size 50m`, as `core.bigFileThreshold 50m` is to git."""
    read = subprocess.run(
        ["git", "-c", f"gitferry.size={value}", "config", "--type=int", "gitferry.size"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    for parsers, key in ((REPO_PARSERS, "max_file_size"), (APP_PARSERS, "max_pack_size")):
        assert parse_setting(parsers, key, value) == read  # type: ignore[arg-type]
