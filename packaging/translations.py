"""Bring each language's translation up to the code: resources/translations/gitferry_XX.ts
(every language but English, whose file packaging/plurals_en.py writes) and its .qm.

    .venv/bin/python packaging/translations.py           # update every .ts, compile every .qm
    .venv/bin/python packaging/translations.py --check   # exit 1 unless each .ts is current,
                                                         # complete and compiled

The texts are found as plurals_en.py finds them (Python's own parser over gui/, and over
core/ for the engine's message templates, `phrase("...")` in context `Engine`), not by
pyside6-lupdate, which takes `translate(context, "%n files", None, n)` with a variable
count for a text without plural forms and drops the forms a translator gave it. Each
text keeps the translation it had (a translator edits the .ts with pyside6-linguist);
a new one arrives unfinished; a text the code no longer uses goes.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from plurals_en import ROOT, compiled, translatable_texts

FOLDER = ROOT / "resources" / "translations"


def known(ts: Path) -> tuple[str, dict[tuple[str, str], ET.Element]]:
    """The file's language and its translations by (context, source text)."""
    root = ET.parse(ts).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None:
                found[(name, message.findtext("source", ""))] = translation
    return root.get("language", ""), found


def updated(language: str, old: dict[tuple[str, str], ET.Element], texts: set[tuple[str, str]]) -> str:
    root = ET.Element("TS", version="2.1", language=language)
    for context in sorted({c for c, _ in texts}):
        element = ET.SubElement(root, "context")
        ET.SubElement(element, "name").text = context
        for _c, text in sorted(t for t in texts if t[0] == context):
            message = ET.SubElement(element, "message")
            if "%n" in text:
                message.set("numerus", "yes")
            ET.SubElement(message, "source").text = text
            translation = old.get((context, text))
            if translation is None:
                translation = ET.Element("translation", type="unfinished")
                if "%n" in text:
                    ET.SubElement(translation, "numerusform")
                    ET.SubElement(translation, "numerusform")
            message.append(translation)
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(root, "unicode") + "\n"


def unfinished(ts: Path) -> list[str]:
    return [f"{ctx}: {src!r}" for (ctx, src), tr in known(ts)[1].items() if not finished(tr)]


def finished(translation: ET.Element) -> bool:
    if translation.get("type") in {"unfinished", "vanished", "obsolete"}:
        return False
    forms = translation.findall("numerusform")
    return all(form.text for form in forms) if forms else bool(translation.text)


def languages() -> list[Path]:
    return sorted(p for p in FOLDER.glob("gitferry_*.ts") if p.stem != "gitferry_en")


def main(argv: list[str]) -> int:
    texts = translatable_texts()
    problems = []
    for ts in languages():
        text = updated(*known(ts), texts)
        if "--check" not in argv:
            ts.write_text(text, encoding="utf-8")
            compiled(ts, ts.with_suffix(".qm"))
            continue
        if ts.read_text(encoding="utf-8") != text:
            problems.append(f"{ts.name} is not current with the code: run make translations")
        problems += [f"{ts.name} has no translation for {what}" for what in unfinished(ts)]
    print("\n".join(problems), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
