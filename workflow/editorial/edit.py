"""`pubflow edit`: replace a release's source text, keeping the ids of what stayed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from workflow.core import segments as seg
from workflow.core.config import Person
from workflow.core.history import record, recorded_content
from workflow.core.model import Document, EditChanges, Event, format_time, utc_now
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import main_role, may_write
from workflow.editorial.sourcetext import ImportedText, read_source_file
from workflow.errors import Refused
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


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
        if not may_write(actor):
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
            if recorded_content(doc.release.history) == doc.content_hash():
                return doc, EditResult(summarize(doc), [], [], [], None)
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="edit", actor=actor.name, role=main_role(actor),
                source=doc.release.state, target=doc.release.state, content=doc.content_hash(),
                changes=EditChanges(by_hand=True)))
            return new_doc, EditResult(summarize(new_doc), [], [], [], event)
        new_doc = replace(doc, source=new_source)
        new_doc, event = record(new_doc, Event(
            at=format_time(now), kind="edit", actor=actor.name, role=main_role(actor),
            source=doc.release.state, target=doc.release.state, content=new_doc.content_hash(),
            changes=EditChanges(tuple(changed), tuple(added), tuple(removed)),
        ))
        return new_doc, EditResult(summarize(new_doc), changed, added, removed, event)

    return nr.update(release_id, change)
