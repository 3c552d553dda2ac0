"""The app speaks the user's language: the German translation shipped with it is used on a
German desktop, says git's own words as git does, is compiled from its .ts, and no text is
hidden from the tools that collect them (packaging/plurals_en.py's parser, and lupdate)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from gui.translations import TRANSLATIONS_DIR, install_translations

ROOT = Path(__file__).resolve().parents[2]
GERMAN = TRANSLATIONS_DIR / "gitferry_de.ts"
# git's own words keep git's names in the German text, as git's German users read them in
# git's own messages: a source text that says one says it too.
GLOSSARY = {r"\bbranch(es)?\b": "branch", r"\bcommits?\b": "commit", r"\bpush(ed|es|ing)?\b": "push"}


def messages(ts: Path) -> list[tuple[str, str, list[str]]]:
    """(context, source, translated texts) of every message in a .ts file."""
    found = []
    for context in ET.parse(ts).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            texts = [f.text or "" for f in translation.findall("numerusform")] or [translation.text or ""]
            found.append((context.findtext("name", ""), message.findtext("source", ""), texts))
    return found


def test_the_compiled_german_is_its_ts_file(tmp_path: Path) -> None:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    qm = tmp_path / "de.qm"
    subprocess.run([str(lrelease), "-silent", str(GERMAN), "-qm", str(qm)], check=True, timeout=60)
    assert qm.read_bytes() == GERMAN.with_suffix(".qm").read_bytes()


def test_every_shipped_language_is_current_with_the_code_and_complete() -> None:
    """packaging/translations.py --check: each .ts holds exactly the code's texts (a new text in
    gui/ without its German fails here: run make translations and translate it) and none is
    left unfinished (the .qm: test_the_compiled_german_is_its_ts_file)."""
    check = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "translations.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr


def test_git_words_read_as_git_says_them() -> None:
    mismatched = [
        f"{source!r} -> {texts!r}"
        for _, source, texts in messages(GERMAN)
        for pattern, word in GLOSSARY.items()
        if re.search(pattern, source, re.IGNORECASE) and any(t and word not in t.lower() for t in texts)
    ]
    assert not mismatched, "\n".join(mismatched)


# Gitferry's own ideas have one German word each, whatever the sentence (a user trial found
# "Letzter Abgleich" beside "Letzte Synchronisierung"): a source text that says the idea
# says the word, and no German text uses another word for it.
TERMS = {
    "sync": (r"\bsync", r"synchron", r"abgleich"),
    "fetch": (r"\bfetch", r"abruf|abgeruf|ruf\w* .*\bab\b", r"fetch|hol(en|t)\b"),
    "conflict": (r"\bconflict(s|ed)?\b", r"konflikt", r"widersprüchlich"),
    "diverged": (r"\bdiverge", r"abgewichen|abweich", r"divergier|auseinander"),
    "skipped": (r"\bskipped\b|left out of", r"übersprungen|überspring", r"ausgelassen|ausließ|heraus\b"),
    "remote": (r"\bremotes?\b", r"remote", r"\bentfernte[nsr]?\b"),
    "selected": (r"\bselected\b", r"ausgewählt", r"(?<!aus)gewählte"),
    "credentials": (r"\bcredentials?\b", r"zugangsdaten", r"anmeldedaten"),
    "pushed": (r"\bpushed\b", r"gepusht", r"per push"),
}


def test_each_idea_has_one_german_word() -> None:
    wrong = []
    for _, source, texts in messages(GERMAN):
        for idea, (said, word, other) in TERMS.items():
            for text in texts:
                if re.search(other, text, re.IGNORECASE):
                    wrong.append(f"{idea}: {text!r} (for {source!r}) says {other!r}")
                elif re.search(said, source, re.IGNORECASE) and not re.search(word, text, re.IGNORECASE):
                    wrong.append(f"{idea}: {text!r} (for {source!r}) does not say {word!r}")
    assert not wrong, "\n".join(wrong)


def test_every_translation_keeps_its_placeholders() -> None:
    """A translation that loses or renames `%1` or `{branch}` shows a raw placeholder, or
    raises KeyError in `.format(branch=...)`; `&` shortcuts and markup are the translator's."""
    placeholder = re.compile(r"%\d|%n|\{\w*\}")
    broken = [
        f"{context}: {source!r} -> {text!r}"
        for ts in sorted(TRANSLATIONS_DIR.glob("gitferry_*.ts"))
        for context, source, texts in messages(ts)
        for text in texts
        if text and sorted(placeholder.findall(text)) != sorted(placeholder.findall(source))
    ]
    assert not broken, "\n".join(broken)


def test_no_text_is_hidden_from_the_collectors() -> None:
    """Both read literals only: `tr(text)` with a variable, or a wrapper around translate,
    would leave a text untranslated without anyone noticing. A variable text is fine only
    where its module marks its table of texts with QT_TRANSLATE_NOOP in the same context.
    The one wrapper is `translate_n` (a count past Qt's int), which both collectors know
    by name: its callers are held to literals as translate's are. The engine's templates
    (context `ENGINE`, gui/models/engine_words.py) are collected from core/, where each is a
    literal (tests/core/test_phrase.py)."""
    hidden = []
    for path in sorted((ROOT / "gui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrapper = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and f.name == "translate_n"
            for n in ast.walk(f)
        }
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and id(n) not in wrapper]
        marked = {
            node.args[0].value
            for node in calls
            if getattr(node.func, "id", "") == "QT_TRANSLATE_NOOP" and isinstance(node.args[0], ast.Constant)
        }
        for node in calls:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            literals = {"tr": 1, "translate": 2, "translate_n": 2, "QT_TRANSLATE_NOOP": 2}.get(name)
            if literals is None:
                continue
            args = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:literals]]
            if name.startswith("translate") and node.args and getattr(node.args[0], "id", "") == "ENGINE":
                continue  # an engine message's template: core.phrase
            context = node.args[0].value if name.startswith("translate") and args and args[0] else None
            if len(args) < literals or not all(args[:1] if context in marked else args):
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not hidden, "tr/translate with a text or context that is no literal:\n" + "\n".join(hidden)


# Calls whose text arguments are shown to the user: a literal (or an f-string with words in
# it) passed straight to one of them is a text no translation can reach.
SHOWN = {
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip", "setWhatsThis",
    "setAccessibleName", "setAccessibleDescription", "setTitle", "setInformativeText", "setDetailedText",
    "setTabText", "setTabToolTip", "showMessage", "show_error", "show_ok", "notify", "confirm",
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu", "QToolButton",
    "addAction", "addMenu", "addTab", "insertTab", "addRow", "addButton", "addItem",
    "setHorizontalHeaderLabels", "setHeaderLabels", "QMessageBox", "getExistingDirectory", "getOpenFileName",
    "getSaveFileName", "setButtonText",
}  # fmt: skip
MESSAGE_BOX = {"information", "warning", "critical", "question", "about"}  # on QMessageBox only (not log.*)
NOT_WORDS = {"Gitferry"}  # the product's name


def _words(node: ast.expr) -> str | None:
    """The text a shown argument carries when no translation reaches it (None: nothing to translate)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    else:
        return None
    words = re.sub(r"<[^<>]*>|&\w+;", "", text)  # markup is no text
    if text in NOT_WORDS or not re.search(r"[A-Za-z]{2,}", words):
        return None
    if not re.search(r"\s", text) and "/" in text:  # an example URL or path in a placeholder
        return None
    return text


def test_every_shown_literal_goes_through_translation() -> None:
    """setText("Save"), QPushButton(f"Sign in to {x}"), QMessageBox.critical(None, "Title", ...):
    a text shown as written, in English on every desktop. It belongs in tr/translate."""
    untranslated = []
    for path in sorted((ROOT / "gui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            receiver = getattr(getattr(func, "value", None), "id", "")
            if name not in SHOWN and not (name in MESSAGE_BOX and receiver == "QMessageBox"):
                continue
            args = node.args[:1] if name == "addItem" else [*node.args, *(k.value for k in node.keywords)]
            for arg in args:
                for part in arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]:
                    text = _words(part)
                    if text is not None:
                        untranslated.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}({text!r})")
    assert not untranslated, "shown without tr/translate:\n" + "\n".join(untranslated)


def test_a_german_desktop_gets_german_text_and_plurals(qapp: QApplication) -> None:
    before = [t for t in install_translations(qapp, QLocale("en_US"))]
    for translator in before:
        qapp.removeTranslator(translator)
    installed = install_translations(qapp, QLocale("de_DE"))
    try:
        assert QCoreApplication.translate("Tray", "Quit Gitferry") == "Gitferry beenden"
        one = QCoreApplication.translate("Standing", "%n repositories", None, 1)
        many = QCoreApplication.translate("Standing", "%n repositories", None, 3)
        assert (one, many) == ("1 Repository", "3 Repositories")
        # Qt's own buttons too
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
    assert QCoreApplication.translate("Tray", "Quit Gitferry") == "Quit Gitferry"
