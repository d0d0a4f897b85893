"""Named guards a workflow transition can require (`requires:` in pubflow.yaml).

A guard takes a `GuardContext` and returns None when the move may go ahead,
or a sentence saying why not (and what to do).  The set of names here is what
`parse_workflow` accepts; an unknown guard name is a definition error.

Guards are pure.  What they need from outside the release (the findings of
the translation checks) comes in through the context: build it with
`workflow.translation.gate.guard_context`, the one place that wires the
checks in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from workflow.core.history import last_approval
from workflow.core.model import Document, parse_time
from workflow.core.statemachine import Workflow
from workflow.i18n import _


class GuardConfig(Protocol):
    """What the guards read of the newsroom configuration (`core.config.Config` has it)."""

    @property
    def workflow(self) -> Workflow: ...

    def complete_statuses(self) -> tuple[str, ...]: ...


class CheckFinding(Protocol):
    """One finding of a translation check, as `checks_clean` reads it."""

    @property
    def language(self) -> str: ...

    @property
    def segment(self) -> str: ...

    @property
    def check(self) -> str: ...

    @property
    def severity(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def waived_by(self) -> str: ...


# The findings of the translation checks on the context's document in the given languages.
FindingsFn = Callable[[Sequence[str]], Sequence[CheckFinding]]


@dataclass(frozen=True)
class GuardContext:
    doc: Document
    config: GuardConfig
    now: dt.datetime
    languages: tuple[str, ...] = ()  # languages being published; all targets when empty
    findings: FindingsFn | None = None  # called only by a guard that needs the checks

    def target_languages(self) -> tuple[str, ...]:
        langs = self.languages or self.doc.release.languages
        return tuple(code for code in langs if code != self.doc.release.source_language)


def embargo_passed(ctx: GuardContext) -> str | None:
    embargo = ctx.doc.release.embargo
    if not embargo:
        return None
    until = parse_time(embargo, "embargo")
    if ctx.now < until:
        return _("it is under embargo until {until}").format(until=embargo)
    return None


def approval_current(ctx: GuardContext) -> str | None:
    """The last approval must cover exactly the source text as it is now."""
    event = last_approval(ctx.doc.release.history, ctx.config.workflow)
    if event is None:
        return _("it has never been approved")
    if event.content != ctx.doc.content_hash():
        return _("the source changed after {actor} approved it on {at}; send it back with "
                 "`pubflow reject` and approve the new text").format(actor=event.actor, at=event.at)
    return None


def translations_complete(ctx: GuardContext) -> str | None:
    done = ctx.config.complete_statuses()
    missing: list[str] = []
    for code in ctx.target_languages():
        for seg_id, status in ctx.doc.statuses(code).items():
            if status not in done:
                missing.append(f"{code}:{seg_id} ({status})")
    if missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        return _("{count} segment(s) are not {done}: {list}; see `pubflow pending`").format(
            count=len(missing), done=" or ".join(done), list=shown)
    return None


def checks_clean(ctx: GuardContext) -> str | None:
    if ctx.findings is None:  # a programming error, not a user's: the context was built without the checks
        raise TypeError("checks_clean needs GuardContext.findings; build the context with "
                        "workflow.translation.gate.guard_context")
    errors = [f for f in ctx.findings(ctx.target_languages()) if f.severity == "error" and not f.waived_by]
    if errors:
        first = errors[0]
        return _("{count} check error(s), first {lang}:{segment} {check}: {message}; see `pubflow check`").format(
            count=len(errors), lang=first.language, segment=first.segment, check=first.check,
            message=first.message)
    return None


GUARDS: dict[str, Callable[[GuardContext], str | None]] = {
    "approval_current": approval_current,
    "translations_complete": translations_complete,
    "checks_clean": checks_clean,
    "embargo_passed": embargo_passed,
}
