"""The publishing gate with everything pubflow knows: a release's own integrity, and git's.

`build`, `publish` and the moves that change what is out refuse to write
anything for a release that is not what its histories recorded.  The
publishing layer checks the release files themselves; this layer adds what
git remembers (`collab.gitcheck`: a history truncated or rewritten since it
was committed), which the publishing layer cannot see.  The CLI calls these.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workflow.collab.gitcheck import regressions
from workflow.core.config import Person
from workflow.core.integrity import Problem
from workflow.publishing.build import BuildResult, build_locked
from workflow.publishing.publish import MoveOutResult, PublishResult, move_release, publish_release
from workflow.storage.newsroom import Newsroom


def git_problems(nr: Newsroom) -> dict[str, list[Problem]]:
    """Per release: its histories that do not carry on what git committed."""
    out: dict[str, list[Problem]] = {}
    for problem in regressions(nr.root, nr.config.state_dir):
        out.setdefault(problem.release, []).append(problem)
    return out


def build(nr: Newsroom, **kwargs: Any) -> BuildResult:
    return build_locked(nr, known_problems=git_problems(nr), **kwargs)


def publish(nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
            comment: str | None = None, now: dt.datetime | None = None) -> PublishResult:
    return publish_release(nr, release_id, actor, lang=lang, comment=comment, now=now,
                           known_problems=git_problems(nr))


def move(nr: Newsroom, release_id: str, name: str, actor: Person, comment: str | None = None,
         now: dt.datetime | None = None, expected_revision: int | None = None) -> MoveOutResult:
    return move_release(nr, release_id, name, actor, comment, now=now, known_problems=git_problems(nr),
                        expected_revision=expected_revision)
