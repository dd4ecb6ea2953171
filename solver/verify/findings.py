"""What a check found, and the statuses of the checker's verdicts (shared by every check).

Every check appends to one :class:`Findings`: failures (the point is not what the file
claims), notes (remarks that do not make it fail), unsupported parts (the checker cannot
decide; also raised as :class:`NotSupported` where a whole step is out of reach) and
undecided signs (a ball holds 0: the caller retries with a tighter enclosure).

Examples
--------
>>> out = Findings()
>>> out.status
<Status.OK: 'ok'>
>>> out.unsupported.append("unit 0: active points [0, 1] have dependent (x_i, 1)")
>>> out.status.value
'not supported'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

REL_TOL = 1e-9  # floats of a result (B, c, a, loss) against the exact point, relative


class NotSupported(Exception):  # noqa: N818 - reads as the status it becomes
    """A check the checker cannot do (``d > 2``, a number field too large to build, ...)."""


class Status(Enum):
    """The verdict on one listed minimum, as the report prints it."""

    OK = "ok"
    FAIL = "FAIL"
    NOT_SUPPORTED = "not supported"


@dataclass
class Findings:
    """Failures, notes, unsupported parts and undecided signs of the checks so far."""

    fails: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """FAIL if anything failed, else not supported if anything was, else ok."""
        if self.fails:
            return Status.FAIL
        return Status.NOT_SUPPORTED if self.unsupported else Status.OK

    def merge(self, other: Findings) -> None:
        """Append another's failures, notes and unsupported parts (not its open signs)."""
        self.fails += other.fails
        self.notes += other.notes
        self.unsupported += other.unsupported


__all__ = ["REL_TOL", "Findings", "NotSupported", "Status"]
