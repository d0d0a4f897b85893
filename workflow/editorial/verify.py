"""`pubflow verify`: the newsroom's own CI check.

Loads every file, replays every history against the workflow (each move legal
from the state before it, ending in the recorded state), checks the hash chain
so an edited or deleted past event shows, and checks that the text approved is
the text there now (or that an `edit` event explains the difference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.core.history import chain_hash
from workflow.core.model import Document, Release
from workflow.core.statemachine import Workflow
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class Problem:
    release: str
    message: str

    def public(self) -> dict[str, str]:
        return {"release": self.release, "message": self.message}


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": [p.public() for p in self.problems]}


def replay(nr: Newsroom, release: Release) -> list[str]:
    """Why the recorded history does not lead to the recorded state (empty if it does)."""
    return replay_history(nr.config.workflow, release)


def replay_history(wf: Workflow, release: Release) -> list[str]:
    """`replay` against a workflow table alone (pure; used by tests and tools)."""
    problems: list[str] = []
    history = release.history
    if not history:
        return [_("history is empty")]
    previous = ""
    for index, event in enumerate(history):
        expected = chain_hash(previous, event)
        if event.hash != expected:
            problems.append(_("event {n} ({at}) was altered, or an event before it was removed").format(
                n=index + 1, at=event.at))
            return problems
        previous = event.hash
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
            base = (event.role or "").split(":", 1)[0]
            if event.role not in t.roles and base not in t.roles:
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


def approval_problems(nr: Newsroom, doc: Document) -> list[str]:
    """The source must be what was approved, or a later edit event must say why not."""
    approvals = set(nr.config.workflow.approval_transitions())
    last_content = ""
    approved = False
    for event in doc.release.history:
        if event.kind == "transition" and event.transition in approvals:
            approved = True
        if event.content:
            last_content = event.content
    if approved and last_content and last_content != doc.content_hash():
        return [_("the source text differs from the last recorded content (edited by hand after "
                  "{hash}…); record the change with `pubflow edit`").format(hash=last_content[:12])]
    return []


def verify(nr: Newsroom) -> VerifyReport:
    problems: list[Problem] = []
    ids = nr.release_ids()
    for release_id in ids:
        try:
            doc = nr.load(release_id)
        except PubflowError as exc:
            problems.append(Problem(release_id, exc.line()))
            continue
        for message in replay(nr, doc.release) + approval_problems(nr, doc):
            problems.append(Problem(release_id, message))
    return VerifyReport(len(ids), problems)
