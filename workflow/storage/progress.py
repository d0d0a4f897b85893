"""Progress of long storage work (a cold index), reported to whoever registered to hear it.

Storage never prints: a front end sets `REPORT` (for its run, a context
variable) to a function taking (what, done, total), and long work calls
`report()` as it goes.  `what` names the work ("index").  Stdlib only: the
CLI imports this module on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

Report = Callable[[str, int, int], None]
REPORT: ContextVar[Report | None] = ContextVar("pubflow_progress", default=None)


def report(what: str, done: int, total: int) -> None:
    """Tell the registered listener (if any) that `done` of `total` units of `what` are done."""
    listener = REPORT.get()
    if listener is not None:
        listener(what, done, total)
