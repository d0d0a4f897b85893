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
    from workflow.redact import redact

    typer.echo(_("error: {message}").format(message=redact(message)), err=True)


def handle(exc: BaseException) -> int:
    """Report `exc` (if it needs a word) and return the exit code it ends the run with.

    A bug is re-raised with its traceback when PUBFLOW_DEBUG is set.
    """
    if isinstance(exc, typer.Exit):  # also --help and click's own ctx.exit()
        return exc.exit_code
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else INTERNAL)
    if isinstance(exc, PubflowError):
        say_error(exc.line())
        return exc.exit_code
    if isinstance(exc, typer.TyperException):  # click's usage errors: unknown option, missing argument, bad value
        message = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if isinstance(ctx, typer.Context) else "pubflow"
        say_error(_("{message} (see `{command} --help`)").format(message=message, command=command))
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
