"""Scheduled embargoes: `pubflow publish ID --at-embargo` and the `pubflow build` that releases them.

An editor schedules a release under embargo: the publish guards are checked now (all but the
embargo itself), and a `schedule` event records the intent, by whom, for which language.  The
release stays where it is.  `pubflow build` (run by cron or CI) then publishes every scheduled
release whose embargo has passed, as the editor who scheduled it, through the same
all-or-nothing `publish` as a person would run (guards checked again at that moment).  A release
whose guards fail then stays scheduled; `build` says why, one line each.

A schedule is pending from its event until the release next moves or goes out (any transition or
language release after it): a `reject` cancels it, so does publishing by hand, and so does
`pubflow unschedule` (an `unschedule` event: the release stays where it is, nothing goes out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.core.guards import GUARDS
from workflow.core.history import clean_comment, record
from workflow.core.model import Document, Event, format_time, parse_time, utc_now
from workflow.core.statemachine import check_transition
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.verify import require_consistent
from workflow.errors import PubflowError, Refused, UsageError
from workflow.i18n import _
from workflow.publishing.pagemodel import is_live
from workflow.publishing.publish import PublishResult, publish_release
from workflow.translation.gate import guard_context

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.core.integrity import Problem
    from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class ScheduleResult:
    release: ReleaseSummary
    event: Event | None  # None: it was already scheduled (nothing recorded)
    embargo: str
    published: PublishResult | None = None  # the embargo had already passed: published at once


@dataclass(frozen=True)
class Due:
    """What `build` did with one scheduled release whose embargo has passed."""

    release: str
    by: str  # the editor who scheduled it
    published: bool
    languages: list[str] = field(default_factory=list)
    reason: str = ""  # why it stays scheduled

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "by": self.by, "published": self.published,
                "languages": self.languages, "reason": self.reason or None}


def pending_schedule(doc: Document) -> Event | None:
    """The schedule event still waiting for the embargo, if any."""
    pending: Event | None = None
    for event in doc.release.history:
        if event.kind == "schedule":
            pending = event
        elif event.kind in ("transition", "release", "unschedule"):
            pending = None
    return pending


def changed_since(doc: Document, event: Event) -> bool:
    """Whether the release's source text or metadata (date, category, embargo, languages) differ
    from what they were when `event` (a schedule) was recorded: the editor scheduled that release,
    not one someone edited afterwards (a writer moving the embargo earlier, say)."""
    return bool((event.content and event.content != doc.content_hash())
                or (event.meta and event.meta != doc.metadata_hash()))


def _guards_without(*names: str) -> dict[str, Any]:
    """The publish guards with `names` switched off (scheduling checks all but the embargo now)."""
    return {**GUARDS, **{name: (lambda _ctx: None) for name in names}}


def schedule_release(nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
                     comment: str | None = None, now: dt.datetime | None = None,
                     known_problems: Mapping[str, Sequence[Problem]] | None = None) -> ScheduleResult:
    """Record that `release_id` goes out when its embargo passes (guards checked now, but the
    embargo); one whose embargo has already passed is published at once."""
    config = nr.config
    now = now or utc_now()
    if lang is not None:
        config.language(lang)
    doc = nr.load(release_id)
    embargo = doc.release.embargo
    if not embargo:
        raise UsageError(_("{id} has no embargo to publish at").format(id=release_id),
                         _("publish it now with `pubflow publish {id}`, or set one with "
                           "`pubflow edit {id} --embargo TIME`").format(id=release_id))
    if is_live(config, doc.release.state):
        raise Refused(_("{id} is already out").format(id=release_id))
    if parse_time(embargo, "embargo") <= now:
        published = publish_release(nr, release_id, actor, lang=lang, comment=comment, now=now,
                                    known_problems=known_problems)
        return ScheduleResult(published.release, published.event, embargo, published)
    require_consistent(nr, release_id)
    text = clean_comment(comment)
    pending = pending_schedule(doc)
    if pending is not None and pending.language == lang and not changed_since(doc, pending):
        # already scheduled, and nothing changed since: nothing to record
        return ScheduleResult(summarize(doc), None, embargo)
    if pending is not None and not changed_since(doc, pending):
        # one schedule per release: a second for another language replaced the first without a word
        raise Refused(_("{id} is already scheduled to go out in {langs} at its embargo").format(
            id=release_id, langs=pending.language or ", ".join(doc.release.languages)),
            _("cancel that with `pubflow unschedule {id}` first").format(id=release_id))

    def change(current: Document) -> tuple[Document, Event]:
        rel = current.release
        if lang is not None and lang not in rel.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=rel.id, lang=lang),
                             _("its languages: {codes}").format(codes=", ".join(rel.languages)))
        if lang is not None and config.publish_policy != "source_first":
            raise Refused(
                _("this newsroom publishes every language at once (publish_policy: all_at_once)"),
                _("drop --lang, or set publish_policy: source_first in pubflow.yaml"))
        decision = check_transition(
            config.workflow, rel.state, "publish", actor.name, actor.roles, text, _guards_without("embargo_passed"),
            guard_context(current, config, now, (lang,) if lang else ()))
        return record(current, Event(
            at=format_time(now), kind="schedule", actor=actor.name, role=decision.role, transition="publish",
            source=rel.state, target=rel.state, language=lang, comment=text, content=current.content_hash()))

    event = nr.update(release_id, change)
    return ScheduleResult(summarize(nr.load(release_id)), event, embargo)


def unschedule_release(nr: Newsroom, release_id: str, actor: Person, *, comment: str | None = None,
                       now: dt.datetime | None = None) -> Event:
    """Cancel the pending schedule of `release_id` (whoever may publish it may cancel it): an
    `unschedule` event; the release stays where it is and the next `build` leaves it alone."""
    config = nr.config
    now = now or utc_now()
    text = clean_comment(comment)

    def change(current: Document) -> tuple[Document, Event]:
        rel = current.release
        pending = pending_schedule(current)
        if pending is None:
            raise Refused(_("{id} is not scheduled").format(id=rel.id),
                          _("`pubflow history {id}` shows what happened to it").format(id=rel.id))
        decision = check_transition(
            config.workflow, rel.state, "publish", actor.name, actor.roles, text,
            _guards_without(*GUARDS), None)
        return record(current, Event(
            at=format_time(now), kind="unschedule", actor=actor.name, role=decision.role, transition="publish",
            source=rel.state, target=rel.state, language=pending.language, comment=text,
            content=current.content_hash()))

    return nr.update(release_id, change)


def scheduled_candidates(nr: Newsroom, now: dt.datetime) -> list[str]:
    """Releases that may hold a schedule due at `now`: under an embargo that has passed and not
    live.  From the index when there is one (no release file is parsed for the others); on a
    fresh clone, only the releases whose release.yaml mentions `schedule` are parsed (building
    the whole index first would double the cost of a first `build`)."""
    import os

    from workflow.storage import index

    live = {name for name, state in nr.config.workflow.states.items() if state.live}
    rows: list[tuple[str, str, str]] | None = None
    if os.path.isfile(index.index_path(nr.root)):
        try:
            with index.opened(nr) as conn:
                rows = conn.execute("SELECT id, embargo, state FROM releases WHERE embargo IS NOT NULL "
                                    "AND embargo != '' ORDER BY id").fetchall()
        except index.IndexUnavailable:
            pass
    if rows is None:
        rows = []
        for release_id in nr.release_ids():
            if not nr.release_file_mentions(release_id, b"schedule"):
                continue  # no schedule event: nothing to publish at its embargo
            rel = nr.load(release_id).release
            if rel.embargo:
                rows.append((rel.id, rel.embargo, rel.state))
    out = []
    for release_id, embargo, state in rows:
        try:
            passed = parse_time(embargo, "embargo") <= now
        except PubflowError:
            continue
        if passed and state not in live:
            out.append(release_id)
    return out


def release_due(nr: Newsroom, now: dt.datetime | None = None,
                known_problems: Mapping[str, Sequence[Problem]] | None = None) -> list[Due]:
    """Publish every scheduled release whose embargo has passed, as the editor who scheduled it.
    One that cannot go out now (a guard fails, its editor left pubflow.yaml, a file is broken)
    stays scheduled, with the reason."""
    now = now or utc_now()
    people = {person.name: person for person in nr.config.people}
    out: list[Due] = []
    for release_id in scheduled_candidates(nr, now):
        event: Event | None = None
        try:
            doc = nr.load(release_id)
            event = pending_schedule(doc)
            if any(e.kind == "schedule" for e in doc.release.history):
                # A history that does not replay (an `unschedule` written by hand by someone who may
                # not publish) must not cancel the publication in silence: say why it stays.
                require_consistent(nr, release_id)
        except PubflowError as exc:
            scheduled_by = event.actor if event is not None else ""
            out.append(Due(release_id, scheduled_by, False, reason=exc.message))
            continue
        if event is None:
            continue
        if changed_since(doc, event):
            out.append(Due(release_id, event.actor, False, reason=_(
                "it was edited after {actor} scheduled it; they or another editor schedule it again "
                "with `pubflow publish {id} --at-embargo`").format(actor=event.actor, id=release_id)))
            continue
        person = people.get(event.actor)
        if person is None:
            out.append(Due(release_id, event.actor, False, reason=_(
                "{actor}, who scheduled it, is no longer in pubflow.yaml").format(actor=event.actor)))
            continue
        try:
            result = publish_release(nr, release_id, person, lang=event.language, comment=event.comment, now=now,
                                     known_problems=known_problems)
        except PubflowError as exc:
            out.append(Due(release_id, event.actor, False, reason=exc.message))
            continue
        out.append(Due(release_id, event.actor, True, result.languages))
    return out
