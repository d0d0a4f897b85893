"""Histories: the hash chain, appending, replaying, extending and merging (pure).

A release has one history (`release.yaml`) and each of its target languages
another (`<lang>.yaml`, the segment events: translated, machine, confirmed,
reviewed, waived, migrate), so a translator and an editor never write the same
file.  Every event carries `hash`, a sha256 over the previous event's hash and
the event's own fields, so an edited or deleted past event shows.

`replay_history` checks a release's history against the workflow table and the
people who may act (`pubflow verify`, `pubflow sync`); `extends` says whether
one history carries on another without removing, altering or reordering
anything (git: each commit's history must extend its parent's);
`merge_histories` and `merge_logs` join two append-only histories (the git
merge driver), ordered by time.  Nothing here touches the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from workflow.core.model import (
    REQUIRED_METADATA,
    Document,
    Event,
    Release,
    format_time,
    metadata_hash,
    parse_time,
    release_from_dict,
)
from workflow.core.statemachine import Workflow, permits, role_admits
from workflow.errors import UsageError
from workflow.i18n import _, ngettext

# An event later than this after "now" has a wrong clock or was forged.
FUTURE_SLACK = dt.timedelta(days=1)
# Roles an event that no transition permits needs (the first listed is recorded when the actor has it).
EDIT_ROLES = ("editor", "writer")


# ---------------------------------------------------------------- the chain
def chain_hash(previous: str, event: Event) -> str:
    """sha256 over the previous hash and the event's own fields (without `hash`)."""
    body = event.to_dict()
    body.pop("hash", None)
    payload = previous + "\n" + json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _not_before(history: Sequence[Event], event: Event) -> Event:
    """Time never goes backwards in a history: an event gets at least its predecessor's time
    (a clock behind the one that wrote the last event, e.g. after `sync`, cannot reorder it)."""
    if history and event.at and _moment(event.at) < _moment(history[-1].at):
        return replace(event, at=format_time(_moment(history[-1].at)))
    return event


def seal(history: Sequence[Event], event: Event) -> Event:
    """Give a new event its chain hash (and a time not before the last event's)."""
    event = _not_before(history, event)
    previous = history[-1].hash if history else ""
    return replace(event, hash=chain_hash(previous, event))


def record(doc: Document, event: Event) -> tuple[Document, Event]:
    """Append a sealed event to the release's history (pure).

    The event gets the hash of `doc`'s metadata when it has none: pass the
    document as it is after the change the event records."""
    if not event.meta:
        event = replace(event, meta=doc.metadata_hash())
    sealed = seal(doc.release.history, event)
    return replace(doc, release=replace(doc.release, history=(*doc.release.history, sealed))), sealed


def record_segments(doc: Document, lang: str, event: Event) -> tuple[Document, Event]:
    """Append a sealed segment event to the history of `lang`'s file (pure)."""
    log = doc.log(lang)
    sealed = seal(log, event)
    logs = dict(doc.logs)
    logs[lang] = (*log, sealed)
    return replace(doc, logs=logs), sealed


def first_broken(history: Sequence[Event]) -> int | None:
    """Index of the first event whose chain hash is wrong (altered, or one before it removed)."""
    previous = ""
    for index, event in enumerate(history):
        if event.hash != chain_hash(previous, event):
            return index
        previous = event.hash
    return None


def clean_comment(comment: str | None) -> str | None:
    """An event's comment as recorded: stripped, None when blank; a NUL character is refused."""
    if comment is None:
        return None
    text = comment.strip()
    if "\x00" in text:
        raise UsageError(_("the comment contains a NUL character"))
    return text or None


def event_note(event: Event) -> str | None:
    """The text shown beside an event, in the reader's language.

    An edit's changes are stored as data and rendered here; any other note is
    the comment someone wrote (and an edit recorded before 0.2 kept its summary
    there, in the editor's language: shown as written).
    """
    changes = event.changes
    notes: list[str] = []
    if changes is not None and changes.by_hand:
        notes.append(_("recorded a change made to the files by hand"))
    elif changes is not None:
        notes.append(_("changed {c}, added {a}, removed {r}").format(
            c=", ".join(changes.changed) or "-", a=", ".join(changes.added) or "-",
            r=", ".join(changes.removed) or "-"))
    if event.metadata and event.kind == "edit" and (changes is None or changes.language is None):
        # metadata set by `edit --date/--category/--embargo` (a relabelled source language says so below)
        notes.append(_("changed {fields}").format(fields=", ".join(key for key, _value in event.metadata)))
    if not notes:
        return event.comment
    if changes is not None and not changes.by_hand and changes.language is not None:
        note = _("source language {old} → {new}").format(old=changes.language[0], new=changes.language[1])
        if changes.dropped:
            note += _("; ") + ngettext("dropped {n} translation into {lang}", "dropped {n} translations into {lang}",
                                       changes.dropped).format(n=changes.dropped, lang=changes.language[1])
        return note
    return "; ".join(notes)


def _moment(at: str) -> dt.datetime:
    return parse_time(at, "at")


# ---------------------------------------------------------------- scans
def last_approval(history: Sequence[Event], workflow: Workflow) -> Event | None:
    """The latest event of a transition marked `approval: true`, if any."""
    approvals = set(workflow.approval_transitions())
    for event in reversed(history):
        if event.kind == "transition" and event.transition in approvals:
            return event
    return None


def recorded_content(history: Sequence[Event]) -> str:
    """The source content hash the history says the text has now: the latest event that set
    it (create, edit, migrate), else the latest event that recorded one ("" if none did)."""
    setting = next((e.content for e in reversed(history) if e.kind in ("create", "edit", "migrate")
                    and e.content), "")
    return setting or next((e.content for e in reversed(history) if e.content), "")


def recorded_metadata(history: Sequence[Event]) -> dict[str, Any] | None:
    """The metadata values the history set (create, edit, migrate), or None when no event
    recorded them all (histories written before schema 2)."""
    values: dict[str, Any] | None = None
    for event in history:
        if not event.metadata:
            continue
        given = {k: (list(v) if isinstance(v, tuple) else v) for k, v in event.metadata}
        if values is None:
            if set(given) >= set(REQUIRED_METADATA):
                values = given
            continue
        values.update(given)
    return values


def unrecorded_edit(doc: Document, workflow: Workflow) -> str | None:
    """After an approval, the content hash the history last recorded if the text now differs from it.

    A difference means the files were edited by hand without `pubflow edit`.
    """
    if last_approval(doc.release.history, workflow) is None:
        return None
    recorded = recorded_content(doc.release.history)
    if recorded and recorded != doc.content_hash():
        return recorded
    return None


def snapshot_events(history: Sequence[Event]) -> list[Event]:
    """Events that named what a language publishes (publish, release, correct, retract, migrate)."""
    return [e for e in history if e.snapshots]


def current_snapshots(history: Sequence[Event]) -> dict[str, tuple[str, Event]]:
    """language -> (sha256 of the snapshot that is out, the event that named it): the latest one."""
    out: dict[str, tuple[str, Event]] = {}
    for event in history:
        for lang, sha in event.snapshots:
            out[lang] = (sha, event)
    return out


# ---------------------------------------------------------------- replay
PeopleRoles = Mapping[str, Sequence[str]]  # person's name -> roles held (pubflow.yaml)


@dataclass(frozen=True)
class Replayed:
    """What replaying a history established, and what was wrong with it."""

    problems: list[tuple[int | None, str]]  # (index of the event, or None for the release) + message
    state: str
    published: tuple[str, ...]
    content: str
    metadata: dict[str, Any] | None


def _held(people: PeopleRoles | None, actor: str, role: str) -> str | None:
    """Why `actor` could not have acted as `role` (None: they hold it)."""
    if people is None:
        return None
    if actor not in people:
        return _("{actor} is not one of this newsroom's people").format(actor=actor)
    if role not in people[actor]:
        return _("{actor} does not hold the role {role!r}").format(actor=actor, role=role)
    return None


def replay(wf: Workflow, release: Release, people: PeopleRoles | None = None,
           now: dt.datetime | None = None) -> Replayed:
    """Replay a release's history: legal moves, roles held, time order, recorded content and
    metadata; see `Replayed`.  With `people`, each actor must hold the role recorded (and that
    role must permit what the event did); with `now`, no event may lie in the future."""
    problems: list[tuple[int | None, str]] = []
    history = release.history
    if not history:
        return Replayed([(None, _("history is empty"))], wf.initial, (), "", None)
    broken = first_broken(history)
    if broken is not None:
        return Replayed([(broken, _("event {n} ({at}) was altered, or an event before it was removed").format(
            n=broken + 1, at=history[broken].at))], release.state, release.published_languages, "", None)
    first = history[0]
    if first.kind != "create" or first.target != wf.initial:
        problems.append((0, _("history does not start with the creation of a {initial} release").format(
            initial=wf.initial)))
    state = wf.initial
    visited = {state}
    published: list[str] = []
    content = first.content
    metadata: dict[str, Any] | None = None
    live = {name for name, spec in wf.states.items() if spec.live}
    previous_at: dt.datetime | None = None
    for index, event in enumerate(history):
        where = _("event {n} ({kind} at {at})").format(n=index + 1, kind=event.kind, at=event.at)
        previous_at = _check_time(problems, index, where, event, previous_at, now)
        if event.metadata:
            given = {k: (list(v) if isinstance(v, tuple) else v) for k, v in event.metadata}
            if metadata is None and set(given) >= set(REQUIRED_METADATA):
                metadata = given
            elif metadata is not None:
                metadata = {**metadata, **given}
        expected_meta = metadata_hash(metadata) if metadata is not None else None
        if event.kind in ("create", "edit", "migrate"):
            content = event.content or content
        if event.kind != "comment":
            if event.content and event.content != content and event.kind not in ("create", "edit", "migrate"):
                problems.append((index, _("{where}: records a text that is not the one the history had "
                                          "then").format(where=where)))
            if event.meta and expected_meta is not None and event.meta != expected_meta:
                problems.append((index, _("{where}: records metadata that are not the ones the history had "
                                          "then").format(where=where)))
        if index == 0:
            if event.kind == "create":
                role_problem = _needs(people, event, EDIT_ROLES)
                if role_problem:
                    problems.append((index, f"{where}: {role_problem}"))
            continue
        if event.kind == "create":
            problems.append((index, _("{where}: a second creation").format(where=where)))
        elif event.kind == "transition":
            t = wf.transitions.get(event.transition or "")
            if t is None:
                problems.append((index, _("{where}: unknown transition {name!r}").format(
                    where=where, name=event.transition)))
                break
            if event.source != state or state not in t.sources:
                problems.append((index, _("{where}: {name} from {source} is not allowed after {state}").format(
                    where=where, name=t.name, source=event.source, state=state)))
            if event.target != t.target:
                problems.append((index, _("{where}: {name} leads to {target}, not {to}").format(
                    where=where, name=t.name, target=t.target, to=event.target)))
            if not permits(t, event.role or ""):
                problems.append((index, _("{where}: role {role!r} may not {name}").format(
                    where=where, role=event.role, name=t.name)))
            else:
                held = _held(people, event.actor, event.role)
                if held:
                    problems.append((index, f"{where}: {held}"))
            if t.target in live and state not in live:
                published = list(release.languages)
            elif t.target not in live:
                published = []
            state = t.target
            visited.add(state)
        elif event.kind == "release":
            t = wf.transitions.get(event.transition or "")
            if event.language not in release.languages:
                problems.append((index, _("{where}: language {lang!r} is not one of the release's").format(
                    where=where, lang=event.language)))
            elif event.language not in published:
                published.append(event.language)
            if t is None or not permits(t, event.role or ""):
                problems.append((index, _("{where}: role {role!r} may not {name}").format(
                    where=where, role=event.role, name=event.transition)))
            else:
                held = _held(people, event.actor, event.role)
                if held:
                    problems.append((index, f"{where}: {held}"))
            if event.source is not None and event.source != state:
                problems.append((index, _("{where}: recorded in state {source}, but the release was {state}").format(
                    where=where, source=event.source, state=state)))
        else:  # comment, edit, migrate: no move
            wanted: tuple[str, ...] = ()
            if event.kind == "edit":
                wanted = ("editor",) if state in live else EDIT_ROLES
            elif event.kind == "migrate":
                wanted = ("editor",)
            elif event.kind in ("schedule", "unschedule"):  # the intent to publish (or its end): who may publish
                scheduled = wf.transitions.get(event.transition or "")
                wanted = tuple(scheduled.roles) if scheduled is not None else ("editor",)
            role_problem = _needs(people, event, wanted)
            if role_problem:
                problems.append((index, f"{where}: {role_problem}"))
            # A comment made in another clone may land after moves made meanwhile (merged by time):
            # it may name any state the release has been in.
            if event.source is not None and event.source != state and not (
                    event.kind == "comment" and event.source in visited):
                problems.append((index, _("{where}: recorded in state {source}, but the release was {state}").format(
                    where=where, source=event.source, state=state)))
    return Replayed(problems, state, tuple(code for code in release.languages if code in published),
                    content, metadata)


def _needs(people: PeopleRoles | None, event: Event, wanted: Sequence[str]) -> str | None:
    """Why the event's actor could not have recorded it: a role among `wanted` (any held role when
    empty) that they hold and that the event names."""
    if people is None:
        return None
    if wanted and not any(role_admits(w, event.role) for w in wanted):
        return _("role {role!r} may not record {kind} (needs {roles})").format(
            role=event.role, kind=event.kind, roles=" or ".join(wanted))
    return _held(people, event.actor, event.role)


def replay_history(wf: Workflow, release: Release, people: PeopleRoles | None = None,
                   now: dt.datetime | None = None) -> list[str]:
    """Why the recorded history does not lead to the recorded state (empty if it does)."""
    result = replay(wf, release, people, now)
    problems = [message for _index, message in result.problems]
    if result.problems and result.problems[0][1].endswith(_("was altered, or an event before it was removed")):
        return problems
    if result.state != release.state:
        problems.append(_("history ends in {replayed} but the release says {state}").format(
            replayed=result.state, state=release.state))
    if release.state not in wf.states:
        problems.append(_("state {state!r} is not in the workflow").format(state=release.state))
    return problems


# ---------------------------------------------------------------- segment histories
SEGMENT_ROLES = {"translated": "translator", "machine": "translator", "confirmed": "translator",
                 "reviewed": "reviewer", "waived": "reviewer", "migrate": "editor"}
SEGMENT_STATUS = {"translated": "translated", "machine": "machine", "confirmed": "translated",
                  "reviewed": "approved", "waived": "approved"}


def _check_time(problems: list[tuple[int | None, str]], index: int, where: str, event: Event,
                previous: dt.datetime | None, now: dt.datetime | None) -> dt.datetime:
    """The one time rule of every history: never before the event above, never in the future
    (beyond FUTURE_SLACK); returns the latest time seen so far."""
    moment = _moment(event.at)
    if previous is not None and moment < previous:
        problems.append((index, _("{where}: its time is before the event above it").format(where=where)))
    if now is not None and moment > now + FUTURE_SLACK:
        problems.append((index, _("{where}: its time lies in the future").format(where=where)))
    return max(moment, previous) if previous else moment


def log_problems(log: Sequence[Event], lang: str, people: PeopleRoles | None = None,
                 now: dt.datetime | None = None) -> list[tuple[int | None, str]]:
    """What is wrong with a language file's history: chain, time order, roles."""
    problems: list[tuple[int | None, str]] = []
    broken = first_broken(log)
    if broken is not None:
        return [(broken, _("event {n} ({at}) was altered, or an event before it was removed").format(
            n=broken + 1, at=log[broken].at))]
    previous: dt.datetime | None = None
    for index, event in enumerate(log):
        where = _("event {n} ({kind} at {at})").format(n=index + 1, kind=event.kind, at=event.at)
        previous = _check_time(problems, index, where, event, previous, now)
        base = SEGMENT_ROLES.get(event.kind, "")
        wanted = "editor" if base == "editor" else f"{base}:{lang}"
        if event.role != wanted:
            problems.append((index, _("{where}: role {role!r} may not record {kind} (needs {roles})").format(
                where=where, role=event.role, kind=event.kind, roles=wanted)))
        else:
            held = _held(people, event.actor, event.role)
            if held:
                problems.append((index, f"{where}: {held}"))
        if event.kind == "waived" and not (event.check and event.comment):
            problems.append((index, _("{where}: a waiver needs the check and why").format(where=where)))
    return problems


@dataclass(frozen=True)
class SegmentRecord:
    """What a language file's history last said about one segment."""

    event: Event
    pair: str  # source16:text16
    status: str  # the status that event gave it
    translator: str  # who last translated or confirmed it ("" when unknown)


def segment_records(log: Sequence[Event]) -> dict[str, SegmentRecord]:
    """segment id -> the latest event that covered it (with the status it gave)."""
    out: dict[str, SegmentRecord] = {}
    translators: dict[str, str] = {}
    for event in log:
        for seg_id, value in event.segments:
            parts = value.split(":")
            pair = f"{parts[0]}:{parts[1]}"
            recorded = parts[2] if len(parts) > 2 else ""
            if event.kind in ("translated", "confirmed", "machine"):
                translators[seg_id] = event.actor
            status = SEGMENT_STATUS.get(event.kind, recorded)
            out[seg_id] = SegmentRecord(event, pair, status, translators.get(seg_id, ""))
    return out


# ---------------------------------------------------------------- extending
def _content(event: Event) -> Event:
    return replace(event, hash="")


def extends(old: Sequence[Event], new: Sequence[Event]) -> str | None:
    """Why `new` does not carry `old` on (None when it does).

    Every event of `old` must be in `new`, unchanged and in the same order (chain hashes
    aside: a merge re-seals the events that follow what the other side added); `new` must
    be an intact chain whose times never go backwards.  So truncating, rewriting or
    reordering a history is refused, appending to it (or merging in another clone's
    events, by time) is not."""
    if first_broken(new) is not None:
        index = first_broken(new) or 0
        return _("event {n} ({at}) was altered, or an event before it was removed").format(
            n=index + 1, at=new[index].at)
    wanted = [_content(e) for e in old]
    position = 0
    for event in new:
        if position < len(wanted) and _content(event) == wanted[position]:
            position += 1
    if position < len(wanted):
        missing = old[position]
        return _("event {n} ({kind} at {at}) was removed or rewritten").format(
            n=position + 1, kind=missing.transition or missing.kind, at=missing.at)
    previous: dt.datetime | None = None
    for index, event in enumerate(new):
        moment = _moment(event.at)
        if previous is not None and moment < previous:
            return _("event {n} ({at}) is out of time order").format(n=index + 1, at=event.at)
        previous = moment
    return None


# ---------------------------------------------------------------- merge
class MergeRefused(Exception):
    """The two sides of a history cannot be merged into one legal history."""


def describe(event: Event) -> str:
    what = event.transition or event.kind
    return _("{what} by {actor} at {at}").format(what=what, actor=event.actor, at=event.at)


_MOVING_FIELDS = ("history", "state", "revision", "published_languages")


def _match_base(base: Sequence[Event], side: Sequence[Event]) -> tuple[list[Event], int] | None:
    """Events of `side` that are not in `base`, and the index after the last base event in it.

    The base's events must appear in `side` in order (compared without chain
    hashes: a rebase replays commits onto a re-chained history); None if not.
    """
    wanted = [_content(e) for e in base]
    new: list[Event] = []
    index = 0
    after = 0
    for position, event in enumerate(side):
        if index < len(wanted) and _content(event) == wanted[index]:
            index += 1
            after = position + 1
        else:
            new.append(event)
    return (new, after) if index == len(wanted) else None


def interleave(base: Sequence[Event], ours: Sequence[Event], theirs: Sequence[Event]) -> list[Event]:
    """`ours` as it is, with the events `theirs` added to `base` inserted by time, re-sealed.

    Each of their new events goes after the events that precede it in `theirs` (its own
    earlier events and the common ones), and after every event of ours no later than it;
    so both sides keep their order (each extends the result, `extends`), and when both are
    in time order, so is the result (at the same second, ours first)."""
    wanted = [_content(e) for e in base]
    result = [_content(e) for e in ours]
    position_of_base: list[int] = []
    index = 0
    for position, event in enumerate(result):  # where each common event sits in ours
        if index < len(wanted) and event == wanted[index]:
            position_of_base.append(position)
            index += 1
    floor = 0  # nothing of theirs goes before this position
    seen = 0  # common events passed in theirs
    for event in theirs:
        event = _content(event)
        if seen < len(wanted) and event == wanted[seen]:
            floor = max(floor, position_of_base[seen] + 1)
            seen += 1
            continue
        at = _moment(event.at)
        spot = floor
        while spot < len(result) and _moment(result[spot].at) <= at:
            spot += 1
        result.insert(spot, event)
        position_of_base = [p + 1 if p >= spot else p for p in position_of_base]
        floor = spot + 1
    history: list[Event] = []
    for event in result:
        history.append(seal(history, event))
    return history


def merge_histories(base: Release, ours: Release, theirs: Release) -> Release:
    """Merge two append-only histories, or raise MergeRefused with the reason.

    At most one side may have moved the release (anything but comments); the new
    events of both sides are ordered by time after the common part and re-sealed."""
    for side in (base, ours, theirs):
        if first_broken(side.history) is not None:
            raise MergeRefused(_("the history of {id} has an altered event; run `pubflow verify`").format(
                id=side.id))
    matched_o = _match_base(base.history, ours.history)
    matched_t = _match_base(base.history, theirs.history)
    if matched_o is None or matched_t is None:
        raise MergeRefused(_("a side rewrote the common history of {id}").format(id=base.id))
    new_o, new_t = matched_o[0], matched_t[0]

    def moving(events: list[Event]) -> bool:
        return any(e.kind != "comment" for e in events)

    if moving(new_o) and moving(new_t):
        first_o = next(e for e in new_o if e.kind != "comment")
        first_t = next(e for e in new_t if e.kind != "comment")
        raise MergeRefused(_("conflicting moves on {id}: {ours} and {theirs}").format(
            id=base.id, ours=describe(first_o), theirs=describe(first_t)))
    # Metadata other than the history: a three-way choice per field.
    meta: dict[str, Any] = {}
    b, o, t = base.to_dict(), ours.to_dict(), theirs.to_dict()
    for key in b.keys() | o.keys() | t.keys():
        if key in _MOVING_FIELDS:
            continue
        bv, ov, tv = b.get(key), o.get(key), t.get(key)
        if ov == tv or tv == bv:
            meta[key] = ov
        elif ov == bv:
            meta[key] = tv
        else:
            raise MergeRefused(_("both sides changed {field} of {id}").format(field=key, id=base.id))
    mover = theirs if moving(new_t) else ours
    history = interleave(base.history, ours.history, theirs.history)
    merged = replace(mover, history=tuple(history), revision=max(ours.revision, theirs.revision) + 1)
    data = merged.to_dict()
    data.update(meta)
    # Through the same parser that validates files.
    return release_from_dict(data, "merged release.yaml")


def merge_logs(base: Sequence[Event], ours: Sequence[Event], theirs: Sequence[Event],
               where: str) -> list[Event]:
    """Merge two histories of one language file: the common part, then both sides' new events
    by time, re-sealed; MergeRefused when a side altered or rewrote the common part."""
    for side in (base, ours, theirs):
        if first_broken(side) is not None:
            raise MergeRefused(_("the history of {where} has an altered event; run `pubflow verify`").format(
                where=where))
    if _match_base(base, ours) is None or _match_base(base, theirs) is None:
        raise MergeRefused(_("a side rewrote the common history of {where}").format(where=where))
    return interleave(base, ours, theirs)

