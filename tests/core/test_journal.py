"""The activity log: append, stream, compact."""

from __future__ import annotations

from pathlib import Path

from core.journal import Journal


def test_append_and_tail(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "a.jsonl")
    for i in range(10):
        journal.append({"repo": "a" if i % 2 else "b", "n": i})
    assert [e["n"] for e in journal.tail(3)] == [7, 8, 9]
    assert [e["n"] for e in journal.tail(2, repo="a")] == [7, 9]


def test_torn_line_is_skipped(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "a.jsonl")
    journal.append({"n": 1})
    with journal.path.open("a") as f:
        f.write('{"n": 2, "trunc')
    journal.append({"n": 3})
    assert [e["n"] for e in journal.entries()] == [1, 3]


def test_compaction_bounds_size_and_keeps_newest(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "a.jsonl", max_bytes=2000)
    for i in range(500):
        journal.append({"n": i, "pad": "x" * 20})
    assert journal.path.stat().st_size <= 2000
    numbers = [e["n"] for e in journal.entries()]
    assert numbers[-1] == 499 and numbers == sorted(numbers) and len(numbers) > 10
    assert not list(tmp_path.glob(".activity-*"))
