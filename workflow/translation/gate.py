"""The guard context: the one place the translation checks are wired into the workflow's guards.

`workflow.core.guards` is pure and knows nothing of the checks; a transition
(editorial), a publication (publishing) and the inbox (queues) all build the
context their guards read here, so `checks_clean` sees the same findings
whichever asked.  The checks run only when a guard asks for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workflow.core.config import Config
from workflow.core.guards import CheckFinding, GuardContext
from workflow.core.model import Document
from workflow.translation.checks import run_checks


def guard_context(doc: Document, config: Config, now: dt.datetime,
                  languages: Sequence[str] = ()) -> GuardContext:
    """The context for the guards of a move of `doc` (publishing `languages`; all targets when empty)."""

    def findings(langs: Sequence[str]) -> Sequence[CheckFinding]:
        return run_checks(doc, config, langs)

    return GuardContext(doc, config, now, tuple(languages), findings)
