"""The checker's report: a verdict per listed minimum, file problems, completeness lines.

Examples
--------
>>> v = MinimumVerdict(3, "isolated", 2, Status.FAIL, ("loss = 0.5, not 0.25",), ())
>>> v.line()
'minimum 3 (isolated, orbit 2): FAIL: loss = 0.5, not 0.25'
>>> VerifyReport((v,), (), ()).exit_code
1
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.verify.findings import Status


@dataclass(frozen=True, slots=True)
class MinimumVerdict:
    """The verdict on one listed minimum (numbered from 1 in file order)."""

    number: int
    kind: str
    orbit: int
    status: Status
    reasons: tuple[str, ...]     # why it failed / what is unsupported
    notes: tuple[str, ...]       # remarks that do not make it fail

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return self.status is Status.OK

    def line(self) -> str:
        """One readable line, e.g. ``minimum 3 (isolated, orbit 2): ok``."""
        head = f"minimum {self.number} ({self.kind}, orbit {self.orbit}): "
        body = self.status.value + ("" if self.ok else ": " + "; ".join(self.reasons))
        return head + body + "".join(f" [note: {n}]" for n in self.notes)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """All verdicts, file-level problems and the completeness lines.

    ``certificate`` holds the lines of the completeness certificate's re-check and
    ``gaps`` its failures (both empty when the result has no ``completeness`` key).
    """

    verdicts: tuple[MinimumVerdict, ...]
    problems: tuple[str, ...]
    completeness: tuple[str, ...]
    certificate: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every minimum is ok and the file has no problem."""
        return not self.problems and not self.gaps and all(v.ok for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """0 when ok, else 1."""
        return 0 if self.ok else 1

    def text(self) -> str:
        """The full report as printed by the CLI."""
        lines = [v.line() for v in self.verdicts]
        lines += [f"FAIL: {p}" for p in self.problems]
        if self.certificate or self.gaps:
            lines += ["completeness (the certificate: every face set re-checked):"]
            lines += [f"  {c}" for c in self.certificate]
            lines += [f"  FAIL: {g}" for g in self.gaps]
            lines += [f"  {c}" for c in self.completeness]
        else:
            lines += ["completeness (counts only; the result lists no faces):"]
            lines += [f"  {c}" for c in self.completeness]
        bad = sum(v.status is Status.FAIL for v in self.verdicts)
        unsupported = sum(v.status is Status.NOT_SUPPORTED for v in self.verdicts)
        gaps = f", {len(self.gaps)} completeness failures" if self.certificate or self.gaps else ""
        lines.append(f"summary: {len(self.verdicts)} minima, "
                     f"{len(self.verdicts) - bad - unsupported} ok, {bad} FAIL, "
                     f"{unsupported} not supported, {len(self.problems)} file problems{gaps} -> "
                     f"{'OK' if self.ok else 'NOT VERIFIED'}")
        return "\n".join(lines) + "\n"


__all__ = ["MinimumVerdict", "VerifyReport"]
