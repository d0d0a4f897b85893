"""`pubflow verify`: the newsroom's own CI check.

Loads every file, replays every history against the workflow (each move legal
from the state before it, ending in the recorded state), checks the hash chain
so an edited or deleted past event shows, and checks that the text approved is
the text there now (or that an `edit` event explains the difference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.core.history import replay_history, unrecorded_edit
from workflow.core.model import Document, Release
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class Problem:
    release: str
    message: str

    def public(self) -> dict[str, str]:
        return {"release": self.release, "message": self.message}


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": [p.public() for p in self.problems]}


def replay(nr: Newsroom, release: Release) -> list[str]:
    """Why the recorded history does not lead to the recorded state (empty if it does)."""
    return replay_history(nr.config.workflow, release)


def approval_problems(nr: Newsroom, doc: Document) -> list[str]:
    """The source must be what was approved, or a later edit event must say why not."""
    recorded = unrecorded_edit(doc, nr.config.workflow)
    if recorded is not None:
        return [_("the source text differs from the last recorded content (edited by hand after "
                  "{hash}…); record the change with `pubflow edit`").format(hash=recorded[:12])]
    return []


def verify(nr: Newsroom) -> VerifyReport:
    problems: list[Problem] = []
    ids = nr.release_ids()
    for release_id in ids:
        try:
            doc = nr.load(release_id)
        except PubflowError as exc:
            problems.append(Problem(release_id, exc.line()))
            continue
        for message in replay(nr, doc.release) + approval_problems(nr, doc):
            problems.append(Problem(release_id, message))
    return VerifyReport(len(ids), problems)
