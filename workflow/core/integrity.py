"""Is a release what its history says it is?  The checks of `pubflow verify` for one release (pure).

`release_problems` compares everything stored for a release with what its
histories recorded, and names the file and field of each difference:

- the release's history replays (legal moves, each actor holding the role the
  event needs, time never going backwards nor into the future) and ends in the
  recorded state and languages out;
- the source text is the one the history recorded last (create, edit,
  migrate); date, category, embargo and languages are the values the history
  set (create, `edit --date/--category/--embargo`, migrate);
- every translation is the one its language file's history recorded last, with
  the status that event gave it; an approval names the reviewer who recorded
  it, bound to the exact source and text; a waiver matches a `waived` event;
- every snapshot an event names exists and hashes to what was recorded, renders
  the source text that event recorded, and holds only translations approved by
  then; no snapshot lies around that no event names; every language that is out
  has its file and its snapshot.

`build` and `publish` refuse to write anything for a release with a problem
(the gate); `verify` lists them.  Nothing here reads the disk: the storage
layer hands in what it read (`Stored`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflow.core.history import (
    SEGMENT_STATUS,
    log_problems,
    recorded_content,
    replay,
    segment_records,
)
from workflow.core.model import Document, Event, parse_time
from workflow.core.segments import pair_hash
from workflow.core.snapshot import FOLDER, Snapshot, file_name
from workflow.core.statemachine import Workflow
from workflow.i18n import _

ERROR = "error"
WARNING = "warning"


class IntegrityConfig(Protocol):
    """What the checks read of the newsroom configuration (`core.config.Config` has it)."""

    @property
    def workflow(self) -> Workflow: ...

    @property
    def people(self) -> Sequence[Any]: ...

    @property
    def translation(self) -> Mapping[str, Any]: ...

    def complete_statuses(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found: where (release, file, field) and what."""

    release: str
    file: str
    field: str
    message: str
    severity: str = ERROR
    legacy: bool = False  # written before schema 2: `pubflow migrate` (or the next publish/correct) binds it

    def line(self) -> str:
        where = ": ".join(part for part in (self.release, self.file, self.field) if part)
        return f"{where}: {self.message}" if where else self.message

    def public(self) -> dict[str, str]:
        return {"release": self.release, "file": self.file, "field": self.field, "message": self.message,
                "severity": self.severity}


@dataclass(frozen=True)
class Stored:
    """A release as read from disk, for the checks."""

    doc: Document
    missing: tuple[str, ...] = ()  # target languages whose <lang>.yaml is missing
    snapshots: Mapping[str, Snapshot] = field(default_factory=dict)  # file name -> snapshot read
    unreadable: Mapping[str, str] = field(default_factory=dict)  # file name -> why it could not be read


def people_roles(config: IntegrityConfig) -> dict[str, tuple[str, ...]]:
    return {p.name: tuple(p.roles) for p in config.people}


def is_legacy(doc: Document) -> bool:
    """Written by a pubflow before schema 2 and not migrated: no metadata bound by the history."""
    return not any(e.metadata for e in doc.release.history)


def release_problems(config: IntegrityConfig, stored: Stored, now: dt.datetime | None = None
                     ) -> list[Problem]:
    """Every difference between what is stored for a release and what its histories recorded."""
    doc = stored.doc
    rel = doc.release
    rid = rel.id
    wf = config.workflow
    people = people_roles(config)
    out: list[Problem] = []

    def add(file: str, where: str, message: str, severity: str = ERROR, legacy: bool = False) -> None:
        out.append(Problem(rid, file, where, message, severity, legacy))

    # -- the release's history
    replayed = replay(wf, rel, people, now)
    for index, message in replayed.problems:
        add("release.yaml", f"history[{index}]" if index is not None else "history", message)
    chain_ok = not any(m.endswith(_("was altered, or an event before it was removed"))
                       for _i, m in replayed.problems)
    if chain_ok:
        if replayed.state != rel.state:
            add("release.yaml", "state", _("history ends in {replayed} but the release says {state}").format(
                replayed=replayed.state, state=rel.state))
        if rel.state not in wf.states:
            add("release.yaml", "state", _("state {state!r} is not in the workflow").format(state=rel.state))
        if set(replayed.published) != set(rel.published_languages) and not (
                _live(wf, rel.state) and not rel.published_languages):
            add("release.yaml", "published_languages", _(
                "says {langs}, but the history put out {recorded}").format(
                langs=", ".join(rel.published_languages) or "-", recorded=", ".join(replayed.published) or "-"))
    legacy = is_legacy(doc)
    # -- source text and metadata
    recorded = recorded_content(rel.history)
    if chain_ok and recorded and recorded != doc.content_hash():
        changed = _changed_segments(doc, stored, recorded)
        add(f"{rel.source_language}.yaml", f"segments[{', '.join(changed)}]" if changed else "segments",
            _("the source text differs from the last recorded content (edited by hand after {hash}…); record "
              "the change with `pubflow edit`, or restore the file from git").format(hash=recorded[:12]))
    if legacy:
        add("release.yaml", "history", _("written by an older pubflow (schema 1): date, category, embargo, "
                                         "approvals and published text are not bound yet; run `pubflow migrate`"),
            legacy=True)
    elif chain_ok and replayed.metadata is not None:
        current = rel.metadata()
        recorded_values = {**{key: None for key in current}, **replayed.metadata}
        for key, value in recorded_values.items():
            if current.get(key) != value:
                add("release.yaml", key, _("is {value!r}, but the history recorded {recorded!r}; change it with "
                                           "`pubflow edit {id} --{key} ...`, or restore the file from git").format(
                    value=current.get(key), recorded=value, id=rid, key=key.replace("_", "-")))
    # -- translations
    approving = set(config.complete_statuses())
    self_review = bool(config.translation.get("self_review", False))
    for lang in rel.targets:
        fname = f"{lang}.yaml"
        if lang in stored.missing:
            add(fname, "", _("is missing; restore it from git"))
            continue
        log = doc.log(lang)
        for index, message in log_problems(log, lang, people, now):
            add(fname, f"history[{index}]", message)
        records = segment_records(log)
        targets = {t.id: t for t in doc.targets.get(lang, ())}
        if legacy and not log:
            if any(t.text for t in targets.values()):
                add(fname, "history", _("translations written by an older pubflow have no history; run "
                                        "`pubflow migrate`"), legacy=True)
            continue
        for seg_id, target in targets.items():
            where = f"segments[{seg_id}]"
            rec = records.get(seg_id)
            if not target.text:
                continue
            if rec is None:
                add(fname, f"{where}.text", _("no event of the history recorded this translation; record it "
                                              "with `pubflow set`, or restore the file from git"))
                continue
            pair = pair_hash(target.source, target.text)
            if rec.pair != pair:
                add(fname, f"{where}.text", _("differs from what the history recorded ({kind} by {actor} at {at}); "
                                              "save it with `pubflow set`, or restore the file from git").format(
                    kind=rec.event.kind, actor=rec.event.actor, at=rec.event.at))
                continue
            if target.status != rec.status and rec.status:
                add(fname, f"{where}.status", _("says {status}, but the history recorded {recorded} ({kind} by "
                                                "{actor} at {at})").format(
                    status=target.status, recorded=rec.status, kind=rec.event.kind, actor=rec.event.actor,
                    at=rec.event.at))
                continue
            if target.status == "approved":
                out.extend(_approval_problems(rid, fname, where, target, rec, people, lang, self_review))
            for waiver in target.waivers:
                if not any(e.kind == "waived" and e.check == waiver.check and e.actor == waiver.by
                           and e.comment == waiver.why and dict(e.segments).get(seg_id, "").startswith(waiver.pair)
                           for e in log):
                    add(fname, f"{where}.waivers", _("the waiver of {check} by {actor} was not recorded by the "
                                                     "history").format(check=waiver.check, actor=waiver.by))
    # -- snapshots
    named: set[str] = set()
    history = rel.history
    for index, event in enumerate(history):
        for lang, sha in event.snapshots:
            name = file_name(lang, sha)
            named.add(name)
            path = f"{FOLDER}/{name}"
            if name in stored.unreadable:
                add(path, "", stored.unreadable[name])
                continue
            snap = stored.snapshots.get(name)
            if snap is None:
                add(path, "", _("is missing (named by event {n}, {kind} at {at}); restore it from git").format(
                    n=index + 1, kind=event.transition or event.kind, at=event.at))
                continue
            if snap.sha256 != sha:
                add(path, "", _("does not match the hash event {n} recorded (edited by hand?); restore it from "
                                "git").format(n=index + 1))
                continue
            if snap.release != rid or snap.language != lang or snap.source_language != rel.source_language:
                add(path, "release", _("belongs to {other} ({lang}), not to this release").format(
                    other=snap.release, lang=snap.language))
                continue
            if event.content and snap.source_content() != event.content and event.kind != "migrate":
                add(path, "segments", _("renders a source text other than the one event {n} recorded").format(
                    n=index + 1))
            if lang != rel.source_language:
                out.extend(_unapproved(rid, path, snap, doc.log(lang), event, approving))
    for name in sorted(set(stored.snapshots) | set(stored.unreadable)):
        if name not in named:
            add(f"{FOLDER}/{name}", "", _("is not named by the history; remove it, or restore release.yaml "
                                          "from git"))
    if chain_ok and not legacy:
        out_now = set(replayed.published) | (set(rel.languages) if _live(wf, replayed.state) else set())
        have = {lang for e in history for lang, _sha in e.snapshots}
        for lang in sorted(out_now - have):
            add("release.yaml", "history", _("{lang} is out, but no event recorded what it publishes; run "
                                             "`pubflow migrate`").format(lang=lang))
    return out


def _live(wf: Workflow, state: str) -> bool:
    spec = wf.states.get(state)
    return bool(spec and spec.live)


def _changed_segments(doc: Document, stored: Stored, recorded: str) -> list[str]:
    """The source segments that differ from the latest snapshot of the recorded text, when there is one."""
    src = doc.release.source_language
    for event in reversed(doc.release.history):
        sha = dict(event.snapshots).get(src)
        if sha is None:
            continue
        snap = stored.snapshots.get(file_name(src, sha))
        if snap is None or snap.source_content() != recorded:
            return []
        before = {s.id: s.source for s in snap.segments}
        now = {s.id: s.text for s in doc.source}
        return sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    return []


def _approval_problems(rid: str, fname: str, where: str, target: Any, rec: Any,
                       people: Mapping[str, Sequence[str]], lang: str, self_review: bool) -> list[Problem]:
    out: list[Problem] = []
    if target.approved != rec.pair:
        out.append(Problem(rid, fname, f"{where}.approved", _("is not the approval the history recorded")))
    if rec.event.kind in ("reviewed", "waived"):
        if target.reviewed_by != rec.event.actor:
            out.append(Problem(rid, fname, f"{where}.reviewed_by", _(
                "says {who}, but {actor} recorded the approval at {at}").format(
                who=target.reviewed_by or "-", actor=rec.event.actor, at=rec.event.at)))
        elif rec.translator and rec.translator == rec.event.actor and not self_review:
            out.append(Problem(rid, fname, f"{where}.reviewed_by", _(
                "{actor} approved their own translation (translation.self_review is off)").format(
                actor=rec.event.actor)))
    elif f"reviewer:{lang}" not in people.get(target.reviewed_by, ()):
        out.append(Problem(rid, fname, f"{where}.reviewed_by", _(
            "{who} does not hold the role reviewer:{lang}").format(who=target.reviewed_by or "-", lang=lang)))
    return out


def _unapproved(rid: str, path: str, snap: Snapshot, log: Sequence[Event], event: Event,
                approving: set[str]) -> list[Problem]:
    """Segments of a target-language snapshot that were not approved (or translated, with
    complete_when: translated) by the time the event put it out."""
    when = parse_time(event.at, "at")
    good: set[tuple[str, str]] = set()
    for logged in log:
        if parse_time(logged.at, "at") > when:
            break
        for seg_id, value in logged.segments:
            parts = value.split(":")
            status = SEGMENT_STATUS.get(logged.kind, parts[2] if len(parts) > 2 else "")
            if status in approving:
                good.add((seg_id, f"{parts[0]}:{parts[1]}"))
    if event.kind == "migrate" and not log:
        return []
    bad = [s.id for s in snap.segments if (s.id, pair_hash(s.source, s.text)) not in good]
    if not bad:
        return []
    return [Problem(rid, path, f"segments[{', '.join(bad[:8])}]", _(
        "went out without an approval recorded by then ({kind} at {at})").format(
        kind=event.transition or event.kind, at=event.at))]
