"""The parse cache (`.pubflow/parsed.sqlite`): a file's parse kept by the sha256 of its bytes.

A build reads it and fills it; what it returns must be what parsing the file's bytes gives, and
a cache that is damaged, planted or replaced by something that is not a file is never an error."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.pubhelp import files_of, published, schema_not_utf8
from workflow.storage import parsecache
from workflow.storage.newsroom import Newsroom


def _scratch(root: Path) -> None:
    """What a build from scratch deletes: the outputs and the build's own state (not the parse cache)."""
    import shutil

    shutil.rmtree(root / "dist", ignore_errors=True)
    for name in ("build.json", "build-pages.marshal"):
        (root / ".pubflow" / name).unlink(missing_ok=True)


def _loaded(root: Path, rid: str) -> tuple[Any, parsecache.ParseCache]:
    nr = Newsroom.open(root)
    cache = nr.use_parse_cache()
    return nr.stored(rid), cache


def test_a_build_fills_the_cache_and_the_next_one_writes_the_same_bytes(cli: Any, newsroom: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rid = published(cli, newsroom)
    path = newsroom / ".pubflow" / parsecache.NAME
    assert path.is_file()  # the publish's build kept what it parsed
    monkeypatch.setenv(parsecache.OFF_ENV, "1")
    _scratch(newsroom)
    assert cli("build").exit_code == 0
    plain = files_of(newsroom / "dist")
    monkeypatch.delenv(parsecache.OFF_ENV)
    _scratch(newsroom)
    assert cli("build").exit_code == 0
    assert files_of(newsroom / "dist") == plain
    stored, cache = _loaded(newsroom, rid)
    assert cache.hits >= 3
    assert cache.misses == 0
    nr = Newsroom.open(newsroom)
    assert stored == nr.stored(rid)  # the same documents as parsing the files


def test_a_hand_edit_keeping_size_and_mtime_is_parsed_again(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    _loaded(newsroom, rid)[1].flush()
    release = newsroom / "releases" / rid / "release.yaml"
    text = release.read_text("utf-8")
    st = release.stat()
    old_category = Newsroom.open(newsroom).load(rid).release.category
    new = "x" * len(old_category)  # same size
    release.write_text(text.replace(f"category: {old_category}", f"category: {new}", 1), "utf-8")
    os.utime(release, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert release.stat().st_size == st.st_size
    assert release.stat().st_mtime_ns == st.st_mtime_ns
    nr = Newsroom.open(newsroom)
    cache = nr.use_parse_cache()
    assert nr.load(rid).release.category == new
    assert cache.misses == 1


@pytest.mark.parametrize("damage", ["garbage", "empty-table", "entry", "huge-entry", "not-json", "schema-not-utf8"])
def test_a_damaged_cache_is_ignored_and_rebuilt(cli: Any, newsroom: Path, damage: str) -> None:
    rid = published(cli, newsroom)
    expected = Newsroom.open(newsroom).stored(rid)
    path = newsroom / ".pubflow" / parsecache.NAME
    if damage == "garbage":
        path.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    elif damage == "schema-not-utf8":  # Python's sqlite3 raised UnicodeDecodeError: the build exited 1
        schema_not_utf8(path, b"parsed")
    else:
        conn = sqlite3.connect(path)
        if damage == "empty-table":
            conn.execute("DROP TABLE parsed")
        elif damage == "entry":  # a flipped value: its checksum no longer matches
            conn.execute("UPDATE parsed SET value = zeroblob(length(value))")
        elif damage == "huge-entry":
            conn.execute("UPDATE parsed SET value = zeroblob(?)", (parsecache.MAX_VALUE + 1,))
        else:  # a planted value with a matching checksum that is not JSON
            import zlib

            value = zlib.compress(b"{not json")
            signer = parsecache.ParseCache(newsroom / ".pubflow")
            assert signer._connection() is not None
            for (key,) in conn.execute("SELECT key FROM parsed").fetchall():
                conn.execute("UPDATE parsed SET value = ?, checksum = ? WHERE key = ?",
                             (value, signer._checksum(key, value), key))
        conn.commit()
        conn.close()
    stored, cache = _loaded(newsroom, rid)
    assert stored == expected
    cache.flush()
    stored, cache = _loaded(newsroom, rid)  # rebuilt: hits again
    assert stored == expected
    assert cache.misses == 0
    assert cache.hits >= 3
    _scratch(newsroom)
    assert cli("build").exit_code == 0


@pytest.mark.parametrize("kind", ["link", "fifo", "wal-link", "state-link"])
def test_a_cache_that_is_not_a_regular_file_is_never_followed(cli: Any, newsroom: Path, tmp_path: Path,
                                                             kind: str) -> None:
    rid = published(cli, newsroom)
    expected = Newsroom.open(newsroom).stored(rid)
    state = newsroom / ".pubflow"
    path = state / parsecache.NAME
    victim = tmp_path / "someone-elses.sqlite"
    conn = sqlite3.connect(victim)
    conn.execute("CREATE TABLE precious (x)")
    conn.commit()
    conn.close()
    before = victim.read_bytes()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    if kind == "link":
        path.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "wal-link":
        Path(str(path) + "-wal").symlink_to(victim)
    else:  # the cache's folder itself leads elsewhere: no cache is used at all
        cache = parsecache.ParseCache(tmp_path / "elsewhere-link")
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere-link").symlink_to(tmp_path / "elsewhere")
        nr = Newsroom.open(newsroom)
        nr.parsed = cache
        assert nr.stored(rid) == expected
        cache.flush()
        assert list((tmp_path / "elsewhere").iterdir()) == []
        return
    started = time.monotonic()
    stored, cache = _loaded(newsroom, rid)  # a FIFO would block an open() for reading: it is never opened
    cache.flush()
    assert time.monotonic() - started < 30
    assert stored == expected
    assert victim.read_bytes() == before
    assert not path.is_symlink()
    assert not Path(str(path) + "-wal").is_symlink()


def test_only_what_json_gives_back_exactly_is_kept(tmp_path: Path) -> None:
    cache = parsecache.ParseCache(tmp_path)
    documents = {
        b"when: 2024-01-02\n": False,  # a YAML date: parsed every time
        b"1: one\n": False,  # an integer key would come back as text
        b"s: !!set {a: null}\n": False,  # a set: not JSON
        b"a: [1, 2.5, true, null, 'x']\n": True,
    }
    for raw in documents:
        cache.parse(raw, "x.yaml")
    cache.flush()
    again = parsecache.ParseCache(tmp_path)
    for raw, kept in documents.items():
        first = parsecache.ParseCache(tmp_path).parse(raw, "x.yaml")
        hits = again.hits
        assert again.parse(raw, "x.yaml") == first
        assert type(first) is dict
        assert again.hits == hits + kept


def test_a_parse_error_is_never_kept(tmp_path: Path) -> None:
    from workflow.errors import InvalidData

    cache = parsecache.ParseCache(tmp_path)
    for _round in (1, 2):
        with pytest.raises(InvalidData, match="bad.yaml"):
            cache.parse(b"a: [1,\n", "bad.yaml")
        cache.flush()
    assert cache.hits == 0


def test_two_writers_at_once_keep_the_cache_whole(tmp_path: Path) -> None:
    first, second = parsecache.ParseCache(tmp_path), parsecache.ParseCache(tmp_path)
    for number in range(50):
        first.parse(f"n: {number}\n".encode(), "a.yaml")
        second.parse(f"n: {number + 25}\n".encode(), "b.yaml")
    first.flush()
    second.flush()
    check = parsecache.ParseCache(tmp_path)
    for number in range(75):
        assert check.parse(f"n: {number}\n".encode(), "c.yaml") == {"n": number}
    assert check.hits == 75


def test_a_cache_made_with_another_key_is_not_believed(cli: Any, newsroom: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A `.pubflow/parsed.sqlite` carried in with a newsroom (committed with `git add -f`, unpacked from
    an archive) was signed by someone else: its entries are parsed again, never used."""
    rid = published(cli, newsroom)
    release = newsroom / "releases" / rid / "release.yaml"
    raw = release.read_bytes()
    stored, cache = _loaded(newsroom, rid)
    cache.flush()
    # The planted entry: the exact bytes of release.yaml, another title, signed with the planter's key.
    planter = parsecache.ParseCache(newsroom / ".pubflow")
    assert planter._connection() is not None
    import hashlib
    import json
    import zlib

    from workflow.storage import yamlio

    data = yamlio.parse(raw.decode("utf-8"), "release.yaml")
    data["title"] = {key: "PLANTED" for key in data["title"]} if isinstance(data.get("title"), dict) else "PLANTED"
    key = hashlib.sha256(raw).digest()
    value = zlib.compress(json.dumps(data).encode())
    conn = sqlite3.connect(newsroom / ".pubflow" / parsecache.NAME)
    conn.execute("UPDATE parsed SET value = ?, checksum = ? WHERE key = ?", (value, planter._checksum(key, value), key))
    conn.commit()
    conn.close()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    again, cache = _loaded(newsroom, rid)
    assert again == stored
    assert cache.hits == 0


@pytest.mark.parametrize("plant", ["recursive-view", "trigger"])
def test_a_planted_database_runs_none_of_its_sql(cli: Any, newsroom: Path, plant: str) -> None:
    """A `parsed.sqlite` carried in with a newsroom whose `parsed` is a never-ending view, or whose table
    has a never-ending trigger: the build hung for ever; the database is replaced, the build ends."""
    import subprocess
    import sys

    published(cli, newsroom)
    _scratch(newsroom)
    assert cli("build").exit_code == 0
    plain = files_of(newsroom / "dist")
    path = newsroom / ".pubflow" / parsecache.NAME
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
    if plant == "recursive-view":
        conn.execute(f"CREATE VIEW parsed AS {endless} SELECT x AS key, x AS value, x AS checksum, x AS day FROM c")
    else:
        conn.execute(parsecache._SCHEMA[0])
        conn.execute(f"CREATE TRIGGER t AFTER INSERT ON parsed BEGIN SELECT count(*) FROM ({endless} "
                     "SELECT x FROM c); END")
    conn.execute(parsecache._SCHEMA[1])
    conn.execute(f"PRAGMA user_version = {parsecache.VERSION}")
    conn.commit()
    conn.close()
    _scratch(newsroom)
    pubflow = Path(sys.executable).parent / "pubflow"
    done = subprocess.run([str(pubflow), "--root", str(newsroom), "build"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PUBFLOW_USER": "hala.darwish@example.org"})
    assert done.returncode == 0, done.stderr
    assert files_of(newsroom / "dist") == plain
    conn = sqlite3.connect(path)
    kinds = sorted(conn.execute("SELECT type, name FROM sqlite_master").fetchall())
    conn.close()
    assert kinds == [("index", "sqlite_autoindex_parsed_1"), ("table", "meta"), ("table", "parsed")]


def test_a_file_reached_through_a_link_is_not_copied_into_the_cache(cli: Any, newsroom: Path,
                                                                   tmp_path: Path) -> None:
    """A language file committed as a link to a file outside the newsroom (the build reads it, as it
    always did): what it holds is not kept in `.pubflow/parsed.sqlite`, readable by whoever shares it."""
    import hashlib

    rid = published(cli, newsroom)
    language = newsroom / "releases" / rid / "ar.yaml"
    outside = tmp_path / "private.yaml"
    outside.write_bytes(language.read_bytes() + b"# kept outside the newsroom\n")
    language.unlink()
    language.symlink_to(outside)
    path = newsroom / ".pubflow" / parsecache.NAME
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _scratch(newsroom)
    assert cli("build").exit_code == 0
    conn = sqlite3.connect(path)
    keys = {key for (key,) in conn.execute("SELECT key FROM parsed")}
    conn.close()
    assert hashlib.sha256(outside.read_bytes()).digest() not in keys
    assert hashlib.sha256((newsroom / "releases" / rid / "release.yaml").read_bytes()).digest() in keys


def test_an_entry_another_parser_kept_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries read are renewed, so one kept by an older pubflow, PyYAML or Python would be believed
    for ever after an upgrade that changes what the same bytes parse to: it is parsed again."""
    import yaml

    raw = b"when: yes\nn: 0x1f\n"
    first = parsecache.ParseCache(tmp_path)
    assert first.parse(raw, "a.yaml") == {"when": True, "n": 31}
    first.flush()
    same = parsecache.ParseCache(tmp_path)
    same.parse(raw, "a.yaml")
    assert (same.hits, same.misses) == (1, 0)
    monkeypatch.setattr(yaml, "__version__", yaml.__version__ + ".post1")  # as after an upgrade
    upgraded = parsecache.ParseCache(tmp_path)
    assert upgraded.parse(raw, "a.yaml") == {"when": True, "n": 31}
    assert (upgraded.hits, upgraded.misses) == (0, 1)


@pytest.mark.parametrize("database", [parsecache.NAME, "index.sqlite"])
def test_a_fifo_beside_a_database_as_its_journal_hangs_nothing(cli: Any, newsroom: Path, database: str) -> None:
    """A FIFO named `<database>-journal` (an archive can carry one in `.pubflow/`): SQLite's check for
    a hot journal opened it and waited for a writer for ever; `build` and `list` hung.  It is removed."""
    import subprocess
    import sys

    published(cli, newsroom)
    assert cli("list").exit_code == 0
    _scratch(newsroom)
    assert cli("build").exit_code == 0
    plain = files_of(newsroom / "dist")
    listed: Any = cli("list")
    journal = newsroom / ".pubflow" / f"{database}-journal"
    os.mkfifo(journal)
    _scratch(newsroom)
    pubflow = Path(sys.executable).parent / "pubflow"
    env = {**os.environ, "PUBFLOW_USER": "hala.darwish@example.org", "COLUMNS": "250"}
    for args in (["build"], ["list"]):
        done = subprocess.run([str(pubflow), "--root", str(newsroom), *args], capture_output=True, text=True,
                              timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        if args == ["list"]:
            assert done.stdout == listed.stdout
    assert files_of(newsroom / "dist") == plain
    assert not journal.exists()
