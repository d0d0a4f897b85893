"""Crash safety: a writer SIGKILLed at random points leaves every release old or new.

A forked child loops over real operations (comments, source edits that
rewrite two files, translations when that module exists); the parent kills
it after a random delay, then checks that every file parses, the history
replays, the text matches the last recorded content hash (the two files of
an edit moved together), and that the next command works.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import EDITOR, WRITER
from workflow.core.config import find_person
from workflow.editorial.edit import edit_source
from workflow.editorial.transitions import add_comment
from workflow.editorial.verify import release_check
from workflow.storage import store, yamlio
from workflow.storage.newsroom import Newsroom

pytestmark = pytest.mark.slow
KILLS = 60
TIME_BOX = 20.0  # seconds; the loop stops early on a slow machine


def _child(root: Path, release_id: str, source: Path) -> None:
    """Runs in the forked process until killed."""
    nr = Newsroom.open(root)
    editor = find_person(nr.config, EDITOR)
    texts = ["First paragraph.\n\nSecond paragraph.", "First paragraph, revised.\n\nSecond paragraph."]
    i = 0
    while True:
        i += 1
        if i % 3 == 0:
            source.write_text(f"---\ntitle: Crash test\n---\n{texts[i % 2]}\n", encoding="utf-8")
            edit_source(nr, release_id, editor, from_file=source)
        else:
            add_comment(nr, release_id, editor, f"c{i}")


def check(root: Path, release_id: str) -> None:
    folder = root / "releases" / release_id
    for path in folder.glob("*.yaml"):
        yamlio.read(path)  # every file is whole, old or new
    nr = Newsroom.open(root)
    doc = nr.load(release_id)  # finishes a journalled transaction if one is pending
    assert not store.pending(folder)
    assert release_check(nr, release_id) == []
    last_content = next(e.content for e in reversed(doc.release.history) if e.content)
    assert last_content == doc.content_hash()  # en.yaml and release.yaml moved together


def test_sigkill_at_random_points_loses_nothing(cli, newsroom, tmp_path):
    r = cli("new", "--title", "Crash test", "--body", "First paragraph.\n\nSecond paragraph.",
            "--date", "2024-06-01", as_=WRITER)
    assert r.exit_code == 0, r.output
    rid = "2024-06-01-crash-test"
    source = tmp_path / "source.md"
    rng = random.Random(5)
    kills = temps_seen = journals_seen = 0
    events_before = events_after = 0
    deadline = time.monotonic() + TIME_BOX
    while kills < KILLS and time.monotonic() < deadline:
        events_before = len(yamlio.read(newsroom / "releases" / rid / "release.yaml")["history"])
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                _child(newsroom, rid, source)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
        folder = newsroom / "releases" / rid
        temps_seen += bool(list(folder.glob("*.pubflow-tmp")))
        journals_seen += store.pending(folder)
        check(newsroom, rid)
        # The next command works: no stale lock, temp files cleaned under the lock.
        nr = Newsroom.open(newsroom)
        add_comment(nr, rid, find_person(nr.config, EDITOR), f"after kill {kills}")
        assert not list(folder.glob("*.pubflow-tmp"))
        events_after = len(nr.load_release(rid).history)
        assert events_after > events_before
    assert kills >= 20
    print(f"\nkills survived: {kills}; left temp files: {temps_seen}; journals rolled forward: {journals_seen}")
    assert cli("verify").exit_code == 0


def test_journal_rolls_forward_and_temps_roll_back(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "a.yaml").write_text("old-a\n", encoding="utf-8")
    (folder / "b.yaml").write_text("old-b\n", encoding="utf-8")
    # A writer killed after the journal: recover finishes the renames.
    (folder / ".a.yaml.x.pubflow-tmp").write_text("new-a\n", encoding="utf-8")
    (folder / store.JOURNAL).write_text('[[".a.yaml.x.pubflow-tmp", "a.yaml"], [".b.yaml.y.pubflow-tmp", "b.yaml"]]')
    assert store.pending(folder)
    assert store.recover(folder) == 1  # b was already renamed before the kill
    assert (folder / "a.yaml").read_text(encoding="utf-8") == "new-a\n"
    assert not store.pending(folder)
    # Killed before the journal: temp files are stale and removed, targets untouched.
    (folder / ".b.yaml.z.pubflow-tmp").write_text("half", encoding="utf-8")
    assert store.recover(folder) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["a.yaml", "b.yaml"]
    assert (folder / "b.yaml").read_text(encoding="utf-8") == "old-b\n"


def test_a_hostile_journal_cannot_move_files_elsewhere(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text("keep\n", encoding="utf-8")
    (folder / ".x.pubflow-tmp").write_text("evil", encoding="utf-8")
    (folder / store.JOURNAL).write_text('[[".x.pubflow-tmp", "../outside.txt"], ["../outside.txt", "a.yaml"]]')
    assert store.recover(folder) == 0
    assert (tmp_path / "outside.txt").read_text(encoding="utf-8") == "keep\n"
    assert list(folder.iterdir()) == []


def test_stale_lock_file_does_not_block(cli, newsroom):
    r = cli("new", "--title", "Lock test", "--body", "Body.", "--date", "2024-06-01", as_=WRITER)
    assert r.exit_code == 0
    lock = newsroom / ".pubflow" / "locks" / "2024-06-01-lock-test.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("12345 a process that died\n", encoding="utf-8")
    assert cli("comment", "2024-06-01-lock-test", "-m", "still works").exit_code == 0


def test_lock_held_by_a_live_process_times_out_with_exit_6(cli, newsroom, monkeypatch):
    r = cli("new", "--title", "Lock test", "--body", "Body.", "--date", "2024-06-01", as_=WRITER)
    assert r.exit_code == 0
    monkeypatch.setenv("PUBFLOW_LOCK_TIMEOUT", "0.2")
    lock = newsroom / ".pubflow" / "locks" / "2024-06-01-lock-test.lock"
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child holds the lock
        import filelock

        held = filelock.FileLock(str(lock))
        held.acquire()
        os.write(ready_w, b"x")
        time.sleep(10)
        os._exit(0)
    try:
        assert os.read(ready_r, 1) == b"x"
        r = cli("comment", "2024-06-01-lock-test", "-m", "blocked")
        assert r.exit_code == 6
        assert "is locked by another pubflow process" in r.stderr
        assert len(r.stderr.splitlines()) == 1
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready_r)
        os.close(ready_w)
