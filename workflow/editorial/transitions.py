"""Moving a release through the workflow, and commenting on it.

`transition_document` is the pure decision plus the event it records;
`apply_transition` and `add_comment` run under the release lock through
`Newsroom.update`, against freshly read files.

A move into a live state (publish), within one (a correction) or between two
(retract) decides what is out: the event names, per language, the snapshot
of the text that goes out (`workflow.core.snapshot`).  Such a move needs, for
every language it puts out, whatever the workflow's `requires:` says, the
integrity guards: the source text approved as it is (`approval_current`;
a correction is itself the editor's approval of the new text), every
translation complete (`translations_complete`) and no unwaived check error
(`checks_clean`).  A retraction carries the snapshots that were out over to
the tombstone.  The outputs are `workflow.publishing`'s job: it calls this.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from workflow.core import snapshot as snapshots
from workflow.core.config import Config, Person
from workflow.core.guards import GUARDS
from workflow.core.history import clean_comment, current_snapshots, record
from workflow.core.integrity import is_legacy
from workflow.core.model import Document, Event, format_time, utc_now
from workflow.core.statemachine import GuardFn, Transition, Workflow, check_transition
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import main_role
from workflow.editorial.verify import require_consistent
from workflow.errors import InvalidData, NotFound, Refused, UsageError
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
    notices: Mapping[str, str] | None = None,
) -> MoveResult:
    """Run one workflow transition with all its checks, under the release lock.

    A release that is not what its histories recorded does not move (exit 5 naming the
    problem): a move records the text and metadata as they are, and would bind a hand edit."""
    now = now or utc_now()
    config = nr.config
    require_consistent(nr, release_id)

    def change(doc: Document) -> tuple[Document, MoveResult]:
        new_doc, event = transition_document(config, doc, name, actor, comment, now, notices=notices)
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
    *,
    notices: Mapping[str, str] | None = None,
) -> tuple[Document, Event]:
    """Apply one transition to a document (pure): the new document and the event it recorded.

    Checks the state, the actor's role, a required comment and the guards;
    refuses with `Refused` (or `UsageError` for an unknown transition).
    `comment` is the notice in the source language; `notices` the other languages' (a correction
    or retraction needs one in every language that is out, see `notice_texts`).
    """
    comment, given = source_notice(doc, comment, notices)
    decision = check_transition(
        config.workflow, doc.release.state, name, actor.name, actor.roles, comment,
        GUARDS if guards is None else guards, guard_context(doc, config, now),
    )
    transition = config.workflow.transitions[name]
    kind = live_move(config.workflow, decision.source, decision.target)
    if kind and is_legacy(doc):
        from workflow.editorial.migrate import migrate_document

        doc, _migrated = migrate_document(config, doc, actor, now, with_snapshots=kind == "retract")
    taken: tuple[snapshots.Snapshot, ...] = ()
    named: tuple[tuple[str, str], ...] = ()
    if kind in ("publish", "correct"):
        taken = take_snapshots(config, doc, doc.release.languages, now, transition, correction=kind == "correct")
        named = tuple((s.language, s.sha256) for s in taken)
    elif kind == "retract":  # the tombstone stands on the text that was out
        named = tuple((lang, sha) for lang, (sha, _e) in current_snapshots(doc.release.history).items())
    out = [lang for lang, _sha in named] or list(doc.release.published_languages or doc.release.languages)
    texts = notice_texts(doc, kind, out, clean_comment(comment), given)
    new_doc, event = record(doc, Event(
        at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
        transition=name, source=decision.source, target=decision.target,
        comment=clean_comment(comment), snapshots=named, content=doc.content_hash(), notices=texts,
    ))
    rel = replace(new_doc.release, state=decision.target)
    if kind == "publish":
        rel = replace(rel, published_languages=rel.languages)
    elif not config.workflow.states[decision.target].live:
        rel = replace(rel, published_languages=())
    return replace(new_doc, release=rel, snapshots=(*doc.snapshots, *taken)), event


def source_notice(doc: Document, comment: str | None, notices: Mapping[str, str] | None,
                  ) -> tuple[str | None, dict[str, str]]:
    """(the source language's notice, the others') from `-m` and the per-language texts: a text
    given for the source language stands for -m; two different ones for it are refused."""
    rel = doc.release
    given: dict[str, str] = {}
    for code, text in (notices or {}).items():
        cleaned = clean_comment(text)
        if not cleaned:
            continue
        if code not in rel.languages:
            raise UsageError(_("{id} has no language {lang!r} to give a notice in").format(id=rel.id, lang=code),
                             _("its languages: {codes}").format(codes=", ".join(rel.languages)))
        given[code] = cleaned
    source = rel.source_language
    if source in given:
        text = given.pop(source)
        if clean_comment(comment) and clean_comment(comment) != text:
            raise UsageError(_("-m and the {lang} message give two different texts for the source language").format(
                lang=source), _("-m is the notice in the source language, {lang}: give it once").format(lang=source))
        comment = text
    return comment, given


NOTICE_OPTIONS = ("en", "ar")  # languages with a --message-LANG option of their own


def notice_texts(doc: Document, kind: str, out: list[str], comment: str | None,
                 given: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The notices of a correction or retraction in every language that is out but the source
    (whose notice is the comment).  Readers of each language see their own: a notice missing in a
    language that is out is refused, rather than shown in another language."""
    rel = doc.release
    if kind not in ("correct", "retract"):
        if given:
            raise UsageError(_("a notice per language goes with a correction or a retraction only"),
                             _("use -m for the comment"))
        return ()
    if not comment and not given:
        return ()  # a workflow whose correction takes no comment: no notice at all
    missing = [code for code in out if code != rel.source_language and code not in given]
    if missing:
        optioned = [code for code in missing if code in NOTICE_OPTIONS]  # the CLI has --message-en/-ar only
        raise Refused(
            _("{id}: the notice is missing in {langs}, which readers see").format(id=rel.id, langs=", ".join(missing)),
            _("give it with {options}, or --messages FILE").format(
                options=", ".join(f"--message-{code} TEXT" for code in optioned)) if optioned == missing
            else _("give it with --messages FILE, a text per language code"))
    if not comment and rel.source_language in out:
        raise Refused(_("{id}: the notice is missing in {langs}, which readers see").format(
            id=rel.id, langs=rel.source_language), _("give it with -m TEXT"))
    stray = [code for code in given if code not in out]
    if stray:
        raise UsageError(_("{id}: {langs} is not out: no notice goes there").format(id=rel.id, langs=", ".join(stray)),
                         _("give notices only in the languages that are out: {codes}").format(codes=", ".join(out)))
    return tuple((code, given[code]) for code in rel.languages if code in given)


def read_notices(path: Path) -> dict[str, str]:
    """A notices file (`correct`/`retract --messages FILE`): YAML, a text per language code."""
    from workflow.storage import limits, yamlio

    try:  # a FIFO, /dev/zero or a huge file: refused without reading it whole (a notice is short)
        raw = limits.read_regular(path, limits.SOURCE_BYTES)
    except FileNotFoundError:
        raise NotFound(_("{path}: no such file").format(path=path)) from None
    data = yamlio.parse(yamlio.decode(raw, str(path)), str(path))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise InvalidData(_("{path}: expected a text per language code").format(path=path),
                          _("e.g. ar: تصحيح الرقم"))
    return data


def live_move(wf: Workflow, source: str, target: str) -> str:
    """What a move does to what is out: "publish" (into a live state), "correct" (within one),
    "retract" (from one live state into another, final one), "" (nothing out changes)."""
    into, out_of = wf.states[target], wf.states[source]
    if not into.live:
        return ""
    if not out_of.live:
        return "publish"
    if source == target or not into.final:
        return "correct"
    return "retract"


INTEGRITY_GUARDS = ("approval_current", "translations_complete", "checks_clean")


def take_snapshots(config: Config, doc: Document, languages: tuple[str, ...] | list[str], now: dt.datetime,
                   transition: Transition | None, *, correction: bool = False) -> tuple[snapshots.Snapshot, ...]:
    """The snapshots of `languages` that a move puts out, after the integrity guards passed for them
    (whatever the workflow's `requires:`): the source approved as it is (unless the move is itself an
    approval, or a correction: the editor approves the new text by correcting), every translation
    complete, no unwaived check error.  Refused naming the first guard that fails."""
    ctx = guard_context(doc, config, now, tuple(languages))
    for guard in INTEGRITY_GUARDS:
        if guard == "approval_current" and (correction or (transition is not None and transition.approval)):
            continue
        reason = GUARDS[guard](ctx)
        if reason:
            what = transition.name if transition is not None else "publish"
            raise Refused(_("cannot {name}: {reason}").format(name=what, reason=reason))
    return tuple(snapshots.take(doc, lang) for lang in languages)


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
