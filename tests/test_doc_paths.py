"""Every file path and module name the documentation gives exists.

README.md, docs/*.md and benchmarks/README.md name modules as paths
(``solver/pipeline/locate/interior.py``, ``tests/verify/test_verify.py``), as bare file
names inside a section about one package (``interior.py``), as dotted names
(``solver.verify.main``, ``python -m benchmarks.bench_solver``) and as relative links
(``[isolate.py](isolate.py)``). After a move, a stale one sends a reader to nothing: here
each must resolve to a file of the repository (a dotted name to a module, and its last
part, if not a module, to a name that module defines).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "benchmarks" / "README.md",
        *sorted((ROOT / "docs").glob("*.md"))]
TOP = ("solver/", "explorer/", "benchmarks/", "tests/", "docs/", "assets/")
# Files the documentation names that are the user's, not the repository's.
USER_FILES = {"DATA.csv", "RESULT.json", "PATH.json", "out.json", "path.json", "train.json",
              "result.json", "data.csv", "out.tex", "path.tex", "result.tex", "OUT.json",
              "none.csv", "none.json", "out/x.json"}

FILES = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
         if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts]

_PATH = re.compile(r"(?<![\w./-])((?:[\w-]+/)*[\w-]+\.(?:py|md|json|csv|png|toml))(?![\w/])")
_DOTTED = re.compile(r"(?<![\w./-])((?:solver|explorer|benchmarks)(?:\.[A-Za-z_]\w*)+)")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _path_exists(path: str, doc: Path) -> bool:
    """A rooted path exists from the root (or the document's folder); a relative one
    (``pipeline/numbers.py``, ``interior.py``) is the end of some file's path."""
    if (doc.parent / path).is_file() or (path.startswith(TOP) and (ROOT / path).is_file()):
        return True
    return not path.startswith(TOP) and any(f == path or f.endswith("/" + path) for f in FILES)


def _dotted_exists(name: str) -> bool:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        found = _module_file(".".join(parts[:i]))
        if found is not None:
            rest = parts[i:]
            return not rest or re.search(
                rf"^\s*(?:def |class |async def )?{rest[0]}\b|import .*\b{rest[0]}\b"
                rf"|^\s*\"{rest[0]}\": ", found.read_text(), re.M) is not None
    return False


def _named(doc: Path) -> tuple[list[str], list[str], list[str]]:
    text = doc.read_text()
    prose = re.sub(r"https?://\S+", "", text)
    paths = sorted({m for m in _PATH.findall(prose)
                    if m not in USER_FILES})
    dotted = sorted({m.rstrip(".") for m in _DOTTED.findall(prose)
                     if not re.search(r"\.(py|md|json|csv|png|toml)$", m)})
    links = sorted({m for m in _LINK.findall(text)
                    if not m.startswith(("http:", "https:", "mailto:"))
                   })
    return paths, dotted, links


@pytest.mark.parametrize("doc", DOCS, ids=[d.relative_to(ROOT).as_posix() for d in DOCS])
def test_every_path_and_module_named_exists(doc: Path) -> None:
    paths, dotted, links = _named(doc)
    assert paths and dotted or doc.parent.name == "docs"  # the patterns still match
    missing = ([p for p in paths if not _path_exists(p, doc)]
               + [m for m in dotted if not _dotted_exists(m)]
               + [link for link in links if not (doc.parent / link).exists()])
    assert missing == []


def test_the_check_can_fail(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    doc.write_text("See `solver/verify_box_point.py`, `solver.pipeline.nothing`, "
                   "`solver.verify.no_such_name`, [x](gone.py) and `parallel.py`.")
    paths, dotted, links = _named(doc)
    assert not any(_path_exists(p, doc) for p in paths)
    assert not any(_dotted_exists(m) for m in dotted)
    assert not any((doc.parent / link).exists() for link in links)
    assert _path_exists("pipeline/numbers.py", ROOT / "README.md")
    assert _dotted_exists("solver.verify.main") and _dotted_exists("solver.pipeline.solve")
