"""Work split between this process and one forked child (a build on two cores).

The child inherits everything by fork, so the function may be a closure;
only its result crosses back (pickled).  A `PubflowError` raised in the
child is raised again in the parent as it was.  The caller decides whether
the split is worth it; the bytes a build writes never depend on it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from workflow.errors import PubflowError

T = TypeVar("T")
R = TypeVar("R")
_FORKED: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class _Failed:
    """A PubflowError raised in the forked child, to raise again as it was in the parent."""

    kind: type[PubflowError]
    message: str
    hint: str | None


def _call_forked(items: Any) -> Any:
    assert _FORKED is not None
    try:
        return _FORKED(items)
    except PubflowError as exc:
        return _Failed(type(exc), exc.message, exc.hint)


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
    _FORKED = fn
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            child = pool.apply_async(_call_forked, (items[half:],))
            try:
                mine = fn(items[:half])
            except Exception:
                if undo is not None:  # wait for the child, then take back what it did
                    with contextlib.suppress(Exception):
                        done = child.get()
                        if not isinstance(done, _Failed):
                            undo(done)
                raise
            try:
                theirs = child.get()
            except BaseException:
                if undo is not None:
                    undo(mine)
                raise
    finally:
        _FORKED = None
    if isinstance(theirs, _Failed):
        if undo is not None:
            undo(mine)
        raise theirs.kind(theirs.message, theirs.hint)
    return mine, theirs
