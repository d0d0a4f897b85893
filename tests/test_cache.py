"""Change detection by stat stamp and versioned JSON caches (workflow.storage.cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.test_checks import translate_all
from workflow import filestamp
from workflow.storage import cache, store
from workflow.storage.newsroom import Newsroom
from workflow.translation import memory

FUTURE = 10**20  # a cutoff after every file's last change: nothing is racy


def test_stamp_sees_an_edit_that_keeps_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("title: one\n", encoding="utf-8")
    before = cache.stamp(path)
    st = path.stat()
    time.sleep(0.01)
    path.write_text("title: two\n", encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: only ctime tells
    after = cache.stamp(path)
    assert after[1:4:3] == before[1:4:3]  # mtime and size are the same
    assert after != before
    assert cache.stamp(tmp_path / "missing.yaml") == cache.MISSING


def test_a_file_changed_within_the_last_second_is_racy(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("x\n", encoding="utf-8")
    key = cache.stamp(path)
    assert cache.is_racy(key, cache.racy_cutoff())
    assert not cache.is_racy(key, cache.racy_cutoff(time.time_ns() + cache.RACY_NS + 1))
    assert not cache.is_racy(cache.MISSING, cache.racy_cutoff())


def test_files_signature_is_the_signature_of_the_stamps(tmp_path: Path) -> None:
    names = ("release", "en", "ar")
    paths = [tmp_path / f"{name}.yaml" for name in names]
    for path in paths[:2]:
        path.write_text(str(path), encoding="utf-8")
    prefix = f"{tmp_path}/"
    assert cache.files_signature(prefix, names, ".yaml") == cache.signature(cache.stamp(p) for p in paths)
    before = cache.files_signature(prefix, names, ".yaml")
    paths[2].write_text("new language file\n", encoding="utf-8")
    assert cache.files_signature(prefix, names, ".yaml") != before


def test_folder_signature(tmp_path: Path) -> None:
    folder = tmp_path / "2024-03-01-x"
    assert cache.folder_signature(folder, FUTURE) == ""  # no folder: no files
    folder.mkdir()
    (folder / "release.yaml").write_text("id: x\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a release file\n", encoding="utf-8")
    first = cache.folder_signature(folder, FUTURE)
    assert first is not None
    assert first.startswith("release.yaml:")
    assert cache.folder_signature(folder, cache.racy_cutoff()) is None  # just written: racy
    (folder / "notes.txt").write_text("changed, but not a .yaml file\n", encoding="utf-8")
    assert cache.folder_signature(folder, FUTURE) == first
    (folder / "ar.yaml").write_text("segments: []\n", encoding="utf-8")
    assert cache.folder_signature(folder, FUTURE) not in (first, None)
    (folder / store.JOURNAL).write_text("[]", encoding="utf-8")  # a killed writer's transaction
    assert cache.folder_signature(folder, FUTURE) is None


def _entries(data: dict[str, object]) -> dict[str, object] | None:
    entries = data["entries"]
    return entries if isinstance(entries, dict) else None


def test_json_cache_round_trip_and_wrong_files_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / ".pubflow" / "thing.json"
    box = cache.JsonCache(path, 3, _entries)
    assert box.load() is None
    assert not path.exists()
    assert box.save({"entries": {"k": "قيمة"}, "version": 99})  # the cache's own version wins
    assert json.loads(path.read_text(encoding="utf-8")) == {"version": 3, "entries": {"k": "قيمة"}}
    assert "قيمة" in path.read_text(encoding="utf-8")  # Arabic kept readable
    assert box.load() == {"k": "قيمة"}
    for wrong in (b'{"version": 2, "entries": {}}', b'{"version": 3, "entries": []}', b'{"version": 3}',
                  b"{not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000):
        path.write_bytes(wrong)
        assert box.load() is None, wrong[:20]
        assert not path.exists(), wrong[:20]
    assert cache.JsonCache(path, 3, _entries).load() is None


def test_json_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be\n", encoding="utf-8")
    box = cache.JsonCache(blocker / "thing.json", 1, _entries)
    assert box.save({"entries": {}}) is False
    assert box.update(tmp_path / "locks" / "thing.lock", lambda old: {"entries": {}}) is False
    assert box.load() is None


_WRITER = """
import sys
from pathlib import Path
from workflow.storage.cache import JsonCache

path, lock, name, n = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
box = JsonCache(path, 1, lambda data: data["entries"] if isinstance(data["entries"], dict) else None)
for i in range(n):
    box.update(lock, lambda old: {"entries": {**(old or {}), f"{name}-{i}": i}})
"""


def test_json_cache_update_keeps_every_writers_entries(tmp_path: Path) -> None:
    path, lock = tmp_path / "shared.json", tmp_path / "locks" / "shared.lock"
    root = Path(__file__).resolve().parents[1]
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(lock), f"w{k}", "15"], cwd=root)
               for k in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    entries = cache.JsonCache(path, 1, _entries).load()
    assert entries is not None
    assert sorted(entries) == sorted(f"w{k}-{i}" for k in range(4) for i in range(15))


def test_filestamp_is_the_one_rule(tmp_path: Path) -> None:
    """The storage helpers are the low-level ones (i18n uses them too), not copies."""
    assert cache.stamp is filestamp.stamp
    assert cache.is_racy is filestamp.is_racy


def test_memory_cache_is_used_and_sees_an_edit_that_keeps_size_and_mtime(
        newsroom: Path, in_translation: str, sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, {"p2": sample_arabic["p2"]}, status="translated")
    time.sleep(filestamp.RACY_NS / 1e9 + 0.1)  # past the racy second: the stamps can be trusted
    nr = Newsroom.open(newsroom)
    p2 = nr.load(in_translation).source_text("p2")
    assert memory.lookup(nr, p2, "en", "ar")[0].target == sample_arabic["p2"]
    # A new process is served from .pubflow/memory.json, not from the release files.
    path = newsroom / ".pubflow" / "memory.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["releases"][in_translation]["entries"]
    marked = [[*row[:3], "FROM THE CACHE", *row[4:]] if row[2] == p2 else row for row in rows]
    data["releases"][in_translation]["entries"] = marked
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    memory._OPEN.clear()
    assert memory.lookup(nr, p2, "en", "ar")[0].target == "FROM THE CACHE"
    # Someone edits ar.yaml by hand: same size, mtime put back. The stamp (ctime) still tells.
    ar = newsroom / "releases" / in_translation / "ar.yaml"
    st = ar.stat()
    text = ar.read_text(encoding="utf-8")
    ar.write_text(text.replace(sample_arabic["p2"], sample_arabic["p2"][::-1]), encoding="utf-8")
    os.utime(ar, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert ar.stat().st_size == st.st_size
    memory._OPEN.clear()
    assert memory.lookup(nr, p2, "en", "ar")[0].target == sample_arabic["p2"][::-1]


def test_marshal_cache_keeps_the_same_contract(tmp_path: Path) -> None:
    import marshal

    path = tmp_path / "pages.marshal"
    box = cache.MarshalCache(path, 2, _entries)
    assert box.save({"entries": {"unit": ["صفحة", 1, None]}})
    raw = path.read_bytes()  # signed with this user's key (cache.MAC_BYTES in front): marshal trusts its input
    assert marshal.loads(raw[cache.MAC_BYTES:]) == {"version": 2, "entries": {"unit": ["صفحة", 1, None]}}
    assert cache.signed(raw, "marshal") == raw[cache.MAC_BYTES:]
    assert box.load() == {"unit": ["صفحة", 1, None]}
    for wrong in (marshal.dumps({"version": 1, "entries": {}}), marshal.dumps([1]), b"\x00garbage", b"",
                  marshal.dumps({"version": 2, "entries": {"unit": ["not signed"]}}),
                  b"\0" * cache.MAC_BYTES + marshal.dumps({"version": 2, "entries": {}})):
        path.write_bytes(wrong)
        assert box.load() is None
        assert not path.exists()
