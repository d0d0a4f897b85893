"""The translator's and reviewer's operations on target segments.

Status and provenance are kept apart.  *Status* says how far a segment is
(`untranslated`, `machine`, `stale`, `translated`, `approved`); *origin* says
where its text came from (`human`, `machine:<provider>`, `memory:<release>`).
A person who sets or accepts a text makes it `translated` whatever its
origin; only a reviewer of that language makes it `approved`.

A translation records the source text it renders (`TargetSegment.source`).
When the source changes later (`pubflow edit` or a hand edit of the file),
`TargetSegment.effective_status` reports `stale` while the old translation
and the old source stay on disk, so a word diff can be shown.  Every read
here goes through the effective status, never the stored one.

Translation happens only while a release is in a *translation state*:
`translation.states` in pubflow.yaml, by default every state a transition
requiring `translations_complete` leaves from (``translation``) plus every
live state that is not final (``published``: corrections must be
translated too).  Reviewers may not approve their own translations unless
`translation.self_review: true`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.model import Document, TargetSegment, format_time, utc_now
from workflow.errors import InvalidData, NotFound, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom

HUMAN = "human"
ORIGIN_RE = re.compile(r"^(?:human|machine:[A-Za-z0-9_.-]+|memory:[0-9A-Za-z-]+)$")
NEEDS_TRANSLATION = ("untranslated", "machine", "stale")
NEEDS_REVIEW = ("translated",)


# ---------------------------------------------------------------- policy
def translation_states(config: Config) -> tuple[str, ...]:
    """States in which releases are open for translation and review."""
    wf = config.workflow
    raw = config.translation.get("states")
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise InvalidData(_("pubflow.yaml: translation.states must be a list of state names"),
                              _("e.g. states: [translation, published]"))
        unknown = [name for name in raw if name not in wf.states]
        if unknown:
            raise InvalidData(_("pubflow.yaml: translation.states: unknown state {state!r}").format(state=unknown[0]),
                              _("states: {names}").format(names=", ".join(wf.states)))
        return tuple(raw)
    names: set[str] = set()
    for transition in wf.transitions.values():
        if "translations_complete" in transition.requires:
            names.update(transition.sources)
    for state in wf.states.values():
        if state.live and not state.final:
            names.add(state.name)
    return tuple(name for name in wf.states if name in names)


def self_review_allowed(config: Config) -> bool:
    value = config.translation.get("self_review", False)
    if not isinstance(value, bool):
        raise InvalidData(_("pubflow.yaml: translation.self_review must be true or false"))
    return value


def require_open(config: Config, doc: Document) -> None:
    states = translation_states(config)
    if doc.release.state not in states:
        raise Refused(
            _("{id} is in {state}: translation happens in {states}").format(
                id=doc.release.id, state=doc.release.state, states=", ".join(states) or "-"),
            _("an editor moves it there (see `pubflow show {id}`)").format(id=doc.release.id),
        )


def require_target(doc: Document, lang: str) -> None:
    rel = doc.release
    if lang == rel.source_language:
        raise UsageError(_("{lang} is the source language of {id}").format(lang=lang, id=rel.id),
                         _("translate into one of: {codes}").format(codes=", ".join(rel.targets) or "-"))
    if lang not in rel.targets:
        raise UsageError(_("{id} is not translated into {lang}").format(id=rel.id, lang=lang),
                         _("its target languages: {codes}").format(codes=", ".join(rel.targets) or "-"))


def require_role(actor: Person, role: str, lang: str) -> None:
    if not actor.has_role(f"{role}:{lang}"):
        if role == "translator":
            message = _("{actor} may not translate into {lang}: it needs the role translator:{lang}")
        else:
            message = _("{actor} may not approve {lang} translations: it needs the role reviewer:{lang}")
        raise Refused(message.format(actor=actor.name, lang=lang),
                      _("ask someone with that role, or add the role in pubflow.yaml"))


def require_segment(doc: Document, segment_id: str) -> str:
    """The current source text of `segment_id`, or NotFound naming the ids."""
    for s in doc.source:
        if s.id == segment_id:
            return s.text
    ids = [s.id for s in doc.source]
    raise NotFound(_("{id} has no segment {segment!r}").format(id=doc.release.id, segment=segment_id),
                   _("its segments: {ids}").format(ids=", ".join(ids[:4]) + (f" … {ids[-1]}" if len(ids) > 4 else "")))


def check_origin(origin: str) -> str:
    if not ORIGIN_RE.match(origin):
        raise UsageError(_("{origin!r} is not an origin").format(origin=origin),
                         _("use human, machine:<provider> or memory:<release id>"))
    return origin


# ---------------------------------------------------------------- pure changes
def with_target(doc: Document, lang: str, new: TargetSegment) -> Document:
    """`doc` with the translation of `new.id` into `lang` replaced (pure)."""
    segs = list(doc.targets.get(lang, ()))
    for index, old in enumerate(segs):
        if old.id == new.id:
            segs[index] = new
            break
    else:
        segs.append(new)
    order = {s.id: i for i, s in enumerate(doc.source)}
    segs.sort(key=lambda t: order.get(t.id, len(order)))
    targets = dict(doc.targets)
    targets[lang] = tuple(segs)
    return replace(doc, targets=targets)


def translated_segment(segment_id: str, text: str, source: str, actor: Person, origin: str,
                       now: dt.datetime) -> TargetSegment:
    """A person's translation: status translated, whatever the text's origin."""
    return TargetSegment(id=segment_id, text=seg.normalize(text), status="translated", source=source,
                         origin=origin, by=actor.name, at=format_time(now))


@dataclass(frozen=True)
class SetResult:
    release: str
    language: str
    segment: str
    status: str
    previous_status: str
    origin: str
    changed: bool

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "segment": self.segment,
                "status": self.status, "previous_status": self.previous_status, "origin": self.origin,
                "changed": self.changed}


def set_in_document(doc: Document, config: Config, segment_id: str, lang: str, text: str, actor: Person,
                    origin: str = HUMAN, now: dt.datetime | None = None) -> tuple[Document, SetResult]:
    """Pure: record `actor`'s translation of one segment (all checks included)."""
    now = now or utc_now()
    check_origin(origin)
    require_target(doc, lang)
    require_role(actor, "translator", lang)
    require_open(config, doc)
    source = require_segment(doc, segment_id)
    clean = seg.normalize(text)
    if not clean:
        raise UsageError(_("the translation of {segment} is empty").format(segment=segment_id),
                         _("type the text, or skip the segment"))
    if "\x00" in clean:
        raise UsageError(_("the translation contains a NUL character"))
    old = doc.target(lang)[segment_id]
    before = old.effective_status(source)
    if before in ("translated", "approved") and old.text == clean:
        # Same text for the same source: nothing to record (keeps approvals).
        return doc, SetResult(doc.release.id, lang, segment_id, before, before, old.origin, False)
    if before == "machine" and old.text == clean and origin == HUMAN:
        origin = old.origin  # confirming a suggestion unchanged keeps its provenance
    new = translated_segment(segment_id, clean, source, actor, origin, now)
    return with_target(doc, lang, new), SetResult(doc.release.id, lang, segment_id, new.status, before, origin, True)


def set_translation(nr: Newsroom, release_id: str, segment_id: str, lang: str, text: str, actor: Person,
                    origin: str = HUMAN, now: dt.datetime | None = None) -> SetResult:
    """Save one translation (status translated) under the release lock."""
    nr.config.language(lang)

    def change(doc: Document) -> tuple[Document, SetResult]:
        return set_in_document(doc, nr.config, segment_id, lang, text, actor, origin, now)

    return nr.update(release_id, change)


@dataclass(frozen=True)
class BatchResult:
    """Which segments an operation changed, and which it left and why."""

    release: str
    language: str
    done: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (segment, reason)

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "done": self.done,
                "left": [{"segment": s, "reason": r} for s, r in self.left]}


def _why_not_approvable(status: str) -> str:
    return {
        "untranslated": _("it has no translation yet"),
        "machine": _("it is an unconfirmed machine or memory suggestion: a translator must confirm it first"),
        "stale": _("its source changed after it was translated: a translator must update it first"),
        "approved": _("it is already approved"),
    }.get(status, status)


def review_in_document(doc: Document, config: Config, lang: str, actor: Person, segment: str | None = None,
                       now: dt.datetime | None = None) -> tuple[Document, BatchResult]:
    """Pure: approve translated segments of `lang` (one, or all that can be)."""
    now = now or utc_now()
    require_target(doc, lang)
    require_role(actor, "reviewer", lang)
    require_open(config, doc)
    own_ok = self_review_allowed(config)
    targets = doc.target(lang)
    wanted = [segment] if segment is not None else [s.id for s in doc.source]
    if segment is not None:
        require_segment(doc, segment)
    result = BatchResult(doc.release.id, lang)
    for seg_id in wanted:
        current = targets[seg_id]
        status = current.effective_status(doc.source_text(seg_id))
        if status == "translated" and current.by == actor.name and not own_ok:
            result.left.append((seg_id, _("{actor} translated it: another reviewer must approve it").format(
                actor=actor.name)))
            continue
        if status == "approved":
            if segment is not None:
                result.left.append((seg_id, _why_not_approvable(status)))
            continue
        if status != "translated":
            if segment is not None:
                raise Refused(_("cannot approve {segment} ({lang}): {reason}").format(
                    segment=segment, lang=lang, reason=_why_not_approvable(status)),
                    _("see `pubflow pending --lang {lang}`").format(lang=lang))
            result.left.append((seg_id, _why_not_approvable(status)))
            continue
        doc = with_target(doc, lang, replace(current, status="approved", reviewed_by=actor.name,
                                             reviewed_at=format_time(now)))
        result.done.append(seg_id)
    blocking = [(s, r) for s, r in result.left if targets[s].effective_status(doc.source_text(s)) != "approved"]
    if not result.done and blocking:
        first, reason = blocking[0]
        raise Refused(
            _("nothing to approve in {id} ({lang}): {count} segment(s) not ready, first {segment}: {reason}").format(
                id=doc.release.id, lang=lang, count=len(blocking), segment=first, reason=reason),
            _("see `pubflow pending --lang {lang}`").format(lang=lang))
    return doc, result


def review_segments(nr: Newsroom, release_id: str, lang: str, actor: Person, segment: str | None = None,
                    now: dt.datetime | None = None) -> BatchResult:
    """Approve translated segments (reviewer:<lang>); refuses unready ones clearly."""
    nr.config.language(lang)

    def change(doc: Document) -> tuple[Document, BatchResult]:
        return review_in_document(doc, nr.config, lang, actor, segment, now)

    return nr.update(release_id, change)


def confirm_in_document(doc: Document, config: Config, lang: str, actor: Person, segment: str | None = None,
                        now: dt.datetime | None = None) -> tuple[Document, BatchResult]:
    """Pure: a translator confirms machine suggestions (or stale texts that still fit) as translated."""
    now = now or utc_now()
    require_target(doc, lang)
    require_role(actor, "translator", lang)
    require_open(config, doc)
    if segment is not None:
        require_segment(doc, segment)
    targets = doc.target(lang)
    result = BatchResult(doc.release.id, lang)
    for s in doc.source:
        if segment is not None and s.id != segment:
            continue
        current = targets[s.id]
        status = current.effective_status(s.text)
        if status == "machine" or (status == "stale" and segment is not None):
            new = translated_segment(s.id, current.text, s.text, actor, current.origin or HUMAN, now)
            doc = with_target(doc, lang, new)
            result.done.append(s.id)
        elif segment is not None:
            result.left.append((s.id, _why_not_approvable(status) if status != "translated"
                                else _("it is already translated")))
    if segment is not None and result.left:
        raise Refused(_("cannot confirm {segment} ({lang}): {reason}").format(
            segment=segment, lang=lang, reason=result.left[0][1]))
    if segment is None and not result.done:
        raise Refused(_("{id} has no machine suggestions in {lang} to confirm").format(id=doc.release.id, lang=lang),
                      _("see `pubflow pending {id} --lang {lang}`").format(id=doc.release.id, lang=lang))
    return doc, result


def confirm_segments(nr: Newsroom, release_id: str, lang: str, actor: Person, segment: str | None = None,
                     now: dt.datetime | None = None) -> BatchResult:
    """Accept machine suggestions as a person's translation (keeps their origin).

    With `segment`, a stale translation can be confirmed too: the translator
    says the old text still renders the new source.
    """
    nr.config.language(lang)

    def change(doc: Document) -> tuple[Document, BatchResult]:
        return confirm_in_document(doc, nr.config, lang, actor, segment, now)

    return nr.update(release_id, change)


# ---------------------------------------------------------------- diffs
WORD_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff: a list of (op, text) with op in ' ', '-', '+'."""
    a, b = WORD_RE.findall(old), WORD_RE.findall(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append((" ", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


def render_diff(parts: Sequence[tuple[str, str]]) -> str:
    """Plain-text form of a word diff: [-removed-]{+added+} (as `git diff --word-diff`)."""
    pieces = []
    for op, text in parts:
        if op == "-":
            pieces.append(f"[-{text}-]")
        elif op == "+":
            pieces.append(f"{{+{text}+}}")
        else:
            pieces.append(text)
    return "".join(pieces)
