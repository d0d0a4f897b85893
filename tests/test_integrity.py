"""Issue 10: what is out is exactly what was approved; the publishing gate cannot be bypassed.

One test (or more) per scenario of the issue, tried as a new user would, on a copy of the
sample newsroom (this repository's pubflow.yaml and releases/), asserting on the bytes in
dist/ and on the one-line message and exit code.  Git scenarios (8, the sync half of 5 and 7)
are in tests/test_integrity_git.py; the bad-input list in tests/test_integrity_bad_input.py.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER, BuiltRooms, Cli

REPO = Path(__file__).resolve().parents[1]
RID = "2019-07-22-assad-russia-crimes-international"
SAMPLE_TXT = REPO / "samples" / "coalition-news-2019-07-22.txt"
OLD, NEW = "At least 50 people", "At least 57 people"
AR_OLD, AR_NEW = "ما لا يقل عن 50 شخصاً", "ما لا يقل عن 57 شخصاً"


def make_room(root: Path, config: Path = REPO / "pubflow.yaml", releases: Path = REPO / "releases") -> Path:
    root.mkdir(parents=True)
    shutil.copy(config, root / "pubflow.yaml")
    shutil.copy(REPO / "glossary.yaml", root / "glossary.yaml")
    shutil.copytree(releases, root / "releases")
    (root / ".gitignore").write_text(".pubflow/\ndist/\n*.pubflow-tmp\n", encoding="utf-8")
    return root


def _make_built_room(root: Path) -> None:
    make_room(root)
    cli = Cli(root)
    r: Any = cli("migrate")  # nothing to do once the repository's sample is migrated
    assert r.exit_code == 0, r.output
    r = cli("verify")
    assert r.exit_code == 0, r.output
    r = cli("build")
    assert r.exit_code == 0, r.output


@pytest.fixture
def room(tmp_path: Path, built_rooms: BuiltRooms) -> Path:
    """A copy of the sample newsroom, built: the sample release is out in English and Arabic
    (built once per test process: `tests.conftest.BuiltRooms`)."""
    return built_rooms.copy("integrity-room", _make_built_room, tmp_path / "room")


def dist(root: Path) -> dict[str, bytes]:
    folder = root / "dist"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pdf_text(data: bytes) -> str:
    """The text of a PDF, read back (pypdfium2); "" when it is not installed."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return ""
    document = pdfium.PdfDocument(data)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())  # lines joined: a phrase wrapped across two lines still reads whole


def out_text(root: Path, lang: str = "en") -> str:
    """Everything a reader gets of the sample in `lang`: page, text, JSON, PDF, the zip's entries, the feed."""
    folder = root / "dist" / lang / RID
    parts = [(folder / name).read_text("utf-8") for name in ("index.html", "release.txt", "release.json")]
    if (folder / "release.pdf").is_file():
        parts.append(pdf_text((folder / "release.pdf").read_bytes()))
    with zipfile.ZipFile(root / "dist" / f"{RID}-{lang}.zip") as archive:
        for name in archive.namelist():
            if name.endswith(".pdf"):
                parts.append(pdf_text(archive.read(name)))
            elif not name.endswith((".css", ".png", ".jpg", ".svg", ".woff2", ".ttf")):
                parts.append(archive.read(name).decode("utf-8"))
    parts.append((root / "dist" / lang / "feed.atom").read_text("utf-8"))
    parts.append((root / "dist" / lang / "index.html").read_text("utf-8"))
    return "\n".join(parts)


def source_text(root: Path, add: str | None = None) -> str:
    """The sample's source as a file for `pubflow edit --from` (title, paragraphs, source line),
    with one paragraph added before the source line."""
    show: Any = Cli(root)("show", RID, "--json")
    rows = {r["id"]: r["text"] for r in json.loads(show.stdout)["segments"]}
    paragraphs = [text for seg_id, text in rows.items() if seg_id.startswith("p")] + ([add] if add else [])
    return "\n\n".join([rows["title"], *paragraphs, rows["source"]]) + "\n"


def edited_source(tmp_path: Path, room: Path, add: str | None = None, change: tuple[str, str] | None = None,
                  ) -> Path:
    """The sample's source text as a file, with a paragraph added and/or one change made."""
    path = tmp_path / "v2.txt"
    text = source_text(room, add)
    path.write_text(text.replace(*change) if change else text, encoding="utf-8")
    return path


def arabic(root: Path, seg_id: str) -> str:
    show: Any = Cli(root)("show", RID, "--json")
    row = next(r for r in json.loads(show.stdout)["segments"] if r["id"] == seg_id)
    return str(row["translations"]["ar"]["text"])


def status(root: Path, seg_id: str, lang: str = "ar") -> str:
    show: Any = Cli(root)("show", RID, "--json")
    row = next(r for r in json.loads(show.stdout)["segments"] if r["id"] == seg_id)
    return str(row["translations"][lang]["status"])


def one_error_line(result: Any) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return str(lines[0])


# ---------------------------------------------------------------- 1. an edit goes live only through correct
def test_1_edit_of_a_published_release_stays_out_until_corrected(room: Path, tmp_path: Path) -> None:
    cli = Cli(room)
    before = dist(room)
    assert OLD in out_text(room, "en")
    assert AR_OLD in out_text(room, "ar")
    r: Any = cli("edit", RID, "--from", str(edited_source(tmp_path, room, change=(OLD, NEW))), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["changed"] == ["p3"]
    r = cli("build")
    assert r.exit_code == 0, r.output
    assert dist(room) == before  # not a byte of the unapproved text is out
    r = cli("correct", RID, "-m", "Corrected the death toll.", "--message-ar", "تصحيح.")
    assert r.exit_code == 4
    line = one_error_line(r)
    assert "cannot correct" in line
    assert "ar:p3" in line  # the translation still says 50 (checks), and is stale
    assert dist(room) == before
    # The way out: the translator updates p3, the reviewer approves it, the editor corrects.
    r = cli("set", RID, "p3", "--lang", "ar", "--text", arabic(room, "p3").replace(AR_OLD, AR_NEW), as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert cli("build").exit_code == 0
    assert dist(room) == before  # translated, not yet approved: still nothing new out
    r = cli("review", RID, "--lang", "ar", as_=REVIEWER)
    assert r.exit_code == 0, r.output
    r = cli("correct", RID, "-m", "Corrected the death toll.", "--message-ar", "تصحيح.")
    assert r.exit_code == 0, r.output
    for lang, new, old in (("en", NEW, OLD), ("ar", AR_NEW, AR_OLD)):
        text = out_text(room, lang)  # written by `correct` itself, no build in between
        assert new in text
        assert old not in text
        assert ("Corrected the death toll." if lang == "en" else "تصحيح.") in text
    assert cli("verify").exit_code == 0


# ---------------------------------------------------------------- 2. hand edits never go out
def test_2_a_hand_edit_of_the_source_is_named_by_verify_and_refused_by_build(room: Path) -> None:
    cli = Cli(room)
    before = dist(room)
    path = room / "releases" / RID / "en.yaml"
    path.write_text(path.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5
    [problem] = json.loads(r.stdout)["problems"]
    assert (problem["release"], problem["file"], problem["field"]) == (RID, "en.yaml", "segments[p3]")
    r = cli("build")
    assert r.exit_code == 5
    assert one_error_line(r).startswith(f"error: {RID} is not what its history recorded: en.yaml: segments[p3]: ")
    r = cli("build", "--force")  # --force re-renders; it does not override integrity
    assert r.exit_code == 5
    assert dist(room) == before
    r = cli("publish", RID)
    assert r.exit_code == 5
    assert dist(room) == before


def test_2_a_hand_edit_of_an_approved_translation_voids_the_approval_and_is_refused(room: Path) -> None:
    cli = Cli(room)
    before = dist(room)
    path = room / "releases" / RID / "ar.yaml"
    path.write_text(path.read_text("utf-8").replace(AR_OLD, AR_NEW), encoding="utf-8")
    assert status(room, "p3") == "translated"  # any changed byte voids the approval
    r: Any = cli("pending", RID, "--lang", "ar", "--json")
    assert [(i["segment"], i["needs"]) for i in json.loads(r.stdout)] == [("p3", "review")]
    r = cli("verify", "--json")
    assert r.exit_code == 5
    [problem] = json.loads(r.stdout)["problems"]
    assert (problem["file"], problem["field"]) == ("ar.yaml", "segments[p3].text")
    assert "differs from what the history recorded" in problem["message"]
    r = cli("build")
    assert r.exit_code == 5
    assert AR_NEW not in out_text(room, "ar")
    assert dist(room) == before


# ---------------------------------------------------------------- 3. retract and correct write their outputs
def test_3_retract_puts_the_tombstone_out_at_once(room: Path) -> None:
    cli = Cli(room)
    r: Any = cli("retract", RID, "-m", "Withdrawn pending verification.", "--message-ar", "سُحب.")
    assert r.exit_code == 0, r.output
    for lang, reason in (("en", "Withdrawn pending verification."), ("ar", "سُحب.")):  # no `build` in between
        page = (room / "dist" / lang / RID / "index.html").read_text("utf-8")
        assert '<div class="tombstone" role="note">' in page
        assert reason in page
        assert OLD not in out_text(room, lang)
        assert AR_OLD not in out_text(room, lang)
        with zipfile.ZipFile(room / "dist" / f"{RID}-{lang}.zip") as archive:
            assert json.loads(archive.read("release.json"))["retracted"]["text"] == reason
        feed = (room / "dist" / lang / "feed.atom").read_text("utf-8")
        assert reason in feed
    before = dist(room)
    assert cli("build").exit_code == 0
    assert dist(room) == before  # it was already complete
    assert cli("verify").exit_code == 0


def test_3_correct_puts_the_notice_out_at_once(room: Path) -> None:
    r: Any = Cli(room)("correct", RID, "-m", "The toll was confirmed by the civil defence.", "--message-ar", "تصحيح.")
    assert r.exit_code == 0, r.output
    for lang, notice in (("en", "The toll was confirmed by the civil defence."), ("ar", "تصحيح.")):
        assert notice in (room / "dist" / lang / RID / "index.html").read_text("utf-8")
        assert notice in (room / "dist" / lang / "feed.atom").read_text("utf-8")


# ---------------------------------------------------------------- 4. the checks run on every save path
def test_4_set_saves_a_wrong_number_but_says_so_and_exits_4(room: Path) -> None:
    cli = Cli(room)
    r: Any = cli("set", RID, "p3", "--lang", "ar", "--text", arabic(room, "p3").replace("50", "51"), as_=TRANSLATOR)
    assert r.exit_code == 4
    line = one_error_line(r)
    assert line.startswith("error: saved, but ar:p3 numbers: ")
    assert "50" in line
    assert "51" in line
    assert status(room, "p3") == "translated"


def test_4_review_refuses_a_check_error_unless_the_reviewer_waives_it(room: Path) -> None:
    cli = Cli(room)
    wrong = arabic(room, "p3").replace("50", "51")
    cli("set", RID, "p3", "--lang", "ar", "--text", wrong, as_=TRANSLATOR)
    r: Any = cli("review", RID, "--lang", "ar", "--segment", "p3", as_=REVIEWER)
    assert r.exit_code == 4
    assert "cannot approve p3 (ar): check numbers found an error" in one_error_line(r)
    r = cli("review", RID, "--lang", "ar", as_=REVIEWER)  # all at once: p3 is left, with why
    assert r.exit_code == 4
    assert status(room, "p3") == "translated"
    # A waiver: only for a check that fired, only by a reviewer of the language, with a reason.
    r = cli("review", RID, "--lang", "ar", "--segment", "p1", "--waive", "numbers", "-m", "x", as_=REVIEWER)
    assert r.exit_code == 4
    assert "that check found no error there" in one_error_line(r)
    r = cli("review", RID, "--lang", "ar", "--segment", "p3", "--waive", "numbers", "-m", "x", as_=TRANSLATOR)
    assert r.exit_code == 4
    assert "needs the role reviewer:ar" in one_error_line(r)
    r = cli("review", RID, "--lang", "ar", "--segment", "p3", "--waive", "numbers", as_=REVIEWER)
    assert r.exit_code == 2
    assert "a waiver needs a reason" in one_error_line(r)
    why = "The ministry's own figure is 51; the English will be corrected."
    r = cli("review", RID, "--lang", "ar", "--segment", "p3", "--waive", "numbers", "-m", why, as_=REVIEWER)
    assert r.exit_code == 0, r.output
    assert status(room, "p3") == "approved"
    findings = json.loads(cli("check", RID, "--json").stdout)
    assert [(f["segment"], f["check"], f["waived_by"]) for f in findings if f["severity"] == "error"] == [
        ("p3", "numbers", "Lina Aziz")]
    assert cli("check", RID).exit_code == 0  # a waived error no longer blocks
    events = json.loads(cli("history", RID, "--lang", "ar", "--json").stdout)
    waived = [e for e in events if e["kind"] == "waived"]
    assert len(waived) == 1
    assert (waived[0]["actor"], waived[0]["check"], waived[0]["comment"], waived[0]["language"]) == (
        "Lina Aziz", "numbers", why, "ar")
    assert list(waived[0]["segments"]) == ["p3"]
    assert cli("verify").exit_code == 0
    # Any change voids the waiver with the approval.
    cli("set", RID, "p3", "--lang", "ar", "--text", wrong.replace("51", "52"), as_=TRANSLATOR)
    assert status(room, "p3") == "translated"
    findings = json.loads(cli("check", RID, "--json").stdout)
    assert [f["waived_by"] for f in findings if f["check"] == "numbers"] == [""]


# ---------------------------------------------------------------- 5. one complete, ordered record
def test_5_translation_and_review_events_are_in_the_history(room: Path) -> None:
    cli = Cli(room)
    text = arabic(room, "p2") + " "  # the same text: nothing to record
    assert cli("set", RID, "p2", "--lang", "ar", "--text", text, as_=TRANSLATOR).exit_code == 0
    cli("set", RID, "p2", "--lang", "ar", "--text", arabic(room, "p2").replace("،", "، "), as_=TRANSLATOR)
    assert cli("review", RID, "--lang", "ar", as_=REVIEWER).exit_code == 0
    events = json.loads(cli("history", RID, "--json").stdout)
    tail = [(e["kind"], e["actor"], e["language"], list(e["segments"] or [])) for e in events[-2:]]
    assert tail == [("translated", "Rami Haddad", "ar", ["p2"]), ("reviewed", "Lina Aziz", "ar", ["p2"])]
    times = [e["at"] for e in events]
    assert times == sorted(times)
    r: Any = cli("history", RID, "--lang", "ar")
    assert r.stdout.splitlines()[-1].split()[1:4] == ["reviewed", "p2", "Lina"]


def test_5_metadata_changes_go_through_edit_and_are_recorded(room: Path) -> None:
    cli = Cli(room)
    r: Any = cli("new", "--title", "Embargoed", "--body", "Text.", "--date", "2019-08-01",
                 "--embargo", "2019-08-01T09:00+03:00", as_=WRITER)
    assert r.exit_code == 0
    rid = "2019-08-01-embargoed"
    r = cli("edit", rid, "--embargo", "2019-08-02T09:00+03:00", "--category", "Statements")
    assert r.exit_code == 0, r.output
    events = json.loads(cli("history", rid, "--json").stdout)
    assert events[-1]["kind"] == "edit"
    assert events[-1]["metadata"] == {"category": "statements", "embargo": "2019-08-02T09:00+03:00"}  # by key
    assert cli("verify").exit_code == 0
    r = cli("edit", RID, "--embargo", "2030-01-01T00:00Z")  # the sample is out: its embargo is history
    assert r.exit_code == 4
    assert f"{RID} is out: its embargo can no longer change" in one_error_line(r)


# ---------------------------------------------------------------- 6. verify checks pubflow.yaml whole
@pytest.mark.parametrize(("change", "field", "words"), [
    ("outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n  colour: red\n", "outputs.colour is not a known setting"),
    ("outputs:\n", "machine_translation:\n  provider: babelfish\noutputs:\n", "provider: unknown provider 'babelfish'"),
    ("outputs:\n", "checks:\n  disabled: [numbres]\noutputs:\n", "unknown check"),
])
def test_6_verify_names_a_broken_section_of_pubflow_yaml(room: Path, change: str, field: str, words: str) -> None:
    path = room / "pubflow.yaml"
    path.write_text(path.read_text("utf-8").replace(change, field, 1), encoding="utf-8")
    r: Any = Cli(room)("verify")
    assert r.exit_code == 5
    problems = [line for line in r.stdout.splitlines() if line.startswith("pubflow.yaml: ")]
    assert len(problems) == 1, r.stdout
    assert words in problems[0], r.stdout


def test_6_verify_reports_every_broken_section_at_once(room: Path) -> None:
    path = room / "pubflow.yaml"
    text = path.read_text("utf-8").replace("outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n  colour: red\n")
    text += "machine_translation:\n  provider: babelfish\nchecks:\n  disabled: [numbres]\n"
    path.write_text(text, encoding="utf-8")
    r: Any = Cli(room)("verify", "--json")
    assert r.exit_code == 5
    fields = sorted(p["field"] for p in json.loads(r.stdout)["problems"])
    assert fields == ["checks", "machine_translation", "outputs"]


def test_6_verify_warns_about_roles_nobody_holds(tmp_path: Path) -> None:
    root = make_room(tmp_path / "old", config=REPO / "tests" / "fixtures" / "legacy" / "pubflow.yaml")
    r: Any = Cli(root)("verify")
    assert "warning: pubflow.yaml: people: nobody holds reviewer:en: releases written in ar can never be " \
           "published" in r.stdout
    room = make_room(tmp_path / "new")
    assert "warning" not in Cli(room)("verify").stdout  # the sample newsroom has an English reviewer


# ---------------------------------------------------------------- 7. no unapproved text goes out on the side
def test_7_a_translators_set_on_a_published_release_is_recorded_and_stays_out(room: Path) -> None:
    cli = Cli(room)
    before = dist(room)
    r: Any = cli("set", RID, "p4", "--lang", "ar", "--text", arabic(room, "p4") + " (مسودة)", as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert cli("verify").exit_code == 0
    events = json.loads(cli("history", RID, "--lang", "ar", "--json").stdout)
    assert (events[-1]["kind"], list(events[-1]["segments"])) == ("translated", ["p4"])
    assert cli("build", "--force").exit_code == 0
    assert dist(room) == before


def test_7_a_machine_suggestion_never_reaches_the_page(room: Path, tmp_path: Path) -> None:
    from tests.libre_server import LibreServer

    cli = Cli(room)
    before = dist(room)
    v3 = edited_source(tmp_path, room=room, add="The Coalition will hold a press conference on Tuesday.")
    r: Any = cli("edit", RID, "--from", str(v3), "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["added"] == ["p10"]
    with LibreServer() as server:
        r = cli("suggest", RID, "--lang", "ar", "--provider", "libre", "--url", server.url, as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert status(room, "p10") == "machine"
    events = json.loads(cli("history", RID, "--lang", "ar", "--json").stdout)
    assert (events[-1]["kind"], list(events[-1]["segments"])) == ("machine", ["p10"])
    assert cli("verify").exit_code == 0
    assert cli("build", "--force").exit_code == 0
    assert dist(room) == before
    assert "press conference" not in out_text(room, "en")


# ---------------------------------------------------------------- 9. forged approvals
def test_9_reviewed_by_set_by_hand_to_the_translator_is_refused(room: Path) -> None:
    cli = Cli(room)
    path = room / "releases" / RID / "ar.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("reviewed_by: Lina Aziz", "reviewed_by: Rami Haddad", 1), encoding="utf-8")
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5
    [problem] = json.loads(r.stdout)["problems"]
    assert (problem["file"], problem["field"]) == ("ar.yaml", "segments[title].reviewed_by")
    before = dist(room)
    r = cli("correct", RID, "-m", "x", "--message-ar", "تصحيح.")
    assert r.exit_code == 5
    assert "segments[title].reviewed_by" in one_error_line(r)
    assert dist(room) == before


# ---------------------------------------------------------------- 11. one release does not block the others
def test_11_an_untranslated_paragraph_in_one_release_blocks_no_other(room: Path, tmp_path: Path) -> None:
    from tests.pubhelp import approved_sample

    cli = Cli(room)
    v3 = edited_source(tmp_path, room=room, add="A paragraph nobody translated yet.")
    assert cli("edit", RID, "--from", str(v3)).exit_code == 0
    other = approved_sample(room, slug="second-release", title="A second release")
    r: Any = cli("publish", other, "-m", "Out.")
    assert r.exit_code == 0, r.output
    assert (room / "dist" / "en" / other / "index.html").is_file()
    r = cli("build")
    assert r.exit_code == 0, r.output
    assert "A paragraph nobody translated yet." not in out_text(room, "en")
    assert other in (room / "dist" / "ar" / "index.html").read_text("utf-8")


# ---------------------------------------------------------------- migration of schema-1 newsrooms
def test_a_schema_1_newsroom_is_migrated_by_an_editor(tmp_path: Path) -> None:
    legacy = REPO / "tests" / "fixtures" / "legacy"
    root = make_room(tmp_path / "old", config=legacy / "pubflow.yaml", releases=legacy / "releases")
    cli = Cli(root)
    r: Any = cli("verify")
    assert r.exit_code == 5
    assert f"{RID}: release.yaml: history: written by an older pubflow (schema 1)" in r.stdout
    r = cli("build")
    assert r.exit_code == 5  # nothing unbound goes out
    assert "run `pubflow migrate`" in r.stderr
    assert not (root / "dist" / "en" / RID).exists()
    r = cli("migrate", as_=WRITER)
    assert r.exit_code == 4
    r = cli("migrate", as_=EDITOR)
    assert r.exit_code == 0, r.output
    assert f"{RID}: migrated; text out recorded for en, ar" in r.stdout
    assert cli("verify").exit_code == 0
    assert cli("build").exit_code == 0
    assert OLD in out_text(root, "en")
    assert AR_OLD in out_text(root, "ar")
    r = cli("migrate")
    assert "0 releases migrated, 1 already current." in r.stdout


def test_correct_migrates_a_schema_1_release_in_the_same_change(tmp_path: Path) -> None:
    legacy = REPO / "tests" / "fixtures" / "legacy"
    root = make_room(tmp_path / "old", config=legacy / "pubflow.yaml", releases=legacy / "releases")
    r: Any = Cli(root)("correct", RID, "-m", "Figures confirmed.", "--message-ar", "تصحيح.")
    assert r.exit_code == 0, r.output
    events = json.loads(Cli(root)("history", RID, "--json").stdout)
    assert sorted((e["kind"], e["language"] or "") for e in events[-3:]) == [
        ("migrate", ""), ("migrate", "ar"), ("transition", "")]
    assert Cli(root)("verify").exit_code == 0
    assert "Figures confirmed." in out_text(root, "en")
