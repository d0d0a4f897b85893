"""The derived index (.pubflow/index.sqlite) agrees with the files, always."""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import Cli
from tests.pubhelp import schema_not_utf8
from workflow.cli.app import app
from workflow.editorial.queries import load_summaries, load_summaries_from_files
from workflow.storage import index
from workflow.storage.newsroom import Newsroom

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "newsroom"
    _generator().generate(40, root, seed=7)  # type: ignore[attr-defined]
    return root


@pytest.fixture
def room(generated: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "newsroom"
    shutil.copytree(generated, target)
    return target


def _same(root: Path) -> None:
    nr = Newsroom.open(root)
    assert [s.public() for s in load_summaries(nr)] == [s.public() for s in load_summaries_from_files(nr)]


def test_generated_newsroom_passes_verify(room: Path) -> None:
    result = Cli(room)("verify")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "40 releases checked, 0 problem(s)." in result.stdout  # type: ignore[attr-defined]
    nr = Newsroom.open(room)
    states = {s.state for s in load_summaries_from_files(nr)}
    assert states == {"draft", "review", "translation", "published", "retracted"}
    assert {s.source_language for s in load_summaries_from_files(nr)} == {"en", "ar"}


def test_index_agrees_with_files_after_random_edits(room: Path) -> None:
    rng = random.Random(3)
    _same(room)  # cold build
    assert (room / ".pubflow" / "index.sqlite").is_file()
    for _step in range(12):
        ids = sorted(p.name for p in (room / "releases").iterdir())
        victim = room / "releases" / rng.choice(ids)
        action = rng.choice(["status", "title", "delete", "copy", "target-gone"])
        if action == "status":  # a hand edit in place: same inode, same size, same second
            path = next((p for p in sorted(victim.glob("*.yaml")) if p.name != "release.yaml" and
                         "status: approved" in p.read_text(encoding="utf-8")), None)
            if path is None:
                continue
            text = path.read_text(encoding="utf-8").replace("status: approved", "status: machine ", 1)
            with open(path, "r+", encoding="utf-8") as fh:
                fh.write(text)
        elif action == "title":
            rel = victim / "release.yaml"
            source_lang = [line.split(": ")[1] for line in rel.read_text().splitlines()
                           if line.startswith("source_language:")][0]
            path = victim / f"{source_lang}.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("- id: title\n  text: ", "- id: title\n  text: Edited ", 1), encoding="utf-8")
        elif action == "delete":
            shutil.rmtree(victim)
        elif action == "copy":  # a release arrives (git pull): same content, new id
            new = victim.parent / ("2030-01-01-new-" + str(_step))
            new.mkdir()
            for p in victim.glob("*.yaml"):
                new.joinpath(p.name).write_text(p.read_text(encoding="utf-8").replace(victim.name, new.name),
                                                encoding="utf-8")
        else:
            for p in victim.glob("*.yaml"):
                if p.name != "release.yaml" and "status:" in p.read_text(encoding="utf-8"):
                    p.unlink()
                    break
        _same(room)


def test_changed_release_that_breaks_is_left_out_with_the_files_error(room: Path) -> None:
    _same(room)
    ids = sorted(p.name for p in (room / "releases").iterdir())
    (room / "releases" / ids[5] / "release.yaml").write_text("schema: 1\nid: [unclosed\n", encoding="utf-8")
    (room / "releases" / "2024-05-05-ghost").mkdir()  # a folder made by hand: not a release
    direct_nr = Newsroom.open(room)
    direct = load_summaries_from_files(direct_nr)
    indexed_nr = Newsroom.open(room)
    indexed = load_summaries(indexed_nr)
    assert [s.id for s in indexed] == [s.id for s in direct] == [i for i in ids if i != ids[5]]
    assert indexed_nr.problems == direct_nr.problems
    assert direct_nr.problems[ids[5]].startswith(f"releases/{ids[5]}/release.yaml:3:1: did not find")
    assert direct_nr.problems["2024-05-05-ghost"] == ("releases/2024-05-05-ghost is not a complete release "
                                                      "(no release.yaml); left out")
    again = Newsroom.open(room)  # the broken ones are remembered, not parsed again: still reported
    assert [s.id for s in load_summaries(again)] == [s.id for s in indexed]
    assert again.problems == direct_nr.problems


def test_corrupt_or_old_index_is_rebuilt(room: Path) -> None:
    _same(room)
    path = room / ".pubflow" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    _same(room)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("DELETE FROM releases")
    conn.commit()
    conn.close()
    _same(room)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == index.INDEX_VERSION


def test_an_index_whose_schema_is_not_utf8_is_rebuilt(room: Path) -> None:
    """Python's sqlite3 raised UnicodeDecodeError reading it: `pubflow list` was an internal error (exit 1)."""
    _same(room)
    path = room / ".pubflow" / "index.sqlite"
    schema_not_utf8(path, b"releases")
    assert _run(room, "list", indexed=True) == _run(room, "list", indexed=False)
    _same(room)


def test_language_change_in_config_rebuilds(room: Path) -> None:
    _same(room)
    import yaml

    config = room / "pubflow.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["languages"]["fr"] = {"name": "French"}
    for labels in data.get("categories", {}).values():  # each category has a label in every language
        labels["fr"] = labels["en"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _same(room)


def test_index_unwritable_falls_back_to_files(room: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(index.NO_INDEX_ENV, "1")
    nr = Newsroom.open(room)
    assert [s.id for s in load_summaries(nr)] == [s.id for s in load_summaries_from_files(nr)]
    assert not (room / ".pubflow" / "index.sqlite").exists()


def _run(room: Path, *args: str, indexed: bool) -> tuple[int, str, str]:
    """`pubflow --root room args` (exit code, stdout, stderr); `indexed=False`: without the index (every file read).

    In this process (CliRunner): the index and the output kept in it are read
    from `.pubflow/index.sqlite` afresh by every run (test_queue_output's
    catalog test and `test_processes_building_the_index_at_once_agree` run
    real processes)."""
    result = CliRunner().invoke(app, ["--root", str(room), *args], catch_exceptions=False,
                                env={"COLUMNS": "100", "PUBFLOW_NO_INDEX": None if indexed else "1"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_list_from_the_index_prints_what_the_files_give(room: Path) -> None:
    for args in (["list"], ["list", "--state", "translation"], ["list", "--lang=ar", "--limit", "3"],
                 ["list", "--state", "nonsense"], ["list", "--lang", "xx"], ["list", "--state", "retracted",
                                                                             "--lang", "ar"],
                 ["list", "--json"], ["list", "--json", "--state", "translation", "--limit", "4"],
                 ["list", "--json", "--state", "nonsense"], ["list", "--json", "--lang", "ar"]):
        fast, slow = _run(room, *args, indexed=True), _run(room, *args, indexed=False)  # index, files
        assert fast == slow, args
    assert "translation" in _run(room, "list", indexed=True)[1]


@pytest.mark.slow
def test_list_sees_a_hand_edit_at_once(room: Path) -> None:
    _run(room, "list", "--limit", "1", indexed=True)
    first = _run(room, "list", "--limit", "1", indexed=True)[1]  # served from the cached output
    rid = sorted(p.name for p in (room / "releases").iterdir())[0]
    rel = room / "releases" / rid / "release.yaml"
    source = [line.split(": ")[1] for line in rel.read_text().splitlines() if line.startswith("source_language:")][0]
    path = room / "releases" / rid / f"{source}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- id: title\n  text: ", "- id: title\n  text: Zq ", 1),
                    encoding="utf-8")
    second = _run(room, "list", "--limit", "1", indexed=True)[1]
    assert "Zq" not in first
    assert "Zq" in second


def _queues(root: Path) -> object:
    from workflow.translation.queues import inbox, pending

    nr = Newsroom.open(root)
    now = __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC)
    out = []
    for lang in (None, "ar", "en"):
        out.append([i.public() for i in pending(nr, lang)])
    for person in nr.config.people:
        out.append([i.public() for i in pending(nr, None, person)])
        out.append(inbox(nr, person, now).public())
    return out


def test_pending_and_inbox_from_the_index_match_the_files(room: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    for _step in range(3):
        with_index = _queues(room)
        monkeypatch.setenv(index.NO_INDEX_ENV, "1")
        from_files = _queues(room)
        monkeypatch.delenv(index.NO_INDEX_ENV)
        assert with_index == from_files
        assert any(with_index[:3])  # there is work pending in the generated newsroom
        # a translator's hand edit: a machine draft confirmed, an approved one reopened
        for path in rng.sample(sorted(room.glob("releases/*/*.yaml")), 15):
            if path.name != "release.yaml":
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("status: machine", "status: translated", 1)
                                .replace("status: approved", "status: machine", 1), encoding="utf-8")


@pytest.mark.slow
def test_processes_building_the_index_at_once_agree(room: Path) -> None:
    """Three processes find no index and build it together; a fourth edits files meanwhile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW")}
    env["COLUMNS"] = "100"
    code = "from workflow.cli.app import main; main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, "--root", str(room), "list"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    target = sorted(room.glob("releases/*/ar.yaml"))[0]
    target.write_text(target.read_text(encoding="utf-8").replace("status: approved", "status: machine", 1),
                      encoding="utf-8")
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    _same(room)
    after = _run(room, "list", indexed=True)
    assert after[1] == _run(room, "list", indexed=False)[1]
    conn = sqlite3.connect(room / ".pubflow" / "index.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("parallel", [False, True])
def test_a_cold_index_reports_its_progress(room: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], parallel: bool) -> None:
    """Storage reports (what, done, total) to the listener a front end registered; the CLI's prints a line."""
    from workflow.cli.app import ProgressLine
    from workflow.storage import progress

    if parallel:
        monkeypatch.setattr(index, "PARALLEL_FROM", 10)  # 40 releases over the worker processes
    heard: list[tuple[str, int, int]] = []
    line = ProgressLine(after=0, min_total=1)

    def listen(what: str, done: int, total: int) -> None:
        heard.append((what, done, total))
        line(what, done, total)

    token = progress.REPORT.set(listen)
    try:
        with index.opened(room) as conn:
            assert conn.execute("SELECT count(*) FROM releases").fetchone()[0] == 40
        assert heard[0] == ("index", 0, 40)
        assert heard[-1] == ("index", 40, 40)
        assert [done for _what, done, _total in heard] == sorted(done for _what, done, _total in heard)
        err = capsys.readouterr().err
        assert err.startswith("indexing 40 releases (the first command here reads every file)…\n")
        assert err.splitlines()[-1].startswith("indexed 40 releases in ")
    finally:
        progress.REPORT.reset(token)


def test_a_small_or_quick_cold_index_says_nothing(room: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workflow.cli.app import ProgressLine
    from workflow.storage import progress

    token = progress.REPORT.set(ProgressLine())  # the CLI's: over a second and 200 releases only
    try:
        with index.opened(room):
            pass
    finally:
        progress.REPORT.reset(token)
    assert capsys.readouterr().err == ""


def test_releases_folder_read_again_only_when_it_changed(room: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index remembers the stamp of releases/ and skips listing it while unchanged; every way a
    release folder appears or disappears changes that stamp, and the listing follows at once."""
    from workflow.filestamp import RACY_NS

    assert RACY_NS > 0
    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)  # stamps are trusted at once (no sleeping a second)
    scans: list[int] = []
    real = index._disk_ids

    def counted(folder: str, known: set[str]) -> list[str]:
        scans.append(1)
        return real(folder, known)

    monkeypatch.setattr(index, "_disk_ids", counted)

    def listed() -> set[str]:
        with index.opened(room) as conn:
            return {row[0] for row in index.list_rows(conn)}

    first = listed()
    assert (len(first), len(scans)) == (40, 1)
    assert (listed(), len(scans)) == (first, 1)  # unchanged: not listed again
    some = sorted(first)[5]
    shutil.copytree(room / "releases" / some, room / "2030-01-01-moved-in")
    for path in (room / "2030-01-01-moved-in").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace(some, "2030-01-01-moved-in"), encoding="utf-8")
    os.rename(room / "2030-01-01-moved-in", room / "releases" / "2030-01-01-moved-in")  # mv into releases/
    assert (listed(), len(scans)) == (first | {"2030-01-01-moved-in"}, 2)
    shutil.rmtree(room / "releases" / some)  # rm -r
    assert (listed(), len(scans)) == ((first - {some}) | {"2030-01-01-moved-in"}, 3)
    assert (listed(), len(scans)) == ((first - {some}) | {"2030-01-01-moved-in"}, 3)
    _same(room)


@pytest.mark.parametrize("other_thread", [False, True])
def test_a_refresh_forks_workers_only_in_a_process_without_other_threads(
        room: Path, monkeypatch: pytest.MonkeyPatch, other_thread: bool) -> None:
    """Forked while another thread holds a lock (the workspace's web server), a worker could hang: with
    another thread alive the releases are parsed in this process, and the rows are the same."""
    import threading

    monkeypatch.setattr(index, "PARALLEL_FROM", 10)
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    if other_thread:
        other.start()
    try:
        with index.opened(room) as conn:
            assert conn.execute("SELECT count(*) FROM releases").fetchone()[0] == 40
    finally:
        stop.set()
    assert bool(forks) is not other_thread
    _same(room)


def _listed_both_ways(root: Path) -> tuple[str, str]:
    cli = Cli(root)
    with_index: Any = cli("list", "--json")
    from_files: Any = cli("list", "--json", env={"PUBFLOW_NO_INDEX": "1"})
    assert with_index.exit_code == from_files.exit_code == 0, with_index.output + from_files.output
    return with_index.stdout, from_files.stdout


def test_a_release_folder_swapped_for_a_link_to_itself_is_not_served_from_the_index(
        room: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mv releases/X /elsewhere/X; ln -s /elsewhere/X releases/X`: the files keep their stamps, but
    a link is no release folder (it would lead out of the newsroom); the index kept listing it."""
    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)  # stamps are trusted at once (no sleeping a second)
    some = sorted(p.name for p in (room / "releases").iterdir())[3]
    first = _listed_both_ways(room)
    assert first[0] == first[1]
    assert some in first[0]
    os.rename(room / "releases" / some, tmp_path / some)
    os.symlink(tmp_path / some, room / "releases" / some)
    linked = _listed_both_ways(room)
    assert linked[0] == linked[1]
    assert some not in linked[0]
    assert _listed_both_ways(room) == linked  # read again, still refused
    os.unlink(room / "releases" / some)
    os.rename(tmp_path / some, room / "releases" / some)  # and back: listed again
    assert _listed_both_ways(room) == first


def test_releases_swapped_for_a_link_and_back_is_listed_from_the_files(
        room: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """releases/ moved out of the newsroom and linked there refuses every release; moved back, the
    index kept those refusals (the files' stamps had not changed) and listed nothing."""
    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)
    first = _listed_both_ways(room)
    assert first[0] == first[1]
    os.rename(room / "releases", tmp_path / "releases")
    os.symlink(tmp_path / "releases", room / "releases")
    assert _listed_both_ways(room) == ("[]\n", "[]\n")
    os.unlink(room / "releases")
    os.rename(tmp_path / "releases", room / "releases")
    assert _listed_both_ways(room) == first


def test_a_release_folder_linked_inside_the_newsroom_is_listed_as_from_the_files(
        room: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link named like a release is no release when the files are read, wherever it leads; the index
    followed it (releases/X -> ../archive/X was listed from the index only)."""
    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)
    some = sorted(p.name for p in (room / "releases").iterdir())[3]
    (room / "archive").mkdir()
    os.rename(room / "releases" / some, room / "archive" / some)
    os.symlink(Path("..") / "archive" / some, room / "releases" / some)
    listed = _listed_both_ways(room)
    assert listed[0] == listed[1]
    assert some not in listed[0]


def test_a_release_removed_by_another_process_mid_refresh_leaves_no_phantom(
        room: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Process A reads the rows; B removes a release and refreshes (its rows and the new stamp of
    releases/ committed at once); A then took B's stamp as vouching for A's older rows and recorded
    the removed release as an incomplete folder, for good (releases/ did not change again)."""
    from workflow.storage import cache

    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)
    victim = sorted(p.name for p in (room / "releases").iterdir())[3]
    with index.opened(room):
        pass
    real_stamp = cache.stamp
    fired: list[int] = []

    def stamp(path: str | os.PathLike[str]) -> tuple[int, ...]:
        if os.fspath(path).endswith(os.sep + "releases") and not fired:
            fired.append(1)  # A is between reading its rows and stamping releases/: B runs now
            shutil.rmtree(room / "releases" / victim)
            with index.opened(room):
                pass
        return real_stamp(path)

    monkeypatch.setattr(cache, "stamp", stamp)
    with index.opened(room) as conn:  # A
        assert fired
        assert index.problems(conn) == []
    monkeypatch.setattr(cache, "stamp", real_stamp)
    with index.opened(room) as conn:
        assert index.problems(conn) == []
        assert victim not in {row[0] for row in index.list_rows(conn)}
    _same(room)


def test_an_index_with_a_damaged_page_is_rebuilt_not_an_internal_error(room: Path) -> None:
    """A page of index.sqlite garbled (a disk error, a bad copy): the header and schema read fine, the
    rows do not ("database disk image is malformed"): `list` stopped with an internal error (exit 1)."""
    first = _listed_both_ways(room)
    path = room / ".pubflow" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > 3 * page
    data[page:] = b"\x55" * (len(data) - page)  # every page but the first (the schema)
    path.write_bytes(bytes(data))
    assert _listed_both_ways(room) == first
