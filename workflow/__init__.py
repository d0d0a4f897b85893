"""pubflow: a bilingual (English/Arabic) publishing workflow for press offices.

The Python API: the operations the `pubflow` command line calls, for another
front end (a web workspace, a script).  Each returns data and raises a
`PubflowError` subclass (each carries its `exit_code` and a one-line
`line()` that says what to do next)::

    import workflow

    nr = workflow.open_newsroom("press-office")           # or None: $PUBFLOW_ROOT, else upwards from here
    for release in workflow.list_releases(nr, state="translation"):
        print(release.id, release.title, release.progress)
    view = workflow.show_release(nr, "2019-07-22-some-title")
    workflow.transition(nr, view.summary.id, "approve", actor="hala.darwish@example.org")
    workflow.set_segment(nr, view.summary.id, "p1", "ar", "النص", actor="Rami Haddad")
    workflow.review_segments(nr, view.summary.id, "ar", actor="Lina Aziz")
    result = workflow.build(nr)

    with workflow.use_language("ar"):                    # messages of errors raised inside, in Arabic
        ...

`actor` is a person of pubflow.yaml by name or e-mail.  Importing `workflow`
loads nothing but the error classes; each function imports what it needs.
"""

from __future__ import annotations

import os

from workflow.errors import (
    Conflict,
    ExternalError,
    InvalidData,
    InvalidDefinition,
    NotFound,
    PubflowError,
    Refused,
    UsageError,
)
from workflow.version import __version__ as __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `import workflow` stays cheap
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping
    from contextlib import AbstractContextManager

    from workflow.core.config import Person
    from workflow.core.model import Event
    from workflow.core.summary import ReleaseSummary
    from workflow.editorial.queries import ReleaseView
    from workflow.publishing.build import BuildResult
    from workflow.publishing.publish import MoveOutResult
    from workflow.storage.newsroom import Newsroom
    from workflow.translation.operations import BatchResult, SetResult
    from workflow.translation.queues import Inbox


__all__ = [
    "Conflict",
    "ExternalError",
    "InvalidData",
    "InvalidDefinition",
    "NotFound",
    "PubflowError",
    "Refused",
    "UsageError",
    "build",
    "comment",
    "confirm_segments",
    "inbox",
    "list_releases",
    "open_newsroom",
    "review_segments",
    "segment_hash",
    "set_segment",
    "show_release",
    "transition",
    "use_language",
]


def open_newsroom(root: str | os.PathLike[str] | None = None, *,
                  notify: Callable[[str], None] | None = None) -> Newsroom:
    """The newsroom at `root` (None: $PUBFLOW_ROOT, else the nearest folder upwards with pubflow.yaml).

    Reads and checks pubflow.yaml, and installs the application's after-write
    hooks: with `git: {autocommit: true}` every change is committed as it is
    saved (`workflow.collab.autocommit`).  `notify` receives the one-line
    notes meant for the user (e.g. autocommit asked for outside a git
    repository), each once.
    """
    from workflow.collab import autocommit
    from workflow.storage.newsroom import Newsroom

    nr = Newsroom.open(None if root is None else os.fspath(root))
    autocommit.install(nr, notify=notify)
    return nr


def _person(nr: Newsroom, actor: str | Person) -> Person:
    if not isinstance(actor, str):
        return actor
    from workflow.editorial.actors import resolve_actor

    if not actor.strip():
        from workflow.i18n import _

        raise UsageError(_("no actor given"), _("pass the name or e-mail of a person in pubflow.yaml"))
    return resolve_actor(nr.config, actor)


def list_releases(nr: Newsroom, state: str | None = None, language: str | None = None) -> list[ReleaseSummary]:
    """Every release, oldest first; `state` and `language` (the source language) filter."""
    from workflow.editorial.queries import list_releases as run

    return run(nr, state, language)


def show_release(nr: Newsroom, release_id: str) -> ReleaseView:
    """One release: its summary, segments with their translations, and the transitions allowed now."""
    from workflow.editorial.queries import show_release as run

    return run(nr, release_id)


def transition(nr: Newsroom, release_id: str, name: str, actor: str | Person, comment: str | None = None, *,
               expected_revision: int | None = None, notices: Mapping[str, str] | None = None) -> MoveOutResult:
    """Apply transition `name` (submit, approve, reject, ...) as `actor`; roles and guards apply.

    A move that changes what is out (publish, correct, retract) writes its outputs in the same
    all-or-nothing step, through the publishing gate (`result.build`), as the CLI does.
    `comment` is a correction's or retraction's notice in the source language, `notices` the
    notice in each other language that is out (language code -> text); one missing is refused.

    `expected_revision`: refuse with `Conflict` when the release changed since
    the caller read it (a web form shown earlier).
    """
    from workflow.audit import gate

    return gate.move(nr, release_id, name, _person(nr, actor), comment, expected_revision=expected_revision,
                     notices=notices)


def set_segment(nr: Newsroom, release_id: str, segment: str, language: str, text: str, actor: str | Person,
                *, origin: str = "human", expected: str | None = None) -> SetResult:
    """Save the translation of one segment into `language` (status translated).

    `origin`: where the text came from (human, memory:<release>, machine:<provider>).
    `expected`: `segment_hash` of the segment as the translator was shown it; when it
    changed meanwhile (another process, a `git pull`) `Conflict` is raised, nothing saved.
    """
    from workflow.translation.operations import set_translation

    return set_translation(nr, release_id, segment, language, text, _person(nr, actor), origin,
                           expected=expected)


def segment_hash(nr: Newsroom, release_id: str, segment: str, language: str) -> str:
    """What a reader is shown of one segment now (source, translation, status), for `expected`."""
    from workflow.translation.operations import shown_hash

    return shown_hash(nr.load(release_id), segment, language)


def review_segments(nr: Newsroom, release_id: str, language: str, actor: str | Person,
                    segment: str | None = None, *, waive: str | None = None, why: str | None = None,
                    expected: str | None = None) -> BatchResult:
    """Approve the translated segments of `language` (or only `segment`) as their reviewer.

    `waive` (with `segment` and `why`): waive that check's error there, then approve it.
    `expected` (with `segment`): its `segment_hash` when the reviewer read it.
    """
    from workflow.translation.operations import review_segments as run

    return run(nr, release_id, language, _person(nr, actor), segment, waive=waive, why=why, expected=expected)


def confirm_segments(nr: Newsroom, release_id: str, language: str, actor: str | Person,
                     segment: str | None = None, *, expected: str | None = None) -> BatchResult:
    """Accept machine suggestions as the translator's (with `segment`, also a stale text that still fits)."""
    from workflow.translation.operations import confirm_segments as run

    return run(nr, release_id, language, _person(nr, actor), segment, expected=expected)


def comment(nr: Newsroom, release_id: str, actor: str | Person, text: str) -> Event:
    """Add a comment to a release's history (e.g. a reviewer's note to the translator)."""
    from workflow.editorial.transitions import add_comment

    return add_comment(nr, release_id, _person(nr, actor), text)


def inbox(nr: Newsroom, actor: str | Person) -> Inbox:
    """What awaits `actor`: segments to translate, segments to approve, releases to move."""
    from workflow.translation.queues import inbox as run

    return run(nr, _person(nr, actor))


def build(nr: Newsroom, *, force: bool = False, at: dt.datetime | None = None) -> BuildResult:
    """Rebuild the bundles, indexes and feeds of everything published (incremental unless `force`).

    With `at`, only what would be out at that moment (`BuildResult.out`): nothing is written, as
    with `pubflow build --at` (the outputs show what is out now, never another moment's view)."""
    from workflow.audit import gate

    return gate.build(nr, force=force, at=at, dry_run=at is not None)


def use_language(language: str | None) -> AbstractContextManager[str]:
    """`with use_language("ar"):` messages of the errors raised inside are in that language (per context)."""
    from workflow.i18n import use_language as run

    return run(language)
