"""The editor's operations: create, list, show, move, comment, edit, history.

Each function takes a `Newsroom` and plain values and returns data; the CLI
renders it.  State changes go through `Newsroom.update`, so they happen under
the release lock against freshly read files.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.guards import GUARDS, GuardContext
from workflow.core.model import (
    Document,
    Event,
    Release,
    check_release_id,
    format_time,
    parse_time,
    seal,
    utc_now,
)
from workflow.core.statemachine import GuardFn, check_transition
from workflow.editorial.sourcetext import ImportedText, parse_source_text, read_source_file
from workflow.errors import InvalidData, NotFound, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class ReleaseSummary:
    id: str
    title: str
    state: str
    source_language: str
    languages: list[str]
    date: str
    category: str
    progress: dict[str, dict[str, int]]
    published_languages: list[str] = field(default_factory=list)
    embargo: str | None = None
    revision: int = 0

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "state": self.state,
            "source_language": self.source_language, "languages": self.languages,
            "date": self.date, "category": self.category, "progress": self.progress,
            "published_languages": self.published_languages, "embargo": self.embargo,
            "revision": self.revision,
        }


@dataclass(frozen=True)
class MoveResult:
    release: ReleaseSummary
    event: Event


@dataclass(frozen=True)
class CreateResult:
    release: ReleaseSummary
    segments: int
    ignored: list[str]


def summarize(nr: Newsroom, doc: Document) -> ReleaseSummary:
    rel = doc.release
    progress: dict[str, dict[str, int]] = {}
    for code in rel.targets:
        statuses = doc.statuses(code)
        counts = {status: 0 for status in seg.STATUSES}
        for status in statuses.values():
            counts[status] += 1
        counts["total"] = len(statuses)
        progress[code] = counts
    return ReleaseSummary(
        id=rel.id, title=doc.title, state=rel.state, source_language=rel.source_language,
        languages=list(rel.languages), date=rel.date, category=rel.category, progress=progress,
        published_languages=list(rel.published_languages), embargo=rel.embargo, revision=rel.revision,
    )


# ---------------------------------------------------------------- create
def slugify(title: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


def create_release(
    nr: Newsroom,
    actor: Person,
    *,
    title: str | None = None,
    language: str | None = None,
    from_file: Path | None = None,
    text: str | None = None,
    date: str | None = None,
    category: str | None = None,
    slug: str | None = None,
    embargo: str | None = None,
    now: dt.datetime | None = None,
) -> CreateResult:
    """Create a draft from a file, from text, or from a title and body given inline."""
    now = now or utc_now()
    if not any(r in ("writer", "editor") for r in actor.roles):
        raise Refused(_("{actor} may not create releases: it needs the role writer or editor").format(
            actor=actor.name), _("ask a writer or an editor"))
    if from_file is not None:
        imported = read_source_file(from_file)
    elif text is not None:
        imported = parse_source_text(text, "<text>")
    else:
        raise UsageError(_("no body given"), _("pass --from FILE"))
    if title:
        imported.title = seg.normalize(title)
    lang = language or imported.language or nr.config.source_language
    nr.config.language(lang)
    when = date or imported.date or now.date().isoformat()
    try:
        when = dt.date.fromisoformat(str(when)).isoformat()
    except ValueError:
        raise UsageError(_("{date!r} is not a date").format(date=when), _("use YYYY-MM-DD")) from None
    stop = embargo or imported.embargo
    if stop:
        stop = stop.strip()
        try:
            parse_time(stop, "--embargo" if embargo else "embargo")
        except InvalidData as exc:
            if embargo:  # given on the command line: a usage error
                raise UsageError(exc.message, exc.hint) from None
            raise
    # An Arabic title has no Latin letters to slug: a short hash of it keeps ids distinct.
    base = slug or slugify(imported.title) or f"release-{seg.text_hash(imported.title)[:8]}"
    release_id = check_release_id(f"{when}-{base}")
    segments = seg.build(imported.title, imported.paragraphs, imported.source_line)
    languages = (lang, *nr.config.targets_for(lang))
    release = Release(
        id=release_id, date=when, category=seg.normalize(category or imported.category or ""),
        source_language=lang, languages=languages, state=nr.config.workflow.initial,
        revision=1, embargo=stop or None,
    )
    doc = Document(release, tuple(segments), {code: () for code in release.targets})
    event = seal((), Event(at=format_time(now), kind="create", actor=actor.name, role=_main_role(actor),
                           target=release.state, content=doc.content_hash()))
    doc = replace(doc, release=replace(release, history=(event,)))
    nr.create(doc)
    return CreateResult(summarize(nr, doc), len(segments), imported.ignored)


def _main_role(actor: Person) -> str:
    return actor.roles[0] if actor.roles else ""


# ---------------------------------------------------------------- read
def list_releases(nr: Newsroom, state: str | None = None, language: str | None = None) -> list[ReleaseSummary]:
    """Every release, oldest first; `state` and `language` (the source language) filter."""
    if state is not None and state not in nr.config.workflow.states:
        raise UsageError(_("unknown state {state!r}").format(state=state),
                         _("states: {names}").format(names=", ".join(nr.config.workflow.states)))
    if language is not None:
        nr.config.language(language)
    out = []
    for summary in load_summaries(nr):
        if state and summary.state != state:
            continue
        if language and summary.source_language != language:
            continue
        out.append(summary)
    return out


def load_summaries(nr: Newsroom) -> list[ReleaseSummary]:
    """Summaries of every release, from the index (`workflow.index`) when it can be used."""
    from workflow.storage import index

    try:
        return index.summaries(nr)
    except index.IndexUnavailable:
        return load_summaries_from_files(nr)


def load_summaries_from_files(nr: Newsroom) -> list[ReleaseSummary]:
    """Summaries of every release, parsing every file (what the index must agree with)."""
    return [summarize(nr, nr.load(release_id)) for release_id in nr.release_ids()]


@dataclass(frozen=True)
class ReleaseView:
    summary: ReleaseSummary
    segments: list[dict[str, Any]]
    allowed: list[str]
    history: list[Event]

    def public(self) -> dict[str, Any]:
        data = self.summary.public()
        data["segments"] = self.segments
        data["allowed_transitions"] = self.allowed
        data["history"] = [e.public() for e in self.history]
        return data


def show_release(nr: Newsroom, release_id: str) -> ReleaseView:
    doc = nr.load(release_id)
    rows: list[dict[str, Any]] = []
    for s in doc.source:
        row: dict[str, Any] = {"id": s.id, "hash": s.hash, "text": s.text, "translations": {}}
        for code in doc.release.targets:
            target = doc.target(code)[s.id]
            row["translations"][code] = {
                "status": target.effective_status(s.text), "text": target.text, "origin": target.origin,
            }
        rows.append(row)
    return ReleaseView(summarize(nr, doc), rows, nr.config.workflow.allowed_from(doc.release.state),
                       list(doc.release.history))


def history(nr: Newsroom, release_id: str) -> list[Event]:
    return list(nr.load_release(release_id).history)


# ---------------------------------------------------------------- change
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
        return new_doc, MoveResult(summarize(nr, new_doc), event)

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
        GUARDS if guards is None else guards, GuardContext(doc, config, now),
    )
    new_doc, event = record(doc, Event(
        at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
        transition=name, source=decision.source, target=decision.target,
        comment=_clean_comment(comment), content=doc.content_hash(),
    ))
    return replace(new_doc, release=replace(new_doc.release, state=decision.target)), event


def record(doc: Document, event: Event) -> tuple[Document, Event]:
    """Append a sealed event to the history (pure)."""
    sealed = seal(doc.release.history, event)
    return replace(doc, release=replace(doc.release, history=(*doc.release.history, sealed))), sealed


def _clean_comment(comment: str | None) -> str | None:
    if comment is None:
        return None
    text = comment.strip()
    if "\x00" in text:
        raise UsageError(_("the comment contains a NUL character"))
    return text or None


def add_comment(nr: Newsroom, release_id: str, actor: Person, text: str,
                now: dt.datetime | None = None) -> Event:
    cleaned = _clean_comment(text)
    if not cleaned:
        raise UsageError(_("the comment is empty"), _("pass -m TEXT"))
    now = now or utc_now()

    def change(doc: Document) -> tuple[Document, Event]:
        return record(doc, Event(at=format_time(now), kind="comment", actor=actor.name,
                                 role=_main_role(actor), source=doc.release.state, target=doc.release.state,
                                 comment=cleaned, content=doc.content_hash()))

    return nr.update(release_id, change)


@dataclass(frozen=True)
class EditResult:
    release: ReleaseSummary
    changed: list[str]
    added: list[str]
    removed: list[str]
    event: Event | None


def edit_source(nr: Newsroom, release_id: str, actor: Person, *, from_file: Path | None = None,
                title: str | None = None, now: dt.datetime | None = None) -> EditResult:
    """Replace the source text; ids of unchanged or edited paragraphs are kept."""
    now = now or utc_now()
    imported: ImportedText | None = read_source_file(from_file) if from_file else None

    def change(doc: Document) -> tuple[Document, EditResult]:
        state = nr.config.workflow.states[doc.release.state]
        if state.final:
            raise Refused(_("{id} is {state}: its text can no longer change").format(
                id=doc.release.id, state=doc.release.state))
        if not any(r in ("writer", "editor") for r in actor.roles):
            raise Refused(_("{actor} may not edit the source: it needs the role writer or editor").format(
                actor=actor.name))
        if doc.release.state in ("published",) and "editor" not in actor.roles:
            raise Refused(_("only an editor may change a published release"))
        body = [s for s in doc.source if s.id not in (seg.TITLE, seg.SOURCE_LINE)]
        new_title = title or (imported.title if imported else doc.title)
        paragraphs = imported.paragraphs if imported else [s.text for s in body]
        source_line = imported.source_line if imported else (doc.source_text(seg.SOURCE_LINE) or None)
        new_source = tuple(seg.align(doc.source, new_title, paragraphs, source_line))
        old = {s.id: s.text for s in doc.source}
        new = {s.id: s.text for s in new_source}
        changed = [i for i in new if i in old and old[i] != new[i]]
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        unchanged = not (changed or added or removed) and [s.id for s in new_source] == [s.id for s in doc.source]
        if unchanged:
            # Nothing new from the command line; record a hand edit made since the last event.
            recorded = next((e.content for e in reversed(doc.release.history) if e.content), "")
            if recorded == doc.content_hash():
                return doc, EditResult(summarize(nr, doc), [], [], [], None)
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="edit", actor=actor.name, role=_main_role(actor),
                source=doc.release.state, target=doc.release.state, content=doc.content_hash(),
                comment=_("recorded a change made to the files by hand")))
            return new_doc, EditResult(summarize(nr, new_doc), [], [], [], event)
        new_doc = replace(doc, source=new_source)
        new_doc, event = record(new_doc, Event(
            at=format_time(now), kind="edit", actor=actor.name, role=_main_role(actor),
            source=doc.release.state, target=doc.release.state, content=new_doc.content_hash(),
            comment=_("changed {c}, added {a}, removed {r}").format(
                c=", ".join(changed) or "-", a=", ".join(added) or "-", r=", ".join(removed) or "-"),
        ))
        return new_doc, EditResult(summarize(nr, new_doc), changed, added, removed, event)

    return nr.update(release_id, change)


def require_release(nr: Newsroom, release_id: str) -> None:
    if not nr.exists(release_id):
        raise NotFound(_("no release {id!r}").format(id=release_id), _("see `pubflow list` for the ids"))


def workflow_description(nr: Newsroom) -> dict[str, Any]:
    wf = nr.config.workflow
    return {
        "initial": wf.initial,
        "states": [{"name": s.name, "label": s.label, "final": s.final, "live": s.live}
                   for s in wf.states.values()],
        "transitions": [{"name": t.name, "from": list(t.sources), "to": t.target, "roles": list(t.roles),
                         "comment": t.comment, "requires": list(t.requires), "approval": t.approval}
                        for t in wf.transitions.values()],
    }


def workflow_mermaid(nr: Newsroom) -> str:
    wf = nr.config.workflow
    lines = ["stateDiagram-v2", f"    [*] --> {wf.initial}"]
    for t in wf.transitions.values():
        for source in t.sources:
            extra = f" ({', '.join(t.roles)})"
            lines.append(f"    {source} --> {t.target}: {t.name}{extra}")
    for s in wf.states.values():
        if s.final:
            lines.append(f"    {s.name} --> [*]")
    return "\n".join(lines) + "\n"
