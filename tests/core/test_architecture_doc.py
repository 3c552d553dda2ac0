"""docs/ARCHITECTURE.md names only modules that exist, and nothing in the repository
points outside it (to design notes that are not part of the project)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"

# `core/x/y.py`, `gui/x.py`: a file path, not preceded by another path segment.
FILE_PATH = re.compile(r"(?<![\w/.])(?:core|gui)/[\w/]+\.py\b")
# `core.x.y`: a dotted module name (lowercase segments only, so git's own
# `core.excludesFile` and the like are not taken for one).
DOTTED = re.compile(r"(?<![\w./])core(?:\.[a-z_][a-z0-9_]*)+(?!\w|\.\w)")

# Spelled in pieces so that this file does not mention them itself.
OUTSIDE = ("SPEC" + ".md", "DESIGN" + ".md", "DULWICH" + "_NOTES", "../" + "shared")
SKIPPED_DIRS = {".git", ".venv", "build", "dist", "__pycache__", ".cache", ".mypy_cache", ".ruff_cache"}


def named_files(text: str) -> set[str]:
    return set(FILE_PATH.findall(text))


def dotted_modules(text: str) -> set[str]:
    return set(DOTTED.findall(text))


def module_exists(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_the_doc_names_files_and_modules() -> None:
    """The extraction itself: the test below checks something."""
    text = DOC.read_text()
    assert len(named_files(text)) > 50
    assert {"core.git", "core.store", "core.engine"} <= dotted_modules(text)
    assert named_files("see `core/git/a.py` and core/b/c.py, not x/core/d.py") == {
        "core/git/a.py",
        "core/b/c.py",
    }
    assert dotted_modules("`core.git.history`, core.excludesFile, core.x.") == {"core.git.history", "core.x"}


def test_every_module_the_doc_names_exists() -> None:
    text = DOC.read_text()
    missing = sorted(p for p in named_files(text) if not (ROOT / p).is_file())
    missing += sorted(m for m in dotted_modules(text) if not module_exists(m))
    assert not missing, f"docs/ARCHITECTURE.md names modules that do not exist: {missing}"


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.split(b"\0")
    files = [ROOT / name.decode() for name in listed if name]
    return [f for f in files if f.is_file() and not SKIPPED_DIRS.intersection(f.relative_to(ROOT).parts)]


def test_nothing_points_outside_the_repository() -> None:
    found = []
    for path in _repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # images, icons
        for name in OUTSIDE:
            if name in text:
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert not found, "files that point outside the repository:\n" + "\n".join(found)
