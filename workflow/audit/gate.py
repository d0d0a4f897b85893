"""The publishing gate with everything pubflow knows: a release's own integrity, and git's.

`build`, `publish` and the moves that change what is out refuse to write
anything for a release that is not what its histories recorded.  The
publishing layer checks the release files themselves; this layer adds what
git remembers (`collab.gitcheck`: a history truncated or rewritten since it
was committed), which the publishing layer cannot see.  The CLI calls these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workflow.collab.gitcheck import regressions
from workflow.core.config import Person
from workflow.core.integrity import Problem
from workflow.core.model import Event
from workflow.publishing.build import BuildResult, build_locked
from workflow.publishing.publish import MoveOutResult, PublishResult, move_release, publish_release
from workflow.publishing.schedule import Due, ScheduleResult, release_due, schedule_release, unschedule_release
from workflow.storage.newsroom import Newsroom


def git_problems(nr: Newsroom) -> dict[str, list[Problem]]:
    """Per release: its histories that do not carry on what git committed."""
    out: dict[str, list[Problem]] = {}
    for problem in regressions(nr.root, nr.config.state_dir):
        out.setdefault(problem.release, []).append(problem)
    return out


def build(nr: Newsroom, **kwargs: Any) -> BuildResult:
    return build_locked(nr, known_problems=git_problems(nr), **kwargs)


def build_due(nr: Newsroom, now: dt.datetime | None = None, **kwargs: Any) -> tuple[list[Due], BuildResult]:
    """`pubflow build`: first every scheduled release whose embargo has passed goes out (as the
    editor who scheduled it), then the site is brought up to date."""
    problems = git_problems(nr)
    due = release_due(nr, now, known_problems=problems)
    return due, build_locked(nr, known_problems=problems, **kwargs)


def schedule(nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
             comment: str | None = None, now: dt.datetime | None = None) -> ScheduleResult:
    return schedule_release(nr, release_id, actor, lang=lang, comment=comment, now=now,
                            known_problems=git_problems(nr))


def unschedule(nr: Newsroom, release_id: str, actor: Person, *, comment: str | None = None,
               now: dt.datetime | None = None) -> Event:
    """Cancel a pending schedule: beside `schedule`, so the CLI finds both ends of it in one place."""
    return unschedule_release(nr, release_id, actor, comment=comment, now=now)


def publish(nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
            comment: str | None = None, now: dt.datetime | None = None) -> PublishResult:
    return publish_release(nr, release_id, actor, lang=lang, comment=comment, now=now,
                           known_problems=git_problems(nr))


def move(nr: Newsroom, release_id: str, name: str, actor: Person, comment: str | None = None,
         now: dt.datetime | None = None, expected_revision: int | None = None, *,
         notices: Mapping[str, str] | None = None, notices_file: Path | None = None) -> MoveOutResult:
    return move_release(nr, release_id, name, actor, comment, now=now, known_problems=git_problems(nr),
                        expected_revision=expected_revision, notices=notices, notices_file=notices_file)
