"""typer plumbing of the `pubflow` command line, with typer's public API only.

* `LazyGroup` (the root, `typer.Typer(cls=...)`) lists its commands from a
  table and imports a command module only when one of its commands runs or
  shows its help (click's documented lazy-group pattern: `list_commands` and
  `get_command`).  Each command module has its own small typer app, turned
  into click commands with `typer.main.get_command`; the table keeps every
  command's one-line summary, so `pubflow --help` imports no command module.
* `Group` and `Command` use `Context`, whose `HelpFormatter` translates the
  help as it is written: typer's and click's own words ("Usage:", "Options",
  "Show this message and exit.", "env var: ...") and the help texts of our
  commands and options, which are English message ids in the code (marked
  with `N_` or docstrings, extracted into the catalogs).  Help is therefore
  always in the language chosen for this run, whatever was imported when.
* `Group.main` is the one place where an exception becomes a line on stderr
  and an exit code (`workflow.cli.exits`).
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import typer
import typer.core
import typer.main

from workflow import i18n

# Words typer and click write themselves (without a catalog of their own): our catalog translates them.
_TYPER_WORDS = (i18n.N_("Usage: "), i18n.N_("Options"), i18n.N_("Arguments"), i18n.N_("Commands"),
                i18n.N_("Show this message and exit."),
                # typer's completion options (--install-completion, --show-completion)
                i18n.N_("Install completion for the current shell."),
                i18n.N_("Show completion for the current shell, to copy it or customize the installation."))
# typer appends "  [env var: X; default: Y; required]" to an option's help text.
_EXTRAS = re.compile(r"(?s)^(?P<help>.*?)(?:(?:^|  )\[(?P<extras>[^\[\]]*)\])?$")


def tr(text: str) -> str:
    """`text` (a message id, or a text already translated) in the interface language."""
    return i18n._(text) if text else text  # gettext("") would be the catalog's header


def translate_help(text: str) -> str:
    """An option's or argument's help line in the interface language (extras included)."""
    _ = tr
    match = _EXTRAS.match(text)
    if match is None or match.group("extras") is None:
        return _(text)
    parts = []
    for part in match.group("extras").split("; "):
        name, sep, value = part.partition(": ")
        if sep and name == "env var":
            part = _("env var: {var}").format(var=value)
        elif sep and name == "default":
            part = _("default: {default}").format(default=value)
        elif part == "required":
            part = _("required")
        parts.append(part)
    head = match.group("help")
    extras = "[" + "; ".join(parts) + "]"
    return f"{_(head)}  {extras}" if head else extras


# typer 0.29 writes `{release_id}` / `[directory]` in usage lines and `<str>` after options; the help shows the
# usual click form instead: RELEASE_ID, [DIRECTORY], TEXT.
_USAGE_ARG = re.compile(r"([{\[])([a-z][a-z0-9_]*)([}\]])")
_TYPE = re.compile(r" <([^<>]+)>(\.\.\.)?$")
_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "path": "PATH", "Path": "PATH", "bool": "BOOLEAN",
               "list[str]": "TEXT", "list[int]": "INTEGER", "list[Path]": "PATH", "list[path]": "PATH",
               "file": "FILE", "directory": "DIRECTORY", "int range": "INTEGER RANGE"}


def usage_args(args: str) -> str:
    """typer's usage arguments in click's form: `{release_id}` -> RELEASE_ID, `[name]` -> [NAME]."""
    def one(match: re.Match[str]) -> str:
        name = match.group(2).upper()
        return name if match.group(1) == "{" else f"[{name}]"
    return _USAGE_ARG.sub(one, args)


def term(text: str) -> str:
    """An option's or argument's first help column in click's form: `--title TEXT`, `RELEASE_ID`."""
    match = _TYPE.search(text)
    head = text[: match.start()] if match else text
    if not head.startswith("-"):  # an argument: its name, as the usage line shows it
        return head.upper()
    if match is None:
        return text
    label = match.group(1)
    if label == "bool":
        return head
    shown = _TYPE_NAMES.get(label) or ("[" + label + "]" if "|" in label else label.upper().replace(" ", "_"))
    return f"{head} {shown}{match.group(2) or ''}"


# typer exports click's help formatter only as `typer.Context.formatter_class`.
class HelpFormatter(typer.Context.formatter_class):  # type: ignore[misc,valid-type]
    """click's help formatter, writing every text in the interface language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, usage_args(args), i18n._("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(tr(heading))

    def write_text(self, text: str) -> None:
        super().write_text(tr(text))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term(name), translate_help(text)) for name, text in rows], col_max, col_spacing)

    def write_commands(self, rows: Sequence[tuple[str, str]]) -> None:
        """Command names and their one-line help (already translated), as they are."""
        super().write_dl(rows)


class Context(typer.Context):
    formatter_class = HelpFormatter


class Command(typer.core.TyperCommand):
    """A pubflow command: help in the interface language."""

    context_class = Context


def short_help(text: str, limit: int) -> str:
    """`text` (already translated) cut at a word to fit `limit` columns."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 3, 1)].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "..."


class Group(typer.core.TyperGroup):
    """A pubflow command group: help in the interface language, one error handler."""

    context_class = Context

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        found = [(name, self.summary(ctx, name)) for name in self.list_commands(ctx)]
        rows = [(name, text) for name, text in found if text is not None]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _text in rows)
            with formatter.section(i18n.N_("Commands")):
                formatter.write_commands([(name, short_help(text, limit)) for name, text in rows])

    def summary(self, ctx: Any, name: str) -> str | None:
        """The one-line help of command `name` in the interface language; None for a hidden one."""
        command = self.get_command(ctx, name)
        if command is None or command.hidden:
            return None
        return tr(command.short_help) if command.short_help else tr(command.help or "").split("\n\n")[0]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            typer.echo(ctx.get_help())  # `pubflow` alone: the help, on stdout (`pubflow | less`), exit 0
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        """Run one command line; every exception ends in `workflow.cli.exits.handle`."""
        from workflow.cli import exits

        if os.environ.get(complete_var or f"_{(prog_name or 'pubflow').replace('-', '_').upper()}_COMPLETE"):
            # A shell asks for completions (typer's protocol, see --show-completion): typer answers and exits.
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        try:
            with self.make_context(prog_name or "pubflow", argv, **extra) as ctx:
                self.invoke(ctx)
            code = 0
        except BaseException as exc:  # noqa: B036 - the one place that maps every exception to an exit code
            code = exits.handle(exc)
        if not standalone_mode:
            return code
        sys.exit(code)


@dataclass(frozen=True)
class Lazy:
    """One command of a `LazyGroup`: the module that defines it and its one-line help (a message id)."""

    module: str
    summary: str


class LazyGroup(Group):
    """A group whose commands live in modules imported on first use.

    Subclasses set `table` (command name -> `Lazy`, in help order).  A module
    `m` in the table has a typer app `m.app` defining its commands (with a
    callback, so it is a group even with one command).
    """

    table: Mapping[str, Lazy] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._loaded: dict[str, typer.core.TyperGroup] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.table, *(name for name in super().list_commands(ctx) if name not in self.table)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = self.table.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        return self.area(entry.module).get_command(ctx, cmd_name)

    def area(self, module: str) -> typer.core.TyperGroup:
        """The click group of command module `module`, built on first use."""
        group = self._loaded.get(module)
        if group is None:
            built = typer.main.get_command(importlib.import_module(module).app)
            assert isinstance(built, typer.core.TyperGroup), f"{module}.app needs a callback"
            group = self._loaded[module] = built
        return group

    def summary(self, ctx: Any, name: str) -> str | None:
        entry = self.table.get(name)
        return tr(entry.summary) if entry is not None else super().summary(ctx, name)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        name = args[0]
        command = self.get_command(ctx, name)
        if command is None and not ctx.resilient_parsing:
            unknown_command(name, self.list_commands(ctx), ctx.command_path)
        return (name if command is not None else None), command, args[1:]


def unknown_command(name: str, known: list[str], path: str) -> NoReturn:
    from workflow.errors import UsageError

    close = difflib.get_close_matches(name, known)
    hint = (i18n._("did you mean {names}?").format(names=", ".join(close)) + " " if close else "") + \
        i18n._("see `{command} --help`").format(command=path)
    raise UsageError(i18n._("no command {name!r}").format(name=name), hint)
