"""Bundles' zips (`store.zip_bytes`): deterministic, what `zipfile` itself writes for the same
entries, readable by `zipfile` and by Info-ZIP's `unzip`, with formats that are compressed
already stored as they are."""

from __future__ import annotations

import io
import os
import random
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from workflow.errors import InvalidData
from workflow.storage import store


def entries() -> list[dict[str, bytes]]:
    rng = random.Random(14)
    noise = bytes(rng.getrandbits(8) for _ in range(30_000))
    page = ("<p>بيان صحفي — press release</p>\n" * 400).encode("utf-8")
    return [
        {},
        {"empty.txt": b""},
        {"index.html": page, "assets/pubflow.css": b"body { margin: 0 }\n" * 200, "manifest.json": b"{}\n"},
        {"release.pdf": b"%PDF-1.7\n" + noise, "photo.JPG": noise[:999], "release.txt": page},
        {"ملف/نص.txt": page, "z.txt": b"z", "a.txt": b"a"},  # non-ASCII names (UTF-8 flag), any order
    ]


@pytest.mark.parametrize("files", entries())
def test_a_zip_is_what_zipfile_writes_and_reads_back_whole(files: dict[str, bytes]) -> None:
    data = store.zip_bytes(files)
    assert data == store._zip_bytes_zipfile(files)
    assert data == store.zip_bytes(dict(reversed(list(files.items()))))  # deterministic
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(files)
        assert {i.filename: archive.read(i) for i in infos} == files
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            stored = info.filename.lower().endswith((".pdf", ".jpg"))
            assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


@pytest.mark.skipif(shutil.which("unzip") is None, reason="Info-ZIP unzip not installed")
def test_unzip_unpacks_a_bundle(tmp_path: Path) -> None:
    files = entries()[3] | entries()[2]
    (tmp_path / "b.zip").write_bytes(store.zip_bytes(files))
    done = subprocess.run(["unzip", "-q", "b.zip", "-d", "out"], cwd=tmp_path, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    for name, data in files.items():
        assert (tmp_path / "out" / name).read_bytes() == data
        assert stat.S_IMODE(os.stat(tmp_path / "out" / name).st_mode) == 0o644


@pytest.mark.parametrize("name", ["../evil", "/abs", "a//b", "c:/x", "a\\b", "./a"])
def test_an_entry_outside_the_folder_is_refused(name: str) -> None:
    with pytest.raises(InvalidData):
        store.zip_bytes({name: b"x"})


def test_more_entries_than_a_plain_zip_counts_is_what_zipfile_writes() -> None:
    """The end record counts entries in 16 bits: 65,536 files made the direct writer fail
    (struct.error, an internal error) where zipfile writes Zip64 records."""
    files = {f"f{i:05d}.txt": b"x" for i in range(0x10000)}
    data = store.zip_bytes(files)
    assert data == store._zip_bytes_zipfile(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.infolist()) == 0x10000
