"""The command line's outputs are byte for byte those stored in ``outputs/``.

A no-change check for moves and speed-ups (issue 10 and later): the stored outputs were
produced by ``make_golden.py`` before the move. Regenerate them only for a deliberate
change of output, in a commit of its own that says why.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.golden.make_golden import OUTPUTS, cases, outputs

# Text that names a source file moves with the file: (old, new) pairs, applied to the
# stored text before comparing, so that a move may rename a path and nothing else.
RENAMED: tuple[tuple[str, str], ...] = (
    ("see solver/verify_complete.py", "see solver/verify/completeness.py"),  # issue 10
)


def _stored(name: str, units: int) -> tuple[str, str]:
    doc = gzip.decompress((OUTPUTS / f"{name}-L{units}.json.gz").read_bytes()).decode()
    text = (OUTPUTS / f"{name}-L{units}.txt").read_text()
    for old, new in RENAMED:
        text = text.replace(old, new)
    return doc, text


@pytest.mark.slow
@pytest.mark.parametrize(("name", "units"), cases(), ids=[f"{n}-L{u}" for n, u in cases()])
def test_outputs_unchanged(name: str, units: int) -> None:
    want_doc, want_text = _stored(name, units)
    doc, text = outputs(name, units)
    if doc != want_doc:
        want, got = json.loads(want_doc), json.loads(doc)
        keys = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
        pytest.fail(f"{name}, {units} units: the JSON differs in {keys}")
    assert text.splitlines() == want_text.splitlines()
    assert text == want_text


def test_every_case_has_outputs() -> None:
    stored = {p.name for p in OUTPUTS.iterdir()}
    expected = {f"{n}-L{u}{ext}" for n, u in cases() for ext in (".json.gz", ".txt")}
    assert stored == expected
    assert len(cases()) >= 30
