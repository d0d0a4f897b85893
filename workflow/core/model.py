"""Release records: the data model and its YAML form (schema 1).

On disk a release is a folder `releases/<id>/` holding `release.yaml`
(metadata, state, revision, append-only history) and one `<lang>.yaml` per
language (segments).  This module converts between dicts and frozen
dataclasses and validates every field; it does no I/O.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from workflow.core.segments import STATUSES, SourceSegment, content_hash, normalize, pair_hash
from workflow.errors import InvalidData, UsageError
from workflow.i18n import _

SCHEMA = 2  # written; 1 (before snapshots, bound approvals and segment histories) is still read
SCHEMAS = (1, 2)
ID_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")  # ASCII digits only
SEGMENT_ID_RE = re.compile(r"^(?:title|source|p\d+)$")
# Events of a release's history (release.yaml) ...
EVENT_KINDS = ("create", "transition", "comment", "edit", "release", "migrate", "schedule", "unschedule")
# ... and of a language file's own history (<lang>.yaml): one event per command, naming the
# segments it changed with the hashes of their source and text (`segments.pair_hash`).
SEGMENT_EVENT_KINDS = ("translated", "machine", "confirmed", "reviewed", "waived", "migrate")
# Metadata a release's pages show or that gates them; bound by the history (`meta` on every event).
METADATA_FIELDS = ("date", "category", "embargo", "source_language", "languages", "published")
# Bound only once set (`new --published-at`): histories written before it stay valid as they are.
OPTIONAL_METADATA = ("published",)
REQUIRED_METADATA = tuple(key for key in METADATA_FIELDS if key not in OPTIONAL_METADATA)
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
PAIR_RE = re.compile(r"^[0-9a-f]{16}:[0-9a-f]{16}(?::[a-z]+)?$")
MAX_ID = 120


def check_release_id(release_id: str) -> str:
    """Refuse ids that are not `YYYY-MM-DD-slug` (this also stops / \\ and ..)."""
    if not isinstance(release_id, str) or len(release_id) > MAX_ID or not ID_RE.match(release_id):
        raise UsageError(
            _("{id!r} is not a release id").format(id=release_id),
            _("ids look like 2019-07-22-some-words; see `pubflow list`"),
        )
    try:
        dt.date.fromisoformat(release_id[:10])
    except ValueError:
        raise UsageError(_("{id!r} does not start with a real date").format(id=release_id)) from None
    return release_id


def metadata_hash(values: Mapping[str, Any]) -> str:
    """sha256 of the bound metadata (`METADATA_FIELDS`), whatever else `values` holds."""
    payload = json.dumps({key: values.get(key) for key in METADATA_FIELDS
                          if key not in OPTIONAL_METADATA or values.get(key) is not None},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def metadata_values(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Metadata as an event records them (`Event.metadata`): lists as tuples, in field order."""
    return tuple((key, tuple(value) if isinstance(value, list) else value)
                 for key, value in values.items() if key in METADATA_FIELDS)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any, where: str, need_zone: bool = True) -> dt.datetime:
    """ISO 8601 time; with `need_zone` a time without an explicit offset is refused."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidData(_("{where}: {value!r} is not an ISO 8601 time").format(where=where, value=value),
                              _("write it like 2019-07-22T09:00:00+03:00")) from None
    else:
        raise InvalidData(_("{where}: expected a time").format(where=where),
                          _("write it like 2019-07-22T09:00:00+03:00"))
    if moment.tzinfo is None:
        if need_zone:
            raise InvalidData(_("{where}: {value!r} has no time zone").format(where=where, value=str(value)),
                              _("add an offset such as +03:00 or Z"))
        moment = moment.replace(tzinfo=dt.UTC)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        # Year 1 or 9999 with an offset overflows once converted to UTC or compared: refused here,
        # with the other malformed times, instead of an internal error later.
        raise InvalidData(_("{where}: {value!r} is outside the years {first}-{last}").format(
            where=where, value=str(value), first=FIRST_YEAR, last=LAST_YEAR),
            _("write it like 2019-07-22T09:00:00+03:00"))
    return moment


FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_REVISION = 2**53  # exact in JSON and SQLite alike


@dataclass(frozen=True)
class EditChanges:
    """What an `edit` event changed, as data (rendered in the reader's language, never stored as text).

    The segment ids changed, added and removed by `pubflow edit`; `by_hand`
    when the event records a change already made to the files by hand (which
    segments is not known: only the content hash moved).
    """

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    by_hand: bool = False
    # `edit --lang`: the source language before and after, and how many translations into the
    # new source language were dropped (the text itself did not change).
    language: tuple[str, str] | None = None
    dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        if self.by_hand:
            return {"by_hand": True}
        if self.language is not None:
            data: dict[str, Any] = {"language": {"from": self.language[0], "to": self.language[1]}}
            if self.dropped:
                data["dropped"] = self.dropped
            return data
        return {"changed": list(self.changed), "added": list(self.added), "removed": list(self.removed)}

    def public(self) -> dict[str, Any]:
        data = {"changed": list(self.changed), "added": list(self.added), "removed": list(self.removed),
                "by_hand": self.by_hand}
        if self.language is not None:
            data.update(language={"from": self.language[0], "to": self.language[1]}, dropped=self.dropped)
        return data


@dataclass(frozen=True)
class Event:
    """One entry of a release's history; never rewritten once written."""

    at: str
    kind: str
    actor: str
    role: str = ""
    transition: str | None = None
    source: str | None = None  # state before ("from" on disk)
    target: str | None = None  # state after ("to" on disk)
    language: str | None = None
    comment: str | None = None
    check: str | None = None  # waived: the check whose finding the reviewer waived
    segments: tuple[tuple[str, str], ...] = ()  # segment events: (segment id, pair hash[:status])
    metadata: tuple[tuple[str, Any], ...] = ()  # create/edit/migrate: the metadata values set
    snapshots: tuple[tuple[str, str], ...] = ()  # language -> sha256 of the snapshot that is out
    meta: str = ""  # hash of the release's metadata at that moment (`metadata_hash`)
    content: str = ""  # hash of the source content at that moment
    hash: str = ""  # chain hash over the previous event's hash and this event
    changes: EditChanges | None = None  # `edit` events since 0.2; older ones explain in `comment`
    # correct/retract: the notice in each other language that is out (the source's is `comment`)
    notices: tuple[tuple[str, str], ...] = ()

    def notice(self, lang: str) -> str | None:
        """The notice (correction, retraction reason) readers of `lang` see: its own text, else the
        comment (events written before notices per language, or the source language)."""
        return dict(self.notices).get(lang, self.comment)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": self.at, "kind": self.kind, "actor": self.actor}
        if self.role:
            data["role"] = self.role
        if self.transition is not None:
            data["transition"] = self.transition
        if self.source is not None:
            data["from"] = self.source
        if self.target is not None:
            data["to"] = self.target
        if self.language is not None:
            data["language"] = self.language
        if self.check is not None:
            data["check"] = self.check
        if self.comment is not None:
            data["comment"] = self.comment
        if self.notices:
            data["notices"] = dict(self.notices)
        if self.changes is not None:
            data["changes"] = self.changes.to_dict()
        if self.segments:
            data["segments"] = dict(self.segments)
        if self.metadata:
            data["metadata"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.metadata}
        if self.snapshots:
            data["snapshots"] = dict(self.snapshots)
        if self.meta:
            data["meta"] = self.meta
        if self.content or self.kind not in SEGMENT_EVENT_KINDS:
            data["content"] = self.content
        data["hash"] = self.hash
        return data

    def public(self) -> dict[str, Any]:
        """The stable JSON shape of `history --json`."""
        return {
            "at": self.at, "kind": self.kind, "actor": self.actor, "role": self.role,
            "transition": self.transition, "from": self.source, "to": self.target,
            "language": self.language, "comment": self.comment, "content": self.content,
            "changes": self.changes.public() if self.changes is not None else None,
            "check": self.check, "segments": dict(self.segments) or None,
            "metadata": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.metadata} or None,
            "snapshots": dict(self.snapshots) or None, "meta": self.meta or None,
            "notices": dict(self.notices) or None,
        }

    def segment_ids(self) -> tuple[str, ...]:
        return tuple(seg_id for seg_id, _pair in self.segments)


@dataclass(frozen=True)
class Release:
    id: str
    date: str
    category: str
    source_language: str
    languages: tuple[str, ...]
    state: str
    revision: int = 0
    embargo: str | None = None
    published_languages: tuple[str, ...] = ()
    published: str | None = None  # an archive release's original publication time (`new --published-at`)
    history: tuple[Event, ...] = ()
    schema: int = SCHEMA  # as read (1: written by a pubflow before snapshots); always written as SCHEMA

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(code for code in self.languages if code != self.source_language)

    def metadata(self) -> dict[str, Any]:
        """The metadata the history binds (`METADATA_FIELDS`), as plain values."""
        values: dict[str, Any] = {"date": self.date, "category": self.category, "embargo": self.embargo,
                                  "source_language": self.source_language, "languages": list(self.languages)}
        if self.published is not None:
            values["published"] = self.published
        return values

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "id": self.id,
            "date": self.date,
            "category": self.category,
            "source_language": self.source_language,
            "languages": list(self.languages),
            "embargo": self.embargo,
            **({"published": self.published} if self.published is not None else {}),
            "state": self.state,
            "revision": self.revision,
        }
        if self.published_languages:
            data["published_languages"] = list(self.published_languages)
        data["history"] = [e.to_dict() for e in self.history]
        return data


@dataclass(frozen=True)
class Waiver:
    """A reviewer's decision that one check's finding on one segment is acceptable.

    Bound to the exact source and text (`pair`): any change voids it."""

    check: str
    by: str
    at: str
    why: str
    pair: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "by": self.by, "at": self.at, "why": self.why, "pair": self.pair}


@dataclass(frozen=True)
class TargetSegment:
    """A translation of one source segment, with its own status and provenance."""

    id: str
    text: str = ""
    status: str = "untranslated"
    source: str = ""  # the source text this translation renders
    origin: str = ""  # human | machine:<provider> | memory:<release id>
    by: str = ""
    at: str = ""
    reviewed_by: str = ""
    reviewed_at: str = ""
    approved: str = ""  # pair hash (source:text) the reviewer approved; any other byte voids it
    waivers: tuple[Waiver, ...] = ()

    def effective_status(self, current_source: str) -> str:
        """Status as a user should see it: stale if the source moved on; an approval
        counts only for the exact source and text it was given to (else: translated)."""
        if not self.text:
            return "untranslated"
        if normalize(self.source) != normalize(current_source):
            return "stale"
        if self.status == "approved" and self.approved != pair_hash(current_source, self.text):
            return "translated"
        return self.status

    def active_waivers(self, current_source: str) -> dict[str, Waiver]:
        """Waivers still bound to the current source and text, by check id."""
        if not self.text or not self.waivers:
            return {}
        pair = pair_hash(current_source, self.text)
        return {w.check: w for w in self.waivers if w.pair == pair}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "status": self.status}
        for key in ("text", "source", "origin", "by", "at", "reviewed_by", "reviewed_at", "approved"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.waivers:
            data["waivers"] = [w.to_dict() for w in self.waivers]
        return data


@dataclass(frozen=True)
class Document:
    """A whole release: metadata, source segments and every translation."""

    release: Release
    source: tuple[SourceSegment, ...]
    targets: Mapping[str, tuple[TargetSegment, ...]] = field(default_factory=dict)
    # Each target language file's own hash-chained history of segment events.
    logs: Mapping[str, tuple[Event, ...]] = field(default_factory=dict)
    # Snapshots to store with this change (named by a new event); not part of what was read.
    snapshots: tuple[Any, ...] = field(default=(), compare=False)  # core.snapshot.Snapshot

    @property
    def title(self) -> str:
        for seg in self.source:
            if seg.id == "title":
                return seg.text
        return ""

    def content_hash(self) -> str:
        return content_hash([(s.id, s.text) for s in self.source])

    def metadata_hash(self) -> str:
        return metadata_hash(self.release.metadata())

    def log(self, lang: str) -> tuple[Event, ...]:
        return tuple(self.logs.get(lang, ()))

    def source_text(self, seg_id: str) -> str:
        for seg in self.source:
            if seg.id == seg_id:
                return seg.text
        return ""

    def target(self, lang: str) -> dict[str, TargetSegment]:
        """Translations for `lang` keyed by segment id (missing ones untranslated)."""
        have = {t.id: t for t in self.targets.get(lang, ())}
        return {s.id: have.get(s.id, TargetSegment(s.id)) for s in self.source}

    def statuses(self, lang: str) -> dict[str, str]:
        target = self.target(lang)
        return {s.id: target[s.id].effective_status(s.text) for s in self.source}

    def progress(self, lang: str, done: Sequence[str] = ("translated", "approved")) -> tuple[int, int]:
        statuses = self.statuses(lang)
        return sum(1 for v in statuses.values() if v in done), len(statuses)


# ---------------------------------------------------------------- parsing

def _field(data: Mapping[str, Any], key: str, where: str, kinds: type | tuple[type, ...],
           required: bool = True, default: Any = None) -> Any:
    if key not in data or data[key] is None:
        if required:
            raise InvalidData(_("{where}: missing field {field}").format(where=where, field=key),
                              _("add it, or restore the file from git"))
        return default
    value = data[key]
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in (
            kinds if isinstance(kinds, tuple) else (kinds,)):
        names = kinds.__name__ if isinstance(kinds, type) else " or ".join(k.__name__ for k in kinds)
        raise InvalidData(
            _("{where}: field {field} must be {kind}, not {value!r}").format(
                where=where, field=key, kind=names, value=value),
            _("fix the value; quote it if YAML read it as something else"),
        )
    return value


def _no_unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = [str(k) for k in data if k not in allowed]
    if unknown:
        raise InvalidData(
            _("{where}: unknown field {field}").format(where=where, field=sorted(unknown)[0]),
            _("known fields: {known}").format(known=", ".join(sorted(allowed))),
        )


def _date_text(value: Any, where: str) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidData(_("{where}: date {value!r} is not YYYY-MM-DD").format(where=where, value=value),
                      _("write the date as 2019-07-22"))


RELEASE_FIELDS = {"schema", "id", "date", "category", "source_language", "languages", "embargo", "published",
                  "state", "revision", "published_languages", "history"}
EVENT_FIELDS = {"at", "kind", "actor", "role", "transition", "from", "to", "language", "comment",
                "check", "segments", "metadata", "snapshots", "meta", "content", "hash", "changes", "notices"}
CHANGES_FIELDS = {"changed", "added", "removed", "by_hand", "language", "dropped"}
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def release_from_dict(data: Any, where: str) -> Release:
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where), _("restore the file from git"))
    _no_unknown(data, RELEASE_FIELDS, where)
    schema = _field(data, "schema", where, int)
    if schema not in SCHEMAS:
        raise InvalidData(_("{where}: schema {schema} is not supported (expected {expected})").format(
            where=where, schema=schema, expected=SCHEMA), _("upgrade pubflow"))
    release_id = _field(data, "id", where, str)
    if not ID_RE.match(release_id):
        raise InvalidData(_("{where}: id {id!r} is not YYYY-MM-DD-slug").format(where=where, id=release_id))
    languages = _field(data, "languages", where, list)
    if not languages or not all(isinstance(x, str) for x in languages):
        raise InvalidData(_("{where}: field languages must list language codes, not {value!r}").format(
            where=where, value=languages), _("quote codes YAML reads as true/false, e.g. 'no'"))
    if len(set(languages)) != len(languages):
        raise InvalidData(_("{where}: field languages lists a language twice").format(where=where),
                          _("list each language once"))
    source = _field(data, "source_language", where, str)
    if source not in languages:
        raise InvalidData(_("{where}: source_language {code!r} is not in languages").format(where=where, code=source))
    embargo = data.get("embargo")
    if embargo is not None:
        moment = parse_time(embargo, f"{where}: embargo")  # refuses a time without a zone
        embargo = embargo.strip() if isinstance(embargo, str) else moment.isoformat()
    published_at = data.get("published")
    if published_at is not None:
        moment = parse_time(published_at, f"{where}: published")
        published_at = published_at.strip() if isinstance(published_at, str) else moment.isoformat()
    revision = _field(data, "revision", where, int)
    if revision < 0:
        raise InvalidData(_("{where}: revision must not be negative").format(where=where))
    if revision > MAX_REVISION:  # the index stores it as a 64-bit integer
        raise InvalidData(_("{where}: revision {n} is out of range (at most {max})").format(
            where=where, n=revision if revision < 10**20 else f"{str(revision)[:12]}…", max=MAX_REVISION),
            _("restore release.yaml from git; the revision counts the release's changes"))
    published = _field(data, "published_languages", where, list, required=False, default=[])
    for code in published:
        if code not in languages:
            raise InvalidData(_("{where}: published_languages: {code!r} is not one of the release's "
                                "languages").format(where=where, code=code),
                              _("remove it or restore the file from git"))
    history_raw = _field(data, "history", where, list, required=False, default=[])
    history = tuple(event_from_dict(e, f"{where}: history[{i}]") for i, e in enumerate(history_raw))
    return Release(
        id=release_id,
        date=_date_text(data.get("date"), f"{where}: date"),
        category=str(_field(data, "category", where, str, required=False, default="")),
        source_language=source,
        languages=tuple(languages),
        state=_field(data, "state", where, str),
        revision=revision,
        embargo=embargo,
        published_languages=tuple(str(x) for x in published),
        published=published_at,
        history=history,
        schema=schema,
    )


def event_from_dict(data: Any, where: str, kinds: Sequence[str] = EVENT_KINDS) -> Event:
    """One event of a release's history (or, with `kinds=SEGMENT_EVENT_KINDS`, of a language file's)."""
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where))
    _no_unknown(data, EVENT_FIELDS, where)
    kind = _field(data, "kind", where, str)
    if kind not in kinds:
        raise InvalidData(_("{where}: unknown event kind {kind!r}").format(where=where, kind=kind))
    at = _field(data, "at", where, (str, dt.datetime))
    at = format_time(parse_time(at, f"{where}.at")) if isinstance(at, dt.datetime) else at
    parse_time(at, f"{where}.at")
    opt: dict[str, Any] = {}
    for key in _OPTIONAL_TEXT:  # the common case in a plain loop: this runs for every event of every history
        value = data.get(key)
        opt[key] = value if value is None or value.__class__ is str else _field(data, key, where, str, required=False)
    changes = data.get("changes")
    segments = _pairs(data, "segments", where, PAIR_RE, "pairs") if "segments" in data else ()
    snapshots = _pairs(data, "snapshots", where, HASH_RE, "sha256") if "snapshots" in data else ()
    metadata = _field(data, "metadata", where, dict, required=False, default={})
    for key in metadata:
        if key not in METADATA_FIELDS:
            raise InvalidData(_("{where}: metadata: unknown field {field}").format(where=where, field=key),
                              _("known fields: {known}").format(known=", ".join(METADATA_FIELDS)))
    notices = _field(data, "notices", where, dict, required=False, default={})
    for code, text in notices.items():
        if not isinstance(code, str) or not LANGUAGE_CODE_RE.match(code) or not isinstance(text, str) \
                or not text.strip():
            raise InvalidData(_("{where}: notices.{code}: expected the notice's text").format(where=where, code=code),
                              _("restore the file from git"))
    meta = _field(data, "meta", where, str, required=False, default="")
    if meta and not HASH_RE.match(meta):
        raise InvalidData(_("{where}: meta {value!r} is not a sha256 in hex").format(where=where, value=meta),
                          _("restore the file from git"))
    return Event(
        at=at, kind=kind, actor=_field(data, "actor", where, str), role=opt["role"] or "",
        transition=opt["transition"], source=opt["from"], target=opt["to"], language=opt["language"],
        comment=opt["comment"], check=opt["check"], segments=segments,
        metadata=tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in metadata.items()),
        snapshots=snapshots, meta=meta, notices=tuple((str(k), str(v)) for k, v in notices.items()),
        content=_field(data, "content", where, str, required=False, default=""),
        hash=_field(data, "hash", where, str, required=False, default=""),
        changes=None if changes is None else _changes_from_dict(changes, f"{where}.changes"),
    )


def _changes_from_dict(data: Any, where: str) -> EditChanges:
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where), _("restore the file from git"))
    _no_unknown(data, CHANGES_FIELDS, where)
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("changed", "added", "removed"):
        ids = _field(data, key, where, list, required=False, default=[])
        for seg_id in ids:
            if not isinstance(seg_id, str) or not SEGMENT_ID_RE.match(seg_id):
                raise InvalidData(_("{where}: {id!r} is not a segment id").format(where=f"{where}.{key}", id=seg_id),
                                  _("restore the file from git"))
        lists[key] = tuple(ids)
    by_hand = _field(data, "by_hand", where, bool, required=False, default=False)
    language = _field(data, "language", where, dict, required=False, default=None)
    pair: tuple[str, str] | None = None
    if language is not None:
        _no_unknown(language, {"from", "to"}, f"{where}.language")
        pair = (_field(language, "from", f"{where}.language", str), _field(language, "to", f"{where}.language", str))
        for code in pair:
            if not LANGUAGE_CODE_RE.match(code):
                raise InvalidData(_("{where}: {code!r} is not a language code").format(
                    where=f"{where}.language", code=code), _("restore the file from git"))
    dropped = _field(data, "dropped", where, int, required=False, default=0)
    if isinstance(dropped, bool) or dropped < 0:
        raise InvalidData(_("{where}.dropped: expected a count").format(where=where), _("restore the file from git"))
    return EditChanges(by_hand=by_hand, language=pair, dropped=dropped, **lists)


_OPTIONAL_TEXT = ("transition", "from", "to", "language", "comment", "role", "check")


def _pairs(data: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str],
           kind: str) -> tuple[tuple[str, str], ...]:
    raw = _field(data, key, where, dict, required=False, default={})
    out = []
    for name, value in raw.items():
        if not isinstance(name, str) or not isinstance(value, str) or not pattern.match(value):
            what = (_("a pair of hashes such as 0123456789abcdef:fedcba9876543210") if kind == "pairs"
                    else _("a sha256 in hex"))
            raise InvalidData(_("{where}: {field}.{name}: expected {kind}, not {value!r}").format(
                where=where, field=key, name=name, kind=what, value=value), _("restore the file from git"))
        out.append((name, value))
    return tuple(out)


LANG_FIELDS = {"schema", "release", "language", "segments", "history"}
SOURCE_SEG_FIELDS = {"id", "text"}
TARGET_SEG_FIELDS = {"id", "status", "text", "source", "origin", "by", "at", "reviewed_by", "reviewed_at",
                     "approved", "waivers"}
WAIVER_FIELDS = {"check", "by", "at", "why", "pair"}


def _lang_header(data: Any, where: str, release_id: str, lang: str) -> list[Any]:
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where), _("restore the file from git"))
    _no_unknown(data, LANG_FIELDS, where)
    if _field(data, "schema", where, int) not in SCHEMAS:
        raise InvalidData(_("{where}: unsupported schema").format(where=where), _("upgrade pubflow"))
    if _field(data, "release", where, str) != release_id:
        raise InvalidData(_("{where}: belongs to release {other!r}, not {id!r}").format(
            where=where, other=data["release"], id=release_id))
    if _field(data, "language", where, str) != lang:
        raise InvalidData(_("{where}: language {other!r} does not match the file name").format(
            where=where, other=data["language"]))
    segments = _field(data, "segments", where, list)
    ids = set()
    for i, seg in enumerate(segments):
        if not isinstance(seg, dict):
            raise InvalidData(_("{where}: segments[{i}] must be a mapping").format(where=where, i=i))
        seg_id = _field(seg, "id", f"{where}: segments[{i}]", str)
        if not SEGMENT_ID_RE.match(seg_id):
            raise InvalidData(_("{where}: segments[{i}].id {id!r} is not title, source or pN").format(
                where=where, i=i, id=seg_id), _("give a new paragraph the next free number, e.g. p12"))
        if seg_id in ids:
            raise InvalidData(_("{where}: segment id {id!r} appears twice").format(where=where, id=seg_id),
                              _("give a new paragraph the next free number"))
        ids.add(seg_id)
    return list(segments)


def source_from_dict(data: Any, where: str, release_id: str, lang: str) -> tuple[SourceSegment, ...]:
    segments = _lang_header(data, where, release_id, lang)
    out = []
    for i, seg in enumerate(segments):
        at = f"{where}: segments[{i}]"
        _no_unknown(seg, SOURCE_SEG_FIELDS, at)
        text = _field(seg, "text", at, str)
        if not text.strip():
            raise InvalidData(_("{where}: text is empty").format(where=at), _("write the text or remove the segment"))
        out.append(SourceSegment(seg["id"], normalize(text)))
    if not out or out[0].id != "title":
        raise InvalidData(_("{where}: the first segment must be the title").format(where=where))
    if len(out) < 2:
        raise InvalidData(_("{where}: the release has no body").format(where=where), _("add at least one paragraph"))
    return tuple(out)


def target_from_dict(data: Any, where: str, release_id: str, lang: str) -> tuple[TargetSegment, ...]:
    segments = _lang_header(data, where, release_id, lang)
    out = []
    for i, seg in enumerate(segments):
        at = f"{where}: segments[{i}]"
        _no_unknown(seg, TARGET_SEG_FIELDS, at)
        status = _field(seg, "status", at, str, required=False, default="untranslated")
        if status not in STATUSES:
            raise InvalidData(_("{where}: status {status!r} is not one of {known}").format(
                where=at, status=status, known=", ".join(STATUSES)))
        values = {k: _field(seg, k, at, str, required=False, default="") for k in
                  ("text", "source", "origin", "by", "at", "reviewed_by", "reviewed_at", "approved")}
        values["text"] = normalize(values["text"])
        if values["approved"] and not PAIR_RE.match(values["approved"]):
            raise InvalidData(_("{where}: approved {value!r} is not a pair of hashes").format(
                where=at, value=values["approved"]), _("restore the file from git"))
        waivers = tuple(_waiver(w, f"{at}.waivers[{j}]")
                        for j, w in enumerate(_field(seg, "waivers", at, list, required=False, default=[])))
        out.append(TargetSegment(id=seg["id"], status=status, waivers=waivers, **values))
    return tuple(out)


def _waiver(data: Any, where: str) -> Waiver:
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping").format(where=where))
    _no_unknown(data, WAIVER_FIELDS, where)
    values = {k: _field(data, k, where, str) for k in ("check", "by", "at", "why", "pair")}
    if not PAIR_RE.match(values["pair"]):
        raise InvalidData(_("{where}: pair {value!r} is not a pair of hashes").format(
            where=where, value=values["pair"]), _("restore the file from git"))
    return Waiver(**values)


def log_from_dict(data: Any, where: str) -> tuple[Event, ...]:
    """The segment events of a language file (`history:`; none in files written before schema 2)."""
    raw = _field(data, "history", where, list, required=False, default=[]) if isinstance(data, dict) else []
    return tuple(event_from_dict(e, f"{where}: history[{i}]", SEGMENT_EVENT_KINDS) for i, e in enumerate(raw))


def source_to_dict(release_id: str, lang: str, segments: Sequence[SourceSegment]) -> dict[str, Any]:
    return {"schema": SCHEMA, "release": release_id, "language": lang,
            "segments": [{"id": s.id, "text": s.text} for s in segments]}


def target_to_dict(release_id: str, lang: str, segments: Sequence[TargetSegment],
                   log: Sequence[Event] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {"schema": SCHEMA, "release": release_id, "language": lang,
                            "segments": [s.to_dict() for s in segments]}
    if log:
        data["history"] = [e.to_dict() for e in log]
    return data


def as_json(value: Any) -> Any:
    """Dataclasses to plain data for --json output."""
    return asdict(value)
