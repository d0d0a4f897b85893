"""Moving a release through the workflow, and commenting on it.

`transition_document` is the pure decision plus the event it records;
`apply_transition` and `add_comment` run under the release lock through
`Newsroom.update`, against freshly read files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from workflow.core.config import Config, Person
from workflow.core.guards import GUARDS
from workflow.core.history import clean_comment, record
from workflow.core.model import Document, Event, format_time, utc_now
from workflow.core.statemachine import GuardFn, check_transition
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import main_role
from workflow.errors import UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom
from workflow.translation.gate import guard_context


@dataclass(frozen=True)
class MoveResult:
    release: ReleaseSummary
    event: Event


def apply_transition(
    nr: Newsroom,
    release_id: str,
    name: str,
    actor: Person,
    comment: str | None = None,
    now: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> MoveResult:
    """Run one workflow transition with all its checks, under the release lock."""
    now = now or utc_now()
    config = nr.config

    def change(doc: Document) -> tuple[Document, MoveResult]:
        new_doc, event = transition_document(config, doc, name, actor, comment, now)
        return new_doc, MoveResult(summarize(new_doc), event)

    return nr.update(release_id, change, expected_revision)


def transition_document(
    config: Config,
    doc: Document,
    name: str,
    actor: Person,
    comment: str | None,
    now: dt.datetime,
    guards: Mapping[str, GuardFn] | None = None,
) -> tuple[Document, Event]:
    """Apply one transition to a document (pure): the new document and the event it recorded.

    Checks the state, the actor's role, a required comment and the guards;
    refuses with `Refused` (or `UsageError` for an unknown transition).
    """
    decision = check_transition(
        config.workflow, doc.release.state, name, actor.name, actor.roles, comment,
        GUARDS if guards is None else guards, guard_context(doc, config, now),
    )
    new_doc, event = record(doc, Event(
        at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
        transition=name, source=decision.source, target=decision.target,
        comment=clean_comment(comment), content=doc.content_hash(),
    ))
    return replace(new_doc, release=replace(new_doc.release, state=decision.target)), event


def add_comment(nr: Newsroom, release_id: str, actor: Person, text: str,
                now: dt.datetime | None = None) -> Event:
    cleaned = clean_comment(text)
    if not cleaned:
        raise UsageError(_("the comment is empty"), _("pass -m TEXT"))
    now = now or utc_now()

    def change(doc: Document) -> tuple[Document, Event]:
        return record(doc, Event(at=format_time(now), kind="comment", actor=actor.name,
                                 role=main_role(actor), source=doc.release.state, target=doc.release.state,
                                 comment=cleaned, content=doc.content_hash()))

    return nr.update(release_id, change)
