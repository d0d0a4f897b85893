"""What the command modules share: the options every area uses, the newsroom of this run, printing.

Help texts are English message ids (`N_`): `workflow.cli.lazy.HelpFormatter`
translates them when the help is written.  Messages printed by a command go
through `_()` when they are printed.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core

from workflow.cli import complete
from workflow.cli.lazy import Command, Group
from workflow.i18n import N_

if TYPE_CHECKING:
    from collections.abc import Callable

    from workflow.core.config import Person
    from workflow.storage.newsroom import Newsroom



class Run:
    """One command line being run: its --root and the notes to print after it succeeded."""

    def __init__(self) -> None:
        self.root: str | None = None  # --root or $PUBFLOW_ROOT; None: the nearest newsroom upwards
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        """A one-line note for the user, printed on stderr once the command has succeeded."""
        if text not in self.notices:
            self.notices.append(text)


RUN: ContextVar[Run] = ContextVar("pubflow_cli_run")  # set for each command line (workflow.cli.app)


def current_run() -> Run:
    """The command line being run in this context."""
    try:
        return RUN.get()
    except LookupError:  # a command called without the root group (a test calling a function directly)
        run = Run()
        RUN.set(run)
        return run

AsOpt = Annotated[str | None, typer.Option("--as", help=N_("Act as this person (name or e-mail)."),
                                           envvar="PUBFLOW_USER", show_envvar=True,
                                           autocompletion=complete.people)]
JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print machine-readable JSON."))]
MessageOpt = Annotated[str | None, typer.Option("-m", "--message", help=N_("Comment recorded with the event."))]
IdArg = Annotated[str, typer.Argument(help=N_("Release id, e.g. 2019-07-22-some-title."), show_default=False,
                                      autocompletion=complete.release_ids)]


class Area(typer.Typer):
    """The typer app of one command module (one area: editor, translate, ...).

    Its commands are `workflow.cli.lazy.Command`s (help in the interface
    language); the callback keeps it a group even with a single command, so
    `LazyGroup` can take each command out of it by name.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=Group, add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                         pretty_exceptions_show_locals=False, **kwargs)
        self.callback()(_area)

    def command(self, name: str | None = None, *, cls: type[typer.core.TyperCommand] | None = None,
                **kwargs: Any) -> Callable[[Any], Any]:
        return super().command(name, cls=cls or Command, **kwargs)


def _area() -> None:
    pass


def newsroom() -> Newsroom:
    """The newsroom this run works on (--root, $PUBFLOW_ROOT or the first folder upwards with pubflow.yaml).

    Opened like any front end opens it (`workflow.open_newsroom`: git autocommit when pubflow.yaml asks);
    the hooks' notes are printed once the command succeeded.
    """
    import workflow

    run = current_run()
    return workflow.open_newsroom(run.root, notify=run.notice)


def state_label(nr: Newsroom, name: str) -> str:
    """State `name` as the newsroom labels it in the interface language (pubflow.yaml, else the catalog)."""
    from workflow.core import labels

    return labels.state_label(nr.config.workflow, name)


def actor(nr: Newsroom, as_name: str | None) -> Person:
    from workflow.editorial.actors import resolve_actor

    return resolve_actor(nr.config, as_name)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print `text` for a person (stdout, or stderr with `err`), through the one terminal sanitiser:
    control and bidi formatting characters from releases show as `<U+XXXX>`, in a pipe too."""
    from workflow.core.textrules import terminal

    typer.echo(terminal(text), err=err, nl=nl)


def print_json(data: Any) -> None:
    from workflow.cli.queue_view import json_text

    print_json_text(json_text(data))


def print_json_text(text: str) -> None:
    """JSON text with every control and bidi character written as a \\uXXXX escape: `queue_view.json_text`
    makes it so, and text kept in the index (`list --json`'s cache, which anyone who can write
    .pubflow/ can edit) is made so again here, so no escape sequence reaches the terminal raw."""
    from workflow.core.textrules import json_safe

    typer.echo(json_safe(text))


def print_json_bytes(raw: bytes, *, strict: bool = False) -> None:
    """`print_json_text` for JSON kept as UTF-8 bytes (a large cached output), written as bytes.  With
    `strict`, bytes that are not UTF-8 raise UnicodeDecodeError before anything is written."""
    import sys

    from workflow.core.textrules import json_safe_bytes

    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        print_json_text(raw.decode("utf-8", "strict" if strict else "replace"))
        return
    safe = json_safe_bytes(raw, strict=strict)
    out.flush()
    buffer.write(safe)
    buffer.write(b"\n")
    buffer.flush()


def table(title: str | None, columns: list[str], rows: list[list[str]]) -> None:
    """Aligned plain text (`workflow.cli.tables`): same look as `list`, whole cells in a pipe."""
    from workflow.cli.tables import text_table

    echo(text_table(columns, rows, title))
