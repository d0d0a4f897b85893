"""CLI commands for looking at and publishing releases: render, preview, publish, build."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import complete
from workflow.cli.common import Area, AsOpt, IdArg, JsonOpt, MessageOpt, actor, echo, newsroom, print_json
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from workflow.publishing.build import BuildResult

app = Area()

LangOpt = Annotated[str | None, typer.Option("--lang", "-l", help=N_("Only this language (default: all)."),
        autocompletion=complete.languages)]
OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help=N_("Folder to write to."))]


def echo_build(result: BuildResult, headline: str | None = None) -> None:
    """What a build wrote; then each release it wrote nothing for, on stderr, and its exit code.

    `headline` (e.g. "already out") replaces the count line when nothing was written.
    """
    _echo_build(result, headline)
    for item in result.skipped:
        echo(_("error: {message}").format(message=item.reason), err=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _echo_build(result: BuildResult, headline: str | None = None) -> None:
    """What was written, then (always last) where the bundles are (one write: thousands of lines)."""
    wrote, removed = _("wrote {path}"), _("removed {path}")
    lines = [wrote.format(path=name) for name in result.written]
    lines += [removed.format(path=name) for name in result.removed]
    if not result.written and not result.removed and headline:
        lines.append(headline)
    elif not result.written and not result.removed:
        lines.append(_("Nothing changed ({n} output(s) up to date).").format(n=result.unchanged))
    else:
        lines.append(_("{w} file(s) written, {r} removed, {u} output(s) up to date.").format(
            w=len(result.written), r=len(result.removed), u=result.unchanged))
    for code in result.sites:
        lines.append(_("Site ({lang}): {path}").format(lang=code, path=result.out_dir / code / "index.html"))
    if result.bundles:
        lines.append(_("Bundles in {path}:").format(path=result.out_dir))
        folder = str(result.out_dir)
        lines += [f"  {os.path.join(folder, name)}" for name in result.bundles]
    else:
        lines.append(_("No release is published yet, so there are no bundles in {path}.").format(
            path=result.out_dir))
    echo("\n".join(lines))


@app.command("render")
def render_cmd(release_id: IdArg, lang: LangOpt = None, output: OutOpt = None, as_json: JsonOpt = False) -> None:
    """Render a release's pages in any state, to look at them before publishing."""
    from workflow.publishing.preview import render_release_to

    result = render_release_to(newsroom(), release_id, [lang] if lang else None, output)
    if as_json:
        print_json({"out_dir": str(result.out_dir), "files": result.files, "missing": result.missing})
        return
    for code, segments in result.missing.items():
        echo(_("{lang}: not translated yet, shown in the source language: {segments}").format(
            lang=code, segments=", ".join(segments)), err=True)
    for name in result.files:
        if name.endswith("/index.html") and name.count("/") == 2:
            echo(f"{result.out_dir / name}")


@app.command("preview")
def preview_cmd(
    release_id: IdArg,
    port: Annotated[int, typer.Option("--port", help=N_("Port on 127.0.0.1 (0: any free port)."))] = 8000,
) -> None:
    """Serve a release's pages in every language on 127.0.0.1 until Ctrl-C."""
    from workflow.publishing.preview import serve

    nr = newsroom()
    with serve(nr, release_id, port) as server:
        for url in server.urls():
            echo(url)
        echo(_("Serving on {url} — press Ctrl-C to stop.").format(url=server.base_url), err=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo(_("stopped"), err=True)


@app.command("publish")
def publish_cmd(
    release_id: IdArg,
    lang: Annotated[str | None, typer.Option(
        "--lang", "-l", help=N_("Publish only this language (publish_policy: source_first)."),
        autocompletion=complete.languages)] = None,
    message: MessageOpt = None,
    at_embargo: Annotated[bool, typer.Option(
        "--at-embargo", help=N_("Publish when the embargo passes: guards are checked now, and the next "
                                "`pubflow build` after the embargo publishes it."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a release (guards apply) and write its bundles; on a published release, rebuild them."""
    from workflow.audit import gate
    from workflow.cli.common import state_label

    nr = newsroom()
    if at_embargo:
        scheduled = gate.schedule(nr, release_id, actor(nr, as_name), lang=lang, comment=message)
        if scheduled.published is None:
            if as_json:
                print_json({"release": scheduled.release.public(), "scheduled": True, "embargo": scheduled.embargo,
                            "event": scheduled.event.public() if scheduled.event else None})
                return
            line = _("{id}: scheduled; the first `pubflow build` after {embargo} publishes it.") \
                if scheduled.event else _("{id} was already scheduled; the first `pubflow build` after {embargo} "
                                          "publishes it.")
            echo(line.format(id=release_id, embargo=scheduled.embargo))
            return
        result = scheduled.published
        if not as_json:
            echo(_("{id}: its embargo ({embargo}) has passed: publishing now.").format(
                id=release_id, embargo=scheduled.embargo))
    else:
        result = gate.publish(nr, release_id, actor(nr, as_name), lang=lang, comment=message)
    if as_json:
        print_json({"release": result.release.public(), "languages": result.languages,
                    "event": result.event.public() if result.event else None, "build": result.build.public()})
        if result.build.exit_code:
            raise typer.Exit(result.build.exit_code)
        return
    if result.event is None:  # published before: one line says so, whatever the rebuild had to do
        langs = ", ".join(result.languages or result.release.published_languages)
        if result.build.written or result.build.removed:
            echo(_("{id}: {langs} already out; files that were out of date were rewritten.").format(
                id=release_id, langs=langs))
            echo_build(result.build)
        else:
            echo_build(result.build, _("{id}: {langs} already out and up to date; nothing to do.").format(
                id=release_id, langs=langs))
        return
    if result.event.kind == "release":
        echo(_("{id}: published {langs}; the release stays in {state} until every language is out.").format(
            id=release_id, langs=", ".join(result.languages), state=state_label(nr, result.release.state)))
    else:
        echo(_("{id}: publish ({source} → {target})").format(
            id=release_id, source=result.event.source, target=result.event.target))
    echo_build(result.build)


@app.command("unschedule")
def unschedule_cmd(release_id: IdArg, message: MessageOpt = None, as_name: AsOpt = None,
                   as_json: JsonOpt = False) -> None:
    """Cancel a release's scheduled publication (publish --at-embargo); it stays where it is."""
    from workflow.audit import gate

    nr = newsroom()
    event = gate.unschedule(nr, release_id, actor(nr, as_name), comment=message)
    if as_json:
        print_json({"release": release_id, "event": event.public()})
        return
    echo(_("{id}: no longer scheduled; `pubflow build` will not publish it at its embargo.").format(id=release_id))


@app.command("build")
def build_cmd(
    force: Annotated[bool, typer.Option("--force", help=N_("Render everything, not only what changed."))] = False,
    at: Annotated[str | None, typer.Option(
        "--at", help=N_("Show what would be published at this time (e.g. 2019-07-22T09:00+03:00); "
                       "writes only with -o."))] = None,
    output: OutOpt = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help=N_("Exit 4 when a scheduled release whose embargo passed could not go out."))] = False,
    as_json: JsonOpt = False,
) -> None:
    """Publish scheduled releases whose embargo passed, then rebuild what changed (incremental)."""
    from workflow.audit import gate
    from workflow.core.model import parse_time
    from workflow.errors import InvalidData, UsageError

    nr = newsroom()
    try:
        moment = parse_time(at, "--at") if at else None
    except InvalidData as exc:  # an option the user typed: a usage error (exit 2), as the README says
        raise UsageError(exc.message, exc.hint) from None
    dry = moment is not None and output is None
    if moment is None and output is None:  # the newsroom's own site: scheduled releases go out first
        due, result = gate.build_due(nr, force=force)
    else:
        due, result = [], gate.build(nr, at=moment, force=force, out_dir=output, dry_run=dry)
    held = [d for d in due if not d.published]
    code = result.exit_code or (4 if strict and held else 0)
    if as_json:
        print_json({**result.public(), "scheduled": [d.public() for d in due]})
        if code:
            raise typer.Exit(code)
        return
    for d in due:
        if d.published:
            echo(_("{id}: published at its embargo ({langs}), as scheduled by {actor}").format(
                id=d.release, langs=", ".join(d.languages), actor=d.by))
        else:
            echo(_("{id}: still scheduled, not published: {reason}").format(id=d.release, reason=d.reason))
    if dry:
        echo(_("At {at} these would be out:").format(at=result.at))
        if not result.out:
            echo(_("  nothing"))
        for release_id, codes in result.out.items():
            echo(f"  {release_id}  {', '.join(codes)}")
        echo(_("Nothing written; pass -o DIR to write that site there."))
        return
    echo_build(result)
    if code:
        raise typer.Exit(code)
