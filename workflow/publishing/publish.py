"""`pubflow publish`: the publish transition, with its outputs written at once.

Every page is rendered and the output folder checked BEFORE the release
moves (`build(trial=...)`), so a template error or an unwritable folder
leaves the release unpublished; the move and the build that writes its
bundles, site index and feed then happen under the build lock.  This is the
place for every operation that changes what is out and must leave `dist/`
consistent when it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from workflow.core.guards import GUARDS
from workflow.core.history import clean_comment, record
from workflow.core.model import Document, Event, format_time, utc_now
from workflow.core.statemachine import check_transition
from workflow.core.summary import summarize
from workflow.errors import Refused, UsageError
from workflow.i18n import _
from workflow.publishing.build import BuildResult, build, build_locked
from workflow.publishing.outputs import output_settings
from workflow.publishing.pagemodel import is_live
from workflow.storage import store
from workflow.translation.gate import guard_context

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.core.summary import ReleaseSummary
    from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class PublishResult:
    release: ReleaseSummary
    languages: list[str]  # languages published by this command
    event: Event | None  # None when the release was already published (rebuild)
    build: BuildResult


def _publish_change(
    nr: Newsroom, actor: Person, lang: str | None, comment: str | None, now: dt.datetime,
) -> Callable[[Document], tuple[Document, tuple[Event, list[str]]]]:
    """The pure change `publish` makes to a release (transition or one language going out)."""
    config = nr.config
    text = clean_comment(comment)

    def change(doc: Document) -> tuple[Document, tuple[Event, list[str]]]:
        rel = doc.release
        if lang is not None and lang not in rel.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=rel.id, lang=lang),
                             _("its languages: {codes}").format(codes=", ".join(rel.languages)))
        out = [code for code in rel.languages if code in rel.published_languages]
        remaining = [code for code in rel.languages if code not in out]
        going = [lang] if lang is not None else remaining
        last = lang is None or remaining == [lang]
        decision = check_transition(
            config.workflow, rel.state, "publish", actor.name, actor.roles, text, GUARDS,
            guard_context(doc, config, now, (lang,) if lang else ()),
        )
        published = tuple(code for code in rel.languages if code in out or code in going)
        if last:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
                transition="publish", source=decision.source, target=decision.target,
                language=lang, comment=text, content=doc.content_hash()))
            new_rel = replace(new_doc.release, state=decision.target, published_languages=published)
        else:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="release", actor=actor.name, role=decision.role,
                transition="publish", source=rel.state, target=rel.state, language=lang, comment=text,
                content=doc.content_hash()))
            new_rel = replace(new_doc.release, published_languages=published)
        return replace(new_doc, release=new_rel), (event, going)

    return change


def publish_release(
    nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
    comment: str | None = None, now: dt.datetime | None = None,
) -> PublishResult:
    """Run `publish` with its guards, then write the bundles, index and feed.

    On an already published release this is a rebuild of its bundles.  With
    `lang` (needs `publish_policy: source_first`) one language goes out while
    the release stays in translation; the last language completes the move.
    Pages are rendered and the output folder checked BEFORE the move, so a
    template error or an unwritable folder leaves the release unpublished.
    """
    config = nr.config
    now = now or utc_now()
    if lang is not None:
        config.language(lang)
    doc = nr.load(release_id)
    output_settings(config)
    if is_live(config, doc.release.state):
        if lang is not None and lang not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=lang))
        result = build_locked(nr, at=now, force_ids={release_id})
        return PublishResult(summarize(doc), [], None, result)
    if lang is not None and config.publish_policy != "source_first":
        raise Refused(
            _("this newsroom publishes every language at once (publish_policy: all_at_once)"),
            _("drop --lang, or set publish_policy: source_first in pubflow.yaml"))
    if lang is not None and lang in doc.release.published_languages:
        result = build_locked(nr, at=now, force_ids={release_id})
        return PublishResult(summarize(doc), [], None, result)
    change = _publish_change(nr, actor, lang, comment, now)
    # First in memory: guards, every page rendered, the folder checked; then the move.
    trial, _unused = change(doc)
    with store.locked(config.state_dir / "locks" / "build.lock"):
        build(nr, at=now, trial=trial)
        event, going = nr.update(release_id, change)
        result = build(nr, at=now, force_ids={release_id})
    after = nr.load(release_id)
    return PublishResult(summarize(after), going, event, result)
