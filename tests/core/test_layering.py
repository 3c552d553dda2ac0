"""The layers of docs/ARCHITECTURE.md, enforced: no import runs upward, the core never
imports Qt, and the GUI reaches the core only through its façade.

Every `import` and `from ... import` in every module counts, including those inside
functions and under `TYPE_CHECKING`: a layer that needs a type from above has the
type in the wrong place.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"

# Lowest first. A module may import from its own layer and from lower ones, never from
# a higher one; the git adapter and the store, though on one layer, never import
# each other.
LAYERS: list[list[str]] = [
    [
        "core.version",
        "core.phrase",
        "core.results",
        "core.errors",
        "core.model",
        "core.repo_state",
        "core.atomic_file",
        "core.paths",
        "core.settings",
        "core.remote_url",
        "core.logs",
        "core.lazy_log",
        "core.platform",
        "core.cli_socket",
    ],
    ["core.credentials", "core.offload"],
    ["core.git", "core.store"],  # SIBLINGS: the engine joins them
    ["core.pool", "core.pool_cost", "core.journal", "core.events"],
    ["core.engine"],
    [
        "core.api",
        "core.first_paint",
        "core.cli",
        "core.cli_parser",
        "core.cli_output",
        "core.cli_json",
        "core.cli_simple",
        "core.cli_conflicts",
        "core.cli_engine",
        "core.cli_exit",
        "core.cli_replay",
    ],
    ["gui"],
]

# All the GUI may import from the core. Commands and everything after the first paint:
# the façade. Before it (core.api imports the engine: SQLAlchemy, dulwich), the window
# paints from what these light modules give it.
GUI_MAY_IMPORT: dict[str, str] = {
    "core.api": "the façade: every command, and the types that go with them",
    "core.first_paint": "the status store's picture before the engine is imported",
    "core.model": "data types the first paint shows (records, branch statuses, states)",
    "core.results": "result kinds the first paint shows",
    "core.phrase": "an engine message's templates and fields, said in the app's language",
    "core.events": "event types, for type hints of the views the first paint builds",
    "core.paths": "start-up: where the data lives",
    "core.logs": "start-up: logging",
    "core.platform": "start-up (open-file limit) and start at login",
    "core.cli": "the `gitferry` command hands a command line to the CLI",
    "core.cli_engine": "`gitferry sync` asks a running engine before the CLI is imported",
    "core.cli_exit": "a `gitferry` command ends its process once done",
    "core.version": "`gitferry --version`, answered before anything else is imported",
}
# The façade's parts: a view that holds one of these is reaching past the façade.
FACADE_PARTS = frozenset({"core", "daemon", "engine", "scheduler", "store", "offload", "bus"})

# Inside the git adapter, sub-packages by concern, lowest first.
GIT_LAYERS: list[list[str]] = [
    [
        "core.git.repository",
        "core.git.progress",
        "core.git.parsed_config",
        "core.git.global_config",
        "core.git.git_dirs",
        "core.git.packed_refs",
    ],
    ["core.git.locks"],
    ["core.git.sync_inputs"],  # the sync lock's own file is not one of its facts
    ["core.git.config"],
    ["core.git.objects"],
    ["core.git.index"],
    ["core.git.content"],
    ["core.git.history"],
    ["core.git.transfer"],
    ["core.git.worktree"],
    ["core.git.merge"],
]

SIBLINGS = {"core.git", "core.store"}

Place = tuple[int, str]


def _place(module: str, layers: list[list[str]]) -> Place | None:
    best: tuple[int, str] | None = None
    for rank, groups in enumerate(layers):
        for group in groups:
            if (module == group or module.startswith(group + ".")) and (
                best is None or len(group) > len(best[1])
            ):
                best = (rank, group)
    return best


def upward(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, or None when it may."""
    for layers in (LAYERS, GIT_LAYERS):
        a, b = _place(importer, layers), _place(imported, layers)
        if a is None or b is None or a[1] == b[1]:
            continue
        if b[0] > a[0]:
            return f"{importer} (layer {a[1]}) imports {imported} from the higher layer {b[1]}"
        if b[0] == a[0] and {a[1], b[1]} <= SIBLINGS:
            return f"{importer} ({a[1]}) imports {imported} from its sibling {b[1]}"
    return None


def _modules() -> Iterator[tuple[str, Path]]:
    for top in ("core", "gui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imports_of(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_import_runs_upward() -> None:
    problems = sorted(
        {
            why
            for module, path in _modules()
            for imported in imports_of(path)
            if imported.split(".")[0] in ("core", "gui") and (why := upward(module, imported)) is not None
        }
    )
    assert not problems, "\n".join(problems)


def gui_import_problem(imported: str) -> str | None:
    """Why a GUI module may not import `imported` from the core, or None when it may."""
    if imported.split(".")[0] != "core":
        return None
    if any(imported == allowed or imported.startswith(allowed + ".") for allowed in GUI_MAY_IMPORT):
        return None
    return f"imports {imported}: the GUI goes through core.api"


def test_the_gui_imports_only_the_facade_and_light_data_modules() -> None:
    problems = sorted(
        f"{module} {why}"
        for module, path in _modules()
        if module.startswith("gui")
        for imported in imports_of(path)
        if (why := gui_import_problem(imported)) is not None
    )
    assert not problems, "\n".join(problems)


def test_the_gui_reaches_into_no_part_behind_the_facade() -> None:
    """No `.daemon`, `.scheduler`, `.engine`, `.store`...: what a repository is doing is
    its published state, and every command is a method of `core.api.Api`."""
    problems = sorted(
        f"{module}:{node.lineno} uses .{node.attr}"
        for module, path in _modules()
        if module.startswith("gui")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and node.attr in FACADE_PARTS
    )
    assert not problems, "\n".join(problems)


def test_the_gui_check_sees_a_forbidden_import() -> None:
    assert gui_import_problem("core.git.progress.TransferProgress") is not None
    assert gui_import_problem("core.store.status_store") is not None
    assert gui_import_problem("core.engine.daemon") is not None
    assert gui_import_problem("core.apis") is not None  # a prefix is not the module
    assert gui_import_problem("core.api.TransferProgress") is None
    assert gui_import_problem("core.platform.fd_limit") is None


def test_the_first_paint_imports_neither_the_engine_nor_its_libraries() -> None:
    """`gui.app` paints the window before it imports `core.api`; this keeps it so."""
    heavy = ("sqlalchemy", "dulwich", "aiosqlite", "core.api", "core.engine", "core.store.status_store")
    script = (
        "import sys, gui.app\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({heavy!r}))\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m, _ in _modules() if m.startswith("core.") and _place(m, LAYERS) is None]
    unplaced += [m for m, _ in _modules() if m.startswith("core.git.") and _place(m, GIT_LAYERS) is None]
    assert not unplaced, f"modules with no layer in this test: {unplaced}"


def test_the_check_sees_an_upward_import() -> None:
    """The rule itself, on imports that would break it (so the test above can fail)."""
    assert upward("core.git.history.branch_status", "core.store.status_store") is not None
    assert upward("core.store.recovery", "core.git.config.remote_config") is not None
    assert upward("core.events", "core.engine.daemon") is not None
    assert upward("core.git.objects.pack_ingest", "core.git.transfer.fetch") is not None
    assert upward("core.credentials", "core.git.transfer.errors") is not None
    assert upward("core.engine.sync", "core.git.merge.integrate") is None
    assert upward("core.git.merge.integrate", "core.git.worktree.checkout") is None


def test_core_imports_no_qt() -> None:
    modules = sorted(m for m, _ in _modules() if m.startswith("core") and not m.endswith("__main__"))
    script = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync', 'shiboken6')]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
