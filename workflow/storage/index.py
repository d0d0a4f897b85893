"""A derived SQLite index of the releases: fast `list`, `pending` and `inbox`.

The index lives in `.pubflow/index.sqlite`; it holds nothing that is not in
the release files, so deleting it loses nothing (it is rebuilt on the next
read).  Every read first checks it against the files: each release is keyed
by the (inode, mtime, ctime, size) of `release.yaml` and of each of its
`<lang>.yaml` files, so a `git pull`, a hand edit or another pubflow process
is seen at once, and only the releases whose files changed are parsed again.
A file changed within the last second ("racy", as git calls it: a second
write in the same clock tick could keep its mtime) is re-checked on the next
read as well.

Stat before read: the key stored for a release is taken before its files
are parsed, so a change that lands while we parse only makes the next read
parse it again; the index is never ahead of or behind the files it names.

Concurrency: SQLite in WAL mode with a busy timeout; each refresh is one
transaction.  Two processes refreshing at once write the same rows.  An index
that is corrupt, from another pubflow version, or for another language set
is deleted and rebuilt; one that cannot be written at all (read-only
newsroom) is bypassed: results then come straight from the files.

Importing this module is cheap (os, sqlite3); the YAML and release parsing
stack is imported only when some release actually changed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from workflow.storage import cache, progress

if TYPE_CHECKING:
    from workflow.core.config import Config
    from workflow.core.model import Document
    from workflow.core.summary import ReleaseSummary
    from workflow.storage.newsroom import Newsroom

INDEX_NAME = "index.sqlite"
# Bump when the tables or the meaning of a column change: older files are rebuilt.
INDEX_VERSION = 7  # 5: approvals bound to the exact source and text; 6: unreadable releases in `problems`;
# 7: progress text marks a published source language (en ✓)
SNIPPET = 80
BUSY_MS = 10_000
NO_INDEX_ENV = "PUBFLOW_NO_INDEX"
# Statuses whose rows keep full texts (they are what `pending` and `inbox` list).
WORK_STATUSES = ("untranslated", "machine", "stale", "translated")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE releases (
    id TEXT PRIMARY KEY,
    sig INTEGER,               -- hash of the files' stat keys, NULL = check again next time
    files TEXT NOT NULL,       -- language codes whose <lang>.yaml belong to the release
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    source_language TEXT NOT NULL,
    languages TEXT NOT NULL,   -- space-separated, release order
    date TEXT NOT NULL,
    category TEXT NOT NULL,
    embargo TEXT,
    revision INTEGER NOT NULL,
    published TEXT NOT NULL,   -- space-separated published languages
    progress TEXT NOT NULL,    -- JSON {lang: {status: count, ..., total: n}}
    progress_text TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX releases_state ON releases (state);
CREATE TABLE segments (
    release TEXT NOT NULL,
    lang_pos INTEGER NOT NULL, -- position of the language in the release's languages
    language TEXT NOT NULL,
    position INTEGER NOT NULL, -- position of the segment in the source
    segment TEXT NOT NULL,
    status TEXT NOT NULL,      -- effective status (stale when the source moved on)
    snippet TEXT NOT NULL,     -- start of the source text
    source TEXT NOT NULL,      -- full source text (only for statuses in WORK_STATUSES)
    text TEXT NOT NULL,        -- translation (idem)
    old_source TEXT NOT NULL,  -- the source the translation renders (idem)
    origin TEXT NOT NULL,
    translator TEXT NOT NULL,
    PRIMARY KEY (release, lang_pos, position)
) WITHOUT ROWID;
CREATE INDEX segments_status ON segments (status, language);
CREATE TABLE problems (         -- release folders that cannot be read: left out, one warning each
    id TEXT PRIMARY KEY,
    sig INTEGER,               -- hash of the stat keys of its yaml files, NULL = check again next time
    files TEXT NOT NULL,       -- the language codes of the <lang>.yaml files it had
    line TEXT NOT NULL         -- why, in the words reading it gave
) WITHOUT ROWID;
CREATE TABLE rendered (         -- output of `pubflow list` for one set of options, one generation
    key TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    text TEXT NOT NULL
) WITHOUT ROWID;
"""


class IndexUnavailable(Exception):
    """The index cannot be used here; callers read the files directly."""


def enabled() -> bool:
    return not os.environ.get(NO_INDEX_ENV)


def index_path(root: str | os.PathLike[str]) -> str:
    return os.path.join(os.fspath(root), ".pubflow", INDEX_NAME)


# ------------------------------------------------------------------ opening
_SCHEMA_ROWS: list[tuple[str, str, str]] = []


def _schema_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                               "AND sql IS NOT NULL").fetchall())


def _expected_schema() -> list[tuple[str, str, str]]:
    """The tables and indexes `SCHEMA` makes, as sqlite_master holds them (computed once)."""
    if not _SCHEMA_ROWS:
        memory = sqlite3.connect(":memory:")
        try:
            memory.executescript(SCHEMA)
            _SCHEMA_ROWS.extend(_schema_rows(memory))
        finally:
            memory.close()
    return _SCHEMA_ROWS


def _connect_once(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == INDEX_VERSION and _schema_rows(conn) != _expected_schema():
            version = -1  # the right version number over other tables (dropped, altered by hand): rebuilt
        if version != INDEX_VERSION:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != INDEX_VERSION or _schema_rows(conn) != _expected_schema():
                # nobody rebuilt it while we waited for the lock
                for (kind, name) in conn.execute(
                        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                        "AND name NOT LIKE 'sqlite_%'").fetchall():
                    conn.execute(f'DROP {kind} IF EXISTS "{name}"')
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {INDEX_VERSION}")
            conn.execute("COMMIT")
        conn.execute("PRAGMA synchronous = NORMAL")
    except UnicodeDecodeError as exc:  # damaged: its schema text (or SQLite's words about it) is not UTF-8
        conn.close()
        raise sqlite3.DatabaseError(str(exc)) from None
    except BaseException:
        conn.close()
        raise
    return conn


def connect(root: str | os.PathLike[str]) -> sqlite3.Connection:
    """An open, current-version index for the newsroom at `root` (created if missing)."""
    path = index_path(root)
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(str(exc)) from None
    if os.path.islink(folder):  # .pubflow/ leading elsewhere (carried in): no index written through it
        raise IndexUnavailable(folder)
    from workflow.storage import store

    try:  # a link committed with `git add -f` as .pubflow/index.sqlite -> another application's database
        store.remove_foreign_database_files(path)
    except OSError as exc:
        raise IndexUnavailable(str(exc)) from None
    for attempt in (1, 2):
        try:
            return _connect_once(path)
        except sqlite3.DatabaseError as exc:
            if attempt == 2 or "locked" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc):
                raise IndexUnavailable(str(exc)) from None
            store.remove_database(path)  # corrupt: it is only a cache
    raise IndexUnavailable(path)  # pragma: no cover - the loop returns or raises


# ------------------------------------------------------------------ keys
def _is_release_id(name: str) -> bool:
    from workflow.core.model import ID_RE

    return bool(ID_RE.match(name))


def _disk_ids(releases_dir: str, known: set[str]) -> list[str]:
    """The release folders under releases/: real folders, as `Newsroom.release_folders` lists them (a
    link named like a release is no release, wherever it leads)."""
    try:
        entries = os.scandir(releases_dir)
    except FileNotFoundError:
        return []
    with entries:
        return sorted(e.name for e in entries
                      if (e.name in known or _is_release_id(e.name)) and e.is_dir(follow_symlinks=False))


# ------------------------------------------------------------------ refresh
def _config_key(root: str, cutoff: int) -> str:
    """The stamp of pubflow.yaml as text; "" (never stored, so never equal) while it is racy."""
    key = cache.stamp(os.path.join(root, "pubflow.yaml"))
    return "" if cache.is_racy(key, cutoff) else cache.stamp_text(key)


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def generation(conn: sqlite3.Connection) -> str:
    """Changes whenever any release row changes (keys the cached `list` output)."""
    return _meta(conn, "generation") or "0"


def _next_generation(conn: sqlite3.Connection) -> None:
    """Call inside a write transaction."""
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', ?)",
                 (str(int(generation(conn)) + 1),))
    conn.execute("DELETE FROM rendered")


def cached_bytes(conn: sqlite3.Connection, key: str, current: str) -> bytes | None:
    """The output remembered under `key` for generation `current` (read in the same transaction), as
    the UTF-8 bytes SQLite holds (not decoded)."""
    row = conn.execute("SELECT CAST(text AS BLOB) FROM rendered WHERE key = ? AND generation = ?",
                       (key, current)).fetchone()
    return None if row is None else bytes(row[0])


def cache_text(conn: sqlite3.Connection, key: str, made_from: str, text: str | bytes) -> None:
    """Remember an output made from generation `made_from`; one that cannot be written is no loss.

    An output made from an older generation than the index holds by now is
    stored under that older generation, so it is never served.
    """
    with contextlib.suppress(sqlite3.Error):
        conn.execute("INSERT OR REPLACE INTO rendered (key, generation, text) VALUES (?, ?, ?)",
                     (key, made_from, text))


def config_facts(config: Config) -> dict[str, str]:
    """What the index remembers of pubflow.yaml (validated by `load_config`)."""
    return {
        "languages": " ".join(config.languages),
        "states": " ".join(config.workflow.states),
    }


def refresh(root: str | os.PathLike[str], conn: sqlite3.Connection, config: Config | None = None) -> int:
    """Bring the index up to date with the files; returns how many releases were parsed.

    A release folder that cannot be read (no release.yaml, broken YAML, a
    link out of the newsroom) is left out of the index and recorded in the
    `problems` table with the error reading it gave (`problems()`); it is read
    again only when its files change.  Every other release is indexed.
    """
    root = os.fspath(root)
    releases_dir = os.path.join(root, "releases")
    racy_after = cache.racy_cutoff()
    config_key = _config_key(root, racy_after)
    # The rows and the stamp of releases/ they were listed under, from one snapshot: another process's
    # refresh commits both at once (read apart, its newer stamp could vouch for our older rows).
    conn.execute("BEGIN")
    try:
        stored: dict[str, tuple[int | None, str]] = {
            rid: (sig, files) for rid, sig, files in conn.execute("SELECT id, sig, files FROM releases")}
        broken: dict[str, tuple[int | None, str]] = {
            rid: (sig, files) for rid, sig, files in conn.execute("SELECT id, sig, files FROM problems")}
        listed_under = _meta(conn, "releases_folder")
    finally:
        conn.execute("COMMIT")
    if _meta(conn, "config") != config_key:
        if config is None:
            from pathlib import Path

            from workflow.storage.newsroom import Newsroom

            config = Newsroom.open(Path(root)).config  # validates all of pubflow.yaml
        facts = config_facts(config)
        conn.execute("BEGIN IMMEDIATE")
        try:
            if _meta(conn, "languages") != facts["languages"]:
                # Which releases load at all depends on the configured languages.
                conn.execute("DELETE FROM releases")
                conn.execute("DELETE FROM segments")
                conn.execute("DELETE FROM problems")
                conn.execute("DELETE FROM meta WHERE key = 'releases_folder'")  # its ids are gone with them
                stored, broken, listed_under = {}, {}, None
            _next_generation(conn)
            # A racy pubflow.yaml is read again next time: its key is not remembered.
            for key, value in {**facts, "config": config_key or "-"}.items():
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    # Whether a release may be read depends on the way to its files too (a folder linked out of the
    # newsroom is refused), which no file's stamp shows: when releases/ is a link, or leads elsewhere
    # than when the rows were made, every row goes.
    where = os.path.realpath(releases_dir) if os.path.islink(releases_dir) else ""
    if (_meta(conn, "releases_where") or "") != where:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in ("releases", "segments", "problems"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            conn.execute("DELETE FROM meta WHERE key = 'releases_folder'")
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('releases_where', ?)", (where,))
            _next_generation(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        stored, broken, listed_under = {}, {}, None
    # The folders under releases/: read again only when the folder changed since the last read (an
    # entry added, removed or renamed changes its stamp); its own racy stamp is not remembered.
    folder_key = cache.stamp(releases_dir)
    folder_text = "" if cache.is_racy(folder_key, racy_after) else cache.stamp_text(folder_key)
    known = set(stored) | set(broken)
    if folder_text and listed_under == folder_text:
        ids = sorted(known)
    else:
        ids = _disk_ids(releases_dir, known)
    changed: list[tuple[str, str]] = []
    base = releases_dir + os.sep
    get = stored.get
    signature = cache.files_signature
    try:
        folder_fd: int | None = os.open(releases_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        folder_fd = None  # (no releases/ at all: nothing is stamped)
    try:
        for release_id in ids:
            entry = get(release_id) or broken.get(release_id)
            # The release's files: release.yaml and the <lang>.yaml of the languages it had (stat'ed
            # relative to releases/: the same files, a shorter path to resolve 30,000 times).
            if entry is None or entry[0] is None or signature(
                    f"{release_id}/", ("release", *entry[1].split()), ".yaml", folder_fd) != entry[0]:
                changed.append((release_id, base + release_id))
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
    gone = known - set(ids)
    remember = folder_text if listed_under != folder_text else None
    if not changed and not gone:
        if remember:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('releases_folder', ?)", (remember,))
        return 0
    _update(root, conn, changed, gone, racy_after, config, remember)
    return len(changed)


def _folder_codes(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [e.name[:-5] for e in entries if e.name.endswith(".yaml") and e.name != "release.yaml"]
    except FileNotFoundError:
        return []


Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]]]
Failure = tuple[str, int | None, str, str]  # (id, sig, files, line): a row of the problems table
# Releases to parse before it pays to fork worker processes: measured on 2 cores, 40 changed releases parse in
# about the same time either way and 100 (a `git pull`) in 285 instead of 455 ms.  Spawned workers (no fork:
# macOS, Windows) import pubflow again each, so they pay only for many more.
PARALLEL_FROM = 50
SPAWNED_FROM = 400


def _parse(nr: Newsroom, changed: Sequence[tuple[str, str]], racy_after: int, report: bool = False
           ) -> tuple[list[Rows], list[Failure]]:
    """Rows of each changed release that parses, in order, and a `Failure` for each that does not.

    With `report`, progress goes to `workflow.storage.progress` as it parses (not from a worker).
    """
    from workflow.errors import PubflowError

    rows: list[Rows] = []
    failures: list[Failure] = []
    total = len(changed) if report else 0
    for number, (release_id, folder) in enumerate(changed):
        if report and number % 50 == 0:
            progress.report("index", number, total)
        # Stat before read: key every yaml file present now, then parse.
        codes = sorted(_folder_codes(folder))
        keys = {code: cache.stamp(os.path.join(folder, f"{code}.yaml")) for code in codes}
        release_key = cache.stamp(os.path.join(folder, "release.yaml"))
        try:
            doc = nr.load(release_id)
        except PubflowError as exc:
            all_keys = [release_key, *keys.values()]
            racy = any(cache.is_racy(k, racy_after) for k in all_keys)
            line = exc.line() if os.path.exists(os.path.join(folder, "release.yaml")) else incomplete_line(release_id)
            failures.append((release_id, None if racy else cache.signature(all_keys), " ".join(codes), line))
            continue
        all_keys = [release_key, *(keys.get(code, cache.MISSING) for code in doc.release.languages)]
        racy = any(cache.is_racy(k, racy_after) for k in all_keys)
        rows.append(document_rows(nr, doc, None if racy else cache.signature(all_keys)))
    return rows, failures


def incomplete_line(release_id: str) -> str:
    from workflow.storage.newsroom import incomplete_line as line

    return line(release_id)


def _parse_in_worker(root: str, changed: Sequence[tuple[str, str]], racy_after: int
                     ) -> tuple[list[Rows], list[Failure]]:
    from pathlib import Path

    from workflow.storage.newsroom import Newsroom

    return _parse(Newsroom.open(Path(root)), changed, racy_after)


def _worth_workers(total: int, workers: int) -> bool:
    if total < PARALLEL_FROM or workers < 2:
        return False
    import multiprocessing
    import threading

    if "fork" not in multiprocessing.get_all_start_methods():
        return total >= SPAWNED_FROM
    # Forked while another thread holds a lock (a web server's worker threads), a child could wait forever.
    return threading.active_count() == 1


def _parse_all(root: str, nr: Newsroom, changed: list[tuple[str, str]], racy_after: int
               ) -> tuple[list[Rows], list[Failure]]:
    """`_parse`, over several processes when there is much to parse (a cold index)."""
    workers = min(os.cpu_count() or 1, 8)
    total = len(changed)
    if not _worth_workers(total, workers):
        parsed = _parse(nr, changed, racy_after, report=True)
        progress.report("index", total, total)
        return parsed
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Chunks of ~100 releases: small enough to report progress and balance the cores, large enough
    # that sending them costs nothing next to parsing.
    size = max(25, min(200, -(-total // (workers * 16))))
    chunks = [changed[i:i + size] for i in range(0, total, size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    results: list[tuple[list[Rows], list[Failure]] | None] = [None] * len(chunks)
    progress.report("index", 0, total)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        from concurrent.futures import as_completed

        futures = {pool.submit(_parse_in_worker, root, chunk, racy_after): n for n, chunk in enumerate(chunks)}
        done = 0
        for future in as_completed(futures):
            n = futures[future]
            results[n] = future.result()
            done += len(chunks[n])
            progress.report("index", done, total)
    rows: list[Rows] = []
    failures: list[Failure] = []
    for result in results:
        assert result is not None
        rows.extend(result[0])
        failures.extend(result[1])
    return rows, failures


def _update(root: str, conn: sqlite3.Connection, changed: list[tuple[str, str]], gone: set[str],
            racy_after: int, config: Config | None, folder_text: str | None = None) -> None:
    from pathlib import Path

    from workflow.storage.newsroom import Newsroom

    nr = Newsroom(config) if config is not None else Newsroom.open(Path(root))
    rows, failures = _parse_all(root, nr, changed, racy_after)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for release_id in gone | {failure[0] for failure in failures}:
            conn.execute("DELETE FROM releases WHERE id = ?", (release_id,))
            conn.execute("DELETE FROM segments WHERE release = ?", (release_id,))
        for release_id in gone:
            conn.execute("DELETE FROM problems WHERE id = ?", (release_id,))
        _next_generation(conn)
        for release_row, segment_rows in rows:
            conn.execute("DELETE FROM problems WHERE id = ?", (release_row[0],))
            conn.execute("DELETE FROM segments WHERE release = ?", (release_row[0],))
            conn.execute(f"INSERT OR REPLACE INTO releases VALUES ({', '.join('?' * len(release_row))})",
                         release_row)
            conn.executemany("INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", segment_rows)
        conn.executemany("INSERT OR REPLACE INTO problems VALUES (?, ?, ?, ?)", failures)
        if folder_text:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('releases_folder', ?)", (folder_text,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def problems(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(release id, why) of every release folder the index had to leave out, id order."""
    return [(row[0], row[1]) for row in conn.execute("SELECT id, line FROM problems ORDER BY id")]


def document_rows(nr: Newsroom, doc: Document, sig: int | None) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The `releases` row and the `segments` rows of one document."""
    import json

    from workflow.core.summary import progress_text, summarize

    summary = summarize(doc)
    rel = doc.release
    release_row = (
        rel.id, sig, " ".join(rel.languages), summary.title, summary.state, summary.source_language,
        " ".join(summary.languages), summary.date, summary.category, summary.embargo, summary.revision,
        " ".join(summary.published_languages), json.dumps(summary.progress, separators=(",", ":")),
        progress_text(summary.progress, summary.published_languages),
    )
    segment_rows: list[tuple[Any, ...]] = []
    for lang_pos, code in enumerate(rel.languages):
        if code == rel.source_language:
            continue
        targets = doc.target(code)
        for position, s in enumerate(doc.source):
            target = targets[s.id]
            status = target.effective_status(s.text)
            full = status in WORK_STATUSES
            segment_rows.append((
                rel.id, lang_pos, code, position, s.id, status, s.text[:SNIPPET],
                s.text if full else "", target.text if full else "",
                target.source if full else "", target.origin, target.by,
            ))
    return release_row, segment_rows


# ------------------------------------------------------------------ reading
@contextlib.contextmanager
def opened(nr_or_root: Newsroom | str | os.PathLike[str], config: Config | None = None
           ) -> Iterator[sqlite3.Connection]:
    """A refreshed index connection; raises IndexUnavailable when there can be none."""
    if not enabled():
        raise IndexUnavailable(NO_INDEX_ENV)
    if isinstance(nr_or_root, (str, os.PathLike)):
        root = os.fspath(nr_or_root)
    else:
        root, config = os.fspath(nr_or_root.root), nr_or_root.config
    conn = connect(root)
    try:
        try:
            refresh(root, conn, config)
        except sqlite3.OperationalError as exc:  # locked for too long, disk full, read-only
            raise IndexUnavailable(str(exc)) from None
        except sqlite3.DatabaseError:  # a damaged page ("malformed"): only a cache, made again from the files
            conn.close()
            _remove_damaged(root)
            conn = connect(root)
            try:
                refresh(root, conn, config)
            except sqlite3.DatabaseError as exc:
                raise IndexUnavailable(str(exc)) from None
        if not isinstance(nr_or_root, (str, os.PathLike)):
            nr_or_root.problems.update(problems(conn))
        try:
            yield conn
        except sqlite3.DatabaseError as exc:  # a table or row the index cannot have written: damaged
            if isinstance(exc, sqlite3.OperationalError) and any(
                    word in str(exc) for word in ("locked", "readonly", "disk", "full", "unable to open")):
                raise  # the file is fine; the machine is not
            from workflow.errors import InvalidData
            from workflow.i18n import _

            conn.close()
            _remove_damaged(root)
            raise InvalidData(_("{path} was damaged ({error}); removed, it is rebuilt from the release files").format(
                path=index_path(root), error=exc), _("run the command again")) from None
    finally:
        conn.close()


def _remove_damaged(root: str) -> None:
    from workflow.storage import store

    with contextlib.suppress(OSError):
        store.remove_database(index_path(root))


def _json(text: Any) -> Any:
    """A JSON cell of the index; a damaged one (edited by hand) as a database error."""
    import json

    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        raise sqlite3.DatabaseError("a JSON cell does not hold JSON") from None
    if not isinstance(value, dict):
        raise sqlite3.DatabaseError("a JSON cell does not hold an object")
    return value


_SUMMARY_COLUMNS = ("id, title, state, source_language, languages, date, category, progress, published, embargo, "
                    "revision")


def peek(root: str | os.PathLike[str], sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of `sql` from the index as it is: read-only, never refreshed, never created (shell completion).

    Raises sqlite3.Error (or OSError) when there is no usable index; the caller falls back.
    """
    import stat

    path = index_path(root)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    for suffix in ("-wal", "-shm", "-journal"):  # a FIFO there blocks SQLite for ever; nothing is removed here
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(os.lstat(path + suffix).st_mode):
                raise OSError(f"{path}{suffix} is not a regular file")
    from pathlib import Path

    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=0.2)
    try:
        if _schema_rows(conn) != _expected_schema():  # a view or trigger carried in may never end
            raise sqlite3.DatabaseError("not the schema pubflow made")
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def summaries(nr: Newsroom) -> list[ReleaseSummary]:
    """`ReleaseSummary` of every release, in id order, from the refreshed index."""
    from workflow.core.summary import ReleaseSummary

    with opened(nr) as conn:
        rows = conn.execute(f"SELECT {_SUMMARY_COLUMNS} FROM releases ORDER BY id").fetchall()
        return [ReleaseSummary(id=r[0], title=r[1], state=r[2], source_language=r[3], languages=r[4].split(),
                               date=r[5], category=r[6], progress=_json(r[7]), published_languages=r[8].split(),
                               embargo=r[9], revision=r[10]) for r in rows]


def _filtered(columns: str, state: str | None, source_language: str | None, limit: int | None
              ) -> tuple[str, list[str]]:
    where, params = [], []
    if state is not None:
        where.append("state = ?")
        params.append(state)
    if source_language is not None:
        where.append("source_language = ?")
        params.append(source_language)
    sql = f"SELECT {columns} FROM releases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, params


def list_rows(conn: sqlite3.Connection, state: str | None = None, source_language: str | None = None,
              limit: int | None = None) -> list[tuple[str, str, str, str, str]]:
    """(id, title, state, source language, progress text) for `pubflow list`, id order."""
    sql, params = _filtered("id, title, state, source_language, progress_text", state, source_language, limit)
    return conn.execute(sql, params).fetchall()


def public_rows(conn: sqlite3.Connection, state: str | None = None, source_language: str | None = None,
                limit: int | None = None) -> Iterator[dict[str, Any]]:
    """`ReleaseSummary.public()` of each release `list_rows` gives, one at a time (for `list --json`)."""
    sql, params = _filtered(_SUMMARY_COLUMNS, state, source_language, limit)
    loads = _json
    for r in conn.execute(sql, params):
        yield {"id": r[0], "title": r[1], "state": r[2], "source_language": r[3], "languages": r[4].split(),
               "date": r[5], "category": r[6], "progress": loads(r[7]), "published_languages": r[8].split(),
               "embargo": r[9], "revision": r[10]}


@contextlib.contextmanager
def _reading(nr: Newsroom, conn: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
    """`conn` when the caller has just refreshed one, else a freshly `opened` index."""
    if conn is not None:
        yield conn
        return
    with opened(nr) as fresh:
        yield fresh


def embargoes(conn: sqlite3.Connection) -> list[str]:
    """The distinct embargo times of all releases."""
    return [row[0] for row in conn.execute("SELECT DISTINCT embargo FROM releases WHERE embargo IS NOT NULL "
                                           "AND embargo != ''")]


def ids_in_states(nr: Newsroom, states: Iterable[str], conn: sqlite3.Connection | None = None) -> list[str]:
    """Ids of the releases in `states`, id order, from the refreshed index."""
    states = list(states)
    if not states:
        return []
    with _reading(nr, conn) as conn:
        return [row[0] for row in conn.execute(
            f"SELECT id FROM releases WHERE state IN ({', '.join('?' * len(states))}) ORDER BY id", states)]


def work_documents(nr: Newsroom, states: Iterable[str], statuses: Iterable[str] = WORK_STATUSES,
                   language: str | None = None, conn: sqlite3.Connection | None = None) -> list[Document]:
    """Partial documents of releases in `states`: only their segments whose status is in `statuses`.

    Each holds the release's metadata and, per target language, the source
    and translation of those segments, enough for the pure queue functions
    (`workflow.queues`) to give the same items as on the whole documents.
    """
    states = list(states)
    statuses = list(statuses)
    if not states or not statuses:
        return []
    marks_s = ", ".join("?" * len(states))
    marks_t = ", ".join("?" * len(statuses))
    sql = (f"SELECT r.id, r.title, r.state, r.source_language, r.languages, r.date, r.category, r.embargo, "
           f"r.revision, s.position, s.language, s.segment, s.status, s.source, s.text, s.old_source, s.origin, "
           f"s.translator "
           f"FROM segments s JOIN releases r ON r.id = s.release "
           f"WHERE s.status IN ({marks_t}) AND r.state IN ({marks_s})")
    params: list[Any] = [*statuses, *states]
    if language is not None:
        sql += " AND s.language = ?"
        params.append(language)
    sql += " ORDER BY r.date, r.id, s.lang_pos, s.position"
    with _reading(nr, conn) as conn:
        rows = conn.execute(sql, params).fetchall()
    docs: list[Document] = []
    group: list[tuple[Any, ...]] = []
    for row in rows:
        if group and row[0] != group[0][0]:
            docs.append(_partial_document(group))
            group = []
        group.append(row)
    if group:
        docs.append(_partial_document(group))
    return docs


def _partial_document(rows: list[tuple[Any, ...]]) -> Document:
    from workflow.core.model import Document, Release, TargetSegment
    from workflow.core.segments import SourceSegment, pair_hash

    (rid, title, state, src, langs, date, category, embargo, revision) = rows[0][:9]
    release = Release(id=rid, date=date, category=category, source_language=src,
                      languages=tuple(langs.split()), state=state, revision=revision, embargo=embargo)
    texts: dict[str, tuple[int, str]] = {"title": (0, title)}
    targets: dict[str, dict[str, TargetSegment]] = {code: {} for code in release.targets}
    for (*_head, position, code, seg_id, status, text_src, text, old_source, origin, by) in rows:
        texts[seg_id] = (position, text_src)
        # Rebuilt so that effective_status() gives `status` again.
        rendered = old_source if status == "stale" else text_src
        targets.setdefault(code, {})[seg_id] = TargetSegment(seg_id, text=text, status=status, source=rendered,
                                                             origin=origin, by=by)
    source = tuple(SourceSegment(seg_id, text) for seg_id, (_pos, text) in
                   sorted(texts.items(), key=lambda item: item[1][0]))
    for segs in targets.values():
        for s in source:
            if s.id not in segs:  # done in this language: needs nobody
                segs[s.id] = TargetSegment(s.id, text=s.text, status="approved", source=s.text,
                                           approved=pair_hash(s.text, s.text))
    return Document(release, source, {code: tuple(segs[s.id] for s in source) for code, segs in targets.items()})
