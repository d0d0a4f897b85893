"""`pubflow edit`: replace a release's source text, keeping the ids of what stayed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.history import record, recorded_content
from workflow.core.model import Document, EditChanges, Event, format_time, metadata_values, parse_time, utc_now
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import may_write, writing_role
from workflow.editorial.sourcetext import ImportedText, read_source_file
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class EditResult:
    release: ReleaseSummary
    changed: list[str]
    added: list[str]
    removed: list[str]
    event: Event | None
    metadata: list[str] = field(default_factory=list)  # metadata fields changed


def edit_source(nr: Newsroom, release_id: str, actor: Person, *, from_file: Path | None = None,
                title: str | None = None, date: str | None = None, category: str | None = None,
                embargo: str | None = None, now: dt.datetime | None = None) -> EditResult:
    """Replace the source text (ids of unchanged or edited paragraphs are kept) and/or the
    metadata (`date`, `category`, `embargo`; an empty embargo lifts it): one `edit` event
    recording the new content hash and the metadata values it set.

    The text and metadata that are out stay what their snapshot holds until a correction;
    the embargo of a release with a language out can no longer change."""
    now = now or utc_now()
    imported: ImportedText | None = read_source_file(from_file) if from_file else None
    new_meta = _metadata_arguments(nr.config, date, category, embargo)

    def change(doc: Document) -> tuple[Document, EditResult]:
        spec = nr.config.workflow.states[doc.release.state]
        if spec.final:
            raise Refused(_("{id} is {state}: its text can no longer change").format(
                id=doc.release.id, state=doc.release.state))
        if not may_write(actor):
            raise Refused(_("{actor} may not edit the source: it needs the role writer or editor").format(
                actor=actor.name))
        out = spec.live or bool(doc.release.published_languages)
        if spec.live and "editor" not in actor.roles:
            raise Refused(_("only an editor may change a published release"))
        rel = doc.release
        meta_changed = [key for key, value in new_meta.items() if getattr(rel, key) != value]
        if "embargo" in meta_changed and out:
            raise Refused(_("{id} is out: its embargo can no longer change").format(id=rel.id),
                          _("a release that is out can be corrected with `pubflow correct` or retracted with "
                            "`pubflow retract`"))
        new_rel = replace(rel, **{key: new_meta[key] for key in meta_changed})
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
        role = writing_role(actor, spec.live)
        metadata = metadata_values({key: getattr(new_rel, key) for key in meta_changed})
        if unchanged:
            # Nothing new from the command line; record a hand edit made since the last event.
            if recorded_content(rel.history) == doc.content_hash() and not meta_changed:
                return doc, EditResult(summarize(doc), [], [], [], None)
            by_hand = recorded_content(rel.history) != doc.content_hash()
            new_doc, event = record(replace(doc, release=new_rel), Event(
                at=format_time(now), kind="edit", actor=actor.name, role=role, source=rel.state,
                target=rel.state, content=doc.content_hash(), metadata=metadata,
                changes=EditChanges(by_hand=True) if by_hand else None))
            return new_doc, EditResult(summarize(new_doc), [], [], [], event, meta_changed)
        new_doc = replace(doc, source=new_source, release=new_rel)
        new_doc, event = record(new_doc, Event(
            at=format_time(now), kind="edit", actor=actor.name, role=role, source=rel.state,
            target=rel.state, content=new_doc.content_hash(), metadata=metadata,
            changes=EditChanges(tuple(changed), tuple(added), tuple(removed))))
        return new_doc, EditResult(summarize(new_doc), changed, added, removed, event, meta_changed)

    return nr.update(release_id, change)


def _metadata_arguments(config: Config, date: str | None, category: str | None,
                        embargo: str | None) -> dict[str, Any]:
    """The metadata given on the command line, validated (usage errors name the option); a
    category is one `pubflow.yaml` defines (its key or a label; "" files the release under none)."""
    out: dict[str, Any] = {}
    if date is not None:
        try:
            out["date"] = dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise UsageError(_("{date!r} is not a date").format(date=date), _("use YYYY-MM-DD")) from None
    if category is not None:
        if "\x00" in category:
            raise UsageError(_("the category contains a NUL character"))
        out["category"] = config.require_category(seg.normalize(category), "--category")
    if embargo is not None:
        text = embargo.strip()
        if text.lower() in ("", "none"):
            out["embargo"] = None
        else:
            try:
                parse_time(text, "--embargo")
            except InvalidData as exc:
                raise UsageError(exc.message, exc.hint) from None
            out["embargo"] = text
    return out
