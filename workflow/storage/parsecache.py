"""Parsed YAML kept by content: `.pubflow/parsed.sqlite`, so a file is parsed once, not per build.

Each entry is keyed by the sha256 of a file's exact bytes and holds the data
`yamlio.parse` made of them, as deflated JSON, signed with this user's key
(`storage.cache.user_key`, kept outside every newsroom: an entry another user or
a carried-in `.pubflow/` made is not believed; without a key there is no cache)
and with `parser_id` (one another pubflow, PyYAML or Python kept is parsed again).  It
says nothing else: not whether a file changed, not which file it was.  A file
whose bytes differ by one (a hand edit keeping size and mtime) has another key;
only a document that JSON gives back exactly (strings, integers, finite floats,
booleans, null, lists, string-keyed mappings: no YAML dates; checked by reading
the JSON back) is kept, deflated; errors are never kept (a file that does not
parse is parsed again, and words its error).

The cache is derived data like the index beside it, read with care: a cache
that is not a regular file (a link, a FIFO), a `.pubflow/` linked elsewhere,
or a damaged database or one holding anything but its two tables (a view, a
trigger: SQL a carried-in file would run) is not used (a damaged file or a link is removed; the
link, never what it leads to); an entry whose
signature does not match, that is larger than any honest one, or whose JSON
does not load reads as absent and is parsed (and stored) again.  Nothing here
is ever an error: without the cache, files are parsed as before.  Concurrent
processes share it through SQLite's WAL with a short busy timeout; one that
cannot write drops its new entries.  Entries not read for `KEEP_DAYS` days
are pruned (at most once a day), so old versions of files do not pile up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any

from workflow.storage import cache, limits, store, yamlio

NAME = "parsed.sqlite"
VERSION = 2
BUSY_MS = 2_000
KEEP_DAYS = 30
MAX_TEXT = 8 * limits.YAML_BYTES  # JSON of an honest parse stays far below (escapes at most ~6x)
MAX_VALUE = MAX_TEXT + 1024  # deflated, it is smaller still
# A rowid table (rows of several KB: WITHOUT ROWID suits small rows only), values deflated, large pages.
_SCHEMA = ("CREATE TABLE IF NOT EXISTS parsed (key BLOB PRIMARY KEY, value BLOB NOT NULL, "
           "checksum BLOB NOT NULL, day INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
# What `sqlite_master` holds in pubflow's cache, and nothing else: a planted database with a view
# (a recursive one never ends), a trigger or another table in their place hung every build.
_MASTER = {("table", "parsed", "parsed", _SCHEMA[0].replace("IF NOT EXISTS ", "")),
           ("table", "meta", "meta", _SCHEMA[1].replace("IF NOT EXISTS ", "")),
           ("index", "sqlite_autoindex_parsed_1", "parsed", None)}
_MISS = object()
# A damaged file can make Python's sqlite3 raise UnicodeDecodeError (schema text, or SQLite's own
# message quoting it, that is not UTF-8): a build stopped with an internal error.
_DAMAGED = (sqlite3.Error, UnicodeDecodeError)
OFF_ENV = "PUBFLOW_NO_PARSE_CACHE"  # set (to anything): parse every file, keep nothing


def enabled() -> bool:
    return not os.environ.get(OFF_ENV)


def _refuse(value: Any) -> Any:
    raise TypeError(type(value).__name__)  # a date, a set: not JSON, the file is parsed every time


def parser_id() -> bytes | None:
    """What `yamlio.parse` gives depends on besides the bytes: pubflow's reader (the source of
    `yamlio` and `limits`), PyYAML and libyaml, Python (its float and integer rules).  An entry
    is signed with it, so one another version kept is parsed again (entries renewed when read
    would otherwise outlive an upgrade for ever); None (no cache) when the source cannot be read."""
    import sys

    import yaml

    digest = hashlib.sha256(f"{VERSION}|{sys.version}|{sys.get_int_max_str_digits()}|{yaml.__version__}|".encode())
    try:
        from yaml import _yaml

        digest.update(str(_yaml.get_version_string()).encode())
    except (ImportError, AttributeError):
        digest.update(b"no libyaml")
    try:
        for module in (yamlio, limits):
            digest.update(Path(module.__file__ or "").read_bytes())
    except OSError:
        return None
    return digest.digest()


def _today() -> int:
    return int(time.time() // 86_400)


class ParseCache:
    """The parse cache of one newsroom (`state_dir` is its `.pubflow/`), for one process at a time:
    a forked child opens its own connection."""

    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self.folder = os.fspath(state_dir)
        self.path = os.path.join(self.folder, NAME)
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._off = False
        self._pending: dict[bytes, bytes] = {}
        self._touched: list[bytes] = []  # entries read that are older than a week: their day is renewed
        self._inherited: list[sqlite3.Connection] = []  # a parent's connection, never used nor closed here
        self.hits = self.misses = 0
        self._mac_key: bytes | None = None
        self._parser = b""  # `parser_id`, part of every signature

    def _checksum(self, key: bytes, value: bytes) -> bytes:
        """The entry's signature with this user's key: a cache carried in with a newsroom (`git add -f`,
        an archive) or planted by someone else is never believed, only parsed again and replaced."""
        assert self._mac_key is not None
        return hashlib.blake2b(b"parsed\0" + self._parser + key + b"\0" + value, key=self._mac_key,
                               digest_size=32).digest()

    # ------------------------------------------------------------ reading
    def parse(self, raw: bytes, where: str, keep: bool = True) -> Any:
        """`yamlio.parse` of the file bytes `raw` (`where` names it in errors), from the cache when the
        same bytes were parsed before; kept for next time only with `keep` (the caller says no for a
        file reached through a link, which may lie outside the newsroom: its data is not copied in)."""
        key = hashlib.sha256(raw).digest()
        found = self._lookup(key)
        if found is not _MISS:
            self.hits += 1
            return found
        self.misses += 1
        data = yamlio.parse(yamlio.decode(raw, where), where)
        try:
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_refuse)
            value = text.encode("utf-8")
            # Kept only when JSON gives exactly this back (no key turned into text, no type changed).
            exact = len(value) <= MAX_TEXT and json.loads(text) == data
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError):  # a date, a lone surrogate...
            exact = False
        if exact and keep:
            self._pending[key] = zlib.compress(value, 1)  # a third of the size; inflating costs less than reading
        return data

    def _connection(self) -> sqlite3.Connection | None:
        if self._off:
            return None
        if self._pid != os.getpid():  # a forked child: the parent's connection is not ours to use
            if self._conn is not None:
                self._inherited.append(self._conn)
            self._conn, self._pid, self._pending, self._touched = None, os.getpid(), {}, []
        if self._conn is None:
            self._mac_key, parser = cache.user_key(), parser_id()
            self._parser = parser or b""
            self._conn = self._open() if self._mac_key is not None and parser is not None else None
            if self._conn is None:
                self._off = True
        return self._conn

    def _open(self) -> sqlite3.Connection | None:
        try:
            if os.path.islink(self.folder) or not os.path.isdir(self.folder):
                return None  # .pubflow/ leading elsewhere, or not there: no cache
            store.remove_foreign_database_files(self.path)  # a link or a FIFO planted there: never followed
        except OSError:
            return None
        for attempt in (1, 2):
            conn = None
            try:
                conn = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
                if conn.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                    conn.execute("PRAGMA page_size = 16384")  # before WAL: only an empty file takes it
                    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute("BEGIN IMMEDIATE")
                    if conn.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                        conn.execute("DROP TABLE IF EXISTS parsed")
                        conn.execute("DROP TABLE IF EXISTS meta")
                        for statement in _SCHEMA:
                            conn.execute(statement)
                        conn.execute(f"PRAGMA user_version = {VERSION}")
                    conn.execute("COMMIT")
                conn.execute("PRAGMA synchronous = NORMAL")
                if set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")) != _MASTER:
                    raise sqlite3.DatabaseError("not the schema pubflow made")  # removed, made again
                conn.execute("SELECT key, value, checksum, day FROM parsed LIMIT 0").fetchall()
                return conn
            except _DAMAGED as exc:
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
                text = str(exc)
                if attempt == 2 or "locked" in text or "readonly" in text or "unable to open" in text:
                    return None
                self._remove()  # damaged: it is only a cache
        return None  # pragma: no cover - the loop returns

    def _remove(self) -> None:
        with contextlib.suppress(OSError):
            store.remove_database(self.path)

    def _lookup(self, key: bytes) -> Any:
        conn = self._connection()
        if conn is None:
            return _MISS
        try:
            row = conn.execute("SELECT value, checksum, day FROM parsed WHERE key = ? AND length(value) <= ?",
                               (key, MAX_VALUE)).fetchone()
        except _DAMAGED:
            self._off = True
            return _MISS
        if row is None:
            return _MISS
        value, checksum, day = row
        if not (isinstance(value, bytes) and isinstance(checksum, bytes)
                and hmac.compare_digest(checksum, self._checksum(key, value))):
            return _MISS  # damaged entry: parsed again and replaced
        try:
            inflate = zlib.decompressobj()
            text = inflate.decompress(value, MAX_TEXT)
            if inflate.unconsumed_tail or not inflate.eof:
                return _MISS  # larger than any honest entry, or cut short
            data = json.loads(text)
        except (ValueError, RecursionError, zlib.error):
            return _MISS
        if isinstance(day, int) and day < _today() - 7:
            self._touched.append(key)
        return data

    # ------------------------------------------------------------ writing
    def flush(self) -> None:
        """Store what this process parsed that the cache did not have (one transaction; nothing on
        failure: the files are parsed again next time)."""
        if not self._pending and not self._touched:
            return
        conn = self._connection()
        pending, touched = self._pending, self._touched
        self._pending, self._touched = {}, []
        if conn is None:
            return
        today = _today()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)",
                                 [(key, value, self._checksum(key, value), today) for key, value in pending.items()])
                conn.executemany("UPDATE parsed SET day = ? WHERE key = ?", [(today, key) for key in touched])
                pruned = conn.execute("SELECT value FROM meta WHERE key = 'pruned'").fetchone()
                if pruned is None or pruned[0] != str(today):
                    conn.execute("DELETE FROM parsed WHERE day < ?", (today - KEEP_DAYS,))
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (str(today),))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        except _DAMAGED:
            self._off = True

    def close(self) -> None:
        self.flush()
        if self._conn is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None
