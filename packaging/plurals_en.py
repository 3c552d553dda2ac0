"""Write English's plural forms: resources/translations/gitferry_en.ts and its .qm.

    .venv/bin/python packaging/plurals_en.py          # write both
    .venv/bin/python packaging/plurals_en.py --check  # exit 1 if a %n text has no forms here

Qt takes the singular and plural of a `%n` text ("%n repositories" with n=1) from a
translation, never from the source text, so English ships one holding only those.
pyside6-lupdate does not see a `translate(context, text, None, n)` whose count is
a variable as a plural, so the texts are found here with Python's own parser:
`self.tr(...)` (context: the enclosing class), `translate("Context", ...)`,
`translate_n("Context", ...)` (gui.models.formatting) and `QT_TRANSLATE_NOOP("Context", ...)`
calls in gui/ whose text holds `%n`. Each one needs its two forms in FORMS below (a text
whose two forms read as it does: once, in SAME_IN_BOTH); the .qm is compiled by
pyside6-lrelease. The engine's templates, `phrase("...")` in core/ (context `Engine`,
`core.phrase`), say their English forms themselves: "(s)" and "(es)" are the plural's ending.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "translations" / "gitferry_en.ts"
SOURCES = (ROOT / "gui", ROOT / "core")  # the app's texts, and the engine's templates
sys.path.insert(0, str(ROOT))

from core.phrase import ENGINE, english_forms  # noqa: E402  (the engine's own rule, after ROOT)

# Texts whose singular and plural read the same in English: each is its own two forms.
SAME_IN_BOTH = (
    "%n with a warning",
    "%n with a branch left behind or ahead",
    "%n syncing",
    "%n to sync",
    "%n not synced yet",
    "%n cancelled",
    "%n offline",
    "%n with a tripped remote",
    "%1: %n ahead",
    "%1: %n behind",
    "%1: %n ahead, not checked out",
    "%1: %n behind, not checked out",
    "%1: %n ahead, checked out in %2",
    "%1: %n behind, checked out in %2",
    "%1: %n ahead, held by a rebase or bisect in %2",
    "%1: %n behind, held by a rebase or bisect in %2",
    "and %n more",
    "%1 diverged, %n more to sync",
    "%1 diverged, +%n",
    "%1 branches diverged, +%n",
    "%1 branches diverged, %n more to sync",
    "%n skipped",
)

FORMS: dict[str, tuple[str, str]] = {
    **{text: (text, text) for text in SAME_IN_BOTH},
    "%n repositories": ("%n repository", "%n repositories"),
    "Made here · %1: %n copies of this computer's version (keep both)": (
        "Made here · %1: %n copy of this computer's version (keep both)",
        "Made here · %1: %n copies of this computer's version (keep both)",
    ),
    "%1 of %n repositories synced": ("%1 of %n repository synced", "%1 of %n repositories synced"),
    "%n need(s) you": ("%n needs you", "%n need you"),
    "%n repositories need you": ("%n repository needs you", "%n repositories need you"),
    "Conflict: %n file(s)": ("Conflict: %n file", "Conflict: %n files"),
    "%n file(s) skipped": ("%n file skipped", "%n files skipped"),
    "%n branches to sync": ("%n branch to sync", "%n branches to sync"),
    "%n branches diverged": ("%n branch diverged", "%n branches diverged"),
    "%n branches behind, left as they are": (
        "%n branch behind, left as it is",
        "%n branches behind, left as they are",
    ),
    "%n branches ahead, left as they are": (
        "%n branch ahead, left as it is",
        "%n branches ahead, left as they are",
    ),
    "%n branches behind or ahead, left as they are": (
        "%n branch behind or ahead, left as it is",
        "%n branches behind or ahead, left as they are",
    ),
    "%1: %n commit(s) on no remote": ("%1: %n commit on no remote", "%1: %n commits on no remote"),
    "%n branch(es) not published": ("%n branch not published", "%n branches not published"),
    "%n commit(s) of {branch} on no remote: Publish branch pushes it and sets its upstream": (
        "%n commit of {branch} is on no remote: Publish branch pushes it and sets its upstream",
        "%n commits of {branch} are on no remote: Publish branch pushes it and sets its upstream",
    ),
    "%n conflicted path(s). Select one to see both versions.": (
        "%n conflicted path. Select it to see both versions.",
        "%n conflicted paths. Select one to see both versions.",
    ),
    "%n commit(s)": ("%n commit", "%n commits"),
    "%n failure(s) since %1": ("%n failure since %1", "%n failures since %1"),
    "%n file(s) changed": ("%n file changed", "%n files changed"),
    "Committed %n file(s)": ("Committed %n file", "Committed %n files"),
    "Conflicted %n file(s)": ("Conflicted %n file", "Conflicted %n files"),
    "Skipped %n file(s)": ("Skipped %n file", "Skipped %n files"),
    "\N{HORIZONTAL ELLIPSIS}and %n more commit(s)": (
        "\N{HORIZONTAL ELLIPSIS}and %n more commit",
        "\N{HORIZONTAL ELLIPSIS}and %n more commits",
    ),
    "\N{HORIZONTAL ELLIPSIS}and %n more file(s)": (
        "\N{HORIZONTAL ELLIPSIS}and %n more file",
        "\N{HORIZONTAL ELLIPSIS}and %n more files",
    ),
}


def plural_texts() -> set[tuple[str, str]]:
    """(context, text) of every translatable text with `%n`."""
    return {(context, text) for context, text in translatable_texts() if "%n" in text}


def translatable_texts(folders: tuple[Path, ...] = SOURCES) -> set[tuple[str, str]]:
    """(context, text) of every translatable text under `folders`: the app's, and the
    engine's templates (`phrase("text", ...)`, context `Engine`)."""
    found: set[tuple[str, str]] = set()
    for path in sorted(p for folder in folders for p in folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        classes: dict[ast.AST, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for child in ast.walk(node):
                    classes.setdefault(child, node.name)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name == "tr" and texts and node in classes:
                context, text = classes[node], texts[0]
            elif name in ("translate", "translate_n", "QT_TRANSLATE_NOOP") and len(texts) >= 2:
                context, text = texts[0], texts[1]
            elif name == "phrase" and node.args and node.args[0] is _first_literal(node):
                context, text = ENGINE, texts[0]
            else:
                continue
            found.add((context, text))
    return found


def _first_literal(node: ast.Call) -> ast.expr | None:
    first = node.args[0] if node.args else None
    return first if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def english(context: str, text: str) -> tuple[str, str]:
    """A `%n` text's English singular and plural."""
    return english_forms(text) if context == ENGINE else FORMS[text]


def ts_file(texts: set[tuple[str, str]]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1" language="en">']
    for context in sorted({c for c, _ in texts}):
        lines += ["<context>", f"    <name>{escape(context)}</name>"]
        for _c, text in sorted(t for t in texts if t[0] == context):
            one, many = english(context, text)
            lines += [
                '    <message numerus="yes">',
                f"        <source>{escape(text)}</source>",
                "        <translation>",
                f"            <numerusform>{escape(one)}</numerusform>",
                f"            <numerusform>{escape(many)}</numerusform>",
                "        </translation>",
                "    </message>",
            ]
        lines.append("</context>")
    lines.append("</TS>")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    texts = plural_texts()
    missing = sorted(text for context, text in texts if context != ENGINE and text not in FORMS)
    if missing:
        print("no English forms for: " + ", ".join(missing), file=sys.stderr)
        return 1
    if "--check" in argv:
        return 0 if OUT.is_file() and OUT.read_text(encoding="utf-8") == ts_file(texts) else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(ts_file(texts), encoding="utf-8")
    compiled(OUT, OUT.with_suffix(".qm"))
    return 0


def compiled(ts: Path, qm: Path) -> None:
    """pyside6-lrelease of `ts` into `qm`, written beside it and renamed over it: Qt maps a
    loaded .qm into memory, and one rewritten in place under a running app or test run
    killed it with SIGBUS (a helper's `tests/gui` run)."""
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    part = qm.with_name(qm.name + ".part")
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(part)], check=True, timeout=120)
    os.replace(part, qm)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
