"""Timing summaries and the side-by-side tables every benchmark prints."""

from __future__ import annotations

import math
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

_MIB = 1024 * 1024


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default). With few
    samples the high percentiles are close to the maximum: read them as such."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    samples: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def p(self, pct: float) -> float:
        return percentile(self.samples, pct)


def timed(fn: Callable[[], object]) -> float:
    """Seconds that one call of `fn` took."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    contenders: Mapping[str, Callable[[], object]],
    runs: int,
    warmup: int = 1,
    setup: Callable[[str], None] | None = None,
    check: Callable[[str], None] | None = None,
) -> dict[str, Summary]:
    """Time each contender `runs` times, alternating between them run by run so a
    drift in the machine's load falls on every side alike. `setup(name)` runs
    before and `check(name)` after every call, both untimed."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(warmup + runs):
        for name, fn in contenders.items():
            if setup is not None:
                setup(name)
            elapsed = timed(fn)
            if check is not None:
                check(name)
            if round_ >= warmup:
                samples[name].append(elapsed)
    return {name: Summary(tuple(values)) for name, values in samples.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


@dataclass
class Table:
    """A plain-text table; the first row added is the baseline that ratios refer to."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def note(self, text: str) -> None:
        self.notes.append(text)

    def render(self) -> str:
        widths = [max(len(row[i]) for row in [self.columns, *self.rows]) for i in range(len(self.columns))]

        def line(cells: list[str]) -> str:
            first = cells[0].ljust(widths[0])
            rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
            return "  ".join([first, *rest]).rstrip()

        rule = "-" * len(line(self.columns))
        out = [self.title, rule, line(self.columns), rule, *map(line, self.rows), rule]
        out.extend(f"  {text}" for text in self.notes)
        return "\n".join(out)


def median_after_warmup(values: Sequence[float]) -> float:
    """The median of `values` with the first (the warm-up run, as `interleaved` runs one) left out."""
    return statistics.median(values[1:])


def print_with_load(make: Callable[[], Table]) -> None:
    """Print the table `make` builds, with the load average (1 min) before and after it."""
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f} before the set-up", flush=True)
    print(make().render(), flush=True)
    print(f"[bench] load average (1 min) {os.getloadavg()[0]:.2f} at the end", flush=True)


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline > 0 else "n/a"


def against_git(summary: Summary, git: Summary, cpu: float, git_cpu: float) -> list[str]:
    """A contender's cells beside git's: median, p95, p99, the ratio, CPU median and its ratio."""
    return [
        ms(summary.median),
        ms(summary.p(95)),
        ms(summary.p(99)),
        ratio(summary.median, git.median),
        ms(cpu),
        ratio(cpu, git_cpu),
    ]


def timing_table(title: str, results: dict[str, Summary], baselines: dict[str, str]) -> Table:
    """Median, p50/p95/p99 and min/max in ms, with each row's median against every
    baseline (`{column label: row name}`)."""
    columns = ["", "runs", "median", "p50", "p95", "p99", "min", "max"]
    table = Table(title, columns + [f"vs {label}" for label in baselines])
    for name, summary in results.items():
        table.add(
            name,
            summary.n,
            ms(summary.median),
            ms(summary.p(50)),
            ms(summary.p(95)),
            ms(summary.p(99)),
            ms(min(summary.samples)),
            ms(max(summary.samples)),
            *(ratio(summary.median, results[row].median) for row in baselines.values()),
        )
    table.note("times in ms; each ratio = this row's median / that row's median")
    return table


VERSUS_GIT = ["", "runs", "median ms", "p95 ms", "vs git", "vs git v0"]


def versus_git(name: str, results: dict[str, Summary], git: str, git_v0: str) -> list[str]:
    """A row under `VERSUS_GIT`: runs, median, p95, and the median against both git rows."""
    summary = results[name]
    return [
        name,
        str(summary.n),
        ms(summary.median),
        ms(summary.p(95)),
        ratio(summary.median, results[git].median),
        ratio(summary.median, results[git_v0].median),
    ]


def counted(values: set[int]) -> str:
    """A count seen over the runs: one number when they agree, each one when they do not."""
    return "/".join(str(v) for v in sorted(values)) if values else "-"


Timings = dict[str, float]  # a report's `timings_ms`: ms per phase


def add_phase_rows(table: Table, runs_by_column: dict[str, list[Timings]]) -> None:
    """A row per phase of gitferry's reports, median ms in each column's runs, then their sum."""
    columns = list(runs_by_column.values())
    for phase in sorted({phase for runs in columns for t in runs for phase in t}):
        table.add(phase, *(f"{statistics.median(t.get(phase, 0.0) for t in runs):.1f}" for runs in columns))
    table.add("sum", *(f"{statistics.median(sum(t.values()) for t in runs):.1f}" for runs in columns))


def yes_no(ok: bool) -> str:
    return "yes" if ok else "NO"


def versus(title: str, results: dict[str, Summary], *, dulwich: str, git_row: str | None) -> Table:
    """Median and p95 of every row, and its median against dulwich's and git's rows."""
    table = Table(title, ["", "runs", "median ms", "p95 ms", "vs dulwich", "vs git"])
    for name, summary in results.items():
        table.add(
            name,
            summary.n,
            ms(summary.median),
            ms(summary.p(95)),
            ratio(summary.median, results[dulwich].median),
            ratio(summary.median, results[git_row].median) if git_row else "-",
        )
    table.note("ratio = this row's median / that row's median; git rows include starting the process")
    return table


def traced(fn: Callable[[], object]) -> tuple[float, float]:
    """MiB of Python allocations (tracemalloc) still held by what one call returned, and
    at the call's peak."""
    tracemalloc.start()
    try:
        result = fn()
        held, peak = tracemalloc.get_traced_memory()
        del result
        return held / _MIB, peak / _MIB
    finally:
        tracemalloc.stop()
