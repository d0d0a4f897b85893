"""The editor's read operations: list, show, history, and the workflow table."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from workflow.core.model import Document, Event, parse_time
from workflow.core.summary import ReleaseSummary, summarize
from workflow.errors import UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


def list_releases(nr: Newsroom, state: str | None = None, language: str | None = None) -> list[ReleaseSummary]:
    """Every release, oldest first; `state` and `language` (the source language) filter."""
    if state is not None and state not in nr.config.workflow.states:
        raise UsageError(_("unknown state {state!r}").format(state=state),
                         _("states: {names}").format(names=", ".join(nr.config.workflow.states)))
    if language is not None:
        nr.config.language(language)
    out = []
    for summary in load_summaries(nr):
        if state and summary.state != state:
            continue
        if language and summary.source_language != language:
            continue
        out.append(summary)
    return out


def load_summaries(nr: Newsroom) -> list[ReleaseSummary]:
    """Summaries of every release, from the index (`workflow.storage.index`) when it can be used."""
    from workflow.storage import index

    try:
        return index.summaries(nr)
    except index.IndexUnavailable:
        return load_summaries_from_files(nr)


def load_summaries_from_files(nr: Newsroom) -> list[ReleaseSummary]:
    """Summaries of every release, parsing every file (what the index must agree with)."""
    return [summarize(doc) for doc in nr.documents()]  # unreadable releases: left out, in nr.problems


@dataclass(frozen=True)
class ReleaseView:
    summary: ReleaseSummary
    segments: list[dict[str, Any]]
    allowed: list[str]
    history: list[Event]

    def public(self) -> dict[str, Any]:
        data = self.summary.public()
        data["segments"] = self.segments
        data["allowed_transitions"] = self.allowed
        data["history"] = [e.public() for e in self.history]
        return data


def show_release(nr: Newsroom, release_id: str) -> ReleaseView:
    doc = nr.load(release_id)
    rows: list[dict[str, Any]] = []
    for s in doc.source:
        row: dict[str, Any] = {"id": s.id, "hash": s.hash, "text": s.text, "translations": {}}
        for code in doc.release.targets:
            target = doc.target(code)[s.id]
            row["translations"][code] = {
                "status": target.effective_status(s.text), "text": target.text, "origin": target.origin,
            }
        rows.append(row)
    return ReleaseView(summarize(doc), rows, nr.config.workflow.allowed_from(doc.release.state),
                       list(doc.release.history))


def history(nr: Newsroom, release_id: str, lang: str | None = None) -> list[Event]:
    """Every event of a release, oldest first: its own history merged by time with the segment events
    of its language files (each carrying its `language`); with `lang`, the release's events and that
    language's only."""
    if lang is None:
        doc = nr.load(release_id)
    else:
        nr.config.language(lang)
        doc = nr.load(release_id)
        if lang not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=lang),
                             _("its languages: {codes}").format(codes=", ".join(doc.release.languages)))
    return merged_history(doc, lang)


def merged_history(doc: Document, lang: str | None = None) -> list[Event]:
    """The release's events and its language files' segment events in one list, by time (a stable
    sort: each history keeps its own order; the release's event first at the same second)."""
    tagged = [(0, i, e) for i, e in enumerate(doc.release.history)]
    for n, code in enumerate(doc.release.targets, start=1):
        if lang is not None and code != lang:
            continue
        tagged += [(n, i, replace(e, language=code)) for i, e in enumerate(doc.log(code))]
    tagged.sort(key=lambda item: (parse_time(item[2].at, "at"), item[0], item[1]))
    return [event for _n, _i, event in tagged]


def workflow_description(nr: Newsroom) -> dict[str, Any]:
    wf = nr.config.workflow
    return {
        "initial": wf.initial,
        "states": [{"name": s.name, "label": s.label, "final": s.final, "live": s.live}
                   for s in wf.states.values()],
        "transitions": [{"name": t.name, "from": list(t.sources), "to": t.target, "roles": list(t.roles),
                         "comment": t.comment, "requires": list(t.requires), "approval": t.approval}
                        for t in wf.transitions.values()],
    }


def workflow_mermaid(nr: Newsroom) -> str:
    wf = nr.config.workflow
    lines = ["stateDiagram-v2", f"    [*] --> {wf.initial}"]
    for t in wf.transitions.values():
        for source in t.sources:
            extra = f" ({', '.join(t.roles)})"
            lines.append(f"    {source} --> {t.target}: {t.name}{extra}")
    for s in wf.states.values():
        if s.final:
            lines.append(f"    {s.name} --> [*]")
    return "\n".join(lines) + "\n"
