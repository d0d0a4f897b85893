"""The `pubflow` command line: the root group, its global options and the table of commands.

Each command lives in a module by area (`editor`, `translate`, `quality`,
`publish`, `catalogs`, `git`), imported only when one of its commands runs
or shows its help; `COMMANDS` below gives each command's module and its
one-line help, so `pubflow --help` imports none of them.  A command parses
its options, calls one operation and prints the result (text or --json).
Every exception becomes one line on stderr and an exit code in
`workflow.cli.exits`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from workflow import i18n
from workflow.cli.common import RUN, Run, current_run
from workflow.cli.lazy import Lazy, LazyGroup
from workflow.errors import PubflowError
from workflow.i18n import N_
from workflow.storage import progress

_E, _T, _Q, _P = "workflow.cli.editor", "workflow.cli.translate", "workflow.cli.quality", "workflow.cli.publish"
_R = "workflow.cli.reading"  # the commands that only read: a small area, built fast

# Command -> (module, one-line help), in the order `pubflow --help` lists them.  A test checks that each
# line is the first paragraph of the command's own help.
COMMANDS: dict[str, Lazy] = {
    "init": Lazy(_E, N_("Create a new newsroom: pubflow.yaml, glossary.yaml, releases/, templates/, locales/.")),
    "new": Lazy(_E, N_("Create a draft release from a file or from --title and --body.")),
    "list": Lazy(_R, N_("List releases with their state and translation progress.")),
    "show": Lazy(_R, N_("Show one release: metadata, segments, allowed transitions.")),
    "submit": Lazy(_E, N_("Send a draft to review.")),
    "approve": Lazy(_E, N_("Approve the text under review (binds the approval to this exact text).")),
    "reject": Lazy(_E, N_("Send a release back to draft; needs -m with the reason.")),
    "correct": Lazy(_E, N_("Record a correction to a published release: -m in the source language, "
                           "--message-ar/--message-en for the others.")),
    "retract": Lazy(_E, N_("Retract a published release: -m in the source language, "
                           "--message-ar/--message-en for the others.")),
    "move": Lazy(_E, N_("Apply any transition of the newsroom's workflow.")),
    "comment": Lazy(_E, N_("Add a comment to a release's history.")),
    "edit": Lazy(_E, N_("Change a release's source text or metadata; translations of changed segments become "
                        "stale.")),
    "migrate": Lazy(_E, N_("Bind releases written by an older pubflow: metadata, approvals and the text out "
                           "(editor).")),
    "delete": Lazy(_E, N_("Delete a draft made by mistake (writers and editors; drafts only).")),
    "history": Lazy(_R, N_("Show every event of a release, its translations' and reviews' too, oldest first.")),
    "people": Lazy(_R, N_("List the newsroom's people and their roles.")),
    "workflow": Lazy(_R, N_("Show the workflow's states and transitions (or a Mermaid diagram).")),
    "verify": Lazy(_E, N_("Check pubflow.yaml, every file, history and snapshot (and the histories against git "
                          "HEAD).")),
    "templates": Lazy(_E, N_("List the page templates, or copy one into templates/ to change it there.")),
    "sync": Lazy("workflow.cli.git", N_("Pull (rebase) from the git remote, re-validate changed releases, push.")),
    "render": Lazy(_P, N_("Render a release's pages in any state, to look at them before publishing.")),
    "preview": Lazy(_P, N_("Serve a release's pages in every language on 127.0.0.1 until Ctrl-C.")),
    "publish": Lazy(_P, N_("Publish a release (guards apply) and write its bundles; on a published release, "
                           "rebuild them.")),
    "unschedule": Lazy(_P, N_("Cancel a release's scheduled publication (publish --at-embargo); it stays where "
                              "it is.")),
    "build": Lazy(_P, N_("Publish scheduled releases whose embargo passed, then rebuild what changed (incremental).")),
    "suggest": Lazy(_Q, N_("Pre-fill untranslated segments with machine suggestions (status machine until a "
                           "person confirms).")),
    "check": Lazy(_Q, N_("Run the translation checks on a release; exit 4 when any error is found.")),
    "pending": Lazy(_R, N_("List segments that need translation or review, by release, oldest first.")),
    "inbox": Lazy(_R, N_("What awaits you: segments to translate, segments to approve, releases to move.")),
    "set": Lazy(_T, N_("Save the translation of one segment (status translated).")),
    "review": Lazy(_T, N_("Approve translated segments (reviewer of that language); a check error must be waived "
                          "first.")),
    "confirm": Lazy(_T, N_("Accept machine suggestions as your translation (with --segment also a stale one "
                           "that still fits).")),
    "export": Lazy(_T, N_("Export segments for a CAT tool (PO or XLIFF 1.2).")),
    "import": Lazy(_T, N_("Apply the translations of a PO or XLIFF file; a malformed file applies nothing.")),
    "translate": Lazy(_T, N_("Translate interactively: walk the segments that need work, save each at once.")),
    "workspace": Lazy("workflow.cli.workspace", N_("Translate and review in the browser: a local web app on "
                                                   "127.0.0.1 until Ctrl-C.")),
    "catalogs": Lazy("workflow.cli.catalogs", N_("Interface catalogs of pubflow itself (extract, update, compile, "
                                                 "stats).")),
}


class Root(LazyGroup):
    """`pubflow`: the commands of `COMMANDS`."""

    table = COMMANDS

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        # Each run speaks the language of the environment (PUBFLOW_LANG, LANGUAGE) until --ui-lang says
        # otherwise, in its own context: a script or a test running several command lines keeps its own.
        token = RUN.set(Run())
        listening = progress.REPORT.set(ProgressLine())
        try:
            with i18n.use_language(None):
                _early_ui_lang(list(sys.argv[1:] if args is None else args))
                return super().main(args, prog_name or "pubflow", complete_var, standalone_mode,
                                    windows_expand_args, **extra)
        finally:
            progress.REPORT.reset(listening)
            RUN.reset(token)


def _early_ui_lang(argv: list[str]) -> None:
    """--ui-lang before the command, applied before parsing: click's own errors about the root's
    options (an unknown one) are then said in that language too.  The option itself is parsed as usual."""
    for position, arg in enumerate(argv):
        if not arg.startswith("-"):
            return
        value = argv[position + 1] if arg == "--ui-lang" and position + 1 < len(argv) else \
            arg.partition("=")[2] if arg.startswith("--ui-lang=") else None
        if value:
            try:
                i18n.set_language(value)
            except PubflowError:
                return  # the option's own check reports it
            return


class ProgressLine:
    """Long storage work (a cold index on a fresh clone) as a line on stderr once it takes over a second.

    On a terminal the line counts up in place; elsewhere (a log, a pipe) it says what is being done
    when it starts to show and how long it took at the end.  Work under `MIN_TOTAL` units or done
    within `AFTER` seconds prints nothing.
    """

    AFTER = 1.0
    MIN_TOTAL = 200

    def __init__(self, after: float = AFTER, min_total: int = MIN_TOTAL) -> None:
        self.after, self.min_total = after, min_total
        self.started: float | None = None
        self.shown = False

    def __call__(self, what: str, done: int, total: int) -> None:
        import sys
        import time

        now = time.monotonic()
        if self.started is None or done == 0:
            self.started, self.shown = now, False
        if total < self.min_total or (not self.shown and now - self.started < self.after):
            return
        _ = i18n._
        tty = sys.stderr.isatty()
        if done >= total:
            if self.shown:
                line = _("indexed {n} releases in {s:.1f} s").format(n=f"{total:,}", s=now - self.started)
                typer.echo(("\r\x1b[K" if tty else "") + line, err=True)
                self.shown = False
            return
        if tty:
            typer.echo("\r\x1b[K" + _("indexing releases: {done} of {total}…").format(
                done=f"{done:,}", total=f"{total:,}"), err=True, nl=False)
        elif not self.shown:
            typer.echo(_("indexing {total} releases (the first command here reads every file)…").format(
                total=f"{total:,}"), err=True)
        self.shown = True


def _print_notices(*_args: Any, **_kwargs: Any) -> None:
    """After a successful command: the one-line notes for the user (e.g. autocommit outside a git repository)."""
    from workflow.core.textrules import terminal

    notices = current_run().notices
    for note in notices:
        typer.echo(terminal(i18n._("note: {text}").format(text=note), one_line=True), err=True)
    notices.clear()


app = typer.Typer(
    cls=Root,
    name="pubflow",
    help=N_("Bilingual publishing workflow for press offices: draft, review, translate, publish."),
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion (bash, zsh, fish): typer's own mechanism
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    result_callback=_print_notices,
)


def _ui_lang(ctx: typer.Context, value: str | None) -> str | None:
    """--ui-lang is eager: the help of this very command line is already in that language.

    A language pubflow cannot speak is refused when asked for on the command line; from the
    environment (PUBFLOW_LANG, like LANGUAGE) it falls back to English, as a locale setting does.
    """
    if not value:
        return value
    served = i18n.set_language(value)
    source = ctx.get_parameter_source("ui_lang")
    asked = i18n.requested_language(value)
    if served != asked and source is not None and source.name == "COMMANDLINE" and not ctx.resilient_parsing:
        from workflow.errors import UsageError

        i18n.set_language(None)  # refused in the language of the environment
        raise UsageError(i18n._("no interface language {lang!r}; available: {langs}").format(
            lang=value, langs=", ".join(i18n.available_languages())),
            i18n._("give --ui-lang one of them, or leave it out for the language of your environment"))
    return value


def _version(value: bool) -> None:
    if value:
        from workflow.version import __version__

        typer.echo(f"pubflow {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    root: Annotated[str | None, typer.Option("--root", help=N_("Newsroom folder (default: search upwards)."),
                                             envvar="PUBFLOW_ROOT", show_envvar=True)] = None,
    ui_lang: Annotated[str | None, typer.Option("--ui-lang", help=N_("Interface language (en, ar)."),
                                                envvar="PUBFLOW_LANG", is_eager=True, callback=_ui_lang)] = None,
    version: Annotated[bool, typer.Option("--version", help=N_("Show pubflow's version and exit."),
                                          is_eager=True, callback=_version)] = False,
) -> None:
    current_run().root = root


def main() -> None:
    """The `pubflow` console script (and `python -m workflow`)."""
    import os

    # typer 0.29 parses options through pydantic, which scans every installed distribution for
    # plugins on first use; pubflow uses none (pydantic's documented switch; a user's setting wins).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app(prog_name="pubflow")
