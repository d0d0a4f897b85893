"""Translators' commands: pending, inbox, set, confirm, review, translate, export, import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli.app import AsOpt, IdArg, JsonOpt, actor, app, newsroom, print_json
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.translation.operations import BatchResult

LangOpt = Annotated[str, typer.Option("--lang", help=_("Target language code, e.g. ar."))]
SegmentOpt = Annotated[str | None, typer.Option("--segment", help=_("Only this segment (e.g. p3)."))]


@app.command("pending")
def pending_cmd(
    release_id: Annotated[str | None, typer.Argument(help=_("Only this release."), show_default=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=_("Only this target language."))] = None,
    mine: Annotated[bool, typer.Option("--mine", help=_("Only what the acting person may do."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List segments that need translation or review, by release, oldest first."""
    from workflow.cli.queue_view import pending_text
    from workflow.translation.queues import pending

    nr = newsroom()
    items = pending(nr, lang, actor(nr, as_name) if mine else None, release_id)
    typer.echo(pending_text(items, as_json))


@app.command("inbox")
def inbox_cmd(as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """What awaits you: segments to translate, segments to approve, releases to move."""
    from workflow.cli.queue_view import inbox_text
    from workflow.translation.queues import inbox

    nr = newsroom()
    box = inbox(nr, actor(nr, as_name))
    typer.echo(inbox_text(box, as_json))


@app.command("set")
def set_cmd(
    release_id: IdArg,
    segment: Annotated[str, typer.Argument(help=_("Segment id: title, p1, p2, …, source."), show_default=False)],
    lang: LangOpt,
    text: Annotated[str, typer.Option("--text", help=_("The translation."))],
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save the translation of one segment (status translated)."""
    from workflow.translation.operations import set_translation

    nr = newsroom()
    result = set_translation(nr, release_id, segment, lang, text, actor(nr, as_name))
    if as_json:
        print_json(result.public())
        return
    if not result.changed:
        typer.echo(_("{id} {segment} ({lang}): unchanged, {status}").format(
            id=release_id, segment=segment, lang=lang, status=result.status))
        return
    typer.echo(_("{id} {segment} ({lang}): {before} → {status}").format(
        id=release_id, segment=segment, lang=lang, before=result.previous_status, status=result.status))


def _echo_batch(result: BatchResult, verb: str) -> None:
    if result.done:
        typer.echo(_("{id} ({lang}): {verb} {ids}").format(
            id=result.release, lang=result.language, verb=verb, ids=", ".join(result.done)))
    else:
        typer.echo(_("{id} ({lang}): nothing to do").format(id=result.release, lang=result.language))
    for seg_id, reason in result.left:
        typer.echo(_("  left {segment}: {reason}").format(segment=seg_id, reason=reason))


@app.command("review")
def review_cmd(release_id: IdArg, lang: LangOpt, segment: SegmentOpt = None, as_name: AsOpt = None,
               as_json: JsonOpt = False) -> None:
    """Approve translated segments (reviewer of that language)."""
    from workflow.translation.operations import review_segments

    nr = newsroom()
    result = review_segments(nr, release_id, lang, actor(nr, as_name), segment)
    if as_json:
        print_json(result.public())
        return
    _echo_batch(result, _("approved"))


@app.command("confirm")
def confirm_cmd(release_id: IdArg, lang: LangOpt, segment: SegmentOpt = None, as_name: AsOpt = None,
                as_json: JsonOpt = False) -> None:
    """Accept machine suggestions as your translation (with --segment also a stale one that still fits)."""
    from workflow.translation.operations import confirm_segments

    nr = newsroom()
    result = confirm_segments(nr, release_id, lang, actor(nr, as_name), segment)
    if as_json:
        print_json(result.public())
        return
    _echo_batch(result, _("confirmed"))


@app.command("export")
def export_cmd(
    release_id: IdArg,
    lang: LangOpt,
    fmt: Annotated[str, typer.Option("--format", help=_("po or xliff."))] = "po",
    output: Annotated[Path | None, typer.Option("-o", "--output", help=_("Write to FILE (default: stdout)."))] = None,
    include_all: Annotated[bool, typer.Option("--all", help=_("Every segment, not only those needing work."))] = False,
) -> None:
    """Export segments for a CAT tool (PO or XLIFF 1.2)."""
    from workflow.translation.exchange import export_release

    data, count = export_release(newsroom(), release_id, lang, fmt, include_all, output)
    if output is None:
        typer.echo(data, nl=False)
        return
    typer.echo(_("Wrote {n} unit(s) to {path}").format(n=count, path=output))


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help=_("A PO or XLIFF file made by `pubflow export`."),
                                         show_default=False)],
    release_id: Annotated[str | None, typer.Option("--release", help=_("Refuse a file for another release."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=_("Refuse a file for another language."))] = None,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply the translations of a PO or XLIFF file; a malformed file applies nothing."""
    from workflow.translation.exchange import import_file

    nr = newsroom()
    result = import_file(nr, file, actor(nr, as_name), release_id, lang)
    if as_json:
        print_json(result.public())
    else:
        typer.echo(_("{id} ({lang}): applied {a}, approved {p}, unchanged {u}, skipped {s}, refused {r}").format(
            id=result.release, lang=result.language, a=len(result.applied), p=len(result.approved),
            u=len(result.unchanged), s=len(result.skipped), r=len(result.refused)))
        for seg_id, reason in result.skipped:
            typer.echo(_("  skipped {segment}: {reason}").format(segment=seg_id, reason=reason))
        for seg_id, reason in result.refused:
            typer.echo(_("  refused {segment}: {reason}").format(segment=seg_id, reason=reason))
    problem = result.problem()
    if problem is not None:
        raise problem


class TerminalIO:
    """The session's input and output on the terminal (typer prompts)."""

    def ask(self, prompt: str) -> str:
        try:
            answer: str = typer.prompt(prompt, default="", show_default=False, prompt_suffix="")
        except typer.Abort:  # end of input or Ctrl-C at the prompt: quit, everything saved is saved
            typer.echo("")
            raise EOFError from None
        return answer

    def say(self, text: str = "") -> None:
        typer.echo(text)


@app.command("translate")
def translate_cmd(
    release_id: IdArg,
    lang: LangOpt,
    provider: Annotated[str | None, typer.Option("--provider", help=_("Machine translation provider."))] = None,
    no_machine: Annotated[bool, typer.Option("--no-machine", help=_("Do not ask for machine suggestions."))] = False,
    as_name: AsOpt = None,
) -> None:
    """Translate interactively: walk the segments that need work, save each at once."""
    from workflow.translation.session import run_session

    nr = newsroom()
    run_session(nr, release_id, lang, actor(nr, as_name), TerminalIO(), machine=not no_machine, provider=provider)
