"""`pubflow migrate`: bring releases written before schema 2 under the history's protection.

A schema-1 release has a hash-chained history, but its metadata, its segment
approvals and the text it has out are not bound to anything.  Migrating (an
editor's act, recorded) takes the files as they are now, which must agree
with what the history recorded (the source text), and:

- binds every approval to the exact source and text it stands on, and
  records every translation in its language file's history (a `migrate`
  event naming each segment with its hashes and status);
- records the metadata (date, category, embargo, languages) in a `migrate`
  event of the release's history, which from then on must match the file;
- snapshots the text of each language that is out, when its translation is
  complete; a language whose translation is not complete (its source was
  edited after it went out) gets its snapshot at the next `pubflow correct`.

`publish` and `correct` on a release that was never migrated migrate it first,
in the same change (so do `retract` and every move into a live state).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from workflow.core import snapshot as snapshots
from workflow.core.config import Config, Person
from workflow.core.history import record, record_segments, recorded_content
from workflow.core.integrity import is_legacy
from workflow.core.model import Document, Event, format_time, metadata_values, utc_now
from workflow.core.segments import pair_hash
from workflow.errors import Refused
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


@dataclass
class MigrateResult:
    release: str
    migrated: bool  # False: it was already in the current format
    snapshots: list[str] = field(default_factory=list)  # languages whose text out was snapshotted
    pending: list[tuple[str, str]] = field(default_factory=list)  # (language, why it has no snapshot yet)

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "migrated": self.migrated, "snapshots": self.snapshots,
                "pending": [{"language": lang, "reason": why} for lang, why in self.pending]}


def languages_out(config: Config, doc: Document) -> list[str]:
    spec = config.workflow.states.get(doc.release.state)
    if spec is not None and spec.live:
        return list(doc.release.languages)
    return [code for code in doc.release.languages if code in doc.release.published_languages]


def migrate_document(config: Config, doc: Document, actor: Person, now: dt.datetime,
                     *, with_snapshots: bool = True) -> tuple[Document, MigrateResult]:
    """Pure: the migrated document (unchanged when it needs no migration)."""
    rel = doc.release
    result = MigrateResult(rel.id, False)
    if not is_legacy(doc):
        return doc, result
    if "editor" not in actor.roles:
        raise Refused(_("{id} was written by an older pubflow and must be migrated first: that needs the role "
                        "editor").format(id=rel.id), _("ask an editor to run `pubflow migrate {id}`").format(id=rel.id))
    recorded = recorded_content(rel.history)
    if recorded and recorded != doc.content_hash():
        raise Refused(_("cannot migrate {id}: its source text differs from what the history recorded").format(
            id=rel.id), _("record the change with `pubflow edit {id}`, or restore the file from git").format(
            id=rel.id))
    at = format_time(now)
    for lang in rel.targets:
        segs = []
        named: list[tuple[str, str]] = []
        for target in doc.targets.get(lang, ()):
            if target.text and target.status == "approved" and not target.approved:
                target = replace(target, approved=pair_hash(target.source, target.text))
            segs.append(target)
            if target.text:
                named.append((target.id, f"{pair_hash(target.source, target.text)}:{target.status}"))
        doc = replace(doc, targets={**doc.targets, lang: tuple(segs)})
        if named:
            doc, _event = record_segments(doc, lang, Event(at=at, kind="migrate", actor=actor.name, role="editor",
                                                           segments=tuple(named)))
    taken: list[snapshots.Snapshot] = []
    if with_snapshots:
        done = config.complete_statuses()
        for lang in languages_out(config, doc):
            if lang != rel.source_language:
                statuses = doc.statuses(lang)
                missing = [seg_id for seg_id, status in statuses.items() if status not in done]
                if missing:
                    result.pending.append((lang, _("{n} segment(s) not {done}, first {segment}").format(
                        n=len(missing), done=" or ".join(done), segment=missing[0])))
                    continue
            taken.append(snapshots.take(doc, lang))
            result.snapshots.append(lang)
    doc, _event = record(doc, Event(
        at=at, kind="migrate", actor=actor.name, role="editor", source=rel.state, target=rel.state,
        comment=_("migrated to schema 2: metadata, approvals and the text out bound by the history"),
        metadata=metadata_values(rel.metadata()),
        snapshots=tuple((s.language, s.sha256) for s in taken), content=doc.content_hash()))
    result.migrated = True
    return replace(doc, snapshots=(*doc.snapshots, *taken)), result


def migrate_release(nr: Newsroom, release_id: str, actor: Person, now: dt.datetime | None = None) -> MigrateResult:
    """Migrate one release under its lock (nothing written when it needs no migration)."""
    now = now or utc_now()

    def change(doc: Document) -> tuple[Document, MigrateResult]:
        return migrate_document(nr.config, doc, actor, now)

    return nr.update(release_id, change)


def migrate_newsroom(nr: Newsroom, actor: Person, release_ids: list[str] | None = None,
                     now: dt.datetime | None = None) -> list[MigrateResult]:
    """`pubflow migrate [ID...]`: every release (or those given), one update each."""
    if "editor" not in actor.roles:
        raise Refused(_("{actor} may not migrate releases: it needs the role editor").format(actor=actor.name),
                      _("ask an editor"))
    return [migrate_release(nr, rid, actor, now) for rid in (release_ids or nr.release_ids())]
