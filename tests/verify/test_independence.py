"""The checker is independent of the solver, at run time and in its source.

``import solver.verify`` in a fresh interpreter loads, of the solver, only the checker's
own modules and ``solver.data``, ``solver.errors`` and ``solver.problem`` (so neither an
eager ``solver/__init__`` nor an import inside the checker pulls the solving pipeline in);
every module of the checker imports only those (its source, late imports included); its
import graph has no cycle and no module imports another's private name. The checker's
doctests run with the suite (``--doctest-modules``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "solver" / "verify"
CHECKER = sorted(PACKAGE.rglob("*.py"))
SHARED = ("solver.data", "solver.errors", "solver.problem")  # the solver's part it trusts


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ours(name: str) -> bool:
    return name == "solver.verify" or name.startswith("solver.verify.")


def test_importing_the_checker_loads_none_of_the_solving_code():
    code = ("import json, sys; import solver.verify; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'solver')))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    loaded = json.loads(run.stdout)
    foreign = [m for m in loaded if m != "solver" and m not in SHARED and not _ours(m)]
    assert foreign == [], f"import solver.verify loaded solver modules {foreign}"
    assert {"solver.verify", "solver.verify.result", "solver.problem"} <= set(loaded)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """Every import of a module (late ones included): (module, names imported from it)."""
    tree = ast.parse(path.read_text())
    out = [(a.name, []) for node in ast.walk(tree) if isinstance(node, ast.Import)
           for a in node.names]
    out += [(node.module, [a.name for a in node.names]) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0]
    return out


@pytest.mark.parametrize("path", CHECKER, ids=[_module(p) for p in CHECKER])
def test_checker_imports_none_of_the_solving_code(path):
    names = [name for name, _ in _imports(path)]
    ours = [n for n in names if n == "solver" or n.startswith("solver.")]
    assert all(n in SHARED or _ours(n) for n in ours), ours


@pytest.mark.parametrize("path", CHECKER, ids=[_module(p) for p in CHECKER])
def test_checker_imports_no_private_name(path):
    private = [f"{module}.{name}" for module, names in _imports(path)
               if module.startswith("solver.") for name in names
               if name.startswith("_") and not name.startswith("__")]
    assert private == []


def test_checker_import_graph_has_no_cycle():
    graph = {_module(p): sorted({m for m, _ in _imports(p) if _ours(m)} - {_module(p)})
             for p in CHECKER}
    graph["solver.verify"] = []  # (the package re-exports its modules' entry points)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            assert state.get(nxt) != 1, f"import cycle: {' -> '.join(path + [node, nxt])}"
            if nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
