"""The independent certificate checker: ``python -m solver verify RESULT.json DATA.csv``.

It re-checks a result file against the data without trusting the code that produced it:
at run time it loads, of the solver, only :mod:`solver.data`, :mod:`solver.errors` and
:mod:`solver.problem` (a test imports it in a fresh interpreter to make sure). Its
modules, by what they check:

- :mod:`~solver.verify.result`: the whole result file (:func:`verify_result`, the CLI's
  :func:`main`): data, orbits, the all-dead point, every minimum, the completeness section
  (layout: :mod:`~solver.verify.schema`; text: :mod:`~solver.verify.report`);
- :mod:`~solver.verify.isolated`: an isolated minimum, exactly in a number field;
- :mod:`~solver.verify.box`: an isolated minimum given by a box, proved with the Krawczyk
  test (:mod:`~solver.verify.krawczyk`) on the face system the checker rebuilds
  (:mod:`~solver.verify.face_system`);
- :mod:`~solver.verify.minimality`: the minimality checks of a point, written once for
  exact numbers and for balls (:mod:`~solver.verify.arithmetic`);
- :mod:`~solver.verify.curve`: a set of minima, at its float samples;
- :mod:`~solver.verify.completeness`: the ``completeness`` certificate, face set by face
  set (with ``complete_solution``, ``complete_records``, ``complete_point``,
  ``complete_minima``, ``complete_descents``);
- :mod:`~solver.verify.arrangement`: the faces of one unit's arrangement, recomputed
  (rational linear algebra: :mod:`~solver.verify.linalg`);
- :mod:`~solver.verify.formula`, :mod:`~solver.verify.field`,
  :mod:`~solver.verify.number_field`: formulas read safely, ``Q(z)``, and one number field
  for several roots.

Every check reports into one :class:`~solver.verify.findings.Findings`; a minimum's
verdict is a :class:`~solver.verify.findings.Status`.
"""

from solver.verify.report import MinimumVerdict, VerifyReport
from solver.verify.result import main, verify_result
from solver.verify.schema import check_schema

__all__ = ["MinimumVerdict", "VerifyReport", "check_schema", "main", "verify_result"]
