"""The editor's commands: init, templates, new, the transitions, comment, edit, migrate, delete, verify
(what only reads, list and show among them, is in `reading`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workflow import i18n
from workflow.cli import complete
from workflow.cli.common import (
    Area,
    AsOpt,
    IdArg,
    JsonOpt,
    MessageOpt,
    actor,
    current_run,
    echo,
    newsroom,
    print_json,
)
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.storage.newsroom import Newsroom

app = Area()


# ------------------------------------------------------------------ commands
@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help=N_("Folder to create the newsroom in (default: this folder)."),
                                              show_default=False)] = Path("."),
    site_en: Annotated[str | None, typer.Option("--site-en", "--site-name", help=N_(
        "Site name in English (asked on a terminal; default: Press Office)."))] = None,
    site_ar: Annotated[str | None, typer.Option("--site-ar", help=N_(
        "Site name in Arabic (asked on a terminal; default: المكتب الصحفي)."))] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help=N_(
        "Address the site will have, e.g. https://example.org/news/ (absolute links in feeds)."))] = None,
    force: Annotated[list[str] | None, typer.Option(
        "--force", help=N_("Replace this existing file (repeat for each, e.g. --force .gitignore)."))] = None,
) -> None:
    """Create a new newsroom: pubflow.yaml, glossary.yaml, releases/, templates/, locales/.

    On a terminal, asks for what the options do not give; otherwise asks nothing.
    Pages use pubflow's own templates until you add yours (`pubflow templates copy NAME`).
    """
    import sys

    from workflow.editorial.scaffold import DEFAULT_SITE, check_base_url, init_newsroom

    check_base_url(base_url)  # a bad address is refused before any question
    if sys.stdin.isatty() and sys.stdout.isatty():
        if site_en is None:
            site_en = typer.prompt(_("Site name in English"), default=DEFAULT_SITE["en"])
        if site_ar is None:
            site_ar = typer.prompt(_("Site name in Arabic"), default=DEFAULT_SITE["ar"])
        if base_url is None:
            base_url = typer.prompt(_("Address of the site (empty: links stay relative)"), default="",
                                    show_default=False) or None
    created = init_newsroom(directory, site_en or DEFAULT_SITE["en"], force or (), site_ar=site_ar,
                            base_url=base_url)
    echo(_("Created a newsroom in {path}").format(path=directory))
    for path in created:
        echo(f"  {path}")
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    echo(_("Next: put your people in pubflow.yaml, then write a release: "
                 "`{cd}pubflow new --from FILE`.").format(cd=where))


@app.command("templates")
def templates_cmd(
    action: Annotated[str, typer.Argument(help=N_("copy (list: without a name)."), show_default=False)] = "list",
    name: Annotated[str | None, typer.Argument(help=N_("Template to copy, e.g. release.html.j2."),
                                               show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace your copy with the packaged one."))] = False,
) -> None:
    """List the page templates, or copy one into templates/ to change it there.

    A file in the newsroom's templates/ overrides pubflow's template of that name; the others stay pubflow's,
    so new versions of pubflow bring their fixes.
    """
    from workflow.editorial.scaffold import copy_template, template_names
    from workflow.errors import UsageError
    from workflow.storage.config_file import find_root

    root = find_root(current_run().root)
    if action == "list" and name is None:
        for template in template_names():
            own = (root / "templates" / template).is_file()
            echo(f"{template:<24} " + (_("yours: templates/{name}").format(name=template) if own
                                             else _("pubflow's")))
        return
    if action != "copy" or name is None:
        raise UsageError(_("pubflow templates takes `copy NAME` or nothing"),
                         _("e.g. `pubflow templates copy release.html.j2`"))
    target = copy_template(root, name, force)
    echo(_("Copied to {path}; edit it there: it now overrides pubflow's {name}.").format(
        path=target.relative_to(root), name=name))


@app.command("new")
def new_cmd(
    title: Annotated[str | None, typer.Option("--title", help=N_("Title (default: first line of FILE)."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help=N_(
        "Source language code (default: the language of the text's script)."),
        autocompletion=complete.languages)] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help=N_("Markdown with front matter, or plain text."))] = None,
    date: Annotated[str | None, typer.Option("--date", help=N_("Release date YYYY-MM-DD."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Category."))] = None,
    slug: Annotated[str | None, typer.Option("--slug", help=N_(
        "Id suffix, made a slug: a-z, 0-9, hyphens (default: from the title, Arabic transliterated)."))] = None,
    embargo: Annotated[str | None, typer.Option(
        "--embargo", help=N_("Embargo time with zone, e.g. 2019-07-22T09:00+03:00."))] = None,
    body: Annotated[str | None, typer.Option(
        "--body", help=N_("Body text (paragraphs separated by blank lines)."))] = None,
    published_at: Annotated[str | None, typer.Option(
        "--published-at", help=N_("When an archive release first went out, with zone, e.g. "
                                  "2019-07-22T09:10+03:00 (shown as its publication date)."))] = None,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a draft release from a file or from --title and --body."""
    from workflow.editorial.create import create_release

    nr = newsroom()
    text = None
    if from_file is None and body is not None:
        text = f"{title or ''}\n\n{body}"
    result = create_release(nr, actor(nr, as_name), title=title, language=lang, from_file=from_file,
                            text=text, date=date, category=category, slug=slug, embargo=embargo,
                            published_at=published_at)
    if as_json:
        print_json({**result.release.public(), "segments": result.segments, "ignored": result.ignored,
                    "language_from": result.language_from, "unfiled": result.unfiled or None})
        return
    echo(_("Created {id} ({n} segments, state {state}).").format(
        id=result.release.id, n=result.segments, state=result.release.state))
    source = result.release.source_language
    if result.language_from == "script":
        echo(_("Source language: {lang} (detected from the text's script; pass --lang to choose)").format(
            lang=source))
    elif result.language_from == "default":
        echo(_("Source language: {lang} (the newsroom's default: the text did not show its language)").format(
            lang=source))
    if result.unfiled:
        echo(_("The dateline's category {name!r} is not defined in pubflow.yaml: {id} is filed under none "
                     "(define it under categories:, then pubflow edit {id} --category KEY)").format(
            name=result.unfiled, id=result.release.id), err=True)
    if result.ignored:
        echo(_("Left out {n} paragraph(s) after the source line: {first}").format(
            n=len(result.ignored), first=result.ignored[0][:60]), err=True)


def _move(release_id: str, transition: str, message: str | None, as_name: str | None, as_json: bool,
          notices: dict[str, str] | None = None, notices_file: Path | None = None) -> None:
    from workflow.audit import gate

    nr = newsroom()
    result = gate.move(nr, release_id, transition, actor(nr, as_name), message,
                       notices=notices, notices_file=notices_file)
    if as_json:
        print_json({"release": result.release.public(), "event": result.event.public(),
                    "build": result.build.public() if result.build else None})
        return
    echo(_("{id}: {transition} ({source} → {target})").format(
        id=release_id, transition=transition, source=result.event.source, target=result.event.target))
    if result.build is not None:
        from workflow.cli.publish import echo_build

        echo_build(result.build)


def _transition_command(name: str, doc: str) -> None:
    def command(release_id: IdArg, message: MessageOpt = None, as_name: AsOpt = None,
                as_json: JsonOpt = False) -> None:
        _move(release_id, name, message, as_name, as_json)

    command.__doc__ = doc
    app.command(name)(command)


_transition_command("submit", N_("Send a draft to review."))
_transition_command("approve", N_("Approve the text under review (binds the approval to this exact text)."))
_transition_command("reject", N_("Send a release back to draft; needs -m with the reason."))
NoticeEn = Annotated[str | None, typer.Option("--message-en", help=N_("The notice in English."))]
NoticeAr = Annotated[str | None, typer.Option("--message-ar", help=N_("The notice in Arabic."))]
NoticesFile = Annotated[Path | None, typer.Option("--messages", help=N_(
    "YAML file with the notice per language (en: ..., ar: ...)."))]


def _notice_command(name: str, doc: str) -> None:
    def command(release_id: IdArg, message: MessageOpt = None, message_en: NoticeEn = None,
                message_ar: NoticeAr = None, messages: NoticesFile = None, as_name: AsOpt = None,
                as_json: JsonOpt = False) -> None:
        given = {code: text for code, text in (("en", message_en), ("ar", message_ar)) if text is not None}
        _move(release_id, name, message, as_name, as_json, given, messages)

    command.__doc__ = doc
    app.command(name)(command)


_notice_command("correct", N_("Record a correction to a published release: -m in the source language, "
                              "--message-ar/--message-en for the others."))
_notice_command("retract", N_("Retract a published release: -m in the source language, "
                              "--message-ar/--message-en for the others."))


@app.command("move")
def move_cmd(release_id: IdArg, transition: Annotated[str, typer.Argument(help=N_("Transition name."),
                                                                         autocompletion=complete.transitions)],
             message: MessageOpt = None, as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Apply any transition of the newsroom's workflow."""
    _move(release_id, transition, message, as_name, as_json)


@app.command("comment")
def comment_cmd(release_id: IdArg, message: Annotated[str, typer.Option("-m", "--message", help=N_("The comment."))],
                as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Add a comment to a release's history."""
    from workflow.editorial.transitions import add_comment

    nr = newsroom()
    event = add_comment(nr, release_id, actor(nr, as_name), message)
    if as_json:
        print_json(event.public())
        return
    echo(_("{id}: comment recorded").format(id=release_id))


@app.command("edit")
def edit_cmd(
    release_id: IdArg,
    from_file: Annotated[Path | None, typer.Option("--from", help=N_("New text (same formats as `new`)."))] = None,
    title: Annotated[str | None, typer.Option("--title", help=N_("New title."))] = None,
    date: Annotated[str | None, typer.Option("--date", help=N_("New release date YYYY-MM-DD."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("New category."))] = None,
    embargo: Annotated[str | None, typer.Option(
        "--embargo", help=N_("New embargo time with zone (\"none\" lifts it); not once a language is out."))] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", "-l", help=N_("The source text's real language (drafts only)."),
        autocompletion=complete.languages)] = None,
    discard: Annotated[bool, typer.Option("--discard-translations", help=N_(
        "With --lang: drop translations into the new source language."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a release's source text or metadata; translations of changed segments become stale.

    Without --from, --title, --date, --category or --embargo, records a change made to the files by hand.
    What is out changes only with `pubflow correct`.
    """
    from workflow.editorial.edit import edit_source

    nr = newsroom()
    if lang is not None:
        if from_file is not None or title is not None:
            from workflow.errors import UsageError

            raise UsageError(_("--lang cannot be combined with --from or --title"),
                             _("change the language first, then the text"))
        _edit_language(nr, release_id, actor(nr, as_name), lang, discard, as_json)
        return
    result = edit_source(nr, release_id, actor(nr, as_name), from_file=from_file, title=title, date=date,
                         category=category, embargo=embargo)
    if as_json:
        print_json({"release": result.release.public(), "changed": result.changed, "added": result.added,
                    "removed": result.removed, "metadata": result.metadata,
                    "event": result.event.public() if result.event else None})
        return
    if result.event is None:
        echo(_("{id}: nothing changed").format(id=release_id))
        return
    if result.changed or result.added or result.removed:
        echo(_("{id}: changed {c}, added {a}, removed {r}").format(
            id=release_id, c=", ".join(result.changed) or "-", a=", ".join(result.added) or "-",
            r=", ".join(result.removed) or "-"))
    if result.metadata:
        echo(_("{id}: changed {fields}").format(id=release_id, fields=", ".join(result.metadata)))
    if result.release.published_languages or result.release.state in _live_states(nr):
        echo(_("What is out does not change until `pubflow correct {id}`.").format(id=release_id))


def _live_states(nr: Newsroom) -> set[str]:
    return {name for name, spec in nr.config.workflow.states.items() if spec.live}


@app.command("migrate")
def migrate_cmd(
    release_ids: Annotated[list[str] | None, typer.Argument(help=N_("Releases to migrate (default: all)."),
                                                            show_default=False)] = None,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bind releases written by an older pubflow: metadata, approvals and the text out (editor)."""
    from workflow.editorial.migrate import migrate_newsroom

    nr = newsroom()
    results = migrate_newsroom(nr, actor(nr, as_name), list(release_ids or []) or None)
    if as_json:
        print_json([r.public() for r in results])
        return
    for r in results:
        if not r.migrated:
            continue
        echo(_("{id}: migrated; text out recorded for {langs}").format(
            id=r.release, langs=", ".join(r.snapshots) or "-"))
        for lang, why in r.pending:
            echo(_("  {lang}: not recorded yet ({why}); it will be at the next `pubflow correct`").format(
                lang=lang, why=why))
    done = sum(1 for r in results if r.migrated)
    echo(i18n.ngettext("{n} release migrated, {m} already current.",
                             "{n} releases migrated, {m} already current.", done).format(n=done, m=len(results) - done))


def _edit_language(nr: Newsroom, release_id: str, person: Person, lang: str, discard: bool, as_json: bool) -> None:
    from workflow.editorial.language import set_source_language

    result = set_source_language(nr, release_id, person, lang, discard=discard)
    if as_json:
        print_json(result.public())
    elif result.event is None:
        echo(_("{id}: the source language already is {lang}").format(id=release_id, lang=lang))
    else:
        echo(_("{id}: source language {old} → {new}").format(id=release_id, old=result.old, new=result.new))
        if result.discarded:
            echo(i18n.ngettext("dropped {n} translation into {lang}", "dropped {n} translations into {lang}",
                                     result.discarded).format(n=result.discarded, lang=lang))


@app.command("delete")
def delete_cmd(
    release_id: IdArg,
    message: Annotated[str | None, typer.Option(
        "-m", "--message", help=N_("Why (recorded in the git commit)."))] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete a draft made by mistake (writers and editors; drafts only)."""
    from workflow.editorial.delete import deletable, delete_release

    nr = newsroom()
    person = actor(nr, as_name)
    if not yes:
        summary = deletable(nr, release_id, person)
        if not confirm(_("Delete {id} ({title}) for good?").format(id=release_id, title=summary.title)):
            echo(_("Nothing deleted."))
            return
    result = delete_release(nr, release_id, person, message)
    if as_json:
        print_json(result.public())
        return
    echo(i18n.ngettext("Deleted {id} ({n} file).", "Deleted {id} ({n} files).", result.files).format(
        id=release_id, n=result.files))


def confirm(question: str) -> bool:
    """Ask a yes/no question (y/n, نعم/لا, ن/ل); no answer (end of input) is a usage error."""
    from workflow.errors import UsageError

    while True:
        try:
            answer = typer.prompt(question + " " + _("[y/N]"), default="", show_default=False)
        except typer.Abort:
            echo("")
            raise UsageError(_("no answer"), _("pass --yes to go ahead without being asked")) from None
        if not answer.strip():
            return False
        said = i18n.yes_no(answer)
        if said is not None:
            return said
        echo(_("Please answer y or n."))


@app.command("verify")
def verify_cmd(as_json: JsonOpt = False) -> None:
    """Check pubflow.yaml, every file, history and snapshot (and the histories against git HEAD)."""
    from workflow.audit.verify import open_and_verify

    report = open_and_verify(current_run().root)
    if as_json:
        print_json(report.public())
    else:
        for problem in report.errors:
            echo(problem.line())
        for problem in report.warnings:
            echo(_("warning: {problem}").format(problem=problem.line()))
        echo(i18n.ngettext("{n} release checked, {p} problem(s).", "{n} releases checked, {p} problem(s).",
                                 report.checked).format(n=report.checked, p=len(report.errors)))
    if not report.ok:
        from workflow.errors import INVALID_DATA

        raise typer.Exit(INVALID_DATA)
