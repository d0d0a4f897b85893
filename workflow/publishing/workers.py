"""Work split between this process and one forked child (a build on two cores).

The child inherits everything by fork, so the function may be a closure;
only its result crosses back (pickled, through a pipe).  An exception raised
in the child is raised again in the parent; a child that dies without an
answer (killed for lack of memory, a crash in a C library) is an error, not
a wait without end (`multiprocessing.Pool` waits for a lost task forever).
The caller decides whether the split is worth it; the bytes a build writes
never depend on it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from workflow.errors import PubflowError
from workflow.i18n import _

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")
R = TypeVar("R")
_FORKED: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class _Failed:
    """A PubflowError raised in the forked child, to raise again as it was in the parent."""

    kind: type[PubflowError]
    message: str
    hint: str | None


@dataclass(frozen=True)
class _Raised:
    """Any other exception raised in the forked child (a bug), to raise again in the parent."""

    error: BaseException


def _deaf_to_interrupts() -> None:
    """The child leaves Ctrl-C to the parent (the terminal sends it to both): the parent stops it
    and cleans up; its own KeyboardInterrupt printed a traceback under the one-line message."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call_forked(items: Any) -> Any:
    assert _FORKED is not None
    try:
        return _FORKED(items)
    except PubflowError as exc:
        return _Failed(type(exc), exc.message, exc.hint)


def _run_forked(send: Connection, items: Any) -> None:
    """The child: its half's result (or what it raised) sent to the parent."""
    _deaf_to_interrupts()
    try:
        try:
            answer: Any = _call_forked(items)
        except BaseException as exc:  # noqa: BLE001 - the parent raises it again
            answer = _Raised(exc)
        try:
            send.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer or exception that does not pickle
            send.send(_Raised(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def _answer(receive: Connection, child: Any) -> Any:
    """What the child sent; a child that ended without sending anything is an error."""
    try:
        answer = receive.recv()
    except EOFError:
        child.join()
        code = child.exitcode
        how = (_("killed by signal {n}").format(n=-code) if code is not None and code < 0
               else _("exit status {n}").format(n=code))
        raise PubflowError(_("the second build process stopped without an answer ({how})").format(how=how),
                           _("run the command again; a process killed for lack of memory shows in `dmesg`")
                           ) from None
    if isinstance(answer, _Raised):
        raise answer.error
    return answer


def two_cores(fn: Callable[[list[T]], R], items: list[T], worth: bool,
              undo: Callable[[R], None] | None = None) -> tuple[R, R] | None:
    """`fn` of the first half of `items` here and of the second half in a forked child, at once;
    None when it is not `worth` it or cannot be done (one core, no fork).

    When `fn` has effects (files written), `undo` takes back the effects of a half that did
    succeed when the other half failed: the caller sees the failure and nothing of either half
    (a failing `fn` takes back its own).  On an interrupt the child is terminated, not waited
    for: the caller then cleans up what it may have left."""
    global _FORKED
    import multiprocessing

    if (not worth or len(items) < 2 or (os.cpu_count() or 1) < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    half = len(items) // 2
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    _FORKED = fn
    try:
        child = context.Process(target=_run_forked, args=(send, items[half:]), daemon=True)
        child.start()
    finally:
        _FORKED = None
        send.close()  # the child's end: its death is then EOF here
    try:
        try:
            mine = fn(items[:half])
        except Exception:
            if undo is not None:  # wait for the child, then take back what it did
                with contextlib.suppress(Exception):
                    done = _answer(receive, child)
                    if not isinstance(done, _Failed):
                        undo(done)
            raise
        try:
            theirs = _answer(receive, child)
        except BaseException:
            if undo is not None:
                undo(mine)
            raise
    finally:
        receive.close()
        if child.is_alive():
            child.terminate()  # an interrupt: not waited for
        child.join()
    if isinstance(theirs, _Failed):
        if undo is not None:
            undo(mine)
        raise theirs.kind(theirs.message, theirs.hint)
    return mine, theirs
