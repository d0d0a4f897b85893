"""The one place where an exception becomes what a user sees: one line on stderr and an exit code.

Exit codes (README, `workflow.errors`): 0 done, 2 usage, 3 not found,
4 refused, 5 invalid data, 6 conflict, 7 outside service, 130 interrupted,
141 the reader of our output went away (`pubflow list | head`), 1 only for a
bug (its traceback with PUBFLOW_DEBUG=1).
"""

from __future__ import annotations

import os
import sys

import typer

from workflow.errors import INTERNAL, PubflowError
from workflow.i18n import _

INTERRUPTED = 130
PIPE_CLOSED = 141  # what a shell reports for a process ended by SIGPIPE, like `yes | head`
DEBUG_ENV = "PUBFLOW_DEBUG"


def say_error(message: str) -> None:
    """`error: message` on stderr (API keys masked: the last line of defence)."""
    from workflow.core.textrules import terminal
    from workflow.redact import redact

    typer.echo(terminal(_("error: {message}").format(message=redact(message)), one_line=True), err=True)


def handle(exc: BaseException) -> int:
    """Report `exc` (if it needs a word) and return the exit code it ends the run with.

    A bug is re-raised with its traceback when PUBFLOW_DEBUG is set.
    """
    if isinstance(exc, typer.Exit):  # also --help and click's own ctx.exit()
        return exc.exit_code
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else INTERNAL)
    if isinstance(exc, PubflowError):
        say_error(exc.line() if exc.hint else f"{exc.line()} ({next_step(exc)})")
        return exc.exit_code
    if isinstance(exc, typer.TyperException):  # click's usage errors: unknown option, missing argument, bad value
        message, hint = usage_words(exc)
        say_error(_("{message} ({hint})").format(message=message, hint=hint))
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt | typer.Abort | EOFError):
        say_error(_("interrupted; everything saved so far is on disk"))
        return INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return stdout_closed()
    if os.environ.get(DEBUG_ENV):
        raise exc
    say_error(_("internal error: {error}; run again with PUBFLOW_DEBUG=1 and report it").format(
        error=f"{type(exc).__name__}: {exc}"))
    return INTERNAL


def next_step(exc: PubflowError) -> str:
    """What to do next after an error that did not say it itself: by kind of error."""
    from workflow import errors

    steps: list[tuple[type[PubflowError], str]] = [
        (errors.InvalidDefinition, _("fix the workflow in pubflow.yaml, then run `pubflow verify`")),
        (errors.InvalidData, _("fix what is named above, then run `pubflow verify`")),
        (errors.UsageError, _("see `pubflow COMMAND --help`")),
        (errors.NotFound, _("check the name; `pubflow list` shows the releases")),
        (errors.Refused, _("`pubflow show ID` shows what is allowed now")),
        (errors.Conflict, _("someone changed it first: run the command again")),
        (errors.ExternalError, _("check that the service or program is reachable, then try again")),
    ]
    for kind, step in steps:
        if isinstance(exc, kind):
            return step
    return _("run again with PUBFLOW_DEBUG=1 and report it")


def param_label(param: object) -> str:
    """How a user types `param`: its long option (--lang), or an argument's name as the usage line shows it."""
    opts = [str(o) for o in getattr(param, "opts", ()) or ()]
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    return str(getattr(param, "name", "") or "").upper()


def usage_words(exc: typer.TyperException) -> tuple[str, str]:
    """click's usage error in the interface language: (what is wrong, what to do next).

    click writes its messages in English; the ones a user meets (unknown
    option, missing argument or value, bad value, extra argument) are said
    again here through pubflow's catalog.
    """
    import re

    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if isinstance(ctx, typer.Context) else "pubflow"
    see = _("see `{command} --help`").format(command=command)
    kind = type(exc).__name__
    raw = str(getattr(exc, "message", "") or "")
    param = getattr(exc, "param", None)
    if kind == "NoSuchOption":
        message = _("no option {name}").format(name=getattr(exc, "option_name", "?"))
        close = sorted(getattr(exc, "possibilities", None) or ())
        if not close and isinstance(ctx, typer.Context):
            import difflib

            known = [o for param in ctx.command.params for o in getattr(param, "opts", ()) if o.startswith("--")]
            close = difflib.get_close_matches(str(getattr(exc, "option_name", "")), known, n=3)
        if close:
            return message, _("did you mean {names}?").format(names=", ".join(close)) + " " + see
        return message, see
    if kind == "MissingParameter":
        return _("{name} is missing").format(name=param_label(param)), see
    if kind == "BadOptionUsage" and "requires an argument" in raw:
        return _("{name} needs a value").format(name=getattr(exc, "option_name", "?")), see
    if kind == "BadParameter":
        name = param_label(param)
        least = re.search(r"greater than or equal to (-?\d+)", raw)
        if least is not None:
            return _("{name} must be at least {n}").format(name=name, n=least.group(1)), see
        if "valid integer" in raw:
            return _("{name} takes a whole number").format(name=name), see
        return _("{name}: not a valid value").format(name=name), see
    extra = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", raw)
    if extra is not None:
        return _("too many arguments: {args}").format(args=extra.group(1)), see
    return " ".join(exc.format_message().split()), see


def stdout_closed() -> int:
    """The reader of our output went away (`pubflow list | head`): stop quietly.

    Later writes (and the interpreter's final flush) go to /dev/null, so no
    "Exception ignored" noise either; returns the exit code to end with.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests' captured output)
        pass
    return PIPE_CLOSED
