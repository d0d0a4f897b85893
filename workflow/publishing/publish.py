"""`pubflow publish`, `correct`, `retract`: the moves that change what is out, with their outputs.

Each is all or nothing, under the build lock:

1. the release must be what its histories recorded (`editorial.verify`, plus
   what the caller knows, e.g. git: exit 5 naming the problem);
2. the move is made in memory (guards, snapshots of the text going out);
3. every output is rendered from that document and written to temporary files
   beside its target (`build.stage_build`): a template error, a full disk or a
   permission problem stops here, and the temps are taken back;
4. the event (with its snapshots) is recorded, against the revision read in 1;
5. the staged outputs are swapped in (renames: no space needed), the build
   state recorded.

So when the command returns, `dist/` shows the move (the bundles, the
tombstone at the same URL, the correction notice, the site index and feed),
and when it fails, neither the event nor any output is left behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from workflow.core.guards import GUARDS
from workflow.core.history import clean_comment, record
from workflow.core.integrity import is_legacy
from workflow.core.model import Document, Event, format_time, parse_time, utc_now
from workflow.core.statemachine import check_transition
from workflow.core.summary import summarize
from workflow.editorial.migrate import migrate_document
from workflow.editorial.transitions import (
    apply_transition,
    live_move,
    read_notices,
    take_snapshots,
    transition_document,
)
from workflow.editorial.verify import gate_line, release_check
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.publishing import outheads
from workflow.publishing.build import BuildResult, Staged, build_lock, build_locked, stage_build
from workflow.publishing.outputs import output_settings
from workflow.publishing.pagemodel import is_live
from workflow.storage import store
from workflow.translation.gate import guard_context

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.core.integrity import Problem
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
        if is_legacy(doc):
            doc, _migrated = migrate_document(config, doc, actor, now, with_snapshots=False)
        taken = take_snapshots(config, doc, going, now, config.workflow.transitions["publish"])
        named = tuple((s.language, s.sha256) for s in taken)
        published = tuple(code for code in rel.languages if code in out or code in going)
        if last:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
                transition="publish", source=decision.source, target=decision.target,
                language=lang, comment=text, snapshots=named, content=doc.content_hash()))
            new_rel = replace(new_doc.release, state=decision.target, published_languages=published)
        else:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="release", actor=actor.name, role=decision.role,
                transition="publish", source=rel.state, target=rel.state, language=lang, comment=text,
                snapshots=named, content=doc.content_hash()))
            new_rel = replace(new_doc.release, published_languages=published)
        return replace(new_doc, release=new_rel, snapshots=(*doc.snapshots, *taken)), (event, going)

    return change


def require_clock(doc: Document, now: dt.datetime) -> None:
    """Refuse a move that changes what is out while the release's last event is dated after `now`.

    Time never goes backwards in a history (`core.history.seal`), so the move would be recorded at
    that later time, and the outputs, written for `now`, would not show it: a publish reported as
    done with nothing in the outputs, a retraction still readable, until that moment (one event
    from a computer whose clock runs ahead was enough)."""
    history = doc.release.history
    if not history:
        return
    last = parse_time(history[-1].at, "at")
    if last > now:
        raise Refused(
            _("{id}: its last event is dated {at}, later than this computer's clock ({now}); what this "
              "changes would not be out until then").format(id=doc.release.id, at=history[-1].at,
                                                           now=format_time(now)),
            _("check this computer's clock and the clock of whoever recorded that event, or run it again "
              "after {at}").format(at=history[-1].at))


def publish_release(
    nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
    comment: str | None = None, now: dt.datetime | None = None,
    known_problems: Mapping[str, Sequence[Problem]] | None = None,
) -> PublishResult:
    """Run `publish` with its guards and write the bundles, index and feed, all or nothing.

    On an already published release this is a rebuild of its bundles.  With
    `lang` (needs `publish_policy: source_first`) one language goes out while
    the release stays in translation; the last language completes the move.
    """
    config = nr.config
    now = now or utc_now()
    if lang is not None:
        config.language(lang)
    doc = nr.load(release_id)
    output_settings(config)
    _require_consistent(nr, release_id, now, known_problems)
    if is_live(config, doc.release.state):
        if lang is not None and lang not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=lang))
        result = build_locked(nr, at=now, force_ids={release_id}, known_problems=known_problems)
        return PublishResult(summarize(doc), [], None, result)
    if lang is not None and config.publish_policy != "source_first":
        raise Refused(
            _("this newsroom publishes every language at once (publish_policy: all_at_once)"),
            _("drop --lang, or set publish_policy: source_first in pubflow.yaml"))
    if lang is not None and lang in doc.release.published_languages:
        result = build_locked(nr, at=now, force_ids={release_id}, known_problems=known_problems)
        return PublishResult(summarize(doc), [], None, result)
    require_clock(doc, now)
    change = _publish_change(nr, actor, lang, comment, now)
    (event, going), result = _all_or_nothing(nr, doc, change, now, known_problems)
    return PublishResult(summarize(nr.load(release_id)), going, event, result)


@dataclass(frozen=True)
class MoveOutResult:
    """A workflow move and, when it changed what is out, the outputs it wrote."""

    release: ReleaseSummary
    event: Event
    build: BuildResult | None  # None: the move changed nothing that is out


def move_release(
    nr: Newsroom, release_id: str, name: str, actor: Person, comment: str | None = None, *,
    now: dt.datetime | None = None, known_problems: Mapping[str, Sequence[Problem]] | None = None,
    expected_revision: int | None = None, notices: Mapping[str, str] | None = None,
    notices_file: Path | None = None,
) -> MoveOutResult:
    """Any workflow transition; one that changes what is out (publish, correct, retract) writes its
    outputs in the same all-or-nothing step (see the module note).

    `expected_revision`: refuse with `Conflict` when the release changed since the caller read it.
    `notices` (and `notices_file`, YAML: language -> text): a correction's or retraction's notice in
    each language that is out besides the source (whose notice is `comment`)."""
    config = nr.config
    if notices_file is not None:
        notices = {**read_notices(notices_file), **(notices or {})}
    now = now or utc_now()
    doc = nr.load(release_id)
    if expected_revision is not None:
        nr.require_revision(doc, expected_revision)
    transition = config.workflow.transitions.get(name)
    if transition is None or doc.release.state not in transition.sources or not live_move(
            config.workflow, doc.release.state, transition.target):
        moved = apply_transition(nr, release_id, name, actor, comment, now, expected_revision=expected_revision,
                                 notices=notices)
        return MoveOutResult(moved.release, moved.event, None)
    if name == "publish":
        published = publish_release(nr, release_id, actor, comment=comment, now=now, known_problems=known_problems)
        assert published.event is not None
        return MoveOutResult(published.release, published.event, published.build)
    output_settings(config)
    _require_consistent(nr, release_id, now, known_problems)
    require_clock(doc, now)

    def change(current: Document) -> tuple[Document, Event]:
        if expected_revision is not None:
            nr.require_revision(current, expected_revision)
        return transition_document(config, current, name, actor, comment, now, notices=notices)

    event, result = _all_or_nothing(nr, doc, change, now, known_problems)
    return MoveOutResult(summarize(nr.load(release_id)), event, result)


T = TypeVar("T")


def _all_or_nothing(nr: Newsroom, doc: Document, change: Callable[[Document], tuple[Document, T]],
                    now: dt.datetime, known_problems: Mapping[str, Sequence[Problem]] | None,
                    ) -> tuple[T, BuildResult]:
    """Make `change` in memory, stage every output it implies, record it, swap the outputs in."""
    release_id = doc.release.id
    trial, _unused = change(doc)  # guards and snapshots first: a refusal writes nothing
    with store.locked(build_lock(nr)):
        staged = stage_build(nr, at=now, trial=trial, force_ids={release_id}, known_problems=known_problems)
        assert isinstance(staged, Staged)
        try:
            outcome = nr.update(release_id, change, expected_revision=doc.release.revision)
        except BaseException:
            staged.discard()
            raise
        return outcome, staged.commit()


def _require_consistent(nr: Newsroom, release_id: str, now: dt.datetime,
                        known_problems: Mapping[str, Sequence[Problem]] | None) -> None:
    """InvalidData (exit 5) naming the release and its first problem: nothing is written for it.
    A release written before schema 2 may move: the move migrates it first (`editorial.migrate`)."""
    problems = [*(known_problems or {}).get(release_id, ()),
                *outheads.problems(outheads.load(nr.config.state_dir), nr.load(release_id)),
                *(p for p in release_check(nr, release_id) if not p.legacy)]
    if problems:
        raise InvalidData(gate_line(release_id, problems))
