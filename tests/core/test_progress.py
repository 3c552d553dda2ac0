"""Progress text parsed into phases, and the rate limit on what reaches the GUI."""

from __future__ import annotations

import itertools

import pytest

from core.git.progress import (
    MAX_LINE,
    Phase,
    ProgressThrottle,
    SidebandParser,
    TransferProgress,
    bounded_lines,
    parse_progress_line,
)

# Sideband chunks exactly as `git upload-pack` 2.39 sent them to dulwich's
# progress callback (from a loopback `git daemon`): lines are cut anywhere.
CAPTURED_COUNTING = [
    b"Enumerating objects: 32052, done.\n",
    b"Counting objects:   0% (1/2488)\r",
    b"2488)\rCounting objects:  33% (822/2488)\rCounting objects:  34% (846/2488)\rCounting objects:  3",
    b"6% (896/2488)\rCounting objects:  37% (921/2488)\rCounting obj",
    b"ects:  40% (996/2488)\rCounting objects: 100% (2488/2488)\rCounting objects: 100% (2488/2488), done.\n",
    b"Total 32052 (delta 2488), reused 2488 (delta 2488), pack-reused 29564",
    b"\n",
]
CAPTURED_COMPRESSING = [
    b"Compressing objects:  98% (139/141)\r",
    b"Compressing objects:  99% (140/141)\r",
    b"Compressing objects: 100% (141/141)\r",
    b"Compressing objects: 100% (141/141), done.\n",
]


def feed_all(chunks: list[bytes]) -> list[TransferProgress]:
    parser = SidebandParser()
    updates = [u for chunk in chunks for u in parser.feed(chunk)]
    return updates + parser.flush()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Counting objects:  45% (123/273)", TransferProgress(Phase.COUNTING, 123, 273)),
        ("Enumerating objects: 81138, done.", TransferProgress(Phase.COUNTING, 81138, None)),
        ("Compressing objects: 100% (141/141), done.", TransferProgress(Phase.COMPRESSING, 141, 141)),
        (
            "Receiving objects:  12% (10/80), 1.50 MiB | 2.00 MiB/s",
            TransferProgress(Phase.RECEIVING, 10, 80, 1572864),
        ),
        ("remote: Resolving deltas:  50% (5/10)", TransferProgress(Phase.RESOLVING, 5, 10)),
        ("generating index: 17/80", TransferProgress(Phase.INDEXING, 17, 80)),
        ("counting objects: 4711, done.", TransferProgress(Phase.COUNTING, 4711, None)),
    ],
)
def test_parses_git_and_dulwich_lines(line: str, expected: TransferProgress) -> None:
    assert parse_progress_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Total 160 (delta 93), reused 0 (delta 0), pack-reused 0", "", "warning: something", "Counting"],
)
def test_ignores_lines_without_progress(line: str) -> None:
    assert parse_progress_line(line) is None


def test_captured_counting_lines_split_across_callbacks() -> None:
    updates = feed_all(CAPTURED_COUNTING)
    assert updates[0] == TransferProgress(Phase.COUNTING, 32052, None)
    counted = [(u.current, u.total) for u in updates[1:]]
    assert (
        counted
        == [(1, 2488), (822, 2488), (846, 2488), (896, 2488), (921, 2488), (996, 2488)] + [(2488, 2488)] * 2
    )
    # the chunk "2488)\r" is the tail of a line whose head was never seen: not misread
    assert all(u.phase is Phase.COUNTING for u in updates)


def test_same_result_whatever_the_chunking() -> None:
    whole = b"".join(CAPTURED_COMPRESSING)
    expected = feed_all([whole])
    assert [u.current for u in expected] == [139, 140, 141, 141]
    for size in (1, 2, 7, 33):
        chunks = [whole[i : i + size] for i in range(0, len(whole), size)]
        assert feed_all(chunks) == expected


def test_unterminated_last_line_is_kept_until_flush() -> None:
    parser = SidebandParser()
    assert parser.feed(b"Compressing objects:  50% (1/2)") == []
    assert parser.feed(b"\rCompressing objects: 100% (2/2)") == [TransferProgress(Phase.COMPRESSING, 1, 2)]
    assert parser.flush() == [TransferProgress(Phase.COMPRESSING, 2, 2)]
    assert parser.flush() == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def receiving(n: int) -> TransferProgress:
    return TransferProgress(Phase.RECEIVING, n, 1000, n * 100)


def test_throttle_passes_at_most_ten_a_second() -> None:
    clock = FakeClock()
    seen: list[TransferProgress] = []
    throttle = ProgressThrottle(seen.append, per_second=10, clock=clock)
    for n in range(1000):  # 1,000 updates over one second
        throttle(receiving(n))
        clock.now += 0.001
    assert 9 <= len(seen) <= 11
    assert all(b.current - a.current >= 100 for a, b in itertools.pairwise(seen))


def test_throttle_always_passes_a_phase_change_and_the_final_state() -> None:
    clock = FakeClock()
    seen: list[TransferProgress] = []
    throttle = ProgressThrottle(seen.append, clock=clock)
    throttle(TransferProgress(Phase.COUNTING, 1, 10))
    throttle(TransferProgress(Phase.COUNTING, 5, 10))  # too soon: held
    throttle(receiving(1))  # phase change: at once, after the counting phase's last state
    throttle(receiving(2))
    throttle(receiving(3))  # held, then flushed
    assert [(u.phase, u.current) for u in seen] == [
        (Phase.COUNTING, 1),
        (Phase.COUNTING, 5),
        (Phase.RECEIVING, 1),
    ]
    throttle.flush()
    assert seen[-1] == receiving(3)
    throttle.flush()
    assert seen[-1] == receiving(3) and len(seen) == 4


def test_throttle_passes_an_update_once_the_interval_has_passed() -> None:
    clock = FakeClock()
    seen: list[TransferProgress] = []
    throttle = ProgressThrottle(seen.append, clock=clock)
    throttle(receiving(1))
    clock.now += 0.06
    throttle(receiving(2))
    clock.now += 0.06
    throttle(receiving(3))
    assert [u.current for u in seen] == [1, 3]


def test_an_endless_line_is_held_to_max_line_bytes() -> None:
    parser = SidebandParser()
    assert parser.feed(b"Counting objects: 1") == []
    for _ in range(2000):  # 128 MiB of one line, no \r or \n
        assert parser.feed(b"9" * 65515) == []
        assert len(parser._partial) <= MAX_LINE
    # the line ends: its kept head is parsed (the count cut where the cap cut it)
    update, after = parser.feed(b"\nCompressing objects: 50% (1/2)\r")
    assert update.phase is Phase.COUNTING and len(str(update.current)) == MAX_LINE - len("Counting objects: ")
    assert after == TransferProgress(Phase.COMPRESSING, 1, 2)
    assert parser.feed(b"") == [] and parser.flush() == []


def test_bounded_lines_keep_every_short_line_whatever_the_chunking() -> None:
    text = b"a\r" + b"x" * 3000 + b"\nbb\n" + b"y" * 5000
    for size in (1, 7, 1024, 4096):
        partial, lines = b"", []
        for start in range(0, len(text), size):
            done, partial = bounded_lines(partial, text[start : start + size])
            lines += done
            assert len(partial) <= MAX_LINE
        assert lines == [b"a", b"x" * MAX_LINE, b"bb"] and partial == b"y" * MAX_LINE
