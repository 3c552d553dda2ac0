"""English's plural forms are complete and compiled: every `%n` text in gui/ has its
singular and plural in resources/translations/gitferry_en.ts, and the shipped .qm is
what pyside6-lrelease makes of that file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "gitferry_en.ts"


def test_every_plural_text_has_english_forms_and_the_ts_file_is_current() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "plurals_en.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr or "run: make translations"


def test_the_shipped_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(tmp_path / "en.qm")], check=True)
    assert (tmp_path / "en.qm").read_bytes() == TS.with_suffix(".qm").read_bytes()
