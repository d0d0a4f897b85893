"""Named guards a workflow transition can require (`requires:` in pubflow.yaml).

A guard takes a `GuardContext` and returns None when the move may go ahead,
or a sentence saying why not (and what to do).  The set of names here is what
`parse_workflow` accepts; an unknown guard name is a definition error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workflow.core.model import Document, parse_time
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config


@dataclass(frozen=True)
class GuardContext:
    doc: Document
    config: Config
    now: dt.datetime
    languages: tuple[str, ...] = ()  # languages being published; all targets when empty

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
    approvals = set(ctx.config.workflow.approval_transitions())
    for event in reversed(ctx.doc.release.history):
        if event.kind == "transition" and event.transition in approvals:
            if event.content != ctx.doc.content_hash():
                return _("the source changed after {actor} approved it on {at}; send it back with "
                         "`pubflow reject` and approve the new text").format(actor=event.actor, at=event.at)
            return None
    return _("it has never been approved")


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
    from workflow.translation.checks import run_checks

    langs = ctx.target_languages()
    errors = [f for f in run_checks(ctx.doc, ctx.config, langs) if f.severity == "error"]
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
