"""The printed output of `list`, `pending` and `inbox`, remembered in the newsroom's index.

Aligning 10,000 rows of `pubflow list` costs more CPU than reading them, so
the text a command printed is kept in the index (`.pubflow/index.sqlite`,
derived data) and printed again while nothing it depends on has changed:

* the releases and pubflow.yaml: the text is stored under the index
  generation it was made from, and any change to a release or to
  pubflow.yaml makes a new generation (`workflow.storage.index`);
* the command line and the output width (the `key` parts);
* the interface language and its catalog files (`i18n.catalog_key`), so a
  new or updated catalog (.po or .mo) shows at once;
* other files it reads, by their stat stamp (`file_part`, e.g. glossary.yaml);
* the clock, when the output depends on it: `render` says until when its
  text holds (the next embargo end, for `inbox`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from workflow import i18n

if TYPE_CHECKING:
    import sqlite3

Render = Callable[[], tuple[str | bytes, float | None]]  # (text or its UTF-8, until)


def key(*parts: str | int | bool | None) -> str | None:
    """The cache key of an output made of `parts`; None (do not keep it) while a catalog file is racy."""
    words = i18n.catalog_key()
    if words is None:
        return None
    return "\x1f".join(["" if part is None else str(part) for part in parts] + [words])


def file_part(path: str | os.PathLike[str]) -> str:
    """A file the output depends on, as a key part (its stat stamp)."""
    from workflow import filestamp

    return f"{os.fspath(path)}:{filestamp.stamp_text(filestamp.stamp(path))}"


def cached(conn: sqlite3.Connection, cache_key: str | None, render: Render) -> str:
    """The output stored under `cache_key` for the index's current generation, else `render()`'s (kept).

    `render` returns (text, until): `until` is a time.time() after which the
    text no longer holds, or None.  `conn` is a freshly refreshed index.
    """
    out = _kept_or_rendered(conn, cache_key, render)
    if isinstance(out, str):
        return out
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise _damaged() from None


def print_cached_json(conn: sqlite3.Connection, cache_key: str | None, render: Render) -> None:
    """`cached` JSON printed from the UTF-8 bytes the index keeps: a large output (`list --json`) is
    not decoded and encoded again.  Kept bytes that are not UTF-8 are a damaged index, as for `cached`
    (they were printed with replacement characters)."""
    from workflow.cli.common import print_json_bytes

    out = _kept_or_rendered(conn, cache_key, render)
    try:
        print_json_bytes(out if isinstance(out, bytes) else out.encode("utf-8"), strict=True)
    except UnicodeDecodeError:
        raise _damaged() from None


def _damaged() -> Exception:
    """Kept bytes that are not UTF-8: written by hand, the index is damaged (`index.opened` rebuilds it)."""
    import sqlite3

    return sqlite3.DatabaseError("a kept output is not UTF-8")


def _kept_or_rendered(conn: sqlite3.Connection, cache_key: str | None, render: Render) -> bytes | str:
    """The bytes kept under `cache_key` while they hold, else `render()`'s text (now kept)."""
    from workflow.storage import index

    if cache_key is None:
        return render()[0]
    conn.execute("BEGIN")  # one snapshot: the generation and the text stored for it
    made_from = index.generation(conn)
    stored = index.cached_bytes(conn, cache_key, made_from)
    conn.execute("COMMIT")
    if stored is not None:
        until, _sep, raw = stored.partition(b"\n")
        if not until or _before(until):
            return raw
    text, valid_until = render()  # reads the index after `made_from`: never older than it
    head = "" if valid_until is None else repr(valid_until)
    if isinstance(text, str):
        index.cache_text(conn, cache_key, made_from, head + "\n" + text)
    else:  # kept as the UTF-8 it is (a BLOB): `cached_bytes` reads both as bytes
        index.cache_text(conn, cache_key, made_from, head.encode("ascii") + b"\n" + text)
    return text


def _before(until: bytes) -> bool:
    """Whether the clock is before `until` (a time.time() kept in the index; one edited by hand: no)."""
    try:
        return time.time() < float(until)
    except ValueError:
        return False
