"""Has a file changed? Its stat stamp: the one change-detection rule of pubflow.

A file's stamp is `(inode, mtime_ns, ctime_ns, size)`: a replaced file (a
`git checkout`, an atomic write) gets a new inode, an edit in place a new
mtime and ctime, and `touch -d` cannot hide an edit because ctime follows
every change.  A missing file's stamp is `MISSING`.

The racy rule (from git's "racy git" problem): a file written in the last
second may be written again within the same clock tick and keep its mtime
and size.  A stamp taken less than `RACY_NS` after the file changed is
therefore not trusted: callers remember it as "check again next time".

This module sits below every layer (only `os` and `time`) so that the
gettext runtime (`workflow.i18n`) and the storage caches
(`workflow.storage.cache`) use the same rule.
"""

from __future__ import annotations

import os
import time

Stamp = tuple[int, ...]
MISSING: Stamp = (-1,)
RACY_NS = 1_000_000_000


def stamp(path: str | os.PathLike[str]) -> Stamp:
    """`(inode, mtime_ns, ctime_ns, size)` of `path`, or `MISSING` when it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return MISSING
    return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def racy_cutoff(now_ns: int | None = None) -> int:
    """Stamps of files changed at or after this moment are racy; take it BEFORE the stamps."""
    return (time.time_ns() if now_ns is None else now_ns) - RACY_NS


def is_racy(key: Stamp, cutoff: int) -> bool:
    """True when the file changed too recently (see `racy_cutoff`) for its stamp to be trusted."""
    return len(key) > 2 and (key[1] >= cutoff or key[2] >= cutoff)


def stamp_text(key: Stamp) -> str:
    """A stamp as compact text (for keys kept in JSON or in text caches)."""
    return ":".join(str(part) for part in key)
