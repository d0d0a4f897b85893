"""Attacks on what landed on 2026-12-01 (scheduled embargoes, notices per language, the index
cache, completion, out-heads): each test is a failure found by trying, and what a user sees now."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EDITOR, SAMPLE_ID, WRITER, Cli
from tests.pubhelp import T0, approved_sample, at
from workflow import filestamp
from workflow.cli.app import app
from workflow.editorial.actors import find_person
from workflow.editorial.edit import edit_source
from workflow.editorial.transitions import add_comment
from workflow.errors import Refused
from workflow.publishing.publish import publish_release
from workflow.publishing.render import packaged_templates
from workflow.publishing.schedule import release_due, schedule_release
from workflow.storage.newsroom import Newsroom

EMBARGO = "2019-07-22T12:00:00+03:00"  # 09:00 UTC, three hours after T0


def test_a_writer_moving_the_embargo_earlier_does_not_publish_what_an_editor_scheduled(
        cli: Cli, newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo="2999-01-01T09:00:00+00:00")
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    moved: Any = cli("edit", rid, "--embargo", "2019-07-22T08:00:00+00:00", as_=WRITER)  # may edit, may not publish
    assert moved.exit_code == 0, moved.output
    result: Any = cli("build", as_=None)
    assert result.exit_code == 0, result.output
    assert f"{rid}: still scheduled, not published: it was edited after Hala Darwish scheduled it" in result.stdout
    assert not (newsroom / "dist" / "en" / rid).exists()
    assert Newsroom.open(newsroom).load(rid).release.state == "translation"
    assert cli("build", "--strict", as_=None).exit_code == 4  # type: ignore[attr-defined]


def test_an_edited_release_can_be_scheduled_again_and_then_goes_out(newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    editor = find_person(nr.config, EDITOR)
    first = schedule_release(nr, rid, editor, now=at(5))
    assert first.event is not None
    edit_source(nr, rid, find_person(nr.config, WRITER), date="2019-07-23", now=at(6))
    assert not release_due(Newsroom.open(newsroom), now=T0 + dt.timedelta(hours=4))[0].published
    again = schedule_release(Newsroom.open(newsroom), rid, editor, now=at(7))
    assert again.event is not None  # not "already scheduled": what is scheduled now is the edited release
    due = release_due(Newsroom.open(newsroom), now=T0 + dt.timedelta(hours=4))
    assert [(d.release, d.published) for d in due] == [(rid, True)]


def test_a_notice_per_language_obeys_the_text_rule_like_the_comment(run: Any, tmp_path: Path) -> None:
    # -m was checked; --message-ar and --messages were stored as given and went out on pages and feeds
    line = run("correct", SAMPLE_ID, "-m", "Fixed the figure", "--message-ar", "تصحيح \u202eالرقم", code=5)
    assert "the ar notice contains the bidi override RLO (U+202E)" in line
    notices = tmp_path / "notices.yaml"
    notices.write_text('en: Fixed the figure\nar: "تصحيح \\x1b[2J الرقم"\n', "utf-8")
    line = run("correct", SAMPLE_ID, "--messages", str(notices), code=5)
    assert "the ar notice contains the control character U+001B" in line


def test_a_notices_file_that_is_not_a_regular_file_is_refused_without_reading_it(run: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "notices.fifo"
    os.mkfifo(fifo)  # read_bytes() waited forever for a writer
    assert "not a regular file" in run("correct", SAMPLE_ID, "-m", "x", "--messages", str(fifo), code=5)
    assert "not a regular file" in run("correct", SAMPLE_ID, "-m", "x", "--messages", "/dev/zero", code=5)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"ar: " + b"x" * (5 * 1024 * 1024))
    assert "larger than" in run("correct", SAMPLE_ID, "-m", "x", "--messages", str(huge), code=5)


def _index(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".pubflow" / "index.sqlite", isolation_level=None)


def _settled(cli: Cli, *args: str) -> None:
    """Run a read command once the release files are past the racy second, so the index keeps
    their rows and the printed text (they are what the tests then edit by hand)."""
    time.sleep(filestamp.RACY_NS / 1e9 + 0.1)
    assert cli(*args).exit_code == 0  # type: ignore[attr-defined]


def test_list_json_from_a_hand_edited_index_cache_sends_no_escape_sequence(cli: Cli, newsroom: Path,
                                                                            sample_id: str) -> None:
    _settled(cli, "list", "--json")
    conn = _index(newsroom)
    changed = conn.execute("UPDATE rendered SET text = replace(text, 'Coalition:', "
                           "'Coalition:' || char(27) || ']52;c;aGk=' || char(7) || char(127))").rowcount
    conn.close()
    assert changed == 1
    result: Any = cli("list", "--json")
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\x7f"):
        assert raw not in result.stdout
    assert "Coalition:\\u001b]52;c;aGk=\\u0007\\u007f" in result.stdout


def test_an_index_whose_tables_were_changed_by_hand_is_rebuilt(cli: Cli, newsroom: Path, sample_id: str) -> None:
    assert cli("list", "--json").exit_code == 0  # type: ignore[attr-defined]
    conn = _index(newsroom)
    conn.execute("DROP TABLE rendered")  # the version number stays right: was an internal error (exit 1)
    conn.close()
    for args in (("list", "--json"), ("list",)):
        result: Any = cli(*args)
        assert result.exit_code == 0, result.output
        assert sample_id in result.stdout


def test_a_damaged_cell_of_the_index_is_one_line_and_the_next_run_rebuilds(cli: Cli, newsroom: Path,
                                                                          sample_id: str) -> None:
    _settled(cli, "list")
    conn = _index(newsroom)
    conn.execute("UPDATE releases SET progress = '{{{'")  # json.loads raised: an internal error (exit 1)
    conn.close()
    result: Any = cli("list", "--json")
    assert result.exit_code == 5
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "index.sqlite was damaged" in lines[0]
    assert "run the command again" in lines[0]
    again: Any = cli("list", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)[0]["id"] == sample_id


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()`'s result, failing (not hanging the suite) when it takes longer than `seconds`."""
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the command hung"
    return box[0]


def test_a_fifo_or_a_device_in_place_of_derived_files_does_not_hang_verify_or_build(sample: Path) -> None:
    state = sample / ".pubflow"
    for name in ("out-heads.json", "build.json"):
        (state / name).unlink()
        os.mkfifo(state / name)  # read_text()/read_bytes() waited forever for a writer
    (state / "build-pages.marshal").unlink()
    (state / "build-pages.marshal").symlink_to("/dev/zero")  # read until memory ran out
    cli = Cli(sample)
    verified: Any = _within(120, lambda: cli("verify"))
    assert verified.exit_code == 0, verified.output
    built: Any = _within(120, lambda: cli("build", as_=None))
    assert built.exit_code == 0, built.output
    assert (sample / "dist" / "en" / SAMPLE_ID / "index.html").is_file()


def test_a_template_linked_to_a_file_outside_the_newsroom_is_never_published(sample: Path, tmp_path: Path,
                                                                            run: Any) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY----- TOPSECRET\n", "utf-8")
    templates = sample / "templates"
    templates.mkdir(exist_ok=True)
    page = templates / "release.html.j2"
    page.write_text((packaged_templates() / "release.html.j2").read_text("utf-8").replace(
        "{% block", '{% include "leak.j2" %}{% block', 1), "utf-8")
    (templates / "leak.j2").symlink_to(secret)  # git keeps links: a collaborator can commit this one
    line = run("build", code=5, as_=None)
    assert "templates/leak.j2 is a symbolic link that leads outside the newsroom's templates" in line
    page.unlink()
    (templates / "leak.j2").unlink()
    (templates / "assets").mkdir()
    (templates / "assets" / "pubflow.css").symlink_to(secret)  # copied into dist/ as the stylesheet
    line = run("build", code=5, as_=None)
    assert "templates/assets/pubflow.css is a symbolic link" in line
    verified: Any = Cli(sample)("verify")
    assert verified.exit_code == 5
    assert "templates/assets/pubflow.css: a symbolic link that leads outside" in verified.stdout + verified.stderr
    assert not any("TOPSECRET" in p.read_text("utf-8", "replace") for p in (sample / "dist").rglob("*") if p.is_file())


def _complete(root: Path, words: str) -> Any:
    env = {"_PUBFLOW_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": words, "PUBFLOW_ROOT": str(root)}
    return CliRunner().invoke(app, [], prog_name="pubflow", env=env)


def test_completion_never_prints_an_escape_sequence_from_a_hand_written_label(newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    text = config.read_text("utf-8")
    assert "{label: Draft}" in text
    config.write_text(text.replace("{label: Draft}", '{label: "Dr\\e]52;c;aGk=\\aaft"}'), "utf-8")
    result = _complete(newsroom, "pubflow list --state ")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "Dr<U+001B>]52;c;aGk=<U+0007>aft" in result.stdout


def test_completion_of_a_pubflow_yaml_holding_an_alias_bomb_is_quick(newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    bomb = 'b0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"b{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    text = config.read_text("utf-8").replace("{label: Draft}", "{label: *l9}")
    config.write_text(bomb + text, "utf-8")  # str() of the label expanded 9**10 strings: every Tab hung
    result = _within(60, lambda: _complete(newsroom, "pubflow list --state "))
    assert result.exit_code == 0
    assert '"review":' in result.stdout


def test_scheduling_another_language_does_not_silently_drop_the_first_schedule(cli: Cli, newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("publish_policy: all_at_once", "publish_policy: source_first"),
                      "utf-8")
    assert "publish_policy: source_first" in config.read_text("utf-8")
    rid = approved_sample(newsroom, embargo="2999-01-01T09:00:00+00:00")
    first: Any = cli("publish", rid, "--at-embargo", "--lang", "ar")
    assert first.exit_code == 0, first.output
    before = (newsroom / "releases" / rid / "release.yaml").read_bytes()
    second: Any = cli("publish", rid, "--at-embargo", "--lang", "en")  # replaced the ar schedule, said "scheduled"
    assert second.exit_code == 4
    assert f"{rid} is already scheduled to go out in ar at its embargo" in second.stderr
    assert (newsroom / "releases" / rid / "release.yaml").read_bytes() == before
    assert cli("unschedule", rid, "-m", "English first").exit_code == 0  # type: ignore[attr-defined]
    third: Any = cli("publish", rid, "--at-embargo", "--lang", "en")
    assert third.exit_code == 0, third.output


class _Marker:
    """A pickle that, when loaded, writes a file: what a hostile compiled template could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.mkdir, (str(self.path),))


def test_a_compiled_template_nobody_here_wrote_is_never_loaded(sample: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import pickle

    from jinja2.bccache import bc_magic

    from workflow.publishing import render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(render, "_BYTECODE", {})
    marker = tmp_path / "pwned"
    folder = sample / ".pubflow" / "templates"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in render.TEMPLATES.values():  # Jinja's key: the name and the file's path, both guessable
        key = hashlib.sha1(name.encode())
        key.update(f"|{os.path.normpath(packaged_templates() / name)}".encode())
        (folder / f"{key.hexdigest()}.jinja").write_bytes(bc_magic + pickle.dumps(_Marker(marker), 2))
    result: Any = Cli(sample)("build", "--force", as_=None)
    assert result.exit_code == 0, result.output
    assert not marker.exists()  # the pickle ran at build: any code, outside the sandbox
    # what this user's pubflow wrote is signed and loaded again by the next process
    written = {p.name: p.read_bytes() for p in folder.glob("*.jinja")}
    assert written
    assert all(bc_magic not in data[:32] and data[32:].startswith(bc_magic) for data in written.values())
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.jinja")}
    monkeypatch.setattr(render, "_BYTECODE", {})
    again: Any = Cli(sample)("build", "--force", as_=None)
    assert again.exit_code == 0, again.output
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.jinja")} == stamps  # loaded, not compiled again


def _replaced(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return [_replaced(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, old, new) for k, v in value.items()}
    return value.replace(old, new) if isinstance(value, str) else value


def test_a_page_cache_nobody_here_wrote_never_reaches_the_site_index_or_feed(sample: Path) -> None:
    import marshal

    from workflow.storage import cache

    time.sleep(filestamp.RACY_NS / 1e9 + 0.1)  # past the racy second: the build state is trusted
    assert Cli(sample)("build", as_=None).exit_code == 0  # type: ignore[attr-defined]
    pages = sample / ".pubflow" / "build-pages.marshal"
    mine = cache.signed(pages.read_bytes(), "marshal")
    assert mine is not None
    # What a collaborator could commit with `git add -f`: the same pages, one title changed, the
    # signature theirs (they have no key of this user's), or the file as it was before signing.
    forged = marshal.dumps(_replaced(marshal.loads(mine), "Coalition: Assad", "FAKE HEADLINE Assad"))
    for carried in (b"\x01" * cache.MAC_BYTES + forged, forged):
        pages.write_bytes(carried)
        for name in ("index.html", "feed.atom"):
            (sample / "dist" / "en" / name).unlink()
        result: Any = Cli(sample)("build", as_=None)
        assert result.exit_code == 0, result.output
        for name in ("index.html", "feed.atom"):
            text = (sample / "dist" / "en" / name).read_text("utf-8")
            assert "Coalition: Assad" in text
            assert "FAKE HEADLINE" not in text  # the site index and feed showed the forged title


def test_an_index_that_is_a_link_to_another_database_is_never_opened(cli: Cli, newsroom: Path, sample_id: str,
                                                                    tmp_path: Path) -> None:
    precious = tmp_path / "another-application.db"
    conn = sqlite3.connect(precious)
    conn.execute("CREATE TABLE accounts (id INTEGER, balance INTEGER)")
    conn.execute("INSERT INTO accounts VALUES (1, 100)")
    conn.commit()
    conn.close()
    state = newsroom / ".pubflow"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir()
    (state / "index.sqlite").symlink_to(precious)  # committed with git add -f: the rebuild dropped its tables
    result: Any = cli("list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == sample_id
    conn = sqlite3.connect(precious)
    assert conn.execute("SELECT balance FROM accounts").fetchall() == [(100,)]
    conn.close()
    assert not (state / "index.sqlite").is_symlink()


def test_a_pubflow_folder_that_is_a_link_is_refused(sample: Path) -> None:
    shutil.rmtree(sample / ".pubflow")
    (sample / ".pubflow").symlink_to("dist")  # the caches (memory of drafts too) among the published outputs
    before = {p.name for p in (sample / "dist").iterdir()}
    for args in (("build",), ("list",)):
        result: Any = Cli(sample)(*args, as_=None)
        assert result.exit_code == 5
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert ".pubflow is a symbolic link" in lines[0]
    assert {p.name for p in (sample / "dist").iterdir()} == before


def test_a_move_out_is_refused_while_the_last_event_is_dated_after_the_clock(newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    editor = find_person(nr.config, EDITOR)
    add_comment(nr, rid, editor, "from a computer whose clock runs two hours fast", now=at(120))
    before = (newsroom / "releases" / rid / "release.yaml").read_bytes()
    # Recorded at 08:00 (never before the comment), built for 06:10: reported published, nothing out.
    with pytest.raises(Refused) as refused:
        publish_release(nr, rid, editor, now=at(10))
    assert "its last event is dated 2019-07-22T08:00:00Z, later than this computer's clock" in refused.value.message
    assert (newsroom / "releases" / rid / "release.yaml").read_bytes() == before
    assert not (newsroom / "dist" / "en" / rid).exists()
    done = publish_release(nr, rid, editor, now=at(121))
    assert done.event is not None
    assert (newsroom / "dist" / "en" / rid / "index.html").is_file()


def test_an_unschedule_written_by_hand_by_a_translator_does_not_cancel_in_silence(cli: Cli, newsroom: Path) -> None:
    from workflow.core.history import record
    from workflow.core.model import Document, Event, format_time

    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))

    def forged(doc: Document) -> tuple[Document, Event]:  # what a translator can write into release.yaml
        return record(doc, Event(at=format_time(at(6)), kind="unschedule", actor="Rami Haddad", role="editor",
                                 transition="publish", source=doc.release.state, target=doc.release.state,
                                 content=doc.content_hash()))

    nr.update(rid, forged)
    due = release_due(Newsroom.open(newsroom), now=T0 + dt.timedelta(hours=4))  # was []: as if cancelled
    assert [(d.release, d.published) for d in due] == [(rid, False)]
    assert "Rami Haddad does not hold the role 'editor'" in due[0].reason
    result: Any = cli("build", as_=None)
    assert result.exit_code == 5  # the gate names the broken history, and now the schedule it holds up
    assert f"{rid}: still scheduled, not published: {rid} is not what its history recorded" in result.stdout
    assert not (newsroom / "dist" / "en" / rid).exists()


def test_a_notice_missing_in_a_language_without_its_own_option_names_what_exists(newsroom: Path) -> None:
    from dataclasses import replace

    from workflow.editorial.transitions import notice_texts

    rid = approved_sample(newsroom)
    doc = Newsroom.open(newsroom).load(rid)
    three = replace(doc, release=replace(doc.release, languages=("en", "ar", "fr")))
    with pytest.raises(Refused) as refused:  # said "give it with --message-fr TEXT": no such option
        notice_texts(three, "correct", ["en", "ar", "fr"], "Fixed", {"ar": "تصحيح"})
    assert "the notice is missing in fr" in refused.value.message
    assert refused.value.hint == "give it with --messages FILE, a text per language code"
    with pytest.raises(Refused) as refused:
        notice_texts(doc, "correct", ["en", "ar"], "Fixed", {})
    assert refused.value.hint == "give it with --message-ar TEXT, or --messages FILE"


def test_render_o_naming_the_published_outputs_by_another_name_is_refused(sample: Path, run: Any) -> None:
    """`-o DIST` on a case-insensitive disk (macOS, Windows) is dist/ itself, and so is a bind mount of
    it: the paths differ, the folder is the same.  A bind mount is what this machine can show."""
    import subprocess

    other = sample / "preview"
    other.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(sample / "dist"), str(other)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("a bind mount needs privileges this run does not have")
    try:
        line = run("render", SAMPLE_ID, "-o", str(other), code=2)
        assert "is inside the published outputs" in line
        line = run("render", SAMPLE_ID, "-o", str(other / "deeper"), code=2)
        assert "is inside the published outputs" in line
    finally:
        subprocess.run(["umount", str(other)], check=True)
