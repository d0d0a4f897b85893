"""A release's history: the hash chain, appending, replaying and merging (pure).

Every event carries `hash`, a sha256 over the previous event's hash and the
event's own fields, so an edited or deleted past event shows.
`replay_history` checks a history against the workflow table (`pubflow
verify`, `pubflow sync`); `merge_histories` joins two append-only histories
(the git merge driver).  Nothing here touches the disk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from workflow.core.model import Document, Event, Release, release_from_dict
from workflow.core.statemachine import Workflow, permits
from workflow.errors import UsageError
from workflow.i18n import _, ngettext


# ---------------------------------------------------------------- the chain
def chain_hash(previous: str, event: Event) -> str:
    """sha256 over the previous hash and the event's own fields (without `hash`)."""
    body = event.to_dict()
    body.pop("hash", None)
    payload = previous + "\n" + json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def seal(history: Sequence[Event], event: Event) -> Event:
    """Give a new event its chain hash."""
    previous = history[-1].hash if history else ""
    return replace(event, hash=chain_hash(previous, event))


def record(doc: Document, event: Event) -> tuple[Document, Event]:
    """Append a sealed event to the history (pure)."""
    sealed = seal(doc.release.history, event)
    return replace(doc, release=replace(doc.release, history=(*doc.release.history, sealed))), sealed


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
    if changes is None:
        return event.comment
    if changes.by_hand:
        return _("recorded a change made to the files by hand")
    if changes.language is not None:
        note = _("source language {old} → {new}").format(old=changes.language[0], new=changes.language[1])
        if changes.dropped:
            note += _("; ") + ngettext("dropped {n} translation into {lang}", "dropped {n} translations into {lang}",
                                       changes.dropped).format(n=changes.dropped, lang=changes.language[1])
        return note
    return _("changed {c}, added {a}, removed {r}").format(
        c=", ".join(changes.changed) or "-", a=", ".join(changes.added) or "-", r=", ".join(changes.removed) or "-")


def first_broken(history: Sequence[Event]) -> int | None:
    """Index of the first event whose chain hash is wrong (altered, or one before it removed)."""
    previous = ""
    for index, event in enumerate(history):
        if event.hash != chain_hash(previous, event):
            return index
        previous = event.hash
    return None


# ---------------------------------------------------------------- scans
def last_approval(history: Sequence[Event], workflow: Workflow) -> Event | None:
    """The latest event of a transition marked `approval: true`, if any."""
    approvals = set(workflow.approval_transitions())
    for event in reversed(history):
        if event.kind == "transition" and event.transition in approvals:
            return event
    return None


def recorded_content(history: Sequence[Event]) -> str:
    """The source content hash the latest event that recorded one saw ("" if none did)."""
    return next((e.content for e in reversed(history) if e.content), "")


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


# ---------------------------------------------------------------- replay
def replay_history(wf: Workflow, release: Release) -> list[str]:
    """Why the recorded history does not lead to the recorded state (empty if it does)."""
    problems: list[str] = []
    history = release.history
    if not history:
        return [_("history is empty")]
    broken = first_broken(history)
    if broken is not None:
        return [_("event {n} ({at}) was altered, or an event before it was removed").format(
            n=broken + 1, at=history[broken].at)]
    first = history[0]
    if first.kind != "create" or first.target != wf.initial:
        problems.append(_("history does not start with the creation of a {initial} release").format(
            initial=wf.initial))
    state = wf.initial
    for index, event in enumerate(history[1:], start=2):
        where = _("event {n} ({kind} at {at})").format(n=index, kind=event.kind, at=event.at)
        if event.kind == "create":
            problems.append(_("{where}: a second creation").format(where=where))
        elif event.kind == "transition":
            t = wf.transitions.get(event.transition or "")
            if t is None:
                problems.append(_("{where}: unknown transition {name!r}").format(where=where, name=event.transition))
                break
            if event.source != state or state not in t.sources:
                problems.append(_("{where}: {name} from {source} is not allowed after {state}").format(
                    where=where, name=t.name, source=event.source, state=state))
            if event.target != t.target:
                problems.append(_("{where}: {name} leads to {target}, not {to}").format(
                    where=where, name=t.name, target=t.target, to=event.target))
            if not permits(t, event.role or ""):
                problems.append(_("{where}: role {role!r} may not {name}").format(
                    where=where, role=event.role, name=t.name))
            state = t.target
        elif event.kind == "release":
            if event.language not in release.languages:
                problems.append(_("{where}: language {lang!r} is not one of the release's").format(
                    where=where, lang=event.language))
        elif event.source is not None and event.source != state:
            problems.append(_("{where}: recorded in state {source}, but the release was {state}").format(
                where=where, source=event.source, state=state))
    if state != release.state:
        problems.append(_("history ends in {replayed} but the release says {state}").format(
            replayed=state, state=release.state))
    if release.state not in wf.states:
        problems.append(_("state {state!r} is not in the workflow").format(state=release.state))
    return problems


# ---------------------------------------------------------------- merge
class MergeRefused(Exception):
    """The two sides of a history cannot be merged into one legal history."""


def describe(event: Event) -> str:
    what = event.transition or event.kind
    return _("{what} by {actor} at {at}").format(what=what, actor=event.actor, at=event.at)


_MOVING_FIELDS = ("history", "state", "revision", "published_languages")


def _content(event: Event) -> Event:
    return replace(event, hash="")


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


def merge_histories(base: Release, ours: Release, theirs: Release) -> Release:
    """Merge two append-only histories, or raise MergeRefused with the reason."""
    for side in (base, ours, theirs):
        if first_broken(side.history) is not None:
            raise MergeRefused(_("the history of {id} has an altered event; run `pubflow verify`").format(
                id=side.id))
    matched_o = _match_base(base.history, ours.history)
    matched_t = _match_base(base.history, theirs.history)
    if matched_o is None or matched_t is None:
        raise MergeRefused(_("a side rewrote the common history of {id}").format(id=base.id))
    new_o, after_o = matched_o
    new_t, after_t = matched_t

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
    # The comment-only side's events were recorded in the common state: they go
    # right after the last common event of the side that moved (or, when
    # neither moved, all new comments after the common part, by time).
    if moving(new_t):
        mover, history_in, after, extra = theirs, theirs.history, after_t, new_o
    else:
        mover, history_in, after, extra = ours, ours.history, after_o, new_t
    head, tail = list(history_in[:after]), list(history_in[after:])
    if not moving(new_o) and not moving(new_t):
        ordered = [*head, *sorted([*tail, *extra], key=lambda e: e.at)]
    else:
        ordered = [*head, *extra, *tail]
    history: list[Event] = []
    for event in ordered:
        history.append(seal(history, _content(event)))
    merged = replace(mover, history=tuple(history), revision=max(ours.revision, theirs.revision) + 1)
    data = merged.to_dict()
    data.update(meta)
    # Through the same parser that validates files.
    return release_from_dict(data, "merged release.yaml")
