"""What the workspace's pages show, read through the operations (no rule of its own).

Each function returns plain data for one page; the templates only lay it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workflow.core.guards import GUARDS
from workflow.core.model import Document, utc_now
from workflow.core.statemachine import guard_refusal, role_for
from workflow.errors import NotFound, PubflowError, UsageError
from workflow.i18n import _
from workflow.translation.gate import guard_context
from workflow.translation.operations import (
    NEEDS_REVIEW,
    NEEDS_TRANSLATION,
    require_segment,
    require_target,
    shown_hash,
    word_diff,
)

if TYPE_CHECKING:
    from workflow.core.config import Config, Person
    from workflow.storage.newsroom import Newsroom
    from workflow.translation.glossary import Glossary


@dataclass(frozen=True)
class Piece:
    """A run of text; `term` set when it is a glossary term (its rendering and note)."""

    text: str
    term: str = ""
    note: str = ""


@dataclass(frozen=True)
class Match:
    key: str
    score: int
    text: str
    origin: str
    release: str
    segment: str


@dataclass(frozen=True)
class FindingView:
    check: str
    severity: str
    message: str
    waived_by: str = ""


@dataclass(frozen=True)
class SegmentRow:
    id: str
    status: str
    source: str
    text: str
    by: str
    reviewed_by: str
    origin: str
    hash: str
    needs: str  # "translation" | "review" | ""
    findings: list[FindingView] = field(default_factory=list)


@dataclass(frozen=True)
class LanguageView:
    code: str
    name: str
    direction: str


@dataclass(frozen=True)
class Editor:
    release: str
    title: str
    state: str
    revision: int
    source_lang: LanguageView
    lang: LanguageView
    rows: list[SegmentRow]
    row: SegmentRow
    source_pieces: list[Piece]
    diff: list[tuple[str, str]]  # stale: (op, text) of the old -> new source
    old_text: str  # stale: the old translation
    matches: list[Match]
    terms: list[tuple[str, str, str]]
    findings: list[FindingView]
    previous: str | None
    next: str | None
    next_pending: str | None
    machine: bool  # a machine translation provider is configured
    notes: list[tuple[str, str, str]]  # reviewers' notes on this segment: (at, who, text)


def language_view(config: Config, code: str) -> LanguageView:
    lang = config.language(code)
    return LanguageView(code, lang.name, lang.direction if lang.direction in ("ltr", "rtl") else "ltr")


def load_target(nr: Newsroom, release_id: str, lang: str) -> Document:
    """The release, checked to be translated into `lang` (NotFound / UsageError otherwise)."""
    nr.config.language(lang)
    doc = nr.load(release_id)
    require_target(doc, lang)
    return doc


def findings_for(config: Config, doc: Document, lang: str, segment: str, text: str | None = None,
                 glossary: Glossary | None = None) -> list[FindingView]:
    """The translation checks on `text` (else the saved text) of `segment`, as `pubflow check` runs them;
    findings a reviewer waived for exactly this source and text carry the reviewer's name."""
    from workflow.translation.operations import segment_findings

    if text is not None and not text.strip():
        return []
    if text is None and not doc.target(lang)[segment].text.strip():
        return []
    return [FindingView(f.check, f.severity, f.message, f.waived_by)
            for f in segment_findings(doc, config, lang, segment, text, glossary)]


def rows(nr: Newsroom, doc: Document, lang: str, person: Person | None, with_findings: bool = False,
         glossary: Glossary | None = None) -> list[SegmentRow]:
    from workflow.translation.queues import needs_review

    review = needs_review(nr.config)
    out = []
    targets = doc.target(lang)
    for s in doc.source:
        target = targets[s.id]
        status = target.effective_status(s.text)
        needs = ""
        if status in NEEDS_TRANSLATION and (person is None or person.has_role(f"translator:{lang}")):
            needs = "translation"
        elif status in NEEDS_REVIEW and review and (person is None or person.has_role(f"reviewer:{lang}")):
            needs = "review"
        found = findings_for(nr.config, doc, lang, s.id, None, glossary) if with_findings else []
        out.append(SegmentRow(s.id, status, s.text, target.text, target.by, target.reviewed_by, target.origin,
                              shown_hash(doc, s.id, lang), needs, found))
    return out


def highlighted(glossary: Glossary, text: str, source_lang: str, lang: str) -> list[Piece]:
    import unicodedata

    nfc = unicodedata.normalize("NFC", text)
    pieces: list[Piece] = []
    at = 0
    for start, end, term in glossary.spans_in(nfc, source_lang, lang):
        if start > at:
            pieces.append(Piece(nfc[at:start]))
        pieces.append(Piece(nfc[start:end], term.preferred(lang), term.note))
        at = end
    if at < len(nfc):
        pieces.append(Piece(nfc[at:]))
    return pieces


def segment_notes(doc: Document, lang: str, segment: str) -> list[tuple[str, str, str]]:
    """Comments in the history addressed to this segment (`note_text` wrote them)."""
    prefix = note_prefix(lang, segment)
    return [(e.at, e.actor, (e.comment or "")[len(prefix):].strip()) for e in doc.release.history
            if e.kind == "comment" and (e.comment or "").startswith(prefix)]


def note_prefix(lang: str, segment: str) -> str:
    return f"[{lang} {segment}]"


def note_text(lang: str, segment: str, note: str) -> str:
    """A reviewer's note on one segment, as the comment recorded in the history."""
    return f"{note_prefix(lang, segment)} {note.strip()}"


def editor(nr: Newsroom, person: Person, release_id: str, lang: str, segment: str | None) -> Editor:
    """The segment editor: one segment of one release and language, with everything that helps."""
    from workflow.translation import memory, mt
    from workflow.translation.glossary import load_glossary

    doc = load_target(nr, release_id, lang)
    glossary = load_glossary(nr.root, tuple(nr.config.languages))
    all_rows = rows(nr, doc, lang, person)
    ids = [r.id for r in all_rows]
    if segment is None:
        segment = next((r.id for r in all_rows if r.needs == "translation"), ids[0] if ids else None)
    if segment is None:
        raise NotFound(_("{id} has no segments").format(id=release_id))
    require_segment(doc, segment)
    position = ids.index(segment)
    row = all_rows[position]
    target = doc.target(lang)[segment]
    source_lang = doc.release.source_language
    matches: list[Match] = []
    try:
        found = memory.lookup(nr, row.source, source_lang, lang, limit=3, exclude_release=release_id)
    except PubflowError:
        found = []
    for i, m in enumerate(found, start=1):
        matches.append(Match(str(i), m.score, m.target, f"memory:{m.release}", m.release, m.segment))
    terms = [(t.found_in(row.source, source_lang) or t.preferred(source_lang), t.preferred(lang), t.note)
             for t in glossary.terms_in(row.source, source_lang, lang)]
    stale = row.status == "stale"
    later = [r.id for r in all_rows[position + 1:] if r.needs == "translation"]
    try:
        machine = mt.is_configured(nr)
    except PubflowError:
        machine = False
    return Editor(
        release=release_id, title=doc.title, state=doc.release.state, revision=doc.release.revision,
        source_lang=language_view(nr.config, source_lang), lang=language_view(nr.config, lang),
        rows=all_rows, row=row, source_pieces=highlighted(glossary, row.source, source_lang, lang),
        diff=word_diff(target.source, row.source) if stale else [], old_text=target.text if stale else "",
        matches=matches, terms=terms, findings=findings_for(nr.config, doc, lang, segment, None, glossary),
        previous=ids[position - 1] if position > 0 else None,
        next=ids[position + 1] if position + 1 < len(ids) else None,
        next_pending=later[0] if later else None, machine=machine,
        notes=segment_notes(doc, lang, segment),
    )


@dataclass(frozen=True)
class Move:
    """A transition from the release's state: may this person make it, and what blocks it."""

    name: str
    label: str
    target: str
    comment: str  # required | optional | ...
    allowed: bool  # the person holds a role for it
    blocked: str | None  # the first guard that refuses, in the reader's language


@dataclass(frozen=True)
class Review:
    release: str
    title: str
    state: str
    state_label: str
    revision: int
    source_lang: LanguageView
    lang: LanguageView
    rows: list[SegmentRow]
    moves: list[Move]
    comments: list[tuple[str, str, str]]  # (at, who, text)
    may_review: bool


def moves(nr: Newsroom, doc: Document, person: Person, now: dt.datetime | None = None) -> list[Move]:
    from workflow.core.labels import state_label

    wf = nr.config.workflow
    context = guard_context(doc, nr.config, now or utc_now())
    out = []
    for name in wf.allowed_from(doc.release.state):
        t = wf.transitions[name]
        out.append(Move(name, t.label or name, state_label(wf, t.target), t.comment,
                        role_for(t, person.roles) is not None, guard_refusal(t, GUARDS, context)))
    return out


def review(nr: Newsroom, person: Person, release_id: str, lang: str) -> Review:
    from workflow.translation.glossary import load_glossary

    doc = load_target(nr, release_id, lang)
    glossary = load_glossary(nr.root, tuple(nr.config.languages))
    from workflow.core.labels import state_label
    comments = [(e.at, e.actor, e.comment or "") for e in doc.release.history if e.comment]
    return Review(
        release=release_id, title=doc.title, state=doc.release.state,
        state_label=state_label(nr.config.workflow, doc.release.state),
        revision=doc.release.revision, source_lang=language_view(nr.config, doc.release.source_language),
        lang=language_view(nr.config, lang), rows=rows(nr, doc, lang, person, True, glossary),
        moves=moves(nr, doc, person), comments=comments, may_review=person.has_role(f"reviewer:{lang}"),
    )


def check_language(nr: Newsroom, code: str) -> str:
    if code not in nr.config.languages:
        raise UsageError(_("unknown language {code!r}").format(code=code),
                         _("this newsroom has: {codes}").format(codes=", ".join(nr.config.languages)))
    return code
