"""The import graph of ``solver``: no cycle, no private name imported across modules, no
public name defined twice, no module over about 400 lines, and the checker independent of
the solving pipeline at run time.

The graph is read statically from every module's source, with every import statement
counted wherever it is (module level, inside functions, under ``TYPE_CHECKING``), plus
the lazy names of ``solver/__init__.py`` (PEP 562), so that late imports cannot hide a
cycle. The run-time check imports the checker in a fresh interpreter and lists what
got loaded.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "solver"
# The solving side: none of it may be loaded by the checker (or by ``import solver``).
SOLVING = ("solver.pipeline", "solver.scaleout", "solver.cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    """The absolute module of a ``from ... import`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module: str) -> list[tuple[str, str | None, int]]:
    """Every ``solver`` import of ``module``: (imported module, name taken from it or
    None, line)."""
    tree = ast.parse(MODULES[module].read_text())
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.append((sub, None, node.lineno) if sub in MODULES
                             else (source, alias.name, node.lineno))
        elif (isinstance(node, ast.Assign) and module == "solver"
              and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets)):
            found += [(v.value, None, node.lineno) for v in node.value.values  # type: ignore[attr-defined]
                      if isinstance(v, ast.Constant)]
    return [f for f in found if f[0] == "solver" or f[0].startswith("solver.")]


def _packages_run_first(module: str, target: str) -> list[str]:
    """The packages whose ``__init__`` importing ``target`` runs before it, apart from
    those ``module`` itself is in (already running): ``solver.train.x`` importing
    ``solver.cli.common`` runs ``solver.cli`` first."""
    parts = target.split(".")
    return [p for p in (".".join(parts[:i]) for i in range(2, len(parts)))
            if p in MODULES and not (module + ".").startswith(p + ".")]


def graph() -> dict[str, set[str]]:
    """Module -> the ``solver`` modules it imports (a package counts as its ``__init__``,
    and importing a package's module runs that package's ``__init__`` too)."""
    out: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in imports(module):
            if target != module:
                assert target in MODULES, f"{module} imports {target}, which does not exist"
                out[module].add(target)
                out[module].update(_packages_run_first(module, target))
    return out


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as a closed list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_graph_sees_late_and_type_checking_imports() -> None:
    edges = graph()
    assert "solver.pipeline.solve" in edges["solver"]  # a lazy name of solver/__init__
    assert "solver.scaleout.cluster" in edges["solver.pipeline.solve"]  # inside solve()
    assert "solver.verify" in edges["solver.cli.verify"]  # inside run_raw()
    assert _packages_run_first("solver.train.api", "solver.cli.common") == ["solver.cli"]
    assert _packages_run_first("solver.cli.train", "solver.cli.common") == []


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_private_name_imported_across_modules() -> None:
    private = [f"{module}:{line} imports {name} from {source}"
               for module in MODULES for source, name, line in imports(module)
               if name is not None and name.startswith("_") and source != module]
    assert private == []


# Names every subcommand module defines by contract (solver.cli.COMMANDS: add_arguments,
# run) and the two programs' entry points (solver.cli.main, solver.verify.main).
PROTOCOL = {"add_arguments", "run", "main"}


def test_no_public_name_defined_twice() -> None:
    """A public class or function name means one thing in ``solver``: the checker's own
    re-implementations (its face system, arrangement, linear algebra) carry names of
    their own, so that a reader (or ``grep``) never lands on the other program's."""
    where: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, (ast.FunctionDef, ast.ClassDef))
                    and not node.name.startswith("_") and node.name not in PROTOCOL):
                where.setdefault(node.name, []).append(module)
    assert {name: mods for name, mods in where.items() if len(mods) > 1} == {}


def _loaded_by(code: str) -> list[str]:
    """The ``solver`` modules loaded by ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, check=True).stdout.split()
    return [m for m in out if m == "solver" or m.startswith("solver.")]


@pytest.mark.parametrize("code", ["import solver.verify", "from solver.verify import main",
                                  "import solver"])
def test_the_checker_loads_none_of_the_solving_side(code: str) -> None:
    loaded = _loaded_by(code)
    assert "solver" in loaded
    assert [m for m in loaded if m.startswith(SOLVING)] == []
    if "verify" in code:
        assert "solver.verify" in loaded


def test_a_public_name_loads_the_pipeline_on_first_use() -> None:
    loaded = _loaded_by("import solver\nsolver.solve")
    assert "solver.pipeline.solve" in loaded


def test_the_solving_side_and_the_checker_never_import_the_training_package() -> None:
    """``solver.train`` (gradient-descent runs, issue 12) is built on the public API only;
    no module of the pipeline, the scale-out or the checker imports it, statically or in
    a fresh interpreter that solves and lists critical points."""
    edges = graph()
    sides = ("solver.pipeline", "solver.scaleout", "solver.verify")
    offenders = [f"{m} -> {t}" for m, targets in edges.items() if m.startswith(sides)
                 for t in targets if t.startswith("solver.train")]
    assert offenders == []
    loaded = _loaded_by("import solver\n"
                        "solver.solve(['0', '1', '2'], ['0', '1', '0'], '1/10', 2)\n"
                        "solver.critical_points(['0', '1', '2'], ['0', '1', '0'], '1/10', 2)")
    assert [m for m in loaded if m.startswith("solver.train")] == []
    assert "solver.pipeline.critical" in loaded


# STYLE.md: small modules, about 400 lines at most (a little slack, so that the limit is
# a reason to split a module, not to squeeze its last docstring).
MAX_LINES = 420


def test_no_module_over_about_400_lines() -> None:
    """The solver's modules and the dashboard's (``explorer``)."""
    paths = [*MODULES.values(), *sorted((ROOT / "explorer").rglob("*.py"))]
    long = {str(p.relative_to(ROOT)): n for p in paths
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
