"""Translators' commands: set, confirm, review, translate, export, import (pending and inbox, which only
read, are in `reading`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import complete
from workflow.cli.common import Area, AsOpt, IdArg, JsonOpt, actor, echo, newsroom, print_json
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Sequence

    from workflow.translation.checks import Finding
    from workflow.translation.operations import BatchResult

app = Area()

LangOpt = Annotated[str, typer.Option("--lang", "-l", help=N_("Target language code, e.g. ar."),
                                      autocompletion=complete.languages)]
SegmentOpt = Annotated[str | None, typer.Option("--segment", "-s", help=N_("Only this segment (e.g. p3)."))]


@app.command("set")
def set_cmd(
    release_id: IdArg,
    segment: Annotated[str, typer.Argument(help=N_("Segment id: title, p1, p2, …, source."), show_default=False)],
    lang: LangOpt,
    text: Annotated[str, typer.Option("--text", help=N_("The translation."))],
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save the translation of one segment (status translated)."""
    from workflow.translation.operations import set_translation

    nr = newsroom()
    result = set_translation(nr, release_id, segment, lang, text, actor(nr, as_name))
    if as_json:
        print_json(result.public())
    elif not result.changed:
        echo(_("{id} {segment} ({lang}): unchanged, {status}").format(
            id=release_id, segment=segment, lang=lang, status=result.status))
    else:
        echo(_("{id} {segment} ({lang}): {before} → {status}").format(
            id=release_id, segment=segment, lang=lang, before=result.previous_status, status=result.status))
    _refuse_errors(result.findings)


def _refuse_errors(findings: Sequence[Finding]) -> None:
    """Saved, but with check errors: each on stderr, then exit 4 (the same errors keep it from going out)."""
    from workflow.errors import REFUSED

    errors = [f for f in findings if f.severity == "error" and not f.waived_by]
    for f in errors:
        echo(_("error: saved, but {lang}:{segment} {check}: {message}; fix it, or a reviewer may waive it "
                     "(`pubflow review --waive {check}`)").format(
            lang=f.language, segment=f.segment, check=f.check, message=f.message), err=True)
    if errors:
        raise typer.Exit(REFUSED)


def _echo_batch(result: BatchResult, verb: str) -> None:
    if result.done:
        echo(_("{id} ({lang}): {verb} {ids}").format(
            id=result.release, lang=result.language, verb=verb, ids=", ".join(result.done)))
    else:
        echo(_("{id} ({lang}): nothing to do").format(id=result.release, lang=result.language))
    for seg_id, reason in result.left:
        echo(_("  left {segment}: {reason}").format(segment=seg_id, reason=reason))


@app.command("review")
def review_cmd(
    release_id: IdArg,
    lang: LangOpt,
    segment: SegmentOpt = None,
    waive: Annotated[str | None, typer.Option(
        "--waive", help=N_("Waive this check's error on --segment (with -m why), and approve it."))] = None,
    message: Annotated[str | None, typer.Option("-m", "--message", help=N_("Why the finding is acceptable."))] = None,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve translated segments (reviewer of that language); a check error must be waived first."""
    from workflow.translation.operations import review_segments

    nr = newsroom()
    result = review_segments(nr, release_id, lang, actor(nr, as_name), segment, waive=waive, why=message)
    if as_json:
        print_json(result.public())
        return
    _echo_batch(result, _("approved (waived {check})").format(check=waive) if waive else _("approved"))


@app.command("confirm")
def confirm_cmd(release_id: IdArg, lang: LangOpt, segment: SegmentOpt = None, as_name: AsOpt = None,
                as_json: JsonOpt = False) -> None:
    """Accept machine suggestions as your translation (with --segment also a stale one that still fits)."""
    from workflow.translation.operations import confirm_segments

    nr = newsroom()
    result = confirm_segments(nr, release_id, lang, actor(nr, as_name), segment)
    if as_json:
        print_json(result.public())
    else:
        _echo_batch(result, _("confirmed"))
    _refuse_errors(result.findings)


@app.command("export")
def export_cmd(
    release_id: IdArg,
    lang: LangOpt,
    fmt: Annotated[str, typer.Option("--format", "-f", help=N_("po or xliff."))] = "po",
    output: Annotated[Path | None, typer.Option("-o", "--output", help=N_("Write to FILE (default: stdout)."))] = None,
    include_all: Annotated[bool, typer.Option("--all", help=N_("Every segment, not only those needing work."))] = False,
) -> None:
    """Export segments for a CAT tool (PO or XLIFF 1.2)."""
    from workflow.translation.exchange import export_release

    data, count = export_release(newsroom(), release_id, lang, fmt, include_all, output)
    if output is None:
        typer.echo(data, nl=False)  # the file itself, byte for byte
        return
    echo(_("Wrote {n} unit(s) to {path}").format(n=count, path=output))


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help=N_("A PO or XLIFF file made by `pubflow export`."),
                                         show_default=False)],
    release_id: Annotated[str | None, typer.Option("--release", help=N_("Refuse a file for another release."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help=N_("Refuse a file for another language."),
        autocompletion=complete.languages)] = None,
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
        echo(_("{id} ({lang}): applied {a}, approved {p}, unchanged {u}, skipped {s}, refused {r}").format(
            id=result.release, lang=result.language, a=len(result.applied), p=len(result.approved),
            u=len(result.unchanged), s=len(result.skipped), r=len(result.refused)))
        for seg_id, reason in result.skipped:
            echo(_("  skipped {segment}: {reason}").format(segment=seg_id, reason=reason))
        for seg_id, reason in result.refused:
            echo(_("  refused {segment}: {reason}").format(segment=seg_id, reason=reason))
    problem = result.problem()
    if problem is not None:
        raise problem
    _refuse_errors(result.findings)


@app.command("translate")
def translate_cmd(
    release_id: IdArg,
    lang: LangOpt,
    provider: Annotated[str | None, typer.Option("--provider", help=N_("Machine translation provider."))] = None,
    url: Annotated[str | None, typer.Option("--url", help=N_("Server URL of a self-hosted LibreTranslate."))] = None,
    no_machine: Annotated[bool, typer.Option("--no-machine", help=N_("Do not ask for machine suggestions."))] = False,
    as_name: AsOpt = None,
) -> None:
    """Translate interactively: walk the segments that need work, save each at once.

    On a terminal the line can be edited (arrow keys, Home/End, Ctrl-U), Up and Down recall what you
    typed, and a text the checks stopped comes back ready to edit; Ctrl-C ends with everything saved.
    """
    from workflow.cli.lineinput import terminal_io
    from workflow.translation.session import run_session

    nr = newsroom()
    run_session(nr, release_id, lang, actor(nr, as_name), terminal_io(), machine=not no_machine, provider=provider,
                url=url)
