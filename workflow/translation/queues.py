"""Work queues: what needs translating or reviewing, and what awaits a person.

`pending_items` and `inbox_from` are pure functions over `Document`s so an
index can feed them from a cache; `pending` and `inbox` read the newsroom.
Only releases in a translation state (see `workflow.translation`) have
pending segments; every status is the *effective* one (a translation whose
source changed since is `stale`).  Releases come oldest first (ids start
with the date), segments in source order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.core.config import Config, Person
from workflow.core.guards import GUARDS
from workflow.core.model import Document, utc_now
from workflow.core.statemachine import Transition, guard_refusal, role_for
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom
from workflow.translation.gate import guard_context
from workflow.translation.operations import NEEDS_REVIEW, NEEDS_TRANSLATION, self_review_allowed, translation_states

if TYPE_CHECKING:
    import sqlite3


@dataclass(frozen=True)
class PendingItem:
    release: str
    language: str
    segment: str
    status: str
    needs: str  # "translation" | "review"
    source: str
    text: str = ""
    old_source: str | None = None  # for stale segments: the source the old text renders
    origin: str = ""
    by: str = ""
    title: str = ""
    state: str = ""

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "segment": self.segment,
                "status": self.status, "needs": self.needs, "source": self.source, "text": self.text,
                "old_source": self.old_source, "origin": self.origin, "by": self.by,
                "state": self.state}


def needs_review(config: Config) -> bool:
    """Do translated segments still await a reviewer before they count as done?"""
    return "translated" not in config.complete_statuses()


def document_items(doc: Document, config: Config, lang: str | None = None,
                   person: Person | None = None) -> Iterator[PendingItem]:
    """Segments of one release that need work, optionally only what `person` may do."""
    review = needs_review(config)
    own_ok = self_review_allowed(config) if person is not None else True
    for code in doc.release.targets:
        if lang is not None and code != lang:
            continue
        may_translate = person is None or person.has_role(f"translator:{code}")
        may_review = review and (person is None or person.has_role(f"reviewer:{code}"))
        if not (may_translate or may_review):
            continue
        targets = doc.target(code)
        for s in doc.source:
            target = targets[s.id]
            status = target.effective_status(s.text)
            if status in NEEDS_TRANSLATION and may_translate:
                needs = "translation"
            elif status in NEEDS_REVIEW and may_review:
                if person is not None and not own_ok and target.by == person.name:
                    continue
                needs = "review"
            else:
                continue
            yield PendingItem(
                release=doc.release.id, language=code, segment=s.id, status=status, needs=needs,
                source=s.text, text=target.text, old_source=target.source if status == "stale" else None,
                origin=target.origin, by=target.by, title=doc.title, state=doc.release.state,
            )


def pending_items(docs: Iterable[Document], config: Config, lang: str | None = None,
                  person: Person | None = None) -> list[PendingItem]:
    """Every segment needing work in releases open for translation, oldest release first."""
    open_states = set(translation_states(config))
    chosen = sorted((d for d in docs if d.release.state in open_states), key=lambda d: (d.release.date, d.release.id))
    items: list[PendingItem] = []
    for doc in chosen:
        items.extend(document_items(doc, config, lang, person))
    return items


def open_documents(nr: Newsroom) -> Iterator[Document]:
    """Documents of releases in a translation state.

    Every release is read whole: published releases are open too (a
    correction must be translated), so most of a newsroom is "open" and a
    pre-filter reading release.yaml first would only read it twice.
    """
    states = set(translation_states(nr.config))
    for doc in nr.documents():
        if doc.release.state in states:
            yield doc


def pending(nr: Newsroom, lang: str | None = None, mine: Person | None = None,
            release_id: str | None = None, conn: sqlite3.Connection | None = None) -> list[PendingItem]:
    """`pubflow pending`: segments needing translation (or review) across releases."""
    if lang is not None:
        nr.config.language(lang)
    if release_id:
        return pending_items([nr.load(release_id)], nr.config, lang, mine)
    return pending_items(work_documents(nr, lang, conn), nr.config, lang, mine)


def work_documents(nr: Newsroom, lang: str | None = None, conn: sqlite3.Connection | None = None
                   ) -> Iterable[Document]:
    """Open releases, reduced to their segments needing work, from the index when it can be used.

    The index (`workflow.index`) gives partial documents holding only the
    segments whose status needs a translator or a reviewer; the pure
    functions above give the same items on them as on the whole files.
    """
    from workflow.storage import index

    try:
        return index.work_documents(nr, translation_states(nr.config), language=lang, conn=conn)
    except index.IndexUnavailable:
        return open_documents(nr)


def group_by_release(items: Iterable[PendingItem]) -> list[tuple[str, list[PendingItem]]]:
    groups: dict[str, list[PendingItem]] = {}
    for item in items:
        groups.setdefault(item.release, []).append(item)
    return list(groups.items())


# ---------------------------------------------------------------- inbox
@dataclass(frozen=True)
class Action:
    """A transition `person` may make on a release, ready or waiting on a guard."""

    release: str
    title: str
    state: str
    transition: str
    ready: bool
    reason: str | None = None

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "title": self.title, "state": self.state,
                "transition": self.transition, "ready": self.ready, "reason": self.reason}


@dataclass(frozen=True)
class Inbox:
    person: str
    translate: list[PendingItem] = field(default_factory=list)
    review: list[PendingItem] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.translate or self.review or any(a.ready for a in self.actions))

    def public(self) -> dict[str, Any]:
        return {"person": self.person, "translate": [i.public() for i in self.translate],
                "review": [i.public() for i in self.review], "actions": [a.public() for a in self.actions]}


def _inbox_move(transition: Transition, state: str, person: Person) -> bool:
    """Is `transition` from `state` work for `person`'s inbox?

    Transitions that need a comment (reject, correct, retract) are answers to
    a problem, not work waiting in an inbox, so they are left out, as are
    transitions that stay in the same state.
    """
    return (transition.comment != "required" and transition.target != state
            and role_for(transition, person.roles) is not None)


def release_actions(doc: Document, config: Config, person: Person, now: dt.datetime) -> list[Action]:
    """Forward transitions `person` may make on `doc` (`_inbox_move`), with the first failing guard if any."""
    wf = config.workflow
    if wf.states[doc.release.state].final:
        return []
    out: list[Action] = []
    for name in wf.allowed_from(doc.release.state):
        transition = wf.transitions[name]
        if not _inbox_move(transition, doc.release.state, person):
            continue
        reason = guard_refusal(transition, GUARDS, guard_context(doc, config, now))
        out.append(Action(doc.release.id, doc.title, doc.release.state, name, reason is None, reason))
    return out


def inbox_from(docs: Iterable[Document], config: Config, person: Person,
               now: dt.datetime | None = None, action_docs: Iterable[Document] | None = None) -> Inbox:
    """What awaits `person`: segments to translate, segments to approve, transitions to make.

    `action_docs` (default: `docs`) are the documents whose transitions are
    considered; the index passes partial documents as `docs` and only the
    releases in states `person` can move as `action_docs`.
    """
    now = now or utc_now()
    all_docs = sorted(docs, key=lambda d: (d.release.date, d.release.id))
    items = pending_items(all_docs, config, None, person)
    actions: list[Action] = []
    movable = all_docs if action_docs is None else sorted(action_docs, key=lambda d: (d.release.date, d.release.id))
    for doc in movable:
        actions.extend(release_actions(doc, config, person, now))
    return Inbox(person.name, [i for i in items if i.needs == "translation"],
                 [i for i in items if i.needs == "review"], actions)


def movable_states(config: Config, person: Person) -> list[str]:
    """States in which `person` has a transition `release_actions` would list."""
    wf = config.workflow
    out = []
    for state in wf.states.values():
        if state.final:
            continue
        for name in wf.allowed_from(state.name):
            if _inbox_move(wf.transitions[name], state.name, person):
                out.append(state.name)
                break
    return out


def inbox(nr: Newsroom, person: Person, now: dt.datetime | None = None,
          conn: sqlite3.Connection | None = None) -> Inbox:
    """`pubflow inbox`: what awaits the acting person (through the index when it can be used)."""
    from workflow.storage import index

    try:
        partial = index.work_documents(nr, translation_states(nr.config), conn=conn)
        movable = [nr.load(release_id) for release_id in
                   index.ids_in_states(nr, movable_states(nr.config, person), conn=conn)]
    except index.IndexUnavailable:
        return inbox_from(nr.documents(), nr.config, person, now)
    return inbox_from(partial, nr.config, person, now, action_docs=movable)


def describe_need(item: PendingItem) -> str:
    if item.needs == "review":
        return _("to approve")
    return {"untranslated": _("to translate"), "machine": _("to confirm"), "stale": _("to update")}.get(
        item.status, item.status)
