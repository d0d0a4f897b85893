"""The `pubflow` command line: parse, call one domain function, print.

No logic lives here.  Every `PubflowError` becomes one line on stderr and its
exit code (see `workflow.errors`); heavy libraries are imported inside the
commands that need them so `pubflow --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer._click.core import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer vendors click
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from workflow import i18n
from workflow.cli.plainparams import plain
from workflow.errors import INTERNAL, PubflowError

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.core.model import Event
    from workflow.core.summary import ReleaseSummary
    from workflow.storage.newsroom import Newsroom


def _argv_ui_lang(argv: list[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--ui-lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--ui-lang="):
            return arg.split("=", 1)[1]
    return None


# Help texts are built when this module is imported: pick the language first.
i18n.set_language(_argv_ui_lang(sys.argv))
_ = i18n._
ngettext = i18n.ngettext

# typer (and the click it vendors) writes a few words of every help page itself: its
# stdlib-gettext `_` becomes ours, and the formatter translates the two it does not mark.
typer.core._ = i18n._  # type: ignore[attr-defined]
_HELP_WORDS = (i18n.N_("Usage: "), i18n.N_("Options"), i18n.N_("Arguments"), i18n.N_("Commands"),
               i18n.N_("env var: {var}"), i18n.N_("default: {default}"), i18n.N_("required"))
_HELP_LINE = i18n.N_("Show this message and exit.")


class PubflowHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
        rows = [(term, _(text) if text == _HELP_LINE else text) for term, text in rows]
        super().write_dl(rows, *args, **kwargs)


class PubflowContext(Context):
    formatter_class = PubflowHelpFormatter

    def __init__(self, command: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(command, *args, **kwargs)
        plain(command.get_params(self))  # str/Path/flag values without pydantic (workflow.plainparams)


class PubflowGroup(TyperGroup):
    """Maps domain errors to one stderr line and their exit code, in one place."""

    context_class = PubflowContext

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Commands' help comes from docstrings: translate it (extracted by workflow.catalogs)."""
        command: Any = super().get_command(ctx, cmd_name)
        if command is not None:
            command.context_class = PubflowContext
        if command is not None and command.help:
            msgid = getattr(command, "_pubflow_msgid", command.help)
            command._pubflow_msgid = msgid
            command.help = _(msgid)
        return command

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except ClickException as exc:  # bad global option: one line too
            _usage_fail(exc)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PubflowError as exc:
            _fail(exc.line(), exc.exit_code)
        except ClickException as exc:  # missing argument, unknown option, bad value
            _usage_fail(exc)
        except KeyboardInterrupt:
            _fail(_("interrupted; everything saved so far is on disk"), 130)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:  # `pubflow ... | head`: the reader is gone, end quietly
            from workflow.cli.launch import stdout_closed

            raise typer.Exit(stdout_closed()) from None
        except Exception as exc:  # a bug: still one line, no traceback unless asked
            if os.environ.get("PUBFLOW_DEBUG"):
                raise
            _fail(_("internal error: {error}; run again with PUBFLOW_DEBUG=1 and report it").format(
                error=f"{type(exc).__name__}: {exc}"), INTERNAL)


def _fail(message: str, code: int) -> NoReturn:
    from workflow.redact import redact  # last line of defence: no API key ever reaches the terminal

    typer.echo(_("error: {message}").format(message=redact(message)), err=True)
    raise typer.Exit(code)


def _usage_fail(exc: ClickException) -> NoReturn:
    """Click's usage errors as one line (`pubflow` alone still prints the help)."""
    if isinstance(exc, NoArgsIsHelpError):
        raise exc
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "pubflow"
    _fail(_("{message} (see `{command} --help`)").format(message=message, command=path), exc.exit_code)


app = typer.Typer(
    cls=PubflowGroup,
    name="pubflow",
    help=_("Bilingual publishing workflow for press offices: draft, review, translate, publish."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


class State:
    root: str | None = None

    def __init__(self) -> None:
        self.notices: list[str] = []  # one-line notes from the after-write hooks, printed after the command

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


STATE = State()

RootOpt = Annotated[str | None, typer.Option("--root", help=_("Newsroom folder (default: search upwards)."),
                                             envvar="PUBFLOW_ROOT", show_envvar=True)]
AsOpt = Annotated[str | None, typer.Option("--as", help=_("Act as this person (name or e-mail)."),
                                           envvar="PUBFLOW_USER", show_envvar=True)]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print machine-readable JSON."))]
MessageOpt = Annotated[str | None, typer.Option("-m", "--message", help=_("Comment recorded with the event."))]
IdArg = Annotated[str, typer.Argument(help=_("Release id, e.g. 2019-07-22-some-title."), show_default=False)]


@app.callback()
def _main(
    root: RootOpt = None,
    ui_lang: Annotated[str | None, typer.Option("--ui-lang", help=_("Interface language (en, ar)."),
                                                envvar="PUBFLOW_LANG")] = None,
) -> None:
    """Bilingual publishing workflow for press offices."""
    STATE.root = root
    i18n.set_language(ui_lang)


# ------------------------------------------------------------------ helpers
def newsroom() -> Newsroom:
    """The newsroom of this command, with the application's after-write hooks (git autocommit)."""
    from workflow.collab import autocommit
    from workflow.storage.newsroom import Newsroom

    nr = Newsroom.open(STATE.root)
    autocommit.install(nr, notify=STATE.notice)
    return nr


def actor(nr: Newsroom, as_name: str | None) -> Person:
    from workflow.editorial.actors import resolve_actor

    return resolve_actor(nr.config, as_name)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def table(title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    """Aligned plain text (workflow.listing): no rich import, same look as `list`, whole cells in a pipe."""
    from workflow.cli.tables import text_table

    typer.echo(text_table(columns, rows, title))


def progress_text(summary: ReleaseSummary) -> str:
    from workflow.cli.tables import progress_text as text

    return text(summary.progress, summary.published_languages)


def echo_event(event: Event) -> None:
    from workflow.core.history import event_note

    if event.source and event.target and event.source != event.target:
        move = f"{event.source} → {event.target}"
    else:
        move = event.target or event.source or ""
    what = event.transition or event.kind
    line = f"{event.at}  {what:<10} {move:<26} {event.actor}"
    if event.language:
        line += f" [{event.language}]"
    note = event_note(event)
    if note:
        line += f"  “{note}”"
    typer.echo(line)


# ------------------------------------------------------------------ commands
@app.command("init")
def init_cmd(
    directory: Annotated[Path, typer.Argument(help=_("Folder to create the newsroom in."))],
    site_name: Annotated[str, typer.Option("--site-name", help=_("Site name in English."))] = "Press Office",
) -> None:
    """Create a new newsroom: pubflow.yaml, releases/, templates/, locales/."""
    from workflow.editorial.scaffold import init_newsroom

    created = init_newsroom(directory, site_name)
    typer.echo(_("Created a newsroom in {path}").format(path=directory))
    for path in created:
        typer.echo(f"  {path}")
    typer.echo(_("Next: edit people in pubflow.yaml, then `pubflow new --title ... --from FILE`."))


@app.command("new")
def new_cmd(
    title: Annotated[str | None, typer.Option("--title", help=_("Title (default: first line of FILE)."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=_(
        "Source language code (default: the language of the text's script)."))] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help=_("Markdown with front matter, or plain text."))] = None,
    date: Annotated[str | None, typer.Option("--date", help=_("Release date YYYY-MM-DD."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=_("Category."))] = None,
    slug: Annotated[str | None, typer.Option("--slug", help=_("Id suffix (default: from the title)."))] = None,
    embargo: Annotated[str | None, typer.Option(
        "--embargo", help=_("Embargo time with zone, e.g. 2019-07-22T09:00+03:00."))] = None,
    body: Annotated[str | None, typer.Option(
        "--body", help=_("Body text (paragraphs separated by blank lines)."))] = None,
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
                            text=text, date=date, category=category, slug=slug, embargo=embargo)
    if as_json:
        print_json({**result.release.public(), "segments": result.segments, "ignored": result.ignored,
                    "language_from": result.language_from})
        return
    typer.echo(_("Created {id} ({n} segments, state {state}).").format(
        id=result.release.id, n=result.segments, state=result.release.state))
    source = result.release.source_language
    if result.language_from == "script":
        typer.echo(_("Source language: {lang} (detected from the text's script; pass --lang to choose)").format(
            lang=source))
    elif result.language_from == "default":
        typer.echo(_("Source language: {lang} (the newsroom's default: the text did not show its language)").format(
            lang=source))
    if result.ignored:
        typer.echo(_("Left out {n} paragraph(s) after the source line: {first}").format(
            n=len(result.ignored), first=result.ignored[0][:60]), err=True)


@app.command("list")
def list_cmd(
    state: Annotated[str | None, typer.Option("--state", help=_("Only releases in this state."))] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=_("Only releases with this source language."))] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help=_("Only the first N releases."))] = None,
    as_json: JsonOpt = False,
) -> None:
    """List releases with their state and translation progress."""
    from workflow.cli.tables import release_lines
    from workflow.editorial.queries import list_releases

    releases = list_releases(newsroom(), state, lang)[:limit]
    if as_json:
        print_json([r.public() for r in releases])
        return
    if not releases:
        typer.echo(_("No releases."))
        return
    typer.echo(release_lines([[r.id, r.title, r.state, r.source_language, progress_text(r)] for r in releases]))


@app.command("show")
def show_cmd(release_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one release: metadata, segments, allowed transitions."""
    from workflow.editorial.queries import show_release

    view = show_release(newsroom(), release_id)
    if as_json:
        print_json(view.public())
        return
    s = view.summary
    typer.echo(f"{s.id}  [{s.state}]  r{s.revision}")
    typer.echo(f"{_('title')}: {s.title}")
    typer.echo(f"{_('date')}: {s.date}   {_('category')}: {s.category or '-'}   "
               f"{_('source')}: {s.source_language}   {_('embargo')}: {s.embargo or '-'}")
    typer.echo(f"{_('progress')}: {progress_text(s) or '-'}")
    typer.echo(f"{_('allowed')}: {', '.join(view.allowed) or '-'}")
    for row in view.segments:
        typer.echo("")
        typer.echo(f"[{row['id']}] {row['text']}")
        for code, tr in row["translations"].items():
            typer.echo(f"  {code} ({tr['status']}): {tr['text'] or '-'}")


def _move(release_id: str, transition: str, message: str | None, as_name: str | None, as_json: bool) -> None:
    from workflow.editorial.transitions import apply_transition

    nr = newsroom()
    result = apply_transition(nr, release_id, transition, actor(nr, as_name), message)
    if as_json:
        print_json({"release": result.release.public(), "event": result.event.public()})
        return
    typer.echo(_("{id}: {transition} ({source} → {target})").format(
        id=release_id, transition=transition, source=result.event.source, target=result.event.target))


def _transition_command(name: str, doc: str) -> None:
    def command(release_id: IdArg, message: MessageOpt = None, as_name: AsOpt = None,
                as_json: JsonOpt = False) -> None:
        _move(release_id, name, message, as_name, as_json)

    command.__doc__ = doc
    app.command(name)(command)


_transition_command("submit", _("Send a draft to review."))
_transition_command("approve", _("Approve the text under review (binds the approval to this exact text)."))
_transition_command("reject", _("Send a release back to draft; needs -m with the reason."))
_transition_command("correct", _("Record a correction to a published release; needs -m."))
_transition_command("retract", _("Retract a published release; needs -m."))


@app.command("move")
def move_cmd(release_id: IdArg, transition: Annotated[str, typer.Argument(help=_("Transition name."))],
             message: MessageOpt = None, as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Apply any transition of the newsroom's workflow."""
    _move(release_id, transition, message, as_name, as_json)


@app.command("comment")
def comment_cmd(release_id: IdArg, message: Annotated[str, typer.Option("-m", "--message", help=_("The comment."))],
                as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """Add a comment to a release's history."""
    from workflow.editorial.transitions import add_comment

    nr = newsroom()
    event = add_comment(nr, release_id, actor(nr, as_name), message)
    if as_json:
        print_json(event.public())
        return
    typer.echo(_("{id}: comment recorded").format(id=release_id))


@app.command("edit")
def edit_cmd(
    release_id: IdArg,
    from_file: Annotated[Path | None, typer.Option("--from", help=_("New text (same formats as `new`)."))] = None,
    title: Annotated[str | None, typer.Option("--title", help=_("New title."))] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", help=_("The source text's real language (drafts only)."))] = None,
    discard: Annotated[bool, typer.Option("--discard-translations", help=_(
        "With --lang: drop translations into the new source language."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a release's source text; translations of changed segments become stale.

    Without --from or --title, records a change made to the files by hand.
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
    result = edit_source(nr, release_id, actor(nr, as_name), from_file=from_file, title=title)
    if as_json:
        print_json({"release": result.release.public(), "changed": result.changed, "added": result.added,
                    "removed": result.removed, "event": result.event.public() if result.event else None})
        return
    if result.event is None:
        typer.echo(_("{id}: nothing changed").format(id=release_id))
        return
    typer.echo(_("{id}: changed {c}, added {a}, removed {r}").format(
        id=release_id, c=", ".join(result.changed) or "-", a=", ".join(result.added) or "-",
        r=", ".join(result.removed) or "-"))


def _edit_language(nr: Newsroom, release_id: str, person: Person, lang: str, discard: bool, as_json: bool) -> None:
    from workflow.editorial.language import set_source_language

    result = set_source_language(nr, release_id, person, lang, discard=discard)
    if as_json:
        print_json(result.public())
    elif result.event is None:
        typer.echo(_("{id}: the source language already is {lang}").format(id=release_id, lang=lang))
    else:
        typer.echo(_("{id}: source language {old} → {new}").format(id=release_id, old=result.old, new=result.new))
        if result.discarded:
            typer.echo(ngettext("dropped {n} translation into {lang}", "dropped {n} translations into {lang}",
                                result.discarded).format(n=result.discarded, lang=lang))


@app.command("delete")
def delete_cmd(
    release_id: IdArg,
    message: Annotated[str | None, typer.Option("-m", "--message", help=_("Why (recorded in the git commit)."))] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
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
            typer.echo(_("Nothing deleted."))
            return
    result = delete_release(nr, release_id, person, message)
    if as_json:
        print_json(result.public())
        return
    typer.echo(ngettext("Deleted {id} ({n} file).", "Deleted {id} ({n} files).", result.files).format(
        id=release_id, n=result.files))


def confirm(question: str) -> bool:
    """Ask a yes/no question (y/n, نعم/لا, ن/ل); no answer (end of input) is a usage error."""
    from workflow.errors import UsageError

    while True:
        try:
            answer = typer.prompt(question + " " + _("[y/N]"), default="", show_default=False)
        except typer.Abort:
            typer.echo("")
            raise UsageError(_("no answer"), _("pass --yes to go ahead without being asked")) from None
        if not answer.strip():
            return False
        said = i18n.yes_no(answer)
        if said is not None:
            return said
        typer.echo(_("Please answer y or n."))


@app.command("history")
def history_cmd(release_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show every event of a release, oldest first."""
    from workflow.editorial.queries import history

    events = history(newsroom(), release_id)
    if as_json:
        print_json([e.public() for e in events])
        return
    for event in events:
        echo_event(event)


@app.command("people")
def people_cmd(as_json: JsonOpt = False) -> None:
    """List the newsroom's people and their roles."""
    people = newsroom().config.people
    if as_json:
        print_json([{"name": p.name, "email": p.email, "roles": list(p.roles)} for p in people])
        return
    table(None, [_("name"), _("e-mail"), _("roles")], [[p.name, p.email, ", ".join(p.roles)] for p in people])


@app.command("workflow")
def workflow_cmd(
    fmt: Annotated[str, typer.Option("--format", help=_("table, mermaid or json."))] = "table",
) -> None:
    """Show the workflow's states and transitions (or a Mermaid diagram)."""
    from workflow.editorial.queries import workflow_description, workflow_mermaid
    from workflow.errors import UsageError

    nr = newsroom()
    if fmt == "mermaid":
        typer.echo(workflow_mermaid(nr), nl=False)
        return
    data = workflow_description(nr)
    if fmt == "json":
        print_json(data)
        return
    if fmt != "table":
        raise UsageError(_("unknown format {fmt!r}").format(fmt=fmt), _("use table, mermaid or json"))
    table(_("States"), [_("state"), _("label"), _("flags")],
          [[s["name"], s["label"], " ".join(f for f in ("final", "live") if s[f]) +
            (" initial" if s["name"] == data["initial"] else "")] for s in data["states"]])
    table(_("Transitions"), [_("transition"), _("from"), _("to"), _("roles"), _("comment"), _("requires")],
          [[t["name"], ", ".join(t["from"]), t["to"], ", ".join(t["roles"]), t["comment"],
            ", ".join(t["requires"])] for t in data["transitions"]])


@app.command("verify")
def verify_cmd(as_json: JsonOpt = False) -> None:
    """Check every file and replay every history against the workflow."""
    from workflow.editorial.verify import verify

    report = verify(newsroom())
    if as_json:
        print_json(report.public())
    else:
        for problem in report.problems:
            typer.echo(f"{problem.release}: {problem.message}")
        typer.echo(i18n.ngettext("{n} release checked, {p} problem(s).", "{n} releases checked, {p} problem(s).",
                                 report.checked).format(n=report.checked, p=len(report.problems)))
    if not report.ok:
        from workflow.errors import INVALID_DATA

        raise typer.Exit(INVALID_DATA)


def main() -> None:
    app(prog_name="pubflow")


# Command modules register themselves on `app` (one per area).
from workflow.cli import catalogs, git, publish, quality, translate  # noqa: E402,F401
