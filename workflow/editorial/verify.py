"""The integrity of one release as stored: what `build`, `publish` and `sync` ask before they act.

`release_check` reads everything stored for a release (its files, its
snapshots) and returns the problems `workflow.core.integrity` finds; the
gate refuses to write anything for a release with an error.  The whole
newsroom's check (`pubflow verify`: pubflow.yaml, every release, git) is
`workflow.audit.verify`.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflow.core.integrity import ERROR, Problem, release_problems
from workflow.core.model import utc_now
from workflow.errors import InvalidData, PubflowError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


def release_check(nr: Newsroom, release_id: str) -> list[Problem]:
    """The errors of one release (a file that does not load is one).  An event later than the
    wall clock (plus a day) is one too, whatever moment a command acts at (`--at`, tests)."""
    try:
        stored = nr.stored(release_id)
    except PubflowError as exc:
        return [Problem(release_id, "", "", exc.line())]
    return [p for p in release_problems(nr.config, stored, utc_now()) if p.severity == ERROR]


def require_consistent(nr: Newsroom, release_id: str) -> None:
    """InvalidData (exit 5) naming the release and its first problem, when it has one (a release
    written before schema 2 passes: the move that needs it migrates it)."""
    problems = [p for p in release_check(nr, release_id) if not p.legacy]
    if problems:
        raise InvalidData(gate_line(release_id, problems))


def gate_line(release_id: str, problems: Sequence[Problem]) -> str:
    """The one line that says why nothing was written for a release."""
    first = problems[0].line().removeprefix(f"{release_id}: ")
    more = len(problems) - 1
    text = _("{id} is not what its history recorded: {problem}").format(id=release_id, problem=first)
    hint = (_("nothing was written for it; see `pubflow verify`") if not more else
            _("and {n} more; nothing was written for it; see `pubflow verify`").format(n=more))
    return f"{text} ({hint})"
