"""Published snapshots: the exact text each language of a release publishes (pure).

What a language puts out is never read from the working files.  When a release
(or one language of it) goes out, and at each correction, the text that passed
the guards is frozen into a snapshot: the source and published text of every
segment, and the metadata its pages show (date, category).  A snapshot is
stored content-addressed beside the release,

    releases/<id>/published/<lang>-<sha256[:12]>.yaml

and the event that put it out (publish, release, correct, retract, migrate)
records its full sha256 in the hash-chained history.  `build` renders only the
snapshot the latest such event names; editing, translating or hand-editing the
working files changes nothing that is out until a new snapshot passes the
guards.  The hash is over a canonical JSON form, so `verify` recomputes it from
the file's content (reformatting the YAML does not matter; any changed
character does).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workflow.core.model import SCHEMA, Document, _date_text, _field, _no_unknown
from workflow.core.segments import content_hash, normalize
from workflow.errors import InvalidData
from workflow.i18n import _

FOLDER = "published"
FIELDS = {"schema", "release", "language", "source_language", "date", "category", "segments"}
SEGMENT_FIELDS = {"id", "source", "text"}


@dataclass(frozen=True)
class SnapSegment:
    id: str
    source: str  # the source text this segment rendered when it went out
    text: str  # the text published in the snapshot's language (== source in the source language)


@dataclass(frozen=True)
class Snapshot:
    release: str
    language: str
    source_language: str
    date: str
    category: str
    segments: tuple[SnapSegment, ...]

    def to_dict(self) -> dict[str, Any]:
        own = self.language == self.source_language
        return {
            "schema": SCHEMA, "release": self.release, "language": self.language,
            "source_language": self.source_language, "date": self.date, "category": self.category,
            "segments": [{"id": s.id, "text": s.text} if own else {"id": s.id, "source": s.source, "text": s.text}
                         for s in self.segments],
        }

    @property
    def sha256(self) -> str:
        return snapshot_hash(self.to_dict())

    @property
    def file_name(self) -> str:
        return file_name(self.language, self.sha256)

    def texts(self) -> dict[str, str]:
        """segment id -> the text published."""
        return {s.id: s.text for s in self.segments}

    def source_content(self) -> str:
        """The content hash of the source text this snapshot rendered (what the events record)."""
        return content_hash([(s.id, s.source) for s in self.segments])


def file_name(lang: str, sha: str) -> str:
    return f"{lang}-{sha[:12]}.yaml"


def snapshot_hash(data: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a snapshot's content (`schema` left out)."""
    body = {k: v for k, v in data.items() if k != "schema"}
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def take(doc: Document, lang: str) -> Snapshot:
    """The snapshot of `lang` from a document's working text (the caller's guards decided it may
    go out).  Every segment must have a text in `lang`."""
    rel = doc.release
    segments: list[SnapSegment] = []
    missing: list[str] = []
    if lang == rel.source_language:
        segments = [SnapSegment(s.id, s.text, s.text) for s in doc.source]
    else:
        target = doc.target(lang)
        for s in doc.source:
            text = target[s.id].text
            if not text:
                missing.append(s.id)
            segments.append(SnapSegment(s.id, s.text, text))
    if missing:
        raise InvalidData(_("{id}: no {lang} translation for {segments}").format(
            id=rel.id, lang=lang, segments=", ".join(missing)), _("translate them, or see `pubflow pending`"))
    return Snapshot(rel.id, lang, rel.source_language, rel.date, rel.category, tuple(segments))


def snapshot_from_dict(data: Any, where: str) -> Snapshot:
    """A snapshot read back, every field checked (its hash is the caller's to compare)."""
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where), _("restore the file from git"))
    _no_unknown(data, FIELDS, where)
    release = _field(data, "release", where, str)
    lang = _field(data, "language", where, str)
    source_lang = _field(data, "source_language", where, str)
    raw = _field(data, "segments", where, list)
    segments: list[SnapSegment] = []
    for i, item in enumerate(raw):
        at = f"{where}: segments[{i}]"
        if not isinstance(item, dict):
            raise InvalidData(_("{where}: expected a mapping").format(where=at))
        _no_unknown(item, SEGMENT_FIELDS, at)
        text = _field(item, "text", at, str)
        source = _field(item, "source", at, str, required=lang != source_lang, default=text)
        segments.append(SnapSegment(_field(item, "id", at, str), normalize(source), normalize(text)))
    return Snapshot(release, lang, source_lang, _date_text(data.get("date"), f"{where}: date"),
                    str(_field(data, "category", where, str, required=False, default="")), tuple(segments))


def same_text(a: Sequence[SnapSegment], b: Sequence[SnapSegment]) -> bool:
    return [(s.id, s.source, s.text) for s in a] == [(s.id, s.source, s.text) for s in b]
