"""The benches' peak-RSS wrapper reports the measured command's own size, not the size of
the (large) process that started it: Linux keeps the high-water mark through fork and exec."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.children import peak_and_cpu

# A parent of about 200 MiB runs a small command straight and through the wrapper.
PARENT = """
import os, resource, subprocess, sys
from bench.children import peak_measured
ballast = bytearray(200 * 1024 * 1024)
ballast[:: 4096] = b"x" * len(ballast[:: 4096])
small = [sys.executable, "-I", "-S", "-c", "pass"]
_pid, _status, straight = os.wait4(subprocess.Popen(small).pid, 0)
wrapped = subprocess.run(peak_measured(small), capture_output=True, text=True, check=True)
print(straight.ru_maxrss)
print(wrapped.stderr.strip().splitlines()[-1])
"""


@pytest.mark.slow
def test_the_wrapper_reports_the_commands_peak_not_its_parents() -> None:
    out = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, check=True)
    straight, wrapped = out.stdout.splitlines()
    assert int(straight) > 200 * 1024  # the defect the wrapper is for: the parent's size
    peak_kib, cpu = peak_and_cpu(wrapped)
    assert 0 < peak_kib < 64 * 1024
    assert cpu >= 0.0
