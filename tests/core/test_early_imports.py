"""Modules imported in a thread while a sync waits on the network
(`core/platform/early_imports.py`): what the thread loads, and what makes two threads
importing at once safe, no import cycle among Gitferry's modules at module level."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.test_layering import _modules

ROOT = Path(__file__).resolve().parents[2]

# A probe's start: `seen`, each module's name and the thread that looked for it first.
WATCH_IMPORTS = """
import json, sys, threading
seen = {}
class Watch:
    def find_spec(self, name, path=None, target=None):
        seen.setdefault(name, threading.current_thread().name)
sys.meta_path.insert(0, Watch())
"""
LOADED_EARLY = (
    WATCH_IMPORTS
    + """
from core.engine.sync import INTEGRATION
from core.platform.early_imports import load_during
thread = load_during((*INTEGRATION, "core.engine.no_such_module", "core.engine.push_phase"))
thread.join(30)
again = load_during(INTEGRATION)
print(json.dumps([
    thread.name,
    {name: seen.get(name) for name in INTEGRATION},
    "core.engine.push_phase" in sys.modules,
    again is None,
]))
"""
)


def test_the_thread_loads_the_integration_and_stops_at_a_module_that_fails() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", LOADED_EARLY], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # nothing raised, nothing printed
    name, importer, after_failure, again = json.loads(proc.stdout)
    assert (name, again) == ("early-imports", True)
    assert importer == dict.fromkeys(
        ["core.engine.integrate_phase", "core.engine.lfs_phase"], "early-imports"
    )
    assert after_failure is False  # the names after the one that failed were left to their importer


def module_level_imports(path: Path) -> set[str]:
    """What `path` imports as it is executed: its top-level statements (inside `try` and
    `if` too), not a function's body nor a `TYPE_CHECKING` block."""
    found: set[str] = set()
    pending = list(ast.parse(path.read_text(), str(path)).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
        elif isinstance(node, ast.If | ast.Try | ast.With):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending += getattr(node, field, [])
        elif isinstance(node, ast.ExceptHandler):
            pending += node.body
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def import_graph() -> dict[str, set[str]]:
    """Each of Gitferry's modules and the modules (and their packages) it loads as it is executed."""
    modules = dict(_modules())
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        loaded = set()
        for imported in module_level_imports(path):
            parts = imported.split(".")
            loaded |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        graph[name] = {m for m in loaded if m in modules and m != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph`, or None."""
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for after in sorted(graph.get(node, ())):
            if state.get(after) == 1:
                return [*path[path.index(after) :], after] if after in path else [node, after]
            if after not in state:
                found = walk(after, [*path, after])
                if found is not None:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = walk(start, [start])
            if found is not None:
                return found
    return None


def test_no_module_imports_itself_through_others_as_it_loads() -> None:
    """A thread that finds a module another thread is loading waits for it whole unless
    the two are in a cycle (Python then hands one of them the half-made module)."""
    assert cycle(import_graph()) is None


def test_the_cycle_check_sees_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
