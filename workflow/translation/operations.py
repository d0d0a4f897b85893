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

Every change is recorded, one event per command, in the history of the
language file itself (`translated`, `machine`, `confirmed`, `reviewed`,
`waived`), naming the segments with the hashes of their source and text; an
approval (and a waiver) is bound to those hashes, so any changed byte voids it
(`TargetSegment.effective_status` shows `translated` again).  A reviewer may
not approve a segment with an error-level check finding unless they waive that
finding (`review --waive CHECK -m why`), which is recorded with who, when and
why, and voided by any change like an approval.

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
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.history import record_segments
from workflow.core.model import Document, Event, TargetSegment, Waiver, format_time, utc_now
from workflow.errors import Conflict, InvalidData, NotFound, Refused, UsageError
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
            _("an editor moves it there; `pubflow show {id}` shows its next steps").format(id=doc.release.id),
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
                   _("its segments: {ids}").format(ids=", ".join(ids) if len(ids) <= 6 else  # … only for a gap
                                                   ", ".join(ids[:4]) + f" … {ids[-1]}"))


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


def approved_segment(current: TargetSegment, source: str, actor: Person, now: dt.datetime,
                     waiver: Waiver | None = None) -> TargetSegment:
    """`current` approved by `actor`, bound to its exact source and text (plus a new waiver)."""
    pair = seg.pair_hash(source, current.text)
    waivers = tuple(w for w in current.waivers if w.pair == pair and (waiver is None or w.check != waiver.check))
    return replace(current, status="approved", reviewed_by=actor.name, reviewed_at=format_time(now),
                   approved=pair, waivers=(*waivers, waiver) if waiver else waivers)


ROLE_OF = {"translated": "translator", "machine": "translator", "confirmed": "translator",
           "reviewed": "reviewer", "waived": "reviewer"}


def log_segments(doc: Document, lang: str, kind: str, actor: Person | str, segment_ids: Sequence[str],
                 now: dt.datetime, *, check: str | None = None, comment: str | None = None) -> Document:
    """Record one segment event (one per command) in `lang`'s history, naming `segment_ids`
    with the hashes of their source and text as they are in `doc` now (pure)."""
    if not segment_ids:
        return doc
    targets = doc.target(lang)
    pairs = tuple((seg_id, seg.pair_hash(targets[seg_id].source or doc.source_text(seg_id), targets[seg_id].text))
                  for seg_id in segment_ids)
    name = actor if isinstance(actor, str) else actor.name
    new_doc, _event = record_segments(doc, lang, Event(
        at=format_time(now), kind=kind, actor=name, role=f"{ROLE_OF[kind]}:{lang}", check=check,
        comment=comment, segments=pairs))
    return new_doc


@dataclass(frozen=True)
class SetResult:
    release: str
    language: str
    segment: str
    status: str
    previous_status: str
    origin: str
    changed: bool
    findings: tuple[Any, ...] = ()  # translation.checks.Finding of the saved text

    @property
    def errors(self) -> list[Any]:
        return [f for f in self.findings if f.severity == "error"]

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "segment": self.segment,
                "status": self.status, "previous_status": self.previous_status, "origin": self.origin,
                "changed": self.changed, "findings": [f.public() for f in self.findings]}


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
    findings = tuple(segment_findings(doc, config, lang, segment_id, clean))
    if before in ("translated", "approved") and old.text == clean:
        # Same text for the same source: nothing to record (keeps approvals).
        return doc, SetResult(doc.release.id, lang, segment_id, before, before, old.origin, False, findings)
    if before == "machine" and old.text == clean and origin == HUMAN:
        origin = old.origin  # confirming a suggestion unchanged keeps its provenance
    new = translated_segment(segment_id, clean, source, actor, origin, now)
    new_doc = log_segments(with_target(doc, lang, new), lang, "translated", actor, [segment_id], now)
    return new_doc, SetResult(doc.release.id, lang, segment_id, new.status, before, origin, True, findings)


def _glossary(config: Config) -> Any:
    from workflow.translation.glossary import load_glossary

    return load_glossary(config.root, tuple(config.languages))


def segment_findings(doc: Document, config: Config, lang: str, segment_id: str, text: str | None = None,
                     glossary: Any = None) -> list[Any]:
    """The check findings of one segment's translation (`text`, else the one in `doc`); waived
    findings carry the reviewer (`Finding.waived_by`)."""
    from workflow.translation.checks import Finding, check_text

    source = doc.source_text(segment_id)
    target = doc.target(lang)[segment_id]
    text = target.text if text is None else seg.normalize(text)
    waived = target.active_waivers(source) if text == target.text else {}
    found = check_text(config, source, text, doc.release.source_language, lang, glossary)
    return [Finding(doc.release.id, lang, segment_id, check_id, severity, message,
                    waived_by=waived[check_id].by if check_id in waived else "")
            for check_id, severity, message in found]


def shown_hash(doc: Document, segment_id: str, lang: str) -> str:
    """What a reader was shown of one segment: its current source, its translation and their status.

    A form shown earlier (the web workspace) sends it back with a change; the
    change is refused when it differs under the lock (`require_shown`).
    """
    source = require_segment(doc, segment_id)
    target = doc.target(lang)[segment_id]
    digest = hashlib.sha256()
    for part in (seg.normalize(source), target.text, target.effective_status(source)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:20]


def require_shown(doc: Document, segment_id: str, lang: str, expected: str | None) -> None:
    """Refuse (`Conflict`) when `segment_id` changed since the reader saw it (`shown_hash` was `expected`)."""
    if expected is None or shown_hash(doc, segment_id, lang) == expected:
        return
    target = doc.target(lang)[segment_id]
    raise Conflict(_("{segment} ({lang}) of {id} changed while you worked (last saved by {who})").format(
        segment=segment_id, lang=lang, id=doc.release.id, who=target.by or "?"),
        _("nothing was saved: compare with the current text, then save again"))


def set_translation(nr: Newsroom, release_id: str, segment_id: str, lang: str, text: str, actor: Person,
                    origin: str = HUMAN, now: dt.datetime | None = None, *, expected: str | None = None
                    ) -> SetResult:
    """Save one translation (status translated) under the release lock.

    `expected`: the `shown_hash` of the segment the translator was shown; a
    segment changed meanwhile (another process, a `git pull`) is refused.
    """
    nr.config.language(lang)

    def change(doc: Document) -> tuple[Document, SetResult]:
        require_shown(doc, segment_id, lang, expected)
        return set_in_document(doc, nr.config, segment_id, lang, text, actor, origin, now)

    return nr.update(release_id, change)


@dataclass(frozen=True)
class BatchResult:
    """Which segments an operation changed, and which it left and why."""

    release: str
    language: str
    done: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (segment, reason)
    findings: list[Any] = field(default_factory=list)  # check findings of what was saved (confirm)

    @property
    def errors(self) -> list[Any]:
        return [f for f in self.findings if f.severity == "error" and not f.waived_by]

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "done": self.done,
                "left": [{"segment": s, "reason": r} for s, r in self.left],
                "findings": [f.public() for f in self.findings]}


def _why_not_approvable(status: str) -> str:
    return {
        "untranslated": _("it has no translation yet"),
        "machine": _("it is an unconfirmed machine or memory suggestion: a translator must confirm it first"),
        "stale": _("its source changed after it was translated: a translator must update it first"),
        "approved": _("it is already approved"),
    }.get(status, status)


def review_in_document(doc: Document, config: Config, lang: str, actor: Person, segment: str | None = None,
                       now: dt.datetime | None = None, *, waive: str | None = None,
                       why: str | None = None) -> tuple[Document, BatchResult]:
    """Pure: approve translated segments of `lang` (one, or all that can be).

    A segment with an error-level check finding is not approved unless that
    finding is waived: with `waive` (a check id, one `segment`, and `why`) the
    reviewer records the waiver and approves in one event (`waived`).
    """
    now = now or utc_now()
    require_target(doc, lang)
    require_role(actor, "reviewer", lang)
    require_open(config, doc)
    own_ok = self_review_allowed(config)
    targets = doc.target(lang)
    if waive is not None:
        if segment is None:
            raise UsageError(_("--waive needs --segment: a waiver is for one finding on one segment"),
                             _("pass --segment ID"))
        if not (why and why.strip()):
            raise UsageError(_("a waiver needs a reason"), _("add -m \"why\""))
        if "\x00" in why:
            raise UsageError(_("the comment contains a NUL character"))
    wanted = [segment] if segment is not None else [s.id for s in doc.source]
    if segment is not None:
        require_segment(doc, segment)
    result = BatchResult(doc.release.id, lang)
    waiver: Waiver | None = None
    glossary = _glossary(config)
    for seg_id in wanted:
        current = targets[seg_id]
        source = doc.source_text(seg_id)
        status = current.effective_status(source)
        if status == "translated" and current.by == actor.name and not own_ok:
            reason = _("{actor} translated it: another reviewer must approve it").format(actor=actor.name)
            if segment is not None:
                raise Refused(_("cannot approve {segment} ({lang}): {reason}").format(
                    segment=segment, lang=lang, reason=reason))
            result.left.append((seg_id, reason))
            continue
        if status == "approved" and waive is None:
            if segment is not None:
                result.left.append((seg_id, _why_not_approvable(status)))
            continue
        if status not in ("translated", "approved"):
            if segment is not None:
                raise Refused(_("cannot approve {segment} ({lang}): {reason}").format(
                    segment=segment, lang=lang, reason=_why_not_approvable(status)),
                    _("see `pubflow pending --lang {lang}`").format(lang=lang))
            result.left.append((seg_id, _why_not_approvable(status)))
            continue
        findings = segment_findings(doc, config, lang, seg_id, glossary=glossary)
        errors = [f for f in findings if f.severity == "error" and not f.waived_by]
        if waive is not None:
            fired = [f for f in errors if f.check == waive]
            if not fired:
                raise Refused(_("cannot waive {check} on {segment} ({lang}): that check found no error there").format(
                    check=waive, segment=seg_id, lang=lang), _("see `pubflow check {id} --lang {lang}`").format(
                    id=doc.release.id, lang=lang))
            waiver = Waiver(waive, actor.name, format_time(now), (why or "").strip(),
                            seg.pair_hash(source, current.text))
            errors = [f for f in errors if f.check != waive]
        if errors:
            first = errors[0]
            reason = _("check {check} found an error: {message}").format(check=first.check, message=first.message)
            if segment is not None:
                raise Refused(_("cannot approve {segment} ({lang}): {reason}").format(
                    segment=seg_id, lang=lang, reason=reason),
                    _("have it fixed, or waive it: `pubflow review {id} --lang {lang} --segment {segment} "
                      "--waive {check} -m \"why\"`").format(id=doc.release.id, lang=lang, segment=seg_id,
                                                          check=first.check))
            result.left.append((seg_id, reason))
            continue
        doc = with_target(doc, lang, approved_segment(current, source, actor, now, waiver))
        result.done.append(seg_id)
    blocking = [(s, r) for s, r in result.left if targets[s].effective_status(doc.source_text(s)) != "approved"]
    if not result.done and blocking:
        first_id, reason = blocking[0]
        raise Refused(
            _("nothing to approve in {id} ({lang}): {count} segment(s) not ready, first {segment}: {reason}").format(
                id=doc.release.id, lang=lang, count=len(blocking), segment=first_id, reason=reason),
            _("see `pubflow pending --lang {lang}`").format(lang=lang))
    if waiver is not None:
        doc = log_segments(doc, lang, "waived", actor, result.done, now, check=waiver.check, comment=waiver.why)
    else:
        doc = log_segments(doc, lang, "reviewed", actor, result.done, now)
    return doc, result


def review_segments(nr: Newsroom, release_id: str, lang: str, actor: Person, segment: str | None = None,
                    now: dt.datetime | None = None, *, waive: str | None = None,
                    why: str | None = None, expected: str | None = None) -> BatchResult:
    """Approve translated segments (reviewer:<lang>); refuses unready ones clearly.

    With `waive`, records the reviewer's waiver of that check's error on `segment` (with `why`)
    and approves it.  `expected` (with `segment`): its `shown_hash` when the reviewer read it."""
    nr.config.language(lang)
    if waive is not None:
        from workflow.translation.checks import CHECKS_BY_ID

        if waive not in CHECKS_BY_ID:
            raise UsageError(_("unknown check {id!r}").format(id=waive),
                             _("see `pubflow check --list`"))

    def change(doc: Document) -> tuple[Document, BatchResult]:
        if segment is not None:
            require_shown(doc, segment, lang, expected)
        return review_in_document(doc, nr.config, lang, actor, segment, now, waive=waive, why=why)

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
    glossary = _glossary(config)
    for s in doc.source:
        if segment is not None and s.id != segment:
            continue
        current = targets[s.id]
        status = current.effective_status(s.text)
        if status == "machine" or (status == "stale" and segment is not None):
            new = translated_segment(s.id, current.text, s.text, actor, current.origin or HUMAN, now)
            doc = with_target(doc, lang, new)
            result.done.append(s.id)
            result.findings.extend(segment_findings(doc, config, lang, s.id, glossary=glossary))
        elif segment is not None:
            result.left.append((s.id, _why_not_approvable(status) if status != "translated"
                                else _("it is already translated")))
    if segment is not None and result.left:
        raise Refused(_("cannot confirm {segment} ({lang}): {reason}").format(
            segment=segment, lang=lang, reason=result.left[0][1]))
    if segment is None and not result.done:
        raise Refused(_("{id} has no machine suggestions in {lang} to confirm").format(id=doc.release.id, lang=lang),
                      _("see `pubflow pending {id} --lang {lang}`").format(id=doc.release.id, lang=lang))
    return log_segments(doc, lang, "confirmed", actor, result.done, now), result


def confirm_segments(nr: Newsroom, release_id: str, lang: str, actor: Person, segment: str | None = None,
                     now: dt.datetime | None = None, *, expected: str | None = None) -> BatchResult:
    """Accept machine suggestions as a person's translation (keeps their origin).

    With `segment`, a stale translation can be confirmed too: the translator
    says the old text still renders the new source (`expected`: its `shown_hash`
    when the translator read it).
    """
    nr.config.language(lang)

    def change(doc: Document) -> tuple[Document, BatchResult]:
        if segment is not None:
            require_shown(doc, segment, lang, expected)
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
